"""The SMS delivery log: one row per text handed to the gateway, with its
outcome, the attempts it took and the gateway's message id."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsLog(models.Model):
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
