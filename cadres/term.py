"""The pairing term (R5): one function owns it.

A pairing runs three years in principle. Counting follows Article 202 of the
Civil Code (《民法典》第二百零二条): a period in years ends on the corresponding
day of the final month, or on that month's last day when it has no such day —
so a pairing begun on 29 February 2024 ends on 28 February 2027."""

import calendar
import datetime

TERM_YEARS = 3


def add_years(day: datetime.date, years: int) -> datetime.date:
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return datetime.date(year, day.month, min(day.day, last))


def term_end(start: datetime.date) -> datetime.date:
    """The last day of a pairing that began on ``start`` (R5)."""
    return add_years(start, TERM_YEARS)
