"""Visits and the feedback form (Attachment 1: 活动情况反馈表), R7–R9, R11."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre, Pairing, Unit
from enterprises.models import Enterprise
from tabular.inputs import PROBLEM, SITUATION
from tabular.models import Timestamped


class VisitMode(models.TextChoices):
    ONSITE = "onsite", _("上门走访")
    MEETING = "meeting", _("座谈")
    PHONE = "phone", _("电话")


# R7: only on-site visits and meetings count as the quarter's visit.
COUNTING_MODES = (VisitMode.ONSITE, VisitMode.MEETING)


class ProblemCategory(models.TextChoices):
    """R11: how problems are classified on the issue list."""

    LABOUR = "labour", _("用工")
    ENVIRONMENT = "environment", _("环保")
    FUNDING = "funding", _("资金")
    TECHNOLOGY = "technology", _("技术")
    TALENT = "talent", _("人才")
    MARKET = "market", _("市场")
    UPGRADING = "upgrading", _("退低进高/转型升级")
    OTHER = "other", _("其他")


AMOUNT = {
    "max_digits": 14,
    "decimal_places": 2,
    "null": True,
    "blank": True,
    "validators": [MinValueValidator(0)],
}


class Visit(Timestamped):
    """One visit by a cadre to a paired enterprise, and the form filed after it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    # The form's life (R9), as a table of actions: from which statuses, and to
    # which (None: it stays as it is). Its cadre saves the draft again and again
    # and submits it once (visits.services); a draft is its cadre's own; a
    # submitted form is read-only to its cadre and never a draft again; liaison
    # staff correct a submitted form in the admin, with history. Who may take
    # each: visits.access.visit_actions.
    ACTIONS = {
        "save": (frozenset({Status.DRAFT}), Status.DRAFT),
        "submit": (frozenset({Status.DRAFT}), Status.SUBMITTED),
        "correct": (frozenset({Status.SUBMITTED}), None),
    }

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("填报干部"), on_delete=models.PROTECT, related_name="visits"
    )
    pairing = models.ForeignKey(
        Pairing, verbose_name=_("结对"), on_delete=models.PROTECT, related_name="visits"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("走访企业"), on_delete=models.PROTECT, related_name="visits"
    )
    visit_date = models.DateField(_("走访日期"))
    mode = models.CharField(_("走访方式"), max_length=10, choices=VisitMode.choices, default=VisitMode.ONSITE)
    companions = models.ManyToManyField(
        Cadre,
        verbose_name=_("同行干部"),
        blank=True,
        related_name="joint_visits",
        help_text=_("同行的其他联系干部：这次走访也计入他们与该企业的结对。"),
    )
    other_companions = models.CharField(_("其他同行人员"), max_length=200, blank=True)
    met_head = models.BooleanField(_("与企业负责人面对面交流"), default=False)
    talked_to_workers = models.BooleanField(_("深入车间与一线员工交谈"), default=False)
    output_value = models.DecimalField(_("产值（万元）"), **AMOUNT)
    sales = models.DecimalField(_("销售（万元）"), **AMOUNT)
    tax = models.DecimalField(_("税收（万元）"), **AMOUNT)
    employees = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    situation = models.TextField(_("企业发展现状"), max_length=SITUATION, blank=True)
    urgent_services = models.TextField(_("迫切需要提供的服务"), max_length=PROBLEM, blank=True)
    policies_explained = models.TextField(_("宣讲的政策"), max_length=PROBLEM, blank=True)
    suggestions = models.TextField(_("企业意见建议"), max_length=PROBLEM, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[companions], verbose_name=_("反馈表修改记录"))

    class Meta:
        verbose_name = _("走访反馈表")
        verbose_name_plural = _("走访反馈表")
        ordering = ["-visit_date", "-id"]
        indexes = [
            models.Index(fields=["cadre", "visit_date"], name="visit_cadre_date"),
            models.Index(fields=["enterprise", "visit_date"], name="visit_enterprise_date"),
            models.Index(fields=["status", "visit_date"], name="visit_status_date"),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.visit_date:%Y-%m-%d}"

    @classmethod
    def allowed(cls, status, action):
        """The table lets ``action`` be taken on a form in ``status``."""
        sources, _target = cls.ACTIONS[action]
        return status in sources

    def allows(self, action):
        """The table lets ``action`` be taken on the form as it stands."""
        return self.allowed(self.status, action)

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    @property
    def counts(self):
        return self.mode in COUNTING_MODES

    def clean(self):
        """The form's rules, for the cadre's page and staff corrections alike:
        a visit is to the pairing's enterprise, by its cadre, on a day that is
        not in the future and within the pairing's term."""
        errors = {}
        if self.pairing_id:
            pairing = self.pairing
            if self.cadre_id and pairing.cadre_id != self.cadre_id:
                errors["pairing"] = _("只能为本人的结对企业填写反馈表。")
            if self.enterprise_id and pairing.enterprise_id != self.enterprise_id:
                errors["enterprise"] = _("走访企业与结对企业不一致。")
            if self.visit_date and self.visit_date < pairing.start_date:
                errors["visit_date"] = _("走访日期不能早于结对开始日期（%(start)s）。") % {
                    "start": pairing.start_date.isoformat()
                }
            elif self.visit_date and self.visit_date > pairing.last_day:
                errors["visit_date"] = _("走访日期不能晚于结对结束日期（%(end)s）。") % {
                    "end": pairing.last_day.isoformat()
                }
        if self.visit_date and self.visit_date > timezone.localdate():
            errors["visit_date"] = _("走访日期不能是将来的日期。")
        if errors:
            raise ValidationError(errors)


class VisitProblem(models.Model):
    """A problem found on a visit; on submission it joins the issue list (R11)."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("走访"), on_delete=models.CASCADE, related_name="problems"
    )
    category = models.CharField(_("问题类别"), max_length=12, choices=ProblemCategory.choices)
    description = models.TextField(_("问题描述"), max_length=PROBLEM)

    history = HistoricalRecords(verbose_name=_("问题修改记录"))

    class Meta:
        verbose_name = _("走访发现的问题")
        verbose_name_plural = _("走访发现的问题")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_category_display()}：{self.description[:30]}"


class VisitCredit(models.Model):
    """One row per cadre a submitted, counting visit credits (R7): the filer and
    each companion, with the enterprise and date copied from the visit so the
    coverage queries read one narrow, indexed table. Written only by
    :func:`visits.services.refresh_credits`."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="credits")
    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="visit_credits")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="visit_credits")
    visit_date = models.DateField()

    class Meta:
        verbose_name = _("走访计数")
        verbose_name_plural = _("走访计数")
        constraints = [models.UniqueConstraint(fields=["visit", "cadre"], name="visit_credit_unique")]
        indexes = [models.Index(fields=["cadre", "enterprise", "visit_date"], name="visit_credit_lookup")]

    def __str__(self):
        return f"{self.cadre_id} → {self.enterprise_id} {self.visit_date}"


class ProblemRemit(models.Model):
    """Which departments answer for which problem categories (R10, R11): the
    feedback form offers their service lists for a problem of that category,
    and the service-list page filters by it."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="problem_remits"
    )
    category = models.CharField(_("问题类别"), max_length=12, choices=ProblemCategory.choices)

    class Meta:
        verbose_name = _("部门职责（问题类别）")
        verbose_name_plural = _("部门职责（问题类别）")
        ordering = ["category", "unit__sort_order"]
        constraints = [models.UniqueConstraint(fields=["unit", "category"], name="problem_remit_once")]

    def __str__(self):
        return f"{self.unit} · {self.get_category_display()}"
