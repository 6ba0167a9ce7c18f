"""The liaison office's screens for the six-doubling registry (R17): the
classified databases with the category-list import, the derivation from
revenue, revenue figures, remits, and the departments' plans. Rules live in
:mod:`multiplication.services`; who may do what in :mod:`multiplication.access`."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres import permissions
from cadres.admin import AuditedAdmin, InForceTodayFilter, RemitAdmin
from cadres.models import Unit
from enterprises.models import Enterprise
from tabular.admin import SafeExportMixin, SpreadsheetAdmin

from . import access, services
from .forms import CategoryListConfirmForm, CategoryListImportForm, DerivationForm, MembershipForm
from .models import CategoryRemit, DoublingPlan, Membership, PlanTownTarget, RevenueFigure, member_q
from .resources import CategoryListResource

PREVIEW_ROWS = 200  # as many as templates/multiplication/_list_change.html lists


class InForceFilter(InForceTodayFilter):
    title = gettext_lazy("今天是否在库")
    parameter_name = "in_force"
    options = (("yes", gettext_lazy("在库")), ("no", gettext_lazy("已退出")))

    def in_force(self, queryset, day):
        return queryset.filter(member_q(day))


@admin.register(Membership)
class MembershipAdmin(SpreadsheetAdmin, AuditedAdmin):
    form = MembershipForm
    resource_classes = [CategoryListResource]
    import_form_class = CategoryListImportForm
    confirm_form_class = CategoryListConfirmForm
    import_template_name = "admin/multiplication/membership/import.html"
    import_export_change_list_template = "admin/multiplication/membership/change_list.html"
    list_display = [
        "enterprise",
        "category",
        "started_on",
        "ended_on",
        "source",
        "statistics_year",
        "revenue",
        "certificate_expires_on",
    ]
    list_filter = [InForceFilter, "category", "source", "enterprise__place", "statistics_year"]
    list_select_related = ["enterprise"]
    search_fields = ["enterprise__name", "=enterprise__credit_code", "certificate_number", "stock_code"]
    autocomplete_fields = ["enterprise"]
    date_hierarchy = "started_on"
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["enterprise", "category", "started_on", "ended_on", "end_reason", "source"]}),
        (gettext_lazy("规上、亿元"), {"fields": ["statistics_year", "revenue", "revenue_source"]}),
        (gettext_lazy("外资"), {"fields": ["approval_number", "approval_date"]}),
        (
            gettext_lazy("高新技术"),
            {"fields": ["certificate_number", "certificate_issued_on", "certificate_expires_on"]},
        ),
        (gettext_lazy("股份制"), {"fields": ["converted_on"]}),
        (gettext_lazy("上市"), {"fields": ["exchange", "stock_code", "listed_on"]}),
        (gettext_lazy("其他"), {"fields": ["note", "created_at", "updated_at"]}),
    ]

    def get_import_resource_kwargs(self, request, **kwargs):
        form = kwargs.pop("form", None)
        resource_kwargs = super().get_import_resource_kwargs(request, **kwargs)
        if form is not None and hasattr(form, "list_kwargs"):
            resource_kwargs.update(form.list_kwargs())
        return resource_kwargs

    def import_action(self, request, **kwargs):
        """When the preview lists enterprises missing from the register, the
        confirm form asks which way to go (add them, or leave them out)."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        result, confirm_form = context.get("result"), context.get("confirm_form")
        if confirm_form is not None and getattr(result, "missing_enterprises", None):
            chosen = getattr(result, "missing_choice", "")
            confirm_form.fields["missing"].required = True
            confirm_form.initial["missing"] = chosen or None
        return response

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial.update(import_form.list_kwargs())
        return initial

    def get_urls(self):
        derive = self.admin_site.admin_view(self.derive_view)
        return [path("derive/", derive, name="multiplication_membership_derive"), *super().get_urls()]

    def derive_view(self, request):
        """规上 / 亿元 lists worked out from a year's revenue figures, shown as a
        diff; confirming applies them like an imported list."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DerivationForm(request.POST or None)
        change = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            problem = services.list_date_problem(data["category"], data["effective_on"])
            if problem:
                form.add_error(None, problem)
            else:
                change = services.plan_derivation(data["category"], data["year"], data["effective_on"])
                shown = change.entering[:PREVIEW_ROWS]
                names = Enterprise.objects.in_bulk([m.enterprise_id for m in shown])
                for membership in shown:
                    membership.enterprise = names[membership.enterprise_id]
                if "confirm" in request.POST:
                    try:
                        services.apply_list_change(change, user=request.user)
                    except ValidationError as exc:
                        form.add_error(None, exc)
                    else:
                        messages.success(
                            request,
                            _("已按营业收入认定%(category)s：纳入 %(entering)s 家，退出 %(leaving)s 家。")
                            % {
                                "category": change.category_label,
                                "entering": len(change.entering),
                                "leaving": len(change.leaving),
                            },
                        )
                        return redirect("admin:multiplication_membership_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("由营业收入认定规上、亿元企业"),
            "form": form,
            "change": change,
        }
        return TemplateResponse(request, "admin/multiplication/membership/derive.html", context)


@admin.register(RevenueFigure)
class RevenueFigureAdmin(SafeExportMixin, admin.ModelAdmin):
    list_display = ["enterprise", "year", "revenue", "source", "visit", "recorded_at"]
    list_filter = ["year", "source"]
    list_select_related = ["enterprise", "visit__enterprise"]
    search_fields = ["enterprise__name", "=enterprise__credit_code"]
    autocomplete_fields = ["enterprise"]
    raw_id_fields = ["visit"]
    readonly_fields = ["recorded_at"]


admin.site.register(CategoryRemit, RemitAdmin)


class PlanTownTargetInline(admin.TabularInline):
    model = PlanTownTarget
    extra = 0
    fields = ["place", "baseline_count", "target_count"]
    readonly_fields = ["baseline_count"]

    def has_add_permission(self, request, obj=None):
        return obj is None or not obj.is_approved

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.is_approved

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_approved:
            return ["place", "baseline_count"]
        return self.readonly_fields


#: a plan's title, owner and figures: the list's columns and the form's first fields
PLAN_FIELDS = ["title", "category", "owner", "baseline_date", "baseline_count", "target_date", "target_count"]


@admin.register(DoublingPlan)
class DoublingPlanAdmin(AuditedAdmin):
    inlines = [PlanTownTargetInline]
    list_display = [*PLAN_FIELDS, "status"]
    list_filter = ["category", "status", "owner"]
    list_select_related = ["owner"]
    search_fields = ["title", "owner__name"]
    readonly_fields = ["baseline_count", "status", "approved_at", "approved_by"]
    actions = ["approve"]
    fields = [*PLAN_FIELDS, "measures", "status", "approved_at", "approved_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_approved:
            return [*self.readonly_fields, "category", "owner", "baseline_date"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return (
            obj is None
            or access.changeable_doubling_plans(request.user, DoublingPlan.objects.filter(pk=obj.pk)).exists()
        )

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or access.can_delete_doubling_plan(request.user, obj)

    def delete_model(self, request, obj):
        services.delete_plans([obj], request.user)

    def delete_queryset(self, request, queryset):
        services.delete_plans(queryset, request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = permissions.managed_units(
                request.user, Unit.objects.filter(remits__isnull=False).distinct()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.can_approve_doubling_plans(request.user):
            actions.pop("approve", None)
        return actions

    @admin.action(description=gettext_lazy("批准所选计划（冻结基数）"))
    def approve(self, request, queryset):
        if not access.can_approve_doubling_plans(request.user):
            raise PermissionDenied
        approved = [services.approve_plan(plan, request.user) for plan in queryset]
        self.message_user(
            request,
            _("已批准 %(n)s 项计划，基数已按基数日期统计并冻结。") % {"n": len(approved)},
            messages.SUCCESS,
        )

    def view_on_site(self, obj):
        return reverse("multiplication:overview")
