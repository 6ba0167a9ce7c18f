"""Free text has a length limit, enforced on the server with a Chinese error
that the form re-displays (nothing is saved), carried by the models (so the
admin has it too) and put on each field as ``maxlength`` for the counter."""

import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from coordination.forms import DecisionForm, MeetingForm
from coordination.models import GoodPractice, Meeting
from issues.forms import AnswerForm, ExtensionForm, MoveForm, SuperviseForm
from issues.models import IssueItem, ReferralSlip, SpotCheck
from issues.spot_views import CheckForm, SummaryForm
from tabular import inputs
from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, user_with_role
from visits.forms import ProblemForm
from visits.models import Visit, VisitProblem

pytestmark = pytest.mark.django_db

# Each model's free-text fields and their limits.
FIELD_LIMITS = {
    Visit: {
        "situation": inputs.SITUATION,
        "urgent_services": inputs.PROBLEM,
        "policies_explained": inputs.PROBLEM,
        "suggestions": inputs.PROBLEM,
        "other_companions": 200,
    },
    VisitProblem: {"description": inputs.PROBLEM},
    IssueItem: {"description": inputs.PROBLEM, "closing_reason": inputs.REASON},
    ReferralSlip: {
        "requirement": inputs.REASON,
        "measures": inputs.PROBLEM,
        "result": inputs.PROBLEM,
        "return_reason": inputs.REASON,
    },
    SpotCheck: {"finding": inputs.PROBLEM},
    Meeting: {"topics": inputs.SITUATION, "decisions": inputs.SITUATION, "invited_officials": inputs.REASON},
    GoodPractice: {"body": inputs.ARTICLE},
}
LIMITS = [(model, name, limit) for model, fields in FIELD_LIMITS.items() for name, limit in fields.items()]


@pytest.mark.parametrize("model,name,limit", LIMITS, ids=lambda v: getattr(v, "__name__", str(v)))
def test_the_models_carry_the_limits(model, name, limit):
    assert model._meta.get_field(name).max_length == limit


@pytest.fixture
def cadre_pairing(client):
    cadre = CadreFactory()
    client.force_login(user_with_role("cadre", cadre=cadre))
    return PairingFactory(
        cadre=cadre,
        enterprise=EnterpriseFactory(),
        start_date=timezone.localdate() - datetime.timedelta(days=100),
    )


def _visit_post(**overrides):
    data = {
        "visit_date": timezone.localdate().isoformat(),
        "mode": "onsite",
        "met_head": "on",
        "situation": "订单饱满",
        "problems-TOTAL_FORMS": "1",
        "problems-INITIAL_FORMS": "0",
        "problems-MIN_NUM_FORMS": "0",
        "problems-MAX_NUM_FORMS": "1000",
        "problems-0-category": "labour",
        "problems-0-description": "招工难",
        "action": "submit",
    }
    return {**data, **overrides}


