"""Overdue-visit reminders (R7, R8), slip deadline reminders (R13) and
meeting reminders for regional coordinators (R2).

Which stage applies on a day is decided by :func:`visit_stages`; who gets
what by the ``*_messages`` functions, each a handful of queries whatever the
number of pairings; sending by :mod:`jobs.delivery`, exactly once.

Visit stages, for the quarter in progress: ``d30`` from 30 days before its
last day, ``d7`` from 7 days before (``VISIT_REMINDER_DAYS_BEFORE``); for the
quarter just ended, ``overdue`` during the first days of the next one
(``OVERDUE_REMINDER_WINDOW_DAYS``). A stage that a day without a run skipped
is still sent on the next run, once. Each cadre gets one message listing all
their unvisited enterprises, never one per pairing; the unit's information officer
gets a digest of the unit at ``d7`` and ``overdue``; the liaison office gets
a city digest at ``overdue``. Inactive cadres and ended pairings get nothing.

A unit with a group robot (单位群机器人) gets, at every quarterly stage, one
group digest listing its cadres and their unvisited enterprises
(:func:`_group_digests`, kind ``visit_group``), and once a day one digest of
its referral slips due soon and overdue (``slip_group``): one message per
group instead of one per cadre, within the robots' rate. Which channels carry
a message is :mod:`jobs.routing`'s affair, not this module's.

The first-visit stage (R8) is not tied to a quarter: every pairing has its own
deadline (:mod:`visits.first_visit`: the campaign's 15 April for pairings begun
before it, 30 days after the start for later ones, none for a renewal). From
``FIRST_VISIT_REMINDER_DAYS_BEFORE`` days before that deadline a cadre is sent
one message per deadline listing the pairings not yet visited; the claim key's
period is the deadline (``2026-04-15``), so each pairing is reminded once
whatever the number of runs (:func:`first_visit_messages`).

Every subject and body is a translatable string with named placeholders,
rendered in the active language by the ``*_messages`` builders; the
``send_*`` entry points (the tasks, the commands) build them in the site's
language (``settings.LANGUAGE_CODE``), whatever language the request or
worker that runs them happens to have active.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.models import Cadre, Pairing, Unit
from cadres.permissions import liaison_staff_users
from coordination.models import Meeting
from issues import slip_workflow
from issues.models import ReferralSlip
from issues.workdays import add_working_days
from visits import first_visit
from visits.quarters import Quarter
from visits.selectors import credited

from . import access, delivery, routing
from .delivery import Message
from .models import ReminderLog

OFFICER_STAGES = ("d7", "overdue")
STAGE_NAMES = {
    "d30": gettext_lazy("季末前30天"),
    "d7": gettext_lazy("季末前7天"),
    "overdue": gettext_lazy("季度已过"),
    "first_visit": gettext_lazy("首次走访"),
}


def _month_day(day: datetime.date) -> str:
    """``12月31日`` (``12/31`` in English): a deadline within the year."""
    return _("%(month)s月%(day)s日") % {"month": f"{day:%m}", "day": f"{day:%d}"}


def _in_town(enterprise, town) -> str:
    """An enterprise with its town: ``企业（濮院镇）``."""
    return _("%(enterprise)s（%(town)s）") % {"enterprise": enterprise, "town": town}


def _bullets(lines) -> str:
    return "\n".join(f"· {line}" for line in lines)


def _joined(names) -> str:
    """Names in a run: ``甲、乙`` (``甲, 乙`` in English)."""
    return _("、").join(names)


@dataclass(frozen=True)
class Stage:
    name: str
    quarter: Quarter | None  # None for the first-visit stage
    period: str
    deadline: datetime.date | None = None  # the first-visit stage's deadline (R8)


def visit_stages(today: datetime.date) -> list[Stage]:
    stages = []
    quarter = Quarter.of(today)
    started = [
        (days, name)
        for name, days in settings.VISIT_REMINDER_DAYS_BEFORE.items()
        if quarter.last_day - datetime.timedelta(days=days) <= today
    ]
    if started:
        _days, name = min(started)  # the latest stage that has begun
        stages.append(Stage(name, quarter, quarter.label))
    previous = quarter.previous()
    if today <= previous.last_day + datetime.timedelta(days=settings.OVERDUE_REMINDER_WINDOW_DAYS):
        stages.append(Stage("overdue", previous, previous.label))
    return stages


def _first_visit_window(today: datetime.date):
    """Pairings in force today whose first visit (R8) is still to be made and
    whose deadline falls within the reminder window: after today and at most
    ``FIRST_VISIT_REMINDER_DAYS_BEFORE`` days on."""
    last = today + datetime.timedelta(days=settings.FIRST_VISIT_REMINDER_DAYS_BEFORE)
    return first_visit.pending(
        Pairing.objects.active_on(today)
        .filter(cadre__is_active=True)
        .filter(first_visit.deadline_between_q(today + datetime.timedelta(days=1), last))
    )


def first_visit_stages(today: datetime.date) -> list[Stage]:
    """One first-visit stage per deadline that some unvisited pairing has
    within the reminder window (one query)."""
    starts = _first_visit_window(today).values_list("start_date", flat=True).distinct()
    deadlines = sorted({first_visit.deadline_for(start) for start in starts})
    return [Stage("first_visit", None, f"{deadline:%Y-%m-%d}", deadline) for deadline in deadlines]


def _unvisited(stage: Stage):
    """(cadre id, enterprise name, town) of the pairings a quarter's stage is about."""
    return (
        Pairing.objects.filter(cadre__is_active=True)
        .filter(stage.quarter.due_q())
        .annotate(done=credited(stage.quarter))
        .filter(done=False)
        .order_by("enterprise__name")
        .values_list("cadre_id", "enterprise__name", "enterprise__place__name")
    )


