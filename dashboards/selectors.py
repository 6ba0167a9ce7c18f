"""Reads for the leaders' dashboard beyond the counted cells: whose towns a
dashboard covers (R1 包片, R2 regions), open escalations, six-doubling
progress, this quarter's meetings and the latest good practices."""

from dataclasses import dataclass

from django.db.models import Count, Q

from cadres.models import AreaAssignment, Cadre, CoordinatorRegion
from coordination import selectors as coordination
from issues.models import EscalationSlip
from multiplication import selectors as doubling
from multiplication.rules import Category
from visits.quarters import Quarter


@dataclass(frozen=True)
class Area:
    """The towns a dashboard is limited to, and why (None: the whole city)."""

    kind: str  # "city", "area" (包片) or "region" (协调区域)
    cadre: Cadre | None
    places: tuple | None

    @property
    def place_ids(self):
        return None if self.places is None else [p.pk for p in self.places]


CITY = Area("city", None, None)


def area_of(kind, cadre_id):
    """A city leader's 包片 towns (R1) or a coordinator's region (R2)."""
    if kind == "area":
        links = AreaAssignment.objects.filter(cadre_id=cadre_id)
    elif kind == "region":
        links = CoordinatorRegion.objects.filter(cadre_id=cadre_id)
    else:
        return CITY
    places = tuple(
        link.place for link in links.select_related("place", "cadre").order_by("place__sort_order")
    )
    cadre = Cadre.objects.filter(pk=cadre_id).first()
    return Area(kind, cadre, places) if cadre is not None else CITY


def own_areas(cadre_id):
    """The areas a signed-in leader has: [(kind, cadre id)]."""
    if cadre_id is None:
        return []
    result = []
    if AreaAssignment.objects.filter(cadre_id=cadre_id).exists():
        result.append(("area", cadre_id))
    if CoordinatorRegion.objects.filter(cadre_id=cadre_id).exists():
        result.append(("region", cadre_id))
    return result


def open_escalations(quarter: Quarter, places=None):
    """Escalation slips open at the end of ``quarter`` and of the one before:
    issued by then and not concluded by then. One query."""

    def open_on(day):
        return Q(issued_on__lte=day) & (Q(concluded_on__isnull=True) | Q(concluded_on__gt=day))

    slips = EscalationSlip.objects.all()
    if places is not None:
        slips = slips.filter(item__enterprise__place_id__in=places)
    return slips.aggregate(
        now=Count("pk", filter=open_on(quarter.last_day)),
        before=Count("pk", filter=open_on(quarter.previous().last_day)),
    )


@dataclass
class DoublingRow:
    category: Category
    current: int
    before: int
    baseline: int | None
    target: int | None
    share: float | None  # of the way from baseline to target (tabular.percent writes it)

    @property
    def change(self):
        return self.current - self.before


def doubling_rows(quarter: Quarter, places=None):
    """Each category's count at the end of ``quarter`` and of the quarter
    before, against its plan's baseline and target (the city's plan, or the
    sum of the towns' targets when the dashboard covers some towns)."""
    now = doubling.counts_on(quarter.last_day, by_place=True)
    before = doubling.counts_on(quarter.previous().last_day, by_place=True)

    def total(counts, category):
        return sum(n for (c, p), n in counts.items() if c == category and (places is None or p in places))

    plans = {}
    for progress in doubling.plan_progress(quarter.last_day, by_place=now):
        plans.setdefault(progress.plan.category, progress)  # the latest baseline first
    rows = []
    for category in Category:
        progress = plans.get(category.value)
        baseline = target = share = None
        if progress is not None and places is None:
            baseline, target, share = progress.city.baseline, progress.city.target, progress.city.share
        elif progress is not None:
            towns = [t for town, t in progress.towns if town.place_id in places]
            if towns:
                baseline = sum(t.baseline or 0 for t in towns)
                target = sum(t.target or 0 for t in towns)
                current = total(now, category.value)
                share = doubling.Progress(
                    baseline, target, current, quarter.last_day, progress.plan.target_date
                ).share
        rows.append(
            DoublingRow(
                category, total(now, category.value), total(before, category.value), baseline, target, share
            )
        )
    return rows


def meetings(quarter: Quarter, places=None):
    return list(coordination.coordinators(quarter, places, with_regions=False))


def latest_practices(count=3):
    return list(coordination.published_practices()[:count])
