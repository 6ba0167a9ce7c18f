"""Staff pages over the cadres layer, and the contacts of the enterprises a
cadre links (issue 17). Views stay thin: the lists come from
:mod:`cadres.selectors`, the decisions from :mod:`cadres.permissions`, the
writes from :mod:`enterprises.services`."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises import services as enterprise_services
from enterprises.models import Enterprise
from tabular.forms import add_service_errors
from tabular.routes import Routes
from tabular.xlsx import download_name, xlsx_response

from . import permissions, selectors
from .forms import ContactForm
from .spreadsheets import arrangement_workbook, compliance_workbook, export_stamp

route = Routes()

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


@route("compliance/", name="compliance")
def compliance(request):
    return render_compliance(request, "cadres/compliance.html")


@route("compliance/export.xlsx", name="compliance_xlsx", allow=permissions.can_view_reports)
def compliance_xlsx(request):
    day = timezone.localdate()
    workbook = compliance_workbook(compliance_sections(request.user, day), day)
    stamp = export_stamp()
    return xlsx_response(
        workbook, download_name("结对合规", stamp), download_name("pairing-compliance", stamp)
    )


@route("compliance/attachment2.xlsx", name="arrangement_xlsx", allow=permissions.can_view_reports)
def arrangement_xlsx(request):
    """Attachment 2 (R20) for the departments the user may see."""
    day = timezone.localdate()
    workbook = arrangement_workbook(selectors.arrangement_table(request.user, day), day)
    stamp = export_stamp()
    return xlsx_response(
        workbook,
        download_name("附件2-走访联系企业安排表", stamp),
        download_name("attachment2-visit-arrangement", stamp),
    )


# -- the enterprises' contacts (issue 17) ----------------------------------------
#
# One page per enterprise: its contacts, each with its correction form and its
# let-go / take-back button, and the form to add one. An enterprise the user
# may not change the contacts of answers 404, as one that does not exist.


def contact_enterprise(request, pk):
    queryset = permissions.contact_enterprises(request.user, Enterprise.objects.select_related("place"))
    return get_object_or_404(queryset, pk=pk)


def posted_contact(request, enterprise):
    """The contact named by the form (``contact``), of this enterprise only, or 404."""
    contact_id = request.POST.get("contact", "")
    return get_object_or_404(enterprise.contacts, pk=contact_id if contact_id.isdigit() else 0)


def contact_form(contact=None, data=None):
    """A contact's form; ids distinct per contact, as each has one on the page."""
    auto_id = f"c{contact.pk}_%s" if contact else "new_%s"
    initial = {"name": contact.name, "role": contact.role, "mobile": contact.mobile} if contact else None
    form = ContactForm(data, initial=initial, auto_id=auto_id)
    form.contact_id = contact.pk if contact else None
    return form


def render_contacts(request, enterprise, *, failed=None):
    """The page; ``failed``: a form sent back with its errors (a contact's, or
    the new contact's)."""
    contacts = list(enterprise.contacts.order_by("-is_active", "id"))
    forms = {None: contact_form(), **{contact.pk: contact_form(contact) for contact in contacts}}
    if failed is not None:
        forms[failed.contact_id] = failed
    context = {
        "enterprise": enterprise,
        "rows": [(contact, forms[contact.pk]) for contact in contacts],
        "add_form": forms[None],
        "is_cadre": permissions.is_cadre(request.user),
    }
    return render(request, "cadres/contacts.html", context)


def save_contact(request, pk, *, change):
    """A new contact of the enterprise (``change`` False) or the posted
    contact's changes, through the service (history names the user): the
    page with a message, or again with the form's and the service's errors."""
    enterprise = contact_enterprise(request, pk)
    contact = posted_contact(request, enterprise) if change else None
    form = contact_form(contact, data=request.POST)
    if form.is_valid():
        try:
            if change:
                saved = enterprise_services.change_contact(contact, **form.cleaned_data, by=request.user)
            else:
                saved = enterprise_services.add_contact(enterprise, **form.cleaned_data, by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            said = _("已保存联系人 %(name)s。") if change else _("已添加联系人 %(name)s。")
            messages.success(request, said % {"name": saved.name})
            return redirect("cadres:contacts", pk=enterprise.pk)
    return render_contacts(request, enterprise, failed=form)


@route.get("enterprises/<int:pk>/contacts/", name="contacts")
def contacts(request, pk):
    return render_contacts(request, contact_enterprise(request, pk))


@route.post("enterprises/<int:pk>/contacts/add/", name="contact_add")
def contact_add(request, pk):
    return save_contact(request, pk, change=False)


@route.post("enterprises/<int:pk>/contacts/change/", name="contact_change")
def contact_change(request, pk):
    return save_contact(request, pk, change=True)


@route.post("enterprises/<int:pk>/contacts/active/", name="contact_active")
def contact_active(request, pk):
    """``active``: 1 takes the contact back (may sign in again), 0 lets them go."""
    enterprise = contact_enterprise(request, pk)
    contact = posted_contact(request, enterprise)
    active = request.POST.get("active") == "1"
    enterprise_services.set_contact_active(contact, active, by=request.user)
    if active:
        said = _("%(name)s 可以重新登录企业服务页。")
    else:
        said = _("%(name)s 已停用，不能再登录企业服务页。")
    messages.success(request, said % {"name": contact.name})
    return redirect("cadres:contacts", pk=enterprise.pk)