def visit_messages(today: datetime.date) -> list[Message]:
    messages = []
    for stage in visit_stages(today):
        by_cadre = defaultdict(list)
        for cadre_id, enterprise, town in _unvisited(stage):
            by_cadre[cadre_id].append(_in_town(enterprise, town))
        if not by_cadre:
            continue
        cadres = {
            c.pk: c
            for c in Cadre.objects.filter(pk__in=by_cadre, is_active=True).select_related("user", "unit")
        }
        messages += _cadre_messages(stage, by_cadre, cadres, today)
        messages += _group_digests(stage, by_cadre, cadres)
        if stage.name in OFFICER_STAGES:
            messages += _officer_digests(stage, by_cadre, cadres)
        if stage.name == "overdue":
            messages += _city_digest(stage, by_cadre, cadres)
    return messages + first_visit_messages(today)


def first_visit_messages(today: datetime.date) -> list[Message]:
    """R8: each cadre is told, once per pairing, of the pairings whose first
    visit falls due within the window, one message per deadline.

    The claim's period is the deadline (``2026-04-15``). A pairing that was
    not yet in force or not yet entered when its cadre's message for that
    deadline was claimed is told in a further one (``2026-04-15#2``); a
    pairing counts as told when a claim for its deadline was made after it
    was entered and on or after the day it began. Three queries."""
    rows = list(
        _first_visit_window(today)
        .order_by("enterprise__name")
        .values_list(
            "cadre_id",
            "cadre__user_id",
            "enterprise__name",
            "enterprise__place__name",
            "start_date",
            "created_at",
        )
    )
    if not rows:
        return []
    labels = {f"{first_visit.deadline_for(row[4]):%Y-%m-%d}" for row in rows}
    periods = Q(pk__in=[])
    for label in labels:
        periods |= Q(period=label) | Q(period__startswith=f"{label}#")
    claimed = defaultdict(list)  # (recipient, deadline) → when each earlier message was claimed
    for recipient_id, period, created_at in ReminderLog.objects.filter(
        periods, kind="first_visit", stage="first_visit", recipient_id__in={row[1] for row in rows if row[1]}
    ).values_list("recipient_id", "period", "created_at"):
        claimed[(recipient_id, period.split("#")[0])].append(created_at)
    groups = defaultdict(list)
    for cadre_id, user_id, enterprise, town, start, entered in rows:
        deadline = first_visit.deadline_for(start)
        told = claimed[(user_id, f"{deadline:%Y-%m-%d}")]
        if any(at >= entered and timezone.localdate(at) >= start for at in told):
            continue
        groups[(deadline, cadre_id, user_id)].append(_in_town(enterprise, town))
    cadres = {
        c.pk: c
        for c in Cadre.objects.filter(pk__in={key[1] for key in groups}, is_active=True).select_related(
            "user"
        )
    }
    messages = []
    for (deadline, cadre_id, user_id), enterprises in sorted(groups.items()):
        label = f"{deadline:%Y-%m-%d}"
        earlier = len(claimed[(user_id, label)])
        stage = Stage("first_visit", None, f"{label}#{earlier + 1}" if earlier else label, deadline)
        messages += _cadre_messages(stage, {cadre_id: enterprises}, cadres, today)
    return messages


def _to_each(users, **message):
    """The same message to each of ``users``, at their login's email."""
    return [Message(recipient_id=user.pk, email=user.email, **message) for user in users]


