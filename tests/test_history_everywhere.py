"""Every write path leaves a change history naming the user (issue 14, step 4).

The README promises the history (django-simple-history, 历史 in the admin) of
pairings, feedback forms, issue items, slips, registry periods, plans and
meetings, with who and when. Here every service that writes an audited model
(called directly, with no request in flight, as a job, an import, a command or
the demo calls it), every admin add and change form of an audited model, each
spreadsheet import through the admin's import and confirm pages, and the admin
actions are driven once each; each must leave at least one history row of the
models it names, and *every* history row it writes must name the user who
acted (none nameless, none naming someone else).

The audited models come from simple_history's registry
(:func:`tabular.history.audited_models`): a new model with ``HistoricalRecords``
fails :func:`test_every_audited_model_has_a_write_path_here` until a write
path of it is added to ``PATHS``; a new service taking ``by`` fails
:func:`test_every_service_that_takes_by_names_it_in_the_history` until it runs
with :func:`tabular.history.records_history_by`.
"""

import datetime
import importlib
import inspect
import io
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.db.models import Max
from django.forms import CheckboxInput, ModelMultipleChoiceField, MultipleChoiceField, MultiWidget
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cadres import services as cadre_services
from cadres.models import Pairing, UnitAlias
from coordination import services as meeting_services
from coordination.models import Meeting, MeetingItem
from enterprises import services as enterprise_services
from enterprises.models import Enterprise, EnterpriseContact
from issues import services as issue_services
from issues import workflow
from issues.models import HolidayYear, IssueItem
from multiplication import services as registry
from multiplication.models import CategoryRemit, DoublingPlan, Membership, PlanTownTarget, RevenueSource
from multiplication.rules import Category
from tabular.history import acting_as, acting_user, audited_models, history_of
from tests import factories as f
from tests.office_files import code as register_code
from tests.test_import import xlsx_bytes
from tongxiang_liaison import actions
from visits import services as visit_services
from visits.models import Visit

pytestmark = pytest.mark.django_db
D = datetime.date
S = IssueItem.Status


# -- the world every path starts from ------------------------------------------


@dataclass
class World:
    client: object
    staff: object  # liaison staff, an admin user
    officer: object  # the department's information officer
    cadre_user: object  # a cadre's own login
    leader_user: object  # a city leader's login
    department: object
    other_department: object
    leader: object
    coordinator: object
    place: object
    pairing: object
    extra: dict = field(default_factory=dict)


@pytest.fixture
def world(client):
    department = f.UnitFactory(name="市经信局")
    department.principal_leader = f.CadreFactory(unit=department, name="局长")
    department.save()
    officer_cadre = f.CadreFactory(unit=department, name="信息员")
    leader = f.CityLeaderFactory(name="分管副市长")
    coordinator = f.CityLeaderFactory(name="总协调人", is_coordinator=True, unit=leader.unit)
    place = f.PlaceFactory(name="濮院镇")
    cadre = f.CadreFactory(name="联系干部")
    return World(
        client=client,
        staff=f.user_with_role("liaison_staff", username="staff", staff=True),
        officer=f.user_with_role("unit_officer", cadre=officer_cadre, username="officer"),
        cadre_user=f.user_with_role("cadre", cadre=cadre, username="ganbu"),
        leader_user=f.user_with_role("leader", cadre=leader, username="leader"),
        department=department,
        other_department=f.UnitFactory(name="市商务局"),
        leader=leader,
        coordinator=coordinator,
        place=place,
        pairing=f.PairingFactory(cadre=cadre, enterprise=f.EnterpriseFactory(place=place)),
    )


def office_item(w, **kwargs):
    return IssueItem.objects.create(
        enterprise=kwargs.pop("enterprise", None) or f.EnterpriseFactory(place=w.place),
        reporter=f.CadreFactory(),
        category="funding",
        description="续贷困难",
        status=kwargs.pop("status", S.OFFICE),
        reported_on=D(2026, 10, 8),
        **kwargs,
    )


def draft(w, problems=(("funding", "贷款难"),)):
    visit = Visit(pairing=w.pairing, visit_date=D(2026, 10, 8), situation="订单饱满")
    return visit_services.save_visit(visit, companions=[], problems=list(problems))


