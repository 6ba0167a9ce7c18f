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

from cadres import closing
from dashboards import closing as closing_counts
from dashboards import figures
from issues import selectors as issue_selectors
from visits.quarters import Quarter, recent

from . import queue

RECENT = 8


def after_write():
    """Called once a write request has committed. Besides the quarter in
    progress, a closed quarter a write noted a correction of is marked, so
    its recount compares it with its frozen figures (issue 16)."""
    from . import tasks

    today = timezone.localdate()
    newly = figures.mark_changed([Quarter.of(today), *map(Quarter.parse, closing.noted_labels())])
    if issue_selectors.has_events_to_hand_off():
        queue.enqueue(tasks.hand_off)
    if newly:
        queue.enqueue(tasks.recount_changed, countdown=settings.DASHBOARD_RECOUNT_DELAY_SECONDS)


def figures_changed(quarters):
    from . import tasks

    if figures.mark_changed(quarters):
        queue.enqueue(tasks.recount_changed, countdown=settings.DASHBOARD_RECOUNT_DELAY_SECONDS)


def recount_stale() -> dict:
    """Recount the recent and the noted quarters with changes marked; a
    closed one is then compared with its frozen figures (its differences are
    pending corrections, :func:`dashboards.closing.compare`)."""
    quarters = sorted(
        set(recent(Quarter.of(timezone.localdate()), RECENT))
        | set(map(Quarter.parse, closing.noted_labels()))
    )
    counted = {}
    for quarter in figures.stale_quarters(quarters):
        counted[quarter.label] = figures.build(quarter, only_if_stale=True).seconds
        closing_counts.compare(quarter)
    return counted
