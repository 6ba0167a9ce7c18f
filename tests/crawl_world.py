"""The world the crawl (:mod:`tests.test_crawl`) walks: the demo that ``make
run`` builds (``seed_demo``), plus the rows the demo lacks, each made through
the product's own services or the admin's own forms, never by hand.

What is added, and how:

- logins: the demo's five (``cadres.demo.ensure_demo_logins``), a superuser,
  the information officer of a town (乌镇镇 or the first town with cadres),
  and a second cadre with a login: a cadre of that town, paired (through
  ``cadres.services.create_pairing``) with an enterprise of the demo cadre,
  so the two share a feedback form;
- a feedback form by the demo cadre with the second cadre as companion and
  two problem rows (``visits.services.save_visit`` / ``tongxiang_liaison.actions.submit_feedback``): the
  issue items exist with their real creation event;
- a situation-analysis meeting the second cadre attended, discussing items of
  enterprises he is not paired with (``coordination.services.save_meeting``);
- escalation slips to two different city leaders (``issues.services.escalate``)
  after the items went up the path (``issues.workflow.move``, the admin's
  own way);
- a supervision slip on an overdue referral slip (``issues.services.supervise``);
- a spot-check batch with a recorded check (``issues.spotchecks``);
- a built quarterly report (``jobs.report.build_report``);
- the enterprise's own side (issue 17), for the demo contact ``make run``
  prints (:func:`enterprise_side`): two requests raised on its pages with a
  photo (the portal's own form, signed in with the portal's cookie); the first
  taken to the office and referred, its extension asked, a progress note,
  answered, sent back with a reason, answered again, accepted and rated
  基本满意 on its pages; the second escalated with a request and a leader's
  instruction. Each working note is a text of its own (:data:`INTERNAL_NOTES`)
  that no enterprise page may show;
- the script and a formula typed by liaison staff into the admin's own add
  and change forms (GET the form, change the fields, POST it back): two
  cadres' names, a service item, the meeting's topics, a good practice.

And what the crawl imports once it has opened every page
(:func:`import_kinds`): a file per import kind, as the office would send it.
"""

import datetime
import html
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadres import services as cadre_services
from cadres.demo import demo_contact_mobile, ensure_demo_logins
from cadres.models import Cadre, Pairing, Unit
from cadres.permissions import GROUP_NAMES, Role
from coordination import services as meeting_services
from coordination.models import GoodPractice, Meeting
from enterprises.models import EnterpriseContact
from issues import services as issue_services
from issues import slip_workflow, spotchecks, workflow
from issues.models import Confirmation, IssueItem, ReferralSlip, SpotCheck
from jobs.report import build_report
from tests.permission_world import SCRIPT
from tests.portal import sign_in
from tongxiang_liaison.actions import submit_feedback
from visits import services as visit_services
from visits.models import Visit
from visits.quarters import Quarter

FORMULA = '=HYPERLINK("http://evil.example","x")'
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
# The office's and departments' working notes on the enterprise's items (issue 17).
INTERNAL_NOTES = {
    "extension": "延期理由：需等待省厅批复用地指标",
    "progress": "月度进展：已与供电公司初步沟通",
    "send_back": "退回原因：措施不具体，请补充时间表",
    "escalation": "呈报建议：请市领导召集自然资源和规划局协调",
    "instruction": "领导批示：请经信局牵头一周内拿出方案",
    "first_answer": "第一次办理结果：已电话联系企业",
}
ENTERPRISES, CADRES = 90, 60  # the crawl's size: see the README


