"""Asking the enterprise whether a resolution solved its problem (issue 17.5).

Every move of an item to 已解决 — :func:`issues.workflow.move` and the bulk
path :class:`issues.bulk.BulkIssueList` — asks once, by the one function
:func:`new_confirmation`: a pending :class:`issues.models.Confirmation`, asked
today, due ``CONFIRMATION_WORKING_DAYS`` working days later
(:mod:`issues.workdays`, holidays known). The answer is
:func:`issues.services.confirm`; no answer by the due day is 默认满意
(:func:`issues.services.deem_overdue`, the job ``jobs.deem_confirmations``).
"""

from django.conf import settings
from django.utils import timezone

from . import workdays
from .models import Confirmation


def new_confirmation(item, *, calendar=None) -> Confirmation:
    """The pending confirmation a resolution of ``item`` asks, unsaved
    (``calendar``: one already read, see :func:`workdays.deadline`)."""
    today = timezone.localdate()
    due = workdays.deadline(today, settings.CONFIRMATION_WORKING_DAYS, calendar).day
    return Confirmation(item=item, resolved_on=item.resolved_on, asked_on=today, due_on=due)


def ask(item) -> Confirmation:
    """Ask the enterprise about ``item``'s resolution, just saved."""
    confirmation = new_confirmation(item)
    confirmation.save(force_insert=True)
    return confirmation
