"""The services refuse impossible dates (issue 16.2): a slip is issued, then
answered, then accepted, none after today (R13); an item is resolved on or
after the day it was reported; a visit is not in the future nor before its
pairing began (R7, R9); an early end falls within the pairing's term (R5).
Each refusal says why in Chinese (and English), writes nothing, and a form
that asked for it is shown again."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from cadres import services as cadre_services
from cadres.models import Pairing
from issues import services, workflow
from issues.models import IssueEvent, IssueItem, ReferralSlip, SerialCounter
from tests import factories as f
from tests.test_history_everywhere import admin_form_data, change_url
from tests.test_visits import form_data
from visits import services as visit_services
from visits.models import Visit

pytestmark = pytest.mark.django_db
D = datetime.date
S = IssueItem.Status
RS = ReferralSlip.Status


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def refused(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return " ".join(caught.value.messages)


@pytest.fixture
def slip(staff_user, unit_a):
    item = f.office_item(reported_on=today() - days(40))
    return services.refer(item, department=unit_a, by=staff_user, on=today() - days(30))


def unchanged(slip, status):
    """The slip as it was, and its issue still the last line of the timeline."""
    slip.refresh_from_db()
    last = slip.item.events.order_by("pk").last()
    return slip.status == status and (last.kind, last.to_status) == (IssueEvent.Kind.MOVED, S.REFERRED)


def test_an_answer_dated_before_the_slip_was_issued_is_refused(slip, officer_a):
    before = slip.issued_on - days(1)
    message = refused(lambda: services.answer(slip, measures="", result="已办", by=officer_a, on=before))
    assert message == f"反馈日期（{before}）不能早于交办日期（{slip.issued_on}）。"
    assert unchanged(slip, RS.ISSUED) and slip.answered_on is None


def test_an_answer_dated_after_today_is_refused(slip, officer_a):
    later = today() + days(1)
    message = refused(lambda: services.answer(slip, measures="", result="已办", by=officer_a, on=later))
    assert message == f"反馈日期（{later}）不能晚于今天（{today()}）。"
    assert unchanged(slip, RS.ISSUED)


def test_an_acceptance_before_the_answer_or_the_issue_is_refused_and_nothing_resolves(
    slip, officer_a, staff_user
):
    services.answer(slip, measures="", result="已办", by=officer_a, on=slip.issued_on + days(5))
    early = slip.issued_on - days(3)  # the issue's case: accepted before it was issued
    message = refused(lambda: services.accept(slip, by=staff_user, on=early))
    assert f"办结日期（{early}）不能早于交办日期（{slip.issued_on}）。" in message
    assert f"不能早于反馈日期（{slip.issued_on + days(5)}）" in message
    slip.refresh_from_db()
    assert slip.status == RS.ANSWERED and slip.accepted_on is None
    assert slip.item.status == S.REFERRED and slip.item.resolved_on is None
    assert refused(lambda: services.accept(slip, by=staff_user, on=today() + days(2))).endswith(
        f"不能晚于今天（{today()}）。"
    )
    services.accept(slip, by=staff_user, on=slip.issued_on + days(5))  # the same day as the answer: fine
    slip.refresh_from_db()
    assert slip.accepted_on == slip.answered_on and slip.item.resolved_on == slip.accepted_on


def test_a_slip_issued_after_today_is_refused_and_takes_no_number(staff_user, unit_a):
    item = f.office_item()
    message = refused(lambda: services.refer(item, department=unit_a, by=staff_user, on=today() + days(1)))
    assert message == f"交办日期（{today() + days(1)}）不能晚于今天（{today()}）。"
    assert not ReferralSlip.objects.exists() and not SerialCounter.objects.filter(last__gt=0).exists()
    item.refresh_from_db()
    assert item.status == S.OFFICE
    leader = f.CityLeaderFactory()
    assert "呈报日期" in refused(
        lambda: services.escalate(
            item, leader=leader, departments=[unit_a, f.UnitFactory()], by=staff_user, on=today() + days(1)
        )
    )


def test_a_supervision_slip_is_not_dated_after_today(slip, staff_user):
    assert "督办日期" in refused(lambda: services.supervise(slip, by=staff_user, on=today() + days(1)))
    assert not slip.supervisions.exists()


def test_an_instruction_or_conclusion_before_the_escalation_is_refused(staff_user, unit_a):
    slip = services.escalate(
        f.office_item(), leader=f.CityLeaderFactory(), departments=[unit_a, f.UnitFactory()], by=staff_user
    )
    type(slip).objects.filter(pk=slip.pk).update(issued_on=today() + days(3))  # say, a clock set back since
    assert "批示日期" in refused(
        lambda: services.record_instruction(slip, instruction="请协调", by=staff_user)
    )
    assert "办结日期" in refused(
        lambda: services.conclude_escalation(slip, result="已协调", solved=True, by=staff_user)
    )
    slip.refresh_from_db()
    assert slip.instruction == "" and slip.item.status == S.ESCALATED


def test_an_item_is_never_resolved_before_it_was_reported(staff_user):
    item = IssueItem.objects.create(
        enterprise=f.EnterpriseFactory(), reporter=f.CadreFactory(), category="labour", description="招工难",
        reported_on=today() - days(10), status=S.CONTACT,
    )  # fmt: skip
    message = refused(lambda: workflow.move(item, S.RESOLVED, by=staff_user, on=today() - days(11)))
    assert message == f"解决日期（{today() - days(11)}）不能早于报告日期（{today() - days(10)}）。"
    assert "不能晚于今天" in refused(
        lambda: workflow.move(item, S.RESOLVED, by=staff_user, on=today() + days(1))
    )
    item.refresh_from_db()
    assert item.status == S.CONTACT and item.resolved_on is None and not item.events.exists()
    workflow.move(item, S.RESOLVED, by=staff_user, on=today() - days(10))  # the same day: fine


def test_the_refusal_reads_in_english(slip, officer_a):
    with translation.override("en"):
        message = refused(
            lambda: services.answer(
                slip, measures="", result="done", by=officer_a, on=slip.issued_on - days(1)
            )
        )
    assert message.startswith("Answered on (") and "cannot be before" in message and "Issued on" in message


def test_the_admin_shows_the_item_form_again_for_a_report_date_after_its_resolution(client, staff_user):
    item = IssueItem.objects.create(
        enterprise=f.EnterpriseFactory(), reporter=f.CadreFactory(), category="labour", description="招工难",
        reported_on=today() - days(20), status=S.CONTACT,
    )  # fmt: skip
    workflow.move(item, S.RESOLVED, by=staff_user, on=today() - days(5))
    client.force_login(staff_user)
    url = change_url(item)
    late = today() - days(2)
    response = client.post(url, admin_form_data(client.get(url), reported_on=late.isoformat()))
    assert response.status_code == 200  # the form again, with the sentence on the report date
    assert f"解决日期（{today() - days(5)}）不能早于报告日期（{late}）。" in response.content.decode()
    future = today() + days(1)
    response = client.post(url, admin_form_data(client.get(url), reported_on=future.isoformat()))
    assert f"报告日期（{future}）不能晚于今天（{today()}）。" in response.content.decode()
    item.refresh_from_db()
    assert item.reported_on == today() - days(20)


def test_a_visit_in_the_future_or_before_the_pairing_is_refused_by_the_service(staff_user):
    pairing = f.PairingFactory(start_date=today() - days(100))
    for day, sentence in (
        (today() + days(1), "走访日期不能是将来的日期。"),
        (pairing.start_date - days(1), f"走访日期不能早于结对开始日期（{pairing.start_date}）。"),
    ):
        visit = Visit(pairing=pairing, visit_date=day, situation="平稳")
        assert sentence in refused(lambda v=visit: visit_services.save_visit(v, companions=[], problems=[]))
    assert not Visit.objects.exists()


def test_the_feedback_form_is_shown_again_for_a_future_visit(client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC), tick=False)
    cadre = f.CadreFactory()
    user = f.user_with_role("cadre", cadre=cadre, username="future")
    pairing = f.PairingFactory(cadre=cadre, start_date=D(2026, 3, 27))
    client.force_login(user)
    response = client.post(reverse("feedback:new", args=[pairing.pk]), form_data(visit_date="2026-11-21"))
    assert response.status_code == 200 and "走访日期不能是将来的日期。" in response.content.decode()
    response = client.post(reverse("feedback:new", args=[pairing.pk]), form_data(visit_date="2026-03-26"))
    assert "走访日期不能早于结对开始日期（2026-03-27）。" in response.content.decode()
    assert not Visit.objects.exists() and not IssueItem.objects.exists()


def test_a_staff_correction_of_a_visit_to_a_future_date_is_refused_in_the_admin(client, staff_user):
    pairing = f.PairingFactory(start_date=today() - days(100))
    visit = f.submitted_visit(pairing, today() - days(3))
    client.force_login(staff_user)
    url = change_url(visit)
    future = today() + days(1)
    response = client.post(url, admin_form_data(client.get(url), visit_date=future.isoformat()))
    assert response.status_code == 200 and "走访日期不能是将来的日期。" in response.content.decode()
    visit.refresh_from_db()
    assert visit.visit_date == today() - days(3)


def test_an_early_end_outside_the_term_is_refused_by_the_service_and_the_admin(client, staff_user):
    pairing = f.PairingFactory(start_date=D(2025, 3, 27))
    assert "提前结束日期不能早于开始日期。" in refused(
        lambda: cadre_services.end_pairing(pairing, ended_on=D(2025, 3, 26), reason="企业注销")
    )
    after = pairing.end_date + days(1)
    assert f"提前结束日期（{after}）不能晚于到期日期（{pairing.end_date}）。" in refused(
        lambda: cadre_services.end_pairing(pairing, ended_on=after, reason="企业注销")
    )
    assert Pairing.objects.get(pk=pairing.pk).ended_on is None
    client.force_login(staff_user)
    url = change_url(pairing)
    response = client.post(
        url, admin_form_data(client.get(url), ended_on=after.isoformat(), ended_reason="企业注销")
    )
    assert response.status_code == 200 and "不能晚于到期日期" in response.content.decode()
    assert Pairing.objects.get(pk=pairing.pk).ended_on is None


def test_nothing_refused_leaves_a_timeline_line(slip, officer_a, staff_user):
    count = IssueEvent.objects.count()
    for call in (
        lambda: services.answer(slip, measures="", result="x", by=officer_a, on=today() + days(9)),
        lambda: services.supervise(slip, by=staff_user, on=today() + days(9)),
    ):
        refused(call)
    assert IssueEvent.objects.count() == count
