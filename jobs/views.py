from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres import closing
from cadres.models import Correction
from dashboards import closing as closing_counts
from tabular.routes import Routes
from tabular.xlsx import XLSX_CONTENT_TYPE, content_disposition, download_name
from visits.quarters import Quarter, requested

from . import access, tasks
from .models import QuarterlyReport
from .queue import enqueue

route = Routes()


@route("notices/", name="notices")
def notices(request):
    """The user's in-app notices; opening the page marks them read."""
    mine = request.user.notices.all()[:100]
    unread = [n.pk for n in mine if n.read_at is None]
    response = render(request, "jobs/notices.html", {"notices": mine, "unread_ids": set(unread)})
    if unread:
        request.user.notices.filter(pk__in=unread).update(read_at=timezone.now())
    return response


@route("reports/", name="reports", allow=access.can_download_quarterly_reports)
def reports(request):
    """Past quarterly reports for staff and leaders; staff can build one now."""
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
    today = timezone.localdate()
    default = Quarter.of(today).previous()
    return render(
        request,
        "jobs/reports.html",
        {"reports": QuarterlyReport.objects.all()[:40], "default_quarter": default.label,
         "may_build": access.can_build_quarterly_reports(request.user),
         "quarters": [(q, closing.state(q.label), closing_counts.closes_on(q))
                      for q in reversed(closing_counts.watched(today))]},
    )  # fmt: skip


@route("reports/quarters/", name="quarters", allow=access.can_download_quarterly_reports)
def quarters(request):
    """A quarter's closing (issue 16): its status and timeline, the
    corrections pending and applied, its report's versions, and the staff's
    actions on it."""
    today = timezone.localdate()
    quarter = min(requested(request.GET.get("quarter"), Quarter.of(today).previous()), Quarter.of(today))
    row = closing.row(quarter.label)
    corrections = row.corrections.exclude(status=Correction.Status.VOID) if row else Correction.objects.none()
    return render(
        request,
        "jobs/quarter.html",
        {
            "quarter": quarter,
            "closed": closing.state(quarter.label),
            "closes_on": closing_counts.closes_on(quarter),
            "events": row.events.all() if row else [],
            "pending": [c for c in corrections if c.status == Correction.Status.PENDING],
            "applied": [c for c in corrections if c.status == Correction.Status.APPLIED],
            "reports": QuarterlyReport.objects.filter(quarter=quarter.label),
            "actions": closing.available(row)
            if quarter.last_day < today and access.can_build_quarterly_reports(request.user)
            else [],
        },
    )


ACTIONS = {"close": closing_counts.close, "reopen": closing_counts.reopen, "reclose": closing_counts.reclose}


@route.post("reports/quarters/act/", name="quarter_action", allow=access.can_build_quarterly_reports)
def quarter_action(request):
    """Staff close a quarter now, reopen it for correction, or close it again
    with a reason; a newly published version gets its report, and the
    leaders are told."""
    try:
        quarter = Quarter.parse(request.POST.get("quarter", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("jobs:reports")
    action = ACTIONS.get(request.POST.get("action", ""))
    back = reverse("jobs:quarters") + f"?quarter={quarter.label}"
    if action is None:
        messages.error(request, _("没有这项操作。"))
        return redirect(back)
    try:
        done = action(quarter, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    said = _("%(quarter)s：%(status)s（第 %(version)s 版）。") % {
        "quarter": quarter.label, "status": done.get_status_display(), "version": done.version,
    }  # fmt: skip
    if action is not closing_counts.reopen:
        if enqueue(tasks.publish_report, quarter.label, request.user.pk):
            said += _("报表新版本正在生成，完成后会通知领导。")
        else:
            said += _("任务队列暂时不可用：已记下，恢复后自动生成。")
    messages.success(request, said)
    return redirect(back)


@route("reports/<int:pk>/download/", name="report_download", allow=access.can_download_quarterly_reports)
def report_download(request, pk):
    report = get_object_or_404(QuarterlyReport, pk=pk)
    response = FileResponse(report.file.open("rb"), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(
        download_name("联企问题解决率季度报表", report.quarter),
        download_name("quarterly-resolution-report", report.quarter),
    )
    return response
