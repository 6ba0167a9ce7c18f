"""The third-party apps' admin pages in Chinese: django-axes's login records
(which ship no Chinese catalog) and django-celery-beat's schedules (whose
catalog leaves the fieldsets and the cron description in English).

The classes keep the packages' own behaviour and only relabel: every column
and read-only field is shown through a method with a Chinese description, so
the packages' models (and their migrations) are untouched.

Also the project layer's own additions to the apps' admin classes, which the
apps cannot make without importing upward: the feedback form's corrections
hand over as a submission does (:class:`FeedbackAdmin`), and the enterprises'
and units' pages print service cards (:class:`CardEnterpriseAdmin`,
:class:`CardUnitAdmin`, issue 17)."""

import re
from collections.abc import Callable
from typing import NamedTuple

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from cron_descriptor import (
    ExpressionDescriptor,
    FormatException,
    MissingFieldException,
    Options,
    WrongArgumentException,
)
from django.contrib import admin
from django.contrib.admin.utils import display_for_field
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from cadres.admin import UnitAdmin
from cadres.models import Unit
from enterprises.admin import EnterpriseAdmin
from enterprises.models import Enterprise
from visits.admin import VisitAdmin
from visits.models import Visit

from . import access, actions, card_views, cards

AXES_LABELS = {
    "attempt_time": _("时间"),
    "logout_time": _("退出时间"),
    "ip_address": _("IP 地址"),
    "user_agent": _("浏览器"),
    "username": _("用户名"),
    "path_info": _("登录页面"),
    "failures_since_start": _("失败次数"),
    "http_accept": _("浏览器接受的内容类型"),
    "get_data": _("请求参数（GET）"),
    "post_data": _("提交内容（POST）"),
    "locked_out": _("已锁定"),
}


FIELDSET_TITLES = {"Form Data": _("表单内容"), "Meta Data": _("浏览器信息")}


def _shown(name, label):
    boolean = name == "locked_out"

    def show(self, obj):
        """The value as the admin shows a field of its own: a time in local
        time, nothing as "-" (a callable's None would read "None"); the
        boolean as the admin's icon."""
        value = getattr(obj, name)
        if boolean:
            return value
        return display_for_field(value, obj._meta.get_field(name), self.get_empty_value_display())

    show.__name__ = f"shown_{name}"
    return admin.display(description=label, boolean=boolean, ordering=name)(show)


