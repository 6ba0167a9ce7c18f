"""Reads over the issue list and its slips."""

import datetime

from django.conf import settings
from django.db.models import Prefetch, Q

from . import access, slip_workflow, workflow
from .models import EscalationSlip, IssueEvent, IssueItem, ProgressEntry, ReferralSlip, SupervisionSlip
from .workdays import add_working_days


def slips_for(user):
    return access.visible_referral_slips(
        user, ReferralSlip.objects.select_related("item__enterprise__place", "department")
    )


def inbox(user, today: datetime.date):
    """A department's slips to act on, in sections: overdue, due within
    ``REFERRAL_DUE_SOON_WORKING_DAYS`` working days, other open ones, and
    those answered and waiting for the office."""
    soon = add_working_days(today, settings.REFERRAL_DUE_SOON_WORKING_DAYS)
    slips = slips_for(user).order_by("deadline", "number")
    open_slips = slips.filter(status__in=slip_workflow.OPEN_REFERRAL)
    return {
        "overdue": open_slips.filter(deadline__lt=today),
        "due_soon": open_slips.filter(deadline__range=(today, soon)),
        "open": open_slips.filter(deadline__gt=soon),
        "answered": slips.filter(status=ReferralSlip.Status.ANSWERED),
        "pending_extensions": slips.filter(extension_requests__decision="pending").distinct(),
    }


def supervisions_for(user):
    return access.visible_supervision_slips(
        user,
        SupervisionSlip.objects.select_related(
            "referral__item__enterprise", "referral__department", "addressee"
        ),
    )


def items_for(user):
    return access.visible_issue_items(
        user, IssueItem.objects.select_related("enterprise__place", "reporter__unit")
    )


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Items with an overdue referral slip: the filter form of
    :func:`slip_workflow.is_overdue` (open, its deadline past)."""
    return Q(
        **{
            f"{prefix}referrals__status__in": slip_workflow.OPEN_REFERRAL,
            f"{prefix}referrals__deadline__lt": today,
        }
    )


def escalations_for(user):
    return access.visible_escalation_slips(
        user,
        EscalationSlip.objects.select_related("item__enterprise__place", "leader__unit").prefetch_related(
            "departments"
        ),
    )


PROGRESS_AFTER_DAYS = 30


def needing_progress(today: datetime.date):
    """Open items reported more than a month ago with no progress entry for
    this month: they owe one until they are closed (销号)."""

    this_month = today.replace(day=1)
    reported = ProgressEntry.objects.filter(month=this_month).values("item_id")
    return IssueItem.objects.filter(
        status__in=workflow.OPEN, reported_on__lte=today - datetime.timedelta(days=PROGRESS_AFTER_DAYS)
    ).exclude(pk__in=reported)


def events_to_hand_off(limit: int):
    """Timeline events nobody has been told of yet, oldest first, with what
    the notices name; row-locked (skipping rows another run holds), so call
    inside the transaction that marks them (:func:`services.mark_handed_off`)."""
    return list(
        IssueEvent.objects.filter(handed_off=False)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related(
            "actor",
            "item__enterprise",
            "item__reporter__user",
            "referral__department__information_officer__user",
            "referral__department__principal_leader__user",
            "escalation__leader__user",
        )
        .order_by("pk")[:limit]
    )


def has_events_to_hand_off() -> bool:
    return IssueEvent.objects.filter(handed_off=False).exists()


def reported_by(cadre_id: int):
    """A cadre's own problems (我的问题), newest first, each with its slips:
    three queries whatever their number."""
    return (
        IssueItem.objects.filter(reporter_id=cadre_id)
        .select_related("enterprise__place", "visit")
        .prefetch_related(
            Prefetch(
                "referrals",
                queryset=ReferralSlip.objects.select_related("department").order_by("-issued_on", "-pk"),
            ),
            Prefetch(
                "escalations",
                queryset=EscalationSlip.objects.select_related("leader").order_by("-issued_on", "-pk"),
            ),
        )
        .order_by("-reported_on", "-pk")
    )


def pending_confirmation(item):
    """The confirmation ``item`` is waiting for (issue 17.5), or ``None``: at
    most one is pending (the ``confirmation_one_pending`` constraint). The
    item pages of the office and of the enterprise both show it."""
    return item.confirmations.filter(verdict="").first()


def pending_confirmations(enterprise):
    """The resolutions ``enterprise`` is asked to rate (issue 17.5), oldest
    first, each with its item: what the enterprise's pages list for
    :func:`issues.services.confirm`."""
    from .models import Confirmation

    return (
        Confirmation.objects.filter(item__enterprise=enterprise, verdict="")
        .select_related("item")
        .order_by("due_on", "pk")
    )
