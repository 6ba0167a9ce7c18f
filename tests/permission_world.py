"""The people and rows the permission matrices are checked with.

Roles: anonymous; a cadre of 市金融办 (A); the information officer of a town
(乌镇镇, owns nothing here); the information officer of 市金融办 (A's
department: slips to it, its cadres' forms); a city leader who is a
coordinator (A's escalation slip and meeting are his); a supervisor; liaison
staff; a superuser. Object B belongs to 市商务局 and another leader. And the enterprise's own
role (issue 17): a contact of A's enterprise signed in to the enterprise pages
with their own cookie (:data:`ENTERPRISE`, not a staff login: :data:`ROLES`
are the logins, :data:`MATRIX_ROLES` the matrices' columns).

Internal text: A's referral slip has a monthly progress note
(:data:`INTERNAL`), a working note of the office and the department that the
enterprise must never read.

The text fields carry a script and a spreadsheet formula, so every page and
export the matrices open is also checked for them (:func:`unsafe_content`).
"""

import csv
import datetime
import io
import re

from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from cadres.models import CoordinatorRegion
from coordination.models import GoodPractice, Meeting
from issues import services as issue_services
from issues.models import IssueItem, SpotCheckBatch, SupervisionSlip
from jobs.models import QuarterlyReport
from multiplication.models import Membership
from tabular.cells import FORMULA_TRIGGERS
from tabular.xlsx import new_workbook, workbook_bytes
from tests import factories as f
from tests.portal import sign_in

D = datetime.date

ROLES = ["anon", "cadre", "town_officer", "dept_officer", "leader", "supervisor", "staff", "superuser"]
ENTERPRISE = "enterprise"
MATRIX_ROLES = [*ROLES, ENTERPRISE]
INTERNAL = "内部进展：已协调电力公司，待领导定夺"
SCRIPT = '<script>alert("x")</script>'
FORMULA = '=HYPERLINK("http://evil.example","点此")'
# An empty value printed by Python rather than shown as a blank or a dash:
# what no page's or export's text may hold.
NONE_SHOWN = re.compile(r"\bNone\b")


class RoleClients:
    """One test client per role, signed in once, as each person keeps their
    own browser session (signing in again before every request of a matrix
    cost a quarter of its time). The matrices only read: a request that
    would write is one the role is refused, so no session changes another's
    answer. ``anon`` is the test's own client, never signed in."""

    def __init__(self, anon_client, users, contact=None):
        self._clients = {"anon": anon_client}
        self._users, self._contact = users, contact

    def __getitem__(self, role):
        if role not in self._clients:
            client = Client()
            if role == ENTERPRISE:  # the enterprise pages' own sign-in, as the code page gives it
                sign_in(client, self._contact)
            else:
                client.force_login(self._users[role])
            self._clients[role] = client
        return self._clients[role]


def body_of(response):
    """The answer's bytes, read once (a file download streams)."""
    if not hasattr(response, "checked_body"):
        streamed = b"".join(response.streaming_content) if response.streaming else None
        response.checked_body = response.content if streamed is None else streamed
    return response.checked_body


