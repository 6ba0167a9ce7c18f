"""Pairing rules: kinds by rank and unit (R1, R3, R4), one enterprise linked
at city and town level at once (R6), and no overlapping pairings (R5)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cadres import services
from cadres.models import Pairing, Unit
from cadres.term import term_end
from tests import factories as f

D = datetime.date
pytestmark = pytest.mark.django_db


def test_focus_link_is_for_city_leaders_only():
    with pytest.raises(ValidationError) as raised:
        services.create_pairing(
            cadre=f.CadreFactory(),
            enterprise=f.EnterpriseFactory(),
            kind=Pairing.Kind.FOCUS,
            start_date=D(2026, 3, 27),
        )
    assert "kind" in raised.value.message_dict


def test_town_pairing_needs_an_enterprise_of_that_town():
    town = f.TownUnitFactory(place=f.PlaceFactory(name="濮院镇"))
    cadre = f.CadreFactory(unit=town, is_leadership_member=True)
    elsewhere = f.EnterpriseFactory(place=f.PlaceFactory(name="乌镇镇"))
    with pytest.raises(ValidationError) as raised:
        services.create_pairing(
            cadre=cadre, enterprise=elsewhere, kind=Pairing.Kind.TOWN, start_date=D(2026, 4, 1)
        )
    assert "enterprise" in raised.value.message_dict
    local = f.EnterpriseFactory(place=town.place)
    assert services.create_pairing(
        cadre=cadre, enterprise=local, kind=Pairing.Kind.TOWN, start_date=D(2026, 4, 1)
    )


def test_area_link_must_be_inside_the_leaders_area():
    leader = f.CityLeaderFactory()
    f.AreaAssignmentFactory(cadre=leader, place=f.PlaceFactory(name="崇福镇"))
    outside = f.EnterpriseFactory(place=f.PlaceFactory(name="石门镇"))
    with pytest.raises(ValidationError):
        services.create_pairing(
            cadre=leader, enterprise=outside, kind=Pairing.Kind.AREA, start_date=D(2026, 4, 1)
        )
    inside = f.EnterpriseFactory(place=f.PlaceFactory(name="崇福镇"))
    services.create_pairing(cadre=leader, enterprise=inside, kind=Pairing.Kind.AREA, start_date=D(2026, 4, 1))


def test_city_and_town_cadres_may_link_the_same_enterprise():
    """R6: 市、镇两级联动."""
    town = f.TownUnitFactory(place=f.PlaceFactory(name="洲泉镇"))
    enterprise = f.EnterpriseFactory(place=town.place)
    services.create_pairing(
        cadre=f.CadreFactory(), enterprise=enterprise, kind=Pairing.Kind.DEPARTMENT, start_date=D(2026, 3, 27)
    )
    services.create_pairing(
        cadre=f.CadreFactory(unit=town),
        enterprise=enterprise,
        kind=Pairing.Kind.TOWN,
        start_date=D(2026, 3, 27),
    )
    assert enterprise.pairings.count() == 2


def test_overlapping_pairing_is_refused_by_the_service_on_any_database():
    first = f.PairingFactory(start_date=D(2026, 3, 27))
    with pytest.raises(ValidationError) as raised:
        services.create_pairing(
            cadre=first.cadre, enterprise=first.enterprise, kind=first.kind, start_date=D(2027, 1, 1)
        )
    assert "已有结对" in raised.value.message_dict["start_date"][0]


def test_renewal_starts_the_day_after_the_term_and_runs_three_years():
    first = f.PairingFactory(start_date=D(2023, 3, 27))
    renewed = services.renew_pairing(first)
    assert renewed.start_date == D(2026, 3, 28)
    assert renewed.end_date == term_end(D(2026, 3, 28))


def test_ended_early_pairing_frees_the_rest_of_its_term():
    first = f.PairingFactory(start_date=D(2026, 3, 27))
    services.end_pairing(first, ended_on=D(2026, 6, 30), reason="干部调离")
    again = services.create_pairing(
        cadre=first.cadre, enterprise=first.enterprise, kind=first.kind, start_date=D(2026, 7, 1)
    )
    assert not first.is_active_on(D(2026, 7, 1)) and again.is_active_on(D(2026, 7, 1))


def test_ending_early_needs_a_reason():
    with pytest.raises(ValidationError) as raised:
        services.end_pairing(f.PairingFactory(), ended_on=D(2026, 6, 30), reason="")
    assert "ended_reason" in raised.value.message_dict


def test_active_on_counts_first_and_last_day():
    pairing = f.PairingFactory(start_date=D(2026, 3, 27))
    active = Pairing.objects.active_on
    assert not active(D(2026, 3, 26)).exists()
    assert active(D(2026, 3, 27)).exists()
    assert active(pairing.end_date).exists()
    assert not active(pairing.end_date + datetime.timedelta(days=1)).exists()


class TestExclusionConstraintOnPostgres:
    """The database itself refuses overlaps, whatever path wrote the row."""

    def test_overlap_raises_integrity_error(self, postgres):
        first = f.PairingFactory(start_date=D(2026, 3, 27))
        with pytest.raises(IntegrityError), transaction.atomic():
            Pairing.objects.bulk_create(
                [
                    Pairing(
                        cadre=first.cadre,
                        enterprise=first.enterprise,
                        kind=first.kind,
                        start_date=D(2029, 3, 27),  # the last day of the first term
                        end_date=D(2032, 3, 27),
                    )
                ]
            )

    def test_adjacent_terms_and_other_enterprises_are_allowed(self, postgres):
        first = f.PairingFactory(start_date=D(2026, 3, 27))
        Pairing.objects.bulk_create(
            [
                Pairing(
                    cadre=first.cadre,
                    enterprise=first.enterprise,
                    kind=first.kind,
                    start_date=D(2029, 3, 28),
                    end_date=D(2032, 3, 28),
                ),
                Pairing(
                    cadre=first.cadre,
                    enterprise=f.EnterpriseFactory(),
                    kind=first.kind,
                    start_date=D(2026, 3, 27),
                    end_date=D(2029, 3, 27),
                ),
            ]
        )
        assert Pairing.objects.count() == 3

    def test_an_early_end_shortens_the_range_the_constraint_sees(self, postgres):
        first = f.PairingFactory(start_date=D(2026, 3, 27), ended_on=D(2026, 5, 1), ended_reason="调离")
        f.PairingFactory(cadre=first.cadre, enterprise=first.enterprise, start_date=D(2026, 5, 2))
        with pytest.raises(IntegrityError), transaction.atomic():
            Pairing.objects.filter(pk=first.pk).update(ended_on=None)


def test_unit_of_a_town_must_govern_a_place():
    unit = Unit(name="某镇人民政府", kind=Unit.Kind.TOWN)
    with pytest.raises(ValidationError) as raised:
        unit.full_clean()
    assert "place" in raised.value.message_dict


def test_coordinator_must_be_a_city_leader():
    cadre = f.CadreFactory.build(unit=f.CadreFactory().unit, is_coordinator=True, mobile="13912345678")
    with pytest.raises(ValidationError) as raised:
        cadre.full_clean()
    assert "is_coordinator" in raised.value.message_dict


@pytest.mark.parametrize("mobile", ["12345678901", "1391234567", "139123456789", "0573-8811294"])
def test_bad_mobile_numbers_are_refused(mobile):
    cadre = f.CadreFactory.build(unit=f.CadreFactory().unit, mobile=mobile)
    with pytest.raises(ValidationError) as raised:
        cadre.full_clean()
    assert "mobile" in raised.value.message_dict


def test_full_width_mobile_is_normalised():
    cadre = f.CadreFactory.build(unit=f.CadreFactory().unit, mobile="１３９１２３４５６７８")
    cadre.full_clean()
    assert cadre.mobile == "13912345678"
