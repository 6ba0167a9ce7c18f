"""The life of a referral slip (交办单) and of an escalation slip (呈报单), each
in one table (R13, R18), as :mod:`issues.workflow` keeps an item's.

Each row is an action: the statuses it may be taken from, the status it leads
to (None: the slip stays where it is, e.g. a progress note), who may take it
(a function of :mod:`issues.access`) and any further condition (a
supervision slip only once the deadline has passed). The services refuse an
action the table does not allow (:func:`check`); the pages show only the
actions :func:`available` to the user, each posting to its own view.

Referral slip::

    办理中 ──answer──▶ 已反馈 ──accept──▶ 已办结
      ▲                  │
      └──── send_back ───┘ (已退回重办, answered again from there)

    while 办理中 or 已退回重办: extension (ask), supervise (overdue only);
    while open: decide_extension (a pending request), progress (月度进展).

Escalation slip::

    已呈报 ──instruct──▶ 已批示 ──conclude──▶ 已协调办结
       └──────────────── conclude ───────────────┘
    instruct again while 已批示 amends the 批示.

Supervision slip (督办单, R18): no life of its own, so no table. It is made
once, by the referral slip's ``supervise`` action above (``services.supervise``,
only while the referral slip is open and overdue), addressed to the
department's principal leader, and is a record from then on: nobody answers
or closes it (the department answers the referral slip), it has no status,
and its admin shows every field read-only and adds none.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access
from .models import EscalationSlip, ReferralSlip

RS = ReferralSlip.Status
ES = EscalationSlip.Status


def _office(user, slip):
    return access.can_decide_slips(user)


def is_overdue(slip, today) -> bool:
    """A referral slip is overdue when its deadline has passed while the
    department still has it (issued, or returned to be redone): the one
    definition, for the pages, the reminders and supervision (selectors.overdue_q
    is the same as a filter)."""
    return slip.status in OPEN_REFERRAL and slip.deadline < today


def _pending_extension(slip, today):
    return slip.extension_requests.filter(decision="pending").exists()


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset
    target: str | None
    may: Callable  # (user, slip) -> bool
    when: Callable | None = None  # (slip, today) -> bool
    refusal: str = gettext_lazy("该单据当前不能办理此操作。")

    def allowed(self, slip, today):
        return slip.status in self.sources and (self.when is None or self.when(slip, today))


OPEN_REFERRAL = frozenset({RS.ISSUED, RS.RETURNED})
"""A referral slip the department still has to work on (its deadline runs)."""
UNFINISHED_REFERRAL = OPEN_REFERRAL | {RS.ANSWERED}
"""Not yet accepted: answered slips wait for the office."""

_VERDICTS = (  # the office's two verdicts on an answer (R12): accepted, or back to the department
    ("accept", gettext_lazy("办结"), RS.ACCEPTED, gettext_lazy("只有已反馈的交办单才能办结。")),
    ("send_back", gettext_lazy("退回重办"), RS.RETURNED, gettext_lazy("只有已反馈的交办单才能退回。")),
)

REFERRAL = {
    a.name: a
    for a in (
        Action(
            "answer",
            gettext_lazy("反馈办理结果"),
            OPEN_REFERRAL,
            RS.ANSWERED,
            access.can_answer_slip,
            refusal=gettext_lazy("该交办单当前不能反馈。"),
        ),
        Action(
            "extension",
            gettext_lazy("申请延期"),
            OPEN_REFERRAL,
            None,
            access.can_answer_slip,
            refusal=gettext_lazy("该交办单当前不能申请延期。"),
        ),
        Action(
            "decide_extension",
            gettext_lazy("审批延期"),
            UNFINISHED_REFERRAL,
            None,
            _office,
            when=_pending_extension,
            refusal=gettext_lazy("没有待审批的延期申请。"),
        ),
        *(
            Action(name, label, frozenset({RS.ANSWERED}), target, _office, refusal=refusal)
            for name, label, target, refusal in _VERDICTS
        ),
        Action(
            "supervise",
            gettext_lazy("督办"),
            OPEN_REFERRAL,
            None,
            _office,
            when=is_overdue,
            refusal=gettext_lazy("只有逾期未办结的交办单才能督办。"),
        ),
        Action(
            "progress",
            gettext_lazy("填报月度进展"),
            UNFINISHED_REFERRAL,
            None,
            access.can_report_progress,
            refusal=gettext_lazy("问题已办结，不再填报月度进展。"),
        ),
    )
}

ESCALATION = {
    a.name: a
    for a in (
        Action(
            "instruct",
            gettext_lazy("记录批示"),
            frozenset({ES.ISSUED, ES.INSTRUCTED}),
            ES.INSTRUCTED,
            access.can_instruct,
            refusal=gettext_lazy("该呈报单已办结。"),
        ),
        Action(
            "conclude",
            gettext_lazy("协调办结"),
            frozenset({ES.ISSUED, ES.INSTRUCTED}),
            ES.CONCLUDED,
            _office,
            refusal=gettext_lazy("该呈报单已办结。"),
        ),
    )
}


def _table(slip):
    return REFERRAL if isinstance(slip, ReferralSlip) else ESCALATION


def check(slip, name, *, today: datetime.date):
    """Refuse, with the action's own sentence, what the table does not allow
    from the slip's status (and condition). Services call it under the lock."""
    action = _table(slip)[name]
    if not action.allowed(slip, today):
        raise ValidationError(str(action.refusal), code="transition")
    return action


def may(user, slip, name, *, today: datetime.date) -> bool:
    """The user may take this action on this slip now."""
    action = _table(slip)[name]
    return action.allowed(slip, today) and action.may(user, slip)


def may_act(user, slip, name) -> bool:
    """The user is one who may take this action (whatever the slip's status:
    a status the table does not allow is refused by the service, with its
    sentence)."""
    return _table(slip)[name].may(user, slip)


def available(user, slip, *, today: datetime.date) -> frozenset:
    """The names of the actions the user may take on the slip now: what the
    slip page offers."""
    return frozenset(name for name in _table(slip) if may(user, slip, name, today=today))


def refusal(slip, name) -> str:
    return str(_table(slip)[name].refusal)


def not_permitted() -> str:
    return _("您无权办理此操作。")
