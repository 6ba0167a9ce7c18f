"""Writes to the issue list and its slips. Views, the admin, imports and jobs
call these, so numbering, deadlines and the timeline are kept one way."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.models import Unit
from tabular.dates import check_order
from tabular.history import records_history_by
from visits.models import ProblemCategory

from . import slip_workflow, workdays, workflow
from .models import (
    Confirmation,
    EscalationSlip,
    ExtensionRequest,
    IssueEvent,
    IssueItem,
    ItemAttachment,
    ReferralSlip,
    SerialCounter,
    SupervisionSlip,
)

S = IssueItem.Status
SERIAL_FORMATS = {
    "交": "桐联企交〔{year}〕第{number:04d}号",
    "呈": "桐联企呈〔{year}〕第{number:04d}号",
    "督": "桐联企督〔{year}〕第{number:04d}号",
}


@records_history_by()
@transaction.atomic
def items_from_visit(visit, *, by=None):
    """Each problem row of a submitted form becomes one issue-list item (R11),
    once: a second call (a staff correction, a retried job) adds only rows
    that have no item yet and updates the text of those that do.

    The timeline's first line names the reporting cadre as the one who acted
    (``by``: the login that submitted, the cadre's own by default)."""
    created = []
    cadre = visit.cadre
    by = by if by is not None else cadre.user
    for problem in visit.problems.all():
        item, new = IssueItem.objects.update_or_create(
            visit_problem=problem,
            defaults={
                "enterprise_id": visit.enterprise_id,
                "visit": visit,
                "reporter_id": visit.cadre_id,
                "source": IssueItem.Source.VISIT,
                "category": problem.category,
                "description": problem.description,
                "reported_on": visit.visit_date,
            },
        )
        if new:
            workflow.record_creation(item, by=by, cadre=cadre, comment=_("走访反馈表提交"))
            created.append(item)
    return created


@transaction.atomic
def raise_request(enterprise, contact, category, description, files=()):
    """A request an enterprise raises itself between visits (issue 17): a new
    item 企业自报 naming its contact, its first timeline line by that contact,
    and the files it sent (checked by :func:`issues.attachments.check`; a
    refused file raises ``ValidationError`` and nothing is written). Its
    paired cadres and the office are told (``jobs.handoffs``)."""
    from .attachments import check

    checked = check(files)
    description = (description or "").strip()
    if not description:
        raise ValidationError(_("请填写问题描述。"), code="required")
    if category not in ProblemCategory.values:
        raise ValidationError(_("请选择问题类别。"), code="category")
    if contact.enterprise_id != enterprise.pk:
        raise ValidationError(_("联系人不属于该企业。"), code="contact")
    item = IssueItem.objects.create(
        enterprise=enterprise,
        source=IssueItem.Source.ENTERPRISE,
        raised_by=contact,
        category=category,
        description=description,
        status=IssueItem.Status.NEW,
    )
    workflow.record_creation(item, contact=contact, comment=_("企业自报"))
    stored = []  # the files already on disk: removed if a later step fails
    try:
        for one in checked:
            attachment = ItemAttachment(
                item=item,
                original_name=one.name,
                content_type=one.content_type,
                size=one.size,
                contact=contact,
            )
            attachment.file.save(one.name, File(one.upload), save=False)
            stored.append((attachment.file.storage, attachment.file.name))
            attachment.save()
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    return item


def next_serial(kind: str, year: int) -> tuple[int, str]:
    """The next number of a kind of slip in a year, and its serial text.

    Must run inside the transaction that saves the slip: the counter row stays
    locked until it commits, so two staff issuing at the same instant get
    consecutive numbers, and a rolled-back issue leaves no gap."""
    counter = locked_counter(kind, year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, serial_text(kind, year, counter.last)


def locked_counter(kind: str, year: int) -> SerialCounter:
    """The counter of a kind of slip in a year, made if missing, locked
    until the transaction ends."""
    SerialCounter.objects.bulk_create([SerialCounter(kind=kind, year=year)], ignore_conflicts=True)
    return SerialCounter.objects.select_for_update().get(kind=kind, year=year)


def serial_text(kind: str, year: int, number: int) -> str:
    """桐联企交〔2026〕第0001号 and its kin."""
    return SERIAL_FORMATS[kind].format(year=year, number=number)


def _check_move(item, to_status):
    """Lock ``item`` and refuse, with the move's own message, a move the
    table does not allow: checked before a slip is numbered for it."""
    item = IssueItem.objects.select_for_update().get(pk=item.pk)
    workflow.check(item.status, to_status, source=item.source)
    return item


def _label(model, field):
    return model._meta.get_field(field).verbose_name


def _check_date(model, field, day, *, after=(), future=False):
    """Refuse an impossible ``day`` for ``model.field`` before anything is
    written: before any ``(model, field, date)`` of ``after`` it follows
    from, or (unless ``future``) after today (issue 16.2)."""
    check_order(
        None,
        _label(model, field),
        day,
        after=[(_label(m, f), d) for m, f, d in after],
        today=None if future else timezone.localdate(),
    )


def _counted_deadline(issued_on, working_days, calendar=None) -> dict:
    """A slip's deadline fields: ``working_days`` working days after its issue
    (extensions included), 暂定 when counted over a year without holiday data
    (``calendar``: see :func:`workdays.deadline`)."""
    counted = workdays.deadline(issued_on, working_days, calendar)
    return {"deadline": counted.day, "deadline_provisional": counted.provisional}


def deadline_text(day, provisional) -> str:
    """A deadline as the timeline and the notices write it: ``2027-02-10（暂定）``."""
    return day.isoformat() + (_("（暂定）") if provisional else "")


def default_working_days(category: str) -> int:
    """Default time limit for a category (``REFERRAL_WORKING_DAYS``), editable per slip."""
    limits = settings.REFERRAL_WORKING_DAYS
    return limits.get(category, limits["default"])


def referral_days(item, department: Unit, working_days=None, *, issued_on) -> int:
    """The time limit of a referral of ``item`` to ``department`` issued on
    ``issued_on``, refused as :func:`refer` refuses it (before it is numbered)."""
    _check_date(ReferralSlip, "issued_on", issued_on)
    if department.kind != Unit.Kind.DEPARTMENT:
        raise ValidationError({"department": _("交办单只能发给涉企部门。")})
    days = working_days if working_days is not None else default_working_days(item.category)
    if days < 1:
        raise ValidationError({"working_days": _("办理时限至少 1 个工作日。")})
    return days


def new_referral(item, *, department, issued_by, days, issued_on, number, requirement="", calendar=None):
    """The referral slip :func:`refer` issues, unsaved, with its deadline
    (``calendar``: see :func:`workdays.deadline`)."""
    return ReferralSlip(
        item=item,
        department=department,
        requirement=requirement,
        issued_by=issued_by,
        serial=serial_text("交", issued_on.year, number),
        year=issued_on.year,
        number=number,
        issued_on=issued_on,
        working_days=days,
        **_counted_deadline(issued_on, days, calendar),
    )


def referral_comment(slip) -> str:
    return _("交办至%(unit)s（%(serial)s，办理期限 %(deadline)s）") % {
        "unit": slip.department.name,
        "serial": slip.serial,
        "deadline": deadline_text(slip.deadline, slip.deadline_provisional),
    }


@records_history_by()
@transaction.atomic
def refer(item, *, department: Unit, by, working_days=None, requirement="", on: datetime.date | None = None):
    """Issue a referral slip (交办单, R13): the item goes to one department."""
    issued_on = on or timezone.localdate()
    days = referral_days(item, department, working_days, issued_on=issued_on)
    item = _check_move(item, S.REFERRED)
    number, _serial = next_serial("交", issued_on.year)
    slip = new_referral(
        item, department=department, issued_by=by, days=days, issued_on=issued_on, number=number,
        requirement=requirement,
    )  # fmt: skip
    slip.save(force_insert=True)
    slip.item = workflow.move(item, S.REFERRED, by=by, comment=referral_comment(slip), referral=slip)
    return slip


ANSWER_FIELDS = ["measures", "result", "status", "answered_on", "updated_at"]


def apply_answer(slip, *, measures: str, result: str, on: datetime.date | None = None):
    """What :func:`answer` changes on the slip, in memory, refused as it refuses."""
    answered_on = on or timezone.localdate()
    action = slip_workflow.check(slip, "answer", today=answered_on)
    if not result.strip():
        raise ValidationError({"result": _("请填写办理结果。")})
    _check_date(ReferralSlip, "answered_on", answered_on, after=[(ReferralSlip, "issued_on", slip.issued_on)])
    slip.measures, slip.result = measures.strip(), result.strip()
    slip.status = action.target
    slip.answered_on = answered_on


@records_history_by()
@transaction.atomic
def answer(slip, *, measures: str, result: str, by, on: datetime.date | None = None):
    """The department records what it did and the result (``on``: the local
    date, today by default; the demo and imports of past records give one)."""
    slip = ReferralSlip.objects.select_for_update().get(pk=slip.pk)
    apply_answer(slip, measures=measures, result=result, on=on)
    slip.save(update_fields=ANSWER_FIELDS)
    workflow.record(slip.item, IssueEvent.Kind.ANSWERED, by=by, comment=slip.result, referral=slip)
    return slip


ACCEPT_FIELDS = ["status", "accepted_on", "updated_at"]


def apply_accept(slip, *, on: datetime.date | None = None) -> datetime.date:
    """What :func:`accept` changes on the slip, in memory; returns the day."""
    today = on or timezone.localdate()
    action = slip_workflow.check(slip, "accept", today=today)
    _check_date(
        ReferralSlip,
        "accepted_on",
        today,
        after=[(ReferralSlip, "issued_on", slip.issued_on), (ReferralSlip, "answered_on", slip.answered_on)],
    )
    slip.status, slip.accepted_on = action.target, today
    return today


def acceptance_comment(slip) -> str:
    return _("交办单办结：%(serial)s") % {"serial": slip.serial}


@records_history_by()
@transaction.atomic
def accept(slip, *, by, comment="", on: datetime.date | None = None):
    """The office accepts the department's result: the item is resolved."""
    slip = ReferralSlip.objects.select_for_update().get(pk=slip.pk)
    today = apply_accept(slip, on=on)
    slip.save(update_fields=ACCEPT_FIELDS)
    workflow.move(
        slip.item, S.RESOLVED, by=by, comment=comment or acceptance_comment(slip), on=today, referral=slip
    )
    return slip


@records_history_by()
@transaction.atomic
def send_back(slip, *, by, reason: str):
    """The office returns an unsatisfactory result to the department."""
    slip = ReferralSlip.objects.select_for_update().get(pk=slip.pk)
    action = slip_workflow.check(slip, "send_back", today=timezone.localdate())
    if not reason.strip():
        raise ValidationError({"return_reason": _("请说明退回原因。")})
    slip.status, slip.return_reason = action.target, reason.strip()
    slip.save(update_fields=["status", "return_reason", "updated_at"])
    workflow.record(slip.item, IssueEvent.Kind.RETURNED, by=by, comment=slip.return_reason, referral=slip)
    return slip


@records_history_by()
@transaction.atomic
def request_extension(slip, *, reason: str, extra_working_days: int, by):
    slip = ReferralSlip.objects.select_for_update().get(pk=slip.pk)
    slip_workflow.check(slip, "extension", today=timezone.localdate())
    if not reason.strip():
        raise ValidationError({"reason": _("请说明延期理由。")})
    if extra_working_days < 1:
        raise ValidationError({"extra_working_days": _("延长至少 1 个工作日。")})
    if slip.extension_requests.filter(decision=ExtensionRequest.Decision.PENDING).exists():
        raise ValidationError(_("已有待审批的延期申请。"))
    request = ExtensionRequest.objects.create(
        slip=slip, reason=reason.strip(), extra_working_days=extra_working_days, requested_by=by
    )
    workflow.record(
        slip.item,
        IssueEvent.Kind.EXTENSION,
        by=by,
        comment=_("申请延长 %(days)s 个工作日：%(reason)s")
        % {"days": extra_working_days, "reason": request.reason},
        referral=slip,
    )
    return request


@records_history_by()
@transaction.atomic
def decide_extension(request, *, approve: bool, by):
    request = ExtensionRequest.objects.select_for_update().select_related("slip").get(pk=request.pk)
    if request.decision != ExtensionRequest.Decision.PENDING:
        raise ValidationError(_("该延期申请已处理。"))
    slip_workflow.check(request.slip, "decide_extension", today=timezone.localdate())
    request.decision = ExtensionRequest.Decision.APPROVED if approve else ExtensionRequest.Decision.REJECTED
    request.decided_by, request.decided_at = by, timezone.now()
    request.save(update_fields=["decision", "decided_by", "decided_at"])
    slip = request.slip
    if approve:
        slip.working_days += request.extra_working_days
        for field, value in _counted_deadline(slip.issued_on, slip.working_days).items():
            setattr(slip, field, value)
        slip.save(update_fields=["working_days", "deadline", "deadline_provisional", "updated_at"])
        comment = _("同意延期，办理期限改为 %(deadline)s")
    else:
        comment = _("不同意延期，办理期限仍为 %(deadline)s")
    comment %= {"deadline": deadline_text(slip.deadline, slip.deadline_provisional)}
    workflow.record(slip.item, IssueEvent.Kind.EXTENSION_DECIDED, by=by, comment=comment, referral=slip)
    return request


def escalation_departments(leader, departments, *, issued_on) -> list:
    """The departments of an escalation to ``leader`` issued on
    ``issued_on``, refused as :func:`escalate` refuses them (before it is
    numbered)."""
    _check_date(EscalationSlip, "issued_on", issued_on)
    if leader.rank != leader.Rank.CITY_LEADER:
        raise ValidationError({"leader": _("呈报单只能报送市级领导。")})
    departments = list(departments)
    if len(departments) < 2:
        raise ValidationError({"departments": _("呈报单用于涉及多个部门的问题：请至少选择两个部门。")})
    return departments


def new_escalation(item, *, leader, issued_by, issued_on, number, request=""):
    """The escalation slip :func:`escalate` issues, unsaved (its departments
    are set once it is saved)."""
    return EscalationSlip(
        serial=serial_text("呈", issued_on.year, number), year=issued_on.year, number=number, item=item,
        leader=leader, issued_on=issued_on, request=request.strip(), issued_by=issued_by,
    )  # fmt: skip


def escalation_comment(slip) -> str:
    return _("呈报%(leader)s（%(serial)s）") % {"leader": slip.leader.name, "serial": slip.serial}


@records_history_by()
@transaction.atomic
def escalate(item, *, leader, departments, by, request="", on: datetime.date | None = None):
    """Issue an escalation slip (呈报单, R13) to the city leader in charge."""
    issued_on = on or timezone.localdate()
    departments = escalation_departments(leader, departments, issued_on=issued_on)
    item = _check_move(item, S.ESCALATED)
    number, _serial = next_serial("呈", issued_on.year)
    slip = new_escalation(
        item, leader=leader, issued_by=by, issued_on=issued_on, number=number, request=request
    )
    slip.save(force_insert=True)
    slip.departments.set(departments)
    slip.item = workflow.move(item, S.ESCALATED, by=by, comment=escalation_comment(slip), escalation=slip)
    return slip


INSTRUCTION_FIELDS = ["instruction", "instructed_on", "status"]


def apply_instruction(slip, *, instruction: str):
    """What :func:`record_instruction` changes on the slip, in memory."""
    action = slip_workflow.check(slip, "instruct", today=timezone.localdate())
    if not instruction.strip():
        raise ValidationError({"instruction": _("请填写批示内容。")})
    today = timezone.localdate()
    _check_date(EscalationSlip, "instructed_on", today, after=[(EscalationSlip, "issued_on", slip.issued_on)])
    slip.instruction, slip.instructed_on = instruction.strip(), today
    slip.status = action.target


@records_history_by()
@transaction.atomic
def record_instruction(slip, *, instruction: str, by):
    """The leader's instruction (批示), entered by the leader or by staff."""
    slip = EscalationSlip.objects.select_for_update().get(pk=slip.pk)
    apply_instruction(slip, instruction=instruction)
    slip.save(update_fields=INSTRUCTION_FIELDS)
    workflow.record(slip.item, IssueEvent.Kind.INSTRUCTED, by=by, comment=slip.instruction, escalation=slip)
    return slip


@records_history_by()
@transaction.atomic
def conclude_escalation(slip, *, result: str, solved: bool, by):
    """Record the coordination result and close the item: resolved, or
    cannot be solved (the result is the reason)."""
    slip = EscalationSlip.objects.select_for_update().get(pk=slip.pk)
    action = slip_workflow.check(slip, "conclude", today=timezone.localdate())
    if not result.strip():
        raise ValidationError({"coordination_result": _("请填写协调结果。")})
    today = timezone.localdate()
    _check_date(
        EscalationSlip,
        "concluded_on",
        today,
        after=[
            (EscalationSlip, "issued_on", slip.issued_on),
            (EscalationSlip, "instructed_on", slip.instructed_on),
        ],
    )
    slip.coordination_result, slip.concluded_on = result.strip(), today
    slip.status = action.target
    slip.save(update_fields=["coordination_result", "concluded_on", "status"])
    if solved:
        workflow.move(slip.item, S.RESOLVED, by=by, comment=result, on=today, escalation=slip)
    else:
        workflow.move(slip.item, S.UNSOLVABLE, by=by, reason=result, escalation=slip)
    return slip


@records_history_by()
@transaction.atomic
def supervise(referral, *, by, note="", on: datetime.date | None = None):
    """Issue a supervision slip (督办单) on an overdue referral slip, to the
    department's principal leader (R18)."""
    issued_on = on or timezone.localdate()
    referral = (
        ReferralSlip.objects.select_for_update().select_related("department", "item").get(pk=referral.pk)
    )
    slip_workflow.check(referral, "supervise", today=issued_on)
    _check_date(
        SupervisionSlip, "issued_on", issued_on, after=[(ReferralSlip, "issued_on", referral.issued_on)]
    )
    number, serial = next_serial("督", issued_on.year)
    supervision = SupervisionSlip.objects.create(
        serial=serial, year=issued_on.year, number=number, referral=referral,
        addressee=referral.department.principal_leader, issued_on=issued_on, note=note.strip(), issued_by=by,
    )  # fmt: skip
    workflow.record(
        referral.item,
        IssueEvent.Kind.SUPERVISED,
        by=by,
        comment=_("督办单 %(serial)s") % {"serial": serial}
        + (f"：{supervision.note}" if supervision.note else ""),
        referral=referral,
    )
    return supervision


@records_history_by()
@transaction.atomic
def add_progress(item, *, text: str, by, month: datetime.date | None = None):
    """A monthly progress note (月度进展) on an open item, by the office or
    the officer of the department handling it; a second note in the same
    month replaces the first. Each is a line on the item's timeline."""
    from .models import ProgressEntry

    item = IssueItem.objects.select_for_update().get(pk=item.pk)
    if item.status not in workflow.OPEN:
        raise ValidationError(_("问题已办结，不再填报月度进展。"))
    if not text.strip():
        raise ValidationError({"text": _("请填写本月进展情况。")})
    month = (month or timezone.localdate()).replace(day=1)
    entry, _created = ProgressEntry.objects.update_or_create(
        item=item, month=month, defaults={"text": text.strip(), "by": by}
    )
    workflow.record(
        item,
        IssueEvent.Kind.PROGRESS,
        by=by,
        comment=_("%(month)s 月度进展：%(text)s") % {"month": month.strftime("%Y-%m"), "text": entry.text},
        referral=item.referrals.order_by("-issued_on", "-pk").first(),
    )
    return entry


@records_history_by()
@transaction.atomic
def holidays_changed(years, *, by) -> list:
    """After staff enter, change or delete holidays of ``years``: every slip
    not yet accepted whose working days may run through those years is
    counted again from its issue date; each whose deadline or 暂定 mark
    changes gets a line on its item's timeline (and its department is told,
    ``jobs.handoffs``), never silently. Accepted slips keep the deadline they
    were judged by. Returns the slips counted again."""
    years = sorted(set(years))
    if not years:
        return []
    slips = (
        ReferralSlip.objects.select_for_update()
        .filter(
            status__in=slip_workflow.UNFINISHED_REFERRAL,
            deadline__gte=datetime.date(years[0], 1, 1),
            issued_on__lte=datetime.date(years[-1], 12, 31),
        )
        .select_related("item")
        .order_by("pk")
    )
    changed = []
    for slip in slips:
        before = deadline_text(slip.deadline, slip.deadline_provisional)
        counted = _counted_deadline(slip.issued_on, slip.working_days)
        if (slip.deadline, slip.deadline_provisional) == (
            counted["deadline"],
            counted["deadline_provisional"],
        ):
            continue
        for field, value in counted.items():
            setattr(slip, field, value)
        slip.save(update_fields=["deadline", "deadline_provisional", "updated_at"])
        workflow.record(
            slip.item,
            IssueEvent.Kind.DEADLINE,
            by=by,
            comment=_("按%(years)s年节假日与调休安排重新计算办理期限：%(before)s → %(after)s")
            % {
                "years": "、".join(str(y) for y in years),
                "before": before,
                "after": deadline_text(slip.deadline, slip.deadline_provisional),
            },
            referral=slip,
        )
        changed.append(slip)
    return changed


def mark_handed_off(events):
    """The notices of these events are claimed (``jobs.handoffs``)."""
    IssueEvent.objects.filter(pk__in=[e.pk for e in events]).update(handed_off=True)


def mark_all_handed_off():
    """For the demo and imports of past records: their events are history."""
    IssueEvent.objects.filter(handed_off=False).update(handed_off=True)


def _answerer(confirmation, contact) -> str:
    """The name the timeline shows for a contact's answer, the contact
    checked to speak for the item's own enterprise."""
    if contact is None:
        return ""
    if contact.enterprise_id != confirmation.item.enterprise_id:
        raise ValidationError({"contact": _("该联系人不属于这家企业。")})
    return contact.name


@records_history_by()
@transaction.atomic
def confirm(confirmation, *, verdict: str, comment: str = "", contact=None, by=None):
    """Record the enterprise's verdict on a resolution (issue 17.5): given on
    its own pages (``contact``, nobody logged in: ``by`` None) or by phone to
    staff (``by``, who recorded it). 不满意 needs a comment and reopens the item
    (RESOLVED → OFFICE, :data:`workflow.REOPENING`): the liaison office and the
    reporting cadre are told (``jobs.handoffs``). Refuses a confirmation
    already answered and a verdict it does not know, writing nothing."""
    V = Confirmation.Verdict
    confirmation = Confirmation.objects.select_for_update().select_related("item").get(pk=confirmation.pk)
    if not confirmation.is_pending:
        raise ValidationError(_("企业已评价过这次解决（%(verdict)s），不能再次评价。") % {
            "verdict": confirmation.get_verdict_display()
        })  # fmt: skip
    if verdict not in (V.SATISFIED, V.BASIC, V.UNSATISFIED):
        raise ValidationError({"verdict": _("请选择满意、基本满意或不满意。")})
    comment = comment.strip()
    if verdict == V.UNSATISFIED and not comment:
        raise ValidationError({"comment": _("不满意时请说明问题哪里没有解决。")})
    name = _answerer(confirmation, contact)
    confirmation.verdict, confirmation.comment, confirmation.contact = verdict, comment, contact
    confirmation.recorded_by, confirmation.answered_at = by, timezone.now()
    confirmation.save()
    item = confirmation.item
    # The timeline names the kind (企业评价) itself: the line says only the verdict.
    text = confirmation.get_verdict_display()
    if by is not None and contact is not None:
        text += _("（%(contact)s 电话答复）") % {"contact": contact.name}
    workflow.record(item, IssueEvent.Kind.CONFIRMED, by=by, name=name, comment=f"{text}\n{comment}".strip())
    if verdict == V.UNSATISFIED and item.status == S.RESOLVED:
        workflow.move(
            item, S.OFFICE, by=by, name=name, reopening=True,
            comment=_("企业不满意，重新办理：%(comment)s") % {"comment": comment},
        )  # fmt: skip
    return confirmation


def deem_overdue(today: datetime.date | None = None) -> int:
    """Record 默认满意 on every pending confirmation whose due day has passed
    (the job ``jobs.deem_confirmations``), each claimed by a conditional update
    (pending → deemed), so two runs at once never record one twice; a
    timeline line each. Returns how many it recorded."""
    today = today or timezone.localdate()
    V = Confirmation.Verdict
    done = 0
    due = Confirmation.objects.filter(verdict="", due_on__lt=today).order_by("pk")
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Confirmation.objects.filter(pk=pk, verdict="").update(
                verdict=V.DEEMED, answered_at=timezone.now()
            )
            if not claimed:
                continue
            confirmation = Confirmation.objects.select_related("item").get(pk=pk)
            confirmation._change_reason = _("逾期未答复，默认满意")
            confirmation.save(update_fields=["verdict"])  # its history row
            workflow.record(
                confirmation.item,
                IssueEvent.Kind.CONFIRMED,
                by=None,
                comment=_("%(verdict)s（%(day)s 前未答复）")
                % {"verdict": V.DEEMED.label, "day": confirmation.due_on.isoformat()},
            )
            done += 1
    return done
