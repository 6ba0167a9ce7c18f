"""Admin behaviour shared by every changelist that imports or exports a sheet."""

from django import forms
from django.core.exceptions import PermissionDenied
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm

from .formats import CSVEncodingError, SafeCSV, SafeXLSX
from .paging import EstimatedCountPaginator
from .uploads import UploadRejected, check_size


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


class SafeImportForm(ImportForm):
    """The upload step: an empty or oversized file is refused before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class SpreadsheetAdmin(SafeExportMixin, ImportExportModelAdmin):
    """Import (all-or-nothing, with preview) and export."""

    import_template_name = "admin/tabular/import.html"
    import_form_class = SafeImportForm

    def add_data_read_fail_error_to_form(self, form, e):
        """Say why the file could not be read, in the user's words."""
        if isinstance(e, UploadRejected | CSVEncodingError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                "无法读取文件：请确认所选格式与文件一致（xlsx 或 csv），且文件未损坏。"
                " / The file could not be read: check it matches the chosen format.",
            )
