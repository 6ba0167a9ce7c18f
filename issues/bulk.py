"""The issue list's writes for many items at once: the demo's and the
benchmarks' worlds at city scale (``seed_demo``, 100,000 items).

:class:`BulkIssueList` offers the steps the demo takes through
:mod:`issues.services` and :mod:`issues.workflow` (an item put on the list,
moved along its path, referred, answered, accepted, escalated, instructed)
with the same arguments, and keeps them in memory until :meth:`flush`, which
writes them in a few inserts. What it writes is what those services leave,
row for row: the items and their slips, one history row per save naming the
user who acted, one timeline event per step with its kind, actor and
comment, the escalations' departments, and serial numbers that go on from
the counters, gapless. Each step changes the rows by the services' own
functions (``workflow.apply_move``, ``workflow.event``,
``services.new_referral``, ``services.apply_answer`` …), and refuses what
they refuse; ``tests/test_seed_paths.py`` compares a world built this way
with one built through the services.

It does not lock the items (nobody else writes during a seed) and does not
check the slips' rules that read other rows (a pending extension, say): the
demo takes no such step.
"""

import datetime

from django.utils import timezone

from cadres import closing
from tabular.bulk import insert
from tabular.history import PendingHistory

from . import confirmations, services, workflow
from .models import Confirmation, EscalationSlip, IssueEvent, IssueItem, ReferralSlip
from .workdays import WorkCalendar

S = IssueItem.Status
K = IssueEvent.Kind
YEAR = datetime.timedelta(days=366)


class BulkIssueList:
    def __init__(self):
        self.history = PendingHistory()
        self.counters = {}  # (kind, year) → its SerialCounter, locked, numbers taken in memory
        self.calendar = None  # the working-day table, read once for the deadlines
        self._clear()

    def _clear(self):
        self.items, self.referrals, self.escalations, self.events = [], [], [], []
        self.departments = []  # (escalation slip, [units])
        self.confirmations = []  # asked by each resolution
        self.closes = []  # (item, status it left, by, why): noted if dated into a closed quarter

    def _number(self, kind, year):
        counter = self.counters.get((kind, year))
        if counter is None:
            counter = self.counters[kind, year] = services.locked_counter(kind, year)
        counter.last += 1
        return counter.last

    def create(self, item, *, cadre=None, by=None, comment=""):
        """``IssueItem.objects.create`` and :func:`workflow.record_creation`."""
        self.items.append(item)
        self.history.saved(item, created=True)
        self.events.append(workflow.event(item, K.CREATED, actor=by, cadre=cadre, comment=comment))
        return item

    def move(
        self, item, to_status, *, by, comment="", reason="", enterprise_confirmed=False, on=None,
        referral=None, escalation=None,
    ):  # fmt: skip
        """:func:`workflow.move`."""
        previous = workflow.apply_move(
            item, to_status, reason=reason, enterprise_confirmed=enterprise_confirmed, on=on
        )
        self.history.saved(item, user=by)
        if item.status in workflow.CLOSED:
            self.closes.append((item, previous, by, reason or comment))
        self._ask(item, to_status, by)
        self.events.append(
            workflow.event(
                item,
                K.MOVED,
                actor=by,
                comment=comment or reason,
                from_status=previous,
                referral=referral,
                escalation=escalation,
            )  # fmt: skip
        )
        return item

    def _ask(self, item, to_status, by):
        """A resolution asks the enterprise (:func:`confirmations.ask`); saved
        after its event, as :func:`workflow.move` saves it."""
        if to_status != S.RESOLVED:
            return
        calendar = self._calendar(timezone.localdate())
        self.confirmations.append((confirmations.new_confirmation(item, calendar=calendar), by))

    def _calendar(self, day):
        """The working-day table around ``day``, read once for many deadlines."""
        if self.calendar is None or not self.calendar.first <= day <= self.calendar.last - YEAR:
            self.calendar = WorkCalendar(day - YEAR, day + 2 * YEAR)
        return self.calendar

    def refer(self, item, *, department, by, working_days=None, requirement="", on=None):
        """:func:`services.refer`."""
        issued_on = on or timezone.localdate()
        days = services.referral_days(item, department, working_days, issued_on=issued_on)
        workflow.check(item.status, S.REFERRED)
        calendar = self._calendar(issued_on)
        slip = services.new_referral(
            item, department=department, issued_by=by, days=days, issued_on=issued_on,
            number=self._number("交", issued_on.year), requirement=requirement, calendar=calendar,
        )  # fmt: skip
        self.referrals.append(slip)
        self.history.saved(slip, created=True, user=by)
        self.move(item, S.REFERRED, by=by, comment=services.referral_comment(slip), referral=slip)
        return slip

    def answer(self, slip, *, measures, result, by, on=None):
        """:func:`services.answer`."""
        services.apply_answer(slip, measures=measures, result=result, on=on)
        self.history.saved(slip, user=by)
        self.events.append(
            workflow.event(slip.item, K.ANSWERED, actor=by, comment=slip.result, referral=slip)
        )
        return slip

    def accept(self, slip, *, by, comment="", on=None):
        """:func:`services.accept`."""
        today = services.apply_accept(slip, on=on)
        self.history.saved(slip, user=by)
        comment = comment or services.acceptance_comment(slip)
        self.move(slip.item, S.RESOLVED, by=by, comment=comment, on=today, referral=slip)
        return slip

    def escalate(self, item, *, leader, departments, by, request="", on=None):
        """:func:`services.escalate`."""
        issued_on = on or timezone.localdate()
        departments = services.escalation_departments(leader, departments, issued_on=issued_on)
        workflow.check(item.status, S.ESCALATED)
        slip = services.new_escalation(
            item, leader=leader, issued_by=by, issued_on=issued_on,
            number=self._number("呈", issued_on.year), request=request,
        )  # fmt: skip
        self.escalations.append(slip)
        self.departments.append((slip, departments))
        self.history.saved(slip, created=True, user=by)
        self.move(item, S.ESCALATED, by=by, comment=services.escalation_comment(slip), escalation=slip)
        return slip

    def record_instruction(self, slip, *, instruction, by):
        """:func:`services.record_instruction`."""
        services.apply_instruction(slip, instruction=instruction)
        self.history.saved(slip, user=by)
        self.events.append(
            workflow.event(slip.item, K.INSTRUCTED, actor=by, comment=slip.instruction, escalation=slip)
        )
        return slip

    def flush(self):
        """Write what the steps so far left; the items must not be stepped
        on again afterwards."""
        insert(IssueItem, self.items)
        insert(ReferralSlip, self.referrals)
        insert(EscalationSlip, self.escalations)
        through = EscalationSlip.departments.through
        insert(
            through,
            (through(escalationslip=slip, unit=unit) for slip, units in self.departments for unit in units),
        )
        insert(IssueEvent, self.events)
        for confirmation, by in self.confirmations:
            confirmation.item = confirmation.item  # the item's key, now it has one
            self.history.saved(confirmation, created=True, user=by)
        insert(Confirmation, [confirmation for confirmation, _by in self.confirmations])
        self.history.write()
        for counter in self.counters.values():
            counter.save(update_fields=["last"])
        # One query tells whether any close falls in a closed quarter (the
        # demo closes its quarters after writing): then each is noted as
        # :func:`workflow.move` notes it, the items now saved.
        if self.closes and closing.closed_on_or_after(
            min(item.closed_on for item, *_ in self.closes), closing.PUBLISHED
        ):
            for item, previous, by, why in self.closes:
                workflow.note_closing(item, previous, by=by, why=why)
        self._clear()
