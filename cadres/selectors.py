"""Reads over units, cadres and pairings: the 结对合规 (pairing compliance)
report of R1, R3, R4, R5 and the Attachment 2 arrangement table (R20).

Every list is one aggregate query scoped by :mod:`cadres.permissions`."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise

from . import permissions
from .models import Cadre, Pairing, Unit, active_q

MINIMUM_LINKS = 3
#: what a user reads for each minimum's rule (the rule id itself stays internal)
MINIMUM_RULE_LABELS = {
    "R1": _("市级领导重点联系 3 家"),
    "R3": _("部门科(局)级、中层干部联系不少于 3 家"),
    "R4": _("镇街班子成员结对不少于 3 家"),
}
RANK_ORDER = Case(
    *(When(rank=rank, then=Value(i)) for i, rank in enumerate(Cadre.Rank.values)),
    output_field=IntegerField(),
)

# Units listed the way the city lists them: the four leadership bodies, the
# departments, then the towns, streets and zones; each group by its sort order.
UNIT_KIND_ORDER = Case(
    When(kind=Unit.Kind.LEADERSHIP, then=Value(0)),
    When(kind=Unit.Kind.DEPARTMENT, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def units_with_cadres(user=None):
    """Every unit with at least one cadre — leadership bodies, departments,
    towns, streets and zones alike — in the city's order; with ``user``, those
    the user may see (an information officer: their own unit)."""
    units = Unit.objects.filter(Exists(Cadre.objects.filter(unit=OuterRef("pk"))))
    if user is not None:
        units = permissions.visible_units(user, units)
    return units.annotate(kind_order=UNIT_KIND_ORDER).order_by("kind_order", "sort_order", "name").distinct()


def cadres_below_minimum(user, day: datetime.date):
    """Active cadres with fewer active links than their rule requires:

    - R1: a city leader keeps 3 focus-link (重点联系) enterprises;
    - R3: a department cadre of bureau or middle rank links at least 3;
    - R4: a leadership member of a town, street or zone links at least 3.

    Rows carry ``required``, ``counted`` and ``rule``.
    """
    active = active_q(day, "pairings__")
    local_kinds = [str(kind) for kind in Unit.LOCAL_KINDS]
    queryset = (
        Cadre.objects.filter(is_active=True)
        .annotate(
            rule=Case(
                When(rank=Cadre.Rank.CITY_LEADER, then=Value("R1")),
                When(
                    unit__kind=Unit.Kind.DEPARTMENT,
                    rank__in=[Cadre.Rank.BUREAU, Cadre.Rank.MIDDLE],
                    then=Value("R3"),
                ),
                When(unit__kind__in=local_kinds, is_leadership_member=True, then=Value("R4")),
                default=Value(""),
                output_field=CharField(),
            ),
            focus_links=Count("pairings", filter=active & Q(pairings__kind=Pairing.Kind.FOCUS)),
            all_links=Count("pairings", filter=active),
        )
        .exclude(rule="")
        .annotate(
            rule_label=Case(
                *(When(rule=rule, then=Value(str(label))) for rule, label in MINIMUM_RULE_LABELS.items()),
                output_field=CharField(),
            ),
            required=Value(MINIMUM_LINKS, output_field=IntegerField()),
            counted=Case(
                When(rule="R1", then=F("focus_links")),
                default=F("all_links"),
                output_field=IntegerField(),
            ),
        )
        .filter(counted__lt=MINIMUM_LINKS)
        .select_related("unit")
        .order_by("unit__sort_order", "unit__name", "name")
    )
    return permissions.visible_cadres(user, queryset)


def enterprises_without_active_pairing(user, day: datetime.date):
    """Enterprises nobody links on ``day``. An information officer of a town,
    street or zone sees those located in the place their unit governs; a
    department's officer has no enterprises of their own to cover (empty)."""
    queryset = (
        Enterprise.objects.annotate(
            linked=Exists(Pairing.objects.active_on(day).filter(enterprise=OuterRef("pk")))
        )
        .filter(linked=False)
        .select_related("place")
        .order_by("place__sort_order", "place__name", "name")
    )
    return permissions.enterprises_to_cover(user, queryset)


def pairings_ending_soon(user, day: datetime.date, days: int):
    """Pairings whose term ends within ``days`` of ``day``: renewal due (R5)."""
    queryset = (
        Pairing.objects.ending_between(day, day + datetime.timedelta(days=days))
        .select_related("cadre__unit", "enterprise__place")
        .order_by("end_date", "cadre__name")
    )
    return permissions.visible_pairings(user, queryset)


@dataclass
class ArrangedCadre:
    cadre: Cadre
    pairings: list = field(default_factory=list)


@dataclass
class ArrangedUnit:
    unit: Unit
    cadres: list = field(default_factory=list)


def arrangement_table(user, day: datetime.date):
    """Attachment 2 (R20), 市涉企部门(单位)走访联系企业安排表: for each
    enterprise-related department, its active cadres and the enterprises each
    links on ``day``. Two queries whatever the size."""
    cadres = permissions.visible_cadres(
        user,
        Cadre.objects.filter(is_active=True, unit__kind=Unit.Kind.DEPARTMENT)
        .select_related("unit", "unit__principal_leader", "unit__deputy_in_charge")
        .annotate(rank_order=RANK_ORDER)
        .order_by("unit__sort_order", "unit__name", "rank_order", "name"),
    )
    pairings = (
        Pairing.objects.active_on(day)
        .filter(cadre__in=cadres.values("pk"))
        .select_related("enterprise__place")
        .order_by("enterprise__name")
    )
    by_cadre = {}
    for pairing in pairings:
        by_cadre.setdefault(pairing.cadre_id, []).append(pairing)
    units = {}
    for cadre in cadres:
        arranged = units.setdefault(cadre.unit_id, ArrangedUnit(cadre.unit))
        arranged.cadres.append(ArrangedCadre(cadre, by_cadre.get(cadre.pk, [])))
    return list(units.values())


def display_name(user) -> str:
    """The name a timeline shows for ``user``: their cadre's name, else their
    full name or login; empty for nobody (a job, shown as 系统)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return (permissions.scope_for(user).cadre_name or user.get_full_name() or user.get_username())[:100]


def paired_with(enterprise, day: datetime.date):
    """The active cadres of ``enterprise``'s pairings in force on ``day``
    (those an enterprise's own request tells, those its pages show)."""
    pairings = Pairing.objects.filter(active_q(day), enterprise=enterprise)
    return (
        Cadre.objects.filter(is_active=True, pk__in=pairings.values("cadre"))
        .select_related("unit", "user")
        .order_by("name", "pk")
    )
