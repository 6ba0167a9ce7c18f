from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tabular.xlsx import XLSX_CONTENT_TYPE, content_disposition, download_name
from visits.quarters import Quarter

from . import access, tasks
from .models import QuarterlyReport
from .queue import enqueue


@login_required
def notices(request):
    """The user's in-app notices; opening the page marks them read."""
    mine = request.user.notices.all()[:100]
    unread = [n.pk for n in mine if n.read_at is None]
    response = render(request, "jobs/notices.html", {"notices": mine, "unread_ids": set(unread)})
    if unread:
        request.user.notices.filter(pk__in=unread).update(read_at=timezone.now())
    return response


@login_required
def reports(request):
    """Past quarterly reports for staff and leaders; staff can build one now."""
    if not access.can_download_quarterly_reports(request.user):
        raise PermissionDenied
    if request.method == "POST" and access.can_build_quarterly_reports(request.user):
        try:
            quarter = Quarter.parse(request.POST.get("quarter", ""))
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            if enqueue(tasks.build_quarterly_report, quarter.label, request.user.pk):
                messages.success(
                    request, _("已安排生成 %(q)s 报表，完成后会通知领导。") % {"q": quarter.label}
                )
            else:
                messages.warning(request, _("任务队列暂时不可用：已记下，恢复后自动生成。"))
        return redirect("jobs:reports")
    default = Quarter.of(timezone.localdate()).previous()
    return render(
        request,
        "jobs/reports.html",
        {"reports": QuarterlyReport.objects.all()[:40], "default_quarter": default.label,
         "may_build": access.can_build_quarterly_reports(request.user)},
    )  # fmt: skip


@login_required
def report_download(request, pk):
    if not access.can_download_quarterly_reports(request.user):
        raise PermissionDenied
    report = get_object_or_404(QuarterlyReport, pk=pk)
    response = FileResponse(report.file.open("rb"), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(
        download_name("联企问题解决率季度报表", report.quarter),
        download_name("quarterly-resolution-report", report.quarter),
    )
    return response
