"""Who may do what, in one generated matrix over every permission decision.

Pages: every role × every URL of the app × an object of the role's own unit
(A) and of another unit (B), with the expected answer and, on a page that
answers, what it shows: its own object, and on a list exactly the rows the
role may see. The URL list comes from the URL conf: a new view without a rule
here fails. The admin is checked in ``test_admin_matrix``.

Decisions: every public function of ``cadres.permissions`` (the scope and the
cadres' rows) and of each app's ``access`` module (``visits.access``,
``issues.access`` …), asked as every role about the same rows; the list comes
from the modules, so a new decision without a rule here fails.

The expected answers are written from the rules (R1, R2, R10, R12–R19), not
read from the permission code. The people and rows are described in
:mod:`tests.permission_world`.
"""

import inspect
from importlib import import_module

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.html import escape

from cadres.models import Cadre, CoordinatorRegion, Unit
from cadres.permissions import Role
from tests.factories import (
    AreaAssignmentFactory,
    DoublingPlanFactory,
    EnterpriseFactory,
    FrozenCellFactory,
    GoodPracticeFactory,
    MeetingFactory,
    ServiceItemFactory,
)
from tests.permission_world import (
    ENTERPRISE,
    INTERNAL,
    MATRIX_ROLES,
    ROLES,
    RoleClients,
    app_urls,
    build_world,
    carries_payload,
    unsafe_content,
)
from tests.project import PACKAGES
from visits.models import Visit

pytestmark = pytest.mark.django_db

SEES_ALL = {"leader", "supervisor", "staff", "superuser"}
REPORTS = SEES_ALL | {"town_officer", "dept_officer"}
WITH_CADRE = {"cadre", "town_officer", "dept_officer", "leader"}
OFFICE = {"staff", "superuser"}
OFFICERS = {"town_officer", "dept_officer"}
WITH_ROLE = set(ROLES) - {"anon"}


def expect(ok, *, ok_code=200, others=403, anon=302, **special):
    """``{role: status}``: ``ok_code`` for the roles in ``ok``, ``others``
    for the rest, ``anon`` for anonymous and, unless set, for the enterprise's
    contact (no staff login: the staff pages see an anonymous visitor), then
    any role set by name."""
    codes = {role: (ok_code if role in ok else others) for role in ROLES}
    codes["anon"] = codes[ENTERPRISE] = anon
    codes.update(special)
    return codes