def referral(w, **kwargs):
    return issue_services.refer(office_item(w), department=w.department, by=w.staff, **kwargs)


def escalation(w, item=None):
    return issue_services.escalate(
        item or office_item(w), leader=w.leader, departments=[w.department, w.other_department], by=w.staff
    )


def member(enterprise):
    membership = Membership(
        enterprise=enterprise,
        category=Category.ABOVE_SIZE,
        started_on=D(2025, 1, 1),
        statistics_year=2024,
        revenue=Decimal("2500"),
    )
    return registry.save_membership(membership)


def plan(w, towns=True):
    CategoryRemit.objects.get_or_create(unit=w.department, category=Category.HIGH_TECH)
    doubling = DoublingPlan(
        category=Category.HIGH_TECH,
        owner=w.department,
        title="高新技术企业倍增计划",
        baseline_date=D(2024, 12, 31),
        target_date=D(2027, 12, 31),
    )
    doubling.full_clean()
    doubling.save()
    if towns:
        PlanTownTarget.objects.create(plan=doubling, place=w.place)
    return doubling


def meeting(w, items=()):
    return meeting_services.save_meeting(
        Meeting(coordinator=w.coordinator, held_on=D(2026, 11, 20), topics="四季度形势"),
        places=[w.place],
        attendees=[w.coordinator],
        items=list(items),
        by=w.staff,
    )


# -- admin pages as a browser fills them ---------------------------------------


def _field_data(form, data):
    for name, form_field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        widget = form_field.widget
        if isinstance(widget, CheckboxInput):
            if value:
                data[key] = "on"
            continue
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{key}_{index}"] = _text(part)
            continue
        if isinstance(form_field, MultipleChoiceField | ModelMultipleChoiceField):
            data[key] = [_text(v) for v in value or ()]
            continue
        data[key] = _text(value)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def admin_form_data(response, **changes):
    """The POST a browser makes on submitting an admin add or change page as
    it came (every field and inline row as shown), with ``changes`` applied
    (keys as the form names them: ``title``, ``problems-0-description`` …)."""
    assert response.status_code == 200, response.status_code
    data = {}
    _field_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _field_data(formset.management_form, data)
        for form in formset.forms:
            _field_data(form, data)
    data.update(changes)
    return data


def admin_save(w, url, **changes):
    w.client.force_login(w.staff)
    response = w.client.post(url, admin_form_data(w.client.get(url), **changes))
    assert response.status_code == 302, _errors(response)


def _errors(response):
    context = response.context or {}
    errors = [context["adminform"].form.errors] if "adminform" in context else []
    errors += [context["form"].errors] if "form" in context else []
    errors += [inline.formset.errors for inline in context.get("inline_admin_formsets", [])]
    return errors or response.content.decode()[:2000]


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def admin_import(w, model, headers, rows, **form):
    """Upload a sheet on the admin's import page, then confirm the preview."""
    w.client.force_login(w.staff)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    upload = io.BytesIO(xlsx_bytes(headers, rows))
    upload.name = "导入.xlsx"
    response = w.client.post(reverse(f"{prefix}_import"), {**form, "format": "0", "import_file": upload})
    assert response.status_code == 200 and response.context.get("confirm_form"), _errors(response)
    confirm = response.context["confirm_form"].initial
    response = w.client.post(reverse(f"{prefix}_process_import"), confirm)
    assert response.status_code == 302, response.content.decode()[:2000]


def admin_action(w, model, action, objects):
    w.client.force_login(w.staff)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    data = {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [o.pk for o in objects]}
    response = w.client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


# -- the write paths -------------------------------------------------------------
# Each preparation sets a path up (its own writes are not watched) and returns
# (the user who acts, the write to watch).


@dataclass
class Path:
    name: str
    models: tuple  # the audited models it must leave history of
    prepare: object


PATHS = []


def path(name, *models):
    def register(prepare):
        PATHS.append(Path(name, models, prepare))
        return prepare

    return register


# cadres


