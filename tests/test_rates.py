"""The resolution rate (R16) against hand-computed figures."""

import datetime

import pytest

from issues import rates, services
from issues.models import IssueItem, ReferralSlip
from tests.factories import CadreFactory, IssueItemFactory, UnitFactory
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db
S = IssueItem.Status
D = datetime.date
Q3 = Quarter(2026, 3)  # 1 July – 30 September


def item(cadre, reported, status=S.NEW, resolved=None):
    return IssueItemFactory(
        reporter=cadre, category="labour", reported_on=reported, status=status, resolved_on=resolved
    )


@pytest.fixture
def city(staff_user):
    econ, commerce = UnitFactory(name="市经信局"), UnitFactory(name="市商务局")
    a, b, c = CadreFactory(unit=econ), CadreFactory(unit=econ), CadreFactory(unit=commerce)
    item(a, D(2026, 2, 1), S.RESOLVED, D(2026, 3, 1))  # raised and resolved before Q3
    item(a, D(2026, 8, 1), S.RESOLVED, D(2026, 9, 30))  # resolved on Q3's last day
    item(a, D(2026, 8, 2), S.RESOLVED, D(2026, 10, 1))  # resolved after Q3: not yet
    item(a, D(2026, 9, 1), S.WITHDRAWN, D(2026, 9, 10))  # withdrawn within Q3: left out
    item(b, D(2026, 7, 15), S.REFERRED)
    item(b, D(2025, 12, 31), S.RESOLVED, D(2026, 7, 3))  # last year's, open on 1 January: carried over
    item(c, D(2026, 10, 5))  # after Q3: not counted
    return {"econ": econ, "commerce": commerce, "a": a, "b": b, "c": c}


def test_cadre_figures(city):
    f = rates.figures(Q3, cadre_id=city["a"].pk)
    assert (f.raised, f.resolved, f.raised_in_quarter, f.resolved_in_quarter) == (3, 2, 2, 1)
    assert f.rate == 2 / 3 and f.on_time_rate is None


def test_unit_and_city_figures(city):
    econ = rates.figures(Q3, unit_id=city["econ"].pk)
    assert (econ.raised, econ.carried, econ.resolved) == (4, 1, 3)  # the carried item resolved in Q3 counts
    assert (econ.raised_in_quarter, econ.resolved_in_quarter) == (3, 2)
    assert econ.rate == 3 / 5
    commerce = rates.figures(Q3, unit_id=city["commerce"].pk)
    assert commerce.raised == 0 and commerce.rate is None  # shown as —
    assert rates.figures(Q3).raised == 4


def test_grouped_figures_equal_the_single_ones(city):
    by_unit = rates.figures_by(Q3, "unit")
    assert by_unit[city["econ"].pk] == rates.figures(Q3, unit_id=city["econ"].pk)
    by_cadre = rates.figures_by(Q3, "cadre")
    for cadre in ("a", "b"):
        assert by_cadre[city[cadre].pk] == rates.figures(Q3, cadre_id=city[cadre].pk)


def test_on_time_rate_of_referral_slips_belongs_to_the_department(city, staff_user):
    department = city["commerce"]
    cases = [
        (D(2026, 9, 10), D(2026, 9, 9)),  # deadline in Q3, accepted early: on time
        (D(2026, 9, 20), D(2026, 9, 25)),  # deadline in Q3, accepted late
        (D(2026, 9, 30), None),  # deadline in Q3, still open: late
        (D(2026, 10, 20), D(2026, 9, 28)),  # deadline after Q3 but accepted in Q3: on time
        (D(2026, 10, 20), None),  # neither: not counted
    ]
    for deadline, accepted in cases:
        taken_on = item(city["c"], D(2026, 7, 1), S.OFFICE)
        slip = services.refer(
            taken_on, department=department, by=staff_user, on=D(2026, 7, 1), working_days=10
        )
        ReferralSlip.objects.filter(pk=slip.pk).update(
            deadline=deadline, accepted_on=accepted, status="accepted" if accepted else "issued"
        )
    f = rates.figures(Q3, unit_id=department.pk)
    assert (f.slips_counted, f.slips_on_time) == (4, 2) and f.on_time_rate == 0.5
    assert rates.figures_by(Q3, "unit")[department.pk].on_time_rate == 0.5
