"""The escalation path of an issue-list item (R13, R14) and its timeline."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from issues import workflow
from issues.models import IssueItem
from tests.factories import CadreFactory, EnterpriseFactory

pytestmark = pytest.mark.django_db
S = IssueItem.Status

# The moves the escalation path allows from each status (and withdrawal from any open one) …
ALLOWED = {
    S.NEW: [S.CONTACT],
    S.CONTACT: [S.UNIT, S.RESOLVED],
    S.UNIT: [S.OFFICE, S.RESOLVED],
    S.OFFICE: [S.REFERRED, S.ESCALATED],
    S.REFERRED: [S.RESOLVED, S.UNSOLVABLE],
    S.ESCALATED: [S.RESOLVED, S.UNSOLVABLE],
}
LEGAL = [(start, end) for start, ends in ALLOWED.items() for end in ends]
LEGAL += [(status, S.WITHDRAWN) for status in sorted(workflow.OPEN)]  # one order in every process

# … and some it refuses.
REFUSED = {
    S.NEW: [S.RESOLVED, S.REFERRED],  # the contact tries first
    S.CONTACT: [S.OFFICE],  # the unit comes before the office
    S.OFFICE: [S.RESOLVED, S.UNSOLVABLE],  # the office refers or escalates
    S.REFERRED: [S.ESCALATED],
    S.RESOLVED: [S.CONTACT, S.WITHDRAWN],
    S.UNSOLVABLE: [S.RESOLVED],
    S.WITHDRAWN: [S.NEW],
}
ILLEGAL = [(start, end) for start, ends in REFUSED.items() for end in ends]


@pytest.fixture
def item():
    return IssueItem.objects.create(
        enterprise=EnterpriseFactory(),
        reporter=CadreFactory(),
        category="labour",
        description="招工难",
        reported_on=datetime.date(2026, 11, 2),
    )


def at(item, status):
    IssueItem.objects.filter(pk=item.pk).update(status=status)
    item.refresh_from_db()
    return item


@pytest.mark.parametrize("start, end", LEGAL)
def test_every_legal_move_is_allowed_and_recorded(item, staff_user, start, end):
    at(item, start)
    moved = workflow.move(item, end, by=staff_user, comment="处理", reason="原因", enterprise_confirmed=True)
    assert moved.status == end
    event = moved.events.get()
    assert (event.actor, event.from_status, event.to_status) == (staff_user, start, end)


@pytest.mark.parametrize("start, end", ILLEGAL)
def test_illegal_moves_are_refused_with_a_clear_message(item, staff_user, start, end):
    at(item, start)
    with pytest.raises(ValidationError) as raised:
        workflow.move(item, end, by=staff_user, reason="原因", enterprise_confirmed=True)
    assert raised.value.code == "transition"
    assert f"不能从“{S(start).label}”变为“{S(end).label}”" in raised.value.messages[0]
    item.refresh_from_db()
    assert item.status == start and not item.events.exists()


def test_the_table_covers_every_status():
    assert set(workflow.TRANSITIONS) == set(S)
    assert set(S) == workflow.OPEN | workflow.CLOSED


def test_withdrawal_needs_a_reason_and_the_enterprises_confirmation(item, staff_user):
    with pytest.raises(ValidationError) as raised:
        workflow.move(item, S.WITHDRAWN, by=staff_user, reason="", enterprise_confirmed=True)
    assert raised.value.code == "reason"
    with pytest.raises(ValidationError) as raised:
        workflow.move(item, S.WITHDRAWN, by=staff_user, reason="企业已自行解决")
    assert raised.value.code == "confirmation"
    moved = workflow.move(
        item, S.WITHDRAWN, by=staff_user, reason="企业已自行解决", enterprise_confirmed=True
    )
    assert moved.withdrawal_confirmed and moved.closing_reason == "企业已自行解决"


def test_unsolvable_needs_a_reason(item, staff_user):
    at(item, S.REFERRED)
    with pytest.raises(ValidationError):
        workflow.move(item, S.UNSOLVABLE, by=staff_user)


def test_the_timeline_reads_in_order(item, staff_user):
    for status in (S.CONTACT, S.UNIT, S.RESOLVED):
        workflow.move(
            item, status, by=staff_user, comment=f"到{S(status).label}", on=datetime.date(2026, 11, 20)
        )
    item.refresh_from_db()
    assert [(e.from_status, e.to_status) for e in item.events.all()] == [
        (S.NEW, S.CONTACT),
        (S.CONTACT, S.UNIT),
        (S.UNIT, S.RESOLVED),
    ]
    assert item.resolved_on == datetime.date(2026, 11, 20)


def test_only_an_enterprises_own_request_goes_straight_to_the_office(staff_user):
    """R14: an item from a visit goes by the contact and the unit first; an
    enterprise's own request (企业自报, issue 17) comes to the office, which
    takes it at once (新提交 → 联络办受理)."""
    from tests.factories import IssueItemFactory

    visit_item = IssueItemFactory()
    with pytest.raises(ValidationError, match="不能从"):
        workflow.move(visit_item, S.OFFICE, by=staff_user)
    assert S.OFFICE not in workflow.moves_from(visit_item)

    own = IssueItemFactory(source=IssueItem.Source.ENTERPRISE, reporter=None)
    assert S.OFFICE in workflow.moves_from(own)
    workflow.move(own, S.OFFICE, by=staff_user)
    own.refresh_from_db()
    assert own.status == S.OFFICE
