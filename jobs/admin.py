from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import channels, delivery, labels, services
from .models import (
    ChannelDelivery,
    ChannelPreference,
    Notice,
    PendingTask,
    QuarterlyReport,
    ReminderLog,
    SmsLog,
    UnitRobot,
)
from .secrets import UnreadableSecret


class _CodeFilter(admin.SimpleListFilter):
    """Filter on a code column, offering each code by its label."""

    field = label = None

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by().values_list(self.field, flat=True).distinct()
        return sorted((code, self.label(code)) for code in codes)

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class _KindFilter(_CodeFilter):
    title, parameter_name, field = _("类别"), "kind", "kind"
    label = staticmethod(labels.kind_label)


class _StageFilter(_CodeFilter):
    title, parameter_name, field = _("阶段"), "stage", "stage"
    label = staticmethod(labels.stage_label)


class _ChannelFilter(admin.SimpleListFilter):
    title, parameter_name = _("渠道"), "channel"

    def lookups(self, request, model_admin):
        return [(c.code, c.label) for c in channels.REGISTRY.values()]

    def queryset(self, request, queryset):
        return queryset.filter(deliveries__channel=self.value()).distinct() if self.value() else queryset


_SHOWN = {"kind": "kind_label", "stage": "stage_label"}


class DeliveryInline(admin.TabularInline):
    """The reminder's chain: each channel tried, in order, with its outcome."""

    model = ChannelDelivery
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "position",
        "channel_label",
        "where",
        "status",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("渠道"))
    def channel_label(self, obj):
        return channels.label(obj.channel)

    @admin.display(description=_("地址"))
    def where(self, obj):
        channel = channels.get(obj.channel)
        return channel.describe(obj.address) if channel else obj.address


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    """Every reminder, with failed sends and their errors in plain view; the
    kind and stage codes (``first_visit``, ``d30``) are shown by their labels,
    and each channel tried (preferred first, then the fall-backs) with its
    outcome: in the list as a line (``钉钉群机器人 ✗ → 电子邮件 ✓``), on the
    row's page as a table."""

    list_display = [
        "subject",
        "addressee",
        "kind_label",
        "period",
        "stage_label",
        "status",
        "chain",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", _ChannelFilter, _KindFilter, _StageFilter, "period"]
    list_select_related = ["recipient", "unit"]
    search_fields = ["subject", "recipient__username", "unit__name", "email"]
    # The claim token is the workers' own mark (which run holds the row), not the office's.
    fields = readonly_fields = [
        _SHOWN.get(f.name, f.name) for f in ReminderLog._meta.fields if f.name != "token"
    ]
    inlines = [DeliveryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("deliveries")

    @admin.display(description=_("接收人或单位群"))
    def addressee(self, obj):
        return obj.recipient or obj.unit

    @admin.display(description=_("渠道"))
    def chain(self, obj):
        marks = {"sent": "✓", "failed": "✗", "pending": "…", "sending": "…", "waiting": "", "skipped": "–"}
        parts = [
            f"{channels.label(d.channel)} {marks.get(d.status, '')}".strip()
            for d in sorted(obj.deliveries.all(), key=lambda d: d.position)
        ]
        return " → ".join(parts) or gettext("仅站内通知")

    @admin.display(description=_("类别"), ordering="kind")
    def kind_label(self, obj):
        return labels.kind_label(obj.kind)

    @admin.display(description=_("阶段"), ordering="stage")
    def stage_label(self, obj):
        return labels.stage_label(obj.stage, obj.kind)

    actions = ["retry"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("重新发送所选的失败提醒"))
    def retry(self, request, queryset):
        result = delivery.resend(
            queryset.filter(status=ReminderLog.Status.FAILED).values_list("pk", flat=True)
        )
        self.message_user(
            request,
            _("重新发送：成功 %(sent)d，失败 %(failed)d。") % {"sent": result.sent, "failed": result.failed},
            messages.SUCCESS if not result.failed else messages.WARNING,
        )


def _report_tests(model_admin, request, results):
    """One line per test message sent: where it went, or why it did not."""
    for name, log in results:
        if log.status == ReminderLog.Status.SENT:
            done = [
                channels.label(d.channel)
                for d in log.deliveries.all()
                if d.status == ChannelDelivery.Status.SENT
            ]
            model_admin.message_user(
                request,
                gettext("测试消息已发给“%(name)s”（%(channel)s）。")
                % {"name": name, "channel": "、".join(done)},
                messages.SUCCESS,
            )
        else:
            model_admin.message_user(
                request,
                gettext("“%(name)s”的测试消息未送达：%(error)s（见提醒记录）")
                % {"name": name, "error": log.last_error or log.get_status_display()},
                messages.ERROR,
            )


def _write_only(label, help_text):
    """A secret's field: typed in, never rendered back."""
    widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "size": 80})
    return forms.CharField(label=label, required=False, widget=widget, help_text=help_text)