@path("create_pairing", Pairing)
def _create_pairing(w):
    enterprise = f.EnterpriseFactory()
    return w.staff, lambda: cadre_services.create_pairing(
        cadre=w.pairing.cadre, enterprise=enterprise, kind=Pairing.Kind.DEPARTMENT,
        start_date=D(2026, 4, 1), by=w.staff,
    )  # fmt: skip


@path("end_pairing", Pairing)
def _end_pairing(w):
    return w.staff, lambda: cadre_services.end_pairing(
        w.pairing, ended_on=D(2026, 11, 20), reason="企业注销", by=w.staff
    )


@path("renew_pairing", Pairing)
def _renew_pairing(w):
    return w.staff, lambda: cadre_services.renew_pairing(w.pairing, by=w.staff)


# visits


@path("save_visit: a new draft with a problem row", Visit, "visits.VisitProblem")
def _new_draft(w):
    visit = Visit(pairing=w.pairing, visit_date=D(2026, 10, 8))
    return w.cadre_user, lambda: visit_services.save_visit(
        visit, companions=[], problems=[("funding", "贷款难")], by=w.cadre_user
    )


@path("save_visit: an edited draft, its problem rows replaced", Visit, "visits.VisitProblem")
def _edited_draft(w):
    visit = draft(w)
    return w.cadre_user, lambda: visit_services.save_visit(
        visit, companions=[], problems=[("market", "订单下滑")], by=w.cadre_user
    )


@path("submit_feedback: the form submitted, items from its problems", Visit, IssueItem)
def _submit(w):
    visit = draft(w)
    return w.cadre_user, lambda: actions.submit_feedback(visit, by=w.cadre_user)


@path("correct_feedback", IssueItem)
def _correct(w):
    visit = actions.submit_feedback(draft(w), by=w.cadre_user).visit
    return w.staff, lambda: actions.correct_feedback(visit, by=w.staff)


# issues


@path("workflow.move", IssueItem)
def _move(w):
    item = office_item(w, status=S.UNIT)
    return w.staff, lambda: workflow.move(item, S.OFFICE, by=w.staff)


@path("refer", "issues.ReferralSlip", IssueItem)
def _refer(w):
    item = office_item(w)
    return w.staff, lambda: issue_services.refer(item, department=w.department, by=w.staff)


def _answered(w):
    return issue_services.answer(referral(w), measures="约谈银行", result="已续贷", by=w.officer)


@path("answer", "issues.ReferralSlip")
def _answer(w):
    slip = referral(w)
    return w.officer, lambda: issue_services.answer(slip, measures="约谈银行", result="已续贷", by=w.officer)


@path(
    "accept: the item resolved, the enterprise asked", "issues.ReferralSlip", IssueItem, "issues.Confirmation"
)
def _accept(w):
    slip = _answered(w)
    return w.staff, lambda: issue_services.accept(slip, by=w.staff)


@path("confirm: 不满意 reopens the item", "issues.Confirmation", IssueItem)
def _confirm(w):
    asked = f.ConfirmationFactory()
    return w.staff, lambda: issue_services.confirm(asked, verdict="unsatisfied", comment="没解决", by=w.staff)


@path("send_back", "issues.ReferralSlip")
def _send_back(w):
    slip = _answered(w)
    return w.staff, lambda: issue_services.send_back(slip, by=w.staff, reason="措施不具体")


@path("request_extension (writes no audited row)")
def _request_extension(w):
    slip = referral(w)
    return w.officer, lambda: issue_services.request_extension(
        slip, reason="需省厅批复", extra_working_days=3, by=w.officer
    )


@path("decide_extension", "issues.ReferralSlip")
def _decide_extension(w):
    slip = referral(w)
    request = issue_services.request_extension(slip, reason="需省厅批复", extra_working_days=3, by=w.officer)
    return w.staff, lambda: issue_services.decide_extension(request, approve=True, by=w.staff)


@path("add_progress (writes no audited row)")
def _add_progress(w):
    item = referral(w).item
    return w.officer, lambda: issue_services.add_progress(item, text="已约谈银行", by=w.officer)


