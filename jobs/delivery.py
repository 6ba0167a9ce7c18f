"""Claim, then send: the exactly-once delivery of reminders, channel by channel.

1. A run builds its messages and inserts them all with its own token,
   ignoring conflicts on (recipient, kind, period, stage) — (unit, kind,
   period, stage) for a unit's group digest. The rows that carry its token
   are the ones it claimed; rows that existed already (an earlier run,
   another worker, a second beat) are not its to send. In the same
   transaction each claimed message gets its chain of channels
   (:mod:`jobs.routing`), one :class:`ChannelDelivery` row per channel,
   unique on (reminder, channel, address): the first pending, the fall-backs
   waiting.
2. Sending claims again, row by row of the chain, with a conditional update
   (pending and due → sending, under a fresh token), so two workers or a
   retry never send the same row twice; each row is marked as soon as its
   channel took the message, so a worker killed mid-run leaves at most the
   one message in flight to go again. Each reminder to a person leaves one
   in-app notice (one per row) whatever its channels do.
3. A failure that may pass (a network fault, a busy or rate-limited
   service) is retried after the next delay of ``CHANNEL_RETRY_SECONDS`` (at
   least what a rate-limit answer asks); after the last delay, or at once for
   a failure that cannot pass (a wrong signature, an unknown address), the
   row is failed and the next of the chain becomes pending. When none is
   left, the reminder is failed: shown in 提醒记录, never dropped.
4. A rate-limited channel (the robots, ``ROBOT_MESSAGES_PER_MINUTE``) is
   counted per address over the last minute under a lock of the robot's row;
   a message over the limit waits, untried, for the minute to pass.
"""

import contextlib
import datetime
import logging
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, Value, When
from django.utils import timezone, translation

from . import channels, routing
from .models import ChannelDelivery, Notice, ReminderLog