class FormReader(HTMLParser):
    """The fields a browser would send for each POST form of a page: inputs,
    checked boxes, selected options (the first one when none is, as a browser
    does) and text areas; ``main`` is the form with the most fields (an admin
    page also has the header's log-out form)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.data, self.options = [], None, {}
        self.select, self.multiple, self.first, self.textarea, self.text = None, False, None, None, []

    @property
    def main(self):
        return max(self.forms, key=len)

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.data = {}
            self.forms.append(self.data)
        if self.data is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.add(name, a.get("value") or ("on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select" and name:
            self.select, self.multiple, self.first = name, "multiple" in a, None
            self.data.setdefault(name, [])
        elif tag == "option" and self.select:
            value = a.get("value", "")
            self.first = value if self.first is None else self.first
            self.options.setdefault(self.select, []).append(value)
            if "selected" in a:
                self.add(self.select, value)
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self.data = None
        elif tag == "select" and self.select:
            if not self.data[self.select] and not self.multiple and self.first is not None:
                self.add(self.select, self.first)
            self.select = None
        elif tag == "textarea" and self.textarea:
            value = "".join(self.text)
            self.add(self.textarea, value[1:] if value.startswith("\n") else value)
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text.append(data)


def post_admin_form(client, url, changes):
    """Open the admin's form at ``url``, change ``changes`` and save it, as a
    user would. Returns the error text if the admin did not accept it."""
    page = client.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    reader = FormReader()
    reader.feed(page.content.decode())
    data = {**reader.main, **{k: v if isinstance(v, list) else [v] for k, v in changes.items()}}
    data["_save"] = ["1"]
    response = client.post(url, data)
    if response.status_code != 302:
        errors = response.content.decode()
        start = errors.find("errornote")
        return html.unescape(errors[start : start + 1500]) if start >= 0 else errors[:1500]
    return None


def _login(username, role, *, cadre=None, staff=False, superuser=False):
    user = get_user_model().objects.create_user(
        username, password="x", is_staff=staff or superuser, is_superuser=superuser
    )
    if role is not None:
        user.groups.set([Group.objects.get(name=GROUP_NAMES[role])])
    if cadre is not None:
        cadre.user = user
        cadre.save(update_fields=["user"])
    return user


def build():
    """Seed the demo, add the missing rows; returns ``(users, facts)``."""
    call_command("seed_demo", enterprises=ENTERPRISES, cadres=CADRES, stdout=io.StringIO())
    ensure_demo_logins()
    User = get_user_model()
    today = timezone.localdate()
    users = {name: User.objects.get(username=login) for name, login in (
        ("staff", "lianluoban"), ("dept_officer", "xinxiyuan"), ("cadre", "ganbu"),
        ("leader", "lingdao"), ("supervisor", "ducha"),
    )}  # fmt: skip
    users["anon"] = None
    users["superuser"] = _login("root", None, superuser=True)
    cadre = users["cadre"].cadre

    # The second cadre: a town cadre, paired with one of the demo cadre's
    # enterprises (R6) in that enterprise's town.
    mine = Pairing.objects.active_on(today).filter(cadre=cadre).select_related("enterprise__place")
    shared, town = None, None
    for pairing in mine.order_by("pk"):
        town = Unit.objects.filter(place=pairing.enterprise.place).first()
        if town and Cadre.objects.filter(unit=town).exclude(pk=town.information_officer_id).exists():
            shared = pairing
            break
    assert shared is not None, "the demo cadre has no enterprise in a town with cadres"
    second = (
        Cadre.objects.filter(unit=town, is_active=True)
        .exclude(pk=town.information_officer_id)
        .exclude(pairings__enterprise=shared.enterprise)
        .order_by("pk")
        .first()
    )
    if second is None:  # every cadre of the town links it already
        second = (
            Cadre.objects.filter(unit=town).exclude(pk=town.information_officer_id).order_by("pk").first()
        )
    else:
        cadre_services.create_pairing(
            cadre=second, enterprise=shared.enterprise, kind=Pairing.Kind.TOWN, start_date=shared.start_date
        )
    users["cadre2"] = _login("ganbu2", Role.CADRE, cadre=second)
    users["town_officer"] = _login(
        "xinxiyuan2", Role.UNIT_OFFICER, cadre=town.information_officer, staff=True
    )

    # The demo cadre's form, with the second cadre beside him and two problems.
    visit = Visit(
        pairing=shared,
        visit_date=today,
        met_head=True,
        talked_to_workers=True,
        situation="生产经营总体平稳。",
        urgent_services="用工对接",
    )
    visit_services.save_visit(
        visit,
        companions=[second],
        problems=[("labour", "一线操作工缺口二十人。"), ("funding", "技改贷款贴息申请进度。")],
    )
    submit_feedback(visit, by=users["cadre"])
    form_items = list(IssueItem.objects.filter(visit=visit).order_by("pk"))
    assert len(form_items) == 2 and all(i.events.filter(kind="created").exists() for i in form_items)

    # Items up the path to the office, then escalated to two city leaders.
    staff = users["staff"]
    leaders = list(Cadre.objects.filter(rank=Cadre.Rank.CITY_LEADER).order_by("pk")[:2])
    departments = list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).order_by("sort_order")[:2])
    for item, leader in zip(form_items, leaders, strict=True):
        for status in (IssueItem.Status.CONTACT, IssueItem.Status.UNIT, IssueItem.Status.OFFICE):
            workflow.move(item, status, by=staff, comment="crawl")
        issue_services.escalate(item, leader=leader, departments=departments, by=staff, request="请协调")

    # A supervision slip on an overdue referral slip (the demo has some; else make one).
    overdue = (
        ReferralSlip.objects.filter(deadline__lt=today)
        .exclude(status__in=[ReferralSlip.Status.ANSWERED, ReferralSlip.Status.ACCEPTED])
        .order_by("pk")
    )
    referral = next((s for s in overdue if s.status in slip_workflow.OPEN_REFERRAL), None)
    if referral is None:
        item = IssueItem.objects.filter(status=IssueItem.Status.OFFICE).order_by("pk").first()
        referral = issue_services.refer(
            item, department=departments[0], by=staff, on=today - datetime.timedelta(days=60)
        )
    issue_services.supervise(referral, by=staff, note="请抓紧办理")

    # The meeting the second cadre attended: items of enterprises he does not link.
    coordinator = Cadre.objects.filter(is_coordinator=True).order_by("pk").first()
    his = set(Pairing.objects.filter(cadre=second).values_list("enterprise_id", flat=True))
    foreign_items = list(IssueItem.objects.exclude(enterprise_id__in=his).order_by("pk")[:3])
    meeting = meeting_services.save_meeting(
        Meeting(coordinator=coordinator, held_on=today, topics="本季度形势分析。"),
        places=[town.place],
        attendees=[second],
        items=foreign_items + form_items[:1],
        by=staff,
    )

    # A spot-check batch of the last quarter with one check recorded.
    quarter = Quarter.of(today).previous()
    batch = spotchecks.create_batch(quarter=quarter, size=5, seed=1, title="", by=users["supervisor"])
    check = SpotCheck.objects.filter(batch=batch).order_by("pk").first()
    assert check is not None, "the demo's last quarter gave the spot check nothing to draw"
    spotchecks.record_check(
        check, by=users["supervisor"], method=SpotCheck.Method.values[0], checked_on=today,
        visit_confirmed=True, satisfaction=SpotCheck.Satisfaction.values[0], finding="属实",
    )  # fmt: skip
    build_report(quarter, by_id=staff.pk)

    # The payloads, typed by liaison staff into the admin's own forms.
    client = Client()
    client.force_login(staff)
    economy = users["dept_officer"].cadre.unit
    other = (
        Cadre.objects.exclude(unit__in=[economy, town]).filter(pairings__isnull=False, user__isnull=True)
        .exclude(rank=Cadre.Rank.CITY_LEADER).order_by("pk").first()
    )  # fmt: skip
    colleague = (
        Cadre.objects.filter(unit=economy, user__isnull=True).exclude(pk=economy.information_officer_id)
        .order_by("pk").first()
    )  # fmt: skip
    errors = {}
    errors["cadre name"] = post_admin_form(
        client, reverse("admin:cadres_cadre_change", args=[other.pk]), {"name": other.name + SCRIPT}
    )
    if colleague is not None:
        errors["colleague name"] = post_admin_form(
            client, reverse("admin:cadres_cadre_change", args=[colleague.pk]), {"name": FORMULA}
        )
    errors["service item"] = post_admin_form(
        client,
        reverse("admin:cadres_serviceitem_add"),
        {"unit": str(economy.pk), "title": SCRIPT, "description": FORMULA, "contact_name": FORMULA},
    )
    errors["meeting topics"] = post_admin_form(
        client, reverse("admin:coordination_meeting_change", args=[meeting.pk]), {"topics": FORMULA + SCRIPT}
    )
    errors["good practice"] = post_admin_form(
        client,
        reverse("admin:coordination_goodpractice_add"),
        {"title": SCRIPT, "summary": FORMULA, "body": SCRIPT, "published_on": today.isoformat()},
    )
    errors = {k: v for k, v in errors.items() if v}
    assert not errors, errors
    assert GoodPractice.objects.filter(title=SCRIPT).exists()
    assert Meeting.objects.get(pk=meeting.pk).topics == FORMULA + SCRIPT
    contact = enterprise_side(users, departments)
    facts = {"meeting": meeting, "visit": visit, "batch": batch, "town": town, "second": second}
    return users, {**facts, "contact": contact}


def enterprise_side(users, departments):
    """The demo contact's requests, through its pages and the services (see
    the module's docstring); answers the contact."""
    contact = EnterpriseContact.objects.select_related("enterprise").get(mobile=demo_contact_mobile(1))
    portal = Client()
    sign_in(portal, contact)
    raised = []
    for description in ("厂区变压器容量不足，扩产受限。", "新厂房用地指标迟迟未落实。"):
        photo = SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")
        answer = portal.post(
            reverse("portal:new_request"), {"category": "other", "description": description, "files": [photo]}
        )
        assert answer.status_code == 302, answer.content.decode()[:500]
        raised.append(IssueItem.objects.get(raised_by=contact, description=description))
    staff, officer, leader = users["staff"], users["dept_officer"], users["leader"]
    first, second = raised
    for item in raised:
        workflow.move(item, IssueItem.Status.OFFICE, by=staff)
    slip = issue_services.refer(first, department=officer.cadre.unit, by=staff)
    notes = INTERNAL_NOTES
    issue_services.request_extension(slip, reason=notes["extension"], extra_working_days=5, by=officer)
    issue_services.add_progress(first, text=notes["progress"], by=officer)
    issue_services.answer(slip, measures="与供电公司对接扩容方案。", result=notes["first_answer"], by=officer)
    issue_services.send_back(slip, by=staff, reason=notes["send_back"])
    issue_services.answer(
        slip, measures="供电公司已排期扩容。", result="变压器扩容已列入本月计划。", by=officer
    )
    issue_services.accept(slip, by=staff)
    answer = portal.post(
        reverse("portal:confirm", args=[first.pk]),
        {"verdict": Confirmation.Verdict.BASIC, "comment": "基本解决"},
    )
    assert answer.status_code == 302, answer.content.decode()[:500]
    escalation = issue_services.escalate(
        second, leader=leader.cadre, departments=departments, by=staff, request=notes["escalation"]
    )
    issue_services.record_instruction(escalation, instruction=notes["instruction"], by=leader)
    return contact


