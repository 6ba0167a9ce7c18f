"""The six-doubling registry (六大倍增, R17): which enterprise belonged to which
category when, on what evidence; the annual revenue figures 规上 and 亿元
membership follows from; and each category's doubling plan.

Membership is a period, ``started_on`` to ``ended_on``, both inclusive like
a pairing's (``ended_on`` empty: still a member), so the count of a category
on any past or future day is one query (:func:`member_q`). Periods of one
enterprise in one category never overlap: PostgreSQL holds that with an
exclusion constraint (migration 0002), and every write path checks it
(:func:`multiplication.services.overlapping`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Unit
from enterprises.models import Enterprise, Place
from tabular.inputs import SITUATION
from tabular.models import Timestamped
from visits.models import Visit

from .rules import REVENUE_CATEGORIES, Category, certificate_expiry

AMOUNT = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(0)]}


def member_q(day: datetime.date, prefix: str = "") -> Q:
    """The one definition of "a member on ``day``": started by then and not
    ended before it. Usable through a relation: ``member_q(d, "memberships__")``."""
    return Q(**{f"{prefix}started_on__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": day})
    )


class RevenueSource(models.TextChoices):
    """Where an annual revenue figure came from, in order of trust: the
    statistics bureau's figure is the standard 规上 is defined by."""

    STATISTICS = "statistics", _("统计局名单")
    MANUAL = "manual", _("人工录入")
    VISIT = "visit", _("走访反馈表")


# Lower is more trusted (see RevenueSource).
SOURCE_RANK = {RevenueSource.STATISTICS: 0, RevenueSource.MANUAL: 1, RevenueSource.VISIT: 2}


class RevenueFigure(models.Model):
    """An enterprise's annual main-business revenue (万元) for a year, from one
    source. A visit-form figure is the 销售 the enterprise reported on
    Attachment 1 during that year; the latest submitted form of the year wins."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="revenue_figures"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    revenue = models.DecimalField(_("营业收入（万元）"), **AMOUNT)
    source = models.CharField(_("来源"), max_length=12, choices=RevenueSource.choices)
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("走访反馈表"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度营业收入")
        verbose_name_plural = _("年度营业收入")
        ordering = ["-year", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "source"], name="revenue_one_per_source")
        ]
        indexes = [models.Index(fields=["year", "revenue"], name="revenue_year_amount")]

    def __str__(self):
        return f"{self.enterprise} {self.year}：{self.revenue} 万元（{self.get_source_display()}）"


class Exchange(models.TextChoices):
    SSE = "sse", _("上海证券交易所")
    SZSE = "szse", _("深圳证券交易所")
    BSE = "bse", _("北京证券交易所")
    NEEQ = "neeq", _("全国中小企业股份转让系统（新三板）")
    HKEX = "hkex", _("香港联合交易所")
    OVERSEAS = "overseas", _("境外其他交易所")


class MembershipSource(models.TextChoices):
    MANUAL = "manual", _("人工录入")
    IMPORT = "import", _("名单导入")
    DERIVED = "derived", _("由营业收入认定")


class Membership(Timestamped):
    """One period an enterprise belonged to one category, with its evidence:

    - 规上 / 亿元: the statistics year and that year's revenue, and where the
      figure came from;
    - 外资: the foreign-investment approval (or filing) number and date;
    - 高新: the certificate number, issue and expiry dates; a certificate runs
      three years and membership ends on its expiry date at the latest;
    - 股份制: the date the company converted to a joint-stock company;
    - 上市: the exchange, stock code and listing date.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="memberships"
    )
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    started_on = models.DateField(_("纳入日期"))
    ended_on = models.DateField(
        _("退出日期"), null=True, blank=True, help_text=_("仍在库内的留空；这一天仍计入该类别（含当日）。")
    )
    end_reason = models.CharField(_("退出原因"), max_length=200, blank=True)
    source = models.CharField(
        _("来源"), max_length=10, choices=MembershipSource.choices, default=MembershipSource.MANUAL
    )
    statistics_year = models.PositiveSmallIntegerField(_("统计年度"), null=True, blank=True)
    revenue = models.DecimalField(_("营业收入（万元）"), null=True, blank=True, **AMOUNT)
    revenue_source = models.CharField(
        _("营业收入来源"), max_length=12, choices=RevenueSource.choices, blank=True
    )
    approval_number = models.CharField(_("外资批准（备案）文号"), max_length=60, blank=True)
    approval_date = models.DateField(_("外资批准日期"), null=True, blank=True)
    certificate_number = models.CharField(_("高新证书编号"), max_length=40, blank=True)
    certificate_issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    certificate_expires_on = models.DateField(
        _("证书有效期至"), null=True, blank=True, help_text=_("留空则按发证日期起三年计算。")
    )
    converted_on = models.DateField(_("股份制改造日期"), null=True, blank=True)
    exchange = models.CharField(_("上市交易所"), max_length=10, choices=Exchange.choices, blank=True)
    stock_code = models.CharField(_("股票代码"), max_length=12, blank=True)
    listed_on = models.DateField(_("上市日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords(verbose_name=_("分类库修改记录"))

    class Meta:
        verbose_name = _("分类库记录")
        verbose_name_plural = _("分类库（六大倍增）")
        ordering = ["category", "-started_on", "enterprise_id"]
        indexes = [
            models.Index(fields=["category", "started_on", "ended_on"], name="membership_period"),
            models.Index(fields=["enterprise", "category"], name="membership_enterprise"),
            models.Index(fields=["category", "certificate_expires_on"], name="membership_certificate"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
                violation_error_message=_("退出日期不能早于纳入日期。"),
            )
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.get_category_display()}"

    def clean(self):
        """Each category's evidence (R17). A certificate's expiry defaults to
        three years from issue and caps the period."""
        errors = {}

        def need(field, message):
            if getattr(self, field) in (None, ""):
                errors[field] = message

        category = self.category
        if category in REVENUE_CATEGORIES:
            need("statistics_year", _("规上、亿元企业须填写统计年度。"))
            need("revenue", _("规上、亿元企业须填写该年度营业收入（万元）。"))
        elif category == Category.FOREIGN:
            need("approval_number", _("外资企业须填写外资批准（备案）文号。"))
        elif category == Category.HIGH_TECH:
            need("certificate_number", _("高新技术企业须填写证书编号。"))
            need("certificate_issued_on", _("高新技术企业须填写发证日期。"))
            if self.certificate_issued_on and not self.certificate_expires_on:
                self.certificate_expires_on = certificate_expiry(self.certificate_issued_on)
            expiry = self.certificate_expires_on
            if self.certificate_issued_on and expiry and expiry < self.certificate_issued_on:
                errors["certificate_expires_on"] = _("证书有效期不能早于发证日期。")
            elif expiry and (self.ended_on is None or self.ended_on > expiry):
                self.ended_on = expiry
                if not self.end_reason:
                    self.end_reason = str(_("高新证书到期"))
        elif category == Category.JOINT_STOCK:
            need("converted_on", _("股份制企业须填写股份制改造日期。"))
        elif category == Category.LISTED:
            need("exchange", _("上市企业须填写上市交易所。"))
            need("stock_code", _("上市企业须填写股票代码。"))
            need("listed_on", _("上市企业须填写上市日期。"))
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors.setdefault("ended_on", _("退出日期不能早于纳入日期。"))
        if errors:
            raise ValidationError(errors)


class CategoryRemit(models.Model):
    """Which departments answer for which categories (R17: each department
    writes the plans for the categories in its remit)."""

    unit = models.ForeignKey(Unit, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="remits")
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)

    class Meta:
        verbose_name = _("倍增职责分工")
        verbose_name_plural = _("倍增职责分工")
        ordering = ["category", "unit__sort_order", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["unit", "category"], name="remit_once")]

    def __str__(self):
        return f"{self.unit} · {self.get_category_display()}"


