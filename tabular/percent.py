"""One rounding rule for every percentage: 四舍五入 (half up) to one decimal.

A rate is kept exact wherever it is counted (``resolved / raised``, a float);
only its writing is rounded, here, the same way on every page and in every
spreadsheet:

- on a page, :func:`percent` (the template filter ``percent`` of the
  ``percent`` library: ``{% load percent %}``): 0.8125 → ``81.3%``;
- in an xlsx, the exact value with :data:`PERCENT_FORMAT` (``0.0%``), which
  Excel and LibreOffice display half up from the same value: 0.8125 shows as
  81.3% there too (tests/test_rounding.py opens one in LibreOffice).

Python's ``round()`` and ``f"{x:.1f}"`` round half to even on the binary
float (81.25 → 81.2, and 2.675 is stored as 2.67499…): neither is used for a
figure. A float is read as its shortest decimal (``repr``), which is what a
spreadsheet shows at 15 significant digits, so a tie such as 107/4000 =
0.02675 is a tie here as well (→ 2.7%), and then :mod:`decimal` rounds it up.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

PERCENT_FORMAT = "0.0%"
"""The number format of a rate's cell: one decimal, as the pages show it."""

NONE = "—"
"""What a rate with nothing to count (``None``) is written as."""

_ONE_DECIMAL = Decimal("0.1")


def fraction(part, whole):
    """``part`` over ``whole``, exact (a fraction of 1); None when there is
    nothing to count (``whole`` is nothing), which pages write as ``—``."""
    return part / whole if whole else None


def _exact(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(repr(float(value)))


def percent_value(rate) -> Decimal | None:
    """A rate (a fraction of 1) as the per-cent figure shown, rounded half up
    to one decimal: 0.8125 → Decimal('81.3'), 0.0005 → Decimal('0.1');
    None (nothing to count) → None."""
    if rate is None:
        return None
    shown = (_exact(rate) * 100).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)
    return shown + 0  # no "-0.0"


def percent(rate) -> str:
    """A rate as the text every page shows: ``81.3%``, or ``—`` for None."""
    shown = percent_value(rate)
    return NONE if shown is None else f"{shown}%"


def points(now, before) -> str:
    """The change between two rates in percentage points, as the difference
    of the figures shown (81.3% after 75.0% is ``+6.3``, whatever the digits
    behind them), so a reader who subtracts gets the same; ``—`` when either
    rate is None."""
    if now is None or before is None:
        return NONE
    return f"{percent_value(now) - percent_value(before):+}"


def spreadsheet_rate(rate):
    """A rate's cell value: the exact rate (to be shown with
    :data:`PERCENT_FORMAT`), or ``—`` when there is nothing to count."""
    return NONE if rate is None else rate
