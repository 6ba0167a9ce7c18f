"""Who may do what: every role × every URL of the app × an object of the
role's own unit (A) and of another unit (B), with the expected answer. The URL list comes from the URL conf:
a new view without a rule here fails this test. The people and rows are
described in :mod:`tests.permission_world`; the admin is checked in
``test_admin_matrix``.
"""

import pytest
from django.urls import reverse

from tests.permission_world import ROLES, RoleClients, app_urls, build_world, carries_payload, unsafe_content

pytestmark = pytest.mark.django_db

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


UNIT_PAGE_A = expect(SEES_ALL | {"dept_officer"}, town_officer=404)
UNIT_PAGE_B = expect(SEES_ALL, town_officer=404, dept_officer=404)

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
    "visits:detail": {
        "A": expect(SEES_ALL | {"cadre", "dept_officer"}, others=404),
        "B": expect(SEES_ALL, others=404),
    },
    "feedback:edit": {
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
        )
    },  # fmt: skip
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
}


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
    """And no page lets the script through, no export the formula (the
    world's text fields carry both)."""
    users, objects = world
    clients = RoleClients(client, users)
    urls = app_urls()
    wrong, exports_with_payload = [], set()
    for name, variants in RULES.items():
        for variant, codes in variants.items():
            url = url_for(name, urls[name], variant, objects)
            for role in ROLES:
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
    assert not wrong, "\n".join(wrong)
    # The exports that carry the free text typed by cadres had it, neutralised.
    assert {"visits:xlsx", "multiplication:members_xlsx"} <= exports_with_payload
