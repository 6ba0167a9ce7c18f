"""Who may do what in the admin: every role × every admin URL × a row of the
role's own unit (A) and of another unit (B), with the expected answer.

The URL list comes from the admin site, so a model registered, or a page
added to a model admin, without a rule here fails ``test_every_admin_url_has_a_rule``.
Every page answered is also checked for the world's script payload, unescaped.
The expected answers are written from the declared policy, not read back
from the admin classes: the table rights in ``ROLE_PERMISSIONS``, which rows
an information officer reads and writes (``OFFICER_ROWS``, R12), and the
tables nobody adds to by hand (``NO_ADD``). Liaison staff and superusers see
every row. People and rows: :mod:`tests.permission_world`.

Answers: ``LOGIN`` is a redirect to the admin login (anonymous users and
roles without admin access: cadres, leaders, supervisors); ``INDEX`` is the
admin's redirect to its index, which is its answer for a row outside the
user's scope, the same as for a row that does not exist, so a hidden row's
existence is not disclosed; numbers are status codes.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin import site
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from cadres.models import CoordinatorRegion
from cadres.permissions import ALL, GROUP_NAMES, ROLE_PERMISSIONS, Role
from enterprises.models import PlaceAlias
from issues.models import CalendarDay, ExtensionRequest
from jobs.models import Notice, PendingTask, ReminderLog
from multiplication.models import CategoryRemit, DoublingPlan, RevenueFigure
from tests import factories as f
from tests.permission_world import ENTERPRISE, MATRIX_ROLES, RoleClients, build_world, unsafe_content
from visits.models import ProblemRemit, Visit

pytestmark = pytest.mark.django_db
D = datetime.date

LOGIN, INDEX = "to the admin login", "to the admin index"
NOT_ADMIN = {"anon", "cadre", "leader", "supervisor"}  # not is_staff
OFFICERS = {"town_officer", "dept_officer"}


@dataclass(frozen=True)
class Rows:
    """The rows of a table an information officer reads and writes: "all",
    "own" (their unit's) or "none". Writing also needs the table right."""

    read: str = "all"
    write: str = "all"


# R12: an officer works on their own unit's cadres, pairings and service
# list, reads their unit's forms and items, and answers the slips addressed
# to their unit on the slip pages. Tables not named here: every row.
OFFICER_ROWS = {
    "cadres.unit": Rows(read="own", write="none"),
    "cadres.cadre": Rows(read="own", write="own"),
    "cadres.pairing": Rows(read="own", write="own"),
    "cadres.serviceitem": Rows(read="all", write="own"),  # published lists (R10)
    "visits.visit": Rows(read="own"),
    "issues.issueitem": Rows(read="own"),
    "issues.referralslip": Rows(read="own"),
    "issues.escalationslip": Rows(read="none"),  # R13: for leaders, staff, supervisors
    "multiplication.doublingplan": Rows(read="all", write="own"),  # R17: the owner unit's plans
}

# Rows written only by the system: slips are numbered when an item is
# referred or escalated, extension requests come from the slip page,
# reminders, notices and reports from the jobs, tasks kept during a broker
# outage from the queue, login records from axes.
NO_ADD = {
    "issues.referralslip",
    "issues.escalationslip",
    "issues.supervisionslip",
    "issues.extensionrequest",
    "jobs.reminderlog",
    "jobs.notice",
    "jobs.quarterlyreport",
    "jobs.pendingtask",
    "jobs.smslog",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "tabular.columnmapping",  # chosen on an import's preview, only looked at and deleted here
}
# Records only looked at, by whoever has the table's view right, superusers
# included: nobody adds, changes or deletes one in the admin. The enterprise
# pages' sign-in records (enterprises.signin) and the enterprises' verdicts,
# written only by issues.services.confirm and deem_overdue (issue 17).
LOOK_ONLY = {
    "enterprises.signinlog",
    "enterprises.signincode",
    "enterprises.contactsession",
    "issues.confirmation",
}


def table_rights(role, label):
    if role == "superuser":
        rights = set(ALL)
    else:
        key = Role.LIAISON_STAFF if role == "staff" else Role.UNIT_OFFICER
        rights = set(ROLE_PERMISSIONS[key].get(label, ()))
    return rights & {"view"} if label in LOOK_ONLY else rights


def row_access(role, label, variant):
    """(sees, writes) for one row: staff and superusers every row; an
    officer by ``OFFICER_ROWS``, where only 市金融办's officer owns row A."""
    if role not in OFFICERS:
        return True, True
    rows = OFFICER_ROWS.get(label, Rows())
    own = role == "dept_officer" and variant == "A"
    return (
        rows.read == "all" or (rows.read == "own" and own),
        rows.write == "all" or (rows.write == "own" and own),
    )


def answer(role, label, view, variant="-", method="GET"):
    """The expected answer of an admin page for a model (``label``)."""
    if role in NOT_ADMIN:
        return LOGIN
    rights = table_rights(role, label)
    reads = bool(rights & {"view", "change"})
    sees, writes = row_access(role, label, variant)
    if view == "changelist":
        return 200 if reads else 403
    if view == "add":
        return 200 if "add" in rights and label not in NO_ADD else 403
    if view == "change" and method == "GET":
        return 403 if not reads else 200 if sees else INDEX
    if view == "change":  # a POST, made only by those who may read but not write the row
        return 403 if "change" not in rights else INDEX if not sees else 403
    if view == "delete":
        return 403 if "delete" not in rights else INDEX if not sees else 200 if writes else 403
    if view in ("history", "version"):
        if method != "GET":
            return 403  # the history is never written to (no revert)
        return INDEX if not sees else 200 if reads else 403
    if view == "export":
        return 200 if "view" in rights else 403
    if view in ("import", "process_import", "import_template"):
        return 200 if "add" in rights else 403
    raise AssertionError(view)


def staff_page(role, ok_roles, other=403):
    if role in NOT_ADMIN:
        return LOGIN
    return 200 if role in ok_roles else other


def model_pages():
    """Every page of every model admin: (url name, model, view kind)."""
    for model, model_admin in site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in model_admin.get_urls():
            if isinstance(pattern, URLPattern) and pattern.name and pattern.name.startswith(prefix):
                yield pattern.name, model, pattern.name[len(prefix) :]


def site_pages():
    """The site's own pages (the model admins' patterns are included below them)."""
    return [p.name for p in site.get_urls() if isinstance(p, URLPattern) and p.name]


MODEL_VIEWS = {
    "changelist",
    "add",
    "change",
    "delete",
    "history",
    "simple_history",
    "export",
    "import",
    "process_import",
    "import_template",
    "import_columns",
}
# Pages a model admin adds, with who may open them.
EXTRA_PAGES = {
    "cadres_pairing_compliance": {"staff", "superuser"} | OFFICERS,  # 结对合规 (R5)
    "issues_issueitem_move": {"staff", "superuser"},  # the issue list's workflow: the office
    "issues_issueitem_refer": {"staff", "superuser"},
    "issues_issueitem_escalate": {"staff", "superuser"},
    "multiplication_membership_derive": {"staff", "superuser"},  # R17: lists are the office's
    "auth_user_password_change": {"superuser"},
}
SITE_PAGES = {"index", "login", "logout", "password_change", "password_change_done"}
SITE_PAGES |= {"autocomplete", "jsi18n", "view_on_site", "app_list"}


def test_every_admin_url_has_a_rule():
    unknown = [
        name for name, _model, view in model_pages() if view not in MODEL_VIEWS and name not in EXTRA_PAGES
    ]
    assert unknown == []
    assert sorted(set(site_pages()) - SITE_PAGES) == []


def admin_rows(world):
    """One row per registered model, two (A and B) where an officer's scope
    tells them apart. Label → {variant: row}."""
    users, objects = world
    a, b = objects["A"], objects["B"]

    def pair(key):
        return {"A": a[key], "B": b[key]}

    return {
        "auth.group": {"-": Group.objects.get(name=GROUP_NAMES[Role.CADRE])},
        "auth.user": {"-": users["cadre"]},
        "django_celery_beat.periodictask": {"-": PeriodicTask.objects.first()},  # jobs.schedules
        "django_celery_beat.crontabschedule": {"-": CrontabSchedule.objects.first()},
        "django_celery_beat.clockedschedule": {
            "-": ClockedSchedule.objects.create(clocked_time=timezone.now())
        },
        "django_celery_beat.solarschedule": {
            "-": SolarSchedule.objects.create(event="sunrise", latitude=30.6, longitude=120.5)
        },
        "django_celery_beat.intervalschedule": {
            "-": IntervalSchedule.objects.create(every=10, period="minutes")
        },
        "axes.accessattempt": {
            "-": AccessAttempt.objects.create(
                username="x", ip_address="127.0.0.1", user_agent="t", failures_since_start=1
            )
        },
        "axes.accesslog": {
            "-": AccessLog.objects.create(username="x", ip_address="127.0.0.1", user_agent="t")
        },
        "axes.accessfailurelog": {
            "-": AccessFailureLog.objects.create(
                username="x", ip_address="127.0.0.1", user_agent="t", locked_out=False
            )
        },
        "enterprises.place": {"-": a["place"]},
        "enterprises.placealias": {"-": PlaceAlias.objects.create(name="别名甲", place=a["place"])},
        "cadres.unitalias": {"-": f.UnitAliasFactory(name="单位别名甲", unit=a["unit"])},
        "tabular.columnmapping": {"-": f.ColumnMappingFactory(header="对接人")},
        "enterprises.enterprise": {"-": a["pairing"].enterprise},
        "enterprises.enterprisecontact": {
            "-": f.EnterpriseContactFactory(enterprise=a["pairing"].enterprise)
        },
        "cadres.unit": pair("unit"),
        "cadres.cadre": pair("cadre"),
        "cadres.areaassignment": {"-": f.AreaAssignmentFactory(place=a["place"])},
        "cadres.coordinatorregion": {"-": CoordinatorRegion.objects.get(cadre=a["leader"])},
        "cadres.pairing": pair("pairing"),
        "cadres.serviceitem": {
            "A": f.ServiceItemFactory(unit=a["unit"]),
            "B": f.ServiceItemFactory(unit=b["unit"]),
        },
        "visits.visit": pair("visit"),
        "visits.problemremit": {"-": ProblemRemit.objects.create(unit=a["unit"], category="funding")},
        "issues.issueitem": pair("item"),
        "issues.referralslip": pair("slip"),
        "issues.extensionrequest": {
            "-": ExtensionRequest.objects.create(
                slip=a["slip"], reason="r", extra_working_days=5, requested_by=users["dept_officer"]
            )
        },
        "issues.calendarday": {
            "-": CalendarDay.objects.create(day=D(2026, 10, 1), is_workday=False, note="国庆")
        },
        "issues.holidayyear": {"-": f.HolidayYearFactory(year=2098)},
        "issues.escalationslip": pair("escalation"),
        "issues.supervisionslip": {"-": a["supervision"]},
        "multiplication.membership": {"-": a["membership"]},
        "multiplication.revenuefigure": {
            "-": RevenueFigure.objects.create(
                enterprise=a["pairing"].enterprise, year=2025, revenue=Decimal("30000"), source="manual"
            )
        },
        "multiplication.categoryremit": {
            "-": CategoryRemit.objects.create(unit=a["unit"], category="high_tech")
        },
        "multiplication.doublingplan": {
            key: DoublingPlan.objects.create(
                category="high_tech",
                owner=objects[key]["unit"],
                title=f"计划{key}",
                baseline_date=D(2026, 1, 1),
                target_date=D(2028, 12, 31),
                target_count=10,
            )
            for key in ("A", "B")
        },
        "coordination.meeting": {"-": a["meeting"]},
        "coordination.goodpractice": {"-": a["practice"]},
        "jobs.reminderlog": {
            "-": ReminderLog.objects.create(
                recipient=users["cadre"], kind="visit", period="2026Q3", stage="due", subject="s", body="b"
            )
        },
        "jobs.notice": {"-": Notice.objects.create(recipient=users["cadre"], subject="s", body="b")},
        "jobs.quarterlyreport": {"-": a["report"]},
        "jobs.pendingtask": {
            "-": PendingTask.objects.create(key="k", task="jobs.build_quarterly_report", args=["2026Q3"])
        },
        "jobs.unitrobot": {"-": f.UnitRobotFactory(unit=a["unit"])},
        "jobs.channelpreference": {"-": f.ChannelPreferenceFactory(user=users["cadre"])},
        "jobs.smslog": {"-": f.SmsLogFactory()},
        "enterprises.signinlog": {"-": f.SignInLogFactory()},
        "enterprises.signincode": {"-": f.SignInCodeFactory()},
        "enterprises.contactsession": {"-": f.ContactSessionFactory()},
        "issues.confirmation": {"-": answered_confirmation(a["item"].enterprise)},
    }


def answered_confirmation(enterprise):
    """An enterprise's verdict (基本满意, with the world's payload as its comment)."""
    item = f.IssueItemFactory(enterprise=enterprise, status="resolved")
    contact = f.EnterpriseContactFactory(enterprise=enterprise)
    return f.ConfirmationFactory(item=item, verdict="basic", comment=enterprise.name, contact=contact)


@pytest.fixture
def world(staff_user):
    world = build_world(staff_user)
    return world, admin_rows(world)


def outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return LOGIN
        if location == reverse("admin:index"):
            return INDEX
        return f"302 {location}"
    return response.status_code


class Checker:
    """Asks each role in turn and collects every wrong answer."""

    def __init__(self, client, users, contact):
        self.clients, self.wrong = RoleClients(client, users, contact), []

    def check(self, url, expected, method="GET", label=""):
        for role in MATRIX_ROLES:
            # The enterprise's contact has no staff login: the admin sees an anonymous visitor.
            asked = "anon" if role == ENTERPRISE else role
            want = expected(asked) if callable(expected) else expected[asked]
            if want is None:
                continue
            client = self.clients[role]
            response = client.post(url, {}) if method == "POST" else client.get(url)
            got = outcome(response)
            if got != want:
                self.wrong.append(f"{method} {url} {label} {role}: got {got}, expected {want}")
            elif got == 200 and (problem := unsafe_content(response)):
                self.wrong.append(f"{method} {url} {label} {role}: {problem}")


def test_every_registered_model_has_rows_to_check(world):
    _world, rows = world
    registered = {model._meta.label_lower for model in site._registry}
    assert sorted(registered ^ set(rows)) == []


def test_each_role_gets_the_expected_answer_on_every_model_page(client, world):
    (users, objects), rows = world
    checker = Checker(client, users, objects["A"]["contact"])
    for name, model, view in model_pages():
        label = model._meta.label_lower
        if name in EXTRA_PAGES:
            continue
        if view in ("changelist", "add", "export", "import", "import_template"):
            url = reverse(f"admin:{name}")
            checker.check(url, lambda role, label=label, view=view: answer(role, label, view), label=view)
            continue
        if view == "import_columns":
            # POST only; what was chosen is remembered, then back to the import page.
            url, back = reverse(f"admin:{name}"), reverse(f"admin:{name.removesuffix('_columns')}")

            def columns(role, label=label, back=back):
                want = answer(role, label, "import")
                return f"302 {back}" if want == 200 else want

            checker.check(url, columns, method="POST")
            continue
        if view == "process_import":
            url = reverse(f"admin:{name}")
            # POST only; with no file the import form comes back with its errors.
            checker.check(url, lambda role, label=label: answer(role, label, "process_import"), method="POST")
            continue
        for variant, row in rows[label].items():
            if view == "simple_history":
                version = row.history.order_by("history_id").first()
                url = reverse(f"admin:{name}", args=[row.pk, version.history_id])
                kind = "version"
            else:
                url = reverse(f"admin:{name}", args=[row.pk])
                kind = view
            checker.check(
                url,
                lambda role, label=label, kind=kind, variant=variant: answer(role, label, kind, variant),
                label=variant,
            )
            if kind in ("change", "version"):
                # Writing: asked by those who may read the row but not write it
                # (those who may write are checked by the workflow tests).
                def post_answer(role, label=label, kind=kind, variant=variant):
                    sees, writes = row_access(role, label, variant)
                    may_write = "change" in table_rights(role, label) and sees and writes
                    if kind == "change" and may_write and role not in NOT_ADMIN:
                        return None
                    return answer(role, label, kind, variant, method="POST")

                checker.check(url, post_answer, method="POST", label=variant)
    assert not checker.wrong, "\n".join(checker.wrong)


def test_the_pages_model_admins_add(client, world):
    (users, objects), rows = world
    checker = Checker(client, users, objects["A"]["contact"])
    item_a, item_b = objects["A"]["item"], objects["B"]["item"]
    for name, ok_roles in EXTRA_PAGES.items():
        if name.startswith("issues_issueitem_"):
            urls = [reverse(f"admin:{name}", args=[item.pk]) for item in (item_a, item_b)]
        elif name == "auth_user_password_change":
            urls = [reverse(f"admin:{name}", args=[users["cadre"].pk])]
        else:
            urls = [reverse(f"admin:{name}")]
        for url in urls:
            checker.check(url, lambda role, ok=ok_roles: staff_page(role, ok))
    assert not checker.wrong, "\n".join(checker.wrong)


def app_answer(role, app_label):
    """An app's index: for those with a right on one of its tables (else 404)."""
    if role in NOT_ADMIN:
        return LOGIN
    labels = [m._meta.label_lower for m in site._registry if m._meta.app_label == app_label]
    return 200 if any(table_rights(role, label) for label in labels) else 404


def test_the_admin_site_pages(client, world):
    (users, objects), _rows = world
    checker = Checker(client, users, objects["A"]["contact"])
    everyone_staff = {"staff", "superuser"} | OFFICERS
    checker.check(reverse("admin:index"), lambda role: staff_page(role, everyone_staff))
    # The login page: a signed-in admin user is sent on to the index.
    checker.check(
        reverse("admin:login"),
        lambda role: INDEX if role in everyone_staff else 200,
    )
    # Signing out is a POST; the admin sends a non-admin user to its index (and on to login).
    checker.check(reverse("admin:logout"), lambda role: INDEX if role in NOT_ADMIN else 405)
    checker.check(reverse("admin:password_change"), lambda role: staff_page(role, everyone_staff))
    checker.check(reverse("admin:password_change_done"), lambda role: staff_page(role, everyone_staff))
    checker.check(reverse("admin:jsi18n"), lambda role: staff_page(role, everyone_staff))
    # Without its parameters the autocomplete refuses; its scoping: test_officer_autocomplete.
    checker.check(reverse("admin:autocomplete"), lambda role: staff_page(role, set()))
    # No model here has a public page of its own ("view on site").
    visit = objects["A"]["visit"]
    checker.check(
        reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Visit).pk, visit.pk]),
        lambda role: staff_page(role, set(), other=404),
    )
    for app_label in sorted({model._meta.app_label for model in site._registry}):
        url = reverse("admin:app_list", kwargs={"app_label": app_label})
        checker.check(url, lambda role, app_label=app_label: app_answer(role, app_label))
    assert not checker.wrong, "\n".join(checker.wrong)


def test_officer_autocomplete_offers_only_their_own_units_cadres(client, world):
    """R12: the pairing form's cadre search lists only the officer's unit."""
    (users, objects), _rows = world
    client.force_login(users["dept_officer"])
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cadres", "model_name": "pairing", "field_name": "cadre", "term": ""},
    )
    assert response.status_code == 200
    names = {row["text"] for row in response.json()["results"]}
    assert objects["A"]["cadre"].name in str(names)
    assert objects["B"]["cadre"].name not in str(names)
