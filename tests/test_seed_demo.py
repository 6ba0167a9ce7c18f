"""seed_demo: deterministic, valid under every rule, safe to run twice."""

import io

import pytest
from django.core.management import call_command
from django.http import HttpRequest

from cadres import services
from cadres.models import Cadre, Pairing, QuarterClose, Unit
from coordination.models import GoodPractice, Meeting
from dashboards.models import CadreCell, FigureCell
from enterprises.credit_code import is_valid_credit_code
from enterprises.models import Enterprise
from issues.models import EscalationSlip, IssueItem, ReferralSlip, SerialCounter
from multiplication import services as registry
from multiplication.models import DoublingPlan, Membership
from visits.models import Visit

pytestmark = pytest.mark.django_db


def seed(**kwargs):
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


def snapshot():
    return (
        list(Enterprise.objects.order_by("credit_code").values_list("credit_code", "name", "place__name")),
        list(Cadre.objects.order_by("mobile").values_list("mobile", "name", "unit__name", "rank")),
        sorted(Pairing.objects.values_list("cadre__mobile", "enterprise__credit_code", "kind", "start_date")),
        sorted(Visit.objects.values_list("cadre__mobile", "enterprise__credit_code", "visit_date", "mode")),
        sorted(IssueItem.objects.values_list("enterprise__credit_code", "category", "status", "reported_on")),
        sorted(ReferralSlip.objects.values_list("serial", "department__name", "deadline", "status")),
        sorted(
            Membership.objects.values_list("enterprise__credit_code", "category", "started_on", "ended_on")
        ),
        sorted(Meeting.objects.values_list("coordinator__mobile", "held_on")),
        sorted(
            FigureCell.objects.values_list(
                "quarter", "unit__name", "place__name", "category", "due", "visited"
            )
        ),
    )


def wipe():
    QuarterClose.objects.all().delete()  # the closed quarters' frozen figures keep their cadres
    GoodPractice.objects.all().delete()
    Meeting.objects.all().delete()
    FigureCell.objects.all().delete()
    CadreCell.objects.all().delete()
    DoublingPlan.objects.all().delete()
    Membership.objects.all().delete()
    ReferralSlip.objects.all().delete()
    EscalationSlip.objects.all().delete()
    SerialCounter.objects.all().delete()  # numbers are never reused in real life; a fresh city here
    IssueItem.objects.all().delete()
    Visit.objects.all().delete()
    Pairing.objects.all().delete()
    Unit.objects.update(principal_leader=None, deputy_in_charge=None, information_officer=None)
    Cadre.objects.all().delete()
    Enterprise.objects.all().delete()


def test_same_seed_same_data():
    seed(enterprises=80, cadres=60, seed=7)
    first = snapshot()
    wipe()
    seed(enterprises=80, cadres=60, seed=7)
    assert snapshot() == first
    wipe()
    seed(enterprises=80, cadres=60, seed=8)
    assert snapshot() != first


def test_demo_data_passes_every_rule():
    seed(enterprises=200, cadres=120, seed=3)
    assert Enterprise.objects.count() == 200 and Cadre.objects.count() == 120
    assert all(
        is_valid_credit_code(code) for code in Enterprise.objects.values_list("credit_code", flat=True)
    )
    for model in (Enterprise, Cadre, Unit):
        for obj in model.objects.all():
            obj.full_clean()
    for pairing in Pairing.objects.select_related("cadre__unit", "enterprise"):
        services.validate_pairing(pairing)
    assert Visit.objects.count() > 0
    for visit in Visit.objects.select_related("pairing"):
        visit.full_clean()  # date within the term, not in the future, own pairing
    assert Membership.objects.count() > 0 and DoublingPlan.objects.filter(status="approved").exists()
    for membership in Membership.objects.all():
        registry.validate_membership(membership)  # evidence (R17), no overlapping periods


def test_running_twice_keeps_data_and_prints_working_logins(client):
    seed(enterprises=50, cadres=40, seed=1)
    counts = (Enterprise.objects.count(), Pairing.objects.count())
    output = seed(enterprises=50, cadres=40, seed=1)
    assert (Enterprise.objects.count(), Pairing.objects.count()) == counts
    assert "跳过" in output
    for username in ("lianluoban", "xinxiyuan", "ganbu", "lingdao", "ducha"):
        assert username in output
        assert client.login(request=HttpRequest(), username=username, password="Tongxiang-2026")
