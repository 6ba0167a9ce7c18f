"""Closed quarters (issue 16): the figures that judge cadres (R16) never move
after they are published.

A quarter closes automatically a set number of working days after it ends
(``QUARTER_CLOSE_WORKING_DAYS``, the job ``jobs.close_quarters``), or earlier
by staff; closing stores its figures as frozen cells
(:class:`cadres.models.FrozenCell`), which every page and the report read for
it from then on. Its status follows one table, :data:`TRANSITIONS`, each move
a line of its timeline (:class:`cadres.models.QuarterCloseEvent`):

==========  ===========================  ==========  ===============
action      from                         to          reason
==========  ===========================  ==========  ===============
close       未关账                        已关账       —
reopen      已关账                        更正中       optional
reclose     更正中                        已关账       required
==========  ===========================  ==========  ===============

Re-closing publishes the next version of the frozen cells, with the pending
corrections (:class:`cadres.models.Correction`) marked as applied in it.
While a quarter is 更正中 its pages still show the version last published.

A change made later that would move a closed quarter's figures is a pending
correction: the services that write a dated fact say so with :func:`note`
(what, old → new, who, when, why), and the recount after writes
(``dashboards.closing.compare``) compares the quarter counted afresh with its
frozen cells. One kind of change is refused instead: an early end of a
pairing dated into a closed quarter (:func:`refuse_early_end`), unless staff
reopen the quarter for correction first.

This module lives in ``cadres``, the lowest layer whose writes a closed
quarter constrains; it knows dates and labels (``2026Q3``), not the quarter
arithmetic of ``visits.quarters``. The counting is ``dashboards.closing``'s.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors
from .models import COUNTS, Correction, FrozenCell, QuarterClose, QuarterCloseEvent

S = QuarterClose.Status


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset
    target: str
    reason_required: bool


TRANSITIONS = {
    a.name: a
    for a in (
        Action("close", gettext_lazy("关账"), frozenset({S.OPEN}), S.CLOSED, False),
        Action("reopen", gettext_lazy("开启更正"), frozenset({S.CLOSED}), S.REOPENED, False),
        Action("reclose", gettext_lazy("更正后重新关账"), frozenset({S.REOPENED}), S.CLOSED, True),
    )
}
PUBLISHED = frozenset({S.CLOSED, S.REOPENED})  # a version is published and read


def row(label, first_day=None, last_day=None, *, lock=False):
    """The quarter's status row, made (未关账) when first asked for with its days."""
    rows = QuarterClose.objects.select_for_update() if lock else QuarterClose.objects
    found = rows.filter(quarter=label).first()
    if found is None and first_day is not None:
        QuarterClose.objects.get_or_create(
            quarter=label, defaults={"first_day": first_day, "last_day": last_day}
        )
        found = rows.get(quarter=label)
    return found


def status_of(label) -> str:
    return QuarterClose.objects.filter(quarter=label).values_list("status", flat=True).first() or S.OPEN


def published(labels) -> dict:
    """``{label: version}`` of those of ``labels`` whose frozen cells are read."""
    return dict(
        QuarterClose.objects.filter(
            quarter__in=list(labels), status__in=PUBLISHED, version__gt=0
        ).values_list("quarter", "version")
    )


def frozen_cells(label, *, cadres=False, known=None):
    """The published frozen cells of a closed quarter (``cadres``: the
    cadres' cells), or None when the quarter is not closed. ``known``: its
    :class:`State`, already read by the page (no query then)."""
    if known is not None:
        version = known.version if known.frozen else None
    else:
        version = published([label]).get(label)
    if version is None:
        return None
    return FrozenCell.objects.filter(quarter=label, version=version, cadre__isnull=not cadres)


def sums(cells, key=None) -> dict:
    """``{key value: {count: n}}`` of frozen ``cells`` grouped by ``key``
    (``"unit_id"``, ``"place_id"``), or ``{None: {…}}`` for all of them."""
    totals = {name: Sum(name) for name in COUNTS}
    rows = cells.values(key).annotate(**totals).order_by() if key else [cells.aggregate(**totals)]
    return {row.get(key) if key else None: {n: row.get(n) or 0 for n in COUNTS} for row in rows}


def check(closing, action_name, *, reason=""):
    """The action, or a refusal naming what the table does not allow."""
    action = TRANSITIONS[action_name]
    if closing.status not in action.sources:
        raise ValidationError(
            _("%(quarter)s 当前为“%(status)s”，不能%(action)s。")
            % {"quarter": closing.quarter, "status": closing.get_status_display(), "action": action.label},
            code="transition",
        )
    if action.reason_required and not reason.strip():
        raise ValidationError({"reason": _("请说明更正原因。")}, code="reason")
    return action