UNIT_PAGE_A = expect(SEES_ALL | {"dept_officer"}, town_officer=404)
UNIT_PAGE_B = expect(SEES_ALL, town_officer=404, dept_officer=404)
# A's object (a visit, an item, a slip) to those who see everything and the
# people of A it concerns; B's only to those who see everything. The others
# get 404, as an id that does not exist.
VISIT_OR_ITEM = {
    "A": expect(SEES_ALL | {"cadre", "dept_officer"}, others=404),
    "B": expect(SEES_ALL, others=404),
}
SLIP = {"A": expect(SEES_ALL | {"dept_officer"}, others=404), "B": expect(SEES_ALL, others=404)}
# An escalation slip: the leader opens the one sent to them (A), not another leader's (B).
ESCALATION = {
    "A": expect({"leader", "supervisor", "staff", "superuser"}, others=404),
    "B": expect({"supervisor", "staff", "superuser"}, others=404),
}
# The enterprise pages: its own item (A's) and another's (B's, 404).
OWN_ITEM = {"A": expect(set(), others=302, enterprise=200), "B": expect(set(), others=302, enterprise=404)}

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
    "feedback:new": {"A": expect({"cadre"}, others=404), "B": expect(set(), others=404)},
    "visits:detail": VISIT_OR_ITEM,
    "feedback:edit": {
        "A": expect(set(), others=404, cadre=302),  # submitted: the cadre is sent to the read-only page
        "B": expect(set(), others=404),
    },
    "visits:print": VISIT_OR_ITEM,
    "visits:xlsx": VISIT_OR_ITEM,
    "visits:coverage": {"-": expect(REPORTS)},
    "visits:overdue": {"-": expect(REPORTS)},
    "issues:inbox": {"-": expect(REPORTS)},
    "issues:slip": SLIP,
    "issues:slip_print": SLIP,
    "issues:my_items": {"-": expect(WITH_CADRE)},
    # The slips' actions are POSTs (who may take which: test_transitions).
    **{
        f"issues:{name}": {"A": expect(set(), others=405)}
        for name in (
            "slip_answer",
            "slip_extension",
            "slip_decide_extension",
            "slip_accept",
            "slip_send_back",
            "slip_supervise",
            "slip_progress",
            "escalation_instruct",
            "escalation_conclude",
            "item_confirm",
        )
    },  # fmt: skip
    "issues:item": VISIT_OR_ITEM,
    # A file an enterprise sent: to whoever may open its item.
    "issues:attachment": VISIT_OR_ITEM,
    "issues:escalations": {"-": expect({"leader", "supervisor", "staff", "superuser"})},
    "issues:escalation": ESCALATION,
    "issues:escalation_print": ESCALATION,
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
    # A meeting the user may not open answers 404, as one that does not exist.
    "coordination:meeting_edit": {"A": expect({"leader", "staff", "superuser"}, others=404, supervisor=403)},
    "coordination:practices": {"-": expect(set(ROLES))},
    "coordination:practice": {"A": expect(set(ROLES) - {"anon"}, others=404)},
    "dashboards:dashboard": {"-": expect(SEES_ALL, ok_code=200, town_officer=302, dept_officer=302)},
    "dashboards:refresh": {"-": expect(set(), others=405)},  # POST only; staff's POST: test_dashboards
    # Another unit's page (or a cadre or pairing of it) answers 404 to an
    # officer, as an id that does not exist; roles without unit pages get 403.
    "dashboards:unit": {"A": UNIT_PAGE_A, "B": UNIT_PAGE_B},
    "dashboards:cadre": {"A": UNIT_PAGE_A, "B": UNIT_PAGE_B},
    "dashboards:pairing": {"A": UNIT_PAGE_A, "B": UNIT_PAGE_B},
    "dashboards:evaluation": {"-": expect(REPORTS)},
    # Without ?unit= the sheet is of the user's own unit: none for staff and supervisors.
    "dashboards:evaluation_xlsx": {
        "-": expect({"town_officer", "dept_officer", "leader"}, others=404, cadre=403)
    },
    "dashboards:evaluation_cadre": {"A": UNIT_PAGE_A, "B": UNIT_PAGE_B},
    "jobs:notices": {"-": expect(set(ROLES))},
    "jobs:reports": {"-": expect({"leader", "staff", "superuser"})},
    "jobs:report_download": {"A": expect({"leader", "staff", "superuser"})},
    "jobs:quarters": {"-": expect({"leader", "staff", "superuser"})},
    "jobs:quarter_action": {"-": expect(set(), others=405)},  # POST only; staff's POST: test_closed_quarters
    # The service cards carry the cadres' mobiles: the office prints and hands them out.
    "cards:enterprise": {"A": expect(OFFICE), "B": expect(OFFICE)},
    "cards:unit": {"A": expect(OFFICE), "B": expect(OFFICE)},
    # The enterprise pages (issue 17) read only their own cookie: no staff login
    # is signed in there, every page but the sign-in sends to /qiye/login/. The
    # contact of A's enterprise opens its own items and files; B's answer 404,
    # as ids that do not exist (R16: an enterprise reads only its own problems).
    "portal:login": {"-": expect(set(ROLES), anon=200, enterprise=302)},  # signed in: on to its home
    "portal:code": {"-": expect(set(ROLES), anon=200)},
    "portal:choose": {"-": expect(set(), others=302, enterprise=200)},
    "portal:home": {"-": expect(set(), others=302, enterprise=200)},
    "portal:item": OWN_ITEM,
    # A POST of the signed-in contact (as every POST view: sign-in first, then the method).
    "portal:confirm": {
        "A": expect(set(), others=302, enterprise=405),
        "B": expect(set(), others=302, enterprise=405),
    },
    "portal:attachment": OWN_ITEM,
    "portal:new_request": {"-": expect(set(), others=302, enterprise=200)},
    "portal:signout": {"-": expect(set(), others=405, anon=405)},
    "portal:language": {"-": expect(set(), others=405, anon=405)},
    # issue 17: the contacts pages
    # An enterprise's contacts: its cadre now (A's), the unit's officer for
    # the unit's cadres' enterprises, the office. To anyone else the
    # enterprise answers 404, as one that does not exist. Writes are POSTs
    # (who may take which: tests/test_enterprise_contacts.py).
    "cadres:contacts": {
        "A": expect(OFFICE | {"cadre", "dept_officer"}, others=404),
        "B": expect(OFFICE, others=404),
    },
    **{
        f"cadres:{name}": {"A": expect(set(), others=405)}
        for name in ("contact_add", "contact_change", "contact_active")
    },
}


