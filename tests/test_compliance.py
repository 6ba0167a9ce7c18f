"""结对合规: cadres below their minimum (R1, R3, R4), enterprises nobody links,
pairings whose 3-year term ends soon (R5); city-wide for staff, own unit for
an information officer."""

import datetime

import pytest
from django.urls import reverse

from cadres import selectors
from cadres.models import Cadre, Pairing
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 26)
STARTED = datetime.date(2026, 3, 27)


def link(cadre, count, kind=Pairing.Kind.DEPARTMENT, **kwargs):
    for _ in range(count):
        f.PairingFactory(cadre=cadre, kind=kind, start_date=STARTED, **kwargs)


def below(user):
    return {c.name: (c.rule, c.counted) for c in selectors.cadres_below_minimum(user, TODAY)}


def test_each_rule_and_its_threshold(staff_user):
    leader = f.CityLeaderFactory(name="市领导")
    link(leader, 2, Pairing.Kind.FOCUS)
    link(leader, 5, Pairing.Kind.AREA)  # area links do not count as focus links (R1)
    dept = f.UnitFactory(name="市发改局")
    link(f.CadreFactory(unit=dept, name="中层不足", rank=Cadre.Rank.MIDDLE), 2)
    link(f.CadreFactory(unit=dept, name="局级达标", rank=Cadre.Rank.BUREAU), 3)
    link(f.CadreFactory(unit=dept, name="一般干部", rank=Cadre.Rank.GENERAL), 0)  # no minimum
    town = f.TownUnitFactory(place=f.PlaceFactory(name="屠甸镇"))
    link(
        f.CadreFactory(unit=town, name="班子成员", is_leadership_member=True),
        1,
        Pairing.Kind.TOWN,
        enterprise=f.EnterpriseFactory(place=town.place),
    )
    f.CadreFactory(unit=town, name="非班子", is_leadership_member=False)
    f.CadreFactory(unit=dept, name="离岗中层", rank=Cadre.Rank.MIDDLE, is_active=False)

    assert below(staff_user) == {"市领导": ("R1", 2), "中层不足": ("R3", 2), "班子成员": ("R4", 1)}


def test_ended_and_future_pairings_do_not_count(staff_user):
    cadre = f.CadreFactory(name="甲")
    link(cadre, 2)
    f.PairingFactory(cadre=cadre, start_date=STARTED, ended_on=datetime.date(2026, 6, 1), ended_reason="调离")
    f.PairingFactory(cadre=cadre, start_date=datetime.date(2027, 1, 1))
    assert below(staff_user) == {"甲": ("R3", 2)}


def test_unpaired_enterprises_and_town_officer_scope(staff_user):
    town = f.TownUnitFactory(place=f.PlaceFactory(name="河山镇"))
    officer = f.user_with_role("unit_officer", cadre=f.CadreFactory(unit=town))
    mine = f.EnterpriseFactory(name="河山企业", place=town.place)
    f.EnterpriseFactory(name="别处企业", place=f.PlaceFactory(name="大麻镇"))
    f.PairingFactory(enterprise=f.EnterpriseFactory(name="有人联系"), start_date=STARTED)

    def names(user):
        unpaired = selectors.enterprises_without_active_pairing(user, TODAY)
        return set(unpaired.values_list("name", flat=True))

    assert names(staff_user) == {"河山企业", "别处企业"}
    assert names(officer) == {mine.name}


def test_pairings_ending_within_the_horizon(staff_user):
    soon = f.PairingFactory(start_date=datetime.date(2023, 12, 20))  # ends 2026-12-20
    f.PairingFactory(start_date=datetime.date(2023, 3, 27))  # ended already
    f.PairingFactory(start_date=datetime.date(2024, 6, 1))  # ends 2027-06-01
    assert list(selectors.pairings_ending_soon(staff_user, TODAY, 90)) == [soon]


def test_compliance_page_queries_are_fixed(client, staff_user, django_assert_max_num_queries):
    def populate(n):
        for _ in range(n):
            link(f.CadreFactory(), 1)
            f.EnterpriseFactory()
            f.PairingFactory(start_date=datetime.date(2023, 12, 20))

    client.force_login(staff_user)
    populate(3)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("cadres:compliance"))
    populate(30)
    with django_assert_max_num_queries(12) as many:
        response = client.get(reverse("cadres:compliance"))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "联系企业数未达要求的干部" in response.content.decode()


def test_officer_sees_own_unit_on_the_page(client, unit_a, unit_b, officer_a):
    link(f.CadreFactory(unit=unit_a, name="本单位干部"), 1)
    link(f.CadreFactory(unit=unit_b, name="外单位干部"), 1)
    client.force_login(officer_a)
    page = client.get(reverse("cadres:compliance")).content.decode()
    assert "本单位干部" in page and "外单位干部" not in page


def test_attachment2_query_count_is_fixed(staff_user, django_assert_num_queries):
    for _ in range(10):
        link(f.CadreFactory(), 2)
    with django_assert_num_queries(4):  # scope (groups, cadre), cadres, pairings
        units = selectors.arrangement_table(staff_user, TODAY)
        assert sum(len(c.pairings) for u in units for c in u.cadres) == 20
