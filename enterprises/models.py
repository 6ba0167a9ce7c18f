"""Places and enterprises: the ground floor. Nothing here knows about cadres."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tabular.models import Timestamped
from tabular.phone import normalise_mobile, validate_mobile

from .credit_code import normalise_credit_code, validate_credit_code


class PlaceManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Place(models.Model):
    """A town, street, the economic development zone or Zhendong new area:
    where an enterprise is located."""

    class Kind(models.TextChoices):
        TOWN = "town", _("镇")
        STREET = "street", _("街道")
        DEVELOPMENT_ZONE = "dev_zone", _("经济开发区")
        NEW_AREA = "new_area", _("新区")

    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = PlaceManager()

    class Meta:
        verbose_name = _("地点（镇、街道、园区）")
        verbose_name_plural = _("地点（镇、街道、园区）")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class EnterpriseManager(models.Manager):
    def get_by_natural_key(self, credit_code):
        return self.get(credit_code=credit_code)


class Enterprise(Timestamped):
    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18 位，GB 32100-2015，最后一位为校验位。"),
    )
    place = models.ForeignKey(
        Place, verbose_name=_("所在镇（街道）"), on_delete=models.PROTECT, related_name="enterprises"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    industry = models.CharField(_("行业"), max_length=100, blank=True, db_index=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    contact_name = models.CharField(_("企业联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("企业联系电话"), max_length=30, blank=True)
    employees = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("上年营业收入（万元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    revenue_year = models.PositiveSmallIntegerField(_("营业收入年度"), null=True, blank=True)

    objects = EnterpriseManager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.credit_code,)

    def clean(self):
        self.credit_code = normalise_credit_code(self.credit_code)


class PlaceAlias(models.Model):
    """Another name the office writes for a place (乌镇 for 乌镇镇, 开发区 for
    桐乡经济开发区). Imports also accept, without an entry here, a leading
    桐乡市 and the name without its 镇 / 街道 (see :mod:`enterprises.aliases`)."""

    name = models.CharField(_("别名"), max_length=50, unique=True)
    place = models.ForeignKey(Place, verbose_name=_("地点"), on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        verbose_name = _("地点别名")
        verbose_name_plural = _("地点别名")
        ordering = ["place__sort_order", "name"]

    def __str__(self):
        return f"{self.name} → {self.place.name}"


class EnterpriseContact(Timestamped):
    """A person who speaks for an enterprise (issue 17): its chairman, manager
    or clerk, who signs in to the enterprise's pages with a one-time code sent
    to ``mobile``. An enterprise may have several; one mobile may speak for
    several enterprises (a group's clerk). Imported with the register (its
    企业联系人 / 联系电话 columns when the number is a mobile), edited by the
    enterprise's cadres and by staff. A contact no longer active cannot sign in."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(
        _("职务"), max_length=50, blank=True, help_text=_("如董事长、总经理、办公室主任。")
    )
    mobile = models.CharField(_("手机号"), max_length=11, validators=[validate_mobile], db_index=True)
    is_active = models.BooleanField(_("可登录"), default=True)

    history = HistoricalRecords(verbose_name=_("企业联系人修改记录"))

    class Meta:
        verbose_name = _("企业联系人")
        verbose_name_plural = _("企业联系人")
        ordering = ["enterprise", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "mobile"], name="contact_unique_mobile"),
        ]

    def __str__(self):
        return f"{self.name}（{self.enterprise}）"

    def clean(self):
        self.mobile = normalise_mobile(self.mobile)


class SignInCode(models.Model):
    """A one-time sign-in code sent to a contact's mobile (issue 17). Only a
    keyed hash of the code is kept (``enterprises.signin.hash_code``); a code
    serves once, until ``expires_at``, for ``PORTAL_CODE_ATTEMPTS`` tries."""

    mobile = models.CharField(_("手机号"), max_length=11, db_index=True)
    code_hash = models.CharField(_("验证码摘要"), max_length=128)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.mobile} {self.created_at:%Y-%m-%d %H:%M}"


class SignInLog(models.Model):
    """Every code request and every sign-in attempt of the enterprise pages."""

    class Outcome(models.TextChoices):
        CODE_SENT = "code_sent", _("已发送验证码")
        SIGNED_IN = "signed_in", _("登录成功")
        WRONG_CODE = "wrong_code", _("验证码错误")
        EXPIRED = "expired", _("验证码已失效")
        LIMITED = "limited", _("超出次数限制")
        UNKNOWN_MOBILE = "unknown", _("手机号未登记")

    mobile = models.CharField(_("手机号"), max_length=11, db_index=True)
    contact = models.ForeignKey(
        EnterpriseContact,
        verbose_name=_("企业联系人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sign_ins",
    )
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices)

    class Meta:
        verbose_name = _("企业登录记录")
        verbose_name_plural = _("企业登录记录")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.mobile} {self.get_outcome_display()}"


class ContactSession(models.Model):
    """A signed-in contact's session on the enterprise pages: the cookie holds
    a random key, the row only its SHA-256. Sliding: each request moves
    ``expires_at`` to ``PORTAL_SESSION_SECONDS`` from then."""

    key_hash = models.CharField(_("会话摘要"), max_length=64, unique=True)
    contact = models.ForeignKey(
        EnterpriseContact, verbose_name=_("企业联系人"), on_delete=models.CASCADE, related_name="sessions"
    )
    created_at = models.DateTimeField(_("登录时间"), auto_now_add=True)
    last_seen = models.DateTimeField(_("最近访问"))
    expires_at = models.DateTimeField(_("失效时间"))
    ended_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业登录会话")
        verbose_name_plural = _("企业登录会话")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.contact} {self.created_at:%Y-%m-%d %H:%M}"
