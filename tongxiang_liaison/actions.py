"""The steps that cross apps, each in one function a reader follows top-down.

A feedback form (Attachment 1, R9) belongs to ``visits``; the problems found
on it belong to the issue list (``issues``, R11) and its 销售 to the
six-doubling registry (``multiplication``, R17). Neither layer may call the
other, so the hand-over is written here, above them all, where it can be read
in one place; the views and the admin of the feedback form call these
functions. Nothing happens in signals.

After the request that called them commits, :mod:`jobs.middleware` tells
whoever must act next (the items' timeline events are the outbox,
:mod:`jobs.handoffs`) and marks the quarter's dashboard figures changed.
"""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from issues import services as issue_services
from multiplication import services as registry_services
from tabular.history import records_history_by
from visits import services as visit_services

logger = logging.getLogger(__name__)


@dataclass
class HandedOver:
    """What submitting (or correcting) a form did."""

    visit: object
    items: list = field(default_factory=list)  # the issue-list items its problem rows became
    revenue: object = None  # the registry's revenue figure from its 销售, if any


@records_history_by()
@transaction.atomic
def submit_feedback(visit, *, by) -> HandedOver:
    """A cadre submits a feedback form.

    1. The form is submitted: read-only to the cadre from now on, and it
       counts for its quarter (R7) — :func:`visits.services.submit_visit`.
    2. Each of its problem rows becomes one issue-list item, whose timeline
       names the cadre (R11, R14) — :func:`issues.services.items_from_visit`.
    3. Its 销售 becomes the year's visit-form revenue figure of the enterprise
       (R17) — :func:`multiplication.services.record_visit_revenue` — in a
       savepoint of its own: a failure there is logged and never takes the
       cadre's form or its items with it.
    """
    visit = visit_services.submit_visit(visit, by=by)
    return _hand_over(visit, by=by)


@records_history_by()
@transaction.atomic
def correct_feedback(visit, *, by, reason="") -> HandedOver:
    """Liaison staff corrected a form in the admin: keep its counting (R7),
    its items (a problem row added becomes an item; an edited one updates its
    item's text) and its revenue figure in step. ``reason``: why, recorded
    with a correction of a closed quarter (issue 16)."""
    visit = visit_services.correct_visit(visit, by=by, reason=reason)
    if visit.status != visit.Status.SUBMITTED:
        return HandedOver(visit)
    return _hand_over(visit, by=by)


def _hand_over(visit, *, by) -> HandedOver:
    handed = HandedOver(visit, items=issue_services.items_from_visit(visit, by=by))
    try:
        with transaction.atomic():
            handed.revenue = registry_services.record_visit_revenue(visit)
    except (DatabaseError, ValidationError):
        logger.exception("revenue figure of visit %s not recorded; the form stays submitted", visit.pk)
    return handed
