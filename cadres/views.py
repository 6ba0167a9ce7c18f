"""Staff pages over the cadres layer. Views stay thin: the lists come from
:mod:`cadres.selectors`, the decisions from :mod:`cadres.permissions`."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from tabular.xlsx import download_name, xlsx_response

from . import permissions, selectors
from .spreadsheets import arrangement_workbook, compliance_workbook, export_stamp

PAGE_SIZE = 50


def compliance_sections(user, day):
    horizon = settings.PAIRING_RENEWAL_WARNING_DAYS
    return {
        "below_minimum": selectors.cadres_below_minimum(user, day),
        "unpaired": selectors.enterprises_without_active_pairing(user, day),
        "ending": selectors.pairings_ending_soon(user, day, horizon),
        "horizon": horizon,
    }


def render_compliance(request, template, extra=None):
    if not permissions.can_view_reports(request.user):
        raise PermissionDenied
    day = timezone.localdate()
    sections = compliance_sections(request.user, day)
    context = {
        "day": day,
        "horizon": sections["horizon"],
        "below_minimum": Paginator(sections["below_minimum"], PAGE_SIZE).get_page(request.GET.get("p1")),
        "unpaired": Paginator(sections["unpaired"], PAGE_SIZE).get_page(request.GET.get("p2")),
        "ending": Paginator(sections["ending"], PAGE_SIZE).get_page(request.GET.get("p3")),
        **(extra or {}),
    }
    return render(request, template, context)


@login_required
def compliance(request):
    return render_compliance(request, "cadres/compliance.html")


@login_required
def compliance_xlsx(request):
    if not permissions.can_view_reports(request.user):
        raise PermissionDenied
    day = timezone.localdate()
    workbook = compliance_workbook(compliance_sections(request.user, day), day)
    stamp = export_stamp()
    return xlsx_response(
        workbook, download_name("结对合规", stamp), download_name("pairing-compliance", stamp)
    )


@login_required
def arrangement_xlsx(request):
    """Attachment 2 (R20) for the departments the user may see."""
    if not permissions.can_view_reports(request.user):
        raise PermissionDenied
    day = timezone.localdate()
    workbook = arrangement_workbook(selectors.arrangement_table(request.user, day), day)
    stamp = export_stamp()
    return xlsx_response(
        workbook,
        download_name("附件2-走访联系企业安排表", stamp),
        download_name("attachment2-visit-arrangement", stamp),
    )
