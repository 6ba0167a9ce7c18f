"""Each role sees the links to its own pages, and only those."""

import pytest
from django.contrib.auth import get_user_model
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


def test_a_supervisor_is_shown_the_escalations_page_they_may_open(client):
    supervisor = user_with_role("supervisor")
    assert reverse("issues:escalations") in urls(supervisor)
    client.force_login(supervisor)
    assert client.get(reverse("issues:escalations")).status_code == 200


def test_every_link_asks_a_permission_function():
    """The scope's (cadres.permissions) or an app's own access rules
    (``<app>.access``): navigation decides nothing of its own."""
    from tests.project import PACKAGES
    from tongxiang_liaison import navigation

    deciders = {"cadres.permissions"} | {f"{package}.access" for package in PACKAGES}
    for name, _label, _help, allowed in navigation.LINKS:
        target = getattr(allowed, "__wrapped__", allowed)
        assert target.__module__ in deciders, name
        reverse(name)  # every link names a page


def test_the_links_are_exactly_the_pages_each_role_may_open(client, staff_user):
    """Navigation == permission: for every role of the permission world, and
    a login with no role and a leader with no cadre record, each page of the
    navigation is linked if and only if it opens for that login (200, maybe
    after a redirect, but not to a login page)."""
    from tests.permission_world import build_world
    from tongxiang_liaison.navigation import LINKS

    users, _objects = build_world(staff_user)
    users["no_role"] = get_user_model().objects.create_user("nobody", password="x")
    users["leader_without_cadre"] = user_with_role("leader", username="leader2")
    users["officer_without_group_staff"] = get_user_model().objects.create_user("clerk", is_staff=True)
    logins = (reverse("login"), reverse("admin:login"))
    disagree = []
    for role, user in users.items():
        shown = urls(user)
        client.force_login(user)
        for name, *_rest in LINKS:
            url = reverse(name)
            answer = client.get(url, follow=True)  # an officer's dashboard is their unit's page
            landed = answer.redirect_chain[-1][0] if answer.redirect_chain else url
            opens = answer.status_code == 200 and not landed.startswith(logins)
            if opens != (url in shown):
                state = "opens but is not linked" if opens else "is refused but linked"
                disagree.append(f"{role} {name}: {state}")
    assert disagree == []
