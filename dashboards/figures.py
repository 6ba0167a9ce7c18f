"""Counting a quarter's figures into cells, and adding cells up.

:func:`build` claims the quarter's :class:`FigureBuild` row (a row lock), so
a second worker asked for the same quarter waits, then finds that the count
it waited for has run and nothing changed since it began, and does nothing.
The old cells are replaced by the new in the same transaction.

What is stale is decided by what changed, never by comparing clocks: each
write that may move a quarter's figures adds one to the quarter's change
count (:func:`mark_changed`), a count records the change count it saw, and
the cells are stale while the first is ahead of the second. A server clock
stepping back cannot make a quarter look counted (issue 16.6).
"""

import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from issues import rates
from issues.models import IssueItem
from visits.quarters import Quarter
from visits.selectors import CoverageRow, coverage_counts, due_in

from .models import COUNTS, CadreCell, FigureBuild, FigureCell, QuarterChange

BATCH = 5000


def mark_changed(quarters) -> list[str]:
    """A write may have moved the figures of ``quarters``: count a change for
    each. Returns the labels that were up to date until now, for which a
    recount must be asked for; the others already wait for one."""
    labels = sorted({q.label for q in quarters})
    QuarterChange.objects.bulk_create(
        [QuarterChange(quarter=label) for label in labels], ignore_conflicts=True
    )
    counted = dict(FigureBuild.objects.filter(quarter__in=labels).values_list("quarter", "counted_changes"))
    before = dict(QuarterChange.objects.filter(quarter__in=labels).values_list("quarter", "changes"))
    QuarterChange.objects.filter(quarter__in=labels).update(
        changes=F("changes") + 1, changed_at=timezone.now()
    )
    return [label for label in labels if before.get(label, 0) <= counted.get(label, 0)]


def stale_quarters(quarters) -> list[Quarter]:
    """Those of ``quarters`` with changes marked since their last count began:
    decided by the change counts, not by clocks."""
    labels = [q.label for q in quarters]
    changes = dict(QuarterChange.objects.filter(quarter__in=labels).values_list("quarter", "changes"))
    counted = dict(FigureBuild.objects.filter(quarter__in=labels).values_list("quarter", "counted_changes"))
    return [q for q in quarters if changes.get(q.label, 0) > counted.get(q.label, 0)]


def _last_count(label):
    """Which count the cells are from: (when it ran, the change count it saw)."""
    return FigureBuild.objects.filter(quarter=label).values_list("built_at", "counted_changes").first()


def build(quarter: Quarter, *, only_if_stale=False) -> FigureBuild:
    """Count ``quarter`` into cells.

    Nothing is done when no change was marked since the last count began and
    either ``only_if_stale`` (the recount after writes) or another count ran
    while this one waited for the lock (two staff, or the job and a click,
    asked at once). Which count ran is compared by identity, not by which
    clock reading is later; an explicit count otherwise always counts (the
    quarter in progress also moves with the calendar)."""
    FigureBuild.objects.get_or_create(quarter=quarter.label)
    found = _last_count(quarter.label)
    with transaction.atomic():
        claim = FigureBuild.objects.select_for_update().get(quarter=quarter.label)
        seen = (
            QuarterChange.objects.filter(quarter=quarter.label).values_list("changes", flat=True).first() or 0
        )
        unchanged = claim.built_at is not None and seen <= claim.counted_changes
        counted_meanwhile = (claim.built_at, claim.counted_changes) != found
        if unchanged and (only_if_stale or counted_meanwhile):
            return claim
        started = time.perf_counter()
        cells, cadre_cells = count(quarter)
        FigureCell.objects.filter(quarter=quarter.label).delete()
        CadreCell.objects.filter(quarter=quarter.label).delete()
        FigureCell.objects.bulk_create(cells, batch_size=BATCH)
        CadreCell.objects.bulk_create(cadre_cells, batch_size=BATCH)
        claim.built_at = timezone.now()
        claim.seconds = round(time.perf_counter() - started, 3)
        claim.counted_changes = seen
        claim.save(update_fields=["built_at", "seconds", "counted_changes"])
    return claim


