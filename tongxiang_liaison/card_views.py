"""The service cards' pages (issue 17): one enterprise's card, and an A4
sheet of cards for the enterprises a unit's cadres link. The admin reaches
them from an enterprise's and a unit's change page, and prints a sheet for
the enterprises chosen in its list (:mod:`tongxiang_liaison.admin`).

Liaison staff only (:func:`tongxiang_liaison.access.can_print_cards`); the
rule is asked before the id is looked up, so an id that exists and one that
does not answer alike to everyone else."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Unit
from enterprises.models import Enterprise
from tabular.routes import Routes

from . import access, cards

route = Routes()

app_name = "cards"


def _allowed(request):
    if not access.can_print_cards(request.user):
        raise PermissionDenied


def _context(request, enterprises):
    day = timezone.localdate()
    return {
        "cards": cards.service_cards(enterprises, day, origin=cards.portal_origin(request)),
        "office_phone": settings.LIAISON_OFFICE_PHONE,
        "day": day,
    }


def render_sheet(request, enterprises, *, title, back):
    """An A4 sheet of the cards of ``enterprises`` (a queryset), ten a page;
    also the answer of the admin's print actions."""
    context = _context(request, enterprises)
    context.update(sheets=cards.sheets(context["cards"]), title=title, back=back)
    return render(request, "cards/sheet.html", context)


@route.get("cards/enterprise/<int:pk>/", name="enterprise")
def enterprise_card(request, pk):
    _allowed(request)
    context = _context(request, Enterprise.objects.filter(pk=pk))
    if not context["cards"]:
        raise Http404
    card = context["cards"][0]
    back = reverse("admin:enterprises_enterprise_change", args=[pk])
    return render(request, "cards/card.html", {**context, "card": card, "back": back})


@route.get("cards/unit/<int:pk>/", name="unit")
def unit_sheet(request, pk):
    _allowed(request)
    unit = get_object_or_404(Unit, pk=pk)
    title = _("%(unit)s联系企业服务卡") % {"unit": unit.name}
    back = reverse("admin:cadres_unit_change", args=[pk])
    return render_sheet(request, cards.unit_enterprises([unit], timezone.localdate()), title=title, back=back)


urlpatterns = route.urlpatterns()
