"""The cadre's pages (我的联系企业, the feedback form) and the coverage report.

Every object is fetched through :mod:`visits.access` (and the pairings' scope
of :mod:`cadres.permissions`), so another cadre's
pairing or form is a 404 whatever id is typed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres import closing, permissions
from cadres.models import Cadre, Pairing, Unit
from enterprises.models import Place
from tabular.forms import add_service_errors
from tabular.routes import Routes
from tabular.xlsx import download_name, xlsx_response

from . import access, selectors, services
from .forms import VisitForm, problem_formset
from .models import ProblemCategory
from .quarters import Quarter, asked_for
from .spreadsheets import coverage_workbook, visit_workbook

route = Routes()


def _cadre(request):
    cadre_id = permissions.own_cadre_id(request.user)
    if cadre_id is None:
        raise PermissionDenied
    return Cadre.objects.select_related("unit").get(pk=cadre_id)


@route("my/", name="my")
def my_enterprises(request):
    cadre = _cadre(request)
    today = timezone.localdate()
    states = selectors.my_pairings(cadre, today)
    drafts = cadre.visits.filter(status="draft").select_related("enterprise")[:20]
    recent = cadre.visits.filter(status="submitted").select_related("enterprise")[:10]
    return render(
        request,
        "visits/my_enterprises.html",
        {"cadre": cadre, "states": states, "quarter": Quarter.of(today), "drafts": drafts, "recent": recent},
    )


def filable_pairing(request, pairing_id):
    """The pairing in force a user may file a form for (their own), or 404."""
    today = timezone.localdate()
    queryset = access.filable_pairings(request.user, Pairing.objects.active_on(today))
    return get_object_or_404(queryset.select_related("enterprise__place", "cadre"), pk=pairing_id)


def editable_visit(request, pk):
    """The draft a user may go on filling, or the answer to give instead: the
    read-only page of their own submitted form, or 404."""
    visit = get_object_or_404(selectors.visible_visits(request.user), pk=pk)
    if not access.can_edit_visit(request.user, visit):
        if access.is_filer(request.user, visit):
            return None, redirect("visits:detail", pk=visit.pk)  # submitted: read-only now
        raise Http404
    return visit, None


def visit_form(request, pairing, visit, *, submit):
    """The feedback form (Attachment 1) on ``pairing``: save a draft, add
    rows, or submit, where ``submit(visit, by=user)`` is the caller's action
    (the hand-over to the layers above, :func:`tongxiang_liaison.actions.submit_feedback`)
    and returns the confirmation to show."""
    instance = visit or None
    if request.method == "POST":
        form = VisitForm(request.POST, instance=instance, pairing=pairing)
        action = request.POST.get("action", "draft")
        if action == "more_rows":
            # Re-display with two more blank problem rows, keeping every entry
            # and showing no errors yet (a no-JavaScript "add a row").
            initial = {**request.POST.dict(), "companions": request.POST.getlist("companions")}
            form = VisitForm(initial=initial, instance=instance, pairing=pairing)
            return _render_form(request, form, problem_formset(request.POST, extra_rows=2), pairing, visit)
        problems = problem_formset(request.POST)
        if form.is_valid() and problems.is_valid():
            rows = [
                (f.cleaned_data["category"], f.cleaned_data["description"].strip())
                for f in problems
                if not f.is_blank
            ]
            try:
                saved = services.save_visit(
                    form.save(commit=False),
                    companions=form.cleaned_data["companions"],
                    problems=rows,
                    by=request.user,
                )  # a draft kept even when submitting it is refused below
                said = submit(saved, by=request.user) if action == "submit" else None
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if said is not None:
                    messages.success(request, said)
                    return redirect("visits:detail", pk=saved.pk)
                messages.success(request, _("草稿已保存。"))
                return redirect("feedback:edit", pk=saved.pk)
    else:
        form = VisitForm(instance=instance, pairing=pairing)
        problems = problem_formset(visit=visit)
    return _render_form(request, form, problems, pairing, visit)


def _render_form(request, form, problems, pairing, visit):
    return render(
        request,
        "visits/visit_form.html",
        {
            "form": form,
            "problems": problems,
            "pairing": pairing,
            "visit": visit,
            "actions": access.visit_actions(request.user, visit) if visit else frozenset(),
            "offers": selectors.service_offers(),
        },
    )


@route("services/", name="services", allow=permissions.can_browse_service_lists)
def service_lists(request):
    """R10: every department's service list, browsable by cadres, filtered by
    problem category or department."""
    category = request.GET.get("category", "")
    category = category if category in ProblemCategory.values else ""
    unit = request.GET.get("unit", "")
    unit = int(unit) if unit.isdigit() else None
    context = {
        "items": selectors.service_list(category=category, unit=unit),
        "category": category,
        "unit": unit,
        "categories": ProblemCategory.choices,
        "units": Unit.objects.filter(service_items__isnull=False).distinct().order_by("sort_order", "name"),
    }
    return render(request, "visits/service_lists.html", context)


@route("visits/<int:pk>/", name="detail")
def visit_detail(request, pk):
    visit = get_object_or_404(
        selectors.visible_visits(request.user).prefetch_related("problems", "companions"), pk=pk
    )
    return render(
        request,
        "visits/visit_detail.html",
        {"visit": visit, "actions": access.visit_actions(request.user, visit)},
    )


@route("visits/<int:pk>/print/", name="print")
def visit_print(request, pk):
    visit = get_object_or_404(
        selectors.visible_visits(request.user).prefetch_related("problems", "companions"), pk=pk
    )
    return render(request, "visits/visit_print.html", {"visit": visit})


@route("visits/<int:pk>/export.xlsx", name="xlsx")
def visit_xlsx(request, pk):
    visit = get_object_or_404(
        selectors.visible_visits(request.user).prefetch_related("problems", "companions"), pk=pk
    )
    return xlsx_response(
        visit_workbook(visit),
        download_name("走访反馈表", visit.enterprise.name, visit.visit_date),
        download_name("visit-feedback", f"no{visit.pk}", visit.visit_date),
    )


@route("coverage/", name="coverage", allow=permissions.can_view_reports)
def coverage(request):
    """Visit coverage for a quarter, per unit and per town (R7)."""
    quarter = asked_for(request)
    closed = closing.state(quarter.label)
    by_unit = selectors.coverage(request.user, quarter, "unit", closed=closed)
    by_place = selectors.coverage(request.user, quarter, "place", closed=closed)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            coverage_workbook(quarter, by_unit, by_place),
            download_name("走访覆盖率", quarter),
            download_name("visit-coverage", quarter),
        )
    return render(
        request,
        "visits/coverage.html",
        {
            "quarter": quarter,
            "by_unit": by_unit,
            "by_place": by_place,
            "closed": closed,
            "previous": quarter.previous(),
            "next": quarter.next() if quarter.next().first_day <= timezone.localdate() else None,
        },
    )


@route("coverage/overdue/", name="overdue", allow=permissions.can_view_reports)
def coverage_overdue(request):
    """Drill-down: the unvisited pairings of a unit or a town, with their cadres."""
    quarter = asked_for(request)
    unit = place = None
    if request.GET.get("unit"):
        unit = get_object_or_404(
            permissions.visible_units(request.user, Unit.objects.all()), pk=request.GET["unit"]
        )
    if request.GET.get("place"):
        place = get_object_or_404(Place, pk=request.GET["place"])
    pairings = selectors.overdue_pairings(
        request.user, quarter, unit_id=unit.pk if unit else None, place_id=place.pk if place else None
    )
    return render(
        request,
        "visits/coverage_overdue.html",
        {
            "quarter": quarter,
            "scope_name": unit.name if unit else place.name if place else _("全部"),
            "pairings": pairings[:500],
            "total": pairings.count(),
        },
    )
