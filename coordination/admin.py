"""The liaison office's screens for meetings (R2) and good practices (R19)."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.admin import AuditedAdmin

from .models import GoodPractice, Meeting, MeetingItem


class MeetingItemInline(admin.TabularInline):
    model = MeetingItem
    extra = 0
    raw_id_fields = ["item"]
    readonly_fields = ["escalation"]


@admin.register(Meeting)
class MeetingAdmin(AuditedAdmin):
    inlines = [MeetingItemInline]
    list_display = ["held_on", "coordinator", "quarter", "location"]
    list_filter = ["quarter", "coordinator"]
    list_select_related = ["coordinator"]
    search_fields = ["coordinator__name", "topics", "decisions"]
    date_hierarchy = "held_on"
    filter_horizontal = ["places", "attendees"]
    readonly_fields = ["quarter", "recorded_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        if obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)

    def view_on_site(self, obj):
        return reverse("coordination:meeting", args=[obj.pk])


@admin.register(GoodPractice)
class GoodPracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "published_on", "author"]
    list_filter = ["kind", ("published_on", admin.EmptyFieldListFilter)]
    list_select_related = ["author"]
    search_fields = ["title", "summary", "body"]
    autocomplete_fields = ["enterprises", "cadres"]
    raw_id_fields = ["items"]
    readonly_fields = ["author", "created_at", "updated_at"]
    actions = ["publish"]

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("今天发布所选经验"))
    def publish(self, request, queryset):
        queryset.filter(published_on__isnull=True).update(published_on=timezone.localdate())

    def view_on_site(self, obj):
        return reverse("coordination:practice", args=[obj.pk])
