"""The landing page: what this user can do, by role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cadres import permissions


@login_required
def home(request):
    links = []
    if permissions.can_view_compliance(request.user):
        links.append(
            {
                "url": reverse("cadres:compliance"),
                "label": _("结对合规"),
                "help": _("联系数不足的干部、无人联系的企业、即将到期的结对。"),
            }
        )
        links.append(
            {
                "url": reverse("cadres:arrangement_xlsx"),
                "label": _("附件2 安排表"),
                "help": _("市涉企部门(单位)走访联系企业安排表（xlsx）。"),
            }
        )
    if request.user.is_staff:
        links.append(
            {
                "url": reverse("admin:index"),
                "label": _("管理后台"),
                "help": _("单位、干部、企业、结对的维护与导入导出。"),
            }
        )
    return render(request, "home.html", {"links": links})
