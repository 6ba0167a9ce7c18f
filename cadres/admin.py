"""Admin for units, cadres and pairings, scoped row by row through
:mod:`cadres.permissions` (an information officer sees and changes their own
unit only)."""

import abc

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from tabular.admin import AliasAdminMixin, LookOnlyHistoryAdmin, ReadOnlyPageMixin, SpreadsheetAdmin

from . import permissions, selectors, services, views
from .forms import MobileField
from .models import (
    AreaAssignment,
    Cadre,
    CoordinatorRegion,
    Pairing,
    ServiceItem,
    Unit,
    UnitAlias,
    UnitMembership,
)
from .resources import ArrangementResource, CadreResource, PairingResource, UnitResource


class ChangeDisplay(HistoricalRecordContextHelper):
    """The list of changes reads as the forms do: an empty value as "—", not
    "None"; a coded choice by its label (联络办受理, not ``office``); yes/no as
    是/否; a link by the linked row's name, not its id."""

    def prepare_delta_change_value(self, change, value):
        if isinstance(value, DeletedObject):  # a link that was empty, or to a row since deleted
            value = value.pk
        elif isinstance(value, models.Model):
            return str(value)
        if value is None or value == "":
            return "—"
        field = self.model._meta.get_field(change.field)
        if getattr(field, "flatchoices", None):
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.BooleanField):
            return _("是") if value else _("否")
        if isinstance(field, models.ForeignKey):
            linked = field.related_model._base_manager.filter(pk=value).first()
            return str(linked) if linked is not None else value
        return super().prepare_delta_change_value(change, value)


