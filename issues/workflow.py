"""The escalation path of an issue-list item (R13, R14), in one table.

The contact tries first; what the contact cannot solve goes to the contact's
unit; what the unit cannot solve goes to the liaison office, which refers it
to one department (交办) or escalates it to the city leader in charge (呈报).
An item may be resolved directly at the contact or unit stage. Any open item
may be withdrawn, but only with a reason and the enterprise's confirmation:
offices that run such campaigns learned that units press enterprises to
withdraw unsolved problems.

Every move goes through :func:`move`, which refuses what the table does not
allow, and records who, when, from, to and why as an :class:`IssueEvent`.

One move of the table is made by one service only: RESOLVED → OFFICE, the
reopening of a resolution the enterprise rated 不满意
(:func:`issues.services.confirm`, issue 17.5). It is in :data:`REOPENING`:
:func:`move` refuses it unless called with ``reopening=True``, and the move
form never offers it. A reopen clears ``resolved_on`` and ``closed_on``: the
item counts as unresolved from then on; a closed quarter's frozen figures
never move, and a reopen of a resolution dated into a closed quarter is noted
as a pending correction of it (:func:`note_reopening`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres import closing, selectors
from tabular.dates import check_order
from tabular.history import records_history_by

from . import confirmations
from .models import IssueEvent, IssueItem

S = IssueItem.Status

OPEN = frozenset({S.NEW, S.CONTACT, S.UNIT, S.OFFICE, S.REFERRED, S.ESCALATED})
CLOSED = frozenset({S.RESOLVED, S.UNSOLVABLE, S.WITHDRAWN})

TRANSITIONS = {
    S.NEW: {S.CONTACT, S.OFFICE, S.WITHDRAWN},
    S.CONTACT: {S.UNIT, S.RESOLVED, S.WITHDRAWN},
    S.UNIT: {S.OFFICE, S.RESOLVED, S.WITHDRAWN},
    S.OFFICE: {S.REFERRED, S.ESCALATED, S.WITHDRAWN},
    S.REFERRED: {S.RESOLVED, S.UNSOLVABLE, S.WITHDRAWN},
    S.ESCALATED: {S.RESOLVED, S.UNSOLVABLE, S.WITHDRAWN},
    S.RESOLVED: {S.OFFICE},  # only by issues.services.confirm (REOPENING)
    S.UNSOLVABLE: set(),
    S.WITHDRAWN: set(),
}


#: Moves only an enterprise's own request (企业自报, issue 17) may make: it
#: comes to the office, as a hotline ticket does, and the office takes it at
#: once; an item from a visit goes by the contact and the unit first (R14).
OWN_REQUEST_ONLY = frozenset({(S.NEW, S.OFFICE)})
REOPENING = frozenset({(S.RESOLVED, S.OFFICE)})
"""Moves of the table only :func:`issues.services.confirm` makes (``reopening=True``)."""


def allowed(from_status, to_status, *, source=None, reopening=False):
    if (from_status, to_status) in OWN_REQUEST_ONLY and source != IssueItem.Source.ENTERPRISE:
        return False
    if (from_status, to_status) in REOPENING and not reopening:
        return False
    return to_status in TRANSITIONS.get(from_status, set())


def moves_from(item):
    """The statuses a person may move ``item`` to next: the table, the moves
    only its source allows, never a reopening."""
    return [s for s in IssueItem.Status if allowed(item.status, s, source=item.source)]


def check(from_status, to_status, *, source=None, reopening=False):
    """Refuse, with a sentence, a move the table does not allow."""
    if not allowed(from_status, to_status, source=source, reopening=reopening):
        raise ValidationError(
            _("不能从“%(from)s”变为“%(to)s”。") % {"from": S(from_status).label, "to": S(to_status).label},
            code="transition",
        )


def actor_name(user, *, cadre=None, contact=None) -> str:
    """The name a timeline shows for who acted: the cadre's name when a cadre
    acted (an item from their form) or the login is a cadre's, the
    enterprise contact's for a request the enterprise raised (issue 17), else
    the user's full name or login."""
    if contact is not None:
        return contact.name[:100]
    if cadre is not None:
        return cadre.name[:100]
    return selectors.display_name(user)  # the login's own cadre, from the request's scope


def event(
    item, kind, *, actor, cadre=None, contact=None, comment="", referral=None, escalation=None,
    from_status=None, name="",
):  # fmt: skip
    """One line of ``item``'s timeline, unsaved, ``actor`` the user who acted:
    the one place events are made (it writes nothing).

    A step on a slip (answered, returned, instructed …) leaves the status as
    it is: ``from_status`` and ``to_status`` are both the current one.
    ``name``: who acted when nobody logged in did (an enterprise's contact)."""
    if kind == IssueEvent.Kind.CREATED:
        from_status = ""
    return IssueEvent(
        item=item,
        kind=kind,
        actor=actor,
        actor_name=name[:100] or actor_name(actor, cadre=cadre, contact=contact),
        from_status=item.status if from_status is None else from_status,
        to_status=item.status,
        comment=comment.strip(),
        referral=referral,
        escalation=escalation,
    )