def enterprise_of(variant, o):
    return f"{variant}企业"  # the world's enterprises are named "<script>…A企业", "…B企业"


def serial(key):
    return lambda variant, o: o[key].serial


def escaped(key, attr="name"):
    return lambda variant, o: escape(getattr(o[key], attr))


# What a page that answers shows of its own object (URL name → the text).
SHOWS_ITS_OBJECT = {
    "feedback:new": enterprise_of,
    "visits:detail": enterprise_of,
    "visits:print": enterprise_of,
    "issues:slip": serial("slip"),
    "issues:slip_print": serial("slip"),
    "issues:item": enterprise_of,
    "issues:escalation": serial("escalation"),
    "issues:escalation_print": serial("escalation"),
    "issues:supervision_print": serial("supervision"),
    "coordination:meeting": escaped("meeting", "topics"),
    "dashboards:unit": escaped("unit"),
    "dashboards:cadre": escaped("cadre"),
    "dashboards:pairing": enterprise_of,
    "dashboards:evaluation_cadre": escaped("cadre"),
    "cards:enterprise": enterprise_of,
    "cards:unit": enterprise_of,  # the unit's cadre links its enterprise
    "portal:item": escaped("unit"),  # the department its slip went to
    "cadres:contacts": lambda variant, o: f"{variant}联系人",  # its own contact (the world's)
}

# What a list shows: each text to exactly the roles that see its row (R12, R13, R14).
LISTS = {
    "issues:inbox": [(serial("slip"), "A", SEES_ALL | {"dept_officer"}), (serial("slip"), "B", SEES_ALL)],
    "issues:escalations": [
        (serial("escalation"), "A", {"leader", "supervisor", "staff", "superuser"}),
        (serial("escalation"), "B", {"supervisor", "staff", "superuser"}),
    ],
    "issues:my_items": [(enterprise_of, "A", {"cadre"}), (enterprise_of, "B", set())],
    "visits:my": [(enterprise_of, "A", {"cadre"}), (enterprise_of, "B", set())],
    "visits:coverage": [
        (escaped("unit"), "A", SEES_ALL | {"dept_officer"}),
        (escaped("unit"), "B", SEES_ALL),
    ],
    # The enterprise's home: its own name, cadre and department, nobody else's.
    "portal:home": [
        (enterprise_of, "A", {ENTERPRISE}),
        (escaped("cadre"), "A", {ENTERPRISE}),
        (escaped("unit"), "A", {ENTERPRISE}),  # the department its item was referred to
        (enterprise_of, "B", set()),
        (escaped("cadre"), "B", set()),
    ],
    "portal:choose": [(escaped("contact"), "A", {ENTERPRISE}), (enterprise_of, "B", set())],
}


