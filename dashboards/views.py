"""The leaders' quarterly dashboard (R16, R17, R2, R19) and its drill-down:
city (or a leader's 包片 towns, or a coordinator's region) → unit → cadre →
pairing. Read-only: the only write is staff asking for a recount. Figures
come from :mod:`dashboards.figures` (the quarterly report's functions),
decisions from :mod:`dashboards.access`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres import closing, permissions
from cadres.models import Cadre, Pairing, Unit
from issues import rates
from issues.models import IssueItem
from tabular.percent import percent, percent_value
from tabular.routes import Routes
from tabular.xlsx import download_name, xlsx_response
from visits.models import ProblemCategory, Visit
from visits.quarters import Quarter, recent, requested
from visits.selectors import due_in

from . import access, charts, figures, selectors
from . import evaluation as evaluation_rows
from .spreadsheets import evaluation_workbook

route = Routes()

TREND_QUARTERS = 8
CADRES_PER_PAGE = 50
CADRE_BARS = 30


def _quarter(request):
    """The quarter asked for, never one still to come."""
    today = Quarter.of(timezone.localdate())
    return min(requested(request.GET.get("quarter"), today), today)


def _area(request):
    for kind in ("area", "region"):
        value = request.GET.get(kind, "")
        if value.isdigit():
            area = selectors.area_of(kind, int(value))
            if area.kind == "city":
                raise Http404
            return area
    return selectors.CITY


def _switcher(quarter):
    current = Quarter.of(timezone.localdate())
    return {
        "quarter": quarter,
        "previous": quarter.previous(),
        "next": quarter.next() if quarter < current else None,
        "choices": list(reversed(recent(current, TREND_QUARTERS))),
    }


def _trend(quarters, totals):
    labels = [q.label for q in quarters]
    rows = [(q.label, totals[q.label]) for q in quarters]
    chart = charts.trend(
        labels,
        [
            (_("走访覆盖率"), "s1", [t.coverage for _, t in rows]),
            (_("问题解决率"), "s2", [t.rate for _, t in rows]),
            (_("交办按时办结率"), "s3", [t.on_time_rate for _, t in rows]),
        ],
    )
    return chart, rows


def _categories(by_category):
    labels = dict(ProblemCategory.choices)
    rows = []
    for code, label in labels.items():
        t = by_category.get(code, figures.Totals())
        rows.append((label, t))
    top = max([t.raised for _, t in rows] or [0]) or 1
    return [(label, t, percent_value(t.raised / top), percent_value(t.resolved / top)) for label, t in rows]


def _without_page(request, quarter):
    """This page's query string for the pager: the quarter and the area, no page."""
    query = request.GET.copy()
    query.pop("page", None)
    query["quarter"] = quarter.label
    return query.urlencode()


def _scope_query(area):
    return f"&{area.kind}={area.cadre.pk}" if area.cadre else ""


@route("dashboard/", name="dashboard")
def dashboard(request):
    user = request.user
    if not access.can_view_dashboard(user):
        raise PermissionDenied
    if not permissions.sees_whole_city(user):  # an information officer: their unit's page
        return redirect(
            reverse("dashboards:unit", args=[permissions.own_unit_id(user)]) + f"?{request.GET.urlencode()}"
        )
    quarter = _quarter(request)
    closed = closing.state(quarter.label)
    area = _area(request)
    places = area.place_ids
    quarters = recent(quarter, TREND_QUARTERS)
    totals = figures.totals_by_quarter(quarters, places=places)
    now, before = totals[quarter.label], totals[quarter.previous().label]
    scope_query = _scope_query(area)
    units = sorted(
        figures.by_unit(quarter, places=places, closed=closed),
        key=lambda row: (-(row[2].coverage if row[2].coverage is not None else -1), row[1]),
    )
    unit_bars = charts.rate_bars(
        [(pk, name, t.coverage, percent(t.coverage)) for pk, name, t in units if t.due],
        link=lambda pk: reverse("dashboards:unit", args=[pk]) + f"?quarter={quarter.label}{scope_query}",
    )
    trend_chart, trend_rows = _trend(quarters, totals)
    doubling = selectors.doubling_rows(quarter, places)
    context = {
        **_switcher(quarter),
        "area": area,
        "scope_query": scope_query,
        "now": now,
        "before": before,
        "escalations": selectors.open_escalations(quarter, places),
        "verdicts": rates.enterprise_satisfaction_by(quarter, places=places),
        "units": units,
        "unit_bars": unit_bars,
        "trend": trend_chart,
        "trend_rows": trend_rows,
        "categories": _categories(figures.by_category(quarter, places=places, closed=closed)),
        "doubling": doubling,
        "doubling_bars": charts.count_bars(
            [
                (row.category.label, row.current, row.target, f"{row.current}/{row.target or '—'}")
                for row in doubling
            ]
        ),
        "meetings": selectors.meetings(quarter, places),
        "practices": selectors.latest_practices(),
        "fresh": figures.freshness(quarter),
        "closed": closed,
        "can_refresh": access.can_recount(user),
        "own_areas": selectors.own_areas(permissions.own_cadre_id(user)),
    }
    return render(request, "dashboards/dashboard.html", context)