def test_a_10000_character_problem_is_refused_with_a_chinese_error_and_the_form_comes_back(
    client, cadre_pairing
):
    long_text = "招" * 10_000
    response = client.post(
        reverse("feedback:new", args=[cadre_pairing.pk]),
        _visit_post(**{"problems-0-description": long_text}),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "最多 1000 字，现在 10000 字，请删减后再保存。" in page
    assert long_text in page  # what was typed is kept for the cadre to shorten
    assert Visit.objects.count() == 0 and IssueItem.objects.count() == 0


def test_a_situation_over_2000_characters_is_refused(client, cadre_pairing):
    response = client.post(
        reverse("feedback:new", args=[cadre_pairing.pk]), _visit_post(situation="产" * 2001, action="draft")
    )
    assert response.status_code == 200
    assert "最多 2000 字，现在 2001 字，请删减后再保存。" in response.content.decode()
    assert Visit.objects.count() == 0
    ok = client.post(reverse("feedback:new", args=[cadre_pairing.pk]), _visit_post(situation="产" * 2000))
    assert ok.status_code == 302 and len(Visit.objects.get().situation) == 2000


def test_the_fields_carry_maxlength_for_the_counter(client, cadre_pairing):
    page = client.get(reverse("feedback:new", args=[cadre_pairing.pk])).content.decode()
    assert 'name="situation" cols="40" rows="4" maxlength="2000"' in page
    assert 'name="problems-0-description" cols="40" rows="2" maxlength="1000"' in page
    assert "js/text-counter.js" in page


@pytest.mark.parametrize(
    "form_class,data,field,limit",
    [
        (ProblemForm, {"category": "labour"}, "description", inputs.PROBLEM),
        (AnswerForm, {}, "result", inputs.PROBLEM),
        (AnswerForm, {"result": "x"}, "measures", inputs.PROBLEM),
        (ExtensionForm, {"extra_working_days": "3"}, "reason", inputs.REASON),
        (SuperviseForm, {}, "note", inputs.REASON),
        (
            CheckForm,
            {"method": "phone", "checked_on": "2026-12-02", "visit_confirmed": "true"},
            "finding",
            inputs.PROBLEM,
        ),  # fmt: skip
        (SummaryForm, {}, "summary", inputs.SITUATION),
        (DecisionForm, {}, "decision", inputs.PROBLEM),
    ],
)
def test_the_plain_forms_refuse_text_over_the_limit(form_class, data, field, limit):
    assert form_class({**data, field: "字" * limit}).is_valid()
    form = form_class({**data, field: "字" * (limit + 1)})
    assert not form.is_valid()
    assert form.errors[field] == [f"最多 {limit} 字，现在 {limit + 1} 字，请删减后再保存。"]


def test_the_move_form_limits_its_reason():
    item = IssueItem(status=IssueItem.Status.OFFICE)
    form = MoveForm({"to_status": "unsolvable", "reason": "因" * 501}, item=item)
    assert not form.is_valid() and "reason" in form.errors


def test_the_admin_form_has_the_same_limit(staff_user):
    model_admin = admin.site._registry[Meeting]
    request = RequestFactory().get("/admin/")
    request.user = staff_user
    form_class = model_admin.get_form(request)
    assert form_class.base_fields["topics"].max_length == inputs.SITUATION
    assert MeetingForm.base_fields["topics"].max_length == inputs.SITUATION


def test_the_spot_check_notice_keeps_a_too_long_summary_and_saves_nothing(client, staff_user):
    from issues.models import SpotCheckBatch

    batch = SpotCheckBatch.objects.create(
        title="抽查", quarter="2026Q3", seed=1, sample_size=1, created_by=staff_user
    )
    client.force_login(staff_user)
    response = client.post(reverse("issues:spotcheck_notice", args=[batch.pk]), {"summary": "通" * 2001})
    assert response.status_code == 200
    assert "最多 2000 字，现在 2001 字，请删减后再保存。" in response.content.decode()
    batch.refresh_from_db()
    assert batch.summary == ""


def test_a_too_long_meeting_decision_is_shown_again_with_its_error(client, staff_user):
    from cadres.models import CoordinatorRegion
    from coordination.models import MeetingItem
    from tests.factories import CityLeaderFactory, PlaceFactory

    leader = CityLeaderFactory(is_coordinator=True)
    place = PlaceFactory()
    CoordinatorRegion.objects.create(cadre=leader, place=place)
    meeting = Meeting.objects.create(
        coordinator=leader, held_on=timezone.localdate(), quarter="2026Q4", topics="x"
    )
    item = IssueItem.objects.create(
        enterprise=EnterpriseFactory(place=place),
        reporter=CadreFactory(),
        category="other",
        description="道路",
    )
    row = MeetingItem.objects.create(meeting=meeting, item=item)
    client.force_login(staff_user)
    response = client.post(
        reverse("coordination:meeting", args=[meeting.pk]),
        {"row": row.pk, "action": "decide", f"d{row.pk}-decision": "决" * 1001},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "最多 1000 字，现在 1001 字，请删减后再保存。" in page and "决" * 1001 in page
    row.refresh_from_db()
    assert row.decision == ""


def test_a_too_long_spot_check_finding_is_reported_by_the_fields_label(client, staff_user):
    from issues.models import SpotCheckBatch

    batch = SpotCheckBatch.objects.create(
        title="抽查", quarter="2026Q3", seed=1, sample_size=1, created_by=staff_user
    )
    pairing = PairingFactory()
    check = SpotCheck.objects.create(batch=batch, cadre=pairing.cadre, enterprise=pairing.enterprise)
    client.force_login(user_with_role("supervisor"))
    response = client.post(
        reverse("issues:spotcheck_batch", args=[batch.pk]),
        {
            "check": check.pk,
            f"c{check.pk}-method": "phone",
            f"c{check.pk}-checked_on": "2026-10-10",
            f"c{check.pk}-visit_confirmed": "true",
            f"c{check.pk}-finding": "查" * 1001,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "抽查记录有误：抽查发现：最多 1000 字，现在 1001 字，请删减后再保存。" in page
    assert "finding" not in page.split('<ul class="messages">')[1].split("</ul>")[0]
    check.refresh_from_db()
    assert check.finding == "" and check.checked_on is None
