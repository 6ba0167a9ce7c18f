from django.contrib import admin

from .models import SmsLog


@admin.register(SmsLog)
class SmsLogAdmin(admin.ModelAdmin):
    """The SMS delivery log: written by messaging.sms, read here."""

    list_display = ["created_at", "mobile", "purpose", "status", "attempts", "backend", "gateway_id"]
    list_filter = ["status", "purpose", "backend"]
    search_fields = ["mobile", "reference"]
    readonly_fields = [f.name for f in SmsLog._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False
