"""Every hand-off tells whoever must act next (R13, R14, R18).

The issue list's timeline is the outbox: each step writes an
:class:`issues.models.IssueEvent` in the transaction that makes the step, and
this module turns the events nobody was told of into notices (an in-app notice,
and the person's channels: email unless they chose others, :mod:`jobs.routing`),
exactly once through the claim-before-send log of :mod:`jobs.delivery` (kind
``handoff``, period the event, stage the recipient's part). :func:`dispatch` is run after every write
request (:mod:`jobs.middleware`) and every minute by the beat, so a step taken
by a command or a crashed run is still told.

Who is told of what:

==================================  ==========================================
event                               told
==================================  ==========================================
referred (交办单 issued)             the department's information officer, with
                                    the deadline; the reporting cadre
escalated (呈报单 issued)            the city leader it is addressed to; the
                                    reporting cadre
any other move (办理, 解决, 无法解决)  the reporting cadre
slip answered (部门反馈)             the liaison office (to accept or return);
                                    the reporting cadre
slip returned (退回重办)             the department's officer; the cadre
extension asked                     the liaison office
extension decided                   the department's officer
deadline counted again (期限重算)     the department's officer (holidays entered)
supervision slip (督办单)            the department's principal leader (R18)
                                    and its officer
instruction recorded (批示)          the liaison office
created, an enterprise's own        its paired cadres (pairings in force) and
request (企业自报, issue 17)          the liaison office
reopened (企业不满意, 已解决 → 联络办)   the liaison office; the reporting cadre
==================================  ==========================================

Nobody is told of their own step.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cadres import selectors as cadre_selectors
from cadres.permissions import liaison_staff_users
from issues import selectors as issue_selectors
from issues import services as issue_services
from issues.models import IssueEvent, IssueItem
from issues.workflow import OPEN
from visits.quarters import Quarter

from . import delivery
from .delivery import Message
from .models import ReminderLog

KIND = "handoff"
BATCH = 500
K = IssueEvent.Kind
S = IssueItem.Status


@dataclass(frozen=True)
class Contact:
    """Whom to tell: a login, and the address to write to."""

    user_id: int
    email: str


def _user_of(cadre):
    """A cadre's active login with the address to write to (the login's, else
    the cadre record's), or None."""
    user = getattr(cadre, "user", None) if cadre is not None else None
    if user is None or not user.is_active:
        return None
    return Contact(user.pk, user.email or cadre.email)


def _item_text(item):
    return _("%(enterprise)s：%(category)s，%(description)s") % {
        "enterprise": item.enterprise.name,
        "category": item.get_category_display(),
        "description": item.description[:200],
    }


