"""The issue list (问题清单, R11): the electronic database of enterprise problems.

Items come from submitted visit forms (one per problem row), from the admin
and from imports. The escalation workflow (R13, R14) builds on ``status``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre
from enterprises.models import Enterprise
from visits.models import ProblemCategory, Visit, VisitProblem


class IssueItem(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("新提交")
        CONTACT = "contact", _("联系人办理")
        UNIT = "unit", _("单位协调")
        OFFICE = "office", _("联络办受理")
        REFERRED = "referred", _("已交办")
        ESCALATED = "escalated", _("已呈报")
        RESOLVED = "resolved", _("已解决")
        UNSOLVABLE = "unsolvable", _("无法解决")
        WITHDRAWN = "withdrawn", _("已撤回")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="issue_items"
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("来源走访"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issue_items",
    )
    visit_problem = models.OneToOneField(
        VisitProblem,
        verbose_name=_("来源问题行"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issue_item",
    )
    reporter = models.ForeignKey(
        Cadre,
        verbose_name=_("报告干部"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issue_items",
    )
    category = models.CharField(_("问题类别"), max_length=12, choices=ProblemCategory.choices)
    description = models.TextField(_("问题描述"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("问题清单事项")
        verbose_name_plural = _("问题清单")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="issue_status_created")]

    def __str__(self):
        return f"{self.enterprise}：{self.get_category_display()}"
