"""The issue list as the liaison office works it: filters, the timeline,
moving items along their path, referring them, and the problem-list table."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.admin import AuditedAdmin
from tabular.admin import RecordAdminMixin
from tabular.xlsx import download_name, xlsx_response
from visits.quarters import Quarter, recent

from . import access, selectors, services, workflow
from .forms import EscalateForm, MoveForm, ReferForm
from .models import (
    CalendarDay,
    Confirmation,
    EscalationSlip,
    ExtensionRequest,
    HolidayYear,
    IssueEvent,
    IssueItem,
    ProgressEntry,
    ReferralSlip,
    SupervisionSlip,
)
from .spreadsheets import issue_list_workbook


class QuarterReportedFilter(admin.SimpleListFilter):
    title = gettext_lazy("报告季度")
    parameter_name = "quarter"

    def lookups(self, request, model_admin):
        return [(q.label, q.label) for q in reversed(recent(Quarter.of(timezone.localdate()), 8))]

    def queryset(self, request, queryset):
        try:
            quarter = Quarter.parse(self.value()) if self.value() else None
        except ValueError:
            return queryset.none()
        return (
            queryset.filter(reported_on__range=(quarter.first_day, quarter.last_day)) if quarter else queryset
        )


class _OneChoiceFilter(admin.SimpleListFilter):
    """A filter of one choice, ``choice`` shown as ``choice_label``: chosen,
    it keeps the items of :meth:`narrowed` as of today."""

    choice = choice_label = None

    def lookups(self, request, model_admin):
        return [(self.choice, self.choice_label)]

    def queryset(self, request, queryset):
        if self.value() == self.choice:
            return self.narrowed(queryset, timezone.localdate())
        return queryset


class OverdueFilter(_OneChoiceFilter):
    title = gettext_lazy("交办逾期")
    parameter_name = "overdue"
    choice, choice_label = "yes", gettext_lazy("交办单已逾期")

    def narrowed(self, queryset, today):
        return queryset.filter(selectors.overdue_q(today)).distinct()


class NeedsProgressFilter(_OneChoiceFilter):
    """Long-running items owe a progress entry every month until closed."""

    title = gettext_lazy("月度进展")
    parameter_name = "progress"
    choice, choice_label = "due", gettext_lazy("本月需报进展")

    def narrowed(self, queryset, today):
        return queryset.filter(pk__in=selectors.needing_progress(today).values("pk"))


class ProgressEntryInline(admin.TabularInline):
    model = ProgressEntry
    extra = 1
    fields = ["month", "text", "by", "at"]
    readonly_fields = ["by", "at"]


class IssueEventInline(admin.TabularInline):
    model = IssueEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor_name", "from_status", "to_status", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(IssueItem)
class IssueItemAdmin(AuditedAdmin):
    list_display = [
        "enterprise",
        "category",
        "short_description",
        "status",
        "urgency",
        "reporter",
        "reported_on",
    ]
    list_filter = [
        "status",
        "category",
        "urgency",
        QuarterReportedFilter,
        OverdueFilter,
        NeedsProgressFilter,
        "enterprise__place",
        "reporter__unit",
    ]
    list_select_related = ["enterprise", "reporter__unit"]
    search_fields = ["description", "enterprise__name", "=enterprise__credit_code", "reporter__name"]
    autocomplete_fields = ["enterprise", "reporter", "visit"]
    readonly_fields = [
        "status",
        "resolved_on",
        "closing_reason",
        "withdrawal_confirmed",
        "visit_problem",
        "created_at",
    ]
    inlines = [ProgressEntryInline, IssueEventInline]
    actions = ["take_to_office", "export_issue_list"]
    show_full_result_count = False
    date_hierarchy = "reported_on"

    @admin.display(description=gettext_lazy("问题描述"))
    def short_description(self, obj):
        return obj.description[:40]

    def get_queryset(self, request):
        return access.visible_issue_items(request.user, super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            workflow.record_creation(obj, by=request.user, comment=_("市联络办录入"))

    def save_formset(self, request, form, formset, change):
        """Progress entries go through the service, which writes the timeline."""
        entries = formset.save(commit=False)
        for entry in entries:
            if isinstance(entry, ProgressEntry):
                try:
                    services.add_progress(form.instance, text=entry.text, by=request.user, month=entry.month)
                except ValidationError as exc:
                    messages.error(request, "；".join(exc.messages))
            else:
                entry.save()
        formset.save_m2m()
        for obj in formset.deleted_objects:
            obj.delete()

    def get_urls(self):
        return [
            path("<int:pk>/move/", self.admin_site.admin_view(self.move_view), name="issues_issueitem_move"),
            path(
                "<int:pk>/refer/", self.admin_site.admin_view(self.refer_view), name="issues_issueitem_refer"
            ),
            path(
                "<int:pk>/escalate/",
                self.admin_site.admin_view(self.escalate_view),
                name="issues_issueitem_escalate",
            ),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if not access.can_move_items(request.user):
            return super().change_view(request, object_id, form_url, extra_context)
        extra_context["workflow_links"] = format_html(
            '<a class="button" href="{}">{}</a> '
            '<a class="button" href="{}">{}</a> '
            '<a class="button" href="{}">{}</a>',
            reverse("admin:issues_issueitem_move", args=[object_id]),
            _("办理 / 流转"),
            reverse("admin:issues_issueitem_refer", args=[object_id]),
            _("交办给部门"),
            reverse("admin:issues_issueitem_escalate", args=[object_id]),
            _("呈报市级领导"),
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def _item(self, request, pk):
        if not access.can_move_items(request.user):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def move_view(self, request, pk):
        item = self._item(request, pk)
        form = MoveForm(request.POST or None, item=item)

        def do(data):
            workflow.move(item, data["to_status"], by=request.user, **_move_kwargs(form))
            return _("已办理。"), ("admin:issues_issueitem_change", item.pk)

        return self._action_page(request, item, form, _("办理 / 流转"), do)

    def refer_view(self, request, pk):
        item = self._item(request, pk)
        initial = {"working_days": services.default_working_days(item.category)}
        form = ReferForm(request.POST or None, initial=initial)

        def do(data):
            slip = services.refer(item, by=request.user, **data)
            return _("已生成交办单 %(serial)s。") % {"serial": slip.serial}, ("issues:slip", slip.pk)

        return self._action_page(request, item, form, _("交办给部门"), do)

    def escalate_view(self, request, pk):
        item = self._item(request, pk)
        form = EscalateForm(request.POST or None)

        def do(data):
            slip = services.escalate(item, by=request.user, **data)
            return _("已生成呈报单 %(serial)s。") % {"serial": slip.serial}, ("issues:escalation", slip.pk)

        return self._action_page(request, item, form, _("呈报市级领导"), do)

    def _action_page(self, request, item, form, title, do):
        """An item action's page: the form, and on a valid POST ``do`` of its
        data, which answers what it did and where to go next (a URL name and
        its arguments); a refusal (a ValidationError) shows on the form."""
        if request.method == "POST" and form.is_valid():
            try:
                done, (url_name, *args) = do(form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, done)
                return redirect(url_name, *args)
        return self._render(request, item, form, title)

    def _render(self, request, item, form, title):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "item": item,
            "form": form,
            "events": item.events.select_related("actor"),
        }
        return TemplateResponse(request, "admin/issues/item_action.html", context)

    def has_move_permission(self, request):
        """The path's moves, bulk 受理 included, are the office's (``issues.access``):
        an officer, who reads the list, is neither offered nor allowed the action."""
        return access.can_move_items(request.user)

    @admin.action(
        description=gettext_lazy("联络办受理所选问题（单位协调 → 联络办受理）"), permissions=["move"]
    )
    def take_to_office(self, request, queryset):
        moved = 0
        for item in queryset.filter(status=IssueItem.Status.UNIT):
            workflow.move(item, IssueItem.Status.OFFICE, by=request.user, comment=_("批量受理"))
            moved += 1
        self.message_user(request, _("已受理 %(n)d 项；其他状态的事项未改动。") % {"n": moved})

    @admin.action(description=gettext_lazy("导出问题清单（xlsx）"))
    def export_issue_list(self, request, queryset):
        items = queryset.select_related("enterprise__place", "reporter__unit").prefetch_related(
            "referrals__department"
        )
        try:  # the quarter filtered on, else today
            stamp = Quarter.parse(request.GET.get("quarter", "")).label
        except ValueError:
            stamp = f"{timezone.localdate():%Y%m%d}"
        return xlsx_response(
            issue_list_workbook(items), download_name("问题清单", stamp), download_name("issue-list", stamp)
        )


def _move_kwargs(form):
    data = form.cleaned_data
    return {
        "comment": data["comment"],
        "reason": data["reason"],
        "enterprise_confirmed": data["enterprise_confirmed"],
    }


#: how a slip raised on an item was issued: its number, the item, by whom and when
ITEM_SLIP_ISSUE = ["serial", "year", "number", "item", "issued_by", "issued_on"]


@admin.register(ReferralSlip)
class ReferralSlipAdmin(AuditedAdmin):
    list_display = ["serial", "department", "enterprise", "issued_on", "deadline", "status"]
    list_filter = ["status", "year", "department"]
    list_select_related = ["department", "item__enterprise"]
    search_fields = ["serial", "item__enterprise__name"]
    readonly_fields = [
        *ITEM_SLIP_ISSUE,
        "deadline",
        "working_days",
    ]
    # Status, answer and return are the services' (the slip page's actions):
    # the admin shows them and edits only the requirement's wording.
    readonly_fields += [
        "department",
        "status",
        "measures",
        "result",
        "answered_on",
        "accepted_on",
        "return_reason",
    ]
    fields = readonly_fields + ["requirement"]

    @admin.display(description=gettext_lazy("企业"))
    def enterprise(self, obj):
        return obj.item.enterprise.name

    def get_queryset(self, request):
        return access.visible_referral_slips(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # slips are issued from an item (交办给部门), which numbers them


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(admin.ModelAdmin):
    list_display = ["slip", "extra_working_days", "decision", "requested_by", "requested_at"]
    list_filter = ["decision"]
    list_select_related = ["slip", "requested_by"]
    readonly_fields = [
        "slip",
        "reason",
        "extra_working_days",
        "requested_by",
        "decision",
        "decided_by",
        "decided_at",
    ]

    def has_add_permission(self, request):
        return False


class _RecountsDeadlines:
    """Holidays saved or deleted here count the open slips' deadlines again
    (:func:`issues.services.holidays_changed`), and the page says how many
    moved: each one also has a line on its timeline."""

    def _recounted(self, request, years):
        slips = services.holidays_changed(years, by=request.user)
        if slips:
            self.message_user(
                request,
                _("已按新的节假日安排重新计算 %(n)d 张交办单的办理期限：%(serials)s。")
                % {"n": len(slips), "serials": "、".join(s.serial for s in slips)},
                messages.WARNING,
            )


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    fields = ["day", "is_workday", "note"]

    def get_extra(self, request, obj=None, **kwargs):
        return 3 if obj else 12  # a notice sets about a dozen days per festival run


@admin.register(HolidayYear)
class HolidayYearAdmin(_RecountsDeadlines, AuditedAdmin):
    """Staff enter a year's holidays and 调休 workdays from the State
    Council's notice; until they do, that year's deadlines are 暂定."""

    list_display = ["year", "notice", "holidays", "workdays", "entered_by", "entered_at"]
    readonly_fields = ["entered_by", "entered_at"]
    inlines = [CalendarDayInline]

    @admin.display(description=gettext_lazy("放假天数"))
    def holidays(self, obj):
        return obj.days.filter(is_workday=False).count()

    @admin.display(description=gettext_lazy("调休上班天数"))
    def workdays(self, obj):
        return obj.days.filter(is_workday=True).count()

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._recounted(request, [form.instance.year])

    def delete_model(self, request, obj):
        year = obj.year
        super().delete_model(request, obj)
        self._recounted(request, [year])

    def delete_queryset(self, request, queryset):
        years = list(queryset.values_list("year", flat=True))
        super().delete_queryset(request, queryset)
        self._recounted(request, years)


@admin.register(CalendarDay)
class CalendarDayAdmin(_RecountsDeadlines, AuditedAdmin):
    """One day at a time (a local holiday); a year's notice is entered under
    节假日安排（年度）."""

    list_display = ["day", "weekday", "is_workday", "note", "calendar"]
    list_filter = ["is_workday", "calendar"]
    date_hierarchy = "day"
    search_fields = ["note"]

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, obj):
        return "一二三四五六日"[obj.day.weekday()]

    def save_model(self, request, obj, form, change):
        before = form.initial.get("day") if change else None
        super().save_model(request, obj, form, change)
        self._recounted(request, {obj.day.year} | ({before.year} if before else set()))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._recounted(request, [obj.day.year])

    def delete_queryset(self, request, queryset):
        years = {day.year for day in queryset.values_list("day", flat=True)}
        super().delete_queryset(request, queryset)
        self._recounted(request, years)


@admin.register(EscalationSlip)
class EscalationSlipAdmin(AuditedAdmin):
    list_display = ["serial", "leader", "issued_on", "status"]
    list_filter = ["status", "year", "leader"]
    list_select_related = ["leader"]
    search_fields = ["serial", "item__enterprise__name"]
    readonly_fields = [
        *ITEM_SLIP_ISSUE,
        # the services' (instruct, conclude on the slip page):
        "leader",
        "departments",
        "status",
        "instruction",
        "instructed_on",
        "coordination_result",
        "concluded_on",
    ]

    def get_queryset(self, request):
        return access.visible_escalation_slips(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # issued from an item (呈报市级领导), which numbers them


@admin.register(SupervisionSlip)
class SupervisionSlipAdmin(AuditedAdmin):
    """A supervision slip has no life of its own (see :mod:`issues.slip_workflow`):
    issued once by ``services.supervise`` from an overdue referral slip's page,
    then a record, shown here and edited by nobody."""

    list_display = ["serial", "referral", "addressee", "issued_on"]
    list_select_related = ["referral", "addressee"]
    search_fields = ["serial", "referral__serial"]
    readonly_fields = ["serial", "year", "number", "referral", "addressee", "issued_by", "issued_on", "note"]

    def has_add_permission(self, request):
        return False  # issued from an overdue referral slip


class VerdictFilter(admin.SimpleListFilter):
    """The enterprise's verdict, with the ones still awaited (待评价)."""

    title = gettext_lazy("企业评价")
    parameter_name = "verdict"
    PENDING = "pending"

    def lookups(self, request, model_admin):
        return [(self.PENDING, gettext_lazy("待评价")), *Confirmation.Verdict.choices]

    def queryset(self, request, queryset):
        if self.value() == self.PENDING:
            return queryset.filter(verdict="")
        if self.value() in Confirmation.Verdict.values:
            return queryset.filter(verdict=self.value())
        return queryset


@admin.register(Confirmation)
class ConfirmationAdmin(RecordAdminMixin, AuditedAdmin):
    """The enterprises' verdicts on resolutions (issue 17.5), looked at only:
    a verdict is written by ``services.confirm`` (the enterprise's page, or the
    item's page for an answer by phone) or ``services.deem_overdue`` (the job)."""

    list_display = ["item", "verdict_shown", "short_comment", "due_on", "answered_at", "contact"]
    list_filter = [VerdictFilter, "due_on"]
    list_select_related = ["item__enterprise", "contact__enterprise"]
    search_fields = ["item__enterprise__name", "contact__name", "comment"]
    fields = [
        "item",
        "resolved_on",
        "asked_on",
        "due_on",
        "verdict_shown",
        "comment",
        "answered_at",
        "contact",
        "recorded_by",
    ]
    readonly_fields = ["verdict_shown"]

    @admin.display(description=gettext_lazy("企业评价"), ordering="verdict")
    def verdict_shown(self, obj):
        return obj.get_verdict_display() or _("待评价")

    @admin.display(description=gettext_lazy("企业意见"))
    def short_comment(self, obj):
        return obj.comment if len(obj.comment) <= 40 else f"{obj.comment[:40]}…"
