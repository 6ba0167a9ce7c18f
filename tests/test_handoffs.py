"""Every hand-off tells whoever must act next, and the reporting cadre hears of
every move of their item (R13, R14, R18) — through the pages the office really
uses (the admin's 交办/呈报, the slip page), each notice once."""

import datetime

import pytest
from django.urls import reverse

from issues import services
from issues.models import IssueEvent, IssueItem, ReferralSlip
from jobs import handoffs
from jobs.models import Notice, ReminderLog
from tests import factories as f

pytestmark = pytest.mark.django_db
S = IssueItem.Status


@pytest.fixture
def world(staff_user):
    finance = f.UnitFactory(name="市金融办")
    officer = f.CadreFactory(unit=finance, name="金融办信息员", email="xxy@tx.gov.cn")
    finance.information_officer = officer
    finance.principal_leader = f.CadreFactory(unit=finance, name="金融办主任")
    finance.save()
    officer_user = f.user_with_role("unit_officer", cadre=officer, username="officer")
    principal_user = f.user_with_role("cadre", cadre=finance.principal_leader, username="principal")
    reporter = f.CadreFactory(unit=f.UnitFactory(name="市商务局"), name="叶文海")
    reporter_user = f.user_with_role("cadre", cadre=reporter, username="ye")
    leader = f.CityLeaderFactory(name="黄民")
    leader_user = f.user_with_role("leader", cadre=leader, username="leader")
    pairing = f.PairingFactory(
        cadre=reporter, enterprise=f.EnterpriseFactory(name="桐乡市恒新毛针织有限公司")
    )
    problems = [("funding", "流动资金贷款到期续贷困难"), ("labour", "一线操作工缺口三十人")]
    f.submitted_visit(pairing, datetime.date(2026, 11, 20), problems=problems, by=reporter_user)
    return {
        "finance": finance,
        "commerce": reporter.unit,
        "officer": officer_user,
        "principal": principal_user,
        "reporter": reporter_user,
        "leader_cadre": leader,
        "leader": leader_user,
        "staff": staff_user,
        "items": list(IssueItem.objects.order_by("pk")),
    }


def notices(user):
    return list(Notice.objects.filter(recipient=user).order_by("pk").values_list("subject", flat=True))


def at_the_office(client, world, index):
    """The world's item ``index``, walked to 联络办受理 by the office through
    the admin's move buttons; the client stays logged in as the office."""
    item = world["items"][index]
    client.force_login(world["staff"])
    for status in (S.CONTACT, S.UNIT, S.OFFICE):
        response = client.post(reverse("admin:issues_issueitem_move", args=[item.pk]), {"to_status": status})
        assert response.status_code == 302, response.content.decode()[:500]
    return item


def test_the_item_from_a_form_names_the_cadre_who_reported_it(world):
    first = world["items"][0].events.get()
    assert (first.kind, first.actor, first.actor_name) == ("created", world["reporter"], "叶文海")
    assert first.comment == "走访反馈表提交"