def move(closing, action_name, *, by=None, reason="", version=None):
    """Take ``action_name`` on ``closing`` (locked by the caller), with a line
    on its timeline. ``version``: the version the action publishes (close
    and reclose). ``by`` None: the system (the scheduled close)."""
    action = check(closing, action_name, reason=reason)
    previous = closing.status
    closing.status = action.target
    now = timezone.now()
    if version is not None:
        if closing.version:
            closing.corrected_at = now
        closing.version = version
        closing.closed_at = now
    closing.save(update_fields=["status", "version", "closed_at", "corrected_at"])
    QuarterCloseEvent.objects.create(
        closing=closing,
        action=action.name,
        from_status=previous,
        to_status=closing.status,
        version=closing.version,
        actor=by,
        actor_name=selectors.display_name(by),
        reason=reason.strip(),
    )
    if version is not None and previous == S.REOPENED:
        closing.corrections.filter(status=Correction.Status.PENDING).update(
            status=Correction.Status.APPLIED, applied_in=version
        )
    return closing


def available(closing) -> list:
    """The moves the quarter's status allows now (who may make them is
    :func:`jobs.access.can_build_quarterly_reports`'s to say)."""
    status = closing.status if closing is not None else S.OPEN
    return [a for a in TRANSITIONS.values() if status in a.sources]


# -- what a closed quarter refuses, and what it records ----------------------


def closed_on_or_after(day: datetime.date, statuses=frozenset({S.CLOSED})):
    """The quarters in ``statuses`` whose last day is ``day`` or later, oldest first."""
    return list(QuarterClose.objects.filter(status__in=statuses, last_day__gte=day).order_by("last_day"))


def refuse_early_end(ended_on: datetime.date):
    """An early end dated on or before the last day of a closed quarter would
    take the pairing out of that quarter's published figures: refused, with
    the first day it may be dated instead. A quarter reopened for correction
    (更正中) takes it, as a pending correction."""
    closed = closed_on_or_after(ended_on)
    if closed:
        last = closed[-1]
        raise ValidationError(
            {
                "ended_on": _(
                    "%(quarter)s 已关账，提前结束日期不能早于 %(day)s：已发布的数据不再变动。"
                    "如确需更正，请联络办先对该季度“开启更正”。"
                )
                % {"quarter": last.quarter, "day": (last.last_day + datetime.timedelta(days=1)).isoformat()}
            },
            code="closed_quarter",
        )


def note(day: datetime.date, *, what, old="", new="", by=None, why=""):
    """A fact dated ``day`` was written after the quarters holding that day
    (and those after it) closed: a pending correction of each, until the
    recount says whether it moves their figures. Returns the rows written."""
    if day is None:
        return []
    quarters = closed_on_or_after(day, PUBLISHED)
    if not quarters:
        return []
    return Correction.objects.bulk_create(
        Correction(
            closing=closing,
            kind=Correction.Kind.FACT,
            what=str(what)[:200],
            old=str(old)[:200],
            new=str(new)[:200],
            actor=by if getattr(by, "is_authenticated", False) else None,
            actor_name=selectors.display_name(by),
            why=str(why)[:500],
        )
        for closing in quarters
    )


def noted_labels() -> list:
    """Closed quarters with corrections noted and not yet recounted."""
    return sorted(
        set(
            Correction.objects.filter(recounted=False, status=Correction.Status.PENDING).values_list(
                "closing__quarter", flat=True
            )
        )
    )


@transaction.atomic
def record_comparison(closing, differences):
    """The recount of a closed quarter found ``differences`` (``[(what, old,
    new)]`` between its published cells and a fresh count): they replace the
    figure corrections pending; the facts noted so far are recounted, and if
    nothing differs they did not move the figures."""
    pending = closing.corrections.filter(status=Correction.Status.PENDING)
    pending.filter(kind=Correction.Kind.FIGURE).delete()
    Correction.objects.bulk_create(
        Correction(
            closing=closing,
            kind=Correction.Kind.FIGURE,
            what=str(what)[:200],
            old=str(old),
            new=str(new),
            recounted=True,
        )
        for what, old, new in differences
    )
    facts = pending.filter(kind=Correction.Kind.FACT)
    if differences:
        facts.update(recounted=True)
    else:
        facts.update(recounted=True, status=Correction.Status.VOID)


def pending(closing):
    return (
        closing.corrections.filter(status=Correction.Status.PENDING) if closing else Correction.objects.none()
    )


@dataclass(frozen=True)
class State:
    """What a page says of a quarter's figures."""

    label: str
    status: str
    status_label: str
    version: int
    closed_at: object
    corrected_at: object
    pending: int

    @property
    def frozen(self):
        return self.status in PUBLISHED and self.version > 0


def state(label) -> State:
    found = QuarterClose.objects.filter(quarter=label).first()
    if found is None:
        return State(label, S.OPEN, str(S.OPEN.label), 0, None, None, 0)
    return State(
        label,
        found.status,
        found.get_status_display(),
        found.version,
        found.closed_at,
        found.corrected_at,
        pending(found).count(),
    )
