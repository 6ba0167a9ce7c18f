"""The issue list (问题清单, R11) and the slips the liaison office issues (R13).

Items come from submitted visit forms (one per problem row), from the admin
and from imports. Their status follows the escalation path of R13–R14 through
:mod:`issues.workflow`, which records every change as an :class:`IssueEvent`.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre, Unit
from enterprises.models import Enterprise, EnterpriseContact
from tabular.dates import order_errors
from tabular.inputs import PROBLEM, REASON, SITUATION
from tabular.models import Timestamped, audit_user
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

    class Source(models.TextChoices):
        """Where an item came from: a cadre's visit form, the office (the admin
        or an import), or the enterprise itself between visits (issue 17)."""

        VISIT = "visit", _("走访发现")
        OFFICE = "office", _("联络办登记")
        ENTERPRISE = "enterprise", _("企业自报")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("一般")
        URGENT = "urgent", _("紧急")
        CRITICAL = "critical", _("特急")

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
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.OFFICE)
    raised_by = models.ForeignKey(
        EnterpriseContact,
        verbose_name=_("企业报告人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issue_items",
        help_text=_("企业自报的问题：提交的企业联系人。"),
    )
    category = models.CharField(_("问题类别"), max_length=12, choices=ProblemCategory.choices)
    description = models.TextField(_("问题描述"), max_length=PROBLEM)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW)
    reported_on = models.DateField(_("报告日期"), default=timezone.localdate, db_index=True)
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    closed_on = models.DateField(
        _("办结日期"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("解决、无法解决或撤回之日：撤回的问题按此日期退出统计。"),
    )
    closing_reason = models.TextField(_("无法解决或撤回的原因"), max_length=REASON, blank=True)
    withdrawal_confirmed = models.BooleanField(
        _("企业已确认撤回"),
        default=False,
        help_text=_("撤回须经企业确认，防止单位施压企业撤回未解决的问题。"),
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("问题修改记录（问题清单）"))

    class Meta:
        verbose_name = _("问题清单事项")
        verbose_name_plural = _("问题清单")
        ordering = ["-reported_on", "-id"]
        indexes = [
            models.Index(fields=["status", "reported_on"], name="issue_status_reported"),
            models.Index(fields=["reporter", "reported_on"], name="issue_reporter_reported"),
        ]

    def __str__(self):
        return f"{self.enterprise}：{self.get_category_display()}"

    def clean(self):
        """An item is not reported after today, nor on a day after it was
        resolved (the admin's form, where the report date is edited; issue 16.2)."""
        field = type(self)._meta.get_field
        if not isinstance(self.reported_on, datetime.date):
            return
        errors = order_errors(field("reported_on").verbose_name, self.reported_on, today=timezone.localdate())
        if isinstance(self.resolved_on, datetime.date):
            errors += order_errors(
                field("resolved_on").verbose_name,
                self.resolved_on,
                after=[(field("reported_on").verbose_name, self.reported_on)],
            )
        if errors:
            raise ValidationError({"reported_on": errors})


class IssueEvent(models.Model):
    """One step of an item's timeline: who acted, when, what they did (a move
    from one status to another, or a step on one of its slips), and why.

    ``actor_name`` is the name of whoever acted, kept as it was at the time:
    the submitting cadre for an item created from a form (whether or not the
    cadre has a login), the user for every action, empty only for a job
    (shown as 系统). The events are also the outbox the notices are sent from
    (``jobs.handoffs``): each names the slip it concerns."""

    class Kind(models.TextChoices):
        CREATED = "created", _("登记")
        MOVED = "moved", _("流转")
        ANSWERED = "answered", _("部门反馈")
        RETURNED = "returned", _("退回重办")
        EXTENSION = "extension", _("申请延期")
        EXTENSION_DECIDED = "ext_decided", _("延期审批")
        SUPERVISED = "supervised", _("督办")
        INSTRUCTED = "instructed", _("领导批示")
        PROGRESS = "progress", _("月度进展")
        DEADLINE = "deadline", _("期限重算")
        CONFIRMED = "confirmed", _("企业评价")

    item = models.ForeignKey(
        IssueItem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices, default=Kind.MOVED)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=100, blank=True)
    referral = models.ForeignKey(
        "ReferralSlip",
        verbose_name=_("交办单"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    escalation = models.ForeignKey(
        "EscalationSlip",
        verbose_name=_("呈报单"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    from_status = models.CharField(_("原状态"), max_length=12, choices=IssueItem.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=IssueItem.Status.choices)
    comment = models.TextField(_("说明"), blank=True)
    handed_off = models.BooleanField(
        _("已通知"), default=False, editable=False, help_text=_("已通知下一步办理人和报告干部。")
    )

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(handed_off=False), name="event_to_hand_off")
        ]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class HolidayYear(models.Model):
    """A year's public holidays and adjusted workdays (调休), entered by staff
    from the State Council's notice: its days are :class:`CalendarDay` rows.

    A deadline counted over a year that neither the chinese-calendar package
    knows nor the office has entered is 暂定 (counted Monday to Friday);
    entering the year counts the open slips' deadlines again, each with a line
    on its timeline (:func:`issues.services.holidays_changed`)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    notice = models.CharField(
        _("依据"), max_length=100, blank=True, help_text=_("如国务院办公厅关于该年部分节假日安排的通知文号。")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("节假日安排修改记录"))

    class Meta:
        verbose_name = _("节假日安排（年度）")
        verbose_name_plural = _("节假日安排（年度）")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)

    def clean(self):
        if self.year is not None and not 2014 <= self.year <= 2100:
            raise ValidationError({"year": _("年度应在 2014 至 2100 之间。")})


class CalendarDay(models.Model):
    """A day the State Council's notice makes a holiday or a workday (调休).

    Entered by staff each year when the notice is published, under the year's
    :class:`HolidayYear` (or alone, for a local holiday); takes precedence
    over the chinese-calendar package, which covers only the years it knew of
    when it was released."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"), help_text=_("勾选：调休上班日；不勾选：放假日。"))
    note = models.CharField(_("说明"), max_length=50, blank=True)
    calendar = models.ForeignKey(
        HolidayYear,
        verbose_name=_("年度安排"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="days",
    )

    history = HistoricalRecords(verbose_name=_("节假日与调休修改记录"))

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {'上班' if self.is_workday else '放假'}"

    def clean(self):
        calendar = self.calendar  # set, unsaved, on the rows of a year being entered
        if calendar is not None and isinstance(self.day, datetime.date) and self.day.year != calendar.year:
            raise ValidationError(
                {"day": _("日期不在 %(year)s 年内。") % {"year": calendar.year}}, code="year"
            )


class SerialCounter(models.Model):
    """The last number issued per kind of slip and year: one locked row makes
    serial numbers unique and gapless under concurrent issuing."""

    kind = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="serial_counter_unique")]

    def __str__(self):
        return f"{self.kind}{self.year}:{self.last}"


