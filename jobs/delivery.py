"""Claim, then send: the exactly-once delivery of reminders.

1. A run builds its messages and inserts them all with its own token,
   ignoring conflicts on (recipient, kind, period, stage). The rows that carry
   its token are the ones it claimed; rows that existed already (an earlier
   run, another worker) are not its to send.
2. Sending claims again, with a conditional update (claimed or failed →
   sending, under a fresh token), so two workers or a retry never send the
   same row twice. Each row leaves an in-app notice (once: one per row) and,
   when the recipient has an address, one email. A send that fails is marked
   failed with its error, stays visible in the admin, and is retried.
"""

import datetime
import logging
import uuid
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.utils import timezone

from .models import Notice, ReminderLog

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
S = ReminderLog.Status


@dataclass(frozen=True)
class Message:
    recipient_id: int
    kind: str
    period: str
    stage: str
    subject: str
    body: str
    link: str = ""
    email: str = ""


def claim(messages) -> list[int]:
    """Insert ``messages``; return the ids of the rows this call claimed."""
    token = uuid.uuid4().hex
    ReminderLog.objects.bulk_create(
        [ReminderLog(**asdict(m), token=token) for m in messages],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return list(ReminderLog.objects.filter(token=token, status=S.CLAIMED).values_list("pk", flat=True))


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0


def sendable():
    """Rows a run may take: claimed or failed ones, and rows left "sending"
    for ``STALE_SENDING_MINUTES`` by a worker that died mid-run."""
    stale = timezone.now() - datetime.timedelta(minutes=settings.STALE_SENDING_MINUTES)
    return ReminderLog.objects.filter(
        Q(status__in=[S.CLAIMED, S.FAILED]) | Q(status=S.SENDING, sending_since__lt=stale),
        attempts__lt=MAX_ATTEMPTS,
    )


def deliver(ids) -> Delivery:
    """Send the rows among ``ids`` that nobody else is sending or has sent.

    Each email is marked sent as soon as the mail server takes it, so a
    worker killed mid-run leaves at most the one message in flight to be sent
    again; the rows it had not reached are taken up by the retry once stale."""
    token = uuid.uuid4().hex
    sendable().filter(pk__in=list(ids)).update(
        status=S.SENDING, token=token, attempts=F("attempts") + 1, sending_since=timezone.now()
    )
    rows = list(ReminderLog.objects.filter(token=token, status=S.SENDING).order_by("pk"))
    if not rows:
        return Delivery()
    Notice.objects.bulk_create(
        [
            Notice(recipient_id=r.recipient_id, reminder=r, subject=r.subject, body=r.body, link=r.link)
            for r in rows
        ],
        ignore_conflicts=True,
    )
    result = Delivery()
    in_app_only = [r.pk for r in rows if not r.email]
    result.sent += ReminderLog.objects.filter(pk__in=in_app_only, token=token).update(
        status=S.SENT, sent_at=timezone.now(), last_error=""
    )
    connection = get_connection(fail_silently=False)
    try:
        for row in rows:
            if not row.email:
                continue
            try:
                EmailMessage(
                    subject=row.subject,
                    body=f"{row.body}\n\n{settings.SITE_URL}{row.link}" if row.link else row.body,
                    to=[row.email],
                    connection=connection,
                ).send()
            except Exception as exc:  # SMTP and network errors: mark, keep going, retry later
                logger.warning("reminder %s to %s failed: %s", row.pk, row.email, exc)
                ReminderLog.objects.filter(pk=row.pk).update(status=S.FAILED, last_error=str(exc)[:2000])
                result.failed += 1
            else:
                result.sent += ReminderLog.objects.filter(pk=row.pk, token=token).update(
                    status=S.SENT, sent_at=timezone.now(), last_error=""
                )
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken SMTP connection must not hide the result
            logger.debug("closing the mail connection failed", exc_info=True)
    return result


def failed_ids():
    """Failed rows, and rows a dead worker left "sending" (see :func:`sendable`)."""
    return list(sendable().exclude(status=S.CLAIMED).values_list("pk", flat=True))
