"""Admin behaviour shared by every changelist that imports or exports a sheet."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm

from .formats import CSVEncodingError, SafeCSV, SafeXLSX
from .paging import EstimatedCountPaginator
from .uploads import UploadRejected, check_size
from .xlsx import content_disposition, download_name


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

    def get_export_filename(self, request, queryset, file_format):
        """``结对联系-20261202.xlsx``: the register's Chinese name and the day."""
        return download_name(
            self.model._meta.verbose_name_plural,
            f"{timezone.localdate():%Y%m%d}",
            ext=file_format.get_extension(),
        )

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        """The library's response, named like every other download of the
        site (RFC 5987 ``filename*``, an English ``filename`` beside it)."""
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        response["Content-Disposition"] = content_disposition(
            self.get_export_filename(request, queryset, file_format),
            download_name(
                self.model._meta.model_name, f"{timezone.localdate():%Y%m%d}", ext=file_format.get_extension()
            ),
        )
        return response


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
