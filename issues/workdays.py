"""Working days on the Chinese calendar, for slip deadlines.

A day is a working day if the office's own table (:class:`CalendarDay`,
entered from the State Council's notice) says so; otherwise as the
chinese-calendar package says (public holidays, and the weekend days made
into workdays, 调休); for a year the package does not cover, Monday to
Friday.

A year has holiday data when the package covers it or the office has entered
it (:class:`HolidayYear`). A deadline counted over a day of a year without
holiday data is *provisional* (暂定, :class:`Deadline`): the slip pages, the
inbox and the print say so, staff are warned from 1 November that next
year's data is missing (:func:`missing_years`), and entering the year counts
the open slips' deadlines again (:func:`issues.services.holidays_changed`).
"""

import datetime
import logging
from dataclasses import dataclass

import chinese_calendar
from chinese_calendar.constants import holidays

from .models import CalendarDay, HolidayYear

logger = logging.getLogger(__name__)
_warned_years = set()

# The years the package has data for, computed as the package itself does
# (from its holiday table), so a year it does not know is a plain branch.
PACKAGE_YEARS = range(min(holidays).year, max(holidays).year + 1)

WARN_FROM = (11, 1)
"""From this day (month, day) staff are warned that next year's holidays are missing."""


def entered_years() -> set:
    return set(HolidayYear.objects.values_list("year", flat=True))


def missing_years(today: datetime.date) -> list[int]:
    """The years staff must enter now: this year if it has no holiday data,
    and from 1 November next year if it has none."""
    years = [today.year]
    if (today.month, today.day) >= WARN_FROM:
        years.append(today.year + 1)
    years = [y for y in years if y not in PACKAGE_YEARS]
    if not years:
        return []
    entered = entered_years()
    return [y for y in years if y not in entered]


@dataclass(frozen=True)
class Deadline:
    day: datetime.date
    provisional: bool  # a counted day lies in a year without holiday data (Monday–Friday)


class WorkCalendar:
    """Two queries (the office's table, the years it entered), then pure
    lookups."""

    def __init__(self, first: datetime.date, last: datetime.date):
        self.first, self.last = first, last
        self.overrides = dict(
            CalendarDay.objects.filter(day__range=(first, last)).values_list("day", "is_workday")
        )
        self.entered = (
            entered_years()
            if any(y not in PACKAGE_YEARS for y in range(first.year, last.year + 1))
            else set()
        )

    def has_data(self, day: datetime.date) -> bool:
        """Whether ``day`` is known, not guessed Monday–Friday."""
        return day in self.overrides or day.year in PACKAGE_YEARS or day.year in self.entered

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        if day.year not in self.entered and day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "chinese-calendar has no data for %s: counting Monday–Friday. "
                "Enter that year's holidays in the admin (节假日安排).",
                day.year,
            )
        return day.weekday() < 5


def deadline(start: datetime.date, days: int, calendar: WorkCalendar | None = None) -> Deadline:
    """The ``days``-th working day after ``start`` (``start`` itself not
    counted), and whether it is provisional: a slip issued on Wednesday
    30 September 2026 with 3 working days is due on Saturday 10 October, a
    调休 workday after the National Day holiday; one issued on Friday
    25 December 2026 with 5 is due, provisionally, on Friday 1 January 2027
    until the office enters 2027 (New Year's Day is then a holiday).

    ``calendar``: one already read, used where it covers the days counted
    (a writer of many slips reads the table once)."""
    if days <= 0:
        return Deadline(start, False)
    window = datetime.timedelta(days=days * 2 + 30)
    if calendar is None or not (calendar.first <= start and start + window <= calendar.last):
        calendar = WorkCalendar(start, start + window)
    horizon = calendar.last
    guessed = False
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if day > horizon:
            calendar, horizon = WorkCalendar(day, day + window), day + window
        guessed = guessed or not calendar.has_data(day)
        if calendar.is_workday(day):
            counted += 1
    return Deadline(day, guessed)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The day of :func:`deadline`."""
    return deadline(start, days).day


def working_days_between(first: datetime.date, last: datetime.date) -> int:
    """Working days after ``first`` up to and including ``last`` (0 if last <= first)."""
    if last <= first:
        return 0
    calendar = WorkCalendar(first, last)
    return sum(
        calendar.is_workday(first + datetime.timedelta(days=n)) for n in range(1, (last - first).days + 1)
    )