def _subject(stage: Stage, count: int) -> str:
    if stage.name == "first_visit":
        return _("【提醒】%(count)s 家联系企业须在 %(deadline)s 前完成首次走访") % {
            "count": count,
            "deadline": _month_day(stage.deadline),
        }
    if stage.name == "overdue":
        return _("【逾期】%(quarter)s 有 %(count)s 家联系企业未走访") % {
            "quarter": stage.period,
            "count": count,
        }
    return _("【提醒】%(quarter)s 还有 %(count)s 家联系企业未走访（%(stage)s）") % {
        "quarter": stage.period,
        "count": count,
        "stage": STAGE_NAMES[stage.name],
    }


def _quarter_intro(stage, *, overdue, due):
    """The opening line of a quarter stage's message: ``overdue`` once the
    quarter has ended, else ``due`` (with the quarter's last day)."""
    if stage.name == "overdue":
        return overdue % {"quarter": stage.period}
    return due % {"quarter": stage.period, "last_day": _month_day(stage.quarter.last_day)}


def _cadre_messages(stage, by_cadre, cadres, today):
    messages = []
    for cadre_id, enterprises in sorted(by_cadre.items()):
        cadre = cadres.get(cadre_id)
        if cadre is None or cadre.user_id is None or not cadre.user.is_active:
            continue  # no login to notify; the unit's digest still names them
        if stage.name == "first_visit":
            intro = _("按照要求，以下联系企业须在 %(deadline)s 前完成首次走访：") % {
                "deadline": _month_day(stage.deadline)
            }
        else:
            intro = _quarter_intro(
                stage,
                overdue=_("%(quarter)s 已结束，以下联系企业本季度没有上门走访或座谈记录："),
                due=_("%(quarter)s 将于 %(last_day)s 结束，以下联系企业本季度尚未走访："),
            )
        messages.append(
            Message(
                recipient_id=cadre.user_id,
                kind="visit" if stage.name != "first_visit" else "first_visit",
                period=stage.period,
                stage=stage.name,
                subject=_subject(stage, len(enterprises)),
                body=_("%(name)s同志：") % {"name": cadre.name} + f"\n{intro}\n" + _bullets(enterprises),
                link=reverse("visits:my"),
                email=cadre.user.email or cadre.email,
            )
        )
    return messages


def _per_unit(by_cadre, cadres, only=None):
    """unit id → the lines ``name：enterprise、enterprise`` of its cadres
    (those of the units in ``only``, when given), by name."""
    per_unit = defaultdict(list)
    for cadre_id, enterprises in by_cadre.items():
        cadre = cadres.get(cadre_id)
        if cadre is not None and (only is None or cadre.unit_id in only):
            per_unit[cadre.unit_id].append((cadre.name, enterprises))
    return {
        unit_id: [
            _("%(name)s：%(enterprises)s") % {"name": name, "enterprises": _joined(enterprises)}
            for name, enterprises in sorted(people)
        ]
        for unit_id, people in per_unit.items()
    }


def _unit_digest(stage, unit_name, subject, counts, **message):
    """A unit's digest of a stage: ``subject`` names the stage, the unit, the
    quarter and ``counts``; it links to the quarter's coverage page."""
    return Message(
        period=stage.period,
        stage=stage.name,
        subject=subject
        % {"stage": STAGE_NAMES[stage.name], "unit": unit_name, "quarter": stage.period, **counts},
        link=reverse("visits:coverage") + f"?quarter={stage.period}",
        **message,
    )


def _officer_digests(stage, by_cadre, cadres):
    per_unit = _per_unit(by_cadre, cadres)
    units = Unit.objects.filter(pk__in=per_unit, information_officer__user__is_active=True).select_related(
        "information_officer__user"
    )
    messages = []
    for unit in units:
        officer = unit.information_officer
        lines = per_unit[unit.pk]
        messages.append(
            _unit_digest(
                stage,
                unit.name,
                _("【%(stage)s】%(unit)s %(quarter)s 未走访汇总（%(count)s 人）"),
                {"count": len(lines)},
                body=_("%(unit)s信息员：") % {"unit": unit.name}
                + "\n"
                + _("本单位以下联系人尚有企业未走访：")
                + "\n"
                + _bullets(lines),
                recipient_id=officer.user_id,
                kind="visit_unit",
                email=officer.user.email or officer.email,
            )
        )
    return messages