def never_for_the_enterprise(objects):
    """What no page may show the enterprise's contact, whatever it is (R16,
    issue 17): the other enterprise, its cadre and slips, A's own slips'
    serials and the office's working notes."""
    b = objects["B"]
    return {
        "B's enterprise": enterprise_of("B", b),
        "B's cadre": escape(b["cadre"].name),
        "B's slip": b["slip"].serial,
        "A's escalation slip": objects["A"]["escalation"].serial,
        "the office's progress note": INTERNAL,
    }


def content_problems(name, variant, role, response, objects):
    """What a page answered with 200 shows that it should not, or misses."""
    if "html" not in response.get("Content-Type", ""):
        return []
    page = response.content.decode()
    problems = []
    if name in SHOWS_ITS_OBJECT and variant != "-":
        text = SHOWS_ITS_OBJECT[name](variant, objects[variant])
        if text not in page:
            problems.append(f"does not show its object ({text})")
    for text_of, row, roles in LISTS.get(name, ()):
        text = text_of(row, objects[row])
        if (text in page) != (role in roles):
            problems.append(f"{'misses' if role in roles else 'shows'} {row}'s row ({text})")
    if role == ENTERPRISE:
        never = never_for_the_enterprise(objects)
        problems += [f"shows {what}" for what, text in never.items() if text in page]
    return problems


def test_every_url_has_a_rule():
    assert sorted(set(app_urls()) - set(RULES)) == []
    assert sorted(set(RULES) - set(app_urls())) == []


@pytest.fixture
def world(staff_user):
    return build_world(staff_user)


def url_for(name, pattern, variant, objects):
    kwargs = {}
    keys = pattern.pattern.converters.keys()
    if "category" in keys:
        kwargs["category"] = "high_tech"
    if "pairing_id" in keys:
        kwargs["pairing_id"] = objects[variant]["pairing"].pk
    if "extension" in keys:
        kwargs["extension"] = 1
    if "pk" in keys:
        kind = name.split(":")[1]
        kind = {"escalation_instruct": "escalation", "escalation_conclude": "escalation"}.get(kind, kind)
        kind = "slip" if kind.startswith("slip_") and kind != "slip_print" else kind
        source = {
            "detail": "visit", "edit": "visit", "print": "visit", "xlsx": "visit",
            "slip": "slip", "slip_print": "slip", "item": "item", "item_confirm": "item", "confirm": "item",
            "escalation": "escalation", "escalation_print": "escalation",
            "supervision_print": "supervision", "spotcheck_batch": "batch", "spotcheck_notice": "batch",
            "meeting": "meeting", "meeting_edit": "meeting", "practice": "practice",
            "unit": "unit", "cadre": "cadre", "pairing": "pairing", "evaluation_cadre": "cadre",
            "report_download": "report", "enterprise": "enterprise", "attachment": "attachment",
            "contacts": "enterprise", "contact_add": "enterprise", "contact_change": "enterprise",
            "contact_active": "enterprise",
        }[kind]  # fmt: skip
        kwargs["pk"] = objects[variant][source].pk
    url = reverse(name, kwargs=kwargs)
    if name == "dashboards:evaluation_xlsx":
        url += "?year=2026"
    return url


