"""What the import remembers between files: the column mappings staff chose;
and what the apps above share for their audit: :class:`Timestamped`, the
times, and :func:`audit_user`, who.

The ground floor's only table. It names no model of the apps above it: an
import kind is a text (the imported model's label, ``enterprises.enterprise``,
see :meth:`tabular.bulk_import.AllOrNothingResource.import_kind`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Timestamped(models.Model):
    """When a row was created and last changed (创建时间, 更新时间), set by
    Django; who changed it is in the row's history."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


def audit_user(label, **options):
    """The user who did something to a row (recorded, wrote, acted on it):
    emptied, not refused, when that user is deleted; no reverse accessor on
    the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        **options,
    )


class ColumnMapping(models.Model):
    """A header the import did not know and what staff chose it means for
    one import kind: one of the kind's columns, or nothing (ignore it). The
    next file of that kind with that header is read so without asking; the
    preview still shows the choice and lets it be changed.

    Written by :func:`tabular.services.remember_columns` (the preview's
    column-mapping step), read by :func:`tabular.selectors.remembered_columns`;
    in the admin only looked at and deleted (a deleted mapping is asked again)."""

    kind = models.CharField(_("导入类型"), max_length=100)
    header = models.CharField(
        _("文件中的列"),
        max_length=200,
        help_text=_("规范化后的列名：全角半角、空格、括号统一，去掉年份和单位。"),
    )
    column = models.CharField(_("对应字段"), max_length=100, blank=True, help_text=_("空白表示忽略这一列。"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("列对应关系修改记录"))

    class Meta:
        verbose_name = _("导入列对应关系")
        verbose_name_plural = _("导入列对应关系")
        ordering = ["kind", "header"]
        constraints = [models.UniqueConstraint(fields=["kind", "header"], name="column_mapping_once")]

    def __str__(self):
        return f"{self.header} → {self.column or _('忽略')}"