@path("escalate", "issues.EscalationSlip", IssueItem)
def _escalate(w):
    item = office_item(w)
    return w.staff, lambda: escalation(w, item)


@path("record_instruction", "issues.EscalationSlip")
def _instruct(w):
    slip = escalation(w)
    return w.leader_user, lambda: issue_services.record_instruction(
        slip, instruction="请两局联合办理", by=w.leader_user
    )


@path("conclude_escalation", "issues.EscalationSlip", IssueItem)
def _conclude(w):
    slip = issue_services.record_instruction(escalation(w), instruction="请两局联合办理", by=w.leader_user)
    return w.staff, lambda: issue_services.conclude_escalation(slip, result="已解决", solved=True, by=w.staff)


@path("supervise", "issues.SupervisionSlip")
def _supervise(w):
    slip = referral(w, on=D(2026, 1, 5), working_days=5)  # long overdue
    return w.staff, lambda: issue_services.supervise(slip, by=w.staff, note="请局长亲自过问")


# multiplication


@path("save_membership", Membership)
def _save_membership(w):
    membership = Membership(
        enterprise=f.EnterpriseFactory(), category=Category.ABOVE_SIZE, started_on=D(2025, 1, 1),
        statistics_year=2024, revenue=Decimal("2500"),
    )  # fmt: skip
    return w.staff, lambda: registry.save_membership(membership, by=w.staff)


@path("apply_list_change: enter, update, end", Membership)
def _list_change(w):
    staying, leaving, entering = f.EnterpriseFactory(), f.EnterpriseFactory(), f.EnterpriseFactory()
    for enterprise in (staying, leaving):
        member(enterprise)
    for enterprise, revenue in ((staying, "2600"), (entering, "2100")):
        registry.record_revenue(enterprise.pk, 2025, Decimal(revenue), RevenueSource.STATISTICS)
    change = registry.plan_derivation(Category.ABOVE_SIZE, 2025)
    assert change.entering and change.changed and change.leaving
    return w.staff, lambda: registry.apply_list_change(change, user=w.staff)


@path("approve_plan", DoublingPlan, PlanTownTarget)
def _approve_plan(w):
    doubling = plan(w)
    return w.staff, lambda: registry.approve_plan(doubling, w.staff)


# coordination


@path("save_meeting", Meeting, MeetingItem)
def _save_meeting(w):
    item = office_item(w)
    return w.staff, lambda: meeting(w, [item])


@path("record_decision", MeetingItem)
def _record_decision(w):
    row = MeetingItem.objects.get(meeting=meeting(w, [office_item(w)]))
    return w.staff, lambda: meeting_services.record_decision(row, "转交办", by=w.staff)


@path("escalate_from_meeting", MeetingItem, "issues.EscalationSlip", IssueItem)
def _meeting_escalation(w):
    row = MeetingItem.objects.get(meeting=meeting(w, [office_item(w)]))
    return w.staff, lambda: meeting_services.escalate_from_meeting(
        row, leader=w.leader, departments=[w.department, w.other_department], request="请协调", by=w.staff
    )


# the import's column-mapping step


@path("mapping step: the preview's choice of columns remembered", "tabular.ColumnMapping")
def _remember_columns(w):
    url = reverse("admin:enterprises_enterprise_import_columns")
    data = {"header": ["对接人", "档案号"], "column": ["企业联系人", ""]}

    def act():
        w.client.force_login(w.staff)
        assert w.client.post(url, data).status_code == 302

    return w.staff, act


# the admin's add and change forms


@path("admin: add a unit alias", "cadres.UnitAlias")
def _admin_unit_alias_add(w):
    data = {"name": "经济和信息化局", "unit": w.department.pk}
    return w.staff, lambda: admin_save(w, add_url(UnitAlias), **data)


# an enterprise's contacts, on the cadres' pages (issue 17)


@path("add_contact", "enterprises.EnterpriseContact")
def _add_contact(w):
    return w.cadre_user, lambda: enterprise_services.add_contact(
        w.pairing.enterprise, name="王总", mobile="139 1234 5678", by=w.cadre_user
    )


