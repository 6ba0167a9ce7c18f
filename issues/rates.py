"""联企问题解决率 (R16): one function, every scope, every page and report.

For a scope (a cadre, a unit, the city) and quarter Q of year Y:

- raised: items of the scope reported from 1 January of Y to the end of Q,
  not withdrawn;
- resolved: those with status 已解决, resolved on or before the end of Q;
- rate = resolved / raised, undefined (shown as —) when nothing was raised;
- in-quarter: items raised in Q (not withdrawn) and items resolved in Q;
- on-time rate of referral slips: slips accepted on or before their deadline,
  over slips whose deadline fell in Q or which were accepted in Q.

An item belongs to its reporting cadre and that cadre's unit; a slip's
on-time rate belongs to the department it was sent to. Dates are
Asia/Shanghai dates. Withdrawn items are left out by their current status.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q

from visits.quarters import Quarter

from .models import IssueItem, ReferralSlip

S = IssueItem.Status


@dataclass(frozen=True)
class Figures:
    raised: int = 0
    resolved: int = 0
    raised_in_quarter: int = 0
    resolved_in_quarter: int = 0
    slips_counted: int = 0
    slips_on_time: int = 0

    @property
    def rate(self):
        return self.resolved / self.raised if self.raised else None

    @property
    def on_time_rate(self):
        return self.slips_on_time / self.slips_counted if self.slips_counted else None


def _item_counts(quarter: Quarter):
    year_start, end = datetime.date(quarter.year, 1, 1), quarter.last_day
    kept = ~Q(status=S.WITHDRAWN)
    raised = Q(reported_on__range=(year_start, end)) & kept
    return {
        "raised": Count("pk", filter=raised),
        "resolved": Count("pk", filter=raised & Q(status=S.RESOLVED, resolved_on__lte=end)),
        "raised_in_quarter": Count("pk", filter=Q(reported_on__range=(quarter.first_day, end)) & kept),
        "resolved_in_quarter": Count(
            "pk", filter=Q(status=S.RESOLVED, resolved_on__range=(quarter.first_day, end))
        ),
    }


def _slip_counts(quarter: Quarter):
    in_quarter = Q(deadline__range=(quarter.first_day, quarter.last_day)) | Q(
        accepted_on__range=(quarter.first_day, quarter.last_day)
    )
    return {
        "slips_counted": Count("pk", filter=in_quarter),
        "slips_on_time": Count(
            "pk", filter=in_quarter & Q(accepted_on__isnull=False, accepted_on__lte=F("deadline"))
        ),
    }


def figures(quarter: Quarter, *, cadre_id=None, unit_id=None, items=None, slips=None) -> Figures:
    """The figures of one scope: a cadre, a unit, or (neither) the city.
    ``items``/``slips`` narrow further (a town, a permission scope)."""
    items = IssueItem.objects.all() if items is None else items
    slips = ReferralSlip.objects.all() if slips is None else slips
    if cadre_id is not None:
        items, slips = items.filter(reporter_id=cadre_id), slips.none()  # slips belong to departments
    elif unit_id is not None:
        items, slips = items.filter(reporter__unit_id=unit_id), slips.filter(department_id=unit_id)
    return Figures(**items.aggregate(**_item_counts(quarter)), **slips.aggregate(**_slip_counts(quarter)))


def item_counts_by(quarter: Quarter, keys, items=None):
    """Item counts grouped by ``keys`` (lookups such as ``"reporter__unit_id"``),
    including rows whose key is empty: one query."""
    items = IssueItem.objects.all() if items is None else items
    return items.values(*keys).annotate(**_item_counts(quarter)).order_by()


def slip_counts_by(quarter: Quarter, keys, slips=None):
    slips = ReferralSlip.objects.all() if slips is None else slips
    return slips.values(*keys).annotate(**_slip_counts(quarter)).order_by()


def figures_by(quarter: Quarter, by: str, *, items=None, slips=None) -> dict:
    """``{key: Figures}`` per unit (``by="unit"``), cadre (``"cadre"``),
    category (``"category"``) or town (``"place"``): one grouped query, plus
    one for slips by department when by unit."""
    items = IssueItem.objects.all() if items is None else items
    key = {
        "unit": "reporter__unit_id",
        "cadre": "reporter_id",
        "category": "category",
        "place": "enterprise__place_id",
    }[by]
    result = {
        row.pop(key): row for row in item_counts_by(quarter, [key], items.exclude(**{f"{key}__isnull": True}))
    }
    if by == "unit":
        for row in slip_counts_by(quarter, ["department_id"], slips):
            result.setdefault(row.pop("department_id"), {}).update(row)
    return {pk: Figures(**counts) for pk, counts in result.items()}


@dataclass(frozen=True)
class Satisfaction:
    """From spot-check follow-ups (R15), reported beside the resolution rate:
    满意 + 基本满意 over all follow-ups that recorded a satisfaction."""

    responses: int = 0
    satisfied: int = 0

    @property
    def rate(self):
        return self.satisfied / self.responses if self.responses else None


def happy_answers():
    """The answers that count as satisfied: 满意 and 基本满意 (R15)."""
    from .models import SpotCheck

    return (SpotCheck.Satisfaction.SATISFIED, SpotCheck.Satisfaction.BASICALLY)


def satisfaction_of(checks) -> Satisfaction:
    """The satisfaction of checks already in memory (a batch's notice): the
    same rule as the aggregates below."""
    answered = [c for c in checks if c.satisfaction]
    return Satisfaction(
        responses=len(answered), satisfied=sum(c.satisfaction in happy_answers() for c in answered)
    )


def _satisfaction_counts():
    return {"responses": Count("pk"), "satisfied": Count("pk", filter=Q(satisfaction__in=happy_answers()))}


def _checks(quarter: Quarter):
    from .models import SpotCheck

    return SpotCheck.objects.filter(checked_on__range=(quarter.first_day, quarter.last_day)).exclude(
        satisfaction=""
    )


def satisfaction(quarter: Quarter, *, cadre_id=None, unit_id=None) -> Satisfaction:
    checks = _checks(quarter)
    if cadre_id is not None:
        checks = checks.filter(cadre_id=cadre_id)
    elif unit_id is not None:
        checks = checks.filter(cadre__unit_id=unit_id)
    return Satisfaction(**checks.aggregate(**_satisfaction_counts()))


def satisfaction_by_unit(quarter: Quarter) -> dict:
    rows = _checks(quarter).values("cadre__unit_id").annotate(**_satisfaction_counts()).order_by()
    return {row.pop("cadre__unit_id"): Satisfaction(**row) for row in rows}
