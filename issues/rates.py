"""联企问题解决率 (R16): one function, every scope, every page and report.

For a scope (a cadre, a unit, the city) and quarter Q of year Y, with E the
last day of Q (the rules of issue 16, with the README's worked examples):

- raised (当年提出): items of the scope reported from 1 January of Y to E and
  not withdrawn by E;
- carried (上年结转): items reported before 1 January of Y that were still
  open on that day (not resolved, closed as unsolvable or withdrawn before
  it) and not withdrawn by E;
- resolved (已解决): those of raised and carried with status 已解决, resolved
  on or before E;
- rate = resolved / (raised + carried), undefined (shown as —) when both
  are nothing;
- in-quarter: items reported in Q (not withdrawn by E) and items resolved in
  Q. Every item resolved in Q is in raised or carried, so the 本季解决 of
  Q1…Q add up to Q's 已解决;
- on-time rate of referral slips: slips accepted on or before their deadline,
  over slips whose deadline fell in Q or which were accepted in Q.

A withdrawal counts by its date (``closed_on``): an item withdrawn after E
still counts as raised in Q. An item belongs to its reporting cadre and the
unit the cadre belonged to on the day it was reported
(:func:`cadres.models.unit_on`); a slip's on-time rate belongs to the
department it was sent to; a spot check to the cadre's unit on the day of the
check. Dates are Asia/Shanghai dates.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q

from cadres.models import unit_on
from tabular.percent import fraction
from visits.quarters import Quarter

from .models import IssueItem, ReferralSlip
from .workflow import OPEN

S = IssueItem.Status


@dataclass(frozen=True)
class Figures:
    raised: int = 0
    resolved: int = 0
    raised_in_quarter: int = 0
    resolved_in_quarter: int = 0
    slips_counted: int = 0
    slips_on_time: int = 0
    carried: int = 0

    @property
    def counted(self):
        """The items the rate is over: raised this year and carried over."""
        return self.raised + self.carried

    @property
    def rate(self):
        return fraction(self.resolved, self.counted)

    @property
    def on_time_rate(self):
        return fraction(self.slips_on_time, self.slips_counted)


ITEM_COUNTS = ("raised", "carried", "resolved", "raised_in_quarter", "resolved_in_quarter")
SLIP_COUNTS = ("slips_counted", "slips_on_time")


def withdrawn_by(day):
    """Withdrawn on or before ``day`` (a withdrawal with no date, entered
    before dates were kept, counts as always withdrawn)."""
    return Q(status=S.WITHDRAWN) & (Q(closed_on__isnull=True) | Q(closed_on__lte=day))


def open_at(day):
    """Not closed before ``day``: still open, or resolved, closed as
    unsolvable or withdrawn on ``day`` or later."""
    return (
        Q(status__in=OPEN)
        | Q(status=S.RESOLVED, resolved_on__gte=day)
        | Q(status__in=[S.UNSOLVABLE, S.WITHDRAWN], closed_on__gte=day)
    )


def _item_counts(quarter: Quarter):
    year_start, end = datetime.date(quarter.year, 1, 1), quarter.last_day
    kept = ~withdrawn_by(end)
    raised = Q(reported_on__range=(year_start, end)) & kept
    carried = Q(reported_on__lt=year_start) & open_at(year_start) & kept
    return {
        "raised": Count("pk", filter=raised),
        "carried": Count("pk", filter=carried),
        "resolved": Count("pk", filter=(raised | carried) & Q(status=S.RESOLVED, resolved_on__lte=end)),
        "raised_in_quarter": Count("pk", filter=Q(reported_on__range=(quarter.first_day, end)) & kept),
        "resolved_in_quarter": Count(
            "pk", filter=Q(status=S.RESOLVED, resolved_on__range=(quarter.first_day, end))
        ),
    }


def with_units(items):
    """Items with ``reporter_unit``: their reporter's unit on the day each
    was reported."""
    return items.annotate(reporter_unit=unit_on("reported_on", "reporter_id"))


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
        items = with_units(items).filter(reporter_unit=unit_id)
        slips = slips.filter(department_id=unit_id)
    return Figures(**items.aggregate(**_item_counts(quarter)), **slips.aggregate(**_slip_counts(quarter)))


def of_counts(counts) -> Figures:
    """The figures of a row of counts (a closed quarter's frozen cells)."""
    return Figures(**{name: counts.get(name, 0) for name in (*ITEM_COUNTS, *SLIP_COUNTS)})


def item_counts_by(quarter: Quarter, keys, items=None):
    """Item counts grouped by ``keys`` (lookups such as ``"category"``, or
    ``"reporter_unit"``: the reporter's unit on the day of the report),
    including rows whose key is empty: one query."""
    items = IssueItem.objects.all() if items is None else items
    if "reporter_unit" in keys:
        items = with_units(items)
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
        "unit": "reporter_unit",
        "cadre": "reporter_id",
        "category": "category",
        "place": "enterprise__place_id",
    }[by]
    grouped = item_counts_by(quarter, [key], items)
    result = {row.pop(key): row for row in grouped if row[key] is not None}
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
        return fraction(self.satisfied, self.responses)


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

    return (
        SpotCheck.objects.filter(checked_on__range=(quarter.first_day, quarter.last_day))
        .exclude(satisfaction="")
        .annotate(cadre_unit=unit_on("checked_on"))
    )