@path("change_contact", "enterprises.EnterpriseContact")
def _change_contact(w):
    contact = f.EnterpriseContactFactory(enterprise=w.pairing.enterprise)
    return w.cadre_user, lambda: enterprise_services.change_contact(
        contact, name="王建国", role="董事长", mobile="13912345679", by=w.cadre_user
    )


@path("set_contact_active: let go, then taken back", "enterprises.EnterpriseContact")
def _set_contact_active(w):
    contact = f.EnterpriseContactFactory(enterprise=w.pairing.enterprise)

    def act():
        enterprise_services.set_contact_active(contact, False, by=w.officer)
        enterprise_services.set_contact_active(contact, True, by=w.officer)

    return w.officer, act


@path("cadres' contacts page: add, correct, let go", "enterprises.EnterpriseContact")
def _contacts_page(w):
    enterprise = w.pairing.enterprise

    def act():
        w.client.force_login(w.cadre_user)
        url = reverse("cadres:contact_add", args=[enterprise.pk])
        assert w.client.post(url, {"name": "王总", "mobile": "13912345678"}).status_code == 302
        contact = EnterpriseContact.objects.get(enterprise=enterprise)
        data = {"contact": contact.pk, "name": "王建国", "mobile": "13912345678"}
        assert w.client.post(reverse("cadres:contact_change", args=[enterprise.pk]), data).status_code == 302
        data = {"contact": contact.pk, "active": "0"}
        assert w.client.post(reverse("cadres:contact_active", args=[enterprise.pk]), data).status_code == 302

    return w.cadre_user, act


@path("admin: add an enterprise contact", "enterprises.EnterpriseContact")
def _admin_contact_add(w):
    data = {"enterprise": w.pairing.enterprise_id, "name": "张经理", "mobile": "13588886666"}
    return w.staff, lambda: admin_save(w, add_url(EnterpriseContact), **data)


@path("admin: add a pairing", Pairing)
def _admin_pairing_add(w):
    data = {
        "cadre": w.pairing.cadre_id,
        "enterprise": f.EnterpriseFactory().pk,
        "kind": Pairing.Kind.DEPARTMENT,
    }
    data |= {"start_date": "2026-04-01", "end_date": "2029-03-31"}
    return w.staff, lambda: admin_save(w, add_url(Pairing), **data)


@path("admin: add an issue item", IssueItem)
def _admin_issue_add(w):
    data = {"enterprise": f.EnterpriseFactory().pk, "reporter": f.CadreFactory().pk, "category": "funding"}
    data |= {"description": "联络办录入的问题", "reported_on": "2026-10-08"}
    return w.staff, lambda: admin_save(w, add_url(IssueItem), **data)


@path("admin: add a registry period", Membership)
def _admin_membership_add(w):
    data = {
        "enterprise": f.EnterpriseFactory().pk,
        "category": Category.ABOVE_SIZE,
        "started_on": "2025-01-01",
    }
    data |= {"statistics_year": "2024", "revenue": "2500", "revenue_source": RevenueSource.STATISTICS}
    return w.staff, lambda: admin_save(w, add_url(Membership), **data)


@path("admin: add a plan with a town target", DoublingPlan, PlanTownTarget)
def _admin_plan_add(w):
    CategoryRemit.objects.get_or_create(unit=w.department, category=Category.HIGH_TECH)
    data = {"title": "高新倍增", "category": Category.HIGH_TECH, "owner": w.department.pk}
    data |= {"baseline_date": "2024-12-31", "target_date": "2027-12-31", "town_targets-TOTAL_FORMS": "1"}
    data |= {"town_targets-0-place": w.place.pk, "town_targets-0-target_count": "4"}
    return w.staff, lambda: admin_save(w, add_url(DoublingPlan), **data)


HOLIDAY_WRITES = ("issues.HolidayYear", "issues.CalendarDay", "issues.ReferralSlip")


@path("admin: a year's holidays entered, deadlines counted again", *HOLIDAY_WRITES)
def _admin_holidays_add(w):
    """The slip's deadline day made a holiday: its deadline moves, in its history."""
    slip = referral(w, working_days=40)
    data = {"year": str(slip.deadline.year), "notice": "国办发明电〔2026〕7号", "days-TOTAL_FORMS": "1"}
    data |= {"days-0-day": slip.deadline.isoformat(), "days-0-note": "假日"}  # is_workday unticked: a holiday
    return w.staff, lambda: admin_save(w, add_url(HolidayYear), **data)


