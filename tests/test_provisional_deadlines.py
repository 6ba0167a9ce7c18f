"""Years without holiday data (issue 16.5, R13): chinese-calendar knows the
holidays up to 2026. A deadline counted over a later year is counted Monday
to Friday and marked 暂定 on the slip page, the inbox and the print; staff
are warned from 1 November that next year's holidays are missing; entering
a year's holidays and 调休 workdays in the admin counts the open slips'
deadlines again, each with a line on its timeline and a notice to the
department — never silently. The clock is set in 2026 and 2027."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from issues import services, workdays
from issues.models import CalendarDay, HolidayYear, IssueEvent, ReferralSlip
from jobs import handoffs
from jobs.models import Notice
from tests.factories import HolidayYearFactory, office_item, user_with_role
from tests.test_history_everywhere import admin_form_data

pytestmark = pytest.mark.django_db
D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")

# 2027 as a notice might set it (the real one is not published yet).
NEW_YEAR_2027 = [(D(2027, 1, 1), False, "元旦")]
SPRING_FESTIVAL_2027 = [(D(2027, 2, day), False, "春节") for day in range(6, 13)] + [
    (D(2027, 2, 14), True, "春节调休上班")
]
NATIONAL_DAY_2027 = [(D(2027, 10, day), False, "国庆节") for day in range(1, 8)] + [
    (D(2027, 10, 9), True, "国庆调休上班")
]


def at(time_machine, *when):
    time_machine.move_to(datetime.datetime(*when, 10, tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def department(unit_a, officer_a):
    return unit_a


def slip_of(staff_user, department, working_days, on=None):
    item = office_item(reported_on=on or timezone.localdate())
    return services.refer(item, department=department, by=staff_user, working_days=working_days, on=on)


def enter_year(client, staff_user, year, days, notice="国办发明电〔2026〕7号"):
    """Staff enter a year's notice in the admin: the year, then each day."""
    client.force_login(staff_user)
    url = reverse("admin:issues_holidayyear_add")
    data = admin_form_data(client.get(url), year=str(year), notice=notice)
    for n, (day, is_workday, note) in enumerate(days):
        data |= {f"days-{n}-day": day.isoformat(), f"days-{n}-note": note}
        if is_workday:
            data[f"days-{n}-is_workday"] = "on"
    data["days-TOTAL_FORMS"] = str(max(len(days), int(data["days-TOTAL_FORMS"])))
    response = client.post(url, data, follow=True)
    assert response.redirect_chain, response.content.decode()[:3000]
    return response.content.decode()


def test_the_package_ends_in_2026():
    assert workdays.PACKAGE_YEARS[-1] == 2026  # when the package learns 2027, these tests still hold
    assert workdays.deadline(D(2026, 9, 30), 3) == workdays.Deadline(D(2026, 10, 10), False)


