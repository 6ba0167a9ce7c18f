"""The links a signed-in user sees, by role: one list for the header and the
landing page. Each link asks the same permission function as the page it
leads to (the scope's in cadres.permissions, or the page's app's own in its
``access`` module), so a link is shown exactly to those the page lets in
(tests/test_navigation.py opens every page as every role)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cadres import permissions
from coordination import access as coordination
from dashboards import access as dashboards
from issues import access as issues
from jobs import access as jobs
from multiplication import access as multiplication

#: (URL name, label, help, the permission function that admits a user to
#: the page): each link is shown to exactly those its page lets in.
LINKS = [
    ("visits:my", _("我的联系企业"), _("结对企业、本季度走访状态、填写走访反馈表。"), permissions.is_cadre),
    (
        "issues:my_items",
        _("我的问题"),
        _("我报告的问题：办理状态、承办部门、期限和办理结果。"),
        issues.can_view_own_items,
    ),
    (
        "dashboards:dashboard",
        _("看板"),
        _("本季度覆盖率、解决率、按时办结率、六大倍增和走势。"),
        dashboards.can_view_dashboard,
    ),
    (
        "dashboards:evaluation",
        _("年终考评"),
        _("联系干部年度考评表，按单位导出。"),
        dashboards.can_view_dashboard,
    ),
    (
        "coordination:meetings",
        _("形势分析会"),
        _("各区域总协调人本季度形势分析会。"),
        coordination.can_view_meetings,
    ),
    (
        "visits:coverage",
        _("走访覆盖率"),
        _("各单位、各镇街本季度应走访和已走访的结对。"),
        permissions.can_view_reports,
    ),
    (
        "issues:inbox",
        _("交办单"),
        _("交办给部门的问题：即将到期、已逾期、待确认。"),
        issues.can_view_slip_inbox,
    ),
    (
        "cadres:compliance",
        _("结对合规"),
        _("联系数不足的干部、无人联系的企业、即将到期的结对。"),
        permissions.can_view_reports,
    ),
    (
        "cadres:arrangement_xlsx",
        _("附件2 安排表"),
        _("市涉企部门(单位)走访联系企业安排表（xlsx）。"),
        permissions.can_view_reports,
    ),
    ("issues:rates", _("解决率"), _("各单位联企问题解决率与企业满意度。"), issues.can_view_rates),
    (
        "multiplication:overview",
        _("六大倍增"),
        _("六类企业现有数、倍增计划进度、分类库、培育对象与预警。"),
        multiplication.can_view_doubling,
    ),
    (
        "jobs:reports",
        _("季度报表"),
        _("联企问题解决率季度报表（xlsx）。"),
        jobs.can_download_quarterly_reports,
    ),
    (
        "issues:spotchecks",
        _("抽查"),
        _("随机抽查联系人联企情况，形成通报。"),
        issues.can_run_spot_checks,
    ),
    (
        "issues:escalations",
        _("呈报单"),
        _("报送市级领导协调的多部门问题。"),
        issues.can_view_escalations,
    ),
    (
        "visits:services",
        _("服务清单"),
        _("各部门服务清单，按问题类别查找对口部门。"),
        permissions.can_browse_service_lists,
    ),
    (
        "coordination:practices",
        _("典型经验"),
        _("好做法、成功案例和先进事迹。"),
        coordination.can_view_good_practices,
    ),
    (
        "admin:index",
        _("管理后台"),
        _("单位、干部、企业、结对、反馈表的维护与导入导出。"),
        permissions.can_use_admin,
    ),
]


def links_for(user):
    """The links ``user`` may follow, in the order of :data:`LINKS`."""
    return [
        {"url": reverse(name), "label": label, "help": help_text}
        for name, label, help_text, allowed in LINKS
        if allowed(user)
    ]


def navigation(request):
    """Template context processor: the links, and the count of unread notices."""
    if not request.user.is_authenticated:
        return {}
    return {
        "nav_links": links_for(request.user),
        "unread_notices": request.user.notices.filter(read_at__isnull=True).count(),
    }
