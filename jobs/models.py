"""The exactly-once log of reminders, and the in-app notices they leave."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderLog(models.Model):
    """One message to one recipient for one reason: claimed (inserted) before
    anything is sent, so a second run, a second worker or a retry finds the
    row and sends nothing again. Unique on (recipient, kind, period, stage)."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("类别"), max_length=20)
    period = models.CharField(_("期间"), max_length=40, help_text=_("季度（2026Q3）或交办单编号。"))
    stage = models.CharField(_("阶段"), max_length=20)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=200, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.CLAIMED)
    token = models.CharField(
        max_length=32, db_index=True, editable=False, help_text="the run or worker that holds it"
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    sending_since = models.DateTimeField(_("开始发送时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "period", "stage"], name="reminder_once"),
        ]

    def __str__(self):
        return self.subject


class Notice(models.Model):
    """An in-app notice, shown with an unread count in the header."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notices"
    )
    reminder = models.OneToOneField(
        ReminderLog,
        verbose_name=_("提醒"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notice",
    )
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread")]

    def __str__(self):
        return self.subject


class QuarterlyReport(models.Model):
    """A built quarterly resolution-rate report (R16) and its workbook. A row
    exists only for a complete file: the file is written aside and moved into
    place before the row is saved, in one transaction."""

    quarter = models.CharField(_("季度"), max_length=6, db_index=True)
    file = models.FileField(_("文件"), upload_to="reports/")
    size = models.PositiveIntegerField(_("大小（字节）"))
    built_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), on_delete=models.SET_NULL, null=True, blank=True
    )
    version = models.PositiveSmallIntegerField(
        _("版本"), default=0, help_text=_("0：未关账的临时报表；1：关账版；2 起：更正版。")
    )
    corrected_on = models.DateField(_("更正日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("季度报表")
        verbose_name_plural = _("季度报表")
        ordering = ["-quarter", "-version", "-built_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "version"], condition=models.Q(version__gt=0), name="report_version_once"
            )
        ]

    def __str__(self):
        return f"{self.quarter} v{self.version} {self.built_at:%Y-%m-%d %H:%M}"


class PendingTask(models.Model):
    """A task the broker refused (Redis down), kept until it answers again.

    Written by :func:`jobs.queue.enqueue` (a report asked for on a page) and
    by the beat scheduler (a scheduled run that fell due during the outage);
    the scheduler sends the rows on its next tick once the broker is back.
    ``key`` folds repeats together: the same run asked for twice is kept once."""

    key = models.CharField(max_length=64, unique=True, editable=False)
    task = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("参数"), default=list, blank=True)
    kwargs = models.JSONField(_("命名参数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("记下时间"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("重发次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("待发送任务")
        verbose_name_plural = _("待发送任务")
        ordering = ["pk"]

    def __str__(self):
        return self.task