def test_each_role_gets_the_expected_answer_on_every_url(client, world):
    """And no page lets the script through, no export the formula (the
    world's text fields carry both)."""
    users, objects = world
    clients = RoleClients(client, users, contact=objects["A"]["contact"])
    urls = app_urls()
    wrong, exports_with_payload, enterprise_pages, seen_by_staff = [], set(), set(), set()
    for name, variants in RULES.items():
        for variant, codes in variants.items():
            url = url_for(name, urls[name], variant, objects)
            for role in MATRIX_ROLES:
                response = clients[role].get(url)
                if response.status_code != codes[role]:
                    wrong.append(
                        f"{name} [{variant}] {role}: got {response.status_code}, expected {codes[role]}"
                    )
                elif response.status_code == 200:
                    if problem := unsafe_content(response):
                        wrong.append(f"{name} [{variant}] {role}: {problem}")
                    elif carries_payload(response):
                        exports_with_payload.add(name)
                    wrong += [
                        f"{name} [{variant}] {role}: {problem}"
                        for problem in content_problems(name, variant, role, response, objects)
                    ]
                    if role == ENTERPRISE and "html" in response.get("Content-Type", ""):
                        enterprise_pages.add(name)
                    elif role == "staff" and "html" in response.get("Content-Type", ""):
                        page, never = response.content.decode(), never_for_the_enterprise(objects)
                        seen_by_staff |= {what for what, text in never.items() if text in page}
    assert not wrong, "\n".join(wrong)
    # Not vacuous: the contact read its pages, where the leak check looked.
    assert {"portal:home", "portal:item", "portal:choose", "portal:new_request"} <= enterprise_pages
    # … and what it looked for is there to find, on the staff's pages.
    assert seen_by_staff == set(never_for_the_enterprise(objects))
    # The exports that carry the free text typed by cadres had it, neutralised.
    assert {"visits:xlsx", "multiplication:members_xlsx"} <= exports_with_payload


# -- the decisions themselves ---------------------------------------------------
#
# Each rule asks a function as every role about a few rows (variants) and says
# which roles get a yes for each. Kinds:
#   page(roles)                      f(user)
#   rows(make, {variant: roles})     f(user, queryset of the rows made) keeps the row
#   each(make, {variant: roles})     f(user, the thing made)
#   logins(roles, call)              call(f) (f() by default) lists the role's login
#   value(expected)                  f(user) == expected(role, world)

DECIDERS = ("cadres.permissions", *(f"{p}.access" for p in PACKAGES if p != "cadres"))
# Functions of those modules that decide nothing themselves: the roles' groups,
# the scope every decision reads, and the row-scoping rule every visible_* applies.
NOT_DECISIONS = {
    "cadres.permissions.install_role_groups",
    "cadres.permissions.sync_role_groups",
    "cadres.permissions.scope_for",
    "cadres.permissions.scoped",
}


def decision_modules():
    modules = []
    for name in DECIDERS:
        try:
            modules.append(import_module(name))
        except ModuleNotFoundError as missing:
            if missing.name != name:
                raise
    return modules


def decisions():
    """``{"module.function": function}`` of every public function of the deciders."""
    return {
        f"{module.__name__}.{name}": function
        for module in decision_modules()
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }


def page(roles):
    return ("page", None, {"-": roles})


def rows(make, expected):
    return ("rows", make, expected)


def each(make, expected):
    return ("each", make, expected)


def logins(roles, call=lambda function: function()):
    return ("logins", call, {"-": roles})


def value(expected):
    return ("value", expected, None)


def pair(key):
    return lambda w: {"A": w.o["A"][key], "B": w.o["B"][key]}


A_ONLY = {"A": SEES_ALL | {"cadre", "dept_officer"}, "B": SEES_ALL}  # R12: an officer's unit, a cadre's own
A_UNIT = {"A": SEES_ALL | {"dept_officer"}, "B": SEES_ALL}
A_OFFICER_WRITES = {"A": OFFICE | {"dept_officer"}, "B": OFFICE}

