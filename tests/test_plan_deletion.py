"""R17: an approved doubling plan is never deleted; the decision is
multiplication.access.can_delete_doubling_plan, which the admin and
multiplication.services.delete_plans ask."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from multiplication import access, services
from multiplication.models import DoublingPlan, PlanTownTarget
from tests.factories import CadreFactory, PlaceFactory, user_with_role
from tests.test_multiplication import make_plan, science_bureau  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(science_bureau, staff_user):  # noqa: F811
    draft = make_plan(science_bureau, title="草稿计划")
    earlier = draft.baseline_date.replace(year=2023)
    approved = make_plan(science_bureau, title="已批准计划", baseline_date=earlier)
    PlanTownTarget.objects.create(plan=approved, place=PlaceFactory(name="濮院镇"))
    services.approve_plan(approved, staff_user)
    approved.refresh_from_db()
    return draft, approved


def test_nobody_may_delete_an_approved_plan(plans, staff_user, science_bureau):  # noqa: F811
    draft, approved = plans
    root = user_with_role("liaison_staff", username="root")
    root.is_superuser = True
    root.save()
    officer = user_with_role("unit_officer", cadre=CadreFactory(unit=science_bureau))
    for user in (staff_user, root, officer):
        assert access.can_delete_doubling_plan(user, approved) is False
    assert access.can_delete_doubling_plan(staff_user, draft) is True
    assert access.can_delete_doubling_plan(root, draft) is True
    assert access.can_delete_doubling_plan(user_with_role("leader"), draft) is False
    assert access.can_delete_doubling_plan(user_with_role("cadre", cadre=CadreFactory()), draft) is False


def test_the_service_refuses_an_approved_plan_and_deletes_nothing(plans, staff_user):
    draft, approved = plans
    with pytest.raises(PermissionDenied, match="已批准的倍增计划不能删除：已批准计划"):
        services.delete_plans([draft, approved], staff_user)
    assert DoublingPlan.objects.count() == 2  # the draft of the same batch stays too
    assert services.delete_plans([draft], staff_user) == 1
    assert list(DoublingPlan.objects.values_list("title", flat=True)) == ["已批准计划"]


def test_the_admin_asks_the_same_decision(client, plans, staff_user):
    draft, approved = plans
    client.force_login(staff_user)
    refused = reverse("admin:multiplication_doublingplan_delete", args=[approved.pk])
    assert client.get(refused).status_code == 403
    assert client.post(refused, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:multiplication_doublingplan_changelist")
    both = {"action": "delete_selected", "_selected_action": [draft.pk, approved.pk]}
    page = client.post(changelist, both)
    assert page.status_code == 200 and page.context["perms_lacking"]  # "you may not delete" page
    assert client.post(changelist, {**both, "post": "yes"}).status_code == 403
    assert DoublingPlan.objects.count() == 2
    page = client.post(reverse("admin:multiplication_doublingplan_delete", args=[draft.pk]), {"post": "yes"})
    assert page.status_code == 302
    assert list(DoublingPlan.objects.values_list("pk", flat=True)) == [approved.pk]
    assert DoublingPlan.history.filter(id=draft.pk, history_type="-", history_user=staff_user).exists()
