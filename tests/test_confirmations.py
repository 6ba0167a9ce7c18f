"""Closing the loop with the enterprise (issue 17.5): every resolution asks the
enterprise; 满意 / 基本满意 are recorded, 不满意 reopens the item with a timeline
line and notices, silence past the due day is 默认满意, and the figures show
the enterprises' verdicts beside the spot checks' satisfaction (R15, R16)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cadres.models import Correction
from dashboards import closing as closing_counts
from issues import rates, selectors, services, workflow
from issues.models import Confirmation, IssueEvent, IssueItem
from jobs import handoffs, report, tasks
from jobs.models import Notice
from tests.factories import (
    CadreFactory,
    ConfirmationFactory,
    EnterpriseContactFactory,
    IssueItemFactory,
    UnitFactory,
    user_with_role,
)
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db
D = datetime.date
S = IssueItem.Status
V = Confirmation.Verdict
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(day, hour=10):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI))


def test_a_move_to_resolved_asks_the_enterprise(staff_user):
    with at(D(2026, 11, 18)):  # a Wednesday
        item = IssueItemFactory(status=S.CONTACT, reported_on=D(2026, 11, 2))
        workflow.move(item, S.RESOLVED, by=staff_user, comment="已协调解决")
    asked = item.confirmations.get()
    assert asked.is_pending and asked.verdict == ""
    assert (asked.resolved_on, asked.asked_on, asked.due_on) == (
        D(2026, 11, 18),
        D(2026, 11, 18),
        D(2026, 11, 25),
    )
    assert asked.history.count() == 1


def test_the_enterprises_pending_confirmations():
    asked = ConfirmationFactory()
    ConfirmationFactory(verdict=V.SATISFIED)  # another enterprise's, answered
    assert list(selectors.pending_confirmations(asked.item.enterprise)) == [asked]
    services.confirm(asked, verdict=V.SATISFIED)
    assert not selectors.pending_confirmations(asked.item.enterprise).exists()


def test_only_one_pending_confirmation_per_item():
    asked = ConfirmationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Confirmation.objects.create(item=asked.item, resolved_on=asked.resolved_on, due_on=asked.due_on)


def test_satisfied_is_recorded_with_a_timeline_line(staff_user):
    contact = EnterpriseContactFactory(name="沈建国")
    asked = ConfirmationFactory(item=IssueItemFactory(status=S.RESOLVED, enterprise=contact.enterprise))
    done = services.confirm(asked, verdict=V.BASIC, comment="基本解决", contact=contact)
    assert (done.verdict, done.comment, done.contact, done.recorded_by) == (
        V.BASIC,
        "基本解决",
        contact,
        None,
    )
    assert done.answered_at is not None
    line = done.item.events.order_by("pk").last()
    assert line.kind == IssueEvent.Kind.CONFIRMED and line.actor_name == "沈建国"
    assert "基本满意" in line.comment
    done.item.refresh_from_db()
    assert done.item.status == S.RESOLVED
    with pytest.raises(ValidationError) as refused:  # answered once
        services.confirm(done, verdict=V.SATISFIED)
    assert "已评价过" in refused.value.messages[0]


def test_an_unknown_verdict_or_a_contact_of_another_enterprise_is_refused():
    asked = ConfirmationFactory()
    for kwargs, words in (
        ({"verdict": "great"}, "请选择"),
        ({"verdict": V.DEEMED}, "请选择"),
        ({"verdict": V.UNSATISFIED, "comment": " "}, "请说明"),
        ({"verdict": V.SATISFIED, "contact": EnterpriseContactFactory()}, "不属于"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.confirm(asked, **kwargs)
        assert words in refused.value.messages[0]
    asked.refresh_from_db()
    assert asked.is_pending and not asked.item.events.filter(kind=IssueEvent.Kind.CONFIRMED).exists()


def test_unsatisfied_reopens_the_item_and_tells_the_office_and_the_reporter(staff_user):
    reporter = CadreFactory(unit=UnitFactory(name="市商务局"), name="叶文海")
    reporter_user = user_with_role("cadre", cadre=reporter, username="ye")
    item = IssueItemFactory(status=S.RESOLVED, reporter=reporter)
    contact = EnterpriseContactFactory(enterprise=item.enterprise, name="沈建国")
    asked = item.confirmations.get()
    services.confirm(asked, verdict=V.UNSATISFIED, comment="贷款仍未续上", contact=contact)
    item.refresh_from_db()
    assert (item.status, item.resolved_on, item.closed_on) == (S.OFFICE, None, None)
    moved = item.events.order_by("pk").last()
    assert (moved.kind, moved.from_status, moved.to_status) == (IssueEvent.Kind.MOVED, S.RESOLVED, S.OFFICE)
    assert "贷款仍未续上" in moved.comment and moved.actor_name == "沈建国"
    assert not item.confirmations.filter(verdict="").exists()
    handoffs.dispatch()
    assert any(
        "已重新打开" in n
        for n in Notice.objects.filter(recipient=staff_user).values_list("subject", flat=True)
    )
    told = Notice.objects.filter(recipient=reporter_user).values_list("subject", flat=True)
    assert f"您报告的问题：{S.OFFICE.label}（{item.enterprise.name}）" in told
    # Resolved again later: asked again.
    item = services.refer(item, department=UnitFactory(), by=staff_user).item
    workflow.move(item, S.RESOLVED, by=staff_user)
    assert item.confirmations.filter(verdict="").count() == 1 and item.confirmations.count() == 2


def test_the_reopening_move_is_only_the_services():
    item = IssueItemFactory(status=S.RESOLVED)
    assert S.OFFICE not in workflow.moves_from(item)
    with pytest.raises(ValidationError) as refused:
        workflow.move(item, S.OFFICE, by=None)
    assert refused.value.code == "transition"


def test_staff_record_an_answer_given_by_phone_on_the_item_page(client, staff_user):
    item = IssueItemFactory(status=S.RESOLVED)
    contact = EnterpriseContactFactory(enterprise=item.enterprise, name="沈建国")
    client.force_login(staff_user)
    page = client.get(reverse("issues:item", args=[item.pk])).content.decode()
    assert "待评价" in page and "登记企业评价" in page
    url = reverse("issues:item_confirm", args=[item.pk])
    bad = client.post(url, {"verdict": V.UNSATISFIED, "comment": "", "contact": contact.pk})
    assert bad.status_code == 200 or bad.status_code == 302
    assert item.confirmations.get().is_pending
    response = client.post(url, {"verdict": V.SATISFIED, "comment": "", "contact": contact.pk}, follow=True)
    page = response.content.decode()
    assert "企业评价已记录" in page and "满意" in page and "代为登记" in page
    done = item.confirmations.get()
    assert (done.verdict, done.recorded_by, done.contact) == (V.SATISFIED, staff_user, contact)
    assert "登记企业评价" not in page


def timeline_of(page):
    """The item page's 办理过程 list, as text, one line per event."""
    import re
    from html import unescape

    block = page.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    lines = [unescape(re.sub(r"<[^>]+>", "", "<li" + li)) for li in block.split("<li")[1:]]
    return [" ".join(line.split()) for line in lines]