class NumberedSlip(models.Model):
    """What every slip the office issues has: a serial number (编号), unique
    and gapless per kind of slip and year (:func:`issues.services.next_serial`);
    newest first. The day it was issued and who issued it are
    :func:`_issued_on` and :func:`_issued_by`, named as each slip calls them."""

    serial = models.CharField(_("编号"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("序号"))

    class Meta:
        abstract = True
        ordering = ["-year", "-number"]

    def __str__(self):
        return self.serial


def _issued_on(label):
    """The day a slip was issued (交办日期, 呈报日期, 督办日期)."""
    return models.DateField(label)


def _issued_by(label):
    """The user who issued a slip (交办人, 呈报人, 督办人)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=label, on_delete=models.PROTECT, related_name="+"
    )


def _year_number_unique(name):
    return models.UniqueConstraint(fields=["year", "number"], name=name)


class ReferralSlip(NumberedSlip, Timestamped):
    """联企服务交办单 (R13): an item within one department's remit, handed to it
    with a deadline in working days."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("办理中")
        ANSWERED = "answered", _("已反馈")
        ACCEPTED = "accepted", _("已办结")
        RETURNED = "returned", _("已退回重办")

    item = models.ForeignKey(
        IssueItem, verbose_name=_("问题"), on_delete=models.PROTECT, related_name="referrals"
    )
    department = models.ForeignKey(
        Unit, verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="referral_slips"
    )
    issued_on = _issued_on(_("交办日期"))
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    deadline = models.DateField(_("办理期限"), db_index=True)
    deadline_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        editable=False,
        help_text=_("计算期限时有年份的节假日安排尚未录入，暂按周一至周五计算；录入后重新计算。"),
    )
    requirement = models.TextField(_("办理要求"), max_length=REASON, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ISSUED)
    measures = models.TextField(_("采取的措施"), max_length=PROBLEM, blank=True)
    result = models.TextField(_("办理结果"), max_length=PROBLEM, blank=True)
    answered_on = models.DateField(_("反馈日期"), null=True, blank=True)
    accepted_on = models.DateField(_("办结日期"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), max_length=REASON, blank=True)
    issued_by = _issued_by(_("交办人"))

    history = HistoricalRecords(verbose_name=_("交办单修改记录"))

    class Meta(NumberedSlip.Meta):
        verbose_name = _("联企服务交办单")
        verbose_name_plural = _("联企服务交办单")
        constraints = [_year_number_unique("referral_year_number")]