def test_a_deadline_over_new_year_is_provisional_until_2027_is_entered(
    client, staff_user, department, officer_a, time_machine
):
    """Q4 → Q1 across the year: Friday 25 December 2026 and 5 working days is
    Friday 1 January 2027 Monday to Friday; New Year's Day entered, Monday 4."""
    at(time_machine, 2026, 12, 25)
    slip = slip_of(staff_user, department, 5)
    assert (slip.deadline, slip.deadline_provisional) == (D(2027, 1, 1), True)
    assert slip.item.events.last().comment.endswith("办理期限 2027-01-01（暂定））")

    client.force_login(officer_a)
    detail = client.get(reverse("issues:slip", args=[slip.pk])).content.decode()
    assert "2027-01-01" in detail and "暂定" in detail and "尚未录入" in detail
    inbox = client.get(reverse("issues:inbox")).content.decode()
    assert 'class="badge provisional">暂定' in inbox
    printed = client.get(reverse("issues:slip_print", args=[slip.pk])).content.decode()
    assert "2027年1月1日（暂定）" in printed
    handoffs.dispatch()
    assert (
        "2027-01-01（暂定）" in Notice.objects.get(recipient=officer_a, subject__contains=slip.serial).subject
    )

    client.force_login(staff_user)
    item_page = client.get(reverse("issues:item", args=[slip.item.pk])).content.decode()
    assert 'class="badge provisional">暂定' in item_page

    page = enter_year(client, staff_user, 2027, NEW_YEAR_2027)
    assert "已按新的节假日安排重新计算 1 张交办单的办理期限" in page and slip.serial in page
    slip.refresh_from_db()
    assert (slip.deadline, slip.deadline_provisional) == (D(2027, 1, 4), False)
    line = slip.item.events.get(kind=IssueEvent.Kind.DEADLINE)
    assert line.comment == "按2027年节假日与调休安排重新计算办理期限：2027-01-01（暂定） → 2027-01-04"
    assert line.actor == staff_user and line.referral == slip
    handoffs.dispatch()
    told = Notice.objects.get(recipient=officer_a, subject=f"【办理期限调整】交办单 {slip.serial}")
    assert "2027-01-04" in told.body
    client.force_login(officer_a)
    assert "暂定" not in client.get(reverse("issues:slip_print", args=[slip.pk])).content.decode()


def test_spring_festival_and_national_day_2027_with_the_clock_in_2027(
    client, staff_user, department, officer_a, time_machine
):
    """Q3 → Q4 2027 and the Spring Festival: open slips counted again,
    answered ones too (the on-time rate reads their deadline), accepted ones
    keep the deadline they were judged by."""
    at(time_machine, 2027, 9, 30)
    spring = slip_of(staff_user, department, 10, on=D(2027, 2, 1))  # Mon–Fri: Feb 2 … Feb 15
    national = slip_of(staff_user, department, 3)  # Thu 30 Sep: Fri 1, Mon 4, Tue 5 October
    answered = slip_of(staff_user, department, 10, on=D(2027, 2, 1))
    services.answer(answered, measures="", result="已办", by=officer_a)
    accepted = slip_of(staff_user, department, 10, on=D(2027, 2, 1))
    services.answer(accepted, measures="", result="已办", by=officer_a, on=D(2027, 2, 10))
    services.accept(accepted, by=staff_user, on=D(2027, 2, 11))
    assert [(s.deadline, s.deadline_provisional) for s in (spring, national)] == [
        (D(2027, 2, 15), True),
        (D(2027, 10, 5), True),
    ]

    enter_year(client, staff_user, 2027, SPRING_FESTIVAL_2027 + NATIONAL_DAY_2027)
    for slip in (spring, national, answered, accepted):
        slip.refresh_from_db()
    # Feb 2–5 (4), Spring Festival 6–12, Sun 14 调休 (5), 15–19 (10)
    assert (spring.deadline, spring.deadline_provisional) == (D(2027, 2, 19), False)
    assert answered.deadline == D(2027, 2, 19) and answered.status == ReferralSlip.Status.ANSWERED
    # National Day 1–7, Fri 8 (1), Sat 9 调休 (2), Mon 11 (3)
    assert (national.deadline, national.deadline_provisional) == (D(2027, 10, 11), False)
    assert (accepted.deadline, accepted.deadline_provisional) == (D(2027, 2, 15), True)
    assert not accepted.item.events.filter(kind=IssueEvent.Kind.DEADLINE).exists()
    assert IssueEvent.objects.filter(kind=IssueEvent.Kind.DEADLINE).count() == 3
    # an extension is counted on the entered calendar
    request = services.request_extension(national, reason="需省厅批复", extra_working_days=1, by=officer_a)
    services.decide_extension(request, approve=True, by=staff_user)
    national.refresh_from_db()
    assert (national.deadline, national.deadline_provisional) == (D(2027, 10, 12), False)