class DoublingPlan(Timestamped):
    """A department's doubling plan for one category (R17): from the count on
    the baseline date to the target count (twice the baseline by default) by
    the target date. The baseline is counted by the registry and frozen when
    the liaison office approves the plan."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已批准")

    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    owner = models.ForeignKey(
        Unit, verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="doubling_plans"
    )
    title = models.CharField(_("计划名称"), max_length=100)
    baseline_date = models.DateField(_("基数日期"))
    baseline_count = models.PositiveIntegerField(_("基数"), null=True, blank=True, editable=False)
    target_date = models.DateField(_("目标日期"))
    target_count = models.PositiveIntegerField(
        _("目标数"), null=True, blank=True, help_text=_("留空则为基数的两倍。")
    )
    measures = models.TextField(_("工作措施"), max_length=SITUATION, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("批准人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    history = HistoricalRecords(verbose_name=_("倍增计划修改记录"))

    class Meta:
        verbose_name = _("倍增计划")
        verbose_name_plural = _("倍增计划")
        ordering = ["category", "-baseline_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__gt=models.F("baseline_date")),
                name="plan_target_after_baseline",
                violation_error_message=_("目标日期必须晚于基数日期。"),
            ),
            models.UniqueConstraint(
                fields=["category", "owner", "baseline_date"], name="plan_once_per_baseline"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    def clean(self):
        """The owner must have the category in its remit; an approved plan's
        category, owner and baseline date are frozen with its baseline."""
        errors = {}
        if self.baseline_date and self.target_date and self.target_date <= self.baseline_date:
            errors["target_date"] = _("目标日期必须晚于基数日期。")
        if (
            self.owner_id
            and self.category
            and not CategoryRemit.objects.filter(unit_id=self.owner_id, category=self.category).exists()
        ):
            errors["owner"] = _("该部门的倍增职责分工中没有“%(category)s”，不能制订此类计划。") % {
                "category": self.get_category_display()
            }
        if self.pk:
            stored = (
                DoublingPlan.objects.filter(pk=self.pk)
                .values("status", "category", "owner_id", "baseline_date")
                .first()
            )
            if stored and stored["status"] == self.Status.APPROVED:
                for name in ("category", "owner_id", "baseline_date"):
                    if stored[name] != getattr(self, name):
                        errors[name.removesuffix("_id")] = _("计划已批准，基数已冻结，不能再改。")
        if errors:
            raise ValidationError(errors)


class PlanTownTarget(models.Model):
    """The optional split of a plan by town (R17): each town's baseline
    (frozen with the plan's) and target."""

    plan = models.ForeignKey(
        DoublingPlan, verbose_name=_("倍增计划"), on_delete=models.CASCADE, related_name="town_targets"
    )
    place = models.ForeignKey(Place, verbose_name=_("镇（街道）"), on_delete=models.PROTECT, related_name="+")
    baseline_count = models.PositiveIntegerField(_("基数"), null=True, blank=True, editable=False)
    target_count = models.PositiveIntegerField(
        _("目标数"), null=True, blank=True, help_text=_("留空则为基数的两倍。")
    )

    history = HistoricalRecords(verbose_name=_("分镇目标修改记录"))

    class Meta:
        verbose_name = _("分镇目标")
        verbose_name_plural = _("分镇目标")
        ordering = ["place__sort_order", "place__name"]
        constraints = [models.UniqueConstraint(fields=["plan", "place"], name="town_target_once")]

    def __str__(self):
        return f"{self.plan} · {self.place}"
