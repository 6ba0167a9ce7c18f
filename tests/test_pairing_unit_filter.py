"""The 结对单位 filter of the pairings admin lists every unit that has cadres
(leadership bodies, departments, towns, streets, zones), in the city's order,
and only the officer's own unit for an information officer."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from cadres import selectors, services
from cadres.models import Pairing, Unit
from tests.factories import CadreFactory, EnterpriseFactory, PlaceFactory, TownUnitFactory, user_with_role

pytestmark = pytest.mark.django_db
START = datetime.date(2026, 3, 27)


@pytest.fixture
def city(db):
    call_command("loaddata", "fixtures/places.json", "fixtures/units.json", verbosity=0)
    units = {name: Unit.objects.get(name=name) for name in (
        "市政府", "市经信局", "市商务局", "梧桐街道办事处", "乌镇镇人民政府", "桐乡经济开发区管委会",
    )}  # fmt: skip
    pairings = {}
    kinds = {Unit.Kind.LEADERSHIP: Pairing.Kind.FOCUS, Unit.Kind.DEPARTMENT: Pairing.Kind.DEPARTMENT}
    for name, unit in units.items():
        leader = unit.kind == Unit.Kind.LEADERSHIP
        cadre = CadreFactory(unit=unit, name=f"{name}干部", **({"rank": "city"} if leader else {}))
        pairings[name] = services.create_pairing(
            cadre=cadre,
            enterprise=EnterpriseFactory(**({"place": unit.place} if unit.place_id else {})),
            kind=kinds.get(unit.kind, Pairing.Kind.TOWN),
            start_date=START,
        )
    # a unit added later by hand, with the default sort order 0, still sits among the towns
    late = TownUnitFactory(name="新设镇人民政府", place=PlaceFactory(name="新设镇"), sort_order=0)
    CadreFactory(unit=late, name="新设镇干部")
    units["新设镇人民政府"] = late
    return units, pairings


def _filter_choices(response):
    (spec,) = [s for s in response.context["cl"].filter_specs if str(s.title) == "结对单位"]
    return [c["display"] for c in spec.choices(response.context["cl"])][1:]  # after 全部


def test_staff_see_every_unit_with_cadres_in_the_citys_order(client, staff_user, city):
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    response = client.get(reverse("admin:cadres_pairing_changelist"))
    assert _filter_choices(response) == [
        "市政府",  # leadership bodies
        "市经信局",  # departments
        "市商务局",
        "新设镇人民政府",  # towns, streets and zones (sort order 0 first within them)
        "梧桐街道办事处",
        "乌镇镇人民政府",
        "桐乡经济开发区管委会",
    ]  # the 36 units without cadres are not listed
    assert list(selectors.units_with_cadres(staff_user).values_list("name", flat=True)) == _filter_choices(
        response
    )


def test_the_filter_narrows_to_a_town_units_pairings(client, staff_user, city):
    units, pairings = city
    client.force_login(staff_user)
    response = client.get(reverse("admin:cadres_pairing_changelist") + f"?unit={units['乌镇镇人民政府'].pk}")
    assert list(response.context["cl"].result_list) == [pairings["乌镇镇人民政府"]]
    response = client.get(reverse("admin:cadres_pairing_changelist") + "?unit=abc")
    assert response.status_code == 200 and list(response.context["cl"].result_list) == []


def test_an_officer_sees_only_their_own_unit(client, city):
    units, pairings = city
    town = units["梧桐街道办事处"]
    officer_cadre = CadreFactory(unit=town, name="街道信息员")
    town.information_officer = officer_cadre
    town.save()
    officer = user_with_role("unit_officer", cadre=officer_cadre, username="officer_town")
    client.force_login(officer)
    response = client.get(reverse("admin:cadres_pairing_changelist"))
    assert _filter_choices(response) == ["梧桐街道办事处"]
    other = units["市经信局"]
    response = client.get(reverse("admin:cadres_pairing_changelist") + f"?unit={other.pk}")
    assert list(response.context["cl"].result_list) == []  # another unit's pairings stay out of reach
