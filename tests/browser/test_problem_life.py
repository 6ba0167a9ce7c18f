"""The whole life of two problems in a real browser, on the demo world that
``make run`` builds (``seed_demo``), with the demo logins, through the UI only.

A cadre files a feedback form on a phone with two problems (R9, R11); the
liaison office moves both along the escalation path (R14), refers the first
to 市经信局 (交办, R13) whose officer answers it (R12) and escalates the second
to a city leader with two departments (呈报, R13), who writes a 批示; both end
已解决 with a timeline naming who acted at each step; the cadre sees the
outcome; a supervisor draws a spot-check sample, records one check and opens
the notice (R15). Screenshots: ``artifacts/life-NN-….png``."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cadres.demo import DEMO_PASSWORD
from cadres.models import Cadre
from issues.models import ReferralSlip
from visits.quarters import Quarter

from .conftest import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]

PHONE = {"width": 375, "height": 812}
A4 = {"width": 794, "height": 1123}  # A4 at 96 dpi
FIRST_PROBLEM = "银行到期抽贷，流动资金缺口约八百万元，请求协调续贷"
SECOND_PROBLEM = "新厂房环评与用地指标同时卡住，需要生态环境、自然资源两个部门会商"


class Steps:
    """Pages the users have open, with what a user would notice checked on
    every load: no server error, no script error, nothing wider than a phone."""

    def __init__(self, live_server, new_page, screenshot):
        self.url = live_server.url
        self.new_page = new_page
        self.save = screenshot
        self.problems = []

    def open(self, username, *, width=1366, height=900):
        page = self.new_page(width=width, height=height)
        page.on("response", lambda r: r.status >= 500 and self.problems.append(f"{r.status} {r.url}"))
        page.on("pageerror", lambda e: self.problems.append(f"script error on {page.url}: {e}"))
        login(page, self.url, username, DEMO_PASSWORD)
        page.wait_for_load_state()
        assert "/login/" not in page.url, f"{username} could not log in"
        return page

    def go(self, page, path):
        response = page.goto(f"{self.url}{path}")
        assert response.status == 200, (path, response.status)
        return page

    def click(self, page, selector):
        """Click something that loads a page (a link or a submit button)."""
        with page.expect_navigation():
            page.click(selector)
        assert not self.problems, self.problems

    def send(self, page, path, fields, button="input[type=submit]"):
        """Open the form at ``path``, fill ``fields`` in order ({selector:
        text}; a select takes the option of that value or label) and send it
        with ``button``."""
        self.go(page, path)
        for selector, text in fields.items():
            if page.locator(selector).evaluate("field => field.tagName") == "SELECT":
                page.select_option(selector, text)
            else:
                page.fill(selector, text)
        self.click(page, button)

    def shot(self, page, name):
        """``name`` starts with a fixed number, so a step that only runs once
        its page lands (我的问题) leaves the others' file names alone."""
        assert not self.problems, self.problems
        if page.viewport_size["width"] <= PHONE["width"]:
            fits(page)
        self.save(page, f"life-{name}")


def fits(page):
    """Nothing sticks out of a 375-pixel phone screen."""
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    wide = page.evaluate(
        """w => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 0.5)
            .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)""",
        width,
    )
    assert not wide, (page.url, wide)


def timeline(page, *steps):
    """Check the item's timeline has ``steps`` in this order, each a tuple of
    texts one line holds all of (who acted, what happened); other lines (a
    notice, a progress entry) may come between."""
    lines = [line.inner_text() for line in page.locator("ol.timeline > li").all()]
    at = -1
    for texts in steps:
        found = [i for i, line in enumerate(lines) if i > at and all(t in line for t in texts)]
        assert found, (texts, lines[at + 1 :])
        at = found[0]
    return lines


def number_in(url, pattern):
    return int(re.search(pattern, url).group(1))


