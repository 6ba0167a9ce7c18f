"""Visit coverage per unit and per town for a quarter (R7)."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, PlaceFactory, UnitFactory
from tongxiang_liaison.actions import submit_feedback
from visits import selectors, services
from visits.models import Visit
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db
D = datetime.date
Q3 = Quarter(2026, 3)


def visit(pairing, day, mode="onsite", companions=()):
    v = Visit.objects.create(
        cadre=pairing.cadre,
        pairing=pairing,
        enterprise=pairing.enterprise,
        visit_date=day,
        mode=mode,
        situation="x",
    )
    services.save_visit(v, companions=list(companions), problems=[])
    return submit_feedback(v, by=None).visit


@pytest.fixture
def city():
    """Two units and two towns with hand-countable pairings for 2026Q3."""
    puyuan, wuzhen = PlaceFactory(name="濮院镇"), PlaceFactory(name="乌镇镇")
    econ, commerce = UnitFactory(name="市经信局"), UnitFactory(name="市商务局")
    a1, a2 = CadreFactory(unit=econ), CadreFactory(unit=econ)
    b1 = CadreFactory(unit=commerce)
    e_puyuan, e_wuzhen = EnterpriseFactory(place=puyuan), EnterpriseFactory(place=wuzhen)
    start = D(2026, 3, 27)
    p1 = PairingFactory(cadre=a1, enterprise=e_puyuan, start_date=start)  # visited on site
    PairingFactory(cadre=a2, enterprise=e_puyuan, start_date=start)  # visited as a companion of a1
    p3 = PairingFactory(cadre=a2, enterprise=e_wuzhen, start_date=start)  # phone only: not visited
    p4 = PairingFactory(cadre=b1, enterprise=e_wuzhen, start_date=start)  # visited in Q2 only
    PairingFactory(
        cadre=b1, enterprise=EnterpriseFactory(place=puyuan), start_date=D(2026, 9, 10)
    )  # not due yet
    visit(p1, D(2026, 8, 3), companions=[a2])
    visit(p3, D(2026, 8, 4), mode="phone")
    visit(p4, D(2026, 6, 1))
    return {"econ": econ, "commerce": commerce, "puyuan": puyuan, "wuzhen": wuzhen, "p3": p3, "p4": p4}


def rows(user, by):
    return {r.name: (r.due, r.visited, r.rate) for r in selectors.coverage(user, Q3, by)}


def test_coverage_by_unit_and_by_town(staff_user, city):
    assert rows(staff_user, "unit") == {"市经信局": (3, 2, 2 / 3), "市商务局": (1, 0, 0.0)}
    assert rows(staff_user, "place") == {"濮院镇": (2, 2, 1.0), "乌镇镇": (2, 0, 0.0)}


def test_drill_down_lists_the_unvisited_pairings_and_cadres(staff_user, city):
    assert set(selectors.overdue_pairings(staff_user, Q3, unit_id=city["econ"].pk)) == {city["p3"]}
    assert set(selectors.overdue_pairings(staff_user, Q3, place_id=city["wuzhen"].pk)) == {
        city["p3"],
        city["p4"],
    }


def test_officer_sees_own_unit(client, unit_a, officer_a, city):
    assert rows(officer_a, "unit") == {"市经信局": (3, 2, 2 / 3)}
    client.force_login(officer_a)
    page = client.get(reverse("visits:coverage") + "?quarter=2026Q3").content.decode()
    assert "市经信局" in page and "市商务局" not in page
    other = reverse("visits:overdue") + f"?quarter=2026Q3&unit={city['commerce'].pk}"
    assert client.get(other).status_code == 404


def test_cadre_cannot_open_coverage(client, city):
    from tests.factories import user_with_role

    client.force_login(user_with_role("cadre", cadre=CadreFactory()))
    assert client.get(reverse("visits:coverage")).status_code == 403


def test_coverage_page_and_xlsx(client, staff_user, city):
    client.force_login(staff_user)
    page = client.get(reverse("visits:coverage") + "?quarter=2026Q3").content.decode()
    assert "2026Q3" in page and "66.7%" in page and "2026Q2" in page
    response = client.get(reverse("visits:coverage") + "?quarter=2026Q3&format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["按单位"]
    body = {r[0]: r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert body["市经信局"][:3] == (3, 2, 1) and abs(body["市经信局"][3] - 2 / 3) < 1e-9
    assert sheet.cell(row=3, column=5).number_format == "0.0%"
    drill = client.get(
        reverse("visits:overdue") + f"?quarter=2026Q3&place={city['wuzhen'].pk}"
    ).content.decode()
    assert city["p4"].cadre.name in drill and city["p3"].cadre.name in drill
    assert "未走访的结对：乌镇镇" in drill


def test_coverage_costs_a_fixed_number_of_queries(client, staff_user, city):
    client.force_login(staff_user)
    url = reverse("visits:coverage") + "?quarter=2026Q3"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        cadre = CadreFactory(unit=UnitFactory(name=f"新单位{n}"))
        PairingFactory(
            cadre=cadre,
            enterprise=EnterpriseFactory(place=PlaceFactory(name=f"新镇{n}")),
            start_date=D(2026, 1, 5),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("新单位") == 20
    assert len(many) == len(few) <= 10
