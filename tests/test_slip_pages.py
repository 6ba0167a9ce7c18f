"""The department's inbox and the slip page; the issue list in the admin."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from issues import services
from issues.models import IssueItem, ReferralSlip
from tests.factories import CadreFactory, EnterpriseFactory, user_with_role

pytestmark = pytest.mark.django_db
S = IssueItem.Status
D = datetime.date


def office_item(description="贷款难"):
    return IssueItem.objects.create(
        enterprise=EnterpriseFactory(),
        reporter=CadreFactory(),
        category="funding",
        description=description,
        status=S.OFFICE,
    )


@pytest.fixture
def slip(staff_user, unit_a):
    return services.refer(office_item(), department=unit_a, by=staff_user)


@pytest.fixture
def staff(client, staff_user):
    staff_user.is_staff = True
    staff_user.save()
    return staff_user


def test_officer_answers_from_the_inbox_and_staff_accepts(client, officer_a, staff, slip):
    client.force_login(officer_a)
    inbox = client.get(reverse("issues:inbox")).content.decode()
    assert slip.serial in inbox
    answer = reverse("issues:slip_answer", args=[slip.pk])
    accept = reverse("issues:slip_accept", args=[slip.pk])
    page = client.get(reverse("issues:slip", args=[slip.pk])).content.decode()
    assert answer in page and accept not in page  # only the actions the officer may take are offered
    response = client.post(answer, {"measures": "协调银行", "result": ""})
    (shown,) = [panel for panel in response.context["panels"] if panel["name"] == "answer"]
    assert response.status_code == 200 and "result" in shown["form"].errors  # re-displayed
    assert "协调银行" in response.content.decode()  # with what was typed
    client.post(answer, {"measures": "协调银行", "result": "已放贷"})
    assert client.post(accept).status_code == 403  # an officer cannot accept
    assert client.get(answer).status_code == 405  # actions are POSTs
    slip.refresh_from_db()
    assert slip.status == ReferralSlip.Status.ANSWERED
    response = client.post(
        answer, {"result": "再答一次"}, follow=True
    )  # the table refuses, with its sentence
    assert "该交办单当前不能反馈。" in response.content.decode()

    client.force_login(staff)
    assert accept in client.get(reverse("issues:slip", args=[slip.pk])).content.decode()
    client.post(accept)
    slip.refresh_from_db()
    assert slip.status == ReferralSlip.Status.ACCEPTED and slip.item.status == S.RESOLVED
    page = client.get(reverse("issues:item", args=[slip.item.pk])).content.decode()
    assert "已解决" in page and "交办单办结" in page


def test_extension_request_and_decision_through_the_page(client, officer_a, staff, slip):
    client.force_login(officer_a)
    client.post(
        reverse("issues:slip_extension", args=[slip.pk]), {"extra_working_days": "5", "reason": "需省厅批复"}
    )
    old = slip.deadline
    client.force_login(staff)
    extension = slip.extension_requests.get()
    client.post(
        reverse("issues:slip_decide_extension", args=[slip.pk, extension.pk]), {"decision": "approve"}
    )
    slip.refresh_from_db()
    assert slip.deadline > old and slip.working_days == services.default_working_days("funding") + 5


def test_another_departments_officer_gets_404(client, unit_b, slip):
    other = user_with_role("unit_officer", cadre=CadreFactory(unit=unit_b))
    client.force_login(other)
    for name in ("issues:slip", "issues:slip_print"):
        assert client.get(reverse(name, args=[slip.pk])).status_code == 404
    assert client.post(reverse("issues:slip_answer", args=[slip.pk]), {"result": "x"}).status_code == 404
    assert client.get(reverse("issues:item", args=[slip.item.pk])).status_code == 404
    assert slip.serial not in client.get(reverse("issues:inbox")).content.decode()


def test_a_cadre_has_no_inbox_but_sees_own_items(client, slip):
    cadre = slip.item.reporter
    client.force_login(user_with_role("cadre", cadre=cadre))
    assert client.get(reverse("issues:inbox")).status_code == 403
    assert client.get(reverse("issues:item", args=[slip.item.pk])).status_code == 200
    assert client.get(reverse("issues:slip", args=[slip.pk])).status_code == 404


def test_inbox_sections(client, officer_a, staff_user, unit_a):
    today = D.today()
    overdue = services.refer(
        office_item(), department=unit_a, by=staff_user, on=today - datetime.timedelta(days=60)
    )
    fresh = services.refer(office_item(), department=unit_a, by=staff_user, working_days=30)
    client.force_login(officer_a)
    context = client.get(reverse("issues:inbox")).context
    assert list(context["overdue"]) == [overdue] and list(context["open"]) == [fresh]
    # The slip's own page says so beside its deadline, not by the badge's colour alone.
    marked = '<span class="badge overdue">已逾期</span>'
    assert marked in client.get(reverse("issues:slip", args=[overdue.pk])).content.decode()
    assert marked not in client.get(reverse("issues:slip", args=[fresh.pk])).content.decode()


def test_inbox_queries_do_not_grow(client, officer_a, staff_user, unit_a, django_assert_max_num_queries):
    for _ in range(3):
        services.refer(office_item(), department=unit_a, by=staff_user)
    client.force_login(officer_a)
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("issues:inbox"))
    for _ in range(20):
        services.refer(office_item(), department=unit_a, by=staff_user)
    with django_assert_max_num_queries(14) as many:
        client.get(reverse("issues:inbox"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_slip_print_view_is_an_official_slip(client, officer_a, slip):
    client.force_login(officer_a)
    page = client.get(reverse("issues:slip_print", args=[slip.pk])).content.decode()
    for text in ("联企服务交办单", slip.serial, "承办部门", "办理期限", "盖章"):
        assert text in page


# -- the admin ---------------------------------------------------------------------


def test_staff_moves_and_refers_an_item_in_the_admin(client, staff, unit_a):
    item = IssueItem.objects.create(enterprise=EnterpriseFactory(), category="labour", description="招工难")
    client.force_login(staff)
    move = reverse("admin:issues_issueitem_move", args=[item.pk])
    response = client.get(move)
    assert [c[0] for c in response.context["form"].fields["to_status"].choices] == ["contact", "withdrawn"]
    client.post(move, {"to_status": "contact", "comment": "请联系人先办"})
    for status in ("unit", "office"):
        client.post(move, {"to_status": status})
    response = client.post(move, {"to_status": "withdrawn", "reason": "企业说不用了"})
    assert "撤回须经企业确认" in response.content.decode()
    refer = reverse("admin:issues_issueitem_refer", args=[item.pk])
    response = client.post(refer, {"department": unit_a.pk, "working_days": 5})
    slip = ReferralSlip.objects.get()
    assert response["Location"] == reverse("issues:slip", args=[slip.pk])
    item.refresh_from_db()
    assert item.status == S.REFERRED and item.events.count() == 4


def test_officers_cannot_use_the_workflow_views(client, officer_a):
    item = IssueItem.objects.create(enterprise=EnterpriseFactory(), category="labour", description="x")
    client.force_login(officer_a)
    assert client.get(reverse("admin:issues_issueitem_move", args=[item.pk])).status_code == 403


def test_problem_list_export(client, staff, slip):
    client.force_login(staff)
    response = client.post(
        reverse("admin:issues_issueitem_changelist"),
        {"action": "export_issue_list", "_selected_action": [slip.item.pk]},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "“干部联千企、服务助转型”问题清单"
    row = [c.value for c in sheet[3]]
    assert slip.item.enterprise.name in row and slip.serial in row and "已交办" in row


def test_issue_list_changelist_queries_are_fixed(client, staff, django_assert_max_num_queries):
    for _ in range(3):
        office_item()
    client.force_login(staff)
    for url in (
        reverse("admin:issues_issueitem_changelist"),
        reverse("admin:issues_issueitem_changelist") + "?overdue=yes",
    ):
        with django_assert_max_num_queries(16) as few:
            client.get(url)
        for _ in range(15):
            office_item()
        with django_assert_max_num_queries(16) as many:
            client.get(url)
        assert len(many.captured_queries) == len(few.captured_queries)
