"""Units, cadres and their pairings with enterprises (R1–R6, R10, R12, R18)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enterprises.models import Enterprise, Place
from tabular.inputs import PROBLEM, SITUATION
from tabular.models import Timestamped, audit_user
from tabular.phone import normalise_mobile, validate_mobile

from .term import term_end


class UnitManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


def _unit_cadre(label, help_text):
    """A cadre in one of a unit's roles (its principal leader, deputy in
    charge, information officer): optional, and let go when the cadre is."""
    return models.ForeignKey(
        "Cadre",
        verbose_name=label,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=help_text,
    )


class Unit(models.Model):
    """A unit whose cadres link enterprises: a city leadership body, one of the
    24 enterprise-related departments, or the government of a town, street,
    the development zone or Zhendong new area (which governs a place)."""

    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", _("市四套班子")
        DEPARTMENT = "department", _("涉企部门")
        TOWN = "town", _("镇")
        STREET = "street", _("街道")
        DEVELOPMENT_ZONE = "dev_zone", _("经济开发区")
        NEW_AREA = "new_area", _("新区")

    LOCAL_KINDS = (Kind.TOWN, Kind.STREET, Kind.DEVELOPMENT_ZONE, Kind.NEW_AREA)

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("单位类型"), max_length=12, choices=Kind.choices)
    place = models.OneToOneField(
        Place,
        verbose_name=_("管辖地点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="government",
        help_text=_("镇、街道、开发区、新区必填：该单位管辖的地点。"),
    )
    principal_leader = _unit_cadre(_("第一责任人"), _("单位主要负责人。"))
    deputy_in_charge = _unit_cadre(_("分管领导"), _("专门负责此项工作的分管领导。"))
    information_officer = _unit_cadre(_("信息员"), _("汇总本单位联系人信息、定期报送市联络办的专人。"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = UnitManager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["leadership", "department"]) | Q(place__isnull=False),
                name="unit_local_kind_has_place",
                violation_error_message=_("镇、街道、开发区、新区必须指定管辖地点。"),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)

    @property
    def is_local(self):
        return self.kind in self.LOCAL_KINDS

    def clean(self):
        errors = {}
        if self.is_local and not self.place_id:
            errors["place"] = _("镇、街道、开发区、新区必须指定管辖地点。")
        if not self.is_local and self.place_id:
            errors["place"] = _("只有镇、街道、开发区、新区管辖地点。")
        for role in ("principal_leader", "deputy_in_charge", "information_officer"):
            cadre = getattr(self, role)
            if cadre is not None and self.pk and cadre.unit_id != self.pk:
                errors[role] = _("必须是本单位的干部。")
        if errors:
            raise ValidationError(errors)


class UnitAlias(models.Model):
    """Another name the office writes for a unit (市经济和信息化局 or 经信局
    for 市经信局), entered by liaison staff. Imports also accept, without an
    entry here, the name with a leading 桐乡市, 桐乡 or 市 (see
    :mod:`cadres.aliases`)."""

    name = models.CharField(_("别名"), max_length=100, unique=True)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="aliases")

    history = HistoricalRecords(verbose_name=_("单位别名修改记录"))

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")
        ordering = ["unit__sort_order", "unit__name", "name"]

    def __str__(self):
        return f"{self.name} → {self.unit.name}"

    def clean(self):
        # An alias never hides a unit: a name another unit bears is that unit's.
        name = (self.name or "").strip()
        self.name = name
        if name and Unit.objects.filter(name=name).exclude(pk=self.unit_id).exists():
            raise ValidationError(
                {"name": _("“%(name)s”是另一个单位的名称，不能作为别名。") % {"name": name}}
            )


class CadreManager(models.Manager):
    def get_by_natural_key(self, mobile):
        return self.get(mobile=mobile)


class Cadre(Timestamped):
    """A person of a unit who links enterprises (干部 / 联系人)."""

    class Rank(models.TextChoices):
        CITY_LEADER = "city", _("市级领导")
        BUREAU = "bureau", _("科(局)级")
        MIDDLE = "middle", _("中层")
        GENERAL = "general", _("一般干部")

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="cadres"
    )
    rank = models.CharField(_("职级"), max_length=10, choices=Rank.choices)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    is_leadership_member = models.BooleanField(_("班子成员"), default=False)
    is_coordinator = models.BooleanField(
        _("区域总协调人"), default=False, help_text=_("市委常委、人大主任、政协主席。")
    )
    mobile = models.CharField(_("手机号"), max_length=11, unique=True, validators=[validate_mobile])
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("在岗"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre",
    )

    objects = CadreManager()

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["unit__sort_order", "unit__name", "name"]

    def __str__(self):
        # Show the unit when it is already loaded (autocomplete, lists), to tell
        # namesakes apart without a query per row.
        if Cadre.unit.is_cached(self):
            return f"{self.name}（{self.unit.name}）"
        return self.name

    def natural_key(self):
        return (self.mobile,)

    @property
    def is_city_leader(self):
        return self.rank == self.Rank.CITY_LEADER

    def clean(self):
        self.mobile = normalise_mobile(self.mobile)
        if self.is_coordinator and not self.is_city_leader:
            raise ValidationError({"is_coordinator": _("区域总协调人必须是市级领导。")})


class UnitMembership(models.Model):
    """A cadre's unit over time (issue 16): every figure of a cadre goes to
    the unit the cadre belonged to on the day it counts (:func:`unit_on`).

    Written only by :func:`cadres.services.move_cadre` (the admin's change of
    unit and the import of a changed unit go through it); a cadre created
    without one belongs to their current unit since always. ``valid_from``
    empty: since always; ``valid_to`` empty: still."""

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("起始日期"), null=True, blank=True, help_text=_("留空：一直在本单位。"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("留空：至今。"))
    reason = models.CharField(_("调动原因"), max_length=200, blank=True)
    recorded_by = audit_user(_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任职单位记录")
        verbose_name_plural = _("任职单位记录")
        ordering = ["cadre", F("valid_from").asc(nulls_first=True)]
        indexes = [models.Index(fields=["cadre", "valid_from"], name="membership_cadre_from")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="membership_to_after_from",
                violation_error_message=_("截止日期不能早于起始日期。"),
            ),
        ]

    def __str__(self):
        since = self.valid_from.isoformat() if self.valid_from else "…"
        until = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.cadre_id} {self.unit_id} {since}—{until}"


def unit_on(day, cadre="cadre_id", current=None):
    """The one definition of "the unit a cadre belonged to on ``day``"
    (issue 16), as a query expression: ``cadre`` is the lookup to the cadre's
    id from the rows being counted (``"reporter_id"``), ``day`` a date or the
    name of the rows' date field (``"reported_on"``). A cadre with no
    membership covering the day counts to their current unit (``current``,
    the lookup to it: derived from ``cadre`` unless given)."""
    day = OuterRef(day) if isinstance(day, str) else day
    covering = UnitMembership.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        cadre_id=OuterRef(cadre),
    ).values("unit_id")[:1]
    current = current or cadre.removesuffix("_id") + "__unit_id"
    return Coalesce(Subquery(covering), F(current), output_field=models.BigIntegerField())


class AreaAssignment(models.Model):
    """包片 (R1): a city leader covers the enterprises of a town or street."""

    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("市级领导"),
        on_delete=models.CASCADE,
        related_name="area_assignments",
        limit_choices_to={"rank": Cadre.Rank.CITY_LEADER},
    )
    place = models.ForeignKey(
        Place, verbose_name=_("包片镇（街道）"), on_delete=models.PROTECT, related_name="area_leaders"
    )

    class Meta:
        verbose_name = _("包片安排")
        verbose_name_plural = _("包片安排")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "place"], name="area_assignment_unique"),
        ]

    def __str__(self):
        return f"{self.cadre.name} — {self.place}"

    def clean(self):
        if self.cadre_id and not self.cadre.is_city_leader:
            raise ValidationError({"cadre": _("包片联企的必须是市级领导。")})


class CoordinatorRegion(models.Model):
    """R2: the places of a regional coordinator's region; a place belongs to one region."""

    cadre = models.ForeignKey(
        Cadre,
        verbose_name=_("区域总协调人"),
        on_delete=models.CASCADE,
        related_name="region_places",
        limit_choices_to={"is_coordinator": True},
    )
    place = models.OneToOneField(
        Place, verbose_name=_("区域内镇（街道）"), on_delete=models.PROTECT, related_name="coordinator_region"
    )

    class Meta:
        verbose_name = _("协调区域")
        verbose_name_plural = _("协调区域")

    def __str__(self):
        return f"{self.cadre.name} — {self.place}"

    def clean(self):
        if self.cadre_id and not self.cadre.is_coordinator:
            raise ValidationError({"cadre": _("只有区域总协调人才有协调区域。")})


