"""What a reminder's kind and stage codes read as (提醒记录 in the admin,
the reminder command's output). The codes stay in the log's unique key;
a code this table does not know is shown as it is."""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "visit": _("季度走访提醒"),
    "first_visit": _("首次走访提醒"),
    "visit_unit": _("单位未走访汇总"),
    "visit_city": _("全市未走访汇总"),
    "slip": _("交办单期限提醒"),
    "meeting": _("形势分析会提醒"),
    "meeting_city": _("形势分析会全市汇总"),
    "report": _("季度报表已生成"),
    "handoff": _("办理交接通知"),
    "visit_group": _("单位群未走访汇总"),
    "slip_group": _("单位群交办单汇总"),
    "test": _("测试消息"),
}

STAGES = {
    "d30": _("季末前 30 天"),
    "d15": _("季末前 15 天"),
    "d7": _("季末前 7 天"),
    "overdue": _("季度已结束未走访"),
    "first_visit": _("首次走访截止前"),
    "due_soon": _("即将到期"),
    "ready": _("已生成"),
    # a hand-off notice's stage is the part of whoever is told (jobs.handoffs)
    "department": _("承办部门"),
    "leader": _("市级领导"),
    "reporter": _("报告干部"),
    "principal": _("第一责任人"),
    "office": _("市联络办"),
    "daily": _("每日"),
    "test": _("测试"),
}

#: a stage that reads differently for one kind of message
KIND_STAGES = {
    ("slip", "overdue"): _("已逾期"),
}


def kind_label(kind):
    return str(KINDS.get(kind, kind))


def stage_label(stage, kind=None):
    return str(KIND_STAGES.get((kind, stage)) or STAGES.get(stage, stage))
