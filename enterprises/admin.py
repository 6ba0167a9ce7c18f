from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tabular.admin import AliasAdminMixin, LookOnlyHistoryAdmin, RecordAdminMixin, SpreadsheetAdmin

from .forms import CreditCodeField
from .models import (
    ContactSession,
    Enterprise,
    EnterpriseContact,
    Place,
    PlaceAlias,
    SignInCode,
    SignInLog,
)
from .resources import EnterpriseResource, PlaceResource


class PlaceAliasInline(admin.TabularInline):
    """Other names the office writes for the place; imports accept them."""

    model = PlaceAlias
    extra = 1


@admin.register(PlaceAlias)
class PlaceAliasAdmin(AliasAdminMixin, admin.ModelAdmin):
    owner = "place"
    list_filter = ["place"]


@admin.register(Place)
class PlaceAdmin(SpreadsheetAdmin):
    resource_classes = [PlaceResource]
    inlines = [PlaceAliasInline]
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind"]
    search_fields = ["name"]
    ordering = ["sort_order", "name"]


class EnterpriseContactInline(admin.TabularInline):
    """Who signs in for the enterprise with a code sent to the mobile."""

    model = EnterpriseContact
    fields = ["name", "role", "mobile", "is_active"]
    extra = 0


@admin.register(EnterpriseContact)
class EnterpriseContactAdmin(LookOnlyHistoryAdmin):
    list_display = ["name", "enterprise", "role", "mobile", "is_active"]
    list_select_related = ["enterprise"]
    list_filter = ["is_active"]
    search_fields = ["name", "=mobile", "enterprise__name"]
    autocomplete_fields = ["enterprise"]


@admin.register(Enterprise)
class EnterpriseAdmin(SpreadsheetAdmin):
    resource_classes = [EnterpriseResource]
    inlines = [EnterpriseContactInline]
    list_display = ["name", "credit_code", "place", "industry", "employees", "annual_revenue"]
    list_filter = ["place", "industry"]
    list_select_related = ["place"]
    search_fields = ["name", "=credit_code", "legal_representative"]
    autocomplete_fields = ["place"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "credit_code", "place", "address", "industry"]}),
        (
            _("联系方式"),
            {"fields": ["legal_representative", "contact_name", "contact_phone"]},
        ),
        (_("经营情况"), {"fields": ["employees", "annual_revenue", "revenue_year"]}),
        (_("记录"), {"fields": ["created_at", "updated_at"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "credit_code":
            kwargs["form_class"] = CreditCodeField
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# The enterprise pages' sign-in (issue 17, enterprises.signin): records the
# code writes, read here by the office; never a code, a key or their hashes.


@admin.register(SignInLog)
class SignInLogAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["at", "mobile", "outcome", "contact", "address"]
    list_filter = ["outcome"]
    list_select_related = ["contact__enterprise"]
    search_fields = ["=mobile", "=address", "contact__name", "contact__enterprise__name"]
    fields = ["at", "mobile", "outcome", "contact", "address"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(SignInCode)
class SignInCodeAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["mobile", "created_at", "expires_at", "attempts", "used_at", "address"]
    search_fields = ["=mobile", "=address"]
    fields = ["mobile", "created_at", "expires_at", "attempts", "used_at", "address"]  # no code_hash
    show_full_result_count = False


@admin.register(ContactSession)
class ContactSessionAdmin(RecordAdminMixin, admin.ModelAdmin):
    list_display = ["contact", "created_at", "last_seen", "expires_at", "ended_at", "address"]
    list_select_related = ["contact__enterprise"]
    search_fields = ["=contact__mobile", "contact__name", "contact__enterprise__name", "=address"]
    fields = ["contact", "created_at", "last_seen", "expires_at", "ended_at", "address"]  # no key_hash
    show_full_result_count = False