DECISIONS = {
    # The scope (cadres.permissions).
    "cadres.permissions.has_role": each(lambda w: {"leader": Role.LEADER}, {"leader": {"leader"}}),
    "cadres.permissions.is_liaison_staff": page(OFFICE),
    "cadres.permissions.sees_whole_city": page(SEES_ALL),
    "cadres.permissions.is_cadre": page(WITH_CADRE),
    "cadres.permissions.own_cadre_id": value(lambda role, w: w.cadre_of(role)),
    "cadres.permissions.own_unit_id": value(
        lambda role, w: getattr(Cadre.objects.filter(pk=w.cadre_of(role)).first(), "unit_id", None)
    ),
    "cadres.permissions.is_officer_of": each(
        lambda w: {"A": w.o["A"]["unit"].pk, "B": w.o["B"]["unit"].pk}, {"A": {"dept_officer"}, "B": set()}
    ),
    "cadres.permissions.is_own_cadre": each(
        lambda w: {"A": w.o["A"]["cadre"].pk, "B": w.o["B"]["cadre"].pk}, {"A": {"cadre"}, "B": set()}
    ),
    "cadres.permissions.can_use_admin": page(OFFICE | OFFICERS),
    "cadres.permissions.can_view_reports": page(REPORTS),
    "cadres.permissions.role_members": logins({"supervisor"}, lambda function: function(Role.SUPERVISOR)),
    "cadres.permissions.liaison_staff_users": logins(OFFICE),
    # The cadres' rows (R1, R2, R10, R12).
    "cadres.permissions.visible_units": rows(pair("unit"), A_ONLY),
    "cadres.permissions.visible_cadres": rows(pair("cadre"), A_ONLY),
    "cadres.permissions.visible_pairings": rows(pair("pairing"), A_ONLY),
    "cadres.permissions.visible_figures": rows(
        lambda w: {side: FrozenCellFactory(pairing=w.o[side]["pairing"]) for side in "AB"}, A_UNIT
    ),  # a closed quarter's frozen cells (issue 16): those who see the city, an officer their unit's
    "cadres.permissions.visible_service_items": rows(
        lambda w: w.service_items, {"A": WITH_ROLE, "B": WITH_ROLE}
    ),
    "cadres.permissions.visible_assignments": rows(
        lambda w: {"region": CoordinatorRegion.objects.get(cadre=w.o["A"]["leader"]), "area": w.area},
        {"region": WITH_ROLE, "area": WITH_ROLE},
    ),
    "cadres.permissions.enterprises_to_cover": rows(
        lambda w: {"A": w.o["A"]["pairing"].enterprise, "town": w.town_enterprise},
        {"A": SEES_ALL, "town": SEES_ALL | {"town_officer"}},  # a town's officer: the town's enterprises
    ),
    "cadres.permissions.changeable_units": rows(pair("unit"), {"A": OFFICE, "B": OFFICE}),
    "cadres.permissions.managed_units": rows(pair("unit"), A_OFFICER_WRITES),
    "cadres.permissions.changeable_cadres": rows(pair("cadre"), A_OFFICER_WRITES),
    "cadres.permissions.changeable_pairings": rows(pair("pairing"), A_OFFICER_WRITES),
    "cadres.permissions.changeable_service_items": rows(lambda w: w.service_items, A_OFFICER_WRITES),
    "cadres.permissions.can_browse_service_lists": page(WITH_ROLE),
    # An enterprise's contacts (issue 17): its cadre now, the unit's officer, the office.
    "cadres.permissions.contact_enterprises": rows(
        pair("enterprise"), {"A": OFFICE | {"cadre", "dept_officer"}, "B": OFFICE}
    ),
    "cadres.permissions.can_edit_contacts": each(
        pair("enterprise"), {"A": OFFICE | {"cadre", "dept_officer"}, "B": OFFICE}
    ),
    # Feedback forms (R7–R9): the draft D is A's cadre's, the others submitted.
    "visits.access.visible_visits": rows(
        lambda w: {**pair("visit")(w), "D": w.draft}, {**A_ONLY, "D": SEES_ALL | {"cadre", "dept_officer"}}
    ),
    "visits.access.filable_pairings": rows(pair("pairing"), {"A": {"cadre"}, "B": set()}),
    "visits.access.is_filer": each(
        lambda w: {**pair("visit")(w), "D": w.draft}, {"A": {"cadre"}, "B": set(), "D": {"cadre"}}
    ),
    "visits.access.can_edit_visit": each(
        lambda w: {**pair("visit")(w), "D": w.draft}, {"A": set(), "B": set(), "D": {"cadre"}}
    ),
    "visits.access.can_submit_visit": each(
        lambda w: {**pair("visit")(w), "D": w.draft}, {"A": set(), "B": set(), "D": {"cadre"}}
    ),
    # Staff correct a submitted form in the admin; a draft is its cadre's own.
    "visits.access.can_correct_visit": each(
        lambda w: {**pair("visit")(w), "D": w.draft}, {"A": OFFICE, "B": OFFICE, "D": set()}
    ),
    "visits.access.visit_actions": each(
        lambda w: {**pair("visit")(w), "D": w.draft}, {"A": OFFICE, "B": OFFICE, "D": {"cadre"}}
    ),
    # The issue list and its slips (R12–R15, R18).
    "issues.access.visible_issue_items": rows(pair("item"), A_ONLY),
    "issues.access.visible_referral_slips": rows(pair("slip"), A_UNIT),
    "issues.access.visible_supervision_slips": rows(
        lambda w: {"A": w.o["A"]["supervision"]}, {"A": A_UNIT["A"]}
    ),
    "issues.access.visible_escalation_slips": rows(
        pair("escalation"), {"A": {"leader", "supervisor"} | OFFICE, "B": {"supervisor"} | OFFICE}
    ),
    "issues.access.can_move_items": page(OFFICE),
    "issues.access.can_record_confirmation": page(OFFICE),
    "issues.access.can_answer_slip": each(pair("slip"), {"A": {"dept_officer"}, "B": set()}),
    "issues.access.can_decide_slips": page(OFFICE),
    "issues.access.can_report_progress": each(pair("slip"), A_OFFICER_WRITES),
    "issues.access.can_instruct": each(pair("escalation"), {"A": {"leader"} | OFFICE, "B": OFFICE}),
    "issues.access.can_view_slip_inbox": page(REPORTS),
    "issues.access.can_view_escalations": page({"leader", "supervisor"} | OFFICE),
    "issues.access.can_view_own_items": page(WITH_CADRE),
    "issues.access.can_run_spot_checks": page({"supervisor"} | OFFICE),
    "issues.access.can_view_rates": page(REPORTS),
    # The six doublings (R17): plans A and B are drafts of their units, "approved" is A's unit's.
    "multiplication.access.can_view_doubling": page(REPORTS),
    "multiplication.access.changeable_doubling_plans": rows(
        lambda w: w.plans, {**A_OFFICER_WRITES, "approved": OFFICE | {"dept_officer"}}
    ),
    "multiplication.access.can_approve_doubling_plans": page(OFFICE),
    "multiplication.access.can_delete_doubling_plan": each(
        lambda w: w.plans, {**A_OFFICER_WRITES, "approved": set()}
    ),
    # Meetings (R2): A is the coordinator's (the leader), M also has A's cadre attending.
    # Good practices (R19).
    "coordination.access.can_record_any_meeting": page(OFFICE),
    "coordination.access.can_record_meeting": each(
        lambda w: {"A": w.o["A"]["leader"].pk, "B": w.o["B"]["leader"].pk},
        {"A": {"leader"} | OFFICE, "B": OFFICE},
    ),
    "coordination.access.visible_meetings": rows(
        lambda w: {"A": w.o["A"]["meeting"], "M": w.attended}, {"A": SEES_ALL, "M": SEES_ALL | {"cadre"}}
    ),
    "coordination.access.can_view_meetings": page(SEES_ALL | {"cadre"}),  # the cadre attended M
    "coordination.access.listed_coordinators": rows(
        lambda w: {"leader": w.o["A"]["leader"], "own": w.o["A"]["cadre"]},
        {"leader": SEES_ALL, "own": SEES_ALL | {"cadre"}},
    ),
    "coordination.access.sees_every_meeting_item": each(
        lambda w: {"A": w.o["A"]["meeting"], "M": w.attended}, {"A": SEES_ALL, "M": SEES_ALL}
    ),
    "coordination.access.can_view_good_practices": page(WITH_ROLE),
    "coordination.access.visible_good_practices": rows(
        lambda w: {"published": w.o["A"]["practice"], "draft": w.draft_practice},
        {"published": WITH_ROLE, "draft": OFFICE},
    ),
    # Dashboards (R1, R2, R16, R17).
    "dashboards.access.can_view_dashboard": page(REPORTS),
    "dashboards.access.can_view_unit_dashboard": each(
        lambda w: {"A": w.o["A"]["unit"].pk, "B": w.o["B"]["unit"].pk}, A_UNIT
    ),
    "dashboards.access.can_recount": page(OFFICE),
    # The quarterly report (R16).
    "jobs.access.can_download_quarterly_reports": page({"leader"} | OFFICE),
    "jobs.access.can_build_quarterly_reports": page(OFFICE),
    "jobs.access.report_recipients": logins({"leader"}),
    "tongxiang_liaison.access.can_print_cards": page(OFFICE),
}


