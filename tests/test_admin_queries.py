"""Admin changelists cost a fixed number of queries, whatever the number of rows."""

import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15  # 14, and the pairings filter of every unit with cadres (its own query)


def populate(count):
    for _ in range(count):
        unit = f.UnitFactory()
        cadre = f.CadreFactory(unit=unit)
        unit.principal_leader = unit.deputy_in_charge = unit.information_officer = cadre
        unit.save()
        f.PairingFactory(cadre=cadre, enterprise=f.EnterpriseFactory())
        f.AreaAssignmentFactory()


def queries_for(client, url, rows):
    """The number of queries of the changelist at ``url``, which must answer
    200, count ``rows`` rows and show them (a page's worth)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert response.context["cl"].result_count == rows
    body = re.search(r'<table id="result_list">.*?<tbody>(.*?)</tbody>', page, re.S)
    shown = body.group(1).count("<tr") if body else 0
    assert shown == min(rows, response.context["cl"].list_per_page), page[:2000]
    return len(captured)


def queries_stay_flat(client, changelist, make_rows, django_assert_max_num_queries):
    """The changelist costs as many queries with 3 rows more as with 30 more, and at most MAX_QUERIES."""
    url = reverse(changelist)
    model = apps.get_model(*changelist.removeprefix("admin:").removesuffix("_changelist").split("_"))
    make_rows(3)
    few = queries_for(client, url, rows=model.objects.count())
    make_rows(30)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries_for(client, url, rows=model.objects.count())
    assert many == few


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:enterprises_enterprise_changelist",
        "admin:enterprises_place_changelist",
        "admin:cadres_unit_changelist",
        "admin:cadres_cadre_changelist",
        "admin:cadres_pairing_changelist",
        "admin:cadres_areaassignment_changelist",
        "admin:cadres_serviceitem_changelist",
    ],
)
def test_changelist_queries_do_not_grow_with_rows(
    client, staff_user, changelist, django_assert_max_num_queries
):
    client.force_login(staff_user)
    queries_stay_flat(client, changelist, populate, django_assert_max_num_queries)


def test_officer_changelist_is_bounded_too(client, officer_a, unit_a, django_assert_max_num_queries):
    for _ in range(40):
        f.PairingFactory(cadre=f.CadreFactory(unit=unit_a))
    f.PairingFactory()  # another unit's: not the officer's to see
    client.force_login(officer_a)
    with django_assert_max_num_queries(MAX_QUERIES):
        queries_for(client, reverse("admin:cadres_pairing_changelist"), rows=40)


def test_large_unfiltered_changelist_reads_the_planners_estimate(client, staff_user, postgres, monkeypatch):
    """No COUNT(*) over a whole large table: PostgreSQL's estimate stands in."""
    from tabular import paging

    monkeypatch.setattr(paging, "EXACT_BELOW", 10)
    for _ in range(30):
        f.EnterpriseFactory()
    with postgres.cursor() as cursor:
        cursor.execute("ANALYZE enterprises_enterprise")
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("admin:enterprises_enterprise_changelist"))
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    assert not any("COUNT(*)" in q.upper() and "enterprises_enterprise" in q for q in sql), sql
    assert any("reltuples" in q for q in sql)
    # A filtered list is still counted exactly.
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("admin:enterprises_enterprise_changelist") + "?q=测试")
    assert any("COUNT(*)" in q["sql"].upper() for q in captured.captured_queries)


def sign_in_records(count):
    """``count`` contacts each with a code, a session, two log rows and an answered confirmation."""
    for n in range(count):
        contact = f.EnterpriseContactFactory()
        f.SignInCodeFactory(mobile=contact.mobile)
        f.ContactSessionFactory(contact=contact)
        f.SignInLogFactory(mobile=contact.mobile, contact=contact)
        f.SignInLogFactory(mobile=contact.mobile, outcome="wrong_code")
        item = f.IssueItemFactory(enterprise=contact.enterprise, status="resolved")
        verdict = ("satisfied", "basic", "")[n % 3]
        f.ConfirmationFactory(item=item, verdict=verdict, contact=contact if verdict else None)


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:enterprises_signinlog_changelist",
        "admin:enterprises_signincode_changelist",
        "admin:enterprises_contactsession_changelist",
        "admin:issues_confirmation_changelist",
    ],
)
def test_the_record_changelists_do_not_grow_with_rows(
    client, staff_user, changelist, django_assert_max_num_queries
):
    """The enterprise pages' sign-in records and the enterprises' verdicts
    (issue 17): their contacts, enterprises and items read with the rows."""
    client.force_login(staff_user)
    queries_stay_flat(client, changelist, sign_in_records, django_assert_max_num_queries)