def unsafe_content(response):
    """What in an answer would run in a browser or a spreadsheet: the script
    unescaped in an HTML page, or a cell that starts a formula in an xlsx or
    CSV export (ours start such text with an apostrophe). None when safe."""
    content_type = response.get("Content-Type", "")
    body = body_of(response)
    if "html" in content_type:
        return "the script, unescaped" if SCRIPT in body.decode() else None
    if "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(body))
        cells = (c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    elif "csv" in content_type:
        cells = (c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row)
    else:
        return None
    formulas = [c for c in cells if isinstance(c, str) and c.startswith(FORMULA_TRIGGERS)]
    return f"formula cells {formulas[:3]}" if formulas else None


def carries_payload(response):
    """The export has the neutralised formula: the check above was not vacuous."""
    if "spreadsheetml" not in response.get("Content-Type", ""):
        return False
    book = load_workbook(io.BytesIO(body_of(response)))
    cells = (c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    return any(c == "'" + FORMULA or (isinstance(c, str) and c.startswith("'" + FORMULA)) for c in cells)


def build_world(staff_user):
    puyuan, wuzhen = f.PlaceFactory(name="濮院镇"), f.PlaceFactory(name="乌镇镇")
    finance, commerce = f.UnitFactory(name="市金融办"), f.UnitFactory(name="市商务局")
    town = f.TownUnitFactory(place=wuzhen)
    users = {"staff": staff_user}
    users["superuser"] = f.user_with_role("liaison_staff", username="root")
    users["superuser"].is_superuser = True
    users["superuser"].save()
    a_cadre = f.CadreFactory(unit=finance, name=f"甲{SCRIPT}")
    b_cadre = f.CadreFactory(unit=commerce, name=f"乙{SCRIPT}")
    users["cadre"] = f.user_with_role("cadre", cadre=a_cadre, username="cadre")
    users["dept_officer"] = f.user_with_role(
        "unit_officer", cadre=f.CadreFactory(unit=finance), username="dept"
    )
    users["town_officer"] = f.user_with_role("unit_officer", cadre=f.CadreFactory(unit=town), username="town")
    leader = f.CityLeaderFactory(name="领导", is_coordinator=True)
    CoordinatorRegion.objects.create(cadre=leader, place=puyuan)
    users["leader"] = f.user_with_role("leader", cadre=leader, username="leader")
    users["supervisor"] = f.user_with_role("supervisor", username="supervisor")

    objects = {}
    for key, cadre, department, escalate_to in (
        ("A", a_cadre, finance, leader),
        ("B", b_cadre, commerce, f.CityLeaderFactory(name="另一位领导")),
    ):
        pairing = f.PairingFactory(
            cadre=cadre,
            enterprise=f.EnterpriseFactory(place=puyuan, name=f"{SCRIPT}{key}企业", industry=FORMULA),
            start_date=D(2026, 3, 27),
        )
        visit = f.submitted_visit(pairing, D(2026, 8, 1), situation=FORMULA + SCRIPT)

        def item(cadre=cadre, pairing=pairing):
            return IssueItem.objects.create(
                enterprise=pairing.enterprise,
                reporter=cadre,
                category="funding",
                description=FORMULA + SCRIPT,
                status="office",
            )

        slip = issue_services.refer(item(), department=department, by=staff_user)
        escalation = issue_services.escalate(
            item(), leader=escalate_to, departments=[finance, commerce], by=staff_user
        )
        objects[key] = {
            "pairing": pairing,
            "enterprise": pairing.enterprise,
            "visit": visit,
            "item": slip.item,
            "slip": slip,
            "escalation": escalation,
            "unit": department,
            "cadre": cadre,
            "leader": escalate_to,
            "place": puyuan,
            "attachment": f.ItemAttachmentFactory(item=slip.item),
            "contact": f.EnterpriseContactFactory(
                enterprise=pairing.enterprise,
                name=f"{key}联系人{SCRIPT}",
                mobile=f"1390000000{len(objects) + 1}",
            ),
        }
    issue_services.add_progress(objects["A"]["item"], text=INTERNAL, by=staff_user)
    objects["A"]["supervision"] = SupervisionSlip.objects.create(
        serial="桐联企督〔2026〕第0001号", year=2026, number=1, referral=objects["A"]["slip"],
        addressee=f.CadreFactory(unit=finance), issued_on=D(2026, 9, 1), issued_by=staff_user,
    )  # fmt: skip
    objects["A"]["batch"] = SpotCheckBatch.objects.create(
        title="三季度抽查", quarter="2026Q3", sample_size=1, seed=1, created_by=staff_user
    )
    objects["A"]["meeting"] = Meeting.objects.create(
        coordinator=leader, held_on=D(2026, 9, 1), quarter="2026Q3", topics=FORMULA + SCRIPT
    )
    objects["A"]["practice"] = GoodPractice.objects.create(
        title=SCRIPT, summary=SCRIPT, body=SCRIPT, published_on=D(2026, 9, 1)
    )
    objects["A"]["membership"] = Membership.objects.create(
        enterprise=objects["A"]["pairing"].enterprise,
        category="high_tech",
        started_on=D(2025, 1, 1),
        certificate_number=FORMULA,
        certificate_issued_on=D(2025, 1, 1),
    )
    report = QuarterlyReport(quarter="2026Q3", size=1)
    report.file.save("reports/2026Q3-test.xlsx", ContentFile(workbook_bytes(new_workbook()[0])), save=True)
    objects["A"]["report"] = report
    return users, objects


def app_urls():
    """``{name: pattern}`` of every named URL of the app (the admin's aside),
    walked from the URL conf: what the matrix and the crawl both cover."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern

    return dict(walk(get_resolver().url_patterns))