@path("admin: add a meeting with an item", Meeting, MeetingItem)
def _admin_meeting_add(w):
    data = {"coordinator": w.coordinator.pk, "held_on": "2026-11-20", "topics": "四季度形势"}
    data |= {"meetingitem_set-TOTAL_FORMS": "1", "meetingitem_set-0-item": office_item(w).pk}
    data |= {"meetingitem_set-0-decision": "联络办交办"}
    return w.staff, lambda: admin_save(w, add_url(Meeting), **data)


@path("admin: correct a form and its problem row", Visit, "visits.VisitProblem")
def _admin_visit_change(w):
    visit = actions.submit_feedback(draft(w), by=w.cadre_user).visit
    changes = {"situation": "联络办更正：订单饱满", "problems-0-description": "贷款难（更正）"}
    return w.staff, lambda: admin_save(w, change_url(visit), **changes)


@path("admin: correct a meeting and an item's decision", Meeting, MeetingItem)
def _admin_meeting_change(w):
    row = MeetingItem.objects.get(meeting=meeting(w, [office_item(w)]))
    changes = {"topics": "四季度形势（更正）", "meetingitem_set-0-decision": "转交办"}
    return w.staff, lambda: admin_save(w, change_url(row.meeting), **changes)


@path("admin: edit a plan and a town's target", DoublingPlan, PlanTownTarget)
def _admin_plan_change(w):
    doubling = plan(w)
    changes = {"title": "高新倍增（修订）", "town_targets-0-target_count": "9"}
    return w.staff, lambda: admin_save(w, change_url(doubling), **changes)


def _post(w, url, data, expect=302):
    def act():
        w.client.force_login(w.staff)
        response = w.client.post(url, data)
        assert response.status_code == expect, _errors(response)

    return act


@path("admin: delete a pairing", Pairing)
def _admin_pairing_delete(w):
    pairing = f.PairingFactory(enterprise=f.EnterpriseFactory())
    return w.staff, _post(w, reverse("admin:cadres_pairing_delete", args=[pairing.pk]), {"post": "yes"})


@path("admin: refer an item", "issues.ReferralSlip", IssueItem)
def _admin_refer(w):
    url = reverse("admin:issues_issueitem_refer", args=[office_item(w).pk])
    return w.staff, _post(w, url, {"department": w.department.pk, "working_days": "10", "requirement": ""})


@path("admin: move an item", IssueItem)
def _admin_move(w):
    url = reverse("admin:issues_issueitem_move", args=[office_item(w, status=S.UNIT).pk])
    return w.staff, _post(w, url, {"to_status": S.OFFICE, "comment": "上报市联络办"})


# imports through the admin's import and confirm pages

PAIRING_HEADERS = ["干部手机号", "企业统一社会信用代码", "联系类型", "开始日期"]


@path("import: a pairing, then its early end", Pairing)
def _import_pairing(w):
    enterprise = f.EnterpriseFactory()
    row = [w.pairing.cadre.mobile, enterprise.credit_code, "部门联系", "2026-04-01"]

    def act():
        admin_import(w, Pairing, PAIRING_HEADERS, [row])
        ended = [*PAIRING_HEADERS, "提前结束日期", "提前结束原因"]
        admin_import(w, Pairing, ended, [[*row, "2026-11-20", "企业注销"]])
        pairing = Pairing.objects.get(enterprise=enterprise)
        assert [h.history_type for h in pairing.history.order_by("history_id")] == ["+", "~"]
        assert pairing.history.latest().ended_on == D(2026, 11, 20)

    return w.staff, act


