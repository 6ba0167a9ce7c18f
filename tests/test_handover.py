"""Submitting a feedback form hands over, in one explicit action, to the issue
list (R11) and the registry (R17): no signals, and a failure recording the
revenue figure never takes the cadre's form with it."""

import datetime
import subprocess

import pytest
from django.db import DatabaseError
from django.urls import reverse

from issues.models import IssueItem
from multiplication.models import RevenueFigure
from tests.factories import CadreFactory, PairingFactory, user_with_role
from tests.project import PACKAGES, ROOT
from tests.test_visits import form_data
from tongxiang_liaison import actions
from visits.models import Visit

pytestmark = pytest.mark.django_db
APPS = PACKAGES


@pytest.fixture
def cadre_login(client):
    cadre = CadreFactory(name="叶文海")
    user = user_with_role("cadre", cadre=cadre, username="ye")
    client.force_login(user)
    return user, PairingFactory(cadre=cadre, start_date=datetime.date(2026, 3, 27))


def test_the_form_page_submits_through_the_hand_over(client, cadre_login):
    user, pairing = cadre_login
    response = client.post(reverse("feedback:new", args=[pairing.pk]), form_data(sales="2300"), follow=True)
    visit = Visit.objects.get()
    item = IssueItem.objects.get()
    assert visit.status == Visit.Status.SUBMITTED
    assert (item.visit, item.reporter, item.events.get().actor) == (visit, pairing.cadre, user)
    assert RevenueFigure.objects.get().visit == visit
    page = response.content.decode()
    assert f"（#{item.pk}）" in page  # the confirmation names the item it made


def test_a_failing_revenue_figure_leaves_the_form_and_its_items(client, cadre_login, monkeypatch, caplog):
    _user, pairing = cadre_login

    def broken(visit):
        raise DatabaseError("registry table locked")

    monkeypatch.setattr(actions.registry_services, "record_visit_revenue", broken)
    response = client.post(reverse("feedback:new", args=[pairing.pk]), form_data(sales="2300"))
    assert response.status_code == 302
    assert Visit.objects.get().status == Visit.Status.SUBMITTED and IssueItem.objects.count() == 1
    assert not RevenueFigure.objects.exists()
    assert "revenue figure" in caplog.text


def test_a_staff_correction_in_the_admin_hands_over_a_new_problem_row(client, cadre_login, staff_user):
    _user, pairing = cadre_login
    client.post(reverse("feedback:new", args=[pairing.pk]), form_data())
    visit = Visit.objects.get()
    problem = visit.problems.get()
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    url = reverse("admin:visits_visit_change", args=[visit.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "cadre": visit.cadre_id,
            "pairing": visit.pairing_id,
            "enterprise": visit.enterprise_id,
            "visit_date": "2026-11-20",
            "mode": "onsite",
            "situation": visit.situation,
            "problems-TOTAL_FORMS": "2",
            "problems-INITIAL_FORMS": "1",
            "problems-0-id": problem.pk,
            "problems-0-visit": visit.pk,
            "problems-0-category": problem.category,
            "problems-0-description": problem.description,
            "problems-1-visit": visit.pk,
            "problems-1-category": "market",
            "problems-1-description": "外贸订单下滑",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert sorted(IssueItem.objects.values_list("category", flat=True)) == ["labour", "market"]


def test_no_domain_signals_remain():
    """The layers call each other explicitly; grep finds no Signal of ours.
    The one framework signal connected, ``post_migrate``, installs the role
    groups and schedules after ``migrate``: database setup, not a domain step."""
    found = subprocess.run(
        ["grep", "-rn", "--include=*.py", "-E", r"Signal\(|\.connect\(", *APPS],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    lines = [line for line in found.splitlines() if "post_migrate.connect(" not in line]
    assert lines == []
    assert len(found.splitlines()) == 2  # cadres: role groups; jobs: schedules
