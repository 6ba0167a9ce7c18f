"""Pages of the coordination layer: the quarter's situation-analysis
meetings (R2), recording one, its decisions and escalations; and the good
practices (R19). Decisions come from :mod:`coordination.access`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres import permissions
from cadres.models import Cadre
from issues import access as issue_access
from issues.models import IssueItem
from tabular.forms import add_service_errors
from tabular.routes import Routes
from visits.quarters import Quarter, asked_for

from . import access, selectors, services
from .forms import DecisionForm, EscalateForm, MeetingForm
from .models import GoodPractice, Meeting, MeetingItem

route = Routes()


@route("meetings/", name="meetings", allow=access.can_view_meetings)
def meetings(request):
    quarter = asked_for(request)
    coordinators = list(access.listed_coordinators(request.user, selectors.coordinators(quarter)))
    context = {
        "quarter": quarter,
        "previous": quarter.previous(),
        "next": quarter.next() if quarter < Quarter.of(timezone.localdate()) else None,
        "coordinators": coordinators,
        "meetings": access.visible_meetings(request.user, selectors.meetings_in(quarter)),
        "records_for": {c.pk for c in coordinators if access.can_record_meeting(request.user, c.pk)},
        "chooses_coordinator": access.can_record_any_meeting(request.user),
    }
    return render(request, "coordination/meetings.html", context)


def _form_response(request, form, meeting=None):
    return render(request, "coordination/meeting_form.html", {"form": form, "meeting": meeting})


def _save(request, form):
    try:
        return services.save_meeting(
            form.save(commit=False),
            places=form.cleaned_data["places"],
            attendees=form.cleaned_data["attendees"],
            items=form.cleaned_data["items"],
            by=request.user,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@route("meetings/new/", name="meeting_new")
def meeting_new(request):
    staff = access.can_record_any_meeting(request.user)
    asked = request.GET.get("coordinator", "")
    if staff:
        coordinator_id = int(asked) if asked.isdigit() else None  # a wrong id: choose on the form
    else:
        coordinator_id = permissions.own_cadre_id(request.user)
    coordinator = (
        Cadre.objects.filter(pk=coordinator_id, is_coordinator=True).first() if coordinator_id else None
    )
    if coordinator is None and not staff:
        raise PermissionDenied
    if coordinator is not None and not access.can_record_meeting(request.user, coordinator.pk):
        raise PermissionDenied
    initial = {"coordinator": coordinator, "held_on": timezone.localdate()}
    form = MeetingForm(
        request.POST or None, initial=initial, coordinator=coordinator, can_choose_coordinator=staff
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["coordinator"]
        if not access.can_record_meeting(request.user, chosen.pk):
            raise PermissionDenied
        meeting = _save(request, form)
        if meeting is not None:
            messages.success(request, _("形势分析会已记录。"))
            return redirect("coordination:meeting", meeting.pk)
    return _form_response(request, form)


@route("meetings/<int:pk>/edit/", name="meeting_edit")
def meeting_edit(request, pk):
    meeting = get_object_or_404(access.visible_meetings(request.user, Meeting.objects.all()), pk=pk)
    if not access.can_record_meeting(request.user, meeting.coordinator_id):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, instance=meeting, can_choose_coordinator=False)
    if request.method == "POST" and form.is_valid() and _save(request, form) is not None:
        messages.success(request, _("形势分析会记录已更新。"))
        return redirect("coordination:meeting", meeting.pk)
    return _form_response(request, form, meeting)


@route("meetings/<int:pk>/", name="meeting")
def meeting_detail(request, pk):
    meeting = get_object_or_404(
        access.visible_meetings(request.user, Meeting.objects.select_related("coordinator")), pk=pk
    )
    can_record = access.can_record_meeting(request.user, meeting.coordinator_id)
    rows = (
        MeetingItem.objects.filter(meeting=meeting)
        .select_related("item__enterprise", "escalation__leader")
        .order_by("pk")
    )
    hidden = 0
    if not access.sees_every_meeting_item(request.user, meeting):
        visible = issue_access.visible_issue_items(request.user, IssueItem.objects.all())
        all_rows = rows.count()
        rows = rows.filter(item__in=visible)
        hidden = all_rows - rows.count()
    forms_by_row, decision_forms = {}, {}
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        row = get_object_or_404(rows, pk=request.POST.get("row"))
        if request.POST.get("action") == "escalate":
            form = EscalateForm(request.POST, prefix=f"e{row.pk}")
            if form.is_valid():
                try:
                    services.escalate_from_meeting(
                        row,
                        leader=form.cleaned_data["leader"],
                        departments=form.cleaned_data["departments"],
                        request=form.cleaned_data["request"],
                        by=request.user,
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("已按会议决定呈报。"))
                    return redirect("coordination:meeting", meeting.pk)
            forms_by_row[row.pk] = form
        else:
            form = DecisionForm(request.POST, prefix=f"d{row.pk}")
            if form.is_valid():
                services.record_decision(row, form.cleaned_data["decision"], by=request.user)
                return redirect("coordination:meeting", meeting.pk)
            decision_forms[row.pk] = form  # shown again with its error (too long, empty)
    entries = [
        (
            row,
            decision_forms.get(row.pk)
            or DecisionForm(prefix=f"d{row.pk}", initial={"decision": row.decision}),
            forms_by_row.get(row.pk) or EscalateForm(prefix=f"e{row.pk}"),
        )
        for row in rows
    ]
    context = {
        "meeting": meeting,
        "entries": entries,
        "can_record": can_record,
        "hidden_items": hidden,
        "attendees": meeting.attendees.select_related("unit").order_by("unit__sort_order", "name"),
        "places": meeting.places.all(),
    }
    return render(request, "coordination/meeting_detail.html", context)


@route("practices/", name="practices", allow=access.can_view_good_practices)
def practices(request):
    queryset = access.visible_good_practices(request.user, GoodPractice.objects.all())
    kind = request.GET.get("kind", "")
    if kind in GoodPractice.Kind.values:
        queryset = queryset.filter(kind=kind)
    context = {
        "practices": queryset.order_by("-published_on", "-pk")[:100],
        "kind": kind,
        "kinds": GoodPractice.Kind.choices,
    }
    return render(request, "coordination/practices.html", context)


@route("practices/<int:pk>/", name="practice")
def practice_detail(request, pk):
    practice = get_object_or_404(
        access.visible_good_practices(request.user, GoodPractice.objects.all()), pk=pk
    )
    context = {
        "practice": practice,
        "enterprises": practice.enterprises.select_related("place"),
        "items": practice.items.select_related("enterprise"),
        "cadres": practice.cadres.select_related("unit"),
    }
    return render(request, "coordination/practice_detail.html", context)