def _require_unit_pages(user):
    """The unit, cadre and pairing pages: 403 to a role that sees none."""
    if not access.can_view_dashboard(user):
        raise PermissionDenied


def _require_unit(user, unit_id):
    """A unit outside the user's, or a cadre or pairing of one, answers 404,
    the same as an id that does not exist: the page does not tell which ids
    exist."""
    if not access.can_view_unit_dashboard(user, unit_id):
        raise Http404


@route("dashboard/unit/<int:pk>/", name="unit")
def unit(request, pk):
    _require_unit_pages(request.user)
    _require_unit(request.user, pk)
    unit = get_object_or_404(Unit, pk=pk)
    quarter = _quarter(request)
    closed = closing.state(quarter.label)
    area = _area(request)
    places = area.place_ids
    quarters = recent(quarter, TREND_QUARTERS)
    totals = figures.totals_by_quarter(quarters, places=places, unit=unit.pk)
    cadres = sorted(
        figures.by_cadre(quarter, unit=unit.pk, places=places, closed=closed),
        key=lambda row: (row[2].coverage if row[2].coverage is not None else 2, row[1]),
    )
    trend_chart, trend_rows = _trend(quarters, totals)
    context = {
        **_switcher(quarter),
        "unit": unit,
        "area": area,
        "scope_query": _scope_query(area),
        "now": totals[quarter.label],
        "before": totals[quarter.previous().label],
        "cadres": Paginator(cadres, CADRES_PER_PAGE).get_page(request.GET.get("page")),
        "query": _without_page(request, quarter),
        "cadre_count": len(cadres),
        # A town may have hundreds of cadres: the chart shows those furthest behind.
        "cadre_bars": charts.rate_bars(
            [(pk, name, t.coverage, percent(t.coverage)) for pk, name, t in cadres if t.due][:CADRE_BARS],
            link=lambda pk: reverse("dashboards:cadre", args=[pk]) + f"?quarter={quarter.label}",
        ),
        "trend": trend_chart,
        "trend_rows": trend_rows,
        "categories": _categories(figures.by_category(quarter, places=places, unit=unit.pk, closed=closed)),
        "fresh": figures.freshness(quarter),
        "closed": closed,
    }
    return render(request, "dashboards/unit.html", context)


def _cadre(request, pk):
    """The cadre of a cadre's page, once the user may see their unit's pages."""
    _require_unit_pages(request.user)
    cadre = get_object_or_404(Cadre.objects.select_related("unit"), pk=pk)
    _require_unit(request.user, cadre.unit_id)
    return cadre


@route("dashboard/cadre/<int:pk>/", name="cadre")
def cadre(request, pk):
    cadre = _cadre(request, pk)
    quarter = _quarter(request)
    due = (
        due_in(quarter, Pairing.objects.filter(cadre=cadre))
        .select_related("enterprise__place")
        .order_by("visited", "enterprise__name")
    )
    items = (
        IssueItem.objects.filter(
            reporter=cadre, reported_on__year=quarter.year, reported_on__lte=quarter.last_day
        )
        .select_related("enterprise")
        .order_by("-reported_on", "-pk")
    )
    context = {**_switcher(quarter), "cadre": cadre, "due": due, "items": items}
    return render(request, "dashboards/cadre.html", context)