class DecisionWorld:
    """The permission world, and a few rows more that some decisions tell apart."""

    def __init__(self, staff_user):
        self.users, self.o = build_world(staff_user)
        self.users["anon"] = AnonymousUser()
        a, b = self.o["A"], self.o["B"]
        for key in ("A", "B"):
            self.o[key]["visit"].refresh_from_db()  # submitted by the hand-over, as read from the database
        self.draft = Visit.objects.create(
            cadre=a["cadre"],
            pairing=a["pairing"],
            enterprise=a["pairing"].enterprise,
            visit_date=a["visit"].visit_date,
        )
        self.service_items = {
            "A": ServiceItemFactory(unit=a["unit"]),
            "B": ServiceItemFactory(unit=b["unit"]),
        }
        self.area = AreaAssignmentFactory(place=a["place"])
        town = Unit.objects.get(cadres__user=self.users["town_officer"])
        self.town_enterprise = EnterpriseFactory(place=town.place)
        self.attended = MeetingFactory(coordinator=a["leader"], attendees=[a["cadre"]], by=staff_user)
        self.draft_practice = GoodPracticeFactory(published_on=None, author=staff_user)
        self.plans = {
            "A": DoublingPlanFactory(owner=a["unit"]),
            "B": DoublingPlanFactory(owner=b["unit"]),
            "approved": DoublingPlanFactory(
                owner=a["unit"], approve=True, baseline_date=a["visit"].visit_date
            ),
        }

    def cadre_of(self, role):
        user = self.users[role]
        return Cadre.objects.filter(user=user).values_list("pk", flat=True).first() if user.pk else None

    def answers(self, function, kind, make, role):
        """``{variant: yes or no}`` (or the value) of one role."""
        user = self.users[role]
        if kind == "page":
            return {"-": function(user)}
        if kind == "logins":
            return {"-": user.pk is not None and make(function).filter(pk=user.pk).exists()}
        if kind == "value":
            return function(user)
        made = make(self)
        if kind == "each":
            return {variant: function(user, thing) for variant, thing in made.items()}
        kept = set()
        for variant, row in made.items():
            queryset = type(row).objects.filter(pk=row.pk)
            kept |= {variant} if function(user, queryset).filter(pk=row.pk).exists() else set()
        return {variant: variant in kept for variant in made}


def test_every_decision_has_a_rule():
    found = set(decisions()) - NOT_DECISIONS
    assert sorted(found - set(DECISIONS)) == []
    assert sorted(set(DECISIONS) - found) == []


def test_each_decision_answers_each_role_as_the_rules_say(staff_user):
    world = DecisionWorld(staff_user)
    functions = decisions()
    wrong = []
    for name, (kind, make, expected) in DECISIONS.items():
        function = functions[name]
        for role in ROLES:
            got = world.answers(function, kind, make, role)
            if kind == "value":
                want = make(role, world)
                if got != want:
                    wrong.append(f"{name} {role}: {got!r}, expected {want!r}")
                continue
            for variant, roles in expected.items():
                if bool(got[variant]) != (role in roles):
                    wrong.append(f"{name} [{variant}] {role}: {bool(got[variant])}, expected {role in roles}")
    assert not wrong, "\n".join(wrong)
