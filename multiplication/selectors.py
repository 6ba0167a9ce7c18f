"""Reads of the six-doubling registry (R17): counts on any day, progress
against the plans, the pipeline the office acts on, and each category's
classified database (分类建库). Counts are aggregate queries; lists are
querysets with their pairings prefetched."""

import datetime
import math
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from cadres import permissions
from cadres.models import Pairing, active_q
from enterprises.models import Enterprise
from visits.quarters import Quarter, quarters_through

from .models import DoublingPlan, Membership, RevenueFigure, RevenueSource, member_q
from .rules import Category, candidate_floor, expiry_warning_days, revenue_threshold

# -- counts ----------------------------------------------------------------


def members_on(category, day):
    """The periods of ``category`` in force on ``day`` (one per member)."""
    return Membership.objects.filter(member_q(day), category=category)


def counts_on(day, *, by_place=False):
    """Members of every category on ``day``, in one aggregate query:
    ``{category: n}``, or ``{(category, place_id): n}`` by town."""
    keys = ["category", "enterprise__place_id"] if by_place else ["category"]
    rows = Membership.objects.filter(member_q(day)).values(*keys).annotate(n=Count("id")).order_by()
    if by_place:
        return {(r["category"], r["enterprise__place_id"]): r["n"] for r in rows}
    return {r["category"]: r["n"] for r in rows}


def count_of(category, day):
    return members_on(category, day).count()


def city_counts(day, by_place=None):
    """``{category: n}`` with every category present (0 when empty); summed
    from a by-town count already made, when given."""
    if by_place is None:
        counts = counts_on(day)
    else:
        counts = {}
        for (category, _place), n in by_place.items():
            counts[category] = counts.get(category, 0) + n
    return {c.value: counts.get(c.value, 0) for c in Category}


# -- progress against the plans --------------------------------------------


@dataclass
class Progress:
    """Where a count stands between its baseline and its target on a day."""

    baseline: int | None
    target: int | None
    current: int
    day: datetime.date
    target_date: datetime.date

    @property
    def increase(self):
        return None if self.baseline is None else self.current - self.baseline

    @property
    def share(self):
        """Share of the way from baseline to target, exact (a fraction of 1;
        pages and sheets write it with :mod:`tabular.percent`)."""
        if self.baseline is None or self.target is None or self.target <= self.baseline:
            return None
        return (self.current - self.baseline) / (self.target - self.baseline)

    @property
    def remaining(self):
        return None if self.target is None else max(0, self.target - self.current)

    @property
    def quarters_left(self):
        """Quarters from the day's quarter to the target date's, both counted."""
        return quarters_through(Quarter.of(self.day), Quarter.of(self.target_date))

    @property
    def pace(self):
        """Enterprises to add per remaining quarter to reach the target."""
        if self.remaining is None:
            return None
        if self.remaining == 0:
            return 0
        if self.quarters_left == 0:
            return None
        return math.ceil(self.remaining / self.quarters_left)


@dataclass
class PlanProgress:
    plan: DoublingPlan
    city: Progress
    towns: list  # [(PlanTownTarget, Progress)]


def plan_progress(day, plans=None, by_place=None):
    """Every plan's progress on ``day``: one aggregate query for the day (none
    when ``by_place`` counts are given) and one per distinct baseline date of
    the draft plans. A draft plan's baseline is counted live; an approved
    one's is its frozen figure."""
    if plans is None:
        plans = DoublingPlan.objects.select_related("owner").prefetch_related("town_targets__place")
    plans = list(plans)
    today = counts_on(day, by_place=True) if by_place is None else by_place
    draft_baselines = {}
    for plan in plans:
        if not plan.is_approved and plan.baseline_date not in draft_baselines:
            draft_baselines[plan.baseline_date] = counts_on(plan.baseline_date, by_place=True)
    result = []
    for plan in plans:
        baseline_places = draft_baselines.get(plan.baseline_date, {})
        if plan.is_approved:
            baseline = plan.baseline_count
        else:
            baseline = sum(n for (c, _p), n in baseline_places.items() if c == plan.category)
        target = plan.target_count if plan.target_count is not None else 2 * (baseline or 0)
        current = sum(n for (c, _p), n in today.items() if c == plan.category)
        towns = []
        for town in plan.town_targets.all():
            town_base = (
                town.baseline_count
                if plan.is_approved
                else baseline_places.get((plan.category, town.place_id), 0)
            )
            town_target = town.target_count if town.target_count is not None else 2 * (town_base or 0)
            towns.append(
                (
                    town,
                    Progress(
                        town_base,
                        town_target,
                        today.get((plan.category, town.place_id), 0),
                        day,
                        plan.target_date,
                    ),
                )
            )
        result.append(PlanProgress(plan, Progress(baseline, target, current, day, plan.target_date), towns))
    return result


