"""Each role sees the links to its own pages, and only those."""

import pytest
from django.urls import reverse

from tests.factories import CadreFactory, user_with_role
from tongxiang_liaison.navigation import links_for

pytestmark = pytest.mark.django_db


def urls(user):
    return {link["url"] for link in links_for(user)}


def test_links_by_role(staff_user, officer_a):
    reports = {reverse("visits:coverage"), reverse("issues:inbox"), reverse("cadres:compliance")}
    assert reports <= urls(staff_user)
    assert reports <= urls(officer_a) and reverse("visits:my") in urls(officer_a)  # an officer is a cadre too
    cadre = user_with_role("cadre", cadre=CadreFactory())
    # A cadre: their own pairings, the departments' service lists (R10), good practices (R19).
    assert urls(cadre) == {
        reverse("visits:my"),
        reverse("issues:my_items"),
        reverse("visits:services"),
        reverse("coordination:practices"),
    }
    leader = user_with_role("leader")
    assert reports <= urls(leader) and reverse("admin:index") not in urls(leader)
    assert {reverse("dashboards:dashboard"), reverse("coordination:meetings")} <= urls(leader)
    assert reverse("dashboards:dashboard") in urls(officer_a)  # their unit's page