def test_deleting_a_years_holidays_makes_its_deadlines_provisional_again(
    client, staff_user, department, time_machine
):
    at(time_machine, 2027, 2, 1)
    entered = HolidayYearFactory(year=2027, days=SPRING_FESTIVAL_2027)
    slip = slip_of(staff_user, department, 10, on=D(2027, 2, 1))
    assert (slip.deadline, slip.deadline_provisional) == (D(2027, 2, 19), False)
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:issues_holidayyear_delete", args=[entered.pk]), {"post": "yes"}, follow=True
    )
    assert "重新计算 1 张交办单" in response.content.decode()
    slip.refresh_from_db()
    assert (slip.deadline, slip.deadline_provisional) == (D(2027, 2, 15), True)
    assert not CalendarDay.objects.filter(day__year=2027).exists()
    assert "2027-02-19 → 2027-02-15（暂定）" in slip.item.events.get(kind=IssueEvent.Kind.DEADLINE).comment


def test_a_single_day_changed_in_the_admin_counts_deadlines_again(
    client, staff_user, department, time_machine
):
    """A local holiday (a year the package knows): still never silent."""
    at(time_machine, 2026, 11, 23)
    slip = slip_of(staff_user, department, 3)  # Mon 23 Nov: Tue, Wed, Thu 26
    client.force_login(staff_user)
    url = reverse("admin:issues_calendarday_add")
    data = admin_form_data(client.get(url), day="2026-11-25", note="地方假日")
    client.post(url, data)
    slip.refresh_from_db()
    assert slip.deadline == D(2026, 11, 27) and not slip.deadline_provisional
    assert "2026-11-26 → 2026-11-27" in slip.item.events.get(kind=IssueEvent.Kind.DEADLINE).comment
    assert CalendarDay.history.get().history_user == staff_user


@pytest.mark.parametrize(
    "today, warned",
    [
        (D(2026, 10, 31), []),
        (D(2026, 11, 1), [2027]),  # from 1 November: next year's holidays are missing
        (D(2026, 12, 31), [2027]),
        (D(2027, 3, 1), [2027]),  # a year under way without its holidays
        (D(2027, 11, 1), [2027, 2028]),
    ],
)
def test_staff_are_warned_of_missing_holidays(client, staff_user, time_machine, today, warned):
    at(time_machine, today.year, today.month, today.day)
    assert workdays.missing_years(today) == warned
    client.force_login(staff_user)
    pages = [reverse("home"), reverse("issues:inbox"), reverse("admin:index")]
    for url in pages:
        page = client.get(url).content.decode()
        if warned:
            assert f'data-missing-years="{",".join(map(str, warned))}"' in page, url
            assert (
                "年的法定节假日和调休安排尚未录入" in page and reverse("admin:issues_holidayyear_add") in page
            )
        else:
            assert "holiday-warning" not in page, url


def test_the_warning_goes_once_the_year_is_entered_and_is_for_staff_only(client, staff_user, time_machine):
    at(time_machine, 2026, 11, 2)
    leader = user_with_role("leader", username="leader")
    client.force_login(leader)
    assert "holiday-warning" not in client.get(reverse("home")).content.decode()
    client.force_login(staff_user)
    assert "holiday-warning" in client.get(reverse("home")).content.decode()
    HolidayYearFactory(year=2027, days=NEW_YEAR_2027)
    assert "holiday-warning" not in client.get(reverse("home")).content.decode()
    assert workdays.missing_years(D(2026, 11, 2)) == []


def test_a_day_entered_under_a_year_belongs_to_that_year(client, staff_user):
    client.force_login(staff_user)
    url = reverse("admin:issues_holidayyear_add")
    data = admin_form_data(client.get(url), year="2027")
    data |= {"days-0-day": "2028-01-01", "days-0-note": "元旦"}
    response = client.post(url, data)
    assert response.status_code == 200 and "日期不在 2027 年内。" in response.content.decode()
    assert not HolidayYear.objects.exists()
