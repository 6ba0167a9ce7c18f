"""Celery tasks: thin shells over :mod:`jobs.reminders` and :mod:`jobs.delivery`.

Late acknowledgement, time limits and retries with backoff come from the
task options; sending is exactly once whatever runs twice (see delivery)."""

import datetime
import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from . import delivery, handoffs, reminders

logger = logging.getLogger(__name__)
RETRY = {"acks_late": True, "max_retries": 5, "retry_backoff": 60, "retry_backoff_max": 3600}


class SendFailed(Exception):
    """Some messages could not be sent; the task retries them with backoff."""


def _day(date):
    return datetime.date.fromisoformat(date) if date else timezone.localdate()


def _follow_up(result):
    """A run that left retries (a failing channel) or messages over a robot's
    rate asks for the retry when the first of them falls due, within 5
    minutes (the beat's retry every 5 minutes takes what is due later)."""
    if result.failed or result.deferred:
        at = delivery.next_due()
        wait = (at - timezone.now()).total_seconds() if at else 60
        retry_failed_reminders.apply_async(countdown=min(max(wait, 1), 300))
    return result.__dict__


@shared_task(name="jobs.send_overdue_visit_reminders", acks_late=True)
def send_overdue_visit_reminders(date=None):
    return _follow_up(reminders.send_visit_reminders(_day(date)))


@shared_task(name="jobs.send_slip_deadline_reminders", acks_late=True)
def send_slip_deadline_reminders(date=None):
    return _follow_up(reminders.send_slip_reminders(_day(date)))


@shared_task(name="jobs.send_meeting_reminders", acks_late=True)
def send_meeting_reminders(date=None):
    return _follow_up(reminders.send_meeting_reminders(_day(date)))


@shared_task(bind=True, name="jobs.refresh_dashboard_figures", autoretry_for=(DatabaseError,), **RETRY)
def refresh_dashboard_figures(self, quarter=None):
    """Recount the dashboard's cells: the quarter in progress, and the one
    before while late forms for it may still arrive (its first 30 days)."""
    from dashboards import figures
    from visits.quarters import Quarter

    today = timezone.localdate()
    if quarter:
        quarters = [Quarter.parse(quarter)]
    else:
        current = Quarter.of(today)
        quarters = [current]
        if (today - current.first_day).days < 30:
            quarters.append(current.previous())
    return {q.label: figures.build(q).seconds for q in quarters}


@shared_task(bind=True, name="jobs.retry_failed_reminders", autoretry_for=(SendFailed,), **RETRY)
def retry_failed_reminders(self):
    """Send every delivery whose retry has come (each channel's own back-off
    decides when; see jobs.delivery)."""
    delivery.settle()
    result = delivery.deliver(delivery.failed_ids())
    if result.failed:
        raise SendFailed(f"{result.failed} reminders still failing")
    return {
        "sent": result.sent,
        "failed": result.failed,
        "deferred": result.deferred,
        "channels": dict(sorted(result.by_channel.items())),
    }


@shared_task(bind=True, name="jobs.build_quarterly_report", autoretry_for=(DatabaseError, OSError), **RETRY)
def build_quarterly_report(self, quarter=None, user_id=None):
    """Build the report of ``quarter`` (default: the quarter just ended) and
    tell the leaders it is ready (once per leader per report)."""
    from visits.quarters import Quarter

    from . import report

    q = Quarter.parse(quarter) if quarter else Quarter.of(timezone.localdate()).previous()
    built = report.build_report(q, by_id=user_id)
    reminders.send_report_ready(built)
    return {"report": built.pk, "quarter": built.quarter, "size": built.size}


@shared_task(bind=True, name="jobs.hand_off", autoretry_for=(DatabaseError,), **RETRY)
def hand_off(self):
    """Tell whoever must act next of every step not yet told (jobs.handoffs),
    and mark the quarters those steps may have moved for a recount."""
    from . import changes

    quarters = handoffs.dispatch()
    changes.figures_changed(quarters)
    return {"quarters": sorted(q.label for q in quarters)}


@shared_task(bind=True, name="jobs.recount_changed", autoretry_for=(DatabaseError,), **RETRY)
def recount_changed(self):
    """Recount the recent quarters with changes marked since their last count
    (a second worker asked for the same finds nothing stale)."""
    from . import changes

    return changes.recount_stale()


@shared_task(bind=True, name="jobs.deem_confirmations", autoretry_for=(DatabaseError,), **RETRY)
def deem_confirmations(self, date=None):
    """Daily: record 默认满意 on every enterprise confirmation left unanswered
    past its due day (issue 17.5); each claimed by a conditional update, so
    two runs never record one twice (:func:`issues.services.deem_overdue`)."""
    from issues import services

    return {"deemed": services.deem_overdue(_day(date))}


@shared_task(bind=True, name="jobs.close_quarters", autoretry_for=(DatabaseError,), **RETRY)
def close_quarters(self, date=None):
    """Daily: close each quarter whose closing day has come
    (``QUARTER_CLOSE_WORKING_DAYS`` working days after it ends), publish its
    report's first version and tell the leaders; count every closed quarter
    afresh and record what would move as pending corrections (issue 16).
    The quarter's row is locked while it closes, so a second run or worker
    closes nothing twice."""
    from dashboards import closing

    result = closing.close_due(_day(date))
    for label in result["closed"]:
        publish_closed_report(label)
    return result


def publish_closed_report(label, user_id=None):
    """The report of a quarter's newly published version, and the leaders
    told of it (once per leader per report)."""
    from visits.quarters import Quarter

    from . import report

    built = report.build_report(Quarter.parse(label), by_id=user_id)
    reminders.send_report_ready(built)
    return built


@shared_task(bind=True, name="jobs.publish_report", autoretry_for=(DatabaseError, OSError), **RETRY)
def publish_report(self, quarter, user_id=None):
    """After staff closed or re-closed ``quarter``: its new version's report."""
    built = publish_closed_report(quarter, user_id)
    return {"report": built.pk, "quarter": built.quarter, "version": built.version}
