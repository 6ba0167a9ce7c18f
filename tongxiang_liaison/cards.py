"""The enterprises' service cards (服务卡, issue 17): what one card says — the
enterprise, the cadres who link it today (R6: a city-department cadre and a
town cadre may both), the liaison office's phone, and a QR code to the
enterprise's sign-in page — and how the cards are laid out on A4 sheets.

Read from the pairings (cadres) and drawn for the enterprise portal, so it
sits in the project layer, above every app. Two queries for any number of
cards: the enterprises, then their active pairings with the cadres and units.

The QR code is drawn with segno as inline SVG: printing needs no network and
no file. It encodes an absolute address: ``ENTERPRISE_PORTAL_URL`` (the
portal's origin as the internet sees it) when set, else the address of the
request that asked for the card, followed by the portal's sign-in path and
the enterprise's credit code (``?c=…``), so the sign-in page can greet the
enterprise by name; no database id goes onto paper."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse

from cadres.models import Cadre, Pairing
from enterprises.models import Enterprise

MAX_CADRES = 4  # rows that fit on a 90 × 54 mm card; the others are counted
CARDS_PER_SHEET = 10  # 2 × 5 cards of 90 × 54 mm on an A4 page
RANKS = list(Cadre.Rank.values)


@dataclass
class ServiceCard:
    enterprise: Enterprise
    cadres: list = field(default_factory=list)
    url: str = ""

    @property
    def shown_cadres(self):
        return self.cadres[:MAX_CADRES]

    @property
    def more(self):
        return max(0, len(self.cadres) - MAX_CADRES)

    @property
    def qr_svg(self):
        """The QR code of :attr:`url` as an ``<svg>`` element (sized by CSS);
        its ``<title>`` carries the address, escaped by segno."""
        qr = segno.make(self.url, error="m", micro=False)
        return qr.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr", lineclass=None, title=self.url)


def portal_origin(request):
    """Where the enterprises reach the portal: the setting, else this site."""
    configured = (settings.ENTERPRISE_PORTAL_URL or "").strip()
    if configured:
        return configured.rstrip("/")
    return request.build_absolute_uri("/").rstrip("/")


def sign_in_url(origin, enterprise):
    return f"{origin}{reverse('portal:login')}?{urlencode({'c': enterprise.credit_code})}"


def service_cards(enterprises, day: datetime.date, *, origin):
    """One card per enterprise of the queryset ``enterprises``, by name, each
    with the active cadres of its pairings active on ``day`` (an ended or
    future pairing, a cadre no longer in post: not on the card), city leaders
    first, then by rank and unit. Two queries."""
    listed = list(enterprises.order_by("name", "pk"))
    cards = {e.pk: ServiceCard(e, url=sign_in_url(origin, e)) for e in listed}
    pairings = (
        Pairing.objects.active_on(day)
        .filter(enterprise__in=[e.pk for e in listed], cadre__is_active=True)
        .select_related("cadre__unit")
        .order_by("cadre__unit__sort_order", "cadre__unit__name", "cadre__name", "pk")
    )
    seen = set()
    for pairing in pairings:
        if (pairing.enterprise_id, pairing.cadre_id) in seen:  # two kinds of link, one person
            continue
        seen.add((pairing.enterprise_id, pairing.cadre_id))
        cards[pairing.enterprise_id].cadres.append(pairing.cadre)
    for card in cards.values():
        card.cadres.sort(key=lambda cadre: RANKS.index(cadre.rank))  # stable: unit order kept within a rank
    return list(cards.values())


def unit_enterprises(units, day: datetime.date):
    """The enterprises the cadres in post of ``units`` (a list or queryset of
    units) link on ``day``."""
    linked = Pairing.objects.active_on(day).filter(cadre__unit__in=units, cadre__is_active=True)
    return Enterprise.objects.filter(pk__in=linked.values("enterprise_id"))


def sheets(cards, per_sheet=CARDS_PER_SHEET):
    """The cards in A4 pages of ``per_sheet``: a page break falls between
    two pages' grids, never through a card."""
    return [cards[i : i + per_sheet] for i in range(0, len(cards), per_sheet)]
