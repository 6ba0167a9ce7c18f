"""Feedback forms in the admin: staff correct submitted forms here, and every
change is kept (who, when, what) by django-simple-history."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from cadres.admin import AuditedAdmin, RemitAdmin
from tabular.admin import ReadOnlyPageMixin, SafeExportMixin

from . import access, services
from .models import ProblemRemit, Visit, VisitProblem
from .quarters import Quarter, recent
from .resources import VisitResource


class QuarterFilter(admin.SimpleListFilter):
    """The rows of one of the last eight quarters by the day in ``date_field``
    (a visit's date here; a subclass names another field and its title)."""

    title = _("季度")
    parameter_name = "quarter"
    date_field = "visit_date"

    def lookups(self, request, model_admin):
        return [(q.label, q.label) for q in reversed(recent(Quarter.of(timezone.localdate()), 8))]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            quarter = Quarter.parse(self.value())
        except ValueError:
            return queryset.none()
        return queryset.filter(**{f"{self.date_field}__range": (quarter.first_day, quarter.last_day)})


class VisitProblemInline(admin.TabularInline):
    model = VisitProblem
    extra = 0


class CorrectionForm(forms.ModelForm):
    """A staff correction may say why: a change that moves a closed quarter's
    figures is recorded with it as a pending correction (issue 16). The
    admin makes it a form of every field of the visit, as its own default."""

    correction_reason = forms.CharField(
        label=_("更正原因"),
        max_length=500,
        required=False,
        help_text=_("更正已关账季度的走访日期等内容时，请说明原因，将记入待更正。"),
    )


@admin.register(Visit)
class VisitAdmin(ReadOnlyPageMixin, SafeExportMixin, ExportMixin, AuditedAdmin):
    form = CorrectionForm
    resource_classes = [VisitResource]
    list_display = ["enterprise", "cadre", "visit_date", "mode", "status", "enterprise_place"]
    list_filter = [QuarterFilter, "status", "mode", "cadre__unit", "enterprise__place"]
    list_select_related = ["enterprise__place", "cadre__unit"]
    search_fields = ["enterprise__name", "=enterprise__credit_code", "cadre__name"]
    autocomplete_fields = ["cadre", "pairing", "enterprise", "companions"]
    # The status is the services': a draft is submitted by its cadre (R9
    # checks, credits, items), never by setting a field here.
    readonly_fields = ["status", "submitted_at", "created_at", "updated_at"]
    inlines = [VisitProblemInline]
    date_hierarchy = "visit_date"

    @admin.display(description=_("所在镇（街道）"), ordering="enterprise__place__name")
    def enterprise_place(self, obj):
        return obj.enterprise.place.name

    def get_queryset(self, request):
        return access.visible_visits(request.user, super().get_queryset(request))

    def has_change_permission(self, request, obj=None):
        """A draft is its cadre's own (R9): staff see it here, and correct a
        form only once it is submitted (``Visit.ACTIONS``)."""
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.allows("correct"))

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("companions", "problems")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.corrected(request, form.instance, reason=form.cleaned_data.get("correction_reason", ""))

    def corrected(self, request, visit, *, reason=""):
        """A staff correction was saved: keep the counting in step (R7). The
        site's admin (tongxiang_liaison.admin) also hands the corrected form
        over to the issue list and the registry."""
        services.correct_visit(visit, by=request.user, reason=reason)


admin.site.register(ProblemRemit, RemitAdmin)
