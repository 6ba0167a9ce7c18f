"""tabular.bulk: the COPY inserts and the VALUES updates write what
``bulk_create`` and ``bulk_update`` write (on PostgreSQL; elsewhere they are
those), and PendingHistory leaves the rows a save would."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cadres.demo import demo_credit_code
from cadres.models import Pairing
from enterprises.models import Enterprise
from tabular.bulk import bulk_update, insert
from tabular.history import PendingHistory, acting_as

from .factories import CadreFactory, EnterpriseFactory, PlaceFactory, user_with_role

pytestmark = pytest.mark.django_db

AWKWARD = "制表\t换行\n回车\r反斜杠\\N 和 \\t 以及 'quote' \"double\""


def test_insert_gives_keys_times_and_the_values_as_written():
    place = PlaceFactory()
    before = timezone.now()
    made = insert(
        Enterprise,
        [
            Enterprise(
                name=AWKWARD,
                credit_code=demo_credit_code(20_000_001),
                place=place,
                annual_revenue=Decimal("12.5"),
            ),
            Enterprise(name="空值", credit_code=demo_credit_code(20_000_002), place=place, employees=None),
        ],
    )
    assert all(e.pk for e in made) and made[0].pk < made[1].pk
    first = Enterprise.objects.get(pk=made[0].pk)
    assert first.name == AWKWARD and first.annual_revenue == Decimal("12.50") and first.place == place
    assert first.created_at >= before and first.updated_at >= before
    assert Enterprise.objects.get(pk=made[1].pk).employees is None
    made[1].name = "改后"
    made[1].save()  # an inserted row is a saved row
    assert Enterprise.objects.get(pk=made[1].pk).name == "改后"


def test_insert_takes_a_related_row_saved_after_it_was_assigned():
    cadre = CadreFactory()
    enterprise = Enterprise(name="后存的企业", credit_code=demo_credit_code(20_000_003), place=PlaceFactory())
    pairing = Pairing(cadre=cadre, enterprise=enterprise, kind="town", start_date=datetime.date(2025, 1, 1))
    pairing.end_date = datetime.date(2027, 12, 31)
    insert(Enterprise, [enterprise])
    insert(Pairing, [pairing])
    assert Pairing.objects.get(pk=pairing.pk).enterprise_id == enterprise.pk


def test_bulk_update_writes_each_rows_own_values():
    rows = [EnterpriseFactory(employees=n) for n in (1, 2, 3)]
    rows[0].annual_revenue, rows[0].address = Decimal("1.25"), AWKWARD
    rows[1].annual_revenue, rows[1].employees = None, None
    rows[2].revenue_year = 2025
    assert bulk_update(Enterprise, rows, ["annual_revenue", "address", "employees", "revenue_year"]) == 3
    stored = {e.pk: e for e in Enterprise.objects.all()}
    assert (stored[rows[0].pk].annual_revenue, stored[rows[0].pk].address) == (Decimal("1.25"), AWKWARD)
    assert (stored[rows[1].pk].annual_revenue, stored[rows[1].pk].employees) == (None, None)
    assert (stored[rows[2].pk].employees, stored[rows[2].pk].revenue_year) == (3, 2025)


def test_pending_history_leaves_the_rows_a_save_would():
    staff = user_with_role("liaison_staff")
    cadre, enterprise = CadreFactory(), EnterpriseFactory()
    pairing = Pairing(
        cadre=cadre,
        enterprise=enterprise,
        kind="town",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2027, 12, 31),
    )
    history = PendingHistory()
    with acting_as(staff):
        history.saved(pairing, created=True)
        pairing.ended_on, pairing.ended_reason = datetime.date(2026, 1, 1), "企业注销"
        history.saved(pairing)
    insert(Pairing, [pairing])
    history.write()
    rows = list(Pairing.history.filter(id=pairing.pk).order_by("history_id"))
    assert [(r.history_type, r.ended_reason, r.history_user) for r in rows] == [
        ("+", "", staff),
        ("~", "企业注销", staff),
    ]
    assert rows[0].history_change_reason is None and rows[0].created_at is not None
