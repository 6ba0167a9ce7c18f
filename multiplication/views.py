"""The six-doubling pages (R17): progress, each category's classified
database with its export, and the pipeline. Reads come from
:mod:`multiplication.selectors`; who may look from :mod:`multiplication.access`."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from cadres import permissions
from cadres import selectors as cadre_selectors
from enterprises.models import Place
from tabular.routes import Routes
from tabular.xlsx import download_name, xlsx_response

from . import access, selectors
from .rules import REVENUE_CATEGORIES, Category, expiry_warning_days
from .spreadsheets import members_workbook

route = Routes()

PAGE_SIZE = 50


def _contacts(user):
    """What the contacts beside each enterprise say (``_contacts.html``): only
    the user's unit's pairings, and a link to the pairing records in the admin."""
    return {
        "own_unit_only": not permissions.sees_whole_city(user),
        "links_admin": permissions.can_use_admin(user),
    }


def _day(request):
    """The ``date`` asked for, else today (Shanghai); a bad date says so."""
    today = timezone.localdate()
    raw = request.GET.get("date", "").strip()
    if not raw:
        return today, None
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        return today, _("“%(raw)s”不是有效日期，已按今天显示。 / Not a valid date; showing today.") % {
            "raw": raw
        }
    return day, None


def _category(value):
    try:
        return Category(value)
    except ValueError:
        raise Http404 from None


@route("doubling/", name="overview", allow=access.can_view_doubling)
def overview(request):
    day, date_error = _day(request)
    by_place = selectors.counts_on(day, by_place=True)
    counts = selectors.city_counts(day, by_place)
    context = {
        "day": day,
        "date_error": date_error,
        "categories": [(c, counts[c.value]) for c in Category],
        "progress": selectors.plan_progress(day, by_place=by_place),
        "towns": selectors.town_table(by_place, Place.objects.all()),
        "category_labels": [c.label for c in Category],
    }
    return render(request, "multiplication/overview.html", context)


def _member_filters(request):
    def number(name):
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    return {
        "place": number("place"),
        # A NUL cannot be stored or compared in PostgreSQL: no industry has one.
        "industry": request.GET.get("industry", "").replace("\x00", "").strip() or None,
        "unit": number("unit"),
    }


def _members(request, category):
    """The category's members on the day asked for, by the list's filters:
    what the page shows and its export writes."""
    category = _category(category)
    day, date_error = _day(request)
    filters = _member_filters(request)
    memberships = selectors.category_members(category, day, user=request.user, **filters)
    return category, day, date_error, filters, memberships


@route("doubling/pipeline/", name="pipeline", allow=access.can_view_doubling)
def pipeline(request):
    day, date_error = _day(request)
    year_param = request.GET.get("year", "")
    year = int(year_param) if year_param.isdigit() else (selectors.latest_figure_year() or day.year - 1)
    sections = [
        (
            f"c{i}",
            _("%(category)s培育对象（%(year)s 年营业收入接近标准）") % {"category": c.label, "year": year},
            "candidates",
            selectors.threshold_candidates(c, year, day, user=request.user),
        )
        for i, c in enumerate(REVENUE_CATEGORIES, start=1)
    ]
    sections.append(
        (
            "x",
            _("高新证书 %(days)s 天内到期、尚未复审") % {"days": expiry_warning_days()},
            "expiring",
            selectors.expiring_certificates(day, user=request.user),
        )
    )
    sections.append(
        (
            "l",
            _("%(year)s 年退出各类别的企业") % {"year": day.year},
            "left",
            selectors.left_this_year(day, user=request.user),
        )
    )
    query = request.GET.copy()
    for param, *_rest in sections:
        query.pop(param, None)
    context = {
        "day": day,
        "date_error": date_error,
        "year": year,
        "query": query.urlencode(),
        "all_categories": list(Category),
        **_contacts(request.user),
        "sections": [
            (param, title, kind, Paginator(rows, PAGE_SIZE).get_page(request.GET.get(param)))
            for param, title, kind, rows in sections
        ],
    }
    return render(request, "multiplication/pipeline.html", context)


@route("doubling/<str:category>/", name="members", allow=access.can_view_doubling)
def members(request, category):
    category, day, date_error, filters, memberships = _members(request, category)
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "category": category,
        "day": day,
        "date_error": date_error,
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "places": Place.objects.all(),
        "industries": selectors.industries(),
        # Every pairing unit, not only departments.
        "units": cadre_selectors.units_with_cadres().only("pk", "name"),
        "all_categories": list(Category),
        **_contacts(request.user),
    }
    return render(request, "multiplication/members.html", context)


@route("doubling/<str:category>/export.xlsx", name="members_xlsx", allow=access.can_view_doubling)
def members_xlsx(request, category):
    category, day, _error, _filters, memberships = _members(request, category)
    workbook = members_workbook(category, day, memberships)
    return xlsx_response(
        workbook,
        download_name(f"{category.label}分类库", f"{day:%Y%m%d}"),
        download_name("doubling", category.value, f"{day:%Y%m%d}"),
    )