def test_the_staff_timeline_names_a_verdict_once(client, staff_user):
    """A confirmation's line reads 企业评价：不满意, the kind named once (by the
    timeline), not 企业评价：企业评价：不满意; likewise for 默认满意."""
    item = IssueItemFactory(status=S.RESOLVED)
    contact = EnterpriseContactFactory(enterprise=item.enterprise, name="沈建国")
    services.confirm(item.confirmations.get(), verdict=V.UNSATISFIED, comment="贷款仍未到位", contact=contact)
    other = IssueItemFactory(status=S.RESOLVED)
    Confirmation.objects.filter(item=other).update(due_on=D(2000, 1, 3))
    assert services.deem_overdue() == 1
    client.force_login(staff_user)
    timeline = "\n".join(timeline_of(client.get(reverse("issues:item", args=[item.pk])).content.decode()))
    assert timeline.count("企业评价") == 1 and "企业评价：不满意 贷款仍未到位" in timeline
    deemed = "\n".join(timeline_of(client.get(reverse("issues:item", args=[other.pk])).content.decode()))
    assert deemed.count("企业评价") == 1 and "企业评价：默认满意（2000-01-03 前未答复）" in deemed


def test_a_cadre_cannot_record_an_answer(client):
    reporter = CadreFactory()
    user = user_with_role("cadre", cadre=reporter, username="cadre1")
    item = IssueItemFactory(status=S.RESOLVED, reporter=reporter)
    client.force_login(user)
    assert "登记企业评价" not in client.get(reverse("issues:item", args=[item.pk])).content.decode()
    response = client.post(reverse("issues:item_confirm", args=[item.pk]), {"verdict": V.SATISFIED})
    assert response.status_code == 403
    assert item.confirmations.get().is_pending


