"""The admin's list filters by day: pairings in force today or ended, registry
periods in force or left (R17), feedback forms by quarter; each one shared
filter (``cadres.admin.InForceTodayFilter``, ``visits.admin.QuarterFilter``)."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import EnterpriseFactory, MembershipFactory, PairingFactory, submitted_visit

pytestmark = pytest.mark.django_db
D = datetime.date


def listed(client, model, **query):
    page = client.get(reverse(f"admin:{model}_changelist"), query)
    assert page.status_code == 200
    return page.content.decode()


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ({"state": "active"}, "在期企业", "已结束企业"),
        ({"state": "ended"}, "已结束企业", "在期企业"),
    ],
)
def test_pairings_in_force_today_or_ended(admin_client, query, shown, hidden):
    PairingFactory(enterprise=EnterpriseFactory(name="在期企业"), start_date=D(2026, 3, 27))
    PairingFactory(
        enterprise=EnterpriseFactory(name="已结束企业"),
        start_date=D(2026, 3, 27),
        ended_on=D(2026, 6, 30),
        ended_reason="干部调离",
    )
    page = listed(admin_client, "cadres_pairing", **query)
    assert shown in page and hidden not in page


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ({"in_force": "yes"}, "在库企业", "已退出企业"),
        ({"in_force": "no"}, "已退出企业", "在库企业"),
    ],
)
def test_registry_periods_in_force_today_or_left(admin_client, query, shown, hidden):
    MembershipFactory(enterprise=EnterpriseFactory(name="在库企业"), started_on=D(2025, 1, 1))
    MembershipFactory(
        enterprise=EnterpriseFactory(name="已退出企业"), started_on=D(2025, 1, 1), ended_on=D(2025, 12, 31)
    )
    page = listed(admin_client, "multiplication_membership", **query)
    assert shown in page and hidden not in page


def test_visits_by_quarter(admin_client):
    pairing = PairingFactory(enterprise=EnterpriseFactory(name="三季度企业"), start_date=D(2026, 3, 27))
    submitted_visit(pairing, D(2026, 8, 3))
    other = PairingFactory(enterprise=EnterpriseFactory(name="二季度企业"), start_date=D(2026, 3, 27))
    submitted_visit(other, D(2026, 5, 6))
    page = listed(admin_client, "visits_visit", quarter="2026Q3")
    assert "三季度企业" in page and "二季度企业" not in page
    assert "二季度企业" in listed(admin_client, "visits_visit")
    unparsed = listed(admin_client, "visits_visit", quarter="2026Q9")
    assert "三季度企业" not in unparsed and "二季度企业" not in unparsed
