"""Closing a quarter: its figures counted once more and frozen (issue 16).

The status, its table and timeline, and the frozen cells are
:mod:`cadres.closing`'s; here is the counting side. :func:`close` counts the
quarter's cells (:func:`dashboards.figures.build`, the report's functions)
and copies them, with the cadres' cells, into frozen cells of version 1;
:func:`reclose` does the same for the next version. :func:`compare` counts a
closed quarter afresh and records as pending corrections the published
figures that would move. Every write holds the quarter's status row locked,
so a second worker, a second beat or a second click does nothing twice.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres import closing
from cadres.models import COUNTS, Cadre, CountedFigures, FrozenCell, QuarterClose, Unit
from enterprises.models import Place
from issues.workdays import add_working_days
from visits.models import ProblemCategory
from visits.quarters import Quarter, recent

from . import figures
from .models import CadreCell, FigureCell

S = QuarterClose.Status
BATCH = 5000
LOOKBACK = 8  # the quarters the scheduled close and check look at


def closes_on(quarter: Quarter) -> datetime.date:
    """The day a quarter closes by itself: ``QUARTER_CLOSE_WORKING_DAYS``
    working days after its last day."""
    return add_working_days(quarter.last_day, settings.QUARTER_CLOSE_WORKING_DAYS)


def _row(quarter: Quarter, *, lock=True):
    return closing.row(quarter.label, quarter.first_day, quarter.last_day, lock=lock)


def _freeze(row, quarter: Quarter, version: int, *, count=True):
    """Count ``quarter`` now (unless just counted) and keep its cells as ``version``."""
    if count:
        figures.build(quarter)
    common = {"closing": row, "quarter": quarter.label, "version": version}
    frozen = [
        FrozenCell(**common, unit_id=c.unit_id, place_id=c.place_id, category=c.category,
                   **{n: getattr(c, n) for n in COUNTS})
        for c in FigureCell.objects.filter(quarter=quarter.label)
    ] + [
        FrozenCell(**common, cadre_id=c.cadre_id, unit_id=c.unit_id, place_id=c.place_id,
                   **{n: getattr(c, n) for n in COUNTS})
        for c in CadreCell.objects.filter(quarter=quarter.label)
    ]  # fmt: skip
    FrozenCell.objects.bulk_create(frozen, batch_size=BATCH)


def _refuse_unfinished(quarter: Quarter):
    if quarter.last_day >= timezone.localdate():
        raise ValidationError(
            _("%(quarter)s 尚未结束，结束后才能关账。") % {"quarter": quarter.label}, code="unfinished"
        )


@transaction.atomic
def close(quarter: Quarter, *, by=None, reason="") -> QuarterClose:
    """Staff close ``quarter`` (``by``), or the scheduled job (``by`` None):
    its figures are frozen as version 1. Staff are told why they cannot."""
    _refuse_unfinished(quarter)
    row = _row(quarter)
    closing.check(row, "close")
    version = row.version + 1
    _freeze(row, quarter, version)
    return closing.move(row, "close", by=by, reason=reason, version=version)


def close_if_open(quarter: Quarter) -> bool:
    """The scheduled close: True if this call closed ``quarter``, False if it
    was closed already (by staff, an earlier run, or another worker that held
    its row first)."""
    try:
        close(quarter)
    except ValidationError as exc:
        if exc.code == "transition":
            return False
        raise
    return True


@transaction.atomic
def reopen(quarter: Quarter, *, by, reason="") -> QuarterClose:
    """Open a closed quarter for correction (更正中): its pages still show the
    version published; writes dated into it are taken, as corrections."""
    row = _row(quarter)
    return closing.move(row, "reopen", by=by, reason=reason)


@transaction.atomic
def reclose(quarter: Quarter, *, by, reason) -> QuarterClose:
    """Close again after correction, with a reason: the figures counted now
    are published as the next version and the pending corrections are
    marked applied in it."""
    row = _row(quarter)
    closing.check(row, "reclose", reason=reason)
    compare(quarter, counted=False)  # the corrections applied are those of this count
    version = row.version + 1
    _freeze(row, quarter, version, count=False)
    return closing.move(row, "reclose", by=by, reason=reason, version=version)


# -- what a later change would move --------------------------------------------

SCOPES = ("city", "unit", "place", "category", "cadre")


def _label(name):
    return str(CountedFigures._meta.get_field(name).verbose_name)


def _grouped(cells, keys):
    if keys:
        rows = cells.values(*keys).annotate(**figures._sums()).order_by()
    else:
        rows = [cells.aggregate(**figures._sums())]
    return {tuple(r.get(k) for k in keys): {n: r.get(n) or 0 for n in COUNTS} for r in rows}


def differences(quarter: Quarter, version: int) -> list:
    """``[(what, old, new)]``: each published count of ``version`` that the
    cells counted last (:func:`dashboards.figures.build`) would change, for
    the city, each unit, town, problem category and cadre."""
    live = FigureCell.objects.filter(quarter=quarter.label)
    frozen = FrozenCell.objects.filter(quarter=quarter.label, version=version)
    people_live = CadreCell.objects.filter(quarter=quarter.label)
    plans = {
        "city": (live, frozen.filter(cadre__isnull=True), []),
        "unit": (live, frozen.filter(cadre__isnull=True), ["unit_id"]),
        "place": (live, frozen.filter(cadre__isnull=True), ["place_id"]),
        "category": (live.exclude(category=""), frozen.filter(cadre__isnull=True).exclude(category=""),
                     ["category"]),
        "cadre": (people_live, frozen.filter(cadre__isnull=False), ["cadre_id", "unit_id"]),
    }  # fmt: skip
    found = []
    for scope in SCOPES:
        now_cells, then_cells, keys = plans[scope]
        now, then = _grouped(now_cells, keys), _grouped(then_cells, keys)
        zero = dict.fromkeys(COUNTS, 0)
        for key in sorted(set(now) | set(then), key=lambda k: tuple(str(v) for v in k)):
            a, b = then.get(key, zero), now.get(key, zero)
            for name in COUNTS:
                if a[name] != b[name]:
                    found.append((scope, key, name, a[name], b[name]))
    return _described(found)


def _described(found):
    ids = defaultdict(set)
    for scope, key, _name, _a, _b in found:
        if scope == "unit":
            ids["unit"].add(key[0])
        elif scope == "place":
            ids["place"].add(key[0])
        elif scope == "cadre":
            ids["cadre"].add(key[0])
            ids["unit"].add(key[1])
    units = dict(Unit.objects.filter(pk__in=ids["unit"]).values_list("pk", "name"))
    places = dict(Place.objects.filter(pk__in=ids["place"]).values_list("pk", "name"))
    cadres = dict(Cadre.objects.filter(pk__in=ids["cadre"]).values_list("pk", "name"))
    categories = dict(ProblemCategory.choices)
    none = _("（未分）")

    def scope_name(scope, key):
        if scope == "city":
            return _("全市")
        if scope == "unit":
            return units.get(key[0], none)
        if scope == "place":
            return places.get(key[0], none)
        if scope == "category":
            return str(categories.get(key[0], key[0]))
        return _("%(cadre)s（%(unit)s）") % {
            "cadre": cadres.get(key[0], none),
            "unit": units.get(key[1], none),
        }

    return [
        (_("%(scope)s · %(figure)s") % {"scope": scope_name(scope, key), "figure": _label(name)}, a, b)
        for scope, key, name, a, b in found
    ]


@transaction.atomic
def compare(quarter: Quarter, *, counted=True) -> list:
    """Count a closed (or reopened) quarter afresh (unless ``counted``: its
    cells were just counted) and record what would move as pending
    corrections. Returns the differences; nothing for a quarter not closed."""
    if closing.status_of(quarter.label) not in closing.PUBLISHED:
        return []
    row = _row(quarter)
    if row.status not in closing.PUBLISHED or not row.version:
        return []
    if not counted:
        figures.build(quarter)
    found = differences(quarter, row.version)
    closing.record_comparison(row, found)
    return found


def watched(today: datetime.date) -> list:
    """The quarters the scheduled job looks at: the last ``LOOKBACK`` ended."""
    return recent(Quarter.of(today).previous(), LOOKBACK)


def close_due(today: datetime.date) -> dict:
    """The scheduled job: close each watched quarter whose closing day has
    come, then count every closed one afresh and record what would move
    (writes made outside a request, or not through the services, are found
    here). Safe to run twice, or on two workers at once."""
    closed, compared = [], {}
    for quarter in watched(today):
        if closes_on(quarter) <= today and closing.status_of(quarter.label) == S.OPEN:
            if close_if_open(quarter):
                closed.append(quarter.label)
        elif closing.status_of(quarter.label) in closing.PUBLISHED:
            compared[quarter.label] = len(compare(quarter, counted=False))
    return {"closed": closed, "compared": compared}