@route("dashboard/pairing/<int:pk>/", name="pairing")
def pairing(request, pk):
    _require_unit_pages(request.user)
    pairing = get_object_or_404(Pairing.objects.select_related("cadre__unit", "enterprise__place"), pk=pk)
    _require_unit(request.user, pairing.cadre.unit_id)
    visits = Visit.objects.filter(pairing=pairing).select_related("cadre").order_by("-visit_date", "-pk")[:40]
    items = IssueItem.objects.filter(enterprise=pairing.enterprise, reporter=pairing.cadre).order_by(
        "-reported_on", "-pk"
    )[:40]
    context = {
        **_switcher(_quarter(request)),
        "pairing": pairing,
        "visits": visits,
        "items": items,
        "edits_contacts": permissions.can_edit_contacts(request.user, pairing.enterprise),
    }
    return render(request, "dashboards/pairing.html", context)


@route.post("dashboard/refresh/", name="refresh", allow=access.can_recount)
def refresh(request):
    """Staff recount a quarter now rather than waiting for the scheduled job."""
    quarter = _quarter(request)
    build = figures.build(quarter)
    messages.success(
        request, _("%(q)s 的数据已重新统计（用时 %(s)s 秒）。") % {"q": quarter.label, "s": build.seconds}
    )
    return redirect(reverse("dashboards:dashboard") + f"?quarter={quarter.label}")


def _year(request):
    today = timezone.localdate()
    value = request.GET.get("year", "")
    year = int(value) if value.isdigit() else today.year
    return min(max(year, 2014), today.year)


def _evaluation_unit(request):
    """The unit asked for, or the officer's own; checked against permissions."""
    value = request.GET.get("unit", "")
    unit_id = int(value) if value.isdigit() else permissions.own_unit_id(request.user)
    if unit_id is None:
        return None
    _require_unit(request.user, unit_id)
    return get_object_or_404(Unit, pk=unit_id)


def _evaluation(request):
    """The year and unit an evaluation page asks for (access checked) and
    the unit's cadre sheets of that year (none without a unit)."""
    if not access.can_view_dashboard(request.user):
        raise PermissionDenied
    year = _year(request)
    unit = _evaluation_unit(request)
    sheets = evaluation_rows.unit_year(unit.pk, year, timezone.localdate()) if unit else []
    return year, unit, sheets


@route("evaluation/", name="evaluation")
def evaluation(request):
    """R16: each cadre's year for the unit's annual evaluation."""
    year, unit, sheets = _evaluation(request)
    context = {
        "year": year,
        "years": list(range(timezone.localdate().year, 2013, -1))[:6],
        "unit": unit,
        "units": Unit.objects.order_by("sort_order", "name")
        if permissions.sees_whole_city(request.user)
        else [],
        "sheets": sheets,
    }
    return render(request, "dashboards/evaluation.html", context)


@route("evaluation/export.xlsx", name="evaluation_xlsx")
def evaluation_xlsx(request):
    year, unit, sheets = _evaluation(request)
    if unit is None:
        raise Http404
    return xlsx_response(
        evaluation_workbook(unit, year, sheets),
        download_name(unit.name, f"{year}年度联系干部考评"),
        download_name("cadre-evaluation", f"unit{unit.pk}", year),
    )


@route("evaluation/cadre/<int:pk>/", name="evaluation_cadre")
def evaluation_cadre(request, pk):
    cadre = _cadre(request, pk)
    year = _year(request)
    sheets = evaluation_rows.unit_year(cadre.unit_id, year, timezone.localdate())
    sheet = next((s for s in sheets if s.cadre.pk == cadre.pk), None)
    if sheet is None:
        raise Http404
    return render(request, "dashboards/evaluation_cadre.html", {"year": year, "sheet": sheet})
