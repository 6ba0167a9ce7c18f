"""The exactly-once log of reminders, its deliveries by channel, the in-app
notices they leave, and who is reached where (the units' group robots, each
person's chain of channels)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Unit
from tabular.models import Timestamped

from .secrets import SealedField


class ReminderLog(models.Model):
    """One message to one recipient for one reason: claimed (inserted) before
    anything is sent, so a second run, a second worker or a retry finds the
    row and sends nothing again. Unique on (recipient, kind, period, stage);
    a unit's group digest has the unit instead of a person, unique on (unit,
    kind, period, stage). How it went out, channel by channel, is in its
    :class:`ChannelDelivery` rows; its status sums them up."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("待发送")
        SENDING = "sending", _("发送中")
        RETRYING = "retrying", _("等待重试")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败（各渠道均未送达）")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="reminders",
        null=True,
        blank=True,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("接收单位（群）"),
        on_delete=models.CASCADE,
        related_name="reminders",
        null=True,
        blank=True,
        help_text=_("单位群机器人收到的汇总。"),
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
            models.UniqueConstraint(
                fields=["unit", "kind", "period", "stage"],
                condition=Q(unit__isnull=False),
                name="reminder_once_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=True) ^ Q(unit__isnull=True),
                name="reminder_to_a_person_or_a_unit",
            ),
        ]

    def __str__(self):
        return self.subject


class ChannelDelivery(models.Model):
    """One channel of a reminder's chain: the preferred one first, the
    fall-backs after it, each tried only when the one before gave up.

    Inserted with its reminder, in the claim's transaction, unique on
    (reminder, channel, address): a channel is tried for a message once.
    Sending claims the row again with a conditional update (pending → sending
    under a fresh token), so two workers, a second beat or a retry never send
    it twice. A failure is retried after ``CHANNEL_RETRY_SECONDS``; after the
    last, the row is failed and the next one becomes pending."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("备用")
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已送达")
        FAILED = "failed", _("未送达")
        SKIPPED = "skipped", _("无需发送")

    reminder = models.ForeignKey(
        ReminderLog, verbose_name=_("提醒"), on_delete=models.CASCADE, related_name="deliveries"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    channel = models.CharField(_("渠道"), max_length=20)
    address = models.CharField(_("地址"), max_length=254, help_text=_("邮箱、手机号，或群机器人的编号。"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    sending_since = models.DateTimeField(_("开始发送时间"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    receipt = models.CharField(_("回执"), max_length=100, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    token = models.CharField(max_length=32, blank=True, editable=False, help_text="the worker that holds it")

    class Meta:
        verbose_name = _("渠道发送记录")
        verbose_name_plural = _("渠道发送记录")
        ordering = ["reminder", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["reminder", "channel", "address"], name="delivery_once_per_channel"
            ),
            models.UniqueConstraint(fields=["reminder", "position"], name="delivery_position"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["channel", "address", "last_attempt_at"], name="delivery_rate"),
        ]

    def __str__(self):
        return f"{self.channel} {self.address}"


class UnitRobot(Timestamped):
    """A unit's group robot (DingTalk or WeCom): the unit's digest (its
    cadres' unvisited enterprises, its slips due and overdue) goes to the
    group, one message instead of one per cadre. A unit's robots are tried
    in ``position`` order, then its information officer's own channels.

    The webhook (it holds the access token) and the signing secret are
    stored encrypted (:mod:`jobs.secrets`); ``env:NAME`` reads them from
    the environment instead."""

    class Format(models.TextChoices):
        TEXT = "text", _("纯文本")
        MARKDOWN = "markdown", _("Markdown")

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="robots")
    name = models.CharField(_("群名称"), max_length=100)
    channel = models.CharField(_("渠道"), max_length=20, help_text=_("钉钉（浙政钉）或企业微信的群机器人。"))
    webhook = SealedField(_("Webhook 地址"), blank=True)
    secret = SealedField(_("加签密钥"), blank=True)
    message_format = models.CharField(
        _("消息格式"), max_length=10, choices=Format.choices, default=Format.MARKDOWN
    )
    position = models.PositiveSmallIntegerField(
        _("顺序"), default=0, help_text=_("同一单位有多个群时，先发顺序在前的。")
    )
    replaces_personal = models.BooleanField(
        _("代替干部个人的走访提醒"),
        default=True,
        help_text=_("勾选后，本单位干部的季度走访提醒只发到群里（站内通知照常）。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位群机器人")
        verbose_name_plural = _("单位群机器人")
        ordering = ["unit__sort_order", "unit__name", "position", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from . import channels

        if self.channel not in {c.code for c in channels.group_channels()}:
            raise ValidationError({"channel": _("不是可用的群机器人渠道。")})
        if not self.webhook:
            raise ValidationError({"webhook": _("请填写 Webhook 地址。")})


class ChannelPreference(models.Model):
    """A person's channels, preferred first, then the fall-backs, as codes of
    :data:`jobs.channels.REGISTRY` (``sms,email``). Without a row, a person's
    chain is ``REMINDER_CHANNELS``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="channel_preference",
    )
    channels = models.CharField(_("渠道（按先后）"), max_length=100)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("接收渠道")
        verbose_name_plural = _("接收渠道")
        ordering = ["user__username"]

    def __str__(self):
        return str(self.user)

    @property
    def codes(self):
        return [code for code in self.channels.split(",") if code]

    def clean(self):
        from django.core.exceptions import ValidationError

        from . import channels

        known = {c.code for c in channels.person_channels()}
        codes = self.codes
        if not codes:
            raise ValidationError({"channels": _("至少选择一个渠道。")})
        if len(set(codes)) != len(codes):
            raise ValidationError({"channels": _("同一渠道只能选一次。")})
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValidationError({"channels": _("未知的渠道：%(codes)s") % {"codes": "、".join(unknown)}})


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


# -- the SMS delivery log (jobs.sms) --------------------------------------


class SmsLog(models.Model):
    """The SMS delivery log: one row per text handed to the gateway, with its
    outcome, the attempts it took and the gateway's message id."""

    class Status(models.TextChoices):
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    mobile = models.CharField(_("手机号"), max_length=20, db_index=True)
    purpose = models.CharField(
        _("用途"), max_length=30, help_text=_("如 reminder（提醒）、login_code（登录验证码）。")
    )
    reference = models.CharField(
        _("业务编号"), max_length=64, blank=True, help_text=_("发给网关的幂等编号。")
    )
    text = models.TextField(_("内容"), help_text=_("验证码等敏感内容记为隐去后的文字。"))
    backend = models.CharField(_("网关"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=1)
    gateway_id = models.CharField(_("网关消息编号"), max_length=100, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("短信发送记录")
        verbose_name_plural = _("短信发送记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.mobile} {self.created_at:%Y-%m-%d %H:%M}"