# -- what the crawl imports, after it has opened every page ------------------------


@dataclass
class ImportKind:
    """One import kind's walk through the admin's import pages (see
    ``test_crawl.walk_imports``): the admin (``model``, its url prefix), the
    resource chosen on the form and the form's other fields, a file of
    :mod:`tests.office_files` made from this world, the mapping staff choose
    (``{header: column}``, "" to ignore it), what the first answer says (the
    preview, or the refusal naming the missing column when ``refused_first``),
    what the preview says once the mapping is remembered, how many rows it
    adds (and leaves unchanged), and a check of what was written (a list of
    what is wrong)."""

    name: str
    model: str
    item: object
    first: list
    check: object
    new: int
    resource: str = "0"
    form: dict = field(default_factory=dict)
    choices: dict = field(default_factory=dict)
    second: list = field(default_factory=list)
    unchanged: int = 0
    refused_first: bool = False

    @property
    def label(self):
        """The import kind its mappings are remembered under."""
        return self.model.replace("_", ".", 1)

    def url(self, view):
        return reverse(f"admin:{self.model}_{view}")

    def upload_data(self):
        upload = io.BytesIO(self.item.content)
        upload.name = self.item.name
        return {"format": "0", "resource": self.resource, "import_file": upload, **self.form}


NEW_MOBILES = ["17000000001", "17000000002"]