def count(quarter: Quarter):
    """The cells of ``quarter``, unsaved: five grouped queries."""
    label = quarter.label
    due = due_in(quarter)
    cells = {}

    def cell(unit, place, category=""):
        key = (unit, place, category)
        if key not in cells:
            cells[key] = FigureCell(quarter=label, unit_id=unit, place_id=place, category=category)
        return cells[key]

    for row in coverage_counts(due, ["cadre__unit", "enterprise__place"]):
        c = cell(row["cadre__unit"], row["enterprise__place"])
        c.due, c.visited = row["due"], row["done"]
    for row in rates.item_counts_by(quarter, ["reporter__unit_id", "enterprise__place_id", "category"]):
        c = cell(row["reporter__unit_id"], row["enterprise__place_id"], row["category"])
        for name in ("raised", "resolved", "raised_in_quarter", "resolved_in_quarter"):
            setattr(c, name, row[name])
    for row in rates.slip_counts_by(quarter, ["department_id", "item__enterprise__place_id"]):
        c = cell(row["department_id"], row["item__enterprise__place_id"])
        c.slips_counted, c.slips_on_time = row["slips_counted"], row["slips_on_time"]

    people = {}

    def person(cadre, unit, place):
        key = (cadre, place)
        if key not in people:
            people[key] = CadreCell(quarter=label, cadre_id=cadre, unit_id=unit, place_id=place)
        return people[key]

    for row in coverage_counts(due, ["cadre", "cadre__unit", "enterprise__place"]):
        p = person(row["cadre"], row["cadre__unit"], row["enterprise__place"])
        p.due, p.visited = row["due"], row["done"]
    reported = IssueItem.objects.filter(reporter__isnull=False)
    for row in rates.item_counts_by(
        quarter, ["reporter_id", "reporter__unit_id", "enterprise__place_id"], reported
    ):
        p = person(row["reporter_id"], row["reporter__unit_id"], row["enterprise__place_id"])
        p.raised, p.resolved = row["raised"], row["resolved"]
    return list(cells.values()), list(people.values())


# -- adding cells up ---------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """A scope's figures for a quarter. The rates come from the functions
    that define them: coverage from :class:`visits.selectors.CoverageRow`,
    the resolution and on-time rates from :class:`issues.rates.Figures`."""

    due: int = 0
    visited: int = 0
    raised: int = 0
    resolved: int = 0
    raised_in_quarter: int = 0
    resolved_in_quarter: int = 0
    slips_counted: int = 0
    slips_on_time: int = 0

    @property
    def coverage(self):
        return CoverageRow(pk=0, name="", due=self.due, visited=self.visited).rate

    @property
    def figures(self):
        return rates.Figures(
            raised=self.raised,
            resolved=self.resolved,
            raised_in_quarter=self.raised_in_quarter,
            resolved_in_quarter=self.resolved_in_quarter,
            slips_counted=self.slips_counted,
            slips_on_time=self.slips_on_time,
        )

    @property
    def rate(self):
        return self.figures.rate

    @property
    def on_time_rate(self):
        return self.figures.on_time_rate


def _sums(fields=COUNTS):
    return {name: Sum(name) for name in fields}


def _totals(row, fields=COUNTS):
    return Totals(**{name: row.get(name) or 0 for name in fields})


def scoped(cells, *, places=None, unit=None):
    if places is not None:
        cells = cells.filter(place_id__in=places)
    if unit is not None:
        cells = cells.filter(unit_id=unit)
    return cells


def totals_by_quarter(quarters, *, places=None, unit=None) -> dict:
    """``{quarter label: Totals}`` for each of ``quarters``: one query."""
    cells = scoped(
        FigureCell.objects.filter(quarter__in=[q.label for q in quarters]), places=places, unit=unit
    )
    rows = {r["quarter"]: r for r in cells.values("quarter").annotate(**_sums()).order_by()}
    return {q.label: _totals(rows.get(q.label, {})) for q in quarters}


def by_unit(quarter: Quarter, *, places=None):
    """[(unit id, unit name, Totals)] for the units with anything counted."""
    cells = scoped(FigureCell.objects.filter(quarter=quarter.label, unit__isnull=False), places=places)
    rows = cells.values("unit_id", "unit__name", "unit__sort_order").annotate(**_sums()).order_by()
    return [(r["unit_id"], r["unit__name"], _totals(r)) for r in rows]


def by_category(quarter: Quarter, *, places=None, unit=None) -> dict:
    cells = scoped(
        FigureCell.objects.filter(quarter=quarter.label).exclude(category=""), places=places, unit=unit
    )
    rows = cells.values("category").annotate(**_sums()).order_by()
    return {r["category"]: _totals(r) for r in rows}


CADRE_COUNTS = ("due", "visited", "raised", "resolved")


def by_cadre(quarter: Quarter, *, unit, places=None):
    """[(cadre id, name, Totals)] of a unit's cadres (their own items only)."""
    cells = scoped(CadreCell.objects.filter(quarter=quarter.label, unit_id=unit), places=places)
    rows = cells.values("cadre_id", "cadre__name").annotate(**_sums(CADRE_COUNTS)).order_by("cadre__name")
    return [(r["cadre_id"], r["cadre__name"], _totals(r, CADRE_COUNTS)) for r in rows]


@dataclass(frozen=True)
class Freshness:
    """How fresh a quarter's cells are, for the page to say."""

    built_at: object  # aware datetime of the last count, or None
    stale: bool  # a change was marked since that count began
    changed_at: object  # when the last change was marked, or None


def freshness(quarter: Quarter) -> Freshness:
    build = FigureBuild.objects.filter(quarter=quarter.label).values("built_at", "counted_changes").first()
    change = QuarterChange.objects.filter(quarter=quarter.label).values("changes", "changed_at").first()
    built = build or {"built_at": None, "counted_changes": 0}
    change = change or {"changes": 0, "changed_at": None}
    return Freshness(
        built_at=built["built_at"],
        stale=change["changes"] > built["counted_changes"],
        changed_at=change["changed_at"],
    )
