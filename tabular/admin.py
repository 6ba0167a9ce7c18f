"""Admin behaviour shared by every changelist that imports or exports a sheet."""

from django.core.exceptions import PermissionDenied
from import_export.admin import ImportExportModelAdmin

from .formats import SafeCSV, SafeXLSX
from .paging import EstimatedCountPaginator


class SafeExportMixin:
    """For large registers exported to spreadsheets.

    - the user reaches the resource, which scopes its lookups;
    - xlsx exports keep numbers and dates as such (the library decides that by
      exact class, which our safe formats are not);
    - changelists never count a whole large table (see :mod:`tabular.paging`).
    """

    formats = [SafeXLSX, SafeCSV]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**kwargs, "user": request.user}

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(
            request, queryset, force_native_type=isinstance(file_format, SafeXLSX), **kwargs
        )
        return file_format.export_data(data)


class SpreadsheetAdmin(SafeExportMixin, ImportExportModelAdmin):
    """Import (all-or-nothing, with preview) and export."""

    import_template_name = "admin/tabular/import.html"
