"""The year-end evaluation sheet (年终考评, R16): for each cadre of a unit and
a year, the pairings, the quarters due and visited, the items raised and
resolved with the resolution rate, and what the spot checks found. The
figures come from the functions of the quarterly report
(:func:`visits.selectors.coverage_counts`, :func:`issues.rates.item_counts_by`):
a year's raised and resolved are those of its last quarter counted so far."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cadres.models import Cadre, Pairing
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
    """Every cadre of the unit with a pairing in force during ``year`` or
    still active, with their year's figures: 4 + len(quarters) queries."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    in_year = Q(pairings__start_date__lte=last) & (
        Q(pairings__ended_on__isnull=True, pairings__end_date__gte=first) | Q(pairings__ended_on__gte=first)
    )
    cadres = (
        Cadre.objects.filter(unit_id=unit_id)
        .annotate(year_pairings=Count("pairings", filter=in_year, distinct=True))
        .filter(Q(is_active=True) | Q(year_pairings__gt=0))
        .select_related("unit")
        .order_by("name")
    )
    sheets = {c.pk: CadreYear(cadre=c, pairings=c.year_pairings) for c in cadres}
    quarters = counted_quarters(year, today)
    unit_pairings = Pairing.objects.filter(cadre__unit_id=unit_id)
    for quarter in quarters:
        counts = {
            r["cadre"]: (r["due"], r["done"])
            for r in coverage_counts(due_in(quarter, unit_pairings), ["cadre"])
        }
        for pk, sheet in sheets.items():
            due, done = counts.get(pk, (0, 0))
            sheet.quarters.append((quarter, due, done))
            sheet.due += due
            sheet.visited += done
    if quarters:
        items = IssueItem.objects.filter(reporter__unit_id=unit_id)
        for row in rates.item_counts_by(quarters[-1], ["reporter_id"], items):
            sheet = sheets.get(row.pop("reporter_id"))
            if sheet is not None:
                sheet.figures = rates.Figures(**row)
    checks = SpotCheck.objects.filter(cadre__unit_id=unit_id, checked_on__year=year).order_by(
        "checked_on", "pk"
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
