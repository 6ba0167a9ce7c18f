"""What follows a write: the hand-off notices and the dashboard's recount.

After every write request (:mod:`jobs.middleware`) the quarter in progress is
marked changed and, if the write left timeline events nobody was told of, the
hand-off task runs (:mod:`jobs.handoffs`), which marks the quarters of the
items it told of. A quarter that was up to date and is now marked gets one
recount, ``DASHBOARD_RECOUNT_DELAY_SECONDS`` later (the writes of that
minute are counted together); in the laptop demo's eager mode both run at
once, so the dashboard shows a form the moment it is submitted. Staleness
is decided by change counts (:func:`dashboards.figures.stale_quarters`), never
by comparing clocks.
"""

from django.conf import settings
from django.utils import timezone

from dashboards import figures
from issues import selectors as issue_selectors
from visits.quarters import Quarter, recent

from . import queue

RECENT = 8


def after_write():
    """Called once a write request has committed."""
    from . import tasks

    today = timezone.localdate()
    newly = figures.mark_changed([Quarter.of(today)])
    if issue_selectors.has_events_to_hand_off():
        queue.enqueue(tasks.hand_off)
    if newly:
        queue.enqueue(tasks.recount_changed, countdown=settings.DASHBOARD_RECOUNT_DELAY_SECONDS)


def figures_changed(quarters):
    from . import tasks

    if figures.mark_changed(quarters):
        queue.enqueue(tasks.recount_changed, countdown=settings.DASHBOARD_RECOUNT_DELAY_SECONDS)


def recount_stale() -> dict:
    quarters = recent(Quarter.of(timezone.localdate()), RECENT)
    return {q.label: figures.build(q, only_if_stale=True).seconds for q in figures.stale_quarters(quarters)}
