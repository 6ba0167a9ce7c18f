"""Reads over visits: a cadre's pairings with this quarter's state, and visit
coverage per unit and per town (R7, R8). Each is one query, whatever the size."""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from cadres import closing, permissions
from cadres.models import Cadre, Pairing, ServiceItem, Unit, unit_on
from enterprises.models import EnterpriseContact, Place
from tabular.percent import fraction

from . import access, first_visit
from .models import ProblemCategory, ProblemRemit, Visit, VisitCredit
from .quarters import Quarter


def credited(quarter: Quarter | None = None, *, before=None):
    """Exists: the pairing's cadre has a counting visit to its enterprise on or
    after the pairing began, within ``quarter`` (or before ``before``)."""
    credits = VisitCredit.objects.filter(
        cadre=OuterRef("cadre_id"),
        enterprise=OuterRef("enterprise_id"),
        visit_date__gte=OuterRef("start_date"),
    )
    if quarter is not None:
        credits = credits.filter(visit_date__range=(quarter.first_day, quarter.last_day))
    if before is not None:
        credits = credits.filter(visit_date__lt=before)
    return Exists(credits)


@dataclass
class PairingState:
    """What 我的联系企业 shows for one pairing this quarter."""

    pairing: Pairing
    state: str  # "visited" | "due" | "overdue" | "not_due"
    days_left: int
    first_visit_deadline: datetime.date | None
    first_visit_overdue: bool


def my_pairings(cadre, today: datetime.date):
    """The cadre's pairings in force today with this quarter's state: visited;
    due (with the days left in the quarter); overdue (the previous quarter was
    due and missed). Plus the first-visit deadline (R8, :mod:`visits.first_visit`)
    until the first visit: the campaign's for a pairing begun before it, its
    own for one begun later, none for a renewal."""
    quarter = Quarter.of(today)
    previous = quarter.previous()
    last_visit = (
        VisitCredit.objects.filter(cadre=OuterRef("cadre_id"), enterprise=OuterRef("enterprise_id"))
        .values("cadre")
        .annotate(last=Max("visit_date"))
        .values("last")
    )
    contacts = (  # who may sign in for the enterprise (issue 17)
        EnterpriseContact.objects.filter(enterprise=OuterRef("enterprise_id"), is_active=True)
        .values("enterprise")
        .annotate(n=Count("pk"))
        .values("n")
    )
    pairings = (
        first_visit.annotate(Pairing.objects.active_on(today))
        .filter(cadre=cadre)
        .select_related("enterprise__place")
        .annotate(
            last_visit=Subquery(last_visit),
            active_contacts=Coalesce(Subquery(contacts), 0),
            visited_now=credited(quarter),
            visited_previous=credited(previous),
            due_previous=ExpressionWrapper(previous.due_q(), output_field=BooleanField()),
            due_now=ExpressionWrapper(quarter.due_q(), output_field=BooleanField()),
        )
        .order_by("enterprise__place__sort_order", "enterprise__name")
    )
    states = []
    for pairing in pairings:
        if pairing.visited_now:
            state = "visited"
        elif pairing.due_previous and not pairing.visited_previous:
            state = "overdue"
        elif pairing.due_now:
            state = "due"
        else:
            state = "not_due"
        deadline = first_visit.deadline_of(pairing)
        states.append(
            PairingState(
                pairing=pairing,
                state=state,
                days_left=quarter.days_left(today),
                first_visit_deadline=deadline,
                first_visit_overdue=first_visit.is_overdue(deadline, today),
            )
        )
    return states


def due_in(quarter: Quarter, pairings=None):
    """Pairings due a visit in ``quarter``, each marked ``visited`` and with
    ``counted_unit``, the unit its cadre belonged to on the quarter's last
    day (the day it is due, issue 16): the unit the pairing counts for."""
    pairings = Pairing.objects.all() if pairings is None else pairings
    return pairings.filter(quarter.due_q()).annotate(
        visited=credited(quarter), counted_unit=unit_on(quarter.last_day)
    )


def due_pairings(user, quarter: Quarter):
    """Pairings due a visit in ``quarter`` that ``user`` may see (an
    information officer: those counted for their unit), each marked ``visited``."""
    return permissions.visible_pairings(user, due_in(quarter), unit="counted_unit")


COVERAGE_KEYS = {
    "unit": ("counted_unit", Unit),
    "place": ("enterprise__place", Place),
    "cadre": ("cadre", Cadre),
}


