"""Demo visits at any scale, for the laptop demo and the benchmarks.

Every pairing in force gets submitted visits spread over the quarters since
it began (on-site, meetings, some phone calls), most quarters covered, some
missed; deterministic for a seed. Each form is saved as a draft and then
submitted, through :mod:`visits.services` one by one, or (``bulk``) in
batches leaving what those services leave: the form, its two history rows
(the draft, then the submission), its credits (R7) and, dated into a
closed quarter, its correction (issue 16)."""

import datetime
import random

from django.db import transaction

from cadres.models import Pairing
from tabular.bulk import insert
from tabular.history import PendingHistory

from . import services
from .models import Visit, VisitCredit, VisitMode
from .quarters import Quarter

SITUATIONS = [
    "订单饱满，生产经营正常。",
    "受外需影响订单有所下降，企业正在开拓国内市场。",
    "新生产线投产，产能提升约两成。",
    "用工紧张，一线操作工缺口较大。",
]


@transaction.atomic
def build_visits(count: int, *, seed: int, today: datetime.date, bulk: bool = True) -> int:
    """Create ``count`` submitted visits, spread over the pairings in force and
    the quarters since each began (none if ``count`` is 0)."""
    if count <= 0:
        return 0
    rng = random.Random(seed)
    pairings = list(
        Pairing.objects.active_on(today).values_list("pk", "cadre_id", "enterprise_id", "start_date")
    )
    if not pairings:
        return 0
    modes = [VisitMode.ONSITE] * 6 + [VisitMode.MEETING] * 2 + [VisitMode.PHONE]
    write = _submit_in_bulk if bulk else _submit_each
    visits, created = [], 0
    for index, (pk, cadre_id, enterprise_id, start) in enumerate(pairings):
        # Spread what is left evenly over the pairings still to go.
        share = -(-(count - created - len(visits)) // (len(pairings) - index))
        quarters = []
        quarter = Quarter.of(today)
        while quarter.last_day >= start and len(quarters) < 12:
            quarters.append(quarter)
            quarter = quarter.previous()
        missed = {q for q in quarters[1:] if rng.random() < 0.15}  # some quarters are missed
        kept = [q for q in quarters if q not in missed] or quarters[:1]
        for n in range(share):
            quarter = kept[n % len(kept)]
            first, last = max(quarter.first_day, start), min(quarter.last_day, today)
            day = first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))
            visits.append(
                Visit(
                    cadre_id=cadre_id,
                    pairing_id=pk,
                    enterprise_id=enterprise_id,
                    visit_date=day,
                    mode=rng.choice(modes),
                    met_head=rng.random() < 0.9,
                    talked_to_workers=rng.random() < 0.7,
                    situation=rng.choice(SITUATIONS),
                )
            )
        if len(visits) >= 20_000:
            created += write(visits)
            visits = []
    return created + write(visits)


def _submit_each(visits):
    """The services' path: each form saved as a draft, then submitted."""
    for visit in visits:
        services.submit_visit(services.save_visit(visit, companions=[], problems=[]))
    return len(visits)


def _submit_in_bulk(visits):
    """What :func:`_submit_each` leaves, in a few inserts."""
    history = PendingHistory()
    for visit in visits:
        history.saved(visit, created=True)  # the draft
        services.mark_submitted(visit)
        history.saved(visit)
    insert(Visit, visits)
    insert(VisitCredit, (credit for visit in visits for credit in services.credits_for(visit)))
    history.write()
    services.note_late_in_bulk(visits)
    return len(visits)