logger = logging.getLogger(__name__)
S = ReminderLog.Status
D = ChannelDelivery.Status
CHUNK = 2000
MINUTE = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class Message:
    recipient_id: int | None
    kind: str
    period: str
    stage: str
    subject: str
    body: str
    link: str = ""
    email: str = ""
    unit_id: int | None = None  # a unit's group digest, instead of a person
    routes: tuple = ()  # these routes instead of the recipient's (a test message)


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def claim(messages) -> list[int]:
    """Insert ``messages`` and their chains; return the ids of the rows this call claimed."""
    messages = list(messages)
    token = uuid.uuid4().hex
    with transaction.atomic():
        ReminderLog.objects.bulk_create(
            [
                ReminderLog(
                    recipient_id=m.recipient_id,
                    unit_id=m.unit_id,
                    kind=m.kind,
                    period=m.period,
                    stage=m.stage,
                    subject=m.subject,
                    body=m.body,
                    link=m.link,
                    email=m.email,
                    token=token,
                )
                for m in messages
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        rows = list(
            ReminderLog.objects.filter(token=token, status=S.CLAIMED).values_list(
                "pk", "recipient_id", "unit_id", "kind", "period", "stage", "email"
            )
        )
        given = {
            (m.recipient_id, m.unit_id, m.kind, m.period, m.stage): m.routes for m in messages if m.routes
        }
        plain = [
            (pk, r, u, kind, email)
            for pk, r, u, kind, period, stage, email in rows
            if (r, u, kind, period, stage) not in given
        ]
        chains = routing.plan(plain) if plain else {}
        for pk, r, u, kind, period, stage, _email in rows:
            if (r, u, kind, period, stage) in given:
                chains[pk] = list(given[(r, u, kind, period, stage)])
        ChannelDelivery.objects.bulk_create(
            [
                ChannelDelivery(
                    reminder_id=pk,
                    position=position,
                    channel=route.channel,
                    address=route.address[:254],
                    status=D.PENDING if position == 0 else D.WAITING,
                )
                for pk, chain in chains.items()
                for position, route in enumerate(chain)
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
    return [row[0] for row in rows]


@dataclass
class Delivery:
    sent: int = 0  # reminders delivered (by a channel, or in the app alone)
    failed: int = 0  # reminders tried in this call and not delivered (yet)
    deferred: int = 0  # messages held back by a channel's rate limit, untried
    by_channel: Counter = field(default_factory=Counter)  # messages each channel took


def due_q(now=None):
    """Delivery rows a worker may take: pending and due, and rows left
    "sending" for ``STALE_SENDING_MINUTES`` by a worker that died mid-run."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(minutes=settings.STALE_SENDING_MINUTES)
    return Q(status=D.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)) | Q(
        status=D.SENDING, sending_since__lt=stale
    )


def deliver(ids, *, once=False) -> Delivery:
    """Send what is due of the reminders among ``ids`` and nobody else holds.
    ``once``: each channel is tried once, a failure falls back at once (a
    test message from the admin, whose outcome is wanted now)."""
    result = Delivery()
    with translation.override(settings.LANGUAGE_CODE), _quick_commits():
        for chunk in _chunks(ids):
            _open(chunk, result)
            for _round in range(10):  # a round per fall-back taken up at once
                if not _send_due(chunk, result, once):
                    break
    return result


@contextlib.contextmanager
def _quick_commits():
    """On PostgreSQL, commit without waiting for the disk while sending
    (``synchronous_commit`` off for this connection, unless
    ``DELIVERY_SYNCHRONOUS_COMMIT``): each message's marks are two or three
    one-statement transactions, and waiting for each flush was most of a
    run's time. A worker killed loses nothing by it; a crash of the database
    server itself may lose its last fraction of a second of marks, and those
    messages would go again."""
    quick = connection.vendor == "postgresql" and not settings.DELIVERY_SYNCHRONOUS_COMMIT
    if quick:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        if quick:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def _open(ids, result):
    """Reminders first taken: their in-app notices, and those with no channel
    at all are delivered by the notice alone."""
    token = uuid.uuid4().hex
    taken = ReminderLog.objects.filter(pk__in=ids, status=S.CLAIMED).update(
        status=S.SENDING, token=token, sending_since=timezone.now()
    )
    if not taken:
        return
    rows = ReminderLog.objects.filter(token=token, recipient__isnull=False).values_list(
        "pk", "recipient_id", "subject", "body", "link"
    )
    Notice.objects.bulk_create(
        [Notice(recipient_id=r, reminder_id=pk, subject=s, body=b, link=link) for pk, r, s, b, link in rows],
        batch_size=1000,
        ignore_conflicts=True,
    )
    alone = ReminderLog.objects.filter(token=token, status=S.SENDING).exclude(
        Exists(ChannelDelivery.objects.filter(reminder=OuterRef("pk")))
    )
    result.sent += alone.update(status=S.SENT, sent_at=timezone.now(), last_error="")


def _send_due(ids, result, once=False) -> bool:
    """One pass over the due rows of ``ids``; True when a fall-back was taken
    up that is due at once."""
    now = timezone.now()
    token = uuid.uuid4().hex
    limited = [c.code for c in channels.REGISTRY.values() if c.per_minute]
    taken = ChannelDelivery.objects.filter(due_q(now), reminder_id__in=ids).update(
        status=D.SENDING,
        token=token,
        sending_since=now,
        attempts=F("attempts") + 1,
        # a rate-limited channel's attempt is counted when its turn is granted (_over_limit)
        last_attempt_at=Case(When(channel__in=limited, then=F("last_attempt_at")), default=Value(now)),
    )
    if not taken:
        return False
    rows = list(
        ChannelDelivery.objects.filter(token=token, status=D.SENDING)
        .select_related("reminder")
        .order_by("channel", "reminder_id")
    )
    with_fallbacks = set(
        ChannelDelivery.objects.filter(reminder_id__in={r.reminder_id for r in rows}, status=D.WAITING)
        .values_list("reminder_id", flat=True)
        .distinct()
    )
    again = False
    by_channel = defaultdict(list)
    for row in rows:
        by_channel[row.channel].append(row)
    for code, group in by_channel.items():
        channel = channels.get(code)
        if channel is None:
            for row in group:
                error = channels.ChannelError(f"unknown channel {code}", retryable=False)
                again |= _failed(row, token, error, result, once)
            continue
        with channel.session() as send:
            for row in group:
                if channel.per_minute and (wait := _over_limit(channel, row, token)):
                    ChannelDelivery.objects.filter(pk=row.pk, token=token).update(
                        status=D.PENDING, next_attempt_at=wait, token="", attempts=F("attempts") - 1
                    )
                    result.deferred += 1
                    continue
                message = _outgoing(row)
                try:
                    receipt = send(row.address, message)
                except channels.ChannelError as error:
                    again |= _failed(row, token, error, result, once)
                except Exception as error:  # a channel's bug or a fault it did not foresee: retried
                    # the type only: an unforeseen error's text might hold an address with its token
                    logger.error("channel %s failed on delivery %s: %s", code, row.pk, type(error).__name__)
                    again |= _failed(row, token, channels.ChannelError(type(error).__name__), result, once)
                else:
                    _succeeded(row, token, receipt or "", row.reminder_id in with_fallbacks, result)
    return again


def _outgoing(row):
    reminder = row.reminder
    return channels.Outgoing(
        subject=reminder.subject,
        body=reminder.body,
        url=f"{settings.SITE_URL}{reminder.link}" if reminder.link else "",
        reference=f"TX{row.pk}",
    )


def _over_limit(channel, row, token):
    """None when ``row`` may go now (its attempt is then counted); otherwise
    when the oldest attempt of the last minute falls out of the window."""
    now = timezone.now()
    with transaction.atomic():
        channel.lock(row.address)
        window = ChannelDelivery.objects.filter(
            channel=row.channel, address=row.address, last_attempt_at__gt=now - MINUTE
        ).exclude(pk=row.pk)
        counted = window.aggregate(oldest=Min("last_attempt_at"), count=Count("pk"))
        if counted["count"] >= channel.per_minute:
            return counted["oldest"] + MINUTE
        ChannelDelivery.objects.filter(pk=row.pk, token=token).update(last_attempt_at=now)
    return None


def _succeeded(row, token, receipt, has_fallbacks, result):
    """Mark the row sent (the fact that guards against sending it again),
    then its fall-backs not needed and its reminder sent; no transaction
    around the three, so a message costs two or three statements. A worker
    dying between them leaves only a summary behind, which :func:`settle`
    puts right."""
    now = timezone.now()
    done = ChannelDelivery.objects.filter(pk=row.pk, token=token, status=D.SENDING).update(
        status=D.SENT, sent_at=now, receipt=receipt[:100], last_error="", next_attempt_at=None
    )
    if not done:
        return
    if has_fallbacks:
        ChannelDelivery.objects.filter(reminder_id=row.reminder_id, status__in=[D.WAITING, D.PENDING]).update(
            status=D.SKIPPED
        )
    ReminderLog.objects.filter(pk=row.reminder_id).update(
        status=S.SENT, sent_at=now, last_error="", attempts=F("attempts") + 1
    )
    result.sent += 1
    result.by_channel[row.channel] += 1


def settle() -> int:
    """Reminders a channel delivered whose summary a dead worker did not
    write: marked sent, their fall-backs not needed. The retry runs it."""
    delivered = ChannelDelivery.objects.filter(reminder=OuterRef("pk"), status=D.SENT)
    stale = ReminderLog.objects.filter(Exists(delivered)).exclude(status=S.SENT)
    ids = list(stale.values_list("pk", flat=True))
    if ids:
        ChannelDelivery.objects.filter(reminder_id__in=ids, status__in=[D.WAITING, D.PENDING]).update(
            status=D.SKIPPED
        )
        ReminderLog.objects.filter(pk__in=ids).update(status=S.SENT, sent_at=timezone.now(), last_error="")
    return len(ids)


def _failed(row, token, error, result, once=False) -> bool:
    """Keep the failure; retry later, or fall back. True when the fall-back is due now."""
    now = timezone.now()
    delays = settings.CHANNEL_RETRY_SECONDS
    text = str(error)[:2000]
    logger.warning("delivery %s by %s failed (attempt %s): %s", row.pk, row.channel, row.attempts, text)
    note = f"{channels.label(row.channel)}：{text}"
    result.failed += 1
    with transaction.atomic():
        if error.retryable and not once and row.attempts <= len(delays):
            wait = max(delays[row.attempts - 1], error.retry_after or 0)
            ChannelDelivery.objects.filter(pk=row.pk, token=token).update(
                status=D.PENDING,
                next_attempt_at=now + datetime.timedelta(seconds=wait),
                last_error=text,
                token="",
            )
            ReminderLog.objects.filter(pk=row.reminder_id).exclude(status=S.SENT).update(
                status=S.RETRYING, last_error=note, attempts=F("attempts") + 1
            )
            return False
        ChannelDelivery.objects.filter(pk=row.pk, token=token).update(
            status=D.FAILED, next_attempt_at=None, last_error=text, token=""
        )
        following = (
            ChannelDelivery.objects.filter(reminder_id=row.reminder_id, status=D.WAITING)
            .order_by("position")
            .first()
        )
        if following is not None:
            ChannelDelivery.objects.filter(pk=following.pk, status=D.WAITING).update(status=D.PENDING)
            ReminderLog.objects.filter(pk=row.reminder_id).exclude(status=S.SENT).update(
                status=S.RETRYING, last_error=note, attempts=F("attempts") + 1
            )
            return True
        ReminderLog.objects.filter(pk=row.reminder_id).exclude(status=S.SENT).update(
            status=S.FAILED, last_error=note, attempts=F("attempts") + 1
        )
    return False


def failed_ids():
    """Reminders with a delivery due: a retry whose time has come, a
    fall-back taken up, a row a dead worker left "sending" (:func:`due_q`)."""
    return list(ChannelDelivery.objects.filter(due_q()).values_list("reminder_id", flat=True).distinct())


def next_due():
    """When the next waiting retry falls due, or None."""
    return ChannelDelivery.objects.filter(status=D.PENDING, next_attempt_at__isnull=False).aggregate(
        at=Min("next_attempt_at")
    )["at"]


def resend(ids) -> Delivery:
    """Start the chains of failed reminders again (staff, from 提醒记录): the
    first channel pending, the others waiting, every attempt count kept."""
    failed = list(ReminderLog.objects.filter(pk__in=list(ids), status=S.FAILED).values_list("pk", flat=True))
    with transaction.atomic():
        ChannelDelivery.objects.filter(reminder_id__in=failed, position=0).update(
            status=D.PENDING, next_attempt_at=None, token=""
        )
        ChannelDelivery.objects.filter(reminder_id__in=failed, position__gt=0).update(
            status=D.WAITING, token=""
        )
        ReminderLog.objects.filter(pk__in=failed, status=S.FAILED).update(status=S.RETRYING)
    return deliver(failed)
