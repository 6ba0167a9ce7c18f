from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import delivery, labels
from .models import Notice, PendingTask, QuarterlyReport, ReminderLog


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


_SHOWN = {"kind": "kind_label", "stage": "stage_label"}


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    """Every reminder, with failed sends and their errors in plain view; the
    kind and stage codes (``first_visit``, ``d30``) are shown by their labels."""

    list_display = [
        "subject",
        "recipient",
        "kind_label",
        "period",
        "stage_label",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", _KindFilter, _StageFilter, "period"]
    list_select_related = ["recipient"]
    search_fields = ["subject", "recipient__username", "email"]
    fields = readonly_fields = [_SHOWN.get(f.name, f.name) for f in ReminderLog._meta.fields]

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
        result = delivery.deliver(
            queryset.filter(status=ReminderLog.Status.FAILED).values_list("pk", flat=True)
        )
        self.message_user(
            request,
            _("重新发送：成功 %(sent)d，失败 %(failed)d。") % {"sent": result.sent, "failed": result.failed},
            messages.SUCCESS if not result.failed else messages.WARNING,
        )


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
