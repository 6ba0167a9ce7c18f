"""Who may do what: every role × every URL of the app × an object of the
role's own unit (A) and of another unit (B), with the expected answer, and
every admin changelist × every role. The URL list comes from the URL conf:
a new view without a rule here fails this test.

Roles: anonymous; a cadre of 市金融办 (A); the information officer of a town
(乌镇镇, owns nothing here); the information officer of 市金融办 (A's
department: slips to it, its cadres' forms); a city leader who is a
coordinator (A's escalation slip and meeting are his); a supervisor; liaison
staff; a superuser. Object B belongs to 市商务局 and another leader.
"""

import datetime

import pytest
from django.contrib.admin import site
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cadres.models import CoordinatorRegion
from cadres.permissions import ROLE_PERMISSIONS, Role
from coordination.models import GoodPractice, Meeting
from issues import services as issue_services
from issues.models import IssueItem, SpotCheckBatch, SupervisionSlip
from jobs.models import QuarterlyReport
from tests.factories import (
    CadreFactory,
    CityLeaderFactory,
    EnterpriseFactory,
    PairingFactory,
    PlaceFactory,
    TownUnitFactory,
    UnitFactory,
    user_with_role,
)
from visits.models import Visit
from visits.services import submit_visit

pytestmark = pytest.mark.django_db
D = datetime.date

ROLES = ["anon", "cadre", "town_officer", "dept_officer", "leader", "supervisor", "staff", "superuser"]
SEES_ALL = {"leader", "supervisor", "staff", "superuser"}
REPORTS = SEES_ALL | {"town_officer", "dept_officer"}
WITH_CADRE = {"cadre", "town_officer", "dept_officer", "leader"}


def expect(ok, *, ok_code=200, others=403, anon=302, **special):
    """``{role: status}``: ``ok_code`` for the roles in ``ok``, ``others``
    for the rest, ``anon`` for anonymous, then any role set by name."""
    codes = {role: (ok_code if role in ok else others) for role in ROLES}
    codes["anon"] = anon
    codes.update(special)
    return codes