def active_q(day: datetime.date, prefix: str = "") -> Q:
    """The one definition of "in force on ``day``" (begun, within its term,
    not ended early), usable through a relation: ``active_q(d, "pairings__")``."""
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}ended_on__isnull": True, f"{prefix}end_date__gte": day})
        | Q(**{f"{prefix}ended_on__gte": day})
    )


class PairingQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        """Pairings in force on ``day``."""
        return self.filter(active_q(day))

    def ending_between(self, first: datetime.date, last: datetime.date):
        """Pairings in force on ``first`` whose term ends by ``last`` (renewal due, R5)."""
        return self.active_on(first).filter(ended_on__isnull=True, end_date__lte=last)


class Pairing(Timestamped):
    """结对: a cadre links an enterprise for a term (R5). One enterprise may be
    linked by a city-department cadre and a town cadre at once (R6)."""

    class Kind(models.TextChoices):
        FOCUS = "focus", _("重点联系")
        AREA = "area", _("包片")
        DEPARTMENT = "department", _("部门联系")
        TOWN = "town", _("镇街结对")

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("联系干部"), on_delete=models.PROTECT, related_name="pairings"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("联系企业"), on_delete=models.PROTECT, related_name="pairings"
    )
    kind = models.CharField(_("联系类型"), max_length=12, choices=Kind.choices)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("到期日期"), blank=True, help_text=_("留空则按开始日期加 3 年计算。"))
    ended_on = models.DateField(_("提前结束日期"), null=True, blank=True)
    ended_reason = models.CharField(_("提前结束原因"), max_length=200, blank=True)

    objects = PairingQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("结对修改记录"))

    class Meta:
        verbose_name = _("结对联系")
        verbose_name_plural = _("结对联系")
        ordering = ["-start_date", "id"]
        indexes = [
            models.Index(fields=["cadre", "start_date"], name="pairing_cadre_start"),
            models.Index(fields=["enterprise", "start_date"], name="pairing_enterprise_start"),
            models.Index(fields=["end_date"], name="pairing_end_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="pairing_end_after_start",
                violation_error_message=_("到期日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("start_date")),
                name="pairing_ended_after_start",
                violation_error_message=_("提前结束日期不能早于开始日期。"),
            ),
            # The "no two overlapping active pairings of one cadre and one
            # enterprise" rule is a PostgreSQL exclusion constraint added in
            # migration 0003 (a GiST index over the active date range).
        ]

    def __str__(self):
        return f"{self.cadre.name} — {self.enterprise.name}"

    def save(self, *args, **kwargs):
        if self.start_date and not self.end_date:
            self.end_date = term_end(self.start_date)
        super().save(*args, **kwargs)

    @property
    def last_day(self):
        """The last day the pairing is in force: its term end, or the early end."""
        return self.ended_on or self.end_date

    def is_active_on(self, day):
        return self.start_date <= day <= self.last_day

    def clean(self):
        """Rules that need only this row and its cadre and enterprise.

        Rules that need other rows (overlap, 包片 area) live in
        :func:`cadres.services.pairing_conflicts`."""
        errors = {}
        if self.start_date and not self.end_date:
            self.end_date = term_end(self.start_date)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("到期日期不能早于开始日期。")
        if self.ended_on and self.start_date and self.ended_on < self.start_date:
            errors["ended_on"] = _("提前结束日期不能早于开始日期。")
        elif self.ended_on and self.end_date and self.ended_on > self.end_date:
            errors["ended_on"] = _("提前结束日期（%(ended)s）不能晚于到期日期（%(end)s）。") % {
                "ended": self.ended_on.isoformat(),
                "end": self.end_date.isoformat(),
            }
        if self.ended_on and not self.ended_reason:
            errors["ended_reason"] = _("提前结束需要填写原因。")
        if self.cadre_id and self.kind:
            cadre = self.cadre
            if self.kind in (self.Kind.FOCUS, self.Kind.AREA) and not cadre.is_city_leader:
                errors["kind"] = _("重点联系和包片只适用于市级领导。")
            elif self.kind == self.Kind.DEPARTMENT and cadre.unit.kind != Unit.Kind.DEPARTMENT:
                errors["kind"] = _("部门联系只适用于涉企部门的干部。")
            elif self.kind == self.Kind.TOWN:
                if not cadre.unit.is_local:
                    errors["kind"] = _("镇街结对只适用于镇、街道、开发区、新区的干部。")
                elif self.enterprise_id and self.enterprise.place_id != cadre.unit.place_id:
                    errors["enterprise"] = _("镇街结对的企业必须位于本镇（街道）。")
        if errors:
            raise ValidationError(errors)


class ServiceItem(models.Model):
    """服务清单 (R10): what a department offers enterprises, aimed at the
    six-doubling goals."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="service_items"
    )
    title = models.CharField(_("服务事项"), max_length=200)
    description = models.TextField(_("服务内容"), max_length=SITUATION, blank=True)
    policy_basis = models.TextField(_("政策依据"), max_length=PROBLEM, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("服务清单事项")
        verbose_name_plural = _("服务清单")
        ordering = ["unit__sort_order", "unit__name", "sort_order", "id"]

    def __str__(self):
        return self.title


# -- closed quarters (issue 16) ----------------------------------------------
#
# They live here, the lowest layer whose writes a closed quarter constrains
# (an early end of a pairing cannot be dated into one, cadres.closing), so
# that every layer above reads the same rows: the coverage page (visits), the
# rates page (issues), the dashboards and the evaluation, the report (jobs).
# The figures are counted by dashboards.closing, with the dashboards' own
# counting; the status moves through the table in cadres.closing.


def _count(label):
    return models.PositiveIntegerField(label, default=0)


class CountedFigures(models.Model):
    """The counts every published figure is made of, for one cell (a unit,
    town and problem category; or a cadre, unit and town): the coverage
    (R7), the resolution and in-quarter counts and the on-time slips (R16),
    the satisfaction of spot-check follow-ups (R15). Rates are worked out
    from them where they are shown."""

    due = _count(_("应走访结对"))
    visited = _count(_("已走访"))
    raised = _count(_("当年提出问题"))
    carried = _count(_("上年结转问题"))
    resolved = _count(_("已解决"))
    raised_in_quarter = _count(_("本季提出"))
    resolved_in_quarter = _count(_("本季解决"))
    slips_counted = _count(_("计入按时率的交办单"))
    slips_on_time = _count(_("按时办结"))
    responses = _count(_("满意度回访"))
    satisfied = _count(_("满意及基本满意"))

    class Meta:
        abstract = True


COUNTS = tuple(f.name for f in CountedFigures._meta.local_fields)


class QuarterClose(models.Model):
    """A quarter's status: 未关账 → 已关账 → 更正中 → 已关账 … (the table is
    :data:`cadres.closing.TRANSITIONS`). ``version`` is the published
    version of its frozen figures (:class:`FrozenCell`): 1 when first closed,
    one more at each re-close. No row: the quarter was never closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("未关账")
        CLOSED = "closed", _("已关账")
        REOPENED = "reopened", _("更正中")

    quarter = models.CharField(_("季度"), max_length=6, unique=True)
    first_day = models.DateField(_("首日"))
    last_day = models.DateField(_("末日"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveSmallIntegerField(_("发布版本"), default=0)
    closed_at = models.DateTimeField(_("关账时间"), null=True, blank=True)
    corrected_at = models.DateTimeField(_("最近更正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("季度关账")
        verbose_name_plural = _("季度关账")
        ordering = ["-quarter"]

    def __str__(self):
        return f"{self.quarter} {self.get_status_display()}"


class QuarterCloseEvent(models.Model):
    """One line of a quarter's timeline: who closed, reopened or re-closed
    it, when, why, and the version it left published."""

    closing = models.ForeignKey(
        QuarterClose, verbose_name=_("季度"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=12)
    from_status = models.CharField(_("原状态"), max_length=10, choices=QuarterClose.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=QuarterClose.Status.choices)
    version = models.PositiveSmallIntegerField(_("发布版本"))
    actor = audit_user(_("操作人"))
    actor_name = models.CharField(_("操作人姓名"), max_length=100, blank=True, help_text=_("留空：系统。"))
    reason = models.TextField(_("原因"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("关账记录")
        verbose_name_plural = _("关账记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.closing.quarter} {self.action} v{self.version}"


class FrozenCell(CountedFigures):
    """A closed quarter's figures as published in a version: the cells of
    the dashboards (``cadre`` empty: a unit, town and category; ``cadre``
    set: a cadre, the unit counted for and a town), stored when the quarter
    closes and never rewritten. Every page of a closed quarter adds these up."""

    closing = models.ForeignKey(
        QuarterClose, verbose_name=_("季度"), on_delete=models.CASCADE, related_name="cells"
    )
    quarter = models.CharField(_("季度"), max_length=6)
    version = models.PositiveSmallIntegerField(_("版本"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("镇（街道）"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("问题类别"), max_length=12, blank=True)
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("干部"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("关账数据")
        verbose_name_plural = _("关账数据")
        indexes = [models.Index(fields=["quarter", "version", "unit"], name="frozen_quarter_version_unit")]

    def __str__(self):
        return (
            f"{self.quarter} v{self.version} {self.unit_id}/{self.place_id}/{self.category}/{self.cadre_id}"
        )


class Correction(models.Model):
    """A change made after a quarter closed that would move its figures: a
    fact written later (what, old → new, who, when, why), or a published
    figure a recount found moved (what, old → new). Pending until staff
    re-close the quarter with a reason, which publishes the next version."""

    class Kind(models.TextChoices):
        FACT = "fact", _("数据更正")
        FIGURE = "figure", _("统计数变动")

    class Status(models.TextChoices):
        PENDING = "pending", _("待更正")
        APPLIED = "applied", _("已更正")
        VOID = "void", _("不影响已发布数据")

    closing = models.ForeignKey(
        QuarterClose, verbose_name=_("季度"), on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    what = models.CharField(_("内容"), max_length=200)
    old = models.CharField(_("原值"), max_length=200, blank=True)
    new = models.CharField(_("新值"), max_length=200, blank=True)
    actor = audit_user(_("操作人"))
    actor_name = models.CharField(_("操作人姓名"), max_length=100, blank=True)
    why = models.TextField(_("原因"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    recounted = models.BooleanField(_("已重新统计"), default=False)
    applied_in = models.PositiveSmallIntegerField(_("更正版本"), null=True, blank=True)

    class Meta:
        verbose_name = _("关账后更正")
        verbose_name_plural = _("关账后更正")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["closing", "status"], name="correction_closing_status")]

    def __str__(self):
        return f"{self.what}: {self.old} → {self.new}"
