"""Slip deadlines in working days on the Chinese calendar (R13)."""

import datetime
import logging

import pytest

from issues.models import CalendarDay
from issues.workdays import add_working_days, working_days_between

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(
    "start, days, due, why",
    [
        (D(2026, 11, 23), 3, D(2026, 11, 26), "an ordinary week"),
        (D(2026, 11, 26), 3, D(2026, 12, 1), "over a weekend"),
        (D(2026, 9, 30), 3, D(2026, 10, 10), "National Day 1–7 Oct, then Thu 8, Fri 9, Sat 10 (调休)"),
        (D(2026, 9, 18), 2, D(2026, 9, 21), "Sun 20 Sep is a 调休 workday: Fri 18 → Sun 20, Mon 21"),
        (D(2026, 2, 13), 1, D(2026, 2, 14), "Sat 14 Feb is a 调休 workday before Spring Festival"),
        (D(2026, 2, 14), 1, D(2026, 2, 24), "Spring Festival 15–23 Feb"),
        (D(2026, 2, 14), 10, D(2026, 3, 6), "through Spring Festival and the 调休 Saturday 28 Feb"),
    ],
)
def test_deadlines_follow_holidays_and_adjusted_workdays(start, days, due, why):
    assert add_working_days(start, days) == due, why


def test_zero_days_is_the_same_day():
    assert add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 1)


def test_the_offices_table_takes_precedence():
    # Say the city gives a local holiday on Fri 27 Nov and makes Sat 28 Nov a workday.
    CalendarDay.objects.create(day=D(2026, 11, 27), is_workday=False, note="地方假日")
    CalendarDay.objects.create(day=D(2026, 11, 28), is_workday=True, note="调休上班")
    assert add_working_days(D(2026, 11, 26), 1) == D(2026, 11, 28)


def test_a_year_the_package_does_not_know_falls_back_to_monday_to_friday_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="issues.workdays"):
        assert add_working_days(D(2027, 9, 30), 3) == D(2027, 10, 5)  # Thu 30 Sep → Fri, Mon, Tue
    # The warning names the year once per process (another test may have logged it first).
    from issues import workdays

    assert 2027 in workdays._warned_years


def test_the_table_fills_in_a_year_the_package_does_not_know():
    for day in range(1, 8):
        CalendarDay.objects.create(day=D(2027, 10, day), is_workday=False, note="国庆节")
    assert add_working_days(D(2027, 9, 30), 1) == D(2027, 10, 8)


def test_working_days_between():
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert working_days_between(D(2026, 10, 10), D(2026, 10, 1)) == 0
