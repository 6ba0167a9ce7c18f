"""R5: a pairing runs three years; the term is computed in one function."""

import datetime

import pytest

from cadres.term import term_end
from tests.factories import PairingFactory

D = datetime.date


@pytest.mark.parametrize(
    "start, end",
    [
        (D(2026, 3, 27), D(2029, 3, 27)),
        (D(2024, 2, 29), D(2027, 2, 28)),  # no 29 February in 2027: month's last day
        (D(2028, 2, 29), D(2031, 2, 28)),
        (D(2025, 2, 28), D(2028, 2, 28)),  # a leap year ahead changes nothing
        (D(2026, 12, 31), D(2029, 12, 31)),
        (D(2026, 1, 1), D(2029, 1, 1)),
    ],
)
def test_term_end(start, end):
    assert term_end(start) == end


@pytest.mark.django_db
def test_a_pairing_saved_without_end_date_gets_the_three_year_term():
    pairing = PairingFactory(start_date=D(2024, 2, 29), end_date=None)
    pairing.refresh_from_db()
    assert pairing.end_date == D(2027, 2, 28)
