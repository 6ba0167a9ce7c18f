"""The cadre files the feedback form (Attachment 1, R7–R9): validation,
draft → submit → read-only, joint visits, problems onto the issue list, and
nobody reaches another cadre's pairings or forms."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from cadres.models import Cadre
from issues.models import IssueItem
from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, user_with_role
from tongxiang_liaison.actions import correct_feedback, submit_feedback
from visits import selectors, services
from visits.models import Visit, VisitCredit
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 26)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(
        datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        yield


@pytest.fixture
def cadre():
    return CadreFactory(name="叶文海")


@pytest.fixture
def cadre_user(cadre):
    return user_with_role("cadre", cadre=cadre, username="ganbu")


@pytest.fixture
def pairing(cadre):
    return PairingFactory(cadre=cadre, start_date=D(2026, 3, 27))


def form_data(**overrides):
    data = {
        "visit_date": "2026-11-20",
        "mode": "onsite",
        "met_head": "on",
        "situation": "订单饱满，生产正常。",
        "problems-TOTAL_FORMS": "2",
        "problems-INITIAL_FORMS": "0",
        "problems-MIN_NUM_FORMS": "0",
        "problems-MAX_NUM_FORMS": "1000",
        "problems-0-category": "labour",
        "problems-0-description": "一线操作工招工难",
        "problems-1-category": "",
        "problems-1-description": "",
        "action": "submit",
    }
    data.update(overrides)
    return data


def post_form(client, pairing, **overrides):
    return client.post(reverse("feedback:new", args=[pairing.pk]), form_data(**overrides))


def test_submitting_the_form_marks_the_pairing_visited_and_lists_the_problem(client, cadre_user, pairing):
    client.force_login(cadre_user)
    response = post_form(client, pairing)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("visits:detail", args=[visit.pk])
    assert visit.status == "submitted" and visit.submitted_at is not None
    (state,) = selectors.my_pairings(pairing.cadre, TODAY)
    assert state.state == "visited"
    item = IssueItem.objects.get()
    assert (item.enterprise, item.reporter, item.category, item.visit) == (
        pairing.enterprise,
        pairing.cadre,
        "labour",
        visit,
    )
    assert item.get_status_display() == "新提交"


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"visit_date": "2026-11-27"}, "visit_date", "将来"),
        ({"visit_date": "2026-03-26"}, "visit_date", "早于结对开始"),
        ({"visit_date": "2026/13/01"}, "visit_date", ""),
        ({"output_value": "-1"}, "output_value", ""),
        ({"employees": "-5"}, "employees", ""),
        ({"tax": "abc"}, "tax", ""),
    ],
)
def test_bad_input_redisplays_the_form_with_errors_and_input_kept(
    client, cadre_user, pairing, overrides, field, message
):
    client.force_login(cadre_user)
    response = post_form(client, pairing, **overrides)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field])
    page = response.content.decode()
    assert "订单饱满，生产正常。" in page and "一线操作工招工难" in page  # nothing typed is lost
    assert Visit.objects.count() == 0


def test_a_problem_row_needs_both_category_and_description(client, cadre_user, pairing):
    client.force_login(cadre_user)
    response = post_form(client, pairing, **{"problems-0-category": ""})
    assert response.status_code == 200 and response.context["problems"].total_error_count() == 1
    assert Visit.objects.count() == 0


def test_phone_visit_is_recorded_but_does_not_count(client, cadre_user, pairing):
    client.force_login(cadre_user)
    post_form(client, pairing, mode="phone")
    assert Visit.objects.get().status == "submitted"
    assert not VisitCredit.objects.exists()
    (state,) = selectors.my_pairings(pairing.cadre, TODAY)
    assert state.state == "overdue"  # not visited this quarter, and 2026Q3 was missed too


def test_draft_then_submit_then_read_only(client, cadre_user, pairing):
    client.force_login(cadre_user)
    response = post_form(client, pairing, action="draft", situation="")
    visit = Visit.objects.get()
    assert visit.status == "draft" and response["Location"] == reverse("feedback:edit", args=[visit.pk])
    assert not VisitCredit.objects.exists() and not IssueItem.objects.exists()

    # Submitting needs the enterprise's situation (R9).
    edit = reverse("feedback:edit", args=[visit.pk])
    response = client.post(edit, form_data(situation=""))
    assert response.status_code == 200 and "situation" in response.context["form"].errors

    response = client.post(edit, form_data(situation="已补充"))
    visit.refresh_from_db()
    assert visit.status == "submitted"

    # Now read-only: the edit page sends the cadre to the view, a POST changes nothing.
    assert client.get(edit)["Location"] == reverse("visits:detail", args=[visit.pk])
    client.post(edit, form_data(situation="篡改"))
    visit.refresh_from_db()
    assert visit.situation == "已补充"
    with pytest.raises(Exception, match="已提交"):
        services.save_visit(visit, companions=[], problems=[])


def test_more_rows_button_keeps_the_input_and_adds_blank_rows(client, cadre_user, pairing):
    client.force_login(cadre_user)
    response = post_form(client, pairing, action="more_rows")
    assert response.status_code == 200 and Visit.objects.count() == 0
    assert response.context["problems"].total_form_count() == 4
    page = response.content.decode()
    assert "一线操作工招工难" in page and "订单饱满" in page
    assert 'class="errorlist"' not in page


def test_joint_visit_counts_for_each_companions_pairing(client, cadre_user, pairing):
    """R6, R7: a town cadre who came along has visited too."""
    companion = CadreFactory(name="同行干部")
    other_pairing = PairingFactory(cadre=companion, enterprise=pairing.enterprise, start_date=D(2026, 3, 27))
    unrelated = PairingFactory(cadre=companion, enterprise=EnterpriseFactory(), start_date=D(2026, 3, 27))
    client.force_login(cadre_user)
    post_form(client, pairing, companions=[companion.pk])
    states = {s.pairing.pk: s.state for s in selectors.my_pairings(companion, TODAY)}
    assert states == {other_pairing.pk: "visited", unrelated.pk: "overdue"}
    assert Visit.objects.get().companions.get() == companion


def test_companion_choices_are_the_other_cadres_of_that_enterprise(client, cadre_user, pairing):
    linked = PairingFactory(enterprise=pairing.enterprise).cadre
    stranger = CadreFactory()
    client.force_login(cadre_user)
    response = post_form(client, pairing, companions=[stranger.pk])
    assert response.status_code == 200 and "companions" in response.context["form"].errors
    choices = set(response.context["form"].fields["companions"].queryset)
    assert choices == {linked}


def test_overdue_when_the_previous_quarter_was_missed(cadre, pairing):
    (state,) = selectors.my_pairings(cadre, TODAY)
    assert state.state == "overdue"  # due in 2026Q3, never visited
    visit = Visit.objects.create(
        cadre=cadre, pairing=pairing, enterprise=pairing.enterprise, visit_date=D(2026, 8, 1), situation="x"
    )
    submit_feedback(visit, by=None)
    (state,) = selectors.my_pairings(cadre, TODAY)
    assert state.state == "due" and state.days_left == Quarter(2026, 4).days_left(TODAY) == 36


def test_first_visit_deadline_shows_until_the_first_visit(cadre):
    pairing = PairingFactory(cadre=cadre, start_date=D(2026, 3, 27))
    (state,) = selectors.my_pairings(cadre, TODAY)
    assert state.first_visit_deadline == D(2026, 4, 15) and state.first_visit_overdue
    later = PairingFactory(cadre=cadre, start_date=D(2026, 5, 1))
    states = {s.pairing.pk: s for s in selectors.my_pairings(cadre, TODAY)}
    assert states[later.pk].first_visit_deadline == D(2026, 5, 31)  # began after 15 April: its own
    visit = Visit.objects.create(
        cadre=cadre, pairing=pairing, enterprise=pairing.enterprise, visit_date=D(2026, 4, 10), situation="x"
    )
    submit_feedback(visit, by=None)
    states = {s.pairing.pk: s for s in selectors.my_pairings(cadre, TODAY)}
    assert states[pairing.pk].first_visit_deadline is None


def test_problems_become_issue_items_once(cadre, pairing):
    visit = Visit.objects.create(
        cadre=cadre, pairing=pairing, enterprise=pairing.enterprise, visit_date=D(2026, 11, 2), situation="x"
    )
    services.save_visit(visit, companions=[], problems=[("funding", "贷款难"), ("market", "订单下滑")])
    submit_feedback(visit, by=None)
    submit_feedback(visit, by=None)  # twice: nothing more
    correct_feedback(visit, by=None)  # a staff correction: nothing more
    assert sorted(IssueItem.objects.values_list("category", flat=True)) == ["funding", "market"]


# -- nobody reaches another cadre's pairings or forms -------------------------


@pytest.fixture
def other_visit():
    other = CadreFactory(name="别人")
    other_pairing = PairingFactory(cadre=other, start_date=D(2026, 3, 27))
    visit = Visit.objects.create(
        cadre=other,
        pairing=other_pairing,
        enterprise=other_pairing.enterprise,
        visit_date=D(2026, 11, 2),
        situation="x",
    )
    return visit


def test_probing_ids_of_another_cadre_gives_404(client, cadre_user, pairing, other_visit):
    client.force_login(cadre_user)
    for name in ("visits:detail", "feedback:edit", "visits:print", "visits:xlsx"):
        assert client.get(reverse(name, args=[other_visit.pk])).status_code == 404, name
    assert client.get(reverse("feedback:new", args=[other_visit.pairing.pk])).status_code == 404
    assert client.post(reverse("feedback:new", args=[other_visit.pairing.pk]), form_data()).status_code == 404
    assert client.get(reverse("visits:detail", args=[999_999])).status_code == 404
    page = client.get(reverse("visits:my")).content.decode()
    assert other_visit.enterprise.name not in page


def test_ended_pairing_cannot_be_filed_for(client, cadre_user, cadre):
    ended = PairingFactory(
        cadre=cadre, start_date=D(2026, 3, 27), ended_on=D(2026, 6, 30), ended_reason="调离"
    )
    client.force_login(cadre_user)
    assert client.get(reverse("feedback:new", args=[ended.pk])).status_code == 404


def test_staff_and_unitless_users_have_no_cadre_pages(client, staff_user):
    client.force_login(staff_user)
    assert client.get(reverse("visits:my")).status_code == 403


def test_officer_sees_own_units_forms_only(client, unit_a, officer_a, other_visit):
    own_cadre = CadreFactory(unit=unit_a)
    own_pairing = PairingFactory(cadre=own_cadre, start_date=D(2026, 3, 27))
    own = Visit.objects.create(
        cadre=own_cadre, pairing=own_pairing, enterprise=own_pairing.enterprise, visit_date=D(2026, 11, 2)
    )
    client.force_login(officer_a)
    assert client.get(reverse("visits:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("visits:detail", args=[other_visit.pk])).status_code == 404


# -- print, export, history, query counts --------------------------------------


def test_print_view_and_xlsx_export(client, cadre_user, pairing):
    client.force_login(cadre_user)
    post_form(client, pairing)
    visit = Visit.objects.get()
    page = client.get(reverse("visits:print", args=[visit.pk])).content.decode()
    assert "“干部联千企、服务助转型”活动情况反馈表" in page and "print-form.css" in page
    response = client.get(reverse("visits:xlsx", args=[visit.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "“干部联千企、服务助转型”活动情况反馈表" in values
    assert pairing.enterprise.name in values and "一线操作工招工难" in values


def test_staff_correction_is_kept_in_history(client, cadre_user, pairing, staff_user):
    client.force_login(cadre_user)
    post_form(client, pairing)
    visit = Visit.objects.get()
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    change = reverse("admin:visits_visit_change", args=[visit.pk])
    form = client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "companions"}
    data.update(
        {
            "visit_date": "2026-11-19",
            "situation": "联络办更正：订单饱满",
            "problems-TOTAL_FORMS": "1",
            "problems-INITIAL_FORMS": "1",
            "problems-0-id": str(visit.problems.get().pk),
            "problems-0-visit": str(visit.pk),
            "problems-0-category": "labour",
            "problems-0-description": "一线操作工招工难",
        }
    )
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = visit.history.first()
    assert record.history_user == staff_user and record.situation == "联络办更正：订单饱满"
    delta = record.diff_against(record.prev_record)
    assert {c.field for c in delta.changes} >= {"situation", "visit_date"}
    assert VisitCredit.objects.get().visit_date == D(2026, 11, 19)  # counting follows the correction


def test_my_enterprises_with_50_pairings_stays_under_10_queries(
    client, cadre_user, cadre, django_assert_max_num_queries
):
    for _ in range(50):
        PairingFactory(cadre=cadre, start_date=D(2026, 3, 27))
    client.force_login(cadre_user)
    # 10: the header asks once whether the cadre attended a meeting (to link 形势分析会).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("visits:my"))
    assert response.content.decode().count('class="card state-') == 50


def test_the_form_reads_in_english_when_switched(client, cadre_user, pairing):
    client.force_login(cadre_user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("feedback:new", args=[pairing.pk])).content.decode()
    assert "Visit date" in page and "Save draft" in page


def test_cadre_lands_on_my_enterprises_after_login(client, cadre_user):
    response = client.post(
        reverse("login"), {"username": "ganbu", "password": "pw-for-tests-only"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("visits:my")
    assert Cadre.objects.get(user=cadre_user).name in response.content.decode()