class AuditedAdmin(LookOnlyHistoryAdmin):
    """Who changed what and when (django-simple-history), read-only and
    within the rows the user may see.

    Left alone, the package shows a row's history to anyone with the table's
    view right even when the row is outside their scope (it falls back to the
    historical copy). Here a row the user may not see is treated like a
    missing one, as every other admin page treats it; old versions are only
    looked at (:class:`tabular.admin.LookOnlyHistoryAdmin`): corrections go
    through the change form, where the scope and the services' rules apply.
    The history of a deleted row (who deleted it) is for liaison staff."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangeDisplay(self.model, historical_record)

    def _hidden(self, request, object_id):
        return (
            not permissions.is_liaison_staff(request.user)
            and self.get_object(request, unquote(object_id)) is None
        )

    def history_view(self, request, object_id, extra_context=None):
        if self._hidden(request, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "GET" and self._hidden(request, object_id):
            return self._get_obj_does_not_exist_redirect(request, self.opts, unquote(object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)


class InForceTodayFilter(admin.SimpleListFilter, metaclass=abc.ABCMeta):
    """Rows in force today, or no longer: a subclass names its two
    ``options`` (in force first) and :meth:`in_force`, the rows of a
    queryset in force on a day."""

    options = ()

    def lookups(self, request, model_admin):
        return list(self.options)

    @abc.abstractmethod
    def in_force(self, queryset, day):
        """The rows of ``queryset`` in force on ``day``."""

    def queryset(self, request, queryset):
        (in_force, _label), (ended, _label) = self.options
        today = timezone.localdate()
        if self.value() == in_force:
            return self.in_force(queryset, today)
        if self.value() == ended:
            return queryset.exclude(pk__in=self.in_force(queryset, today).values("pk"))
        return queryset


class RemitAdmin(admin.ModelAdmin):
    """Which unit takes which category (of problem, or of the registry)."""

    list_display = ["category", "unit"]
    list_filter = ["category"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]


class ScopedAdminMixin:
    """Rows come from ``visible``; the change and delete buttons need ``changeable``."""

    visible = staticmethod(lambda user, queryset: queryset)
    changeable = staticmethod(lambda user, queryset: queryset)

    def get_queryset(self, request):
        return self.visible(request.user, super().get_queryset(request))

    def _may_change(self, request, obj):
        return self.changeable(request.user, self.model._default_manager.filter(pk=obj.pk)).exists()

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._may_change(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._may_change(request, obj))


class UnitAliasInline(admin.TabularInline):
    """Other names the office writes for the unit; imports accept them."""

    model = UnitAlias
    extra = 1


@admin.register(UnitAlias)
class UnitAliasAdmin(AliasAdminMixin, AuditedAdmin):
    """Names a spreadsheet may give a unit (经信局, 市经济和信息化局): the
    cadre import and Attachment 2 read them as the unit (see
    :mod:`cadres.aliases`)."""

    owner = "unit"
    list_filter = ["unit__kind"]


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, SpreadsheetAdmin):
    visible = staticmethod(permissions.visible_units)
    changeable = staticmethod(permissions.changeable_units)
    resource_classes = [UnitResource]
    list_display = ["name", "kind", "place", "principal_leader", "deputy_in_charge", "information_officer"]
    list_filter = ["kind"]
    list_select_related = ["place", "principal_leader", "deputy_in_charge", "information_officer"]
    search_fields = ["name"]
    autocomplete_fields = ["place", "principal_leader", "deputy_in_charge", "information_officer"]
    ordering = ["sort_order", "name"]
    inlines = [UnitAliasInline]


class CadreForm(forms.ModelForm):
    """A change of unit is a move (:func:`cadres.services.move_cadre`), dated:
    today unless staff give the day it took effect, with a reason."""

    moved_on = forms.DateField(
        label=_("调动生效日期"),
        required=False,
        help_text=_("修改所在单位时填写：调入新单位的日期，留空为今天。此前的走访、问题仍计入原单位。"),
    )
    move_reason = forms.CharField(label=_("调动原因"), max_length=200, required=False)

    class Meta:
        model = Cadre
        fields = ["name", "unit", "rank", "title", "is_leadership_member", "is_coordinator", "mobile",
                  "email", "is_active", "user"]  # fmt: skip

    def moved(self):
        return self.instance.pk is not None and "unit" in self.changed_data

    def clean(self):
        cleaned = super().clean()
        if self.moved():
            try:
                services.check_move(self.instance, cleaned.get("moved_on") or timezone.localdate())
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class MembershipInline(admin.TabularInline):
    """The cadre's units over time, as the moves wrote them (read-only)."""

    model = UnitMembership
    fields = ["unit", "valid_from", "valid_to", "reason", "recorded_by", "recorded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Cadre)
class CadreAdmin(ReadOnlyPageMixin, ScopedAdminMixin, SpreadsheetAdmin):
    visible = staticmethod(permissions.visible_cadres)
    changeable = staticmethod(permissions.changeable_cadres)
    resource_classes = [CadreResource]
    form = CadreForm
    inlines = [MembershipInline]
    list_display = [name for name in CadreResource._meta.fields if name != "email"]  # the register's columns
    list_filter = ["rank", "unit__kind", "is_leadership_member", "is_coordinator", "is_active", "unit"]
    list_select_related = ["unit"]
    search_fields = ["name", "=mobile", "unit__name"]
    autocomplete_fields = ["unit", "user"]
    readonly_fields = ["created_at", "updated_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = permissions.managed_units(request.user, Unit.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "mobile":
            kwargs["form_class"] = MobileField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("unit"), distinct

    def save_model(self, request, obj, form, change):
        """A changed unit goes through the move (dated membership); the other
        fields are saved as the form has them."""
        if form.moved():
            services.move_cadre(
                obj,
                unit=obj.unit,
                on=form.cleaned_data.get("moved_on"),
                reason=form.cleaned_data.get("move_reason", ""),
                by=request.user,
            )
        super().save_model(request, obj, form, change)


@admin.register(AreaAssignment)
class AreaAssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    visible = staticmethod(permissions.visible_assignments)
    list_display = ["cadre", "place"]
    list_select_related = ["cadre__unit", "place"]
    list_filter = ["place"]
    autocomplete_fields = ["cadre", "place"]
    search_fields = ["cadre__name", "place__name"]


@admin.register(CoordinatorRegion)
class CoordinatorRegionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    visible = staticmethod(permissions.visible_assignments)
    list_display = ["cadre", "place"]
    list_select_related = ["cadre__unit", "place"]
    autocomplete_fields = ["cadre", "place"]
    search_fields = ["cadre__name", "place__name"]


class PairingForm(forms.ModelForm):
    class Meta:
        model = Pairing
        fields = [
            "cadre",
            "enterprise",
            "kind",
            "start_date",
            "end_date",
            "ended_on",
            "ended_reason",
        ]

    def _post_clean(self):
        # The model's own rules run in super(); then the rules that need other
        # rows (overlap, 包片 area), shared with the import and the services.
        super()._post_clean()
        if self.errors:
            return
        try:
            services.validate_pairing(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


class ActiveOnTodayFilter(InForceTodayFilter):
    title = _("状态")
    parameter_name = "state"
    options = (("active", _("在期")), ("ended", _("已结束")))

    def in_force(self, queryset, day):
        return queryset.active_on(day)


class PairingUnitFilter(admin.SimpleListFilter):
    """结对单位: the unit of the pairing's cadre, among every unit that has
    cadres (not only the departments), scoped to what the user may see."""

    title = _("结对单位")
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        return [
            (str(pk), name)
            for pk, name in selectors.units_with_cadres(request.user).values_list("pk", "name")
        ]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if not self.value().isdigit():
            return queryset.none()
        return queryset.filter(cadre__unit_id=int(self.value()))


@admin.register(Pairing)
class PairingAdmin(ScopedAdminMixin, SpreadsheetAdmin, AuditedAdmin):
    visible = staticmethod(permissions.visible_pairings)
    changeable = staticmethod(permissions.changeable_pairings)
    form = PairingForm
    resource_classes = [PairingResource, ArrangementResource]
    list_display = ["cadre", "enterprise", "kind", "start_date", "end_date", "ended_on", "enterprise_place"]
    list_filter = [ActiveOnTodayFilter, "kind", "cadre__unit__kind", "enterprise__place", PairingUnitFilter]
    list_select_related = ["cadre__unit", "enterprise__place"]
    search_fields = ["cadre__name", "=cadre__mobile", "enterprise__name", "=enterprise__credit_code"]
    autocomplete_fields = ["cadre", "enterprise"]
    date_hierarchy = "start_date"
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description=_("企业所在地"), ordering="enterprise__place__name")
    def enterprise_place(self, obj):
        return obj.enterprise.place.name

    def save_model(self, request, obj, form, change):
        before = form.initial.get("ended_on") if change else None
        super().save_model(request, obj, form, change)
        services.note_early_end(obj, before, by=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cadre":
            kwargs["queryset"] = permissions.changeable_cadres(request.user, Cadre.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_urls(self):
        return [
            path(
                "compliance/",
                self.admin_site.admin_view(self.compliance_view),
                name="cadres_pairing_compliance",
            ),
        ] + super().get_urls()

    def compliance_view(self, request):
        """结对合规 inside the admin: the same sections as the staff page."""
        return views.render_compliance(
            request,
            "admin/cadres/compliance.html",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "title": _("结对合规")},
        )


@admin.register(ServiceItem)
class ServiceItemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    visible = staticmethod(permissions.visible_service_items)
    changeable = staticmethod(permissions.changeable_service_items)
    list_display = ["title", "unit", "contact_name", "contact_phone"]
    list_select_related = ["unit"]
    list_filter = ["unit"]
    search_fields = ["title", "description", "unit__name"]
    autocomplete_fields = ["unit"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = permissions.managed_units(
                request.user, Unit.objects.filter(kind=Unit.Kind.DEPARTMENT)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