@records_history_by()
def record(
    item, kind, *, by, cadre=None, contact=None, comment="", referral=None, escalation=None,
    from_status=None, name="",
):  # fmt: skip
    """Write one line of ``item``'s timeline (:func:`event`)."""
    line = event(
        item, kind, actor=by, cadre=cadre, contact=contact, comment=comment, referral=referral,
        escalation=escalation, from_status=from_status, name=name,
    )  # fmt: skip
    line.save(force_insert=True)
    return line


MOVE_FIELDS = ["status", "resolved_on", "closed_on", "closing_reason", "withdrawal_confirmed", "updated_at"]


def apply_move(item, to_status, *, reason="", enterprise_confirmed=False, on=None, reopening=False):
    """What a move changes on ``item``, in memory, refused as :func:`move`
    refuses it; returns the status it moved from. :func:`move` saves it
    (``MOVE_FIELDS``); the demo's bulk path (:mod:`issues.bulk`) keeps it.

    A closing move (resolved, unsolvable, withdrawn) sets ``closed_on``; a
    resolution is never dated before the item was reported, nor after today
    (issue 16.2)."""
    check(item.status, to_status, source=item.source, reopening=reopening)
    if to_status in (S.UNSOLVABLE, S.WITHDRAWN) and not reason.strip():
        raise ValidationError(_("“%(to)s”需要说明原因。") % {"to": S(to_status).label}, code="reason")
    if to_status == S.WITHDRAWN and not enterprise_confirmed:
        raise ValidationError(_("撤回须经企业确认。"), code="confirmation")
    day = on or timezone.localdate()
    if to_status == S.RESOLVED:
        field = IssueItem._meta.get_field
        check_order(
            None,
            field("resolved_on").verbose_name,
            day,
            after=[(field("reported_on").verbose_name, item.reported_on)],
            today=timezone.localdate(),
        )
    previous = item.status
    item.status = to_status
    if to_status in CLOSED:
        item.closed_on = day
    if to_status == S.RESOLVED:
        item.resolved_on = day
    if to_status in (S.UNSOLVABLE, S.WITHDRAWN):
        item.closing_reason = reason.strip()
    if to_status == S.WITHDRAWN:
        item.withdrawal_confirmed = True
    if previous in CLOSED and to_status in OPEN:  # a reopening
        item.resolved_on = item.closed_on = None
    return previous


@records_history_by()
def note_closing(item, previous, *, by, why=""):
    """A closing move dated into a closed quarter is a correction of it
    (issue 16, :func:`cadres.closing.note`); ``item`` saved, already moved
    from ``previous``."""
    if item.status not in CLOSED:
        return []
    return closing.note(
        item.closed_on,
        what=_("问题“%(item)s”（#%(id)s）的状态") % {"item": item, "id": item.pk},
        old=S(previous).label,
        new=_("%(status)s（%(day)s）") % {"status": S(item.status).label, "day": item.closed_on.isoformat()},
        by=by,
        why=why,
    )


@records_history_by()
def note_reopening(item, resolved_on, *, by, why=""):
    """A reopen (dated today) takes back a resolution dated ``resolved_on``:
    if that day lies in a closed quarter, the recount of that quarter would
    count the item unresolved, so it is noted as a pending correction (issue
    16); its frozen figures stay as published."""
    return closing.note(
        resolved_on,
        what=_("问题“%(item)s”（#%(id)s）的状态") % {"item": item, "id": item.pk},
        old=_("%(status)s（%(day)s）") % {"status": S.RESOLVED.label, "day": resolved_on.isoformat()},
        new=_("企业评价不满意，重新办理（%(day)s）") % {"day": timezone.localdate().isoformat()},
        by=by,
        why=why,
    )


@records_history_by()
@transaction.atomic
def move(
    item, to_status, *, by, comment="", reason="", enterprise_confirmed=False, on=None, referral=None,
    escalation=None, reopening=False, name="",
):  # fmt: skip
    """Move ``item`` to ``to_status``; the one way any status changes.

    ``reason`` is required to close an item as unsolvable or withdrawn, and a
    withdrawal also needs ``enterprise_confirmed``. ``on`` is the local date of
    a closing move — resolved, unsolvable or withdrawn (today by default; a
    resolution never before the item was reported, nor after today): an item
    leaves the figures of the quarters after it, never those before (issue
    16). ``referral`` / ``escalation``: the slip the move is made by, named on
    the timeline line."""
    item = IssueItem.objects.select_for_update().get(pk=item.pk)
    resolved_on = item.resolved_on
    previous = apply_move(
        item, to_status, reason=reason, enterprise_confirmed=enterprise_confirmed, on=on, reopening=reopening
    )
    item.save(update_fields=MOVE_FIELDS)
    record(
        item, IssueEvent.Kind.MOVED, by=by, comment=comment or reason, from_status=previous,
        referral=referral, escalation=escalation, name=name,
    )  # fmt: skip
    note_closing(item, previous, by=by, why=reason or comment)
    if reopening and resolved_on is not None:
        note_reopening(item, resolved_on, by=by, why=comment)
    if to_status == S.RESOLVED:
        confirmations.ask(item)
    return item


@records_history_by()
def record_creation(item, *, by=None, cadre=None, contact=None, comment=""):
    """The first line of an item's timeline: who put it on the list (the
    reporting cadre for an item from a form, the enterprise's contact for its
    own request, the user who entered it)."""
    return record(item, IssueEvent.Kind.CREATED, by=by, cadre=cadre, contact=contact, comment=comment)