def test_problem_life_on_the_demo_world(live_server, new_page, screenshot):
    call_command("seed_demo", enterprises=60, cadres=60, stdout=io.StringIO())
    today = timezone.localdate()
    s = Steps(live_server, new_page, screenshot)
    cadre = Cadre.objects.get(user__username="ganbu")
    officer = Cadre.objects.get(user__username="xinxiyuan")
    leader = Cadre.objects.get(user__username="lingdao")
    staff = get_user_model().objects.get(username="lianluoban")
    office_name = staff.get_full_name() or staff.username  # what the timeline shows for the office
    # The first lines of both items' timelines: submitted, then walked to the office.
    to_the_office = [(cadre.name, "新提交")] + [
        (office_name, f"→ {step}") for step in ("联系人办理", "单位协调", "联络办受理")
    ]

    # 1. The cadre files the feedback form on a phone, with two problems.
    phone = s.open("ganbu", **PHONE)
    s.go(phone, "/my/")
    card = phone.locator("li.card[data-pairing]").first
    enterprise = card.locator(".enterprise").inner_text()
    s.shot(phone, "01-cadre-my-enterprises")
    s.click(phone, f"li.card[data-pairing='{card.get_attribute('data-pairing')}'] a[href*='/visits/new/']")
    phone.fill("#id_visit_date", today.isoformat())
    phone.check("input[name=mode][value=onsite]")
    phone.check("#id_met_head")
    phone.check("#id_talked_to_workers")
    phone.fill("#id_situation", "订单饱满，二期厂房在建，一线用工基本稳定。")
    phone.fill("#id_urgent_services", "续贷担保；二期项目环评与用地审批。")
    phone.fill("#id_policies_explained", "讲解了技改补助和小微企业融资担保政策。")
    phone.select_option("#id_problems-0-category", "funding")
    phone.fill("#id_problems-0-description", FIRST_PROBLEM)
    phone.select_option("#id_problems-1-category", "environment")
    phone.fill("#id_problems-1-description", SECOND_PROBLEM)
    s.shot(phone, "02-cadre-visit-form")
    s.click(phone, "button[name=action][value=draft]")
    assert re.search(r"/visits/\d+/edit/$", phone.url)
    assert phone.input_value("#id_problems-0-description") == FIRST_PROBLEM
    s.click(phone, "button[name=action][value=submit]")
    assert re.search(r"/visits/\d+/$", phone.url)
    assert "已提交" in phone.inner_text("h1")
    shown = phone.inner_text("main")
    for text in (enterprise, "订单饱满", "续贷担保", "技改补助", "资金", FIRST_PROBLEM, SECOND_PROBLEM):
        assert text in shown, text
    s.shot(phone, "03-cadre-visit-submitted")

    # 2. The liaison office finds both items in the issue list and moves them
    # to 联络办受理; the first is referred to 市经信局.
    office = s.open("lianluoban")
    s.go(office, "/admin/")
    s.click(office, "a[href$='/admin/issues/issueitem/']")  # 问题清单
    with office.expect_navigation():
        office.locator("#changelist-filter").get_by_role("link", name="新提交", exact=True).click()
    listing = office.inner_text("#result_list")
    assert FIRST_PROBLEM in listing and SECOND_PROBLEM in listing and enterprise in listing
    s.shot(office, "04-office-issue-list")
    items = {}
    for problem in (FIRST_PROBLEM, SECOND_PROBLEM):
        s.go(office, "/admin/issues/issueitem/")
        office.fill("#searchbar", problem[:12])
        with office.expect_navigation():
            office.press("#searchbar", "Enter")
        s.click(office, f"#result_list tbody tr:has-text('{problem[:20]}') th a")
        items[problem] = number_in(office.url, r"/issueitem/(\d+)/change/")
        for status, comment in (
            ("contact", f"联系人先行协调（{problem[:4]}）"),
            ("unit", "联系人无法解决，提交单位协调"),
            ("office", "单位协调未果，上报市联络办"),
        ):
            s.click(office, "a[href$='/move/']")
            office.select_option("#id_to_status", status)
            office.fill("#id_comment", comment)
            if status == "office" and problem == FIRST_PROBLEM:
                s.shot(office, "05-office-move-form")
            s.click(office, "input[type=submit]")
            assert "已办理" in office.inner_text(".messagelist"), office.inner_text("#content")
    first, second = items[FIRST_PROBLEM], items[SECOND_PROBLEM]

    s.go(office, f"/admin/issues/issueitem/{first}/refer/")
    office.select_option("#id_department", label="市经信局")
    office.fill("#id_requirement", "请协调合作银行续贷，十个工作日内反馈。")
    s.shot(office, "06-office-refer-form")
    s.click(office, "input[type=submit]")
    slip = number_in(office.url, r"/slips/(\d+)/$")
    serial = office.inner_text("h1").split()[0]
    s.shot(office, "07-office-referral-slip")
    s.go(office, f"/slips/{slip}/print/")
    office.set_viewport_size(A4)
    office.emulate_media(media="print")  # as it comes out of the printer
    assert not office.locator(".no-print").is_visible()
    printed = office.inner_text("body")
    assert serial in printed and enterprise in printed and FIRST_PROBLEM in printed and "市经信局" in printed
    s.shot(office, "08-referral-slip-print")
    office.emulate_media(media="screen")

    # 3. The officer of 市经信局 answers it from the inbox.
    answerer = s.open("xinxiyuan")
    s.go(answerer, "/slips/")
    assert serial in answerer.inner_text(f"li[data-slip='{slip}']")
    s.shot(answerer, "09-officer-inbox")
    s.click(answerer, f"li[data-slip='{slip}'] a")
    answerer.fill("#id_measures", "约谈合作银行，由市融资担保公司提供担保。")
    answerer.fill("#id_result", "银行已同意续贷八百万元。")
    s.click(answerer, "button[name=action][value=answer]")
    assert "已反馈" in answerer.inner_text("h1")
    s.shot(answerer, "10-officer-answered")

    # 4. The office accepts; the item is resolved, every step naming who acted.
    s.go(office, f"/slips/{slip}/")
    office.set_viewport_size({"width": 1366, "height": 900})
    s.click(office, "button[name=action][value=accept]")
    assert "已办结" in office.inner_text("h1")
    s.go(office, f"/items/{first}/")
    assert "已解决" in office.inner_text("h1")
    slip_row = office.inner_text(f"tr[data-slip='{slip}']")
    for text in (serial, "已办结", "市经信局", "市融资担保公司", "银行已同意续贷"):
        assert text in slip_row, text
    timeline(
        office,
        *to_the_office,
        (office_name, "→ 已交办", "市经信局", serial),
        (officer.name, "部门反馈", "银行已同意续贷"),
        (office_name, "→ 已解决", serial),
    )
    s.shot(office, "11-item-resolved-timeline")

    # 5. The cadre sees the outcome on the phone.
    s.go(phone, f"/items/{first}/")
    shown = phone.inner_text("main")
    assert "已解决" in shown and FIRST_PROBLEM in shown and "银行已同意续贷" in shown
    s.shot(phone, "12-cadre-item-outcome")
    try:
        my_issues = reverse("issues:my_items")
    except NoReverseMatch:
        my_issues = None  # 我的问题 lands with the lead's change
    if my_issues:
        s.go(phone, my_issues)
        shown = phone.inner_text("main")
        deadline = ReferralSlip.objects.get(pk=slip).deadline
        for text in (FIRST_PROBLEM[:20], SECOND_PROBLEM[:20], "已解决", serial, "市经信局", "银行已同意续贷"):
            assert text in shown, text
        assert deadline.isoformat() in shown or f"{deadline.month}月{deadline.day}日" in shown, deadline
        s.shot(phone, "13-cadre-my-issues")

    # 6. The second item is escalated to the city leader with two departments.
    s.go(office, f"/admin/issues/issueitem/{second}/change/")
    s.click(office, "a[href$='/escalate/']")
    office.select_option("#id_leader", str(leader.pk))
    picked = ("市环保局", "市国土局")
    for name in picked:
        office.get_by_label(name, exact=True).check()
    office.fill("#id_request", "建议召开专题协调会，统筹环评与用地指标。")
    s.shot(office, "14-office-escalate-form")
    s.click(office, "input[type=submit]")
    escalation = number_in(office.url, r"/escalations/(\d+)/$")

    chief = s.open("lingdao", **PHONE)  # a leader reads and instructs on the phone
    s.go(chief, "/escalations/")
    s.shot(chief, "15-leader-escalations")
    s.click(chief, f"li[data-escalation='{escalation}'] a")
    for name in picked:
        assert name in chief.inner_text("main"), name
    chief.fill("#id_instruction", "请两部门三日内会商，提出办理意见。")
    s.click(chief, "button[name=action][value=instruct]")
    assert "已批示" in chief.inner_text("h1")
    assert chief.input_value("#id_instruction") == "请两部门三日内会商，提出办理意见。"  # to amend, not blank
    s.shot(chief, "16-leader-instructed")

    s.go(office, f"/escalations/{escalation}/")
    office.fill("#id_coordination_result", "专题会议协调，环评与用地指标已落实。")
    office.check("input[name=solved][value='1']")
    s.click(office, "button[name=action][value=conclude]")
    assert "已协调办结" in office.inner_text("h1")
    s.go(office, f"/items/{second}/")
    assert "已解决" in office.inner_text("h1")
    escalation_row = office.inner_text(f"tr[data-escalation='{escalation}']")
    for text in (leader.name, *picked, "请两部门三日内会商", "环评与用地指标已落实"):
        assert text in escalation_row, text
    timeline(
        office,
        *to_the_office,
        (office_name, "→ 已呈报", leader.name),
        (leader.name, "领导批示", "三日内会商"),
        (office_name, "→ 已解决", "已落实"),
    )
    s.shot(office, "17-escalated-item-timeline")
    s.go(phone, f"/items/{second}/")
    shown = phone.inner_text("main")
    assert "已解决" in shown and "请两部门三日内会商" in shown and "已落实" in shown
    s.shot(phone, "18-cadre-escalated-outcome")
    if my_issues:
        s.go(phone, my_issues)
        for problem in (FIRST_PROBLEM, SECOND_PROBLEM):
            card = phone.locator("li", has_text=problem).last
            assert "已解决" in card.inner_text(), card.inner_text()
        s.shot(phone, "19-cadre-my-issues-escalated")

    # 7. The supervisor draws a sample for this quarter, records one check by
    # phone and opens the notice.
    checker = s.open("ducha")
    s.go(checker, "/spotchecks/")
    checker.fill("#id_quarter", Quarter.of(today).label)
    checker.fill("#id_sample_size", "5")
    checker.fill("#id_seed", "2014")
    s.shot(checker, "20-supervisor-draw")
    s.click(checker, "main form.card button[type=submit]")
    batch = number_in(checker.url, r"/spotchecks/(\d+)/$")
    card = checker.locator("li.card[id^=check-]").first
    check = card.get_attribute("id").removeprefix("check-")
    prefix = f"#id_c{check}-"
    card.locator(f"{prefix}method").select_option("phone")
    assert card.locator(f"{prefix}checked_on").input_value() == today.isoformat()  # today by default
    card.locator(f"{prefix}visit_confirmed").select_option("true")
    card.locator(f"{prefix}satisfaction").select_option("satisfied")
    card.locator(f"{prefix}finding").fill("电话回访企业负责人，确认本季度已上门走访。")
    s.shot(checker, "21-supervisor-batch")
    with checker.expect_navigation():
        card.locator("button[type=submit]").click()
    assert "已抽查" in checker.locator(f"#check-{check}").inner_text()
    s.go(checker, f"/spotchecks/{batch}/notice/")
    heading = checker.inner_text("h1")
    assert heading.endswith("的通报") and "情况抽查情况" not in heading, heading
    assert "已完成 1 对" in checker.inner_text("main") and "100.0%" in checker.inner_text("main")
    s.shot(checker, "22-supervisor-notice")