@path("import: the register, a contact from each mobile", "enterprises.EnterpriseContact")
def _import_register_contacts(w):
    headers = ["企业名称", "统一社会信用代码", "所在镇（街道）", "联系人", "联系电话"]
    enterprise = f.EnterpriseFactory(place=w.place)
    f.EnterpriseContactFactory(enterprise=enterprise, name="旧名", mobile="13800001111")
    rows = [
        ["新企业", register_code(901), w.place.name, "王总", "13912345678"],
        [enterprise.name, enterprise.credit_code, w.place.name, "李会计", "138-0000-1111"],  # renamed
    ]

    def act():
        admin_import(w, Enterprise, headers, rows)
        assert EnterpriseContact.objects.filter(name__in=["王总", "李会计"]).count() == 2

    return w.staff, act


@path("import: a category list", Membership)
def _import_list(w):
    enterprise = f.EnterpriseFactory()
    headers = ["统一社会信用代码", "企业名称", "营业收入（万元）"]
    rows = [[enterprise.credit_code, enterprise.name, "2100"]]
    form = {"category": "above_size", "year": "2025", "effective_on": "2026-01-01"}
    return w.staff, lambda: admin_import(w, Membership, headers, rows, **form)


@path("admin: derive a category list", Membership)
def _admin_derive(w):
    registry.record_revenue(f.EnterpriseFactory().pk, 2025, Decimal("2000"), RevenueSource.VISIT)
    data = {"category": "above_size", "year": "2025", "effective_on": "", "confirm": "1"}
    return w.staff, _post(w, reverse("admin:multiplication_membership_derive"), data)


# admin actions


@path("action: take items to the office", IssueItem)
def _take_to_office(w):
    items = [office_item(w, status=S.UNIT), office_item(w, status=S.UNIT)]
    return w.staff, lambda: admin_action(w, IssueItem, "take_to_office", items)


@path("action: approve plans", DoublingPlan, PlanTownTarget)
def _approve_action(w):
    plans = [plan(w)]
    return w.staff, lambda: admin_action(w, DoublingPlan, "approve", plans)


def _label(model):
    return model if isinstance(model, str) else model._meta.label


def _admin_change_paths():
    """Saving each audited model's admin change page as it comes: a history row
    per save, naming the user, for every registered audited admin whose rows
    are changed there (not the column mappings, changed on the import's
    preview only)."""
    anyone = SimpleNamespace(user=SimpleNamespace(has_perm=lambda *args: True, is_active=True))
    return sorted(
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model in audited_models() and model_admin.has_change_permission(anyone)
    )


# -- the watch -----------------------------------------------------------------


def history_marks():
    return {
        model: history_of(model).aggregate(last=Max("history_id"))["last"] or 0 for model in audited_models()
    }


def rows_since(marks):
    """The history rows written since ``marks``, by model label."""
    return {
        model._meta.label: list(history_of(model).filter(history_id__gt=mark).order_by("history_id"))
        for model, mark in marks.items()
    }


def assert_history_names(user, rows, models, path):
    strangers = [
        f"{label} {row.history_type} #{row.id}: {row.history_user}"
        for label, written in rows.items()
        for row in written
        if row.history_user_id != user.pk
    ]
    assert strangers == [], f"{path}: history rows not naming {user}"
    missing = [_label(m) for m in models if not rows[_label(m)]]
    assert missing == [], f"{path}: no history row of {missing}"


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_each_write_path_leaves_history_naming_the_user(world, path):
    user, write = path.prepare(world)
    world.client.logout()
    marks = history_marks()
    write()
    assert_history_names(user, rows_since(marks), path.models, path.name)


@pytest.mark.parametrize("label", _admin_change_paths())
def test_saving_each_audited_admin_change_page_names_the_user(world, label):
    """Every registered admin of an audited model, its change page saved as it
    comes (read-only fields stay as they are): one history row, the user's."""
    model = next(m for m in audited_models() if m._meta.label == label)
    row = _a_row_of(world, model)
    marks = history_marks()
    admin_save(world, change_url(row))
    rows = rows_since(marks)
    assert_history_names(world.staff, rows, (model,), f"admin change {label}")


