"""The first-visit deadline of a pairing (R8), in one place.

R8: the first visit of every pairing falls before the campaign's first-visit
deadline, 15 April of the campaign year (``CAMPAIGN_FIRST_VISIT_DEADLINE``,
``MM-DD``). The notice says nothing of pairings signed after that day — new
cadres, transfers, enterprises added to the register in the summer — and on
real data they got no deadline at all and no reminder. So:

- a pairing begun **before** the campaign deadline of its start year must be
  visited before that deadline (R8 as written);
- a pairing begun **on or after** it must be visited before the day
  ``FIRST_VISIT_DAYS_AFTER_START`` (default 30) calendar days after its
  start: begun 15 April, visited by 14 May at the latest (deadline 15 May).
  30 days is the settling time the quarter module already grants a new
  pairing before it is due a quarterly visit (``visits.quarters.SETTLE_DAYS``),
  so the first visit and the first due quarter agree, and it is longer than
  the 19 days the notice itself gave (27 March to 15 April). Calendar days,
  like R8's own date: a pairing begun on a holiday (1 October) still has its
  deadline 30 days on (31 October), and the cadre has working days enough
  within a month; working days live in ``issues`` above this layer anyway;
- a **renewal** — a pairing that follows an earlier pairing of the same
  cadre and enterprise (R5, ``cadres.services.renew_pairing``) — has no first
  visit to make: the cadre knows the enterprise, and R7 keeps it visited.

The deadline is an exclusive bound, as in R8 ("before 15 April"): a visit
counts when it falls before the deadline day, and the first visit is overdue
from that day on. The first visit is made once the cadre has a counting visit
(``visits.models.VisitCredit``) to the enterprise on or after the pairing
began. 我的联系企业 (``visits.selectors.my_pairings``) and the reminder job's
first-visit stage (``jobs.reminders``) both ask this module.
"""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from cadres.models import Pairing

from .models import VisitCredit


def campaign_deadline(year: int) -> datetime.date:
    """R8: the campaign's first-visit deadline in ``year`` (default 15 April)."""
    month, day = (int(part) for part in settings.CAMPAIGN_FIRST_VISIT_DEADLINE.split("-"))
    return datetime.date(year, month, day)


def days_after_start() -> int:
    return int(settings.FIRST_VISIT_DAYS_AFTER_START)


def deadline_for(start_date: datetime.date) -> datetime.date:
    """The day before which the first visit of a pairing begun on
    ``start_date`` must fall (renewals aside, see :func:`annotate`)."""
    campaign = campaign_deadline(start_date.year)
    if start_date < campaign:
        return campaign
    return start_date + datetime.timedelta(days=days_after_start())


def annotate(pairings):
    """Mark each pairing ``first_visit_made`` (a counting visit of its cadre to
    its enterprise on or after it began) and ``first_visit_renewal`` (an
    earlier pairing of the same cadre and enterprise exists, R5)."""
    return pairings.annotate(
        first_visit_made=Exists(
            VisitCredit.objects.filter(
                cadre=OuterRef("cadre_id"),
                enterprise=OuterRef("enterprise_id"),
                visit_date__gte=OuterRef("start_date"),
            )
        ),
        first_visit_renewal=Exists(
            Pairing.objects.filter(
                cadre=OuterRef("cadre_id"),
                enterprise=OuterRef("enterprise_id"),
                start_date__lt=OuterRef("start_date"),
            )
        ),
    )


def pending(pairings):
    """The pairings among ``pairings`` whose first visit is still to be made."""
    return annotate(pairings).filter(first_visit_made=False, first_visit_renewal=False)


def deadline_of(pairing) -> datetime.date | None:
    """The first-visit deadline of a pairing from :func:`annotate`, or None
    once the first visit is made or for a renewal."""
    if pairing.first_visit_made or pairing.first_visit_renewal:
        return None
    return deadline_for(pairing.start_date)


def is_overdue(deadline: datetime.date | None, today: datetime.date) -> bool:
    return deadline is not None and today >= deadline


def deadline_between_q(first: datetime.date, last: datetime.date) -> Q:
    """Pairings whose :func:`deadline_for` falls within ``first``–``last``
    (both included), as a filter: the inverse of :func:`deadline_for`, so the
    reminder job finds them in one query."""
    condition = Q(pk__in=[])
    for year in range(first.year, last.year + 1):
        campaign = campaign_deadline(year)
        if first <= campaign <= last:  # begun this year before the campaign deadline
            condition |= Q(start_date__gte=datetime.date(year, 1, 1), start_date__lt=campaign)
    offset = datetime.timedelta(days=days_after_start())
    earliest, latest = first - offset, last - offset
    for year in range(earliest.year, latest.year + 1):
        low = max(earliest, campaign_deadline(year))
        high = min(latest, datetime.date(year, 12, 31))
        if low <= high:  # begun on or after that year's campaign deadline
            condition |= Q(start_date__range=(low, high))
    return condition