def _group_digests(stage, by_cadre, cadres):
    """One message per unit with a group robot: its cadres, each with their
    unvisited enterprises. Kind ``visit_group``, to the unit, not a person."""
    per_unit = _per_unit(by_cadre, cadres, only=routing.units_with_robots())
    units = {cadre.unit_id: cadre.unit for cadre in cadres.values()}
    intro = _quarter_intro(
        stage,
        overdue=_("%(quarter)s 已结束，本单位以下干部的联系企业没有上门走访或座谈记录："),
        due=_("%(quarter)s 将于 %(last_day)s 结束，本单位以下干部的联系企业尚未走访："),
    )
    counts = defaultdict(int)
    for cadre_id, enterprises in by_cadre.items():
        if cadre_id in cadres:
            counts[cadres[cadre_id].unit_id] += len(enterprises)
    return [
        _unit_digest(
            stage,
            units[unit_id].name,
            _("【%(stage)s】%(unit)s %(quarter)s 未走访：%(people)s 人，%(count)s 家企业"),
            {"people": len(lines), "count": counts[unit_id]},
            body=intro + "\n" + _bullets(lines),
            recipient_id=None,
            unit_id=unit_id,
            kind="visit_group",
        )
        for unit_id, lines in sorted(per_unit.items())
    ]


def _city_digest(stage, by_cadre, cadres):
    per_unit = defaultdict(int)
    for cadre_id, enterprises in by_cadre.items():
        cadre = cadres.get(cadre_id)
        if cadre is not None:
            per_unit[cadre.unit.name] += len(enterprises)
    body = (
        _("%(quarter)s 全市未走访结对 %(count)s 对，按单位：")
        % {"quarter": stage.period, "count": sum(per_unit.values())}
        + "\n"
        + _bullets(
            _("%(unit)s：%(count)s 对") % {"unit": name, "count": count}
            for name, count in sorted(per_unit.items(), key=lambda kv: -kv[1])
        )
    )
    return _to_each(
        liaison_staff_users(),
        kind="visit_city",
        period=stage.period,
        stage=stage.name,
        subject=_("【逾期】%(quarter)s 全市走访未完成情况") % {"quarter": stage.period},
        body=body,
        link=reverse("visits:coverage") + f"?quarter={stage.period}",
    )


def slip_messages(today: datetime.date) -> list[Message]:
    """Referral slips due within ``REFERRAL_DUE_SOON_WORKING_DAYS`` working
    days, and overdue ones, to the department's information officer; overdue
    ones to the liaison office too. Once per slip and stage."""
    soon = add_working_days(today, settings.REFERRAL_DUE_SOON_WORKING_DAYS)
    slips = (
        ReferralSlip.objects.filter(status__in=slip_workflow.OPEN_REFERRAL, deadline__lte=soon)
        .select_related("item__enterprise", "department__information_officer__user")
        .order_by("deadline", "number")
    )
    staff = list(liaison_staff_users()) if slips else []
    with_robots = routing.units_with_robots() if slips else set()
    groups = defaultdict(lambda: {"overdue": [], "due_soon": []})
    messages = []
    for slip in slips:
        stage = "overdue" if slip_workflow.is_overdue(slip, today) else "due_soon"
        text = (
            _("%(serial)s：%(enterprise)s，%(description)s")
            % {
                "serial": slip.serial,
                "enterprise": slip.item.enterprise.name,
                "description": slip.item.description,
            }
            + "\n"
            + _("办理期限：%(deadline)s") % {"deadline": f"{slip.deadline:%Y-%m-%d}"}
        )
        if slip.department_id in with_robots:
            groups[slip.department][stage].append(text.replace("\n", _("；")))
        officer = slip.department.information_officer
        if officer is not None and officer.user_id and officer.user.is_active:
            messages.append(
                Message(
                    recipient_id=officer.user_id,
                    kind="slip",
                    period=slip.serial,
                    stage=stage,
                    subject=(
                        _("【已逾期】交办单 %(serial)s")
                        if stage == "overdue"
                        else _("【即将到期】交办单 %(serial)s")
                    )
                    % {"serial": slip.serial},
                    body=text,
                    link=reverse("issues:slip", args=[slip.pk]),
                    email=officer.user.email or officer.email,
                )
            )
        if stage == "overdue":
            messages += [
                Message(
                    recipient_id=user.pk,
                    kind="slip",
                    period=slip.serial,
                    stage="overdue",
                    subject=_("【已逾期】%(unit)s 交办单 %(serial)s")
                    % {"unit": slip.department.name, "serial": slip.serial},
                    body=text,
                    link=reverse("issues:slip", args=[slip.pk]),
                    email=user.email,
                )
                for user in staff
            ]
    return messages + _slip_digests(groups, today)