def test_a_referral_tells_the_department_and_the_cadre_and_every_step_after(client, world, eager_tasks):
    item = at_the_office(client, world, 0)
    response = client.post(
        reverse("admin:issues_issueitem_refer", args=[item.pk]),
        {"department": world["finance"].pk, "working_days": 10, "requirement": "请协调银行续贷"},
    )
    slip = ReferralSlip.objects.get()
    assert response.status_code == 302
    officer_notes = notices(world["officer"])
    assert officer_notes == [f"【新交办单】{slip.serial}，办理期限 {slip.deadline.isoformat()}"]
    officer_notice = Notice.objects.get(recipient=world["officer"])
    assert officer_notice.link == reverse("issues:slip", args=[slip.pk])
    assert "请协调银行续贷" in officer_notice.body
    # The cadre heard of each move of their item: 联系人办理, 单位协调, 联络办受理, 已交办.
    assert notices(world["reporter"]) == [
        f"您报告的问题：{label}（桐乡市恒新毛针织有限公司）"
        for label in ("联系人办理", "单位协调", "联络办受理", "已交办")
    ]
    # The officer answers on the slip page: the office must accept, the cadre hears.
    client.force_login(world["officer"])
    client.post(reverse("issues:slip_answer", args=[slip.pk]), {"measures": "约谈", "result": "已续贷"})
    assert notices(world["staff"]) == [f"【待确认】市金融办已反馈交办单 {slip.serial}"]
    assert notices(world["reporter"])[-1] == "您报告的问题有了办理结果（桐乡市恒新毛针织有限公司）"
    # The office returns it: the department must redo it, the cadre hears.
    client.force_login(world["staff"])
    client.post(reverse("issues:slip_send_back", args=[slip.pk]), {"return_reason": "未附凭证"})
    assert notices(world["officer"])[-1] == f"【退回重办】交办单 {slip.serial}"
    assert notices(world["reporter"])[-1] == "您报告的问题已退回部门重办（桐乡市恒新毛针织有限公司）"
    client.force_login(world["officer"])
    client.post(reverse("issues:slip_answer", args=[slip.pk]), {"result": "已续贷，附合同"})
    client.force_login(world["staff"])
    client.post(reverse("issues:slip_accept", args=[slip.pk]), {})
    assert notices(world["reporter"])[-1] == "您报告的问题：已解决（桐乡市恒新毛针织有限公司）"
    # Nobody is told of their own step, and a second run tells nobody again.
    assert not any("已交办" in s for s in notices(world["staff"]))
    before = ReminderLog.objects.count()
    handoffs.dispatch()
    assert ReminderLog.objects.count() == before
    assert not IssueEvent.objects.filter(handed_off=False).exists()
    # Email went to those with an address (the officer).
    assert (
        ReminderLog.objects.filter(recipient=world["officer"], status="sent").exclude(email="").count() == 2
    )


def test_an_escalation_tells_the_leader_and_an_instruction_tells_the_office(client, world, eager_tasks):
    item = at_the_office(client, world, 1)
    response = client.post(
        reverse("admin:issues_issueitem_escalate", args=[item.pk]),
        {
            "leader": world["leader_cadre"].pk,
            "departments": [world["finance"].pk, world["commerce"].pk],
            "request": "用工缺口需人社、商务协同",
        },
    )
    assert response.status_code == 302
    escalation = item.escalations.get()
    assert notices(world["leader"]) == [f"【呈报单】{escalation.serial} 请您协调"]
    assert Notice.objects.get(recipient=world["leader"]).link == reverse(
        "issues:escalation", args=[escalation.pk]
    )
    client.force_login(world["leader"])
    client.post(
        reverse("issues:escalation_instruct", args=[escalation.pk]),
        {"instruction": "请人社局牵头"},
    )
    assert notices(world["staff"]) == [f"【领导批示】呈报单 {escalation.serial}"]
    assert item.events.get(kind="instructed").actor_name == "黄民"


def test_a_supervision_slip_tells_the_principal_leader(client, world, eager_tasks, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC))
    item = at_the_office(client, world, 0)
    slip = services.refer(item, department=world["finance"], by=world["staff"], working_days=3)
    time_machine.move_to(datetime.datetime(2026, 12, 20, 9, tzinfo=datetime.UTC))
    client.force_login(world["staff"])  # a new day, a new session
    response = client.post(reverse("issues:slip_supervise", args=[slip.pk]), {"note": "请尽快办理"})
    assert response.url == reverse(
        "issues:supervision_print", args=[item.referrals.get().supervisions.get().pk]
    )
    subject = f"【督办单】交办单 {slip.serial} 已逾期"
    assert notices(world["principal"]) == [subject]
    assert subject in notices(world["officer"])


def test_the_officer_files_monthly_progress_of_an_item_referred_to_the_unit(client, world, eager_tasks):
    item = at_the_office(client, world, 0)
    slip = services.refer(item, department=world["finance"], by=world["staff"])
    client.force_login(world["officer"])
    # The referred item is the department's to see, though another unit's cadre reported it.
    assert client.get(reverse("issues:item", args=[item.pk])).status_code == 200
    assert client.get(reverse("admin:issues_issueitem_change", args=[item.pk])).status_code == 200
    response = client.post(reverse("issues:slip_progress", args=[slip.pk]), {"text": "已约谈银行"})
    assert response.status_code == 302
    response = client.post(reverse("issues:slip_progress", args=[slip.pk]), {"text": "银行已受理"})
    entry = item.progress.get()  # one a month: the second replaces the first
    assert (entry.text, entry.by) == ("银行已受理", world["officer"])
    assert [e.comment for e in item.events.filter(kind="progress")][-1].endswith("月度进展：银行已受理")
    page = client.get(reverse("issues:slip", args=[slip.pk])).content.decode()
    assert "银行已受理" in page
    # An empty note is refused with a sentence, nothing written.
    response = client.post(reverse("issues:slip_progress", args=[slip.pk]), {"text": " "})
    assert response.status_code == 200 and item.progress.count() == 1


