"""Units, cadres and their pairings with enterprises (R1–R6, R10, R12, R18)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enterprises.models import Enterprise, Place
from tabular.inputs import PROBLEM, SITUATION

from .phone import normalise_mobile, validate_mobile
from .term import term_end


class UnitManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


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
    principal_leader = models.ForeignKey(
        "Cadre",
        verbose_name=_("第一责任人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("单位主要负责人。"),
    )
    deputy_in_charge = models.ForeignKey(
        "Cadre",
        verbose_name=_("分管领导"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("专门负责此项工作的分管领导。"),
    )
    information_officer = models.ForeignKey(
        "Cadre",
        verbose_name=_("信息员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("汇总本单位联系人信息、定期报送市联络办的专人。"),
    )
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


class Cadre(models.Model):
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
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

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


class Pairing(models.Model):
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
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

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
