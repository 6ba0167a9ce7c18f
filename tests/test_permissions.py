"""Role scoping, decided in cadres.permissions: an officer sees and changes
their own unit's rows only; a cadre has no admin; probing ids reveals nothing."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cadres import permissions
from cadres.models import Cadre, Pairing
from cadres.permissions import GROUP_NAMES, ROLE_PERMISSIONS, Role
from tests.factories import CadreFactory, PairingFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_units(unit_a, unit_b, officer_a):
    own = PairingFactory(cadre=CadreFactory(unit=unit_a, name="甲单位干部"))
    other = PairingFactory(cadre=CadreFactory(unit=unit_b, name="乙单位干部"))
    return own, other


def test_the_migration_installed_every_role_group_with_its_permissions():
    for role, models in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=GROUP_NAMES[role])
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        expected = {
            f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
            for label, actions in models.items()
            for action in actions
        }
        assert granted == expected, role


def test_officer_sees_only_own_unit_in_admin_lists(client, officer_a, two_units):
    own, other = two_units
    client.force_login(officer_a)
    page = client.get(reverse("admin:cadres_pairing_changelist")).content.decode()
    assert "甲单位干部" in page and "乙单位干部" not in page
    page = client.get(reverse("admin:cadres_cadre_changelist")).content.decode()
    assert "甲单位干部" in page and "乙单位干部" not in page


def test_officer_probing_another_units_ids_gets_nothing(client, officer_a, two_units):
    own, other = two_units
    client.force_login(officer_a)
    for name, obj in (("cadres_pairing", other), ("cadres_cadre", other.cadre)):
        response = client.get(reverse(f"admin:{name}_change", args=[obj.pk]))
        # Django's admin answers an id outside the queryset with a redirect to
        # the index and "does not exist": the same as an id that never existed.
        assert response.status_code == 302
        missing = client.get(reverse(f"admin:{name}_change", args=[999_999]))
        assert missing.status_code == 302
        # Officers never delete pairings or cadres (they end them): no right at all.
        assert client.post(reverse(f"admin:{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert Pairing.objects.filter(pk=other.pk).exists()
    assert client.get(reverse("admin:cadres_pairing_change", args=[own.pk])).status_code == 200


def test_officer_cannot_create_a_pairing_for_another_units_cadre(client, officer_a, two_units):
    own, other = two_units
    client.force_login(officer_a)
    response = client.post(
        reverse("admin:cadres_pairing_add"),
        {
            "cadre": other.cadre.pk,
            "enterprise": own.enterprise.pk,
            "kind": "department",
            "start_date": "2026-04-01",
        },
    )
    assert response.status_code == 200  # the form re-displays with an error
    assert "cadre" in response.context["adminform"].form.errors
    assert Pairing.objects.count() == 2


def test_officer_cannot_move_own_cadre_to_another_unit(client, officer_a, unit_b, two_units):
    own, _ = two_units
    client.force_login(officer_a)
    cadre = own.cadre
    response = client.post(
        reverse("admin:cadres_cadre_change", args=[cadre.pk]),
        {
            "name": cadre.name,
            "unit": unit_b.pk,
            "rank": cadre.rank,
            "mobile": cadre.mobile,
            "is_active": "on",
        },
    )
    assert response.status_code == 200 and "unit" in response.context["adminform"].form.errors
    cadre.refresh_from_db()
    assert cadre.unit_id != unit_b.pk


def test_a_cadre_has_no_admin_and_no_compliance_page(client, unit_a):
    cadre = CadreFactory(unit=unit_a)
    user = user_with_role("cadre", cadre=cadre)
    client.force_login(user)
    assert client.get(reverse("admin:cadres_pairing_changelist")).status_code == 302  # to the admin login
    assert client.get(reverse("cadres:compliance")).status_code == 403
    assert client.get(reverse("cadres:arrangement_xlsx")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("cadres:compliance"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_two_officers_cannot_see_each_others_rows(unit_a, unit_b, officer_a, two_units):
    cadre_b = CadreFactory(unit=unit_b, name="信息员乙")
    officer_b = user_with_role("unit_officer", cadre=cadre_b)
    for user, own_unit, other_unit in ((officer_a, unit_a, unit_b), (officer_b, unit_b, unit_a)):
        cadres = permissions.visible_cadres(user, Cadre.objects.all())
        pairings = permissions.visible_pairings(user, Pairing.objects.all())
        assert set(cadres.values_list("unit", flat=True)) == {own_unit.pk}
        assert set(pairings.values_list("cadre__unit", flat=True)) == {own_unit.pk}
        assert not permissions.changeable_cadres(user, Cadre.objects.filter(unit=other_unit)).exists()


def test_cadre_sees_only_own_pairings(unit_a, two_units):
    own, other = two_units
    user = user_with_role("cadre", cadre=own.cadre)
    assert list(permissions.visible_pairings(user, Pairing.objects.all())) == [own]


def test_leader_and_supervisor_read_everything_and_change_nothing(two_units):
    for role in (Role.LEADER, Role.SUPERVISOR):
        user = user_with_role(role)
        assert permissions.visible_pairings(user, Pairing.objects.all()).count() == 2
        assert not permissions.changeable_pairings(user, Pairing.objects.all()).exists()
        assert not user.has_perm("cadres.change_pairing")


def test_inactive_user_has_no_scope(officer_a):
    officer_a.is_active = False
    officer_a.save()
    assert permissions.scope_for(officer_a) == permissions.NOBODY