def _slip_digests(groups, today):
    """A unit's group gets one digest a day of its slips due soon and overdue
    (kind ``slip_group``, period the day): the group's list of what is open."""
    messages = []
    for unit, stages in sorted(groups.items(), key=lambda kv: kv[0].pk):
        parts = []
        if stages["overdue"]:
            parts += [_("已逾期："), _bullets(stages["overdue"])]
        if stages["due_soon"]:
            parts += [_("即将到期："), _bullets(stages["due_soon"])]
        messages.append(
            Message(
                recipient_id=None,
                unit_id=unit.pk,
                kind="slip_group",
                period=f"{today:%Y-%m-%d}",
                stage="daily",
                subject=_("【交办单】%(unit)s：%(overdue)s 件已逾期，%(soon)s 件即将到期")
                % {"unit": unit.name, "overdue": len(stages["overdue"]), "soon": len(stages["due_soon"])},
                body="\n".join(parts),
                link=reverse("issues:inbox"),
            )
        )
    return messages


@dataclass
class RunResult:
    messages: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    deferred: int = 0  # held back by a robot's rate limit, sent by the retry
    channels: dict = field(default_factory=dict)  # messages taken, by channel code


def run(messages) -> RunResult:
    ids = delivery.claim(messages)
    sent = delivery.deliver(ids)
    return RunResult(
        messages=len(messages),
        claimed=len(ids),
        sent=sent.sent,
        failed=sent.failed,
        deferred=sent.deferred,
        channels=dict(sorted(sent.by_channel.items())),
    )


def _send(build, *args) -> RunResult:
    """Build the messages in the site's language, whoever asked, and send them."""
    with translation.override(settings.LANGUAGE_CODE):
        return run(build(*args))


def send_visit_reminders(today: datetime.date) -> RunResult:
    return _send(visit_messages, today)


def send_slip_reminders(today: datetime.date) -> RunResult:
    return _send(slip_messages, today)


def meeting_messages(today: datetime.date) -> list[Message]:
    """R2: from ``MEETING_REMINDER_DAYS_BEFORE`` (15) days before the quarter
    ends, each coordinator who has not yet held the quarter's situation-
    analysis meeting is reminded, once; the liaison office gets one list."""
    quarter = Quarter.of(today)
    if today < quarter.last_day - datetime.timedelta(days=settings.MEETING_REMINDER_DAYS_BEFORE):
        return []
    held = Meeting.objects.filter(coordinator=OuterRef("pk"), quarter=quarter.label)
    pending = list(
        Cadre.objects.filter(is_coordinator=True, is_active=True)
        .exclude(Exists(held))
        .select_related("user")
        .order_by("name")
    )
    if not pending:
        return []
    link = reverse("coordination:meetings") + f"?quarter={quarter.label}"
    last_day = f"{quarter.last_day:%Y-%m-%d}"
    messages = [
        Message(
            recipient_id=cadre.user_id,
            kind="meeting",
            period=quarter.label,
            stage="d15",
            subject=_("【提醒】%(quarter)s 联企服务形势分析会尚未召开") % {"quarter": quarter.label},
            body=_(
                "%(name)s同志：本季度（%(last_day)s 结束）您负责的区域尚未召开"
                "联企服务形势分析会，请及时召集并记录。"
            )
            % {"name": cadre.name, "last_day": last_day},
            link=link,
            email=cadre.user.email or cadre.email,
        )
        for cadre in pending
        if cadre.user_id and cadre.user.is_active
    ]
    names = _joined(cadre.name for cadre in pending)
    messages += _to_each(
        liaison_staff_users(),
        kind="meeting_city",
        period=quarter.label,
        stage="d15",
        subject=_("%(quarter)s 尚未召开形势分析会的区域总协调人：%(count)s 位")
        % {"quarter": quarter.label, "count": len(pending)},
        body=_("截至 %(today)s，%(names)s 本季度尚未召开联企服务形势分析会。")
        % {"today": f"{today:%Y-%m-%d}", "names": names},
        link=link,
    )
    return messages


def send_meeting_reminders(today: datetime.date) -> RunResult:
    return _send(meeting_messages, today)


def report_messages(report) -> list[Message]:
    """Leaders are told when a quarterly report is ready (R16)."""
    leaders = access.report_recipients()
    link = reverse("jobs:reports")
    return _to_each(
        leaders,
        kind="report",
        period=f"{report.quarter}#{report.pk}",
        stage="ready",
        subject=_("%(quarter)s 联企问题解决率季度报表已生成") % {"quarter": report.quarter},
        body=_("%(quarter)s 季度报表已生成，可在系统中下载。") % {"quarter": report.quarter},
        link=link,
    )


def send_report_ready(report) -> RunResult:
    """Tell the leaders, in the site's language, that ``report`` is ready."""
    return _send(report_messages, report)