class RobotForm(forms.ModelForm):
    """The webhook and the signing secret are write-only: never shown again,
    kept when left blank."""

    channel = forms.ChoiceField(label=_("渠道"))
    webhook_input = _write_only(
        _("Webhook 地址"),
        _(
            "群设置 → 智能群助手（机器人）→ 添加自定义机器人后复制的地址，或 env:环境变量名。"
            "保存后不再显示；修改时留空则保持不变。"
        ),
    )
    secret_input = _write_only(
        _("加签密钥"),
        _(
            "钉钉机器人安全设置选“加签”时显示的密钥（SEC 开头），或 env:环境变量名；"
            "企业微信不需要。留空则保持不变。"
        ),
    )
    clear_secret = forms.BooleanField(label=_("清除加签密钥"), required=False)

    class Meta:
        model = UnitRobot
        fields = ["unit", "name", "channel", "message_format", "position", "replaces_personal", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = services.channel_choices(channels.GROUP)

    def clean(self):
        cleaned = super().clean()
        webhook = (cleaned.get("webhook_input") or "").strip()
        if webhook:
            if not webhook.startswith(("https://", "http://", "env:")):
                self.add_error("webhook_input", _("应以 https:// 开头（或写 env:环境变量名）。"))
            self.instance.webhook = webhook
        elif not self.instance.webhook:
            self.add_error("webhook_input", _("请填写 Webhook 地址。"))
        secret = (cleaned.get("secret_input") or "").strip()
        if cleaned.get("clear_secret"):
            self.instance.secret = ""
        elif secret:
            self.instance.secret = secret
        return cleaned


@admin.register(UnitRobot)
class UnitRobotAdmin(admin.ModelAdmin):
    """A unit's group robots (staff): the unit's digests go to the group,
    with a test message to check the settings (logged in 提醒记录)."""

    form = RobotForm
    list_display = [
        "name",
        "unit",
        "channel_label",
        "message_format",
        "position",
        "replaces_personal",
        "is_active",
        "webhook_state",
        "secret_state",
    ]
    list_filter = ["channel", "is_active", "replaces_personal"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]
    actions = ["send_test"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "unit",
                    "name",
                    "channel",
                    "message_format",
                    "position",
                    "replaces_personal",
                    "is_active",
                ]
            },
        ),
        (
            _("密钥（加密保存，不再显示）"),
            {"fields": ["webhook_state", "webhook_input", "secret_state", "secret_input", "clear_secret"]},
        ),
    ]
    readonly_fields = ["webhook_state", "secret_state"]

    @admin.display(description=_("渠道"), ordering="channel")
    def channel_label(self, obj):
        return channels.label(obj.channel)

    def _state(self, sealed):
        if not sealed:
            return gettext("未设置")
        try:
            name = sealed.env_name()
        except UnreadableSecret:
            return gettext("无法解密，请重新填写")
        return gettext("环境变量 %(name)s") % {"name": name} if name else gettext("已设置（加密保存）")

    @admin.display(description=_("Webhook 地址"))
    def webhook_state(self, obj):
        return self._state(obj.webhook) if obj.pk else gettext("未设置")

    @admin.display(description=_("加签密钥"))
    def secret_state(self, obj):
        return self._state(obj.secret) if obj.pk else gettext("未设置")

    def save_model(self, request, obj, form, change):
        services.save_robot(obj, by=request.user)

    @admin.action(description=_("发送测试消息"))
    def send_test(self, request, queryset):
        results = [
            (str(robot), services.send_test_message(robot=robot, by=request.user)) for robot in queryset
        ]
        _report_tests(self, request, results)


