from django.contrib import admin

from cadres import permissions

from .models import IssueItem


@admin.register(IssueItem)
class IssueItemAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "category", "status", "reporter", "created_at"]
    list_filter = ["status", "category", "enterprise__place", "reporter__unit"]
    list_select_related = ["enterprise", "reporter__unit"]
    search_fields = ["description", "enterprise__name", "=enterprise__credit_code"]
    autocomplete_fields = ["enterprise", "reporter", "visit"]
    readonly_fields = ["visit_problem", "created_at", "updated_at"]
    show_full_result_count = False

    def get_queryset(self, request):
        return permissions.visible_issue_items(request.user, super().get_queryset(request))