def town_table(by_place, places):
    """Rows of (place, [n per category]) from a by-town count."""
    counts = by_place
    return [(place, [counts.get((c.value, place.pk), 0) for c in Category]) for place in places]


# -- revenue ----------------------------------------------------------------


def best_figures(year):
    """Each enterprise's most trusted revenue figure for ``year``: the
    statistics bureau's, else one entered by hand, else a visit form's."""
    same = RevenueFigure.objects.filter(enterprise_id=OuterRef("enterprise_id"), year=year)
    has_statistics = Exists(same.filter(source=RevenueSource.STATISTICS))
    has_manual = Exists(same.filter(source=RevenueSource.MANUAL))
    return RevenueFigure.objects.filter(year=year).filter(
        Q(source=RevenueSource.STATISTICS)
        | (Q(source=RevenueSource.MANUAL) & ~has_statistics)
        | (Q(source=RevenueSource.VISIT) & ~has_statistics & ~has_manual)
    )


def latest_figure_year():
    return RevenueFigure.objects.order_by("-year").values_list("year", flat=True).first()


# -- the pipeline ------------------------------------------------------------


def with_contacts(queryset, day, *, user, prefix="enterprise__"):
    """Prefetch the pairings in force on ``day`` with their cadres and units,
    so a list can say whom to ask about each enterprise: those of the
    pairings ``user`` may see (an information officer: their own unit's)."""
    pairings = permissions.visible_pairings(
        user, Pairing.objects.filter(active_q(day)).select_related("cadre__unit").order_by("cadre__name")
    )
    return queryset.prefetch_related(
        Prefetch(f"{prefix}pairings", queryset=pairings, to_attr="active_pairings")
    )


def threshold_candidates(category, year, day, *, user):
    """Enterprises not in ``category`` on ``day`` whose best figure for
    ``year`` lies in the candidate band below the threshold (规上 1,500 to
    2,000 万元, 亿元 8,000 to 10,000 by default), highest first."""
    member = members_on(category, day).filter(enterprise_id=OuterRef("enterprise_id"))
    figures = (
        best_figures(year)
        .filter(revenue__gte=candidate_floor(category), revenue__lt=revenue_threshold(category))
        .exclude(Exists(member))
        .select_related("enterprise__place")
        .order_by("-revenue", "enterprise_id")
    )
    return with_contacts(figures, day, user=user)


def expiring_certificates(day, days=None, *, user):
    """High-tech memberships whose certificate expires within ``days`` (six
    months by default) after ``day``, and which no renewal follows."""
    days = expiry_warning_days() if days is None else days
    renewed = Membership.objects.filter(
        category=Category.HIGH_TECH,
        enterprise_id=OuterRef("enterprise_id"),
        started_on__gt=OuterRef("started_on"),
    )
    memberships = (
        members_on(Category.HIGH_TECH, day)
        .filter(certificate_expires_on__lte=day + datetime.timedelta(days=days))
        .exclude(Exists(renewed))
        .select_related("enterprise__place")
        .order_by("certificate_expires_on", "enterprise_id")
    )
    return with_contacts(memberships, day, user=user)


def left_this_year(day, *, user):
    """Periods that ended between 1 January and ``day`` of ``day``'s year and
    were not followed by a return to the category."""
    returned = Membership.objects.filter(
        category=OuterRef("category"),
        enterprise_id=OuterRef("enterprise_id"),
        started_on__gt=OuterRef("ended_on"),
    )
    memberships = (
        Membership.objects.filter(ended_on__gte=datetime.date(day.year, 1, 1), ended_on__lt=day)
        .exclude(Exists(returned))
        .select_related("enterprise__place")
        .order_by("-ended_on", "category", "enterprise_id")
    )
    return with_contacts(memberships, day, user=user)


# -- the classified database (分类建库) --------------------------------------


def category_members(category, day, *, user, place=None, industry=None, unit=None):
    """Members of ``category`` on ``day``, filtered by town, industry and the
    unit of a cadre paired with them on that day; the contacts shown are
    those of the pairings ``user`` may see."""
    memberships = members_on(category, day).select_related("enterprise__place")
    if place:
        memberships = memberships.filter(enterprise__place_id=place)
    if industry:
        memberships = memberships.filter(enterprise__industry=industry)
    if unit:
        paired = Pairing.objects.filter(
            active_q(day), enterprise_id=OuterRef("enterprise_id"), cadre__unit_id=unit
        )
        memberships = memberships.filter(Exists(paired))
    return with_contacts(
        memberships.order_by("enterprise__place__sort_order", "enterprise__name"), day, user=user
    )


def industries():
    return (
        Enterprise.objects.exclude(industry="")
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()
    )