class PreferenceForm(forms.ModelForm):
    """A person's chain: a login name (staff need no right on the user
    table), the preferred channel and up to two fall-backs."""

    username = forms.CharField(label=_("登录名"), max_length=150)
    first = forms.ChoiceField(label=_("首选渠道"))
    second = forms.ChoiceField(label=_("备选渠道一"), required=False)
    third = forms.ChoiceField(label=_("备选渠道二"), required=False)

    class Meta:
        model = ChannelPreference
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = services.channel_choices(channels.PERSON)
        self.fields["first"].choices = choices
        self.fields["second"].choices = self.fields["third"].choices = [("", "—")] + choices
        if self.instance.pk:
            self.fields["username"].initial = self.instance.user.get_username()
            self.fields["username"].disabled = True
            for name, code in zip(["first", "second", "third"], self.instance.codes, strict=False):
                self.fields[name].initial = code

    def clean_username(self):
        if self.instance.pk:
            return self.instance.user.get_username()
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(_("没有登录名为“%(name)s”的用户。") % {"name": name})
        if ChannelPreference.objects.filter(user=user).exists():
            raise forms.ValidationError(_("该用户已设置接收渠道，请在列表中修改。"))
        self.instance.user = user
        return name

    def clean(self):
        cleaned = super().clean()
        self.instance.channels = ",".join(
            cleaned.get(name) for name in ("first", "second", "third") if cleaned.get(name)
        )
        return cleaned


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(admin.ModelAdmin):
    """Each person's channels, preferred first (staff); a test message goes
    by the chain, falling back as a reminder would."""

    form = PreferenceForm
    list_display = ["user", "chain", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__cadre__name"]
    actions = ["send_test"]
    fields = ["username", "first", "second", "third"]

    @admin.display(description=_("渠道（按先后）"))
    def chain(self, obj):
        return " → ".join(channels.label(code) for code in obj.codes)

    def save_model(self, request, obj, form, change):
        services.set_channels(obj.user, obj.codes, preference=obj, by=request.user)

    @admin.action(description=_("发送测试消息"))
    def send_test(self, request, queryset):
        results = [
            (str(pref.user), services.send_test_message(user=pref.user, by=request.user)) for pref in queryset
        ]
        _report_tests(self, request, results)


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "created_at", "read_at"]
    list_select_related = ["recipient"]
    search_fields = ["subject", "recipient__username"]
    readonly_fields = ["recipient", "reminder", "created_at", "read_at"]

    def has_add_permission(self, request):
        return False  # notices come from reminders


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(admin.ModelAdmin):
    list_display = ["quarter", "built_at", "built_by", "size"]
    list_filter = ["quarter"]
    readonly_fields = ["quarter", "file", "size", "built_at", "built_by"]
    actions = ["rebuild"]

    def has_add_permission(self, request):
        return False  # built by the job; rebuild from here or from the reports page

    @admin.action(description=_("重新生成所选季度的报表"))
    def rebuild(self, request, queryset):
        from . import tasks
        from .queue import enqueue

        quarters = sorted(set(queryset.values_list("quarter", flat=True)))
        kept = [q for q in quarters if not enqueue(tasks.build_quarterly_report, q, request.user.pk)]
        if kept:
            self.message_user(request, _("任务队列暂时不可用：已记下，恢复后自动生成。"), messages.WARNING)
        else:
            self.message_user(request, _("已安排重新生成：%(q)s。") % {"q": "、".join(quarters)})


@admin.register(PendingTask)
class PendingTaskAdmin(admin.ModelAdmin):
    """Tasks the broker refused, waiting for it to answer again. Staff may
    drop one that is no longer wanted; the scheduler sends the rest."""

    list_display = ["task", "args", "created_at", "attempts", "last_error"]
    readonly_fields = ["task", "args", "kwargs", "created_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False


@admin.register(SmsLog)
class SmsLogAdmin(admin.ModelAdmin):
    """The SMS delivery log: written by jobs.sms, read here."""

    list_display = ["created_at", "mobile", "purpose", "status", "attempts", "backend", "gateway_id"]
    list_filter = ["status", "purpose", "backend"]
    search_fields = ["mobile", "reference"]
    readonly_fields = [f.name for f in SmsLog._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False
