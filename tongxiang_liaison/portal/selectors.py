"""What an enterprise's own pages show of it (issue 17, R16): its cadres, its
items and the public part of their timelines.

Public and internal timeline entries: a contact sees, for its own
enterprise's items, the status, the department handling it (the open or last
referral slip's department, or 市级协调 for an escalation), that slip's
deadline, the department's result once the office accepted it (a result sent
back is not shown), an escalation's coordination result once concluded, and a
timeline of the kinds in :data:`PUBLIC_KINDS` shown by kind, date and status
label only. No event's ``comment`` is ever shown (comments, return reasons,
extension reasons, supervision notes, leaders' instructions, monthly progress
are the staff's working notes), nor the actors' names except for the creation.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Prefetch
from django.utils.translation import gettext as _

from cadres import selectors as cadre_selectors
from issues.models import EscalationSlip, IssueEvent, IssueItem, ReferralSlip
from visits.models import Visit

PUBLIC_KINDS = (
    IssueEvent.Kind.CREATED,
    IssueEvent.Kind.MOVED,
    IssueEvent.Kind.ANSWERED,
    IssueEvent.Kind.CONFIRMED,
)


@dataclass
class PairedCadre:
    name: str
    unit: str
    mobile: str
    last_visit: datetime.date | None


def paired_cadres(enterprise, today: datetime.date) -> list[PairedCadre]:
    cadres = cadre_selectors.paired_with(enterprise, today)
    last = dict(
        Visit.objects.filter(enterprise=enterprise, status=Visit.Status.SUBMITTED)
        .values("cadre")
        .annotate(last=Max("visit_date"))
        .values_list("cadre", "last")
    )
    return [PairedCadre(c.name, c.unit.name, c.mobile, last.get(c.pk)) for c in cadres]


@dataclass
class PublicItem:
    item: IssueItem
    department: str
    deadline: datetime.date | None
    answer: str


def items_of(enterprise):
    """The enterprise's items, each with its slips read once (:func:`public_item`)."""
    newest = ("-issued_on", "-id")
    return (
        IssueItem.objects.filter(enterprise=enterprise)
        .order_by("-reported_on", "-id")
        .prefetch_related(
            Prefetch(
                "referrals", queryset=ReferralSlip.objects.select_related("department").order_by(*newest)
            ),
            Prefetch("escalations", queryset=EscalationSlip.objects.order_by(*newest)),
        )
    )


def public_item(item) -> PublicItem:
    """What the enterprise reads of ``item``'s handling (an item of :func:`items_of`)."""
    slips = list(item.referrals.all())
    slip = next((one for one in slips if one.status != ReferralSlip.Status.ACCEPTED), None)
    slip = slip or (slips[0] if slips else None)
    escalation = next(iter(item.escalations.all()), None)
    department, deadline, answer = "", None, ""
    if slip is not None:
        department, deadline = slip.department.name, slip.deadline
        if slip.status == ReferralSlip.Status.ACCEPTED:
            answer = slip.result
    if escalation is not None and (slip is None or escalation.issued_on >= slip.issued_on):
        department, deadline = _("市领导协调"), None
        if escalation.status == EscalationSlip.Status.CONCLUDED:
            answer = escalation.coordination_result
    return PublicItem(item, department, deadline, answer)


def public_items(enterprise) -> list[PublicItem]:
    return [public_item(item) for item in items_of(enterprise)]


def public_timeline(item):
    return IssueEvent.objects.filter(item=item, kind__in=PUBLIC_KINDS).order_by("at", "id")
