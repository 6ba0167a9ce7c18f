"""Escalation slips to a city leader (呈报单, R13) and supervision slips on
overdue referrals (督办单, R18)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse

from issues import services
from issues.models import IssueItem
from tests.factories import CadreFactory, CityLeaderFactory, UnitFactory, office_item, user_with_role

pytestmark = pytest.mark.django_db
S = IssueItem.Status
D = datetime.date


@pytest.fixture
def leader():
    cadre = CityLeaderFactory(name="分管副市长")
    user_with_role("leader", cadre=cadre, username="leader")
    return cadre


@pytest.fixture
def departments():
    return [UnitFactory(name="市发改局"), UnitFactory(name="市国土局")]


def test_escalation_numbers_the_slip_and_escalates_the_item(staff_user, leader, departments):
    slip = services.escalate(
        office_item(), leader=leader, departments=departments, by=staff_user, on=D(2026, 11, 26)
    )
    assert slip.serial == "桐联企呈〔2026〕第0001号"
    assert slip.item.status == S.ESCALATED and set(slip.departments.all()) == set(departments)


def test_escalation_needs_a_city_leader_and_several_departments(staff_user, leader, departments):
    with pytest.raises(ValidationError):
        services.escalate(office_item(), leader=CadreFactory(), departments=departments, by=staff_user)
    with pytest.raises(ValidationError):
        services.escalate(office_item(), leader=leader, departments=departments[:1], by=staff_user)


def test_leader_instructs_and_staff_concludes(client, staff_user, leader, departments):
    slip = services.escalate(office_item(), leader=leader, departments=departments, by=staff_user)
    client.login(request=HttpRequest(), username="leader", password="pw-for-tests-only")
    assert slip.serial in client.get(reverse("issues:escalations")).content.decode()
    instruct = reverse("issues:escalation_instruct", args=[slip.pk])
    conclude = reverse("issues:escalation_conclude", args=[slip.pk])
    client.post(instruct, {"instruction": "请发改、国土两局联合办理"})
    assert (
        client.post(conclude, {"coordination_result": "x", "solved": "1"}).status_code == 403
    )  # not the leader's
    slip.refresh_from_db()
    assert slip.status == "instructed" and slip.instruction == "请发改、国土两局联合办理"

    client.force_login(staff_user)
    client.post(conclude, {"coordination_result": "联合审批已通过", "solved": "1"})
    slip.refresh_from_db()
    assert slip.status == "concluded" and slip.item.status == S.RESOLVED
    page = client.get(reverse("issues:escalation_print", args=[slip.pk])).content.decode()
    for text in ("联企服务呈报单", slip.serial, "领导批示", "请发改、国土两局联合办理", "联合审批已通过"):
        assert text in page


def test_an_unsolvable_conclusion_closes_the_item_with_its_reason(staff_user, leader, departments):
    slip = services.escalate(office_item(), leader=leader, departments=departments, by=staff_user)
    services.conclude_escalation(slip, result="超出市级权限", solved=False, by=staff_user)
    slip.item.refresh_from_db()
    assert slip.item.status == S.UNSOLVABLE and slip.item.closing_reason == "超出市级权限"


def test_another_leader_cannot_see_the_slip(client, staff_user, leader, departments):
    slip = services.escalate(office_item(), leader=leader, departments=departments, by=staff_user)
    user_with_role("leader", cadre=CityLeaderFactory(name="另一位领导"), username="other_leader")
    client.login(request=HttpRequest(), username="other_leader", password="pw-for-tests-only")
    assert client.get(reverse("issues:escalation", args=[slip.pk])).status_code == 404
    assert slip.serial not in client.get(reverse("issues:escalations")).content.decode()


def test_officers_and_cadres_have_no_escalation_pages(client, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("issues:escalations")).status_code == 403


def test_supervision_only_for_an_overdue_referral(staff_user, unit_a):
    principal = CadreFactory(unit=unit_a, name="局长")
    unit_a.principal_leader = principal
    unit_a.save()
    slip = services.refer(office_item(), department=unit_a, by=staff_user, on=D(2026, 11, 2), working_days=5)
    with pytest.raises(ValidationError):
        services.supervise(slip, by=staff_user, on=D(2026, 11, 9))  # deadline 2026-11-09: not yet overdue
    supervision = services.supervise(slip, by=staff_user, note="请局长亲自过问", on=D(2026, 11, 10))
    assert supervision.serial == "桐联企督〔2026〕第0001号" and supervision.addressee == principal


def test_staff_issues_a_supervision_slip_from_the_slip_page(client, staff_user, officer_a, unit_a, unit_b):
    slip = services.refer(office_item(), department=unit_a, by=staff_user, on=D(2026, 1, 5), working_days=5)
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    url = reverse("issues:slip", args=[slip.pk])
    assert "发督办单" in client.get(url).content.decode()
    response = client.post(reverse("issues:slip_supervise", args=[slip.pk]), {"note": "请尽快办结"})
    supervision = slip.supervisions.get()
    assert response["Location"] == reverse("issues:supervision_print", args=[supervision.pk])
    client.force_login(officer_a)  # the department sees it
    page = client.get(reverse("issues:supervision_print", args=[supervision.pk])).content.decode()
    assert "联企服务督办单" in page and slip.serial in page and "请尽快办结" in page
    client.force_login(user_with_role("unit_officer", cadre=CadreFactory(unit=unit_b)))
    assert client.get(reverse("issues:supervision_print", args=[supervision.pk])).status_code == 404


def test_escalate_from_the_admin(client, staff_user, leader, departments):
    item = office_item()
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:issues_issueitem_escalate", args=[item.pk]),
        {"leader": leader.pk, "departments": [d.pk for d in departments], "request": "请协调"},
    )
    slip = item.escalations.get()
    assert response["Location"] == reverse("issues:escalation", args=[slip.pk])
