"""The coordination layer: each regional coordinator's quarterly
situation-analysis meeting (联企服务形势分析会, R2) and the liaison office's
good practices and exemplary deeds (R19)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cadres.models import Cadre
from enterprises.models import Enterprise, Place
from issues.models import EscalationSlip, IssueItem
from tabular.inputs import ARTICLE, PROBLEM, REASON, SITUATION
from tabular.models import Timestamped, audit_user
from visits.quarters import Quarter


class Meeting(Timestamped):
    """R2: convened each quarter by a regional coordinator with the other city
    leaders of the region and the heads of the departments working there;
    town officials and enterprise owners may be invited."""

    coordinator = models.ForeignKey(
        Cadre,
        verbose_name=_("区域总协调人"),
        on_delete=models.PROTECT,
        related_name="meetings",
        limit_choices_to={"is_coordinator": True},
    )
    quarter = models.CharField(_("季度"), max_length=6, editable=False, db_index=True)
    held_on = models.DateField(_("召开日期"))
    location = models.CharField(_("地点"), max_length=100, blank=True)
    places = models.ManyToManyField(Place, verbose_name=_("涉及镇（街道）"), blank=True, related_name="+")
    attendees = models.ManyToManyField(
        Cadre,
        verbose_name=_("参会领导和部门负责人"),
        blank=True,
        related_name="meetings_attended",
    )
    invited_officials = models.TextField(_("列席的镇（街道）负责人"), max_length=REASON, blank=True)
    invited_owners = models.TextField(_("邀请的企业负责人"), max_length=REASON, blank=True)
    topics = models.TextField(_("形势分析与议题"), max_length=SITUATION)
    decisions = models.TextField(_("会议决定"), max_length=SITUATION, blank=True)
    items = models.ManyToManyField(
        IssueItem, verbose_name=_("研究的问题"), through="MeetingItem", blank=True, related_name="meetings"
    )
    recorded_by = audit_user(_("记录人"))

    history = HistoricalRecords(verbose_name=_("形势分析会修改记录"))

    class Meta:
        verbose_name = _("形势分析会")
        verbose_name_plural = _("形势分析会")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["coordinator", "quarter"], name="meeting_coordinator_quarter")]

    def __str__(self):
        return f"{self.coordinator.name} {self.held_on:%Y-%m-%d} 形势分析会"

    def save(self, *args, **kwargs):
        self.quarter = Quarter.of(self.held_on).label  # derived: the dashboard filters on it
        super().save(*args, **kwargs)

    def clean(self):
        """For the coordinator's page and the admin alike."""
        errors = {}
        if self.coordinator_id and not self.coordinator.is_coordinator:
            errors["coordinator"] = _("只有区域总协调人召集形势分析会。")
        if self.held_on and self.held_on > timezone.localdate():
            errors["held_on"] = _("召开日期不能晚于今天：会议开过之后再记录。")
        if errors:
            raise ValidationError(errors)


class MeetingItem(models.Model):
    """An issue-list item the meeting discussed, its decision, and the
    escalation slip when the meeting decided to escalate it (R13)."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("形势分析会"), on_delete=models.CASCADE)
    item = models.ForeignKey(IssueItem, verbose_name=_("问题"), on_delete=models.PROTECT)
    decision = models.TextField(_("决定"), max_length=PROBLEM, blank=True)
    escalation = models.ForeignKey(
        EscalationSlip,
        verbose_name=_("呈报单"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(verbose_name=_("研究的问题修改记录"))

    class Meta:
        verbose_name = _("研究的问题")
        verbose_name_plural = _("研究的问题")
        constraints = [models.UniqueConstraint(fields=["meeting", "item"], name="meeting_item_once")]

    def __str__(self):
        return str(self.item)


class GoodPractice(Timestamped):
    """R19: good practices, success stories and exemplary deeds the liaison
    office collects for publicity, linked to the enterprises, the resolved
    items and the cadres they are about. Visible to all once published."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("好做法")
        STORY = "story", _("成功案例")
        DEED = "deed", _("先进事迹")

    title = models.CharField(_("标题"), max_length=120)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.PRACTICE)
    summary = models.CharField(_("摘要"), max_length=300)
    body = models.TextField(_("正文"), max_length=ARTICLE)
    enterprises = models.ManyToManyField(Enterprise, verbose_name=_("相关企业"), blank=True, related_name="+")
    items = models.ManyToManyField(
        IssueItem,
        verbose_name=_("相关已解决问题"),
        blank=True,
        related_name="good_practices",
        limit_choices_to={"status": IssueItem.Status.RESOLVED},
    )
    cadres = models.ManyToManyField(Cadre, verbose_name=_("相关干部"), blank=True, related_name="+")
    published_on = models.DateField(
        _("发布日期"), null=True, blank=True, help_text=_("留空为草稿，不对外显示。")
    )
    author = audit_user(_("编写人"))

    class Meta:
        verbose_name = _("典型经验")
        verbose_name_plural = _("典型经验与先进事迹")
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["published_on"], name="practice_published")]

    def __str__(self):
        return self.title