def coverage(user, quarter: Quarter, by: str, *, closed=None):
    """Due, visited and coverage % per unit (``by="unit"``), per town
    (``"place"``) or per cadre (``"cadre"``) that ``user`` may see: of a
    closed quarter, as frozen when it closed (issue 16; ``closed``: its
    :class:`cadres.closing.State`, when the page has it)."""
    frozen = closing.frozen_cells(quarter.label, cadres=by == "cadre", known=closed)
    if frozen is not None:
        return frozen_coverage(permissions.visible_figures(user, frozen), by)
    return coverage_of(due_pairings(user, quarter), by)


def frozen_coverage(cells, by: str):
    """The rows of :func:`coverage_of`, added up from frozen cells."""
    key, model = {"unit": "unit_id", "place": "place_id", "cadre": "cadre_id"}[by], COVERAGE_KEYS[by][1]
    counts = {pk: c for pk, c in closing.sums(cells, key).items() if pk is not None and c["due"]}
    names = dict(model.objects.filter(pk__in=counts).values_list("pk", "name"))
    return _by_rate(
        CoverageRow(pk=pk, name=names.get(pk, ""), due=c["due"], visited=c["visited"])
        for pk, c in counts.items()
    )


def coverage_counts(due, keys):
    """Due and visited pairings grouped by ``keys`` (lookups such as
    ``"cadre__unit"``), for a queryset from :func:`due_in`: the one
    aggregation behind every coverage figure, one query."""
    return (
        due.values(*keys).annotate(due=Count("pk"), done=Count("pk", filter=Q(visited=True))).order_by(*keys)
    )


def coverage_of(due, by: str):
    """The aggregation behind :func:`coverage`, for a queryset from
    :func:`due_in` (system jobs use the whole city): one query, plus names."""
    key, model = COVERAGE_KEYS[by]
    rows = coverage_counts(due, [key])
    names = dict(model.objects.filter(pk__in=[r[key] for r in rows]).values_list("pk", "name"))
    return _by_rate(
        CoverageRow(pk=r[key], name=names.get(r[key], ""), due=r["due"], visited=r["done"]) for r in rows
    )


def _by_rate(rows):
    """Lowest coverage first, nothing due last, then by name."""
    return sorted(rows, key=lambda r: (r.rate if r.rate is not None else 2, r.name))


@dataclass
class CoverageRow:
    pk: int
    name: str
    due: int
    visited: int

    @property
    def overdue(self):
        return self.due - self.visited

    @property
    def rate(self):
        """Coverage as a fraction; None (shown as —) when nothing is due."""
        return fraction(self.visited, self.due)


def overdue_pairings(user, quarter: Quarter, *, unit_id=None, place_id=None):
    """Drill-down: the pairings due in ``quarter`` and not visited, with their cadres."""
    queryset = (
        due_pairings(user, quarter)
        .filter(visited=False)
        .select_related("cadre__unit", "enterprise__place")
        .order_by("cadre__unit__sort_order", "cadre__name", "enterprise__name")
    )
    if unit_id is not None:
        queryset = queryset.filter(counted_unit=unit_id)
    if place_id is not None:
        queryset = queryset.filter(enterprise__place_id=place_id)
    return queryset


def visible_visits(user):
    return access.visible_visits(
        user, Visit.objects.select_related("cadre__unit", "enterprise__place", "pairing")
    )


def service_offers():
    """``[(category label, [ServiceItem])]`` for each problem category with
    departments answering for it (R10, R11): what the feedback form offers.
    Two queries."""
    remits = list(ProblemRemit.objects.values_list("category", "unit_id"))
    items = {}
    for item in ServiceItem.objects.filter(unit_id__in={u for _, u in remits}).select_related("unit"):
        items.setdefault(item.unit_id, []).append(item)
    offers = []
    for code, label in ProblemCategory.choices:
        found = [item for c, unit in remits if c == code for item in items.get(unit, [])]
        if found:
            offers.append((code, label, found))
    return offers


def service_list(*, category=None, unit=None):
    """Every department's service list (R10), optionally for one problem
    category (through the departments' remits) or one department."""
    items = ServiceItem.objects.select_related("unit").order_by(
        "unit__sort_order", "unit__name", "sort_order", "pk"
    )
    if category:
        items = items.filter(unit__problem_remits__category=category)
    if unit:
        items = items.filter(unit_id=unit)
    return items