class _TimeFilter(admin.DateFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = AXES_LABELS.get(field_path, field.verbose_name)


class _PathFilter(admin.AllValuesFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = AXES_LABELS["path_info"]


class _LockedOutFilter(axes_admin.IsLockedOutFilter):
    title = _("是否已锁定")

    def lookups(self, request, model_admin):
        return (("yes", _("是")), ("no", _("否")))


def _relabel(admin_class, model, extra=()):
    """A subclass of the package's admin class whose columns, filters and
    read-only fields carry the Chinese labels."""

    def name(field):
        return f"shown_{field}" if field in AXES_LABELS else field

    attrs = {f"shown_{field}": _shown(field, label) for field, label in AXES_LABELS.items()}
    attrs["list_display"] = [name(f) for f in admin_class.list_display]
    attrs["readonly_fields"] = [name(f) for f in admin_class.readonly_fields]
    with translation.override("en"):  # the package's titles as it wrote them
        attrs["fieldsets"] = [
            (
                FIELDSET_TITLES.get(str(title), title) if title else None,
                {**options, "fields": tuple(name(f) for f in options["fields"])},
            )
            for title, options in admin_class.fieldsets
        ]
    attrs["list_filter"] = [
        (f, _TimeFilter)
        if f in ("attempt_time", "logout_time")
        else (f, _PathFilter)
        if f == "path_info"
        else _LockedOutFilter
        if f is axes_admin.IsLockedOutFilter
        else f
        for f in admin_class.list_filter
    ]
    attrs.update(extra)
    return type(f"Chinese{admin_class.__name__}", (admin_class,), attrs)


@admin.display(description=_("失效时间"))
def _expiration(self, obj):
    return obj.expiration.expires_at if hasattr(obj, "expiration") else _("未设置")


@admin.display(description=_("状态"))
def _status(self, obj):
    from axes.conf import settings as axes_settings

    left = axes_settings.AXES_FAILURE_LIMIT - obj.failures_since_start
    return _("还可尝试 %(n)d 次") % {"n": left} if left > 0 else _("已锁定")


@admin.action(description=_("清理已过期的登录失败记录"))
def _cleanup(self, request, queryset):
    count = self.handler.clean_expired_user_attempts(request=request)
    self.message_user(request, _("已清理 %(n)d 条过期的登录失败记录。") % {"n": count})


for _model, _class, _extra in (
    (
        AccessAttempt,
        axes_admin.AccessAttemptAdmin,
        {"expiration": _expiration, "status": _status, "cleanup_expired_attempts": _cleanup},
    ),
    (AccessLog, axes_admin.AccessLogAdmin, {}),
    (AccessFailureLog, axes_admin.AccessFailureLogAdmin, {}),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, _relabel(_class, _model, _extra))


# django-celery-beat --------------------------------------------------------

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def describe_cron(schedule):
    """A crontab schedule in the reader's language (cron-descriptor has
    Chinese; its month names stay English, so they are replaced)."""
    expression = " ".join(
        (schedule.minute, schedule.hour, schedule.day_of_month, schedule.month_of_year, schedule.day_of_week)
    )
    options = Options()
    options.use_24hour_time_format = True
    chinese = (get_language() or "").startswith("zh")
    options.locale_code = "zh_CN" if chinese else "en_US"
    try:
        text = ExpressionDescriptor(expression, options).get_description()
    except (MissingFieldException, FormatException, WrongArgumentException):
        text = expression
    if chinese:
        text = re.sub("|".join(_MONTHS), lambda m: f"{_MONTHS.index(m.group(0)) + 1}月", text)
        text = re.sub(r"(?<=月)(, 和 |, )(?=\d+月)", "、", text).replace(", ", "，")
    return f"{text}（{schedule.timezone}）"


class _TaskFilter(admin.AllValuesFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("任务")


class ChinesePeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    change_form_template = "admin/djcelery/change_periodictask_form_zh.html"
    list_display = tuple(
        "shown_scheduler" if f == "scheduler" else f for f in beat_admin.PeriodicTaskAdmin.list_display
    )
    list_filter = [
        ("task", _TaskFilter) if f == "task" else f for f in beat_admin.PeriodicTaskAdmin.list_filter
    ]
    fieldsets = (
        (None, beat_admin.PeriodicTaskAdmin.fieldsets[0][1]),
        (_("执行时间"), beat_admin.PeriodicTaskAdmin.fieldsets[1][1]),
        (_("参数"), beat_admin.PeriodicTaskAdmin.fieldsets[2][1]),
        (_("执行选项"), beat_admin.PeriodicTaskAdmin.fieldsets[3][1]),
    )

    @admin.display(description=_("执行计划"))
    def shown_scheduler(self, obj):
        return obj.scheduler

    @admin.display(description=_("执行时间说明"))
    def crontab_translation(self, obj):
        return describe_cron(obj.crontab) if obj.crontab_id else "—"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "readable_crontabs": {c.pk: describe_cron(c) for c in CrontabSchedule.objects.all()},
        }
        return super(beat_admin.PeriodicTaskAdmin, self).changeform_view(
            request, object_id, form_url, extra_context=extra_context
        )


class _TasksOfThisSchedule(beat_admin.PeriodicTaskInline):
    verbose_name = _("使用此计划的周期任务")
    verbose_name_plural = verbose_name
    # The package names its task field "Task Name", outside its translations.
    fields = readonly_fields = tuple(
        "task_name" if f == "task" else f for f in beat_admin.PeriodicTaskInline.fields
    )

    @admin.display(description=_("任务"))
    def task_name(self, obj):
        return obj.task


# Two of the package's help texts have no Chinese in its catalogue.
_CRON_HELP = {
    "month_of_year": _("计划执行的月份（1–12）。将“*”用作“all”。（例如：“1,12”）"),
    "day_of_week": _("计划执行的星期几，星期日为 0 或 7，星期一为 1。将“*”用作“all”。（例如：“0,5”）"),
}


class ChineseCrontabScheduleAdmin(beat_admin.CrontabScheduleAdmin):
    inlines = [_TasksOfThisSchedule]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in _CRON_HELP:
            field.help_text = _CRON_HELP[db_field.name]
        return field

    list_display = ("__str__", "readable")
    fields = ("readable", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")
    readonly_fields = ("readable",)

    @admin.display(description=_("执行时间说明"))
    def readable(self, obj):
        return describe_cron(obj) if obj.pk else "—"


def _with_chinese_inline(admin_class):
    return type(f"Chinese{admin_class.__name__}", (admin_class,), {"inlines": [_TasksOfThisSchedule]})


for _model, _class in (
    (PeriodicTask, ChinesePeriodicTaskAdmin),
    (CrontabSchedule, ChineseCrontabScheduleAdmin),
    (IntervalSchedule, _with_chinese_inline(beat_admin.IntervalScheduleAdmin)),
    (SolarSchedule, _with_chinese_inline(beat_admin.SolarScheduleAdmin)),
    (ClockedSchedule, _with_chinese_inline(beat_admin.ClockedScheduleAdmin)),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, _class)


# -- the feedback form's correction hands over, as its submission does ---------


class FeedbackAdmin(VisitAdmin):
    """The visits app's admin, whose saved corrections go through the same
    hand-over as a submission (tongxiang_liaison.actions.correct_feedback):
    a problem row added becomes an issue-list item, the 销售 a revenue figure."""

    def corrected(self, request, visit, *, reason=""):
        actions.correct_feedback(visit, by=request.user, reason=reason)


admin.site.unregister(Visit)
admin.site.register(Visit, FeedbackAdmin)


# -- the enterprises' service cards (card_views) ------------------------------


class CardLinks(NamedTuple):
    url_name: str  # the card (or sheet) page of one row
    link_label: str  # its link on the row's change page
    action: str  # the list action printing the chosen rows' sheet
    action_label: str
    sheet_title: str
    enterprises_of: Callable  # the chosen rows' enterprises


class _PrintsCards:
    """The change page links to the row's card (or sheet) page; the list's
    action prints a sheet of the chosen rows' enterprises
    (``card.enterprises_of``). Both for liaison staff only."""

    change_form_template = "admin/cards/change_form.html"
    card: CardLinks

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)

        def print_cards(model_admin, request, queryset):
            meta = model_admin.model._meta
            back = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
            enterprises = cls.card.enterprises_of(queryset)
            return card_views.render_sheet(request, enterprises, title=cls.card.sheet_title, back=back)

        print_cards.__name__ = cls.card.action
        action = admin.action(description=cls.card.action_label, permissions=["print_cards"])(print_cards)
        cls.actions = [*(cls.actions or ()), action]

    def has_print_cards_permission(self, request):
        return access.can_print_cards(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if self.has_print_cards_permission(request) and object_id and object_id.isdigit():
            extra_context = {
                **(extra_context or {}),
                "card_link": reverse(self.card.url_name, args=[int(object_id)]),
                "card_link_label": self.card.link_label,
            }
        return super().change_view(request, object_id, form_url, extra_context=extra_context)


def _chosen_enterprises(chosen):
    return Enterprise.objects.filter(pk__in=chosen.values("pk"))


def _enterprises_of_units(chosen):
    """Every enterprise the chosen units' cadres link today."""
    return cards.unit_enterprises(chosen, timezone.localdate())


class CardEnterpriseAdmin(_PrintsCards, EnterpriseAdmin):
    card = CardLinks(
        "cards:enterprise",
        _("打印服务卡"),
        "print_service_cards",
        _("打印所选企业的服务卡"),
        _("企业服务卡"),
        _chosen_enterprises,
    )


class CardUnitAdmin(_PrintsCards, UnitAdmin):
    card = CardLinks(
        "cards:unit",
        _("打印本单位联系企业服务卡"),
        "print_unit_cards",
        _("打印所选单位联系企业的服务卡"),
        _("所选单位联系企业服务卡"),
        _enterprises_of_units,
    )


for _model, _class in ((Enterprise, CardEnterpriseAdmin), (Unit, CardUnitAdmin)):
    admin.site.unregister(_model)
    admin.site.register(_model, _class)
