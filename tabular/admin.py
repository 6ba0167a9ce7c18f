"""Admin behaviour shared by every changelist that imports or exports a sheet."""

import os
from contextlib import suppress

from django import forms
from django.apps import apps as django_apps
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .formats import CSVEncodingError, SafeCSV, SafeODS, SafeXLS, SafeXLSX
from .import_template import template_workbook
from .models import ColumnMapping
from .paging import EstimatedCountPaginator
from .preview_store import PreviewRefused, PreviewTarget, checksum
from .uploads import UploadRejected, check_size
from .xlsx import XLSX_CONTENT_TYPE, content_disposition, download_name


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
        # The printed sheet's title: the register and the day (the CSV has none).
        data.title = _("%(register)s（%(day)s 导出）") % {
            "register": self.model._meta.verbose_name_plural,
            "day": f"{timezone.localdate():%Y-%m-%d}",
        }
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
    # Exports stay xlsx and csv; imports also read what offices still save.
    import_formats = [SafeXLSX, SafeCSV, SafeXLS, SafeODS]

    def add_data_read_fail_error_to_form(self, form, e):
        """Say why the file could not be read, in the user's words."""
        if isinstance(e, UploadRejected | CSVEncodingError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                "无法读取文件：请确认所选格式与文件一致（xlsx、csv、xls 或 ods），且文件未损坏。"
                " / The file could not be read: check it matches the chosen format.",
            )

    # -- a template per import kind ------------------------------------------

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        template = self.admin_site.admin_view(self.import_template_view)
        columns = self.admin_site.admin_view(self.import_columns_view)
        return [
            path("import/template/", template, name=f"{prefix}_import_template"),
            path("import/columns/", columns, name=f"{prefix}_import_columns"),
            *super().get_urls(),
        ]

    # -- columns the import did not know: staff map them, once per kind ------

    def import_columns_view(self, request):
        """Remember, for the import kind chosen on the upload form, which of
        its columns a header means (or that it is to be ignored): the next
        upload of a file with that header reads it so, whoever uploads it
        (:func:`tabular.services.remember_columns`)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(reverse(f"admin:{self._prefix()}_import"))
        resource_classes = self.get_import_resource_classes(request)
        index = request.POST.get("resource", "")
        resource_class = resource_classes[
            int(index) if index.isdigit() and int(index) < len(resource_classes) else 0
        ]
        resource = resource_class(**self.get_import_resource_kwargs(request))
        allowed = {f.column_name for f in resource.get_import_fields() if not f.readonly}
        choices = dict(zip(request.POST.getlist("header"), request.POST.getlist("column"), strict=False))
        taken = services.remember_columns(
            resource_class.import_kind(), choices, allowed=allowed, by=request.user
        )
        if taken:
            chosen = "；".join(f"{header} → {column or _('忽略')}" for header, column in taken)
            messages.success(
                request, _("已记住列的对应关系：%(chosen)s。请重新上传文件。") % {"chosen": chosen}
            )
        return HttpResponseRedirect(reverse(f"admin:{self._prefix()}_import"))

    def _prefix(self):
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}"

    def import_template_view(self, request):
        """The columns this import reads, an example row and a sheet of notes."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource_class = self.get_import_resource_classes(request)[0]
        resource = resource_class(**self.get_import_resource_kwargs(request))
        title = f"{self.model._meta.verbose_name_plural}导入模板"
        response = HttpResponse(template_workbook(resource, title), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition(
            download_name(title, ext="xlsx"),
            download_name(f"{self.model._meta.model_name}-template", ext="xlsx"),
        )
        return response

    # -- the preview's rows, kept for the confirm ------------------------------

    def _stored_file(self, name):
        """The admin's temporary storage of the upload ``name`` (or of its
        stored preview, ``name + ".preview"``)."""
        return self.get_tmp_storage_class()(name=name, read_mode="rb", **self.get_tmp_storage_class_kwargs())

    def get_import_data_kwargs(self, **kwargs):
        """At the preview, where its validated rows go for the confirm (a
        resource that ``stores_preview`` keeps them there)."""
        data_kwargs = super().get_import_data_kwargs(**kwargs)
        form = kwargs.get("form")
        upload = getattr(form, "cleaned_data", {}).get("import_file")
        name = getattr(upload, "tmp_storage_name", None)
        if name:
            stored = PreviewTarget(self._stored_file(f"{name}.preview"), upload=self._stored_file(name))
            data_kwargs["preview_store"] = stored
        return data_kwargs

    # -- confirm tells the truth ---------------------------------------------

    def process_import(self, request, **kwargs):
        """The confirm step. A resource that ``stores_preview`` writes the
        rows its preview validated, unless the stored preview was altered or
        is not this upload's (refused, nothing written) or the database
        changed beneath them since. Otherwise, as for any resource, the file
        is read and checked again; if anything fails now (the data changed
        since the preview, a row refused by the database), nothing was written
        and the page says so, row by row — never "导入成功"."""
        name = ""
        if request.method == "POST" and self.has_import_permission(request):
            name = request.POST.get("import_file_name", "")
        try:
            return self._confirm_stored(request, **kwargs) or super().process_import(request, **kwargs)
        except (UploadRejected, CSVEncodingError) as exc:
            return self._confirm_failed(request, None, str(exc))
        finally:
            self._remove_stored(name)

    def _confirm_stored(self, request, **kwargs):
        """The response of a confirm from the stored preview, or None to read
        and check the file again."""
        if request.method != "POST" or not self.has_import_permission(request):
            return None  # the library's view answers
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return None
        resource_kwargs = self.get_import_resource_kwargs(request, form=form, **kwargs)
        resource = self.choose_import_resource_class(form, request)(**resource_kwargs)
        if not getattr(resource, "stores_preview", False):
            return None
        name = form.cleaned_data["import_file_name"]
        try:
            blob = self._stored_file(f"{name}.preview").read()
            upload = checksum(self._stored_file(name).read())
        except (OSError, TypeError):
            return None  # none kept (an older preview): the file is checked again
        try:
            result = resource.import_stored(
                blob, upload, user=request.user, file_name=form.cleaned_data["original_file_name"]
            )
        except PreviewRefused as exc:
            self._remove_stored(name, upload=True)
            return self._confirm_failed(request, None, str(exc))
        if result is None:
            return None  # the database changed beneath the rows: check the file again
        self._remove_stored(name, upload=True)
        return self.process_result(result, request)

    def _remove_stored(self, name, upload=False):
        """The stored preview of the upload ``name`` removed (and the upload
        too with ``upload``)."""
        name = os.path.basename(name or "")
        for stored in (f"{name}.preview", name)[: 2 if upload else 1] if name else ():
            with suppress(OSError, TypeError):
                self._stored_file(stored).remove()

    def generate_log_entries(self, result, request):
        """One entry in the admin's log per import, not one per row (the
        library's default, about half a 100,000-row confirm): who imported
        which file, with the totals. A model that keeps a change history has
        its history rows as well, one per row, naming the importer
        (:meth:`tabular.bulk_import.AllOrNothingResource.save_rows`)."""
        if self.get_skip_admin_log():
            return
        totals = result.totals
        if not (totals["new"] or totals["update"]):
            return
        file_name = getattr(result, "file_name", None) or ""
        what = {"register": self.model._meta.verbose_name_plural, "file": file_name}
        LogEntry.objects.create(
            user_id=request.user.pk,
            content_type_id=ContentType.objects.get_for_model(self.model).pk,
            object_id=None,
            object_repr=(_("导入%(register)s %(file)s") % what)[:200],
            action_flag=ADDITION if totals["new"] and not totals["update"] else CHANGE,
            change_message=_("通过导入新增 %(new)s 条，更新 %(update)s 条，%(skip)s 条没有变化。")
            % {"new": totals["new"], "update": totals["update"], "skip": totals["skip"]},
        )

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            return self._confirm_failed(request, result, None)
        return super().process_result(result, request)

    def _confirm_failed(self, request, result, reason):
        messages.error(
            request,
            _("导入未完成，未写入任何数据：%(reason)s")
            % {"reason": reason or _("确认时校验未通过，原因见下。请改正文件后重新上传。")},
        )
        form = self.get_import_form_class(request)(
            self.get_import_formats(),
            self.get_import_resource_classes(request),
            initial=self.get_import_form_initial(request),
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("导入"),
            "form": form,
            "opts": self.model._meta,
            "result": result,
            "confirm_failed": True,
            "import_error_display": self.import_error_display,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context, status=200)

    def add_success_message(self, result, request):
        totals = result.totals
        skipped = len(getattr(result, "total_rows_skipped", []) or [])
        values = {
            "register": self.model._meta.verbose_name_plural,
            "new": totals["new"],
            "update": totals["update"],
            "skip": totals["skip"],
            "totals": skipped,
        }
        if skipped:
            message = _(
                "已导入%(register)s：新增 %(new)s 条，更新 %(update)s 条，%(skip)s 条没有变化，"
                "跳过合计行 %(totals)s 行。"
            )
        else:
            message = _("已导入%(register)s：新增 %(new)s 条，更新 %(update)s 条，%(skip)s 条没有变化。")
        messages.success(request, message % values)


class AliasAdminMixin:
    """The admin of another name a sheet may give a row (a place, a unit), the
    name an import reads as that row: ``owner`` is the field naming the row;
    the list shows, searches and picks the row by name."""

    owner = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.list_display = ["name", cls.owner]
        cls.list_select_related = [cls.owner]
        cls.search_fields = ["name", f"{cls.owner}__name"]
        cls.autocomplete_fields = [cls.owner]


class RecordAdminMixin:
    """The admin of a record written only by the code that keeps it (a log, a
    code, a session, a verdict): looked at by those with the table's view
    right, never added, changed or deleted here, even by a superuser."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyPageMixin:
    """A row the user may look at but not change is shown as the record: the
    inputs its form adds to the model's fields (a correction's reason, a
    move's date) have no value on such a page, where the admin would print
    "None" for each."""

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fields
        shown = {f.name for f in self.model._meta.get_fields()} | set(self.get_readonly_fields(request, obj))
        return [name for name in fields if name in shown]


class LookOnlyHistoryAdmin(SimpleHistoryAdmin):
    """A change history (django-simple-history) that is only looked at.

    Left alone, the package saves a POSTed "revert" of an old version on a
    view right alone; here an old version is shown as text and never saved
    back: corrections go through the change form (or the page that writes
    the row), where the rules apply."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        request.viewing_old_version = True  # shown as text, not as a form
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not getattr(request, "viewing_old_version", False):
            return readonly
        opts = self.model._meta
        fields = (f.name for f in (*opts.fields, *opts.many_to_many) if f.editable and not f.primary_key)
        return [*readonly, *(name for name in fields if name not in readonly)]


@admin.register(ColumnMapping)
class ColumnMappingAdmin(LookOnlyHistoryAdmin):
    """The column mappings the import remembers, per import kind. Chosen on
    the import's preview (never added or edited here); deleting one has the
    header asked again on the next upload."""

    list_display = ["header", "chosen", "kind_name", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["header", "column"]
    readonly_fields = ["kind", "header", "column", "updated_at"]

    @admin.display(description=_lazy("导入类型"), ordering="kind")
    def kind_name(self, obj):
        """The imported table's name (``企业`` for ``enterprises.enterprise``)."""
        try:
            return django_apps.get_model(obj.kind)._meta.verbose_name_plural
        except (LookupError, ValueError):
            return obj.kind

    @admin.display(description=_lazy("对应字段"), ordering="column")
    def chosen(self, obj):
        return obj.column or _("忽略")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
