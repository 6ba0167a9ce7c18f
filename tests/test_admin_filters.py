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


def two_pairings():
    PairingFactory(enterprise=EnterpriseFactory(name="在期企业"), start_date=D(2026, 3, 27))
    PairingFactory(
        enterprise=EnterpriseFactory(name="已结束企业"),
        start_date=D(2026, 3, 27),
        ended_on=D(2026, 6, 30),
        ended_reason="干部调离",
    )


def two_periods():
    MembershipFactory(enterprise=EnterpriseFactory(name="在期企业"), started_on=D(2025, 1, 1))
    MembershipFactory(
        enterprise=EnterpriseFactory(name="已结束企业"), started_on=D(2025, 1, 1), ended_on=D(2025, 12, 31)
    )


@pytest.mark.parametrize(
    "model, build, parameter, in_force, ended",
    [
        ("cadres_pairing", two_pairings, "state", "active", "ended"),  # 在期 / 已结束
        ("multiplication_membership", two_periods, "in_force", "yes", "no"),  # 在库 / 已退出
    ],
)
def test_in_force_today_or_ended(admin_client, model, build, parameter, in_force, ended):
    build()
    current = listed(admin_client, model, **{parameter: in_force})
    assert "在期企业" in current and "已结束企业" not in current
    over = listed(admin_client, model, **{parameter: ended})
    assert "已结束企业" in over and "在期企业" not in over
    everything = listed(admin_client, model)
    assert "在期企业" in everything and "已结束企业" in everything


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
