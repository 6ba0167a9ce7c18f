"""Statuses change only through their tables (issues.workflow for items,
issues.slip_workflow for slips; visits.services for a form): the services
refuse what a table does not allow, each action is its own POST, a page offers
only the actions its user may take, and no admin has an editable status."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape

from issues import services, slip_workflow
from issues.models import ExtensionRequest, ReferralSlip
from tests.factories import (
    ConfirmationFactory,
    IssueItemFactory,
    UnitFactory,
    office_item,
    user_with_role,
)
from tests.permission_world import ROLES, build_world

pytestmark = pytest.mark.django_db
RS = ReferralSlip.Status
TODAY = datetime.date(2026, 12, 2)


def slip_in(status, staff_user, **extra):
    unit = UnitFactory(name="市金融办")
    item = office_item(description="续贷", by=staff_user)
    slip = services.refer(item, department=unit, by=staff_user, on=datetime.date(2026, 11, 2))
    ReferralSlip.objects.filter(pk=slip.pk).update(status=status, **extra)
    slip.refresh_from_db()
    return slip


@pytest.mark.parametrize(
    "name, call",
    [
        ("answer", lambda s, u: services.answer(s, measures="", result="已办", by=u)),
        (
            "extension",
            lambda s, u: services.request_extension(s, reason="等批复", extra_working_days=3, by=u),
        ),
        ("accept", lambda s, u: services.accept(s, by=u)),
        ("send_back", lambda s, u: services.send_back(s, by=u, reason="不全")),
        ("supervise", lambda s, u: services.supervise(s, by=u, on=datetime.date(2026, 12, 1))),
    ],
)
@pytest.mark.parametrize("status", list(RS))
def test_each_service_takes_exactly_the_moves_of_the_table(staff_user, name, call, status):
    slip = slip_in(status, staff_user)
    allowed = status in slip_workflow.REFERRAL[name].sources
    if allowed:
        call(slip, staff_user)
    else:
        with pytest.raises(ValidationError) as refused:
            call(slip, staff_user)
        assert refused.value.messages == [slip_workflow.refusal(slip, name)]


def test_supervision_only_once_overdue(staff_user):
    slip = slip_in(RS.ISSUED, staff_user)
    assert not slip_workflow.may(staff_user, slip, "supervise", today=slip.deadline)
    assert slip_workflow.may(staff_user, slip, "supervise", today=slip.deadline + datetime.timedelta(days=1))
    assert not slip_workflow.is_overdue(slip_in(RS.ANSWERED, staff_user), datetime.date(2027, 6, 1))


# Who may take which action on slip A of the permission world, written from
# the rules (R12, R13, R18), not read from slip_workflow: the department's
# officer answers, asks for time and files progress; the office decides
# everything else; the leader the escalation is addressed to instructs.
DEPARTMENT = {"dept_officer"}
OFFICE = {"staff", "superuser"}
MAY = {
    "slip_answer": DEPARTMENT,
    "slip_extension": DEPARTMENT,
    "slip_progress": DEPARTMENT | OFFICE,
    "slip_accept": OFFICE,
    "slip_send_back": OFFICE,
    "slip_supervise": OFFICE,
    "slip_decide_extension": OFFICE,
    "escalation_instruct": {"leader"} | OFFICE,
    "escalation_conclude": OFFICE,
}
SEES_SLIP = {"dept_officer", "leader", "supervisor", "staff", "superuser"}
SEES_ESCALATION = {"leader", "supervisor", "staff", "superuser"}


def test_each_role_may_post_exactly_its_actions(client, staff_user):
    """A role that may not see the slip gets 404, one that sees it but may not
    act 403; one that may act gets the page back (an empty form's errors, 200)
    or is sent on (302). Nothing changes for the refused."""
    users, objects = build_world(staff_user)
    slip, escalation = objects["A"]["slip"], objects["A"]["escalation"]
    extension = ExtensionRequest.objects.create(
        slip=slip, reason="等", extra_working_days=2, requested_by=staff_user
    )
    wrong = []
    for name, allowed in MAY.items():
        target = escalation if name.startswith("escalation") else slip
        sees = SEES_ESCALATION if name.startswith("escalation") else SEES_SLIP
        kwargs = {"pk": target.pk, **({"extension": extension.pk} if name == "slip_decide_extension" else {})}
        url = reverse(f"issues:{name}", kwargs=kwargs)
        for role in ROLES:
            client.logout()
            if role != "anon":
                client.force_login(users[role])
            status_before = type(target).objects.get(pk=target.pk).status
            code = client.post(url, {}).status_code
            expected = (
                {302}
                if role == "anon"
                else {200, 302}
                if role in allowed
                else {403}
                if role in sees
                else {404}
            )
            if code not in expected:
                wrong.append(f"{name} {role}: {code}, expected {sorted(expected)}")
            if role not in allowed and type(target).objects.get(pk=target.pk).status != status_before:
                wrong.append(f"{name} {role}: changed the status")
    assert not wrong, "\n".join(wrong)


def test_the_slip_page_offers_only_the_users_actions(client, staff_user):
    users, objects = build_world(staff_user)
    slip = objects["A"]["slip"]
    page_for = {}
    for role in ("dept_officer", "staff", "supervisor", "leader"):
        client.force_login(users[role])
        page_for[role] = client.get(reverse("issues:slip", args=[slip.pk])).content.decode()
    answer, accept = (
        reverse("issues:slip_answer", args=[slip.pk]),
        reverse("issues:slip_accept", args=[slip.pk]),
    )
    assert answer in page_for["dept_officer"] and accept not in page_for["dept_officer"]
    assert answer not in page_for["staff"]  # issued: nothing to accept yet
    for role in ("supervisor", "leader"):  # they read, they do not act
        assert '<form method="post" action="/slips/' not in page_for[role]


def _status_fields(model):
    owned = ("status", "decision", "verdict")  # verdict: the enterprise's, by services.confirm / deem_overdue
    return {f.name for f in model._meta.concrete_fields if f.name in owned}


def test_no_admin_lets_a_status_be_edited(staff_user):
    """Walk every registered admin as a superuser; a field a service owns (a
    status or a decision) is never a form field, on add or on change."""
    root = user_with_role("liaison_staff", username="root")
    root.is_superuser = root.is_staff = True
    root.save()
    _users, objects = build_world(staff_user)  # a row of every model with a status, to open its change form
    item = IssueItemFactory(enterprise=objects["A"]["item"].enterprise, status="resolved")
    ConfirmationFactory(item=item)  # asked, not answered yet
    request = RequestFactory().get("/admin/")
    request.user = root
    editable, checked = [], set()
    for model, model_admin in admin.site._registry.items():
        owned = _status_fields(model)
        if not owned:
            continue
        for obj in (None, model.objects.first()):
            if obj is None and not model_admin.has_add_permission(request):
                continue
            form = model_admin.get_form(request, obj, change=obj is not None)
            checked.add(f"{model._meta.label}{'' if obj is None else ' (change)'}")
            editable += [f"{model._meta.label}.{name}" for name in owned & set(form.base_fields)]
    assert editable == []
    assert {
        "visits.Visit (change)",
        "issues.IssueItem (change)",
        "issues.ReferralSlip (change)",
        "issues.EscalationSlip (change)",
        "issues.Confirmation (change)",
    } <= checked


def test_a_supervision_slip_has_no_life_of_its_own(staff_user):
    """R18: a supervision slip is made once, by the overdue referral slip's
    ``supervise`` action, then is a record: no status to move, nothing the
    admin edits or adds (issues.slip_workflow, module docstring)."""
    from issues.models import SupervisionSlip

    assert not _status_fields(SupervisionSlip)
    slip = slip_in(RS.ISSUED, staff_user)
    supervision = services.supervise(
        slip, by=staff_user, note="请局长过问", on=slip.deadline + datetime.timedelta(1)
    )
    request = RequestFactory().get("/admin/")
    request.user = user_with_role("liaison_staff", username="root")
    request.user.is_superuser = True
    model_admin = admin.site._registry[SupervisionSlip]
    assert not model_admin.has_add_permission(request)
    assert list(model_admin.get_form(request, supervision, change=True).base_fields) == []


def test_bulk_acceptance_is_the_offices_move(client, staff_user):
    """联络办受理 in bulk is a move of the item's path (issues.access.can_move_items):
    the unit's officer, who reads the issue list, is neither offered it nor
    allowed it; the office is."""
    from issues.models import IssueItem

    users, objects = build_world(staff_user)
    item = objects["A"]["item"]
    IssueItem.objects.filter(pk=item.pk).update(status=IssueItem.Status.UNIT)
    changelist = reverse("admin:issues_issueitem_changelist")
    bulk = {"action": "take_to_office", "_selected_action": [item.pk]}
    client.force_login(users["dept_officer"])
    assert escape(item.reporter.name) in client.get(changelist).content.decode()  # the officer reads it
    assert 'value="take_to_office"' not in client.get(changelist).content.decode()
    client.post(changelist, bulk)
    assert IssueItem.objects.get(pk=item.pk).status == IssueItem.Status.UNIT
    client.force_login(staff_user)
    assert 'value="take_to_office"' in client.get(changelist).content.decode()
    client.post(changelist, bulk)
    assert IssueItem.objects.get(pk=item.pk).status == IssueItem.Status.OFFICE


def test_a_feedback_form_is_a_draft_until_submitted_once():
    """Visit's table: DRAFT → DRAFT (saved again), DRAFT → SUBMITTED; nothing
    leaves SUBMITTED — its cadre can no longer save it (R9)."""
    from tests.factories import VisitFactory
    from visits import services as visit_services
    from visits.models import Visit

    assert not any(Visit.allowed(Visit.Status.SUBMITTED, name) for name in ("save", "submit"))
    assert Visit.ACTIONS["correct"][1] is None  # a correction keeps the status
    draft = VisitFactory()
    assert draft.allows("save") and draft.allows("submit")
    visit_services.save_visit(draft, companions=[], problems=[("funding", "续贷")])
    submitted = VisitFactory(submit=True)
    assert not submitted.allows("save") and submitted.allows("correct")
    with pytest.raises(ValidationError):
        visit_services.save_visit(submitted, companions=[], problems=[])


def test_a_forms_pages_offer_the_actions_its_table_and_the_user_allow(client, staff_user):
    """R9: its cadre goes on with a draft (save, submit), never with a
    submitted form; staff are offered the correction in the admin."""
    from tests.factories import VisitFactory, user_with_role
    from visits.access import visit_actions

    draft = VisitFactory()
    submitted = VisitFactory(submit=True, pairing__cadre=draft.cadre)
    cadre = user_with_role("cadre", cadre=draft.cadre)
    assert visit_actions(cadre, draft) == {"save", "submit"}
    assert visit_actions(cadre, submitted) == frozenset()
    assert visit_actions(staff_user, submitted) == {"correct"}

    def links(user, visit):
        client.force_login(user)
        page = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
        edit = reverse("feedback:edit", args=[visit.pk])
        correct = reverse("admin:visits_visit_change", args=[visit.pk])
        return {name for name, url in (("edit", edit), ("correct", correct)) if f'href="{url}"' in page}

    assert links(cadre, draft) == {"edit"}
    assert links(cadre, submitted) == set()
    assert links(staff_user, submitted) == {"correct"}
    assert links(staff_user, draft) == set()  # a draft is its cadre's own


def test_staff_see_a_draft_in_the_admin_and_correct_only_a_submitted_form(client, staff_user):
    """R9: the admin shows a draft read-only (no save button, the POST refused)
    and offers the correction of a submitted form; a staff-group login the admin
    does not admit (is_staff off) is not offered the way there at all."""
    from tests.factories import VisitFactory
    from visits.access import visit_actions

    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    draft = VisitFactory(situation="草稿原文")
    submitted = VisitFactory(submit=True)
    page = client.get(reverse("admin:visits_visit_change", args=[draft.pk]))
    shown = page.content.decode()
    assert page.status_code == 200 and 'name="_save"' not in shown and "草稿原文" in shown
    assert "更正原因" not in shown and "Correction reason" not in shown  # nothing to correct here
    posted = client.post(reverse("admin:visits_visit_change", args=[draft.pk]), {"situation": "改了"})
    assert posted.status_code == 403
    draft.refresh_from_db()
    assert draft.situation == "草稿原文"
    page = client.get(reverse("admin:visits_visit_change", args=[submitted.pk]))
    assert 'name="_save"' in page.content.decode()

    staff_user.is_staff = False
    staff_user.save()
    assert visit_actions(staff_user, submitted) == frozenset()