def messages_for(event, staff) -> list[Message]:
    """The notices one event leaves: ``(user, stage, subject, body, link)``."""
    item = event.item
    slip, escalation = event.referral, event.escalation
    out = []

    def tell(contact, stage, subject, body, link):
        if contact is None or contact.user_id == event.actor_id:
            return
        out.append(
            Message(
                recipient_id=contact.user_id,
                kind=KIND,
                period=f"E{event.pk}",
                stage=stage,
                subject=subject[:200],
                body=body,
                link=link,
                email=contact.email,
            )
        )

    text = _item_text(item)
    by = event.actor_name or _("系统")
    reporter = _user_of(item.reporter)
    mine = reverse("issues:my_items") + f"#item-{item.pk}"
    officer = _user_of(slip.department.information_officer) if slip else None
    slip_link = reverse("issues:slip", args=[slip.pk]) if slip else ""
    due = issue_services.deadline_text(slip.deadline, slip.deadline_provisional) if slip is not None else ""
    deadline = _("办理期限：%(deadline)s") % {"deadline": due} if slip is not None else ""

    def tell_department(subject, body):
        """The slip's department, through its information officer."""
        tell(officer, "department", subject, body, slip_link)

    if event.kind == K.MOVED and event.to_status == S.REFERRED and slip is not None:
        tell_department(
            _("【新交办单】%(serial)s，办理期限 %(deadline)s") % {"serial": slip.serial, "deadline": due},
            f"{text}\n{deadline}\n{slip.requirement}".strip(),
        )
    if event.kind == K.MOVED and event.to_status == S.ESCALATED and escalation is not None:
        tell(
            _user_of(escalation.leader),
            "leader",
            _("【呈报单】%(serial)s 请您协调") % {"serial": escalation.serial},
            f"{text}\n{escalation.request}".strip(),
            reverse("issues:escalation", args=[escalation.pk]),
        )
    if event.kind in (K.MOVED, K.ANSWERED, K.RETURNED):
        subject = {
            K.ANSWERED: _("您报告的问题有了办理结果（%(enterprise)s）"),
            K.RETURNED: _("您报告的问题已退回部门重办（%(enterprise)s）"),
        }.get(event.kind, _("您报告的问题：%(status)s（%(enterprise)s）"))
        tell(
            reporter,
            "reporter",
            subject % {"enterprise": item.enterprise.name, "status": item.Status(event.to_status).label},
            text
            + "\n"
            + (_("%(by)s：%(comment)s") % {"by": by, "comment": event.comment} if event.comment else by),
            mine,
        )
    if event.kind == K.MOVED and event.from_status == S.RESOLVED and event.to_status in OPEN:
        for contact in staff:  # the enterprise rated the resolution 不满意 (issue 17.5)
            tell(
                contact,
                "office",
                _("【企业不满意】%(enterprise)s 的问题已重新打开，请重新办理")
                % {"enterprise": item.enterprise.name},
                f"{text}\n{event.comment}",
                reverse("issues:item", args=[item.pk]),
            )
    if event.kind == K.RETURNED:
        tell_department(
            _("【退回重办】交办单 %(serial)s") % {"serial": slip.serial},
            text + "\n" + _("退回原因：%(reason)s") % {"reason": event.comment} + f"\n{deadline}",
        )
    if event.kind == K.EXTENSION_DECIDED:
        tell_department(_("延期申请已处理：%(serial)s") % {"serial": slip.serial}, event.comment)
    if event.kind == K.DEADLINE:
        tell_department(
            _("【办理期限调整】交办单 %(serial)s") % {"serial": slip.serial}, f"{text}\n{event.comment}"
        )
    if event.kind == K.SUPERVISED:
        body = f"{text}\n{deadline}\n{event.comment}"
        subject = _("【督办单】交办单 %(serial)s 已逾期") % {"serial": slip.serial}
        tell(_user_of(slip.department.principal_leader), "principal", subject, body, "")
        tell_department(subject, body)
    if event.kind == K.CREATED and item.source == IssueItem.Source.ENTERPRISE:
        subject = _("【企业自报】%(enterprise)s提出新问题") % {"enterprise": item.enterprise.name}
        body = f"{text}\n" + _("提出人：%(name)s") % {"name": by}
        link = reverse("issues:item", args=[item.pk])
        cadres = cadre_selectors.paired_with(item.enterprise, timezone.localdate(event.at))
        told = set()
        for contact in [*(_user_of(c) for c in cadres), *staff]:
            if contact is not None and contact.user_id not in told:
                told.add(contact.user_id)
                tell(contact, "enterprise-request", subject, body, link)
    office_subject = {
        K.ANSWERED: _("【待确认】%(unit)s已反馈交办单 %(serial)s"),
        K.EXTENSION: _("【待审批】%(unit)s申请延期：交办单 %(serial)s"),
        K.INSTRUCTED: _("【领导批示】呈报单 %(serial)s"),
    }.get(event.kind)
    if office_subject:
        serial = slip.serial if slip else escalation.serial
        unit = slip.department.name if slip else ""
        link = slip_link or reverse("issues:escalation", args=[escalation.pk])
        for contact in staff:
            tell(
                contact,
                "office",
                office_subject % {"unit": unit, "serial": serial},
                f"{text}\n{event.comment}",
                link,
            )
    return out


def dispatch(limit=BATCH) -> set:
    """Tell of every event nobody was told of, in batches; returns the
    quarters whose figures the told events may have moved.

    Each batch is claimed under row locks that skip rows another run holds,
    its messages inserted into the log (unique: a second run claims none) and
    the events marked, in one transaction; then the claimed messages are sent."""
    quarters = set()
    with translation.override(settings.LANGUAGE_CODE):
        while True:
            with transaction.atomic():
                events = issue_selectors.events_to_hand_off(limit)
                if not events:
                    break
                staff = [Contact(user.pk, user.email) for user in liaison_staff_users()]
                messages = [m for event in events for m in messages_for(event, staff)]
                delivery.claim(messages)
                issue_services.mark_handed_off(events)
            for event in events:
                quarters.add(Quarter.of(event.item.reported_on))
                if event.item.resolved_on:
                    quarters.add(Quarter.of(event.item.resolved_on))
            if len(events) < limit:
                break
    claimed = ReminderLog.objects.filter(kind=KIND, status=ReminderLog.Status.CLAIMED)
    delivery.deliver(claimed.values_list("pk", flat=True))
    return quarters