def import_kinds(users):
    """The import kinds in the order their rows build on each other: a place
    and a unit, a register of new enterprises (as the office words it), two
    cadres of the information officer's unit (its name written as the office
    writes it), their pairings as a list and as Attachment 2, and the 规上
    list of the new enterprises."""
    from enterprises.models import Enterprise, Place
    from multiplication.models import Membership
    from tests import office_files

    economy = users["dept_officer"].cadre.unit.name  # 市经信局
    written = "桐乡" + economy  # 桐乡市经信局: the city in front
    records = office_files.register_records(12, seed=5)
    register = office_files.enterprise_register_own_wording(records)
    firms = register.expected
    codes = [firm["credit_code"] for firm in firms]
    place = Place.objects.order_by("sort_order").first()
    march, april = datetime.date(2026, 3, 27), datetime.date(2026, 4, 1)

    def enterprises_written():
        stored = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
        wrong = [code for code in codes if code not in stored]
        for firm in firms:
            enterprise = stored.get(firm["credit_code"])
            for attribute, want in firm.items():
                got = getattr(enterprise, attribute, None)
                got = got.name if attribute == "place" and got is not None else got
                if enterprise is not None and got != want:
                    wrong.append((firm["credit_code"], attribute, got, want))
        return wrong

    def cadres_written():
        got = {c.mobile: (c.name, c.unit.name, c.title) for c in Cadre.objects.filter(mobile__in=NEW_MOBILES)}
        want = {NEW_MOBILES[0]: ("吴新一", economy, "科长"), NEW_MOBILES[1]: ("吴新二", economy, "科员")}
        return [] if got == want else [got]

    def pairings_written(*rows):
        found = Pairing.objects.filter(cadre__mobile__in=NEW_MOBILES).values_list(
            "cadre__mobile", "enterprise__credit_code", "start_date"
        )
        return lambda: sorted(set(rows) - set(found))

    above = office_files.above_size_list(records)
    members = {entry["credit_code"] for entry in above.expected}

    def members_written():
        got = Membership.objects.filter(category="above_size", enterprise__credit_code__in=members)
        return sorted(members - set(got.values_list("enterprise__credit_code", flat=True)))

    def exists(model, **values):
        return lambda: [] if model.objects.filter(**values).exists() else [values]

    cadre_rows = [
        ("吴新一", written, "中层", "科长", NEW_MOBILES[0]),
        ("吴新二", economy.removeprefix("市"), "一般干部", "科员", NEW_MOBILES[1]),  # 经信局
    ]
    pairing_rows = [
        (NEW_MOBILES[0], "吴新一", codes[0], firms[0]["name"], "部门联系", "2026.3.27"),
        (NEW_MOBILES[1], "吴新二", codes[1], firms[1]["name"], "部门联系", "2026年4月1日"),
    ]
    attachment2 = [(written, [("吴新一", [(f"{firms[2]['name']}、{firms[3]['name']}", "2026年3月27日")])])]
    return [
        ImportKind(
            "places",
            "enterprises_place",
            office_files.place_list_xlsx([("试验新区", "新区"), (place.name, place.get_kind_display())]),
            first=["文件缺少必需的列：类型。第 4 行被当作表头，其中的列是：序号、名称、地点类别、备注。"],
            refused_first=True,
            choices={"地点类别": "类型", "备注": ""},
            # 序号 left as the step offers it: ignored, as chosen.
            second=["按已记住的对应关系读取：地点类别 映射为 类型", "以下列按您的选择忽略：序号、备注"],
            new=1,
            unchanged=1,
            check=exists(Place, name="试验新区", kind="new_area"),
        ),
        ImportKind(
            "units",
            "cadres_unit",
            office_files.unit_list_xlsx([("市数据资源局", "涉企部门")]),
            first=["文件缺少必需的列：单位类型。"],
            refused_first=True,
            choices={"单位性质": "单位类型", "备注": ""},
            second=["按已记住的对应关系读取：单位性质 映射为 单位类型", "以下列按您的选择忽略：序号、备注"],
            new=1,
            check=exists(Unit, name="市数据资源局", kind="department"),
        ),
        ImportKind(
            "enterprises",
            "enterprises_enterprise",
            register,
            first=["以下列无法识别，不会导入：序号、对接人、备注", "单位详细名称 → 企业名称"]
            + ["合计、小计、总计行不导入，已跳过第"],
            choices={"对接人": "企业联系人", "备注": ""},
            second=["按已记住的对应关系读取：对接人 映射为 企业联系人", "以下列按您的选择忽略：序号、备注"],
            new=len(firms),
            check=enterprises_written,
        ),
        ImportKind(
            "cadres",
            "cadres_cadre",
            office_files.cadre_list_xlsx(cadre_rows),
            first=["以下列无法识别，不会导入：序号、现任职务、备注"],
            choices={"现任职务": "职务", "备注": ""},
            second=["按已记住的对应关系读取：现任职务 映射为 职务", "以下列按您的选择忽略：序号、备注"],
            new=2,
            check=cadres_written,
        ),
        ImportKind(
            "pairings",
            "cadres_pairing",
            office_files.pairing_list_xlsx(pairing_rows),
            first=["文件缺少必需的列：开始日期。"],
            refused_first=True,
            choices={"结对日期": "开始日期", "备注": ""},
            second=["按已记住的对应关系读取：结对日期 映射为 开始日期", "以下列按您的选择忽略：序号、备注"]
            + ["以下列仅供核对，不会导入：干部姓名、企业名称"],
            new=2,
            check=pairings_written((NEW_MOBILES[0], codes[0], march), (NEW_MOBILES[1], codes[1], april)),
        ),
        # Attachment 2 is read in its own layout, the government table's, so
        # it has no mapping step; the columns it does not import are named.
        ImportKind(
            "attachment 2",
            "cadres_pairing",
            office_files.attachment2_xlsx(attachment2),
            resource="1",
            first=["以下列仅供核对，不会导入：序号、第一责任人、分管领导、职务、职级、企业所在镇（街道）"],
            new=2,
            check=pairings_written((NEW_MOBILES[0], codes[2], march), (NEW_MOBILES[0], codes[3], march)),
        ),
        ImportKind(
            "category list",
            "multiplication_membership",
            above,
            form={"category": "above_size", "year": "2025", "effective_on": "2026-01-01"},
            first=["以下列无法识别，不会导入：序号", "以下列仅供核对，不会导入：单位详细名称、所在镇(街道)"],
            choices={"序号": ""},
            second=["以下列按您的选择忽略：序号"],
            new=len(members),
            check=members_written,
        ),
    ]
