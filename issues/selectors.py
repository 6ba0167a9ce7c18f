"""Reads over the issue list and its slips."""

import datetime

from django.conf import settings
from django.db.models import Q

from cadres import permissions

from .models import EscalationSlip, IssueItem, ReferralSlip
from .workdays import add_working_days

OPEN_SLIP = (ReferralSlip.Status.ISSUED, ReferralSlip.Status.RETURNED)


def slips_for(user):
    return permissions.visible_referral_slips(
        user, ReferralSlip.objects.select_related("item__enterprise__place", "department")
    )


def inbox(user, today: datetime.date):
    """A department's slips to act on, in sections: overdue, due within
    ``REFERRAL_DUE_SOON_WORKING_DAYS`` working days, other open ones, and
    those answered and waiting for the office."""
    soon = add_working_days(today, settings.REFERRAL_DUE_SOON_WORKING_DAYS)
    slips = slips_for(user).order_by("deadline", "number")
    open_slips = slips.filter(status__in=OPEN_SLIP)
    return {
        "overdue": open_slips.filter(deadline__lt=today),
        "due_soon": open_slips.filter(deadline__range=(today, soon)),
        "open": open_slips.filter(deadline__gt=soon),
        "answered": slips.filter(status=ReferralSlip.Status.ANSWERED),
        "pending_extensions": slips.filter(extension_requests__decision="pending").distinct(),
    }


def items_for(user):
    return permissions.visible_issue_items(
        user, IssueItem.objects.select_related("enterprise__place", "reporter__unit")
    )


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Items with an open referral slip past its deadline."""
    return Q(
        **{
            f"{prefix}referrals__status__in": OPEN_SLIP,
            f"{prefix}referrals__deadline__lt": today,
        }
    )


def escalations_for(user):
    return permissions.visible_escalation_slips(
        user,
        EscalationSlip.objects.select_related("item__enterprise__place", "leader__unit").prefetch_related(
            "departments"
        ),
    )


PROGRESS_AFTER_DAYS = 30


def needing_progress(today: datetime.date):
    """Open items reported more than a month ago with no progress entry for
    this month: they owe one until they are closed (销号)."""
    from . import workflow
    from .models import ProgressEntry

    this_month = today.replace(day=1)
    reported = ProgressEntry.objects.filter(month=this_month).values("item_id")
    return IssueItem.objects.filter(
        status__in=workflow.OPEN, reported_on__lte=today - datetime.timedelta(days=PROGRESS_AFTER_DAYS)
    ).exclude(pk__in=reported)