# URL name → (kwargs key of the object or None, {variant: {role: status}}).
# Variants: "-" for a URL without an object; "A"/"B" for the two objects.
RULES = {
    "home": {"-": expect(set(ROLES), cadre=302)},
    "healthz": {"-": expect(set(ROLES), anon=200)},
    "login": {"-": expect(set(ROLES), anon=200)},
    "logout": {"-": expect(set(), others=405, anon=405)},
    "set_language": {"-": expect(set(ROLES), ok_code=302, anon=302)},
    "cadres:compliance": {"-": expect(REPORTS)},
    "cadres:compliance_xlsx": {"-": expect(REPORTS)},
    "cadres:arrangement_xlsx": {"-": expect(REPORTS)},
    "visits:my": {"-": expect(WITH_CADRE)},
    "visits:services": {"-": expect(set(ROLES))},
    "visits:new": {"A": expect({"cadre"}, others=404), "B": expect(set(), others=404)},
    "visits:detail": {
        "A": expect(SEES_ALL | {"cadre", "dept_officer"}, others=404),
        "B": expect(SEES_ALL, others=404),
    },
    "visits:edit": {
        "A": expect(set(), others=404, cadre=302),  # submitted: the cadre is sent to the read-only page
        "B": expect(set(), others=404),
    },
    "visits:print": {
        "A": expect(SEES_ALL | {"cadre", "dept_officer"}, others=404),
        "B": expect(SEES_ALL, others=404),
    },
    "visits:xlsx": {
        "A": expect(SEES_ALL | {"cadre", "dept_officer"}, others=404),
        "B": expect(SEES_ALL, others=404),
    },
    "visits:coverage": {"-": expect(REPORTS)},
    "visits:overdue": {"-": expect(REPORTS)},
    "issues:inbox": {"-": expect(REPORTS)},
    "issues:slip": {"A": expect(SEES_ALL | {"dept_officer"}, others=404), "B": expect(SEES_ALL, others=404)},
    "issues:slip_print": {
        "A": expect(SEES_ALL | {"dept_officer"}, others=404),
        "B": expect(SEES_ALL, others=404),
    },
    "issues:item": {
        "A": expect(SEES_ALL | {"cadre", "dept_officer"}, others=404),
        "B": expect(SEES_ALL, others=404),
    },
    "issues:escalations": {"-": expect({"leader", "supervisor", "staff", "superuser"})},
    "issues:escalation": {
        "A": expect({"leader", "supervisor", "staff", "superuser"}, others=404),
        "B": expect({"supervisor", "staff", "superuser"}, others=404),
    },
    "issues:escalation_print": {
        "A": expect({"leader", "supervisor", "staff", "superuser"}, others=404),
        "B": expect({"supervisor", "staff", "superuser"}, others=404),
    },
    "issues:supervision_print": {"A": expect(SEES_ALL | {"dept_officer"}, others=404)},
    "issues:spotchecks": {"-": expect({"supervisor", "staff", "superuser"})},
    "issues:spotcheck_batch": {"A": expect({"supervisor", "staff", "superuser"})},
    "issues:spotcheck_notice": {"A": expect({"supervisor", "staff", "superuser"})},
    "issues:rates": {"-": expect(REPORTS)},
    "multiplication:overview": {"-": expect(REPORTS)},
    "multiplication:pipeline": {"-": expect(REPORTS)},
    "multiplication:members": {"-": expect(REPORTS)},
    "multiplication:members_xlsx": {"-": expect(REPORTS)},
    "coordination:meetings": {"-": expect(SEES_ALL)},
    "coordination:meeting_new": {"-": expect({"leader", "staff", "superuser"})},
    "coordination:meeting": {"A": expect(SEES_ALL, others=404)},
    "coordination:meeting_edit": {"A": expect({"leader", "staff", "superuser"})},
    "coordination:practices": {"-": expect(set(ROLES))},
    "coordination:practice": {"A": expect(set(ROLES) - {"anon"}, others=404)},
    "dashboards:dashboard": {"-": expect(SEES_ALL, ok_code=200, town_officer=302, dept_officer=302)},
    "dashboards:refresh": {"-": expect(set(), others=405)},  # POST only; staff's POST: test_dashboards
    "dashboards:unit": {"A": expect(SEES_ALL | {"dept_officer"}), "B": expect(SEES_ALL)},
    "dashboards:cadre": {"A": expect(SEES_ALL | {"dept_officer"}), "B": expect(SEES_ALL)},
    "dashboards:pairing": {"A": expect(SEES_ALL | {"dept_officer"}), "B": expect(SEES_ALL)},
    "dashboards:evaluation": {"-": expect(REPORTS)},
    # Without ?unit= the sheet is of the user's own unit: none for staff and supervisors.
    "dashboards:evaluation_xlsx": {
        "-": expect({"town_officer", "dept_officer", "leader"}, others=404, cadre=403)
    },
    "dashboards:evaluation_cadre": {"A": expect(SEES_ALL | {"dept_officer"}), "B": expect(SEES_ALL)},
    "jobs:notices": {"-": expect(set(ROLES))},
    "jobs:reports": {"-": expect({"leader", "staff", "superuser"})},
    "jobs:report_download": {"A": expect({"leader", "staff", "superuser"})},
}


def app_urls():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern

    return dict(walk(get_resolver().url_patterns))


def test_every_url_has_a_rule():
    assert sorted(set(app_urls()) - set(RULES)) == []
    assert sorted(set(RULES) - set(app_urls())) == []


