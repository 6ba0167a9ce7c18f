"""The quarter module (R7, R8): labels, edges, arithmetic and the due rule."""

import datetime

import pytest

from tests.factories import PairingFactory
from visits.first_visit import campaign_deadline
from visits.quarters import SETTLE_DAYS, Quarter, recent

D = datetime.date


@pytest.mark.parametrize(
    "day, label, first, last",
    [
        (D(2026, 1, 1), "2026Q1", D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 3, 31), "2026Q1", D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 4, 1), "2026Q2", D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 6, 30), "2026Q2", D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 7, 1), "2026Q3", D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 9, 30), "2026Q3", D(2026, 7, 1), D(2026, 9, 30)),
        (D(2026, 10, 1), "2026Q4", D(2026, 10, 1), D(2026, 12, 31)),
        (D(2026, 12, 31), "2026Q4", D(2026, 10, 1), D(2026, 12, 31)),
        (D(2028, 2, 29), "2028Q1", D(2028, 1, 1), D(2028, 3, 31)),
    ],
)
def test_quarter_of_a_day(day, label, first, last):
    quarter = Quarter.of(day)
    assert (quarter.label, quarter.first_day, quarter.last_day) == (label, first, last)
    assert quarter.contains(day) and Quarter.parse(label) == quarter


@pytest.mark.parametrize(
    "label, previous, following",
    [
        ("2026Q1", "2025Q4", "2026Q2"),
        ("2026Q2", "2026Q1", "2026Q3"),
        ("2026Q4", "2026Q3", "2027Q1"),
        ("2000Q1", "1999Q4", "2000Q2"),
    ],
)
def test_previous_and_next_across_years(label, previous, following):
    quarter = Quarter.parse(label)
    assert quarter.previous().label == previous
    assert quarter.next().label == following
    assert quarter.next().previous() == quarter


@pytest.mark.parametrize("label", ["2026Q3", "2026q3", " 2026 Q3 "])
def test_parse_accepts_spacing_and_case(label):
    assert Quarter.parse(label) == Quarter(2026, 3)


@pytest.mark.parametrize("label", ["2026Q5", "2026Q0", "26Q3", "2026-3", "", "Q3 2026"])
def test_parse_rejects_what_is_not_a_quarter(label):
    with pytest.raises(ValueError):
        Quarter.parse(label)


def test_days_left_counts_the_last_day():
    q = Quarter(2026, 4)
    assert q.days_left(D(2026, 12, 31)) == 1
    assert q.days_left(D(2026, 12, 1)) == 31
    assert q.days_left(D(2026, 10, 1)) == 92


def test_recent_quarters_cross_the_year():
    assert [q.label for q in recent(Quarter(2026, 2), 4)] == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]


def test_first_visit_deadline_is_a_setting(settings):
    assert campaign_deadline(2026) == D(2026, 4, 15)
    settings.CAMPAIGN_FIRST_VISIT_DEADLINE = "05-01"
    assert campaign_deadline(2026) == D(2026, 5, 1)


Q3 = Quarter(2026, 3)  # 1 July – 30 September; a pairing must begin by 31 August


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start, ended_on, due",
    [
        (D(2026, 3, 27), None, True),  # began long before
        (D(2026, 8, 31), None, True),  # exactly 30 days before the last day
        (D(2026, 9, 1), None, False),  # 29 days: not yet due
        (D(2026, 9, 20), None, False),  # signed on 20 September: not due for Q3
        (D(2026, 3, 27), D(2026, 8, 15), False),  # ended mid-quarter
        (D(2026, 3, 27), D(2026, 9, 30), True),  # ends on the last day: still in force
        (D(2026, 10, 1), None, False),  # begins after the quarter
    ],
)
def test_due_rule_in_python_and_sql_agree(start, ended_on, due):
    pairing = PairingFactory(start_date=start, ended_on=ended_on, ended_reason="调离" if ended_on else "")
    assert Q3.is_due(pairing) is due
    assert type(pairing).objects.filter(Q3.due_q(), pk=pairing.pk).exists() is due
    assert SETTLE_DAYS == 30


@pytest.mark.django_db
def test_term_ending_mid_quarter_is_not_due():
    pairing = PairingFactory(start_date=D(2023, 8, 15))  # term ends 2026-08-15
    assert not Q3.is_due(pairing)
    assert Quarter(2026, 2).is_due(pairing)
