"""The first-visit deadline of every pairing (R8, visits.first_visit): the
campaign's 15 April for a pairing begun before it, 30 calendar days after the
start for one begun later, none for a renewal; shown on 我的联系企业 and
reminded once by the reminder job's first-visit stage."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cadres import services as cadre_services
from cadres.models import Pairing
from jobs import reminders
from jobs.models import Notice, ReminderLog
from tests.factories import CadreFactory, EnterpriseFactory, user_with_role
from tongxiang_liaison.actions import submit_feedback
from visits import first_visit, selectors
from visits import services as visit_services
from visits.models import Visit

pytestmark = pytest.mark.django_db
D = datetime.date
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def cadre():
    cadre = CadreFactory(name="叶文海", email="ye@tx.gov.cn")
    user_with_role("cadre", cadre=cadre, username="ganbu")
    return cadre


def pair(cadre, start, name=None, *, entered=None):
    """A pairing through the service, entered by the office five days before
    it begins unless ``entered`` says when."""
    enterprise = EnterpriseFactory(**({"name": name} if name else {}))
    with at(entered or start - datetime.timedelta(days=5)):
        return cadre_services.create_pairing(
            cadre=cadre, enterprise=enterprise, kind=Pairing.Kind.DEPARTMENT, start_date=start
        )


def visit(pairing, day):
    draft = visit_services.save_visit(
        Visit(pairing=pairing, visit_date=day, mode="onsite", situation="生产正常。"),
        companions=[],
        problems=[],
    )
    return submit_feedback(draft, by=None).visit


@pytest.mark.parametrize(
    "start, deadline",
    [
        (D(2026, 1, 5), D(2026, 4, 15)),  # before the campaign deadline: R8 as written
        (D(2026, 4, 14), D(2026, 4, 15)),  # the day before it
        (D(2026, 4, 15), D(2026, 5, 15)),  # on the boundary day: its own, 30 days on
        (D(2026, 6, 10), D(2026, 7, 10)),
        (D(2026, 10, 1), D(2026, 10, 31)),  # begun on National Day: calendar days, not working days
        (D(2026, 12, 20), D(2027, 1, 19)),  # across the year end
        (D(2027, 3, 1), D(2027, 4, 15)),  # next year's campaign deadline
    ],
)
def test_deadline_for_a_start_date(start, deadline):
    assert first_visit.deadline_for(start) == deadline


def test_both_deadlines_are_settings(settings):
    settings.CAMPAIGN_FIRST_VISIT_DEADLINE = "05-01"
    settings.FIRST_VISIT_DAYS_AFTER_START = 20
    assert first_visit.deadline_for(D(2026, 4, 20)) == D(2026, 5, 1)
    assert first_visit.deadline_for(D(2026, 5, 1)) == D(2026, 5, 21)


def test_the_reminder_query_is_the_inverse_of_the_rule():
    """deadline_between_q finds exactly the pairings whose deadline_for falls in
    the window, for windows over the campaign deadline and over the year end."""
    cadre, enterprise = CadreFactory(), EnterpriseFactory()
    starts = [D(2025, 11, 1) + datetime.timedelta(days=n) for n in range(0, 560, 2)]
    Pairing.objects.bulk_create(
        Pairing(cadre=cadre, enterprise=enterprise, kind="department", start_date=s, end_date=s)
        for s in starts
    )
    for first, last in [
        (D(2026, 4, 2), D(2026, 4, 16)),
        (D(2026, 5, 10), D(2026, 5, 24)),
        (D(2026, 12, 25), D(2027, 1, 8)),
        (D(2027, 1, 10), D(2027, 1, 24)),
    ]:
        found = set(
            Pairing.objects.filter(first_visit.deadline_between_q(first, last)).values_list(
                "start_date", flat=True
            )
        )
        assert found == {s for s in starts if first <= first_visit.deadline_for(s) <= last}
        assert found  # every window holds some


def test_my_enterprises_shows_each_pairing_its_deadline(cadre, client):
    early = pair(cadre, D(2026, 3, 27), "早结对企业")
    boundary = pair(cadre, D(2026, 4, 15), "当天结对企业")
    late = pair(cadre, D(2026, 5, 6), "晚结对企业")
    holiday = pair(cadre, D(2026, 5, 1), "劳动节结对企业")
    with at(D(2026, 5, 10)):
        states = {s.pairing.pk: s for s in selectors.my_pairings(cadre, D(2026, 5, 10))}
        client.force_login(cadre.user)
        page = client.get(reverse("visits:my")).content.decode()
    assert states[early.pk].first_visit_deadline == D(2026, 4, 15) and states[early.pk].first_visit_overdue
    assert states[boundary.pk].first_visit_deadline == D(2026, 5, 15)
    assert not states[boundary.pk].first_visit_overdue
    assert states[late.pk].first_visit_deadline == D(2026, 6, 5)
    assert states[holiday.pk].first_visit_deadline == D(2026, 5, 31)
    for day in ("2026-05-15", "2026-06-05", "2026-05-31"):
        assert f"首次走访截止：{day}" in page
    assert "首次走访应在 2026-04-15 前完成，已逾期" in page


def test_overdue_from_the_deadline_day_and_gone_after_the_first_visit(cadre):
    late = pair(cadre, D(2026, 6, 10))
    with at(D(2026, 7, 9)):
        (state,) = selectors.my_pairings(cadre, D(2026, 7, 9))
        assert state.first_visit_deadline == D(2026, 7, 10) and not state.first_visit_overdue
    with at(D(2026, 7, 10)):
        (state,) = selectors.my_pairings(cadre, D(2026, 7, 10))
        assert state.first_visit_overdue  # a visit on the deadline day is already late ("before")
        visit(late, D(2026, 7, 10))
        (state,) = selectors.my_pairings(cadre, D(2026, 7, 10))
        assert state.first_visit_deadline is None


def test_a_renewal_has_no_first_visit_to_make(cadre):
    old = pair(cadre, D(2023, 6, 1))
    renewal = cadre_services.renew_pairing(old)
    assert renewal.start_date == D(2026, 6, 2)  # after 15 April
    with at(D(2026, 6, 20)):
        (state,) = selectors.my_pairings(cadre, D(2026, 6, 20))
        assert state.pairing == renewal and state.first_visit_deadline is None
        assert reminders.first_visit_stages(D(2026, 6, 20)) == []
        assert reminders.send_visit_reminders(D(2026, 6, 20)).messages == 0


def test_a_late_pairing_is_reminded_once_when_the_job_runs_twice(cadre):
    late = pair(cadre, D(2026, 6, 10), "晚结对企业")  # deadline 10 July
    pair(cadre, D(2026, 3, 27), "早结对企业")  # campaign deadline long past: not reminded now
    with at(D(2026, 6, 25)):
        assert reminders.first_visit_stages(D(2026, 6, 25)) == []  # 15 days before: not yet
        reminders.send_visit_reminders(D(2026, 6, 25))
        assert not ReminderLog.objects.filter(stage="first_visit").exists()
    with at(D(2026, 6, 26)):
        assert [(s.name, s.period) for s in reminders.first_visit_stages(D(2026, 6, 26))] == [
            ("first_visit", "2026-07-10")
        ]
        reminders.send_visit_reminders(D(2026, 6, 26))
        reminders.send_visit_reminders(D(2026, 6, 26))
    with at(D(2026, 6, 27)):
        reminders.send_visit_reminders(D(2026, 6, 27))
    (log,) = ReminderLog.objects.filter(stage="first_visit")
    assert (log.recipient_id, log.period, log.status) == (cadre.user_id, "2026-07-10", "sent")
    assert "07月10日" in log.body and "晚结对企业" in log.body and "早结对企业" not in log.body
    assert log.subject == "【提醒】1 家联系企业须在 07月10日 前完成首次走访"
    assert Notice.objects.filter(recipient=cadre.user, reminder=log).count() == 1
    visit(late, D(2026, 6, 28))
    with at(D(2026, 7, 1)):
        assert reminders.first_visit_stages(D(2026, 7, 1)) == []  # visited: nothing more


def test_the_campaign_deadline_reminds_pairings_begun_before_it(cadre):
    pair(cadre, D(2026, 3, 27), "甲企业")
    pair(cadre, D(2026, 4, 10), "乙企业")
    pair(cadre, D(2026, 4, 15), "丙企业")  # the boundary day: its deadline is 15 May, not yet
    with at(D(2026, 4, 12)):
        result = reminders.send_visit_reminders(D(2026, 4, 12))
        assert reminders.send_visit_reminders(D(2026, 4, 12)).claimed == 0
    assert result.claimed == 1
    (log,) = ReminderLog.objects.filter(stage="first_visit")
    assert log.period == "2026-04-15" and "甲企业" in log.body and "乙企业" in log.body
    assert "丙企业" not in log.body
    with at(D(2026, 5, 1)):
        assert reminders.send_visit_reminders(D(2026, 5, 1)).claimed == 1
    assert ReminderLog.objects.get(period="2026-05-15").body.count("丙企业") == 1


def test_a_pairing_begun_on_a_holiday_is_reminded_in_calendar_days(cadre):
    pair(cadre, D(2026, 10, 1), "国庆结对企业")  # deadline 31 October
    with at(D(2026, 10, 17)):
        assert reminders.send_visit_reminders(D(2026, 10, 17)).claimed == 1
    assert ReminderLog.objects.get(stage="first_visit").period == "2026-10-31"


def test_a_pairing_begun_or_entered_after_its_cadre_was_reminded_is_reminded_too(cadre):
    """Once per pairing: 甲 is told on 1 April; 乙 begins on 10 April and 丁 is
    entered on 12 April (begun in March), both with the same 15 April
    deadline, so each is told in a further message, and nobody twice."""
    pair(cadre, D(2026, 3, 27), "甲企业")
    pair(cadre, D(2026, 4, 10), "乙企业")
    with at(D(2026, 4, 1)):
        reminders.send_visit_reminders(D(2026, 4, 1))
    with at(D(2026, 4, 10)):
        reminders.send_visit_reminders(D(2026, 4, 10))
        reminders.send_visit_reminders(D(2026, 4, 10))
    pair(cadre, D(2026, 3, 2), "丁企业", entered=D(2026, 4, 12))
    for day in (D(2026, 4, 12), D(2026, 4, 13)):
        with at(day):
            reminders.send_visit_reminders(day)
    logs = {log.period: log.body for log in ReminderLog.objects.filter(stage="first_visit")}
    assert sorted(logs) == ["2026-04-15", "2026-04-15#2", "2026-04-15#3"]
    told = [
        (period, name)
        for period, body in logs.items()
        for name in ("甲企业", "乙企业", "丁企业")
        if name in body
    ]
    assert sorted(told) == [("2026-04-15", "甲企业"), ("2026-04-15#2", "乙企业"), ("2026-04-15#3", "丁企业")]
    assert Notice.objects.filter(recipient=cadre.user).count() == 3