@pytest.fixture
def world(staff_user):
    puyuan, wuzhen = PlaceFactory(name="濮院镇"), PlaceFactory(name="乌镇镇")
    finance, commerce = UnitFactory(name="市金融办"), UnitFactory(name="市商务局")
    town = TownUnitFactory(place=wuzhen)
    users = {"staff": staff_user}
    users["superuser"] = user_with_role("liaison_staff", username="root")
    users["superuser"].is_superuser = True
    users["superuser"].save()
    a_cadre, b_cadre = CadreFactory(unit=finance, name="甲"), CadreFactory(unit=commerce, name="乙")
    users["cadre"] = user_with_role("cadre", cadre=a_cadre, username="cadre")
    users["dept_officer"] = user_with_role("unit_officer", cadre=CadreFactory(unit=finance), username="dept")
    users["town_officer"] = user_with_role("unit_officer", cadre=CadreFactory(unit=town), username="town")
    leader = CityLeaderFactory(name="领导", is_coordinator=True)
    CoordinatorRegion.objects.create(cadre=leader, place=puyuan)
    users["leader"] = user_with_role("leader", cadre=leader, username="leader")
    users["supervisor"] = user_with_role("supervisor", username="supervisor")

    objects = {}
    for key, cadre, department, escalate_to in (
        ("A", a_cadre, finance, leader),
        ("B", b_cadre, commerce, CityLeaderFactory(name="另一位领导")),
    ):
        pairing = PairingFactory(
            cadre=cadre, enterprise=EnterpriseFactory(place=puyuan), start_date=D(2026, 3, 27)
        )
        visit = Visit.objects.create(
            cadre=cadre,
            pairing=pairing,
            enterprise=pairing.enterprise,
            visit_date=D(2026, 8, 1),
            situation="x",
        )
        submit_visit(visit)

        def item(cadre=cadre, pairing=pairing):
            return IssueItem.objects.create(
                enterprise=pairing.enterprise,
                reporter=cadre,
                category="funding",
                description="x",
                status="office",
            )

        slip = issue_services.refer(item(), department=department, by=staff_user)
        escalation = issue_services.escalate(
            item(), leader=escalate_to, departments=[finance, commerce], by=staff_user
        )
        objects[key] = {
            "pairing": pairing,
            "visit": visit,
            "item": slip.item,
            "slip": slip,
            "escalation": escalation,
            "unit": department,
            "cadre": cadre,
        }
    objects["A"]["supervision"] = SupervisionSlip.objects.create(
        serial="桐联企督〔2026〕第0001号", year=2026, number=1, referral=objects["A"]["slip"],
        addressee=CadreFactory(unit=finance), issued_on=D(2026, 9, 1), issued_by=staff_user,
    )  # fmt: skip
    objects["A"]["batch"] = SpotCheckBatch.objects.create(
        title="三季度抽查", quarter="2026Q3", sample_size=1, seed=1, created_by=staff_user
    )
    objects["A"]["meeting"] = Meeting.objects.create(
        coordinator=leader, held_on=D(2026, 9, 1), quarter="2026Q3", topics="x"
    )
    objects["A"]["practice"] = GoodPractice.objects.create(
        title="t", summary="s", body="b", published_on=D(2026, 9, 1)
    )
    report = QuarterlyReport(quarter="2026Q3", size=1)
    report.file.save("reports/2026Q3-test.xlsx", ContentFile(b"x"), save=True)
    objects["A"]["report"] = report
    return users, objects


def url_for(name, pattern, variant, objects):
    kwargs = {}
    keys = pattern.pattern.converters.keys()
    if "category" in keys:
        kwargs["category"] = "high_tech"
    if "pairing_id" in keys:
        kwargs["pairing_id"] = objects[variant]["pairing"].pk
    if "pk" in keys:
        kind = name.split(":")[1]
        source = {
            "detail": "visit", "edit": "visit", "print": "visit", "xlsx": "visit",
            "slip": "slip", "slip_print": "slip", "item": "item",
            "escalation": "escalation", "escalation_print": "escalation",
            "supervision_print": "supervision", "spotcheck_batch": "batch", "spotcheck_notice": "batch",
            "meeting": "meeting", "meeting_edit": "meeting", "practice": "practice",
            "unit": "unit", "cadre": "cadre", "pairing": "pairing", "evaluation_cadre": "cadre",
            "report_download": "report",
        }[kind]  # fmt: skip
        kwargs["pk"] = objects[variant][source].pk
    url = reverse(name, kwargs=kwargs)
    if name == "dashboards:evaluation_xlsx":
        url += "?year=2026"
    return url


def test_each_role_gets_the_expected_answer_on_every_url(client, world):
    users, objects = world
    urls = app_urls()
    wrong = []
    for name, variants in RULES.items():
        for variant, codes in variants.items():
            url = url_for(name, urls[name], variant, objects)
            for role in ROLES:
                client.logout()
                if role != "anon":
                    client.force_login(users[role])
                status = client.get(url).status_code
                if status != codes[role]:
                    wrong.append(f"{name} [{variant}] {role}: got {status}, expected {codes[role]}")
    assert wrong == []


def admin_expectation(role, model):
    label = f"{model._meta.app_label}.{model._meta.model_name}"
    if role == "anon" or role in ("cadre", "leader", "supervisor"):
        return 302  # not staff: to the admin login
    if role == "superuser":
        return 200
    role_key = Role.LIAISON_STAFF if role == "staff" else Role.UNIT_OFFICER
    return 200 if label in ROLE_PERMISSIONS[role_key] else 403


def test_admin_changelists_by_role(client, world):
    users, _objects = world
    wrong = []
    for model in site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for role in ROLES:
            client.logout()
            if role != "anon":
                client.force_login(users[role])
            expected = admin_expectation(role, model)
            status = client.get(url).status_code
            if status != expected:
                wrong.append(f"{url} {role}: got {status}, expected {expected}")
    assert wrong == []