def satisfaction(quarter: Quarter, *, cadre_id=None, unit_id=None) -> Satisfaction:
    checks = _checks(quarter)
    if cadre_id is not None:
        checks = checks.filter(cadre_id=cadre_id)
    elif unit_id is not None:
        checks = checks.filter(cadre_unit=unit_id)
    return Satisfaction(**checks.aggregate(**_satisfaction_counts()))


def satisfaction_by(quarter: Quarter, keys) -> list:
    """Follow-up counts grouped by ``keys`` (``"cadre_unit"``: the cadre's
    unit on the day of the check; ``"enterprise__place_id"``, ``"cadre_id"``)."""
    return _checks(quarter).values(*keys).annotate(**_satisfaction_counts()).order_by()


def satisfaction_by_unit(quarter: Quarter) -> dict:
    rows = satisfaction_by(quarter, ["cadre_unit"])
    return {row.pop("cadre_unit"): Satisfaction(**row) for row in rows}


@dataclass(frozen=True)
class EnterpriseSatisfaction:
    """The enterprises' own verdicts on resolutions (issue 17.5), reported
    beside the spot checks' :class:`Satisfaction`: of the verdicts given in
    the quarter, ``rate`` is 满意 + 基本满意 over the answers the enterprises
    gave (满意, 基本满意, 不满意); 默认满意 — no answer by the due day — is
    shown apart (``deemed``, ``deemed_share`` of all verdicts) and counts in
    neither side of ``rate``: silence is not a verdict."""

    satisfied: int = 0  # 满意
    basic: int = 0  # 基本满意
    unsatisfied: int = 0  # 不满意
    deemed: int = 0  # 默认满意

    @property
    def answered(self):
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def total(self):
        return self.answered + self.deemed

    @property
    def rate(self):
        return fraction(self.satisfied + self.basic, self.answered)

    @property
    def deemed_share(self):
        return fraction(self.deemed, self.total)


def _verdict_counts():
    from .models import Confirmation

    V = Confirmation.Verdict
    names = {"satisfied": V.SATISFIED, "basic": V.BASIC, "unsatisfied": V.UNSATISFIED, "deemed": V.DEEMED}
    return {name: Count("pk", filter=Q(verdict=verdict)) for name, verdict in names.items()}


def enterprise_satisfaction_by(quarter: Quarter, by: str | None = None, *, items=None, places=None):
    """The one selector of the enterprises' verdicts (issue 17.5): the city's
    :class:`EnterpriseSatisfaction` (``by`` None), or ``{key: …}`` per unit
    (``"unit"``: the reporting cadre's unit on the day the item was
    reported, as the resolution rate counts it), cadre (``"cadre"``) or town
    (``"place"``). A verdict counts in the quarter of the day it was given
    (or deemed, Asia/Shanghai): verdicts are never back-dated, so a closed
    quarter's figure does not move. ``items`` narrows (a permission scope),
    ``places`` to the enterprises of those towns (a leader's area)."""
    from .models import Confirmation

    verdicts = Confirmation.objects.exclude(verdict="").filter(
        answered_at__date__range=(quarter.first_day, quarter.last_day)
    )
    if items is not None:
        verdicts = verdicts.filter(item__in=items)
    if places is not None:
        verdicts = verdicts.filter(item__enterprise__place_id__in=places)
    if by is None:
        return EnterpriseSatisfaction(**verdicts.aggregate(**_verdict_counts()))
    key = {"unit": "reporter_unit", "cadre": "item__reporter_id", "place": "item__enterprise__place_id"}[by]
    if by == "unit":
        verdicts = verdicts.annotate(reporter_unit=unit_on("item__reported_on", "item__reporter_id"))
    rows = verdicts.values(key).annotate(**_verdict_counts()).order_by()
    return {row.pop(key): EnterpriseSatisfaction(**row) for row in rows if row[key] is not None}
