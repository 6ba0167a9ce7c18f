"""Calendar quarters, in one place (R7; the first-visit deadline of R8 is in
``visits.first_visit``).

Every page, report, reminder and dashboard asks this module what a quarter is
(``2026Q3``), where it starts and ends, which one comes before or after, and
whether a pairing is due a visit in it. Dates are Asia/Shanghai dates: callers
pass ``timezone.localdate()``, never a UTC date.

A pairing is *due* in a quarter when it is in force on the quarter's last day
and began at least ``SETTLE_DAYS`` (30) days before that day: a pairing signed
on 20 September is not yet due for the third quarter.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from cadres.models import active_q

SETTLE_DAYS = 30
_LABEL = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self):
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter number must be 1–4, not {self.number}")

    @classmethod
    def of(cls, day: datetime.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, label: str) -> "Quarter":
        """``2026Q3`` (also ``2026q3``, ``2026 Q3``) to a quarter; ValueError otherwise."""
        match = _LABEL.match(label or "")
        if not match:
            raise ValueError(f"“{label}”不是季度，应写作 2026Q3。 / “{label}” is not a quarter like 2026Q3.")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    def __str__(self):
        return self.label

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> datetime.date:
        return self.next().first_day - datetime.timedelta(days=1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def ordinal(self) -> int:
        """Quarters since year 0: consecutive quarters differ by one."""
        return self.year * 4 + self.number - 1

    def contains(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.last_day

    def days_left(self, today: datetime.date) -> int:
        """Days from ``today`` to the quarter's last day, that day included."""
        return (self.last_day - today).days + 1

    @property
    def due_start_cutoff(self) -> datetime.date:
        """A pairing must have begun on or before this day to be due."""
        return self.last_day - datetime.timedelta(days=SETTLE_DAYS)

    def due_q(self, prefix: str = "") -> Q:
        """The due rule as a query filter, usable through a relation."""
        return active_q(self.last_day, prefix) & Q(**{f"{prefix}start_date__lte": self.due_start_cutoff})

    def is_due(self, pairing) -> bool:
        return pairing.is_active_on(self.last_day) and pairing.start_date <= self.due_start_cutoff


def requested(label, default: Quarter) -> Quarter:
    """The quarter a page was asked for (``?quarter=2026Q3``), or ``default``
    when none was asked for or the label is not a quarter."""
    try:
        return Quarter.parse(label or "")
    except ValueError:
        return default


def asked_for(request) -> Quarter:
    """The quarter a page's ``?quarter=`` names, this quarter when none."""
    return requested(request.GET.get("quarter"), Quarter.of(timezone.localdate()))


def recent(quarter: Quarter, count: int) -> list[Quarter]:
    """The ``count`` quarters ending with ``quarter``, oldest first."""
    quarters = [quarter]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]


def quarters_through(first: Quarter, last: Quarter) -> int:
    """How many quarters from ``first`` to ``last``, both counted (2026Q4 to
    2027Q2 is 3); 0 when ``last`` comes before ``first``."""
    return max(0, last.ordinal - first.ordinal + 1)