def _a_row_of(w, model):
    makers = {
        Pairing: lambda: w.pairing,
        Visit: lambda: actions.submit_feedback(draft(w), by=w.cadre_user).visit,
        IssueItem: lambda: office_item(w),
        "issues.ReferralSlip": lambda: referral(w),
        "issues.EscalationSlip": lambda: escalation(w),
        "issues.SupervisionSlip": lambda: _supervise(w)[1](),  # the write of the path above
        Membership: lambda: member(f.EnterpriseFactory()),
        DoublingPlan: lambda: plan(w),
        Meeting: lambda: meeting(w, [office_item(w)]),
        "cadres.UnitAlias": lambda: f.UnitAliasFactory(name="经济和信息化局", unit=w.department),
        "enterprises.EnterpriseContact": lambda: f.EnterpriseContactFactory(),
        "issues.HolidayYear": lambda: f.HolidayYearFactory(year=2098),
        "issues.CalendarDay": lambda: f.CalendarDayFactory(),
    }
    for key, make in makers.items():
        if _label(key) == model._meta.label:
            return make()
    raise AssertionError(f"no row maker for the audited admin of {model._meta.label}: add one here")


def test_every_audited_model_has_a_write_path_here():
    audited = {model._meta.label for model in audited_models()}
    covered = {_label(model) for path in PATHS for model in path.models}
    assert sorted(audited - covered) == []
    assert sorted(covered - audited) == []  # a path names a model that keeps no history


SERVICE_MODULES = [
    "tabular.services",
    "enterprises.services",
    "cadres.services",
    "visits.services",
    "issues.services",
    "issues.workflow",
    "multiplication.services",
    "coordination.services",
    "tongxiang_liaison.actions",
]


def test_every_service_that_takes_by_names_it_in_the_history():
    """A service told who acts (``by``, or ``user`` in the registry's) runs
    with that user as the history's, so a new one cannot forget."""
    unmarked = []
    for name in SERVICE_MODULES:
        module = importlib.import_module(name)
        for attribute, function in vars(module).items():
            if not inspect.isfunction(function) or function.__module__ != name or attribute.startswith("_"):
                continue
            parameters = inspect.signature(function).parameters
            told = "by" in parameters or (name == "multiplication.services" and "user" in parameters)
            if not told:
                continue
            if not getattr(function, "records_history_by", None):
                unmarked.append(f"{name}.{attribute}")
    assert unmarked == []


# -- the mechanism -----------------------------------------------------------------


def test_acting_as_names_the_user_and_puts_the_request_back(world):
    outer = object()
    HistoricalRecords.context.request = outer
    try:
        with acting_as(world.staff):
            assert acting_user() == world.staff
            with acting_as(world.officer):
                assert acting_user() == world.officer
            assert acting_user() == world.staff
            with acting_as(None):  # nobody named: the one acting stays
                assert acting_user() == world.staff
        assert HistoricalRecords.context.request is outer
    finally:
        del HistoricalRecords.context.request
    with acting_as(world.staff):
        pass
    assert not hasattr(HistoricalRecords.context, "request")


def test_a_service_names_its_by_even_inside_another_users_request(world):
    """A job run for someone else while a request is in flight (the eager
    worker in the demo) still names the service's user."""
    request = type("Request", (), {"user": world.officer})()
    HistoricalRecords.context.request = request
    try:
        cadre_services.end_pairing(world.pairing, ended_on=D(2026, 11, 20), reason="企业注销", by=world.staff)
        assert Pairing.history.filter(id=world.pairing.pk).latest().history_user == world.staff
        assert HistoricalRecords.context.request is request
    finally:
        del HistoricalRecords.context.request


def test_the_demo_names_the_office_in_every_history_row_it_writes():
    from django.core.management import call_command

    call_command("seed_demo", enterprises=40, cadres=20, stdout=io.StringIO())
    nameless = {
        model._meta.label: history_of(model).filter(history_user__isnull=True).count()
        for model in audited_models()
    }
    assert {label: n for label, n in nameless.items() if n} == {}
    assert IssueItem.history.exists() and Membership.history.exists()


def test_the_history_time_is_the_write_time(world):
    before = timezone.now()
    cadre_services.end_pairing(world.pairing, ended_on=D(2026, 11, 20), reason="企业注销", by=world.staff)
    assert Pairing.history.filter(id=world.pairing.pk).latest().history_date >= before
