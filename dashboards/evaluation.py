"""The year-end evaluation sheet (年终考评, R16): for each cadre of a unit and
a year, the pairings, the quarters due and visited, the items raised and
resolved with the resolution rate, and what the spot checks found. The
figures come from the functions of the quarterly report
(:func:`visits.selectors.coverage_counts`, :func:`issues.rates.item_counts_by`),
and for a closed quarter from its frozen cells (issue 16): a year's raised
and resolved are those of its last quarter counted so far. A cadre who moved
during the year is on the sheet of each unit, with the figures counted for
it (the unit on the day each counts, :func:`cadres.models.unit_on`).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cadres import closing
from cadres.models import Cadre, UnitMembership, unit_on
from issues import rates
from issues.models import IssueItem, SpotCheck
from visits.quarters import Quarter
from visits.selectors import CoverageRow, coverage_counts, due_in


@dataclass
class CadreYear:
    cadre: Cadre
    pairings: int = 0
    due: int = 0  # pairing-quarters due a visit
    visited: int = 0
    quarters: list = field(default_factory=list)  # [(Quarter, due, visited)]
    figures: rates.Figures = field(default_factory=rates.Figures)
    checks: int = 0
    check_problems: int = 0
    findings: list = field(default_factory=list)

    @property
    def coverage(self):
        return CoverageRow(pk=self.cadre.pk, name=self.cadre.name, due=self.due, visited=self.visited).rate


def counted_quarters(year: int, today: datetime.date):
    """The quarters of ``year`` counted so far: all four of a past year."""
    last = 4 if year < today.year else Quarter.of(today).number
    return [Quarter(year, n) for n in range(1, last + 1)] if year <= today.year else []


def unit_year(unit_id: int, year: int, today: datetime.date) -> list[CadreYear]:
    """Every cadre of the unit during ``year`` (now, or by a membership of
    the year) with a pairing in force during the year or still active, with
    the year's figures counted for the unit: 4 + len(quarters) queries."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    in_year = Q(pairings__start_date__lte=last) & (
        Q(pairings__ended_on__isnull=True, pairings__end_date__gte=first) | Q(pairings__ended_on__gte=first)
    )
    members = UnitMembership.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=last),
        Q(valid_to__isnull=True) | Q(valid_to__gte=first),
        unit_id=unit_id,
    ).values("cadre_id")
    cadres = (
        Cadre.objects.filter(Q(unit_id=unit_id) | Q(pk__in=members))
        .annotate(year_pairings=Count("pairings", filter=in_year, distinct=True))
        .filter(Q(is_active=True) | Q(year_pairings__gt=0))
        .select_related("unit")
        .order_by("name")
    )
    sheets = {c.pk: CadreYear(cadre=c, pairings=c.year_pairings) for c in cadres}
    quarters = counted_quarters(year, today)
    for quarter in quarters:
        frozen = closing.frozen_cells(quarter.label, cadres=True)
        if frozen is not None:
            counts = {
                pk: (c["due"], c["visited"])
                for pk, c in closing.sums(frozen.filter(unit_id=unit_id), "cadre_id").items()
            }
        else:
            due = due_in(quarter).filter(counted_unit=unit_id)
            counts = {r["cadre"]: (r["due"], r["done"]) for r in coverage_counts(due, ["cadre"])}
        for pk, sheet in sheets.items():
            due, done = counts.get(pk, (0, 0))
            sheet.quarters.append((quarter, due, done))
            sheet.due += due
            sheet.visited += done
    if quarters:
        frozen = closing.frozen_cells(quarters[-1].label, cadres=True)
        if frozen is not None:
            year_figures = {
                pk: rates.of_counts(c)
                for pk, c in closing.sums(frozen.filter(unit_id=unit_id), "cadre_id").items()
            }
        else:
            items = rates.with_units(IssueItem.objects.all()).filter(reporter_unit=unit_id)
            year_figures = {
                row.pop("reporter_id"): rates.Figures(**row)
                for row in rates.item_counts_by(quarters[-1], ["reporter_id"], items)
            }
        for pk, figures in year_figures.items():
            if pk in sheets:
                sheets[pk].figures = figures
    checks = (
        SpotCheck.objects.filter(checked_on__year=year)
        .annotate(cadre_unit=unit_on("checked_on"))
        .filter(cadre_unit=unit_id)
        .order_by("checked_on", "pk")
    )
    for check in checks.values(
        "cadre_id", "visit_confirmed", "problem_solved_confirmed", "satisfaction", "finding"
    ):
        sheet = sheets.get(check["cadre_id"])
        if sheet is None:
            continue
        sheet.checks += 1
        if (
            check["visit_confirmed"] is False
            or check["problem_solved_confirmed"] is False
            or check["satisfaction"] == SpotCheck.Satisfaction.DISSATISFIED
        ):
            sheet.check_problems += 1
        if check["finding"]:
            sheet.findings.append(check["finding"])
    return list(sheets.values())