class ExtensionRequest(models.Model):
    """A department asks for more time on a referral slip, with a reason."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        REJECTED = "rejected", _("不同意")

    slip = models.ForeignKey(
        ReferralSlip, verbose_name=_("交办单"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    reason = models.TextField(_("延期理由"), max_length=REASON)
    extra_working_days = models.PositiveSmallIntegerField(_("申请延长（工作日）"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decision = models.CharField(
        _("审批结果"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.slip} +{self.extra_working_days}"


class EscalationSlip(NumberedSlip):
    """联企服务呈报单 (R13): an item that needs several departments, reported to
    the city leader in charge and solved at city level."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("已呈报")
        INSTRUCTED = "instructed", _("已批示")
        CONCLUDED = "concluded", _("已协调办结")

    item = models.ForeignKey(
        IssueItem, verbose_name=_("问题"), on_delete=models.PROTECT, related_name="escalations"
    )
    leader = models.ForeignKey(
        Cadre, verbose_name=_("市级分管领导"), on_delete=models.PROTECT, related_name="escalation_slips"
    )
    departments = models.ManyToManyField(Unit, verbose_name=_("涉及部门"), related_name="escalation_slips")
    issued_on = _issued_on(_("呈报日期"))
    request = models.TextField(_("呈报事项与建议"), max_length=SITUATION, blank=True)
    instruction = models.TextField(_("领导批示"), max_length=PROBLEM, blank=True)
    instructed_on = models.DateField(_("批示日期"), null=True, blank=True)
    coordination_result = models.TextField(_("协调结果"), max_length=PROBLEM, blank=True)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.ISSUED)
    issued_by = _issued_by(_("呈报人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords(verbose_name=_("呈报单修改记录"))

    class Meta(NumberedSlip.Meta):
        verbose_name = _("联企服务呈报单")
        verbose_name_plural = _("联企服务呈报单")
        constraints = [_year_number_unique("escalation_year_number")]


class SupervisionSlip(NumberedSlip):
    """督办单: pressure on an overdue referral slip, addressed to the
    department's principal leader (第一责任人, R18)."""

    referral = models.ForeignKey(
        ReferralSlip, verbose_name=_("交办单"), on_delete=models.PROTECT, related_name="supervisions"
    )
    addressee = models.ForeignKey(
        Cadre, verbose_name=_("督办对象"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_on = _issued_on(_("督办日期"))
    note = models.TextField(_("督办意见"), max_length=REASON, blank=True)
    issued_by = _issued_by(_("督办人"))

    history = HistoricalRecords(verbose_name=_("督办单修改记录"))

    class Meta(NumberedSlip.Meta):
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        constraints = [_year_number_unique("supervision_year_number")]


class SpotCheckBatch(models.Model):
    """One round of spot checks (抽查, R15): a reproducible sample of a
    quarter's pairings, stratified by unit, plus every withdrawn item not yet
    re-checked by an earlier batch (once), and the notice (通报) that
    circulates the results."""

    title = models.CharField(_("名称"), max_length=100)
    quarter = models.CharField(_("季度"), max_length=6, db_index=True)
    sample_size = models.PositiveIntegerField(_("抽查数量"))
    seed = models.PositiveIntegerField(_("随机种子"), help_text=_("同一季度、数量和种子得到同一批样本。"))
    summary = models.TextField(_("通报意见"), max_length=SITUATION, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽取人"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抽查批次")
        verbose_name_plural = _("抽查批次")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class SpotCheck(models.Model):
    class Method(models.TextChoices):
        ONSITE = "onsite", _("上门走访")
        PHONE = "phone", _("电话回访")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY = "basically", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    class Reason(models.TextChoices):
        SAMPLED = "sampled", _("随机抽取")
        WITHDRAWN = "withdrawn", _("撤回问题复核")

    batch = models.ForeignKey(
        SpotCheckBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="checks"
    )
    reason = models.CharField(_("抽查原因"), max_length=10, choices=Reason.choices, default=Reason.SAMPLED)
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("被查联系人"), on_delete=models.PROTECT, related_name="spot_checks"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        IssueItem,
        verbose_name=_("复核的问题"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(_("抽查方式"), max_length=10, choices=Method.choices, blank=True)
    checked_on = models.DateField(_("抽查日期"), null=True, blank=True)
    visit_confirmed = models.BooleanField(_("企业确认已走访"), null=True, blank=True)
    problem_solved_confirmed = models.BooleanField(_("企业确认问题已解决"), null=True, blank=True)
    satisfaction = models.CharField(_("企业满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    finding = models.TextField(_("抽查发现"), max_length=PROBLEM, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抽查人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("抽查记录")
        verbose_name_plural = _("抽查记录")
        ordering = ["cadre__unit__sort_order", "cadre__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "cadre", "enterprise"], name="spot_check_unique"),
        ]

    def __str__(self):
        return f"{self.cadre} — {self.enterprise}"

    @property
    def is_done(self):
        return self.checked_on is not None


class ProgressEntry(models.Model):
    """A monthly progress note on a long-running item, until it is closed (销号)."""

    item = models.ForeignKey(
        IssueItem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="progress"
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天。"))
    text = models.TextField(_("进展情况"), max_length=PROBLEM)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT)
    at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("月度进展")
        verbose_name_plural = _("月度进展")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["item", "month"], name="progress_item_month")]

    def __str__(self):
        return f"{self.item} {self.month:%Y-%m}"


def attachment_path(instance, filename):
    """Under ``MEDIA_ROOT/private/``, never under the static path: served only
    through views that check who asks (``portal:attachment``,
    ``issues:attachment``). The stored name is random; the original is kept."""
    import secrets

    suffix = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}.get(
        instance.content_type, ""
    )
    return f"private/items/{timezone.localdate():%Y/%m}/{secrets.token_hex(16)}{suffix}"


class ItemAttachment(models.Model):
    """A photo or PDF an enterprise sent with its request (issue 17), checked
    by its content (``issues.attachments``)."""

    item = models.ForeignKey(
        IssueItem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    contact = models.ForeignKey(
        EnterpriseContact,
        verbose_name=_("上传的企业联系人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )

    class Meta:
        verbose_name = _("问题附件")
        verbose_name_plural = _("问题附件")
        ordering = ["item", "id"]

    def __str__(self):
        return self.original_name


class Confirmation(models.Model):
    """The enterprise's verdict on a resolution (issue 17.5): every move of an
    item to 已解决 asks the enterprise whether the problem is solved
    (:func:`issues.services.ask_confirmation`); the enterprise answers on its
    pages, or staff record an answer given by phone
    (:func:`issues.services.confirm`). 不满意 reopens the item; no answer by
    ``due_on`` (``CONFIRMATION_WORKING_DAYS`` working days after it was asked)
    is recorded as 默认满意 by the job ``jobs.deem_confirmations``. One pending
    confirmation per item."""

    class Verdict(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")
        DEEMED = "deemed", _("默认满意")

    item = models.ForeignKey(
        IssueItem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="confirmations"
    )
    resolved_on = models.DateField(_("解决日期"), help_text=_("征求评价的那次解决的日期。"))
    asked_on = models.DateField(_("征求日期"), default=timezone.localdate)
    due_on = models.DateField(_("答复期限"), help_text=_("逾期未答复的，视为默认满意。"))
    verdict = models.CharField(_("企业评价"), max_length=12, choices=Verdict.choices, blank=True)
    comment = models.TextField(_("企业意见"), max_length=REASON, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    contact = models.ForeignKey(
        EnterpriseContact,
        verbose_name=_("企业联系人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmations",
    )
    recorded_by = audit_user(_("代为登记人"), help_text=_("企业电话答复时代为登记的工作人员。"))

    history = HistoricalRecords(verbose_name=_("企业评价修改记录"))

    class Meta:
        verbose_name = _("企业评价")
        verbose_name_plural = _("企业评价")
        ordering = ["-asked_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(verdict=""), name="confirmation_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["due_on"], condition=models.Q(verdict=""), name="confirmation_due")]

    def __str__(self):
        return f"{self.item} {self.get_verdict_display() or _('待评价')}"

    @property
    def is_pending(self):
        return not self.verdict
