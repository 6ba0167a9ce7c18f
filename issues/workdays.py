"""Working days on the Chinese calendar, for slip deadlines.

A day is a working day if the office's own table (:class:`CalendarDay`,
entered from the State Council's notice) says so; otherwise as the
chinese-calendar package says (public holidays, and the weekend days made
into workdays, 调休); for a year the package does not cover, Monday to
Friday, with a warning in the log so staff know to enter that year's notice.
"""

import datetime
import logging

import chinese_calendar
from chinese_calendar.constants import holidays

from .models import CalendarDay

logger = logging.getLogger(__name__)
_warned_years = set()

# The years the package has data for, computed as the package itself does
# (from its holiday table), so a year it does not know is a plain branch.
PACKAGE_YEARS = range(min(holidays).year, max(holidays).year + 1)


class WorkCalendar:
    """One query for the office's table, then pure lookups."""

    def __init__(self, first: datetime.date, last: datetime.date):
        self.first, self.last = first, last
        self.overrides = dict(
            CalendarDay.objects.filter(day__range=(first, last)).values_list("day", "is_workday")
        )

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "chinese-calendar has no data for %s: counting Monday–Friday. "
                "Enter that year's holidays in the admin (节假日与调休).",
                day.year,
            )
        return day.weekday() < 5


def add_working_days(start: datetime.date, days: int, calendar: WorkCalendar | None = None) -> datetime.date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted):
    a slip issued on Wednesday 30 September 2026 with 3 working days is due on
    Saturday 10 October, a 调休 workday after the National Day holiday.

    ``calendar``: one already read, used where it covers the days counted
    (a writer of many slips reads the table once)."""
    if days <= 0:
        return start
    window = datetime.timedelta(days=days * 2 + 30)
    if calendar is None or not (calendar.first <= start and start + window <= calendar.last):
        calendar = WorkCalendar(start, start + window)
    horizon = calendar.last
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if day > horizon:
            calendar, horizon = WorkCalendar(day, day + window), day + window
        if calendar.is_workday(day):
            counted += 1
    return day


def working_days_between(first: datetime.date, last: datetime.date) -> int:
    """Working days after ``first`` up to and including ``last`` (0 if last <= first)."""
    if last <= first:
        return 0
    calendar = WorkCalendar(first, last)
    return sum(
        calendar.is_workday(first + datetime.timedelta(days=n)) for n in range(1, (last - first).days + 1)
    )