def test_deemed_after_the_working_days_across_a_holiday_and_not_before(staff_user):
    with at(D(2026, 9, 30)):  # the day before the National Day holiday
        item = IssueItemFactory(status=S.CONTACT, reported_on=D(2026, 9, 1))
        workflow.move(item, S.RESOLVED, by=staff_user)
    asked = item.confirmations.get()
    # 8, 9 Oct, Saturday 10 Oct (调休), Monday 12, Tuesday 13.
    assert asked.due_on == D(2026, 10, 13)
    with at(D(2026, 10, 13), hour=23):
        assert tasks.deem_confirmations.apply().get() == {"deemed": 0}
    asked.refresh_from_db()
    assert asked.is_pending
    with at(D(2026, 10, 14), hour=1):
        assert tasks.deem_confirmations.apply().get() == {"deemed": 1}
        assert tasks.deem_confirmations.apply().get() == {"deemed": 0}  # a second run records nothing
    asked.refresh_from_db()
    assert asked.verdict == V.DEEMED
    lines = item.events.filter(kind=IssueEvent.Kind.CONFIRMED)
    assert lines.count() == 1 and "默认满意" in lines.get().comment
    assert asked.history.count() == 2
    item.refresh_from_db()
    assert item.status == S.RESOLVED


def test_a_deemed_confirmation_cannot_be_answered_afterwards():
    asked = ConfirmationFactory()
    Confirmation.objects.filter(pk=asked.pk).update(due_on=D(2000, 1, 1))
    assert services.deem_overdue() == 1
    with pytest.raises(ValidationError):
        services.confirm(asked, verdict=V.UNSATISFIED, comment="没解决")


def test_the_figures_on_the_rates_page(client, staff_user):
    unit = UnitFactory(name="市经信局")
    reporter = CadreFactory(unit=unit)
    with at(D(2026, 11, 18)):
        for verdict, comment in ((V.SATISFIED, ""), (V.BASIC, ""), (V.UNSATISFIED, "没解决")):
            ConfirmationFactory(
                item=IssueItemFactory(status=S.RESOLVED, reporter=reporter, reported_on=D(2026, 11, 2)),
                verdict=verdict,
                comment=comment,
            )
        pending = ConfirmationFactory(
            item=IssueItemFactory(status=S.RESOLVED, reporter=reporter, reported_on=D(2026, 11, 2))
        )
        Confirmation.objects.filter(pk=pending.pk).update(due_on=D(2026, 11, 17))
        services.deem_overdue()
    q4 = Quarter(2026, 4)
    city = rates.enterprise_satisfaction_by(q4)
    assert (city.satisfied, city.basic, city.unsatisfied, city.deemed) == (1, 1, 1, 1)
    assert city.answered == 3 and city.rate == 2 / 3 and city.deemed_share == 0.25
    assert rates.enterprise_satisfaction_by(q4, "unit")[unit.pk] == city
    assert rates.enterprise_satisfaction_by(Quarter(2026, 3)) == rates.EnterpriseSatisfaction()
    client.force_login(staff_user)
    with at(D(2026, 12, 1)):
        page = client.get(reverse("issues:rates") + "?quarter=2026Q4").content.decode()
    assert "企业评价满意率" in page and "默认满意" in page
    assert "66.7%（2/3）" in page and "1（25.0%）" in page
    assert "企业评价 66.7%（答复 3，默认满意 1）" in page
    with at(D(2026, 12, 1)):
        board = client.get(reverse("dashboards:dashboard"), {"quarter": "2026Q4"}).content.decode()
        sheet = report.build_workbook(q4)["满意率"]
    assert "企业评价满意率" in board and "满意和基本满意 2 / 答复 3" in board and "默认满意 1" in board
    assert "抽查回访满意率" in board
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in values if row[0] == "单位")
    assert header[-2:] == ["企业评价满意率", "默认满意"]
    city_row = next(row for row in values if row[0] == "全市")
    econ_row = next(row for row in values if row[0] == "市经信局")
    assert city_row[3:] == econ_row[3:] == [3, 2, pytest.approx(2 / 3, abs=0.001), 1]


def test_a_reopen_of_a_resolution_in_a_closed_quarter_is_noted_and_its_figures_stay(client, staff_user):
    with at(D(2026, 9, 25)):
        item = IssueItemFactory(status=S.CONTACT, reported_on=D(2026, 9, 1))
        workflow.move(item, S.RESOLVED, by=staff_user)
    q3 = Quarter(2026, 3)
    with at(D(2026, 10, 28)):
        closing_counts.close(q3, by=staff_user)
        before = client.get(reverse("issues:rates") + "?quarter=2026Q3")
        services.confirm(item.confirmations.get(), verdict=V.UNSATISFIED, comment="没解决", by=staff_user)
        client.force_login(staff_user)
        after = client.get(reverse("issues:rates") + "?quarter=2026Q3").content.decode()
    item.refresh_from_db()
    assert item.status == S.OFFICE
    noted = Correction.objects.get(closing__quarter="2026Q3")
    assert "2026-09-25" in noted.old and "不满意" in noted.new
    assert before.status_code in (200, 302)
    assert "100.0%" in after  # the frozen resolution rate of Q3, as published