def test_my_items_lists_the_cadres_problems_with_slip_department_deadline_and_answer(
    client, world, django_assert_max_num_queries
):
    funding, labour = world["items"]
    slip_item = services.refer(
        IssueItem.objects.filter(pk=funding.pk).update(status=S.OFFICE) and funding,
        department=world["finance"],
        by=world["staff"],
    )
    services.answer(slip_item, measures="约谈", result="已续贷 500 万元", by=world["officer"])
    other = f.CadreFactory(name="别人")
    IssueItem.objects.create(
        enterprise=f.EnterpriseFactory(), reporter=other, category="other", description="别人的问题"
    )
    client.force_login(world["reporter"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("issues:my_items"))
    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        slip_item.serial,
        "市金融办",
        slip_item.deadline.isoformat(),
        "已续贷 500 万元",
        "一线操作工缺口三十人",
    ):
        assert text in page
    assert "别人的问题" not in page
    # Only cadres have such a page.
    client.force_login(world["staff"])
    assert client.get(reverse("issues:my_items")).status_code == 403


def test_a_submitted_form_reaches_the_dashboard_at_once_and_the_page_says_how_fresh(
    client, staff_user, eager_tasks, time_machine
):
    """The laptop demo has no beat: the write itself marks the quarter changed
    and the recount runs on commit. Staleness is by change counts, so a clock
    stepping back does not leave the figures stale (nor mark them fresh)."""
    from dashboards import figures
    from tests.test_visits import form_data
    from visits.quarters import Quarter

    time_machine.move_to(datetime.datetime(2026, 11, 25, 2, tzinfo=datetime.UTC))
    quarter = Quarter.parse("2026Q4")
    cadre = f.CadreFactory(name="叶文海")
    user = f.user_with_role("cadre", cadre=cadre, username="ye")
    pairing = f.PairingFactory(cadre=cadre)
    figures.build(quarter)
    before = figures.totals_by_quarter([quarter])[quarter.label]
    client.force_login(user)
    response = client.post(reverse("feedback:new", args=[pairing.pk]), form_data())
    assert response.status_code == 302
    after = figures.totals_by_quarter([quarter])[quarter.label]
    assert (after.raised_in_quarter, after.visited) == (before.raised_in_quarter + 1, before.visited + 1)
    assert not figures.freshness(quarter).stale
    # A change marked and not yet counted is said on the page; the clock going
    # back an hour does not hide it.
    figures.mark_changed([quarter])
    time_machine.move_to(datetime.datetime(2026, 11, 25, 1, tzinfo=datetime.UTC))
    client.force_login(staff_user)
    page = client.get(reverse("dashboards:dashboard") + "?quarter=2026Q4").content.decode()
    assert 'data-fresh="stale"' in page and "之后有新的变动，正在重新统计" in page
    figures.build(quarter, only_if_stale=True)
    page = client.get(reverse("dashboards:dashboard") + "?quarter=2026Q4").content.decode()
    assert 'data-fresh="fresh"' in page


def test_the_submit_confirmation_names_the_form_and_its_items(client, eager_tasks):
    from tests.test_visits import form_data

    cadre = f.CadreFactory(name="叶文海")
    user = f.user_with_role("cadre", cadre=cadre, username="ye")
    pairing = f.PairingFactory(cadre=cadre, enterprise=f.EnterpriseFactory(name="桐乡市恒新毛针织有限公司"))
    client.force_login(user)
    response = client.post(reverse("feedback:new", args=[pairing.pk]), form_data(), follow=True)
    page = response.content.decode()
    assert "反馈表已提交：桐乡市恒新毛针织有限公司，2026-11-20 走访。" in page
    assert "1 个问题已列入问题清单：【用工】一线操作工招工难" in page
    assert reverse("issues:my_items") in page  # the header's link to follow them
