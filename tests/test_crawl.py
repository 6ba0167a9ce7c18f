"""The crawl: every URL of the site, as every role, on the data the product
makes itself (:mod:`tests.crawl_world`: ``seed_demo`` plus rows added
through the services and the admin's own forms), not on a hand-built world.

Each role opens every URL pattern of the URL conf (a sample of the existing
ids for each pattern that takes one, and an id that does not exist), with the
query variants that change what a page shows, every admin changelist, add,
change and history page (sample rows per model), every export (the app's
xlsx, the admin's xlsx and csv, the issue list's xlsx action). Then it walks
every import kind (:func:`walk_imports`): its upload page and template, a
file of :mod:`tests.office_files` made from this world through the preview,
the column-mapping step and the confirm as staff, checking what the pages
say and what was written, and every other role refused. It fails, with
every failure listed, on:

- a 5xx answer;
- a page with the script unescaped, an export with a cell that starts a
  formula (:func:`tests.permission_world.unsafe_content`);
- a 403 for an id that exists where an id that does not exist gets 404
  (the page tells an outsider which ids exist);
- content outside the user's scope: the name or credit code of an
  enterprise, or the name of a cadre, the user may not see.

What each role may see is computed here from the data (pairings, units,
forms, slips, meetings), not from the permission code (``cadres/permissions.py``,
the apps' ``access.py``):

================  ===========================================  ============================================
role              enterprises (names, credit codes)            cadres (names)
================  ===========================================  ============================================
anonymous         public only                                  public only
cadre             his pairings' (any term); the forms he       himself; the filers and companions of his
                  filed or joined                              forms; the cadres linking his enterprises
                                                               now (his form offers them as companions,
                                                               R6); the coordinator and attendees of the
                                                               meetings he attended or convened
information       all: the enterprise register is shared by    his unit's cadres; the filers and
officer (town,    every unit (R6), read-only to officers; the  companions of his unit's forms; the
department)       six-doubling databases are the plans' raw    reporters of the items on slips addressed
                  data (R17). Also what he sees as a cadre     to his unit; what he sees as a cadre
leader,           everything (no check)                        everything (no check)
supervisor,
staff, superuser
enterprise        its own (the contact's, signed in to the     the cadres paired with it (any term); the
(a contact, on    enterprise pages with their cookie)          reporters of its items
its own pages)
================  ===========================================  ============================================

The enterprise's contact (issue 17, R16) must also never read the working
notes of the office, the departments and the leaders on its items: every
comment a login wrote on its timeline, its slips' requirements, measures,
extension reasons, return reasons, supervision notes, escalation requests and
instructions, its progress notes, the results of slips not (yet) accepted.
What it may read of them is its own description, the accepted result and the
concluded coordination result: a note found inside one of those is not
checked. Notes shorter than eight characters are not checked (labels).

Public, for everyone: the city leaders' names (包片 areas and coordinators are
shown to every role, R1, R2; escalation slips name them), the contact names
of the published service lists (R10), and the enterprises and cadres of the
published good practices (R19, publicity); unit and place names are not
checked. The people named in an allowed enterprise's record (legal
representative, contact) are allowed as text, since they may share a cadre's
name.

How names are matched: enterprise names and credit codes anywhere in the
text; a cadre's name as a whole run of Chinese characters (a name is not
found inside a longer word: 王伟 is not in 王伟华), or anywhere for names of
three characters or more and for names with other characters (the payloads).
Names shared with an allowed person or found inside an allowed name are not
checked. Run on PostgreSQL (the ``postgres`` fixture); see the README for
its size and time.
"""

import csv
import html
import io
import json
import logging
import re
import time
from collections import defaultdict

import pytest
from django.contrib.admin import site
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from openpyxl import load_workbook

from cadres.models import Cadre, Pairing, ServiceItem, Unit
from coordination.models import GoodPractice, Meeting
from enterprises.models import Enterprise
from issues.models import (
    EscalationSlip,
    ExtensionRequest,
    IssueEvent,
    IssueItem,
    ItemAttachment,
    ProgressEntry,
    ReferralSlip,
    SpotCheckBatch,
    SupervisionSlip,
)
from jobs.models import QuarterlyReport
from tests import crawl_world as world_module
from tests.permission_world import NONE_SHOWN, body_of, unsafe_content
from tests.permission_world import app_urls as url_patterns
from tests.portal import sign_in
from visits.models import Visit
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db
ROLES = {
    "anon": "anon",
    "cadre": "cadre",
    "cadre2": "cadre",  # the town cadre who shares a form and attended the meeting
    "town_officer": "officer",
    "dept_officer": "officer",
    "leader": "all",
    "supervisor": "all",
    "staff": "all",
    "superuser": "all",
    "enterprise": "enterprise",  # the demo contact, on the enterprise pages (issue 17)
}
# The page a user reads a row on, for each page that changes it.
READ_PAGE = {"coordination:meeting_edit": "coordination:meeting", "feedback:edit": "visits:detail"}
# The list each kind of row's page is reached from.
LIST_OF = {
    "coordination:meeting": "coordination:meetings",
    "issues:slip": "issues:inbox",
    "issues:escalation": "issues:escalations",
    "issues:spotcheck_batch": "issues:spotchecks",
    "coordination:practice": "coordination:practices",
    "jobs:report_download": "jobs:reports",
    "portal:item": "portal:home",
}
BAD_QUERY = (
    "quarter=2026Q9&unit=987654321&place=x&year=x&date=2026-02-30&page=9999&p1=x&c1=-1"
    "&format=x&category=x&kind=x&coordinator=x&area=987654321&region=x&industry=%00"
)
SAMPLE = 4  # ids per pattern, besides the ones tied to the crawl's users
MISSING = 987654321
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
CODE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{18}(?![0-9A-Z])")


# -- who may see what, from the data ------------------------------------------


class Scope:
    """The enterprises and cadre names one user may see; ``None``: all."""

    def __init__(self, enterprises, names):
        self.enterprises, self.names = enterprises, names


def public():
    practices = GoodPractice.objects.filter(published_on__isnull=False)
    enterprises = set(practices.values_list("enterprises", flat=True))
    enterprises |= set(practices.values_list("items__enterprise", flat=True))
    names = set(Cadre.objects.filter(rank=Cadre.Rank.CITY_LEADER).values_list("name", flat=True))
    names |= set(ServiceItem.objects.values_list("contact_name", flat=True))
    names |= set(Cadre.objects.filter(pk__in=practices.values("cadres")).values_list("name", flat=True))
    names |= set(
        Cadre.objects.filter(pk__in=practices.values("items__reporter")).values_list("name", flat=True)
    )
    return enterprises - {None}, names - {""}


def names_of(cadre_ids):
    return set(Cadre.objects.filter(pk__in=cadre_ids).values_list("name", flat=True))


def visit_people(visits):
    return names_of(visits.values("cadre")) | names_of(visits.values("companions"))


def enterprise_scope(contact):
    """A contact's: its enterprise, the cadres who link it and its items' reporters."""
    enterprise = contact.enterprise
    names = names_of(Pairing.objects.filter(enterprise=enterprise).values("cadre"))
    names |= names_of(IssueItem.objects.filter(enterprise=enterprise).values("reporter"))
    names |= {enterprise.legal_representative, enterprise.contact_name}
    return Scope({enterprise.pk}, names - {"", None})


def internal_notes(enterprise):
    """``{note: what it is}``: the working notes on ``enterprise``'s items (see above)."""
    items = IssueItem.objects.filter(enterprise=enterprise)
    slips = ReferralSlip.objects.filter(item__in=items)
    escalations = EscalationSlip.objects.filter(item__in=items)
    sources = {
        "a timeline comment": IssueEvent.objects.filter(item__in=items, actor__isnull=False).values_list(
            "comment", flat=True
        ),
        "a slip's requirement": slips.values_list("requirement", flat=True),
        "a slip's measures": slips.values_list("measures", flat=True),
        "a result not accepted": slips.exclude(status=ReferralSlip.Status.ACCEPTED).values_list(
            "result", flat=True
        ),
        "a return reason": slips.values_list("return_reason", flat=True),
        "an extension reason": ExtensionRequest.objects.filter(slip__in=slips).values_list(
            "reason", flat=True
        ),
        "a supervision note": SupervisionSlip.objects.filter(referral__in=slips).values_list(
            "note", flat=True
        ),
        "an escalation request": escalations.values_list("request", flat=True),
        "an instruction": escalations.values_list("instruction", flat=True),
        "a progress note": ProgressEntry.objects.filter(item__in=items).values_list("text", flat=True),
    }
    public = [
        *items.values_list("description", flat=True),
        *slips.filter(status=ReferralSlip.Status.ACCEPTED).values_list("result", flat=True),
        *escalations.values_list("coordination_result", flat=True),
    ]
    notes = {}
    for what, texts in sources.items():
        for text in texts:
            text = (text[0] if isinstance(text, tuple) else text).strip()
            if len(text) >= 8 and not any(text in shown for shown in public):
                notes.setdefault(text, f"{what} ({text[:20]})")
    return notes


def scope_of(user, kind):
    if kind == "all":
        return None
    enterprises, names = public()
    if kind == "officer":  # an officer is a cadre too, with their own pairings and forms
        own = scope_of(user, "cadre")
        enterprises, names = own.enterprises, own.names
    if kind == "cadre":
        cadre = user.cadre
        visits = Visit.objects.filter(
            pk__in=Visit.objects.filter(cadre=cadre).values("pk")
        ) | Visit.objects.filter(companions=cadre)
        mine = set(Pairing.objects.filter(cadre=cadre).values_list("enterprise_id", flat=True))
        enterprises |= mine | set(visits.values_list("enterprise_id", flat=True))
        names |= {cadre.name} | visit_people(visits)
        today = timezone.localdate()
        names |= names_of(Pairing.objects.active_on(today).filter(enterprise_id__in=mine).values("cadre"))
        meetings = Meeting.objects.filter(pk__in=Meeting.objects.filter(attendees=cadre).values("pk")) | (
            Meeting.objects.filter(coordinator=cadre)
        )
        names |= names_of(meetings.values("attendees")) | names_of(meetings.values("coordinator"))
    elif kind == "officer":
        unit = user.cadre.unit
        enterprises = set(Enterprise.objects.values_list("pk", flat=True))
        names |= names_of(Cadre.objects.filter(unit=unit).values("pk"))
        names |= visit_people(Visit.objects.filter(cadre__unit=unit))
        names |= names_of(ReferralSlip.objects.filter(department=unit).values("item__reporter"))
    for representative, contact in Enterprise.objects.filter(pk__in=enterprises).values_list(
        "legal_representative", "contact_name"
    ):
        names |= {representative, contact}
    return Scope(enterprises, names - {""})


class LeakFinder:
    """Finds, in a page's text, what lies outside one user's scope."""

    def __init__(self, scope, notes=None):
        self.notes = notes or {}
        allowed_enterprises = Enterprise.objects.filter(pk__in=scope.enterprises)
        allowed_names = set(allowed_enterprises.values_list("name", flat=True))
        others = Enterprise.objects.exclude(pk__in=scope.enterprises)
        self.enterprises = {
            name: f"enterprise {name}"
            for name in others.values_list("name", flat=True)
            if not any(name in allowed for allowed in allowed_names)
        }
        self.codes = set(others.values_list("credit_code", flat=True))
        everyone = set(Cadre.objects.values_list("name", flat=True))
        allowed_text = "\n".join(scope.names | allowed_names)
        self.names = {n for n in everyone - scope.names if n not in allowed_text}
        self.whole = {n for n in self.names if CJK_RUN.fullmatch(n) and len(n) < 3}
        anywhere = sorted(self.names - self.whole, key=len, reverse=True) + sorted(self.enterprises, key=len)
        self.anywhere = re.compile("|".join(map(re.escape, anywhere))) if anywhere else None

    def find(self, text):
        found = set()
        if self.anywhere is not None:
            found |= {
                self.enterprises.get(m.group(), f"cadre {m.group()}") for m in self.anywhere.finditer(text)
            }
        found |= {f"cadre {run}" for run in CJK_RUN.findall(text) if run in self.whole}
        found |= {f"credit code {code}" for code in CODE.findall(text) if code in self.codes}
        found |= {what for note, what in self.notes.items() if note in text}
        return found


TAG = re.compile(r"<[^>]*?(?:value|title)=\"([^\"]*)\"[^>]*>|<[^>]*>", re.S)


def text_of(response):
    """What a user reads in an answer: an HTML page's text and the values and
    titles of its elements; an export's cells."""
    content_type = response.get("Content-Type", "")
    body = body_of(response)
    if "html" in content_type:
        page = body.decode()
        page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
        return html.unescape(TAG.sub(lambda m: f" {m.group(1) or ''} ", page))
    if "spreadsheetml" in content_type:
        book = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(c)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for c in row
            if c is not None
        )
    if "csv" in content_type:
        return "\n".join(c for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for c in row)
    if "json" in content_type:
        return json.dumps(json.loads(body), ensure_ascii=False)
    return ""


# -- the URLs -------------------------------------------------------------------


def sample(queryset, tied=(), n=SAMPLE):
    """The ids tied to the crawl's users, then ``n`` spread evenly over the rest."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // n)
    chosen = list(dict.fromkeys([*tied, *ids[::step][:n]]))
    return [pk for pk in chosen if pk is not None]


def id_sources(users, facts):
    """Model and tied ids for each kind of object a URL takes."""
    cadre, second = users["cadre"].cadre, facts["second"]
    economy, town = users["dept_officer"].cadre.unit, facts["town"]
    own_cadres = [cadre.pk, second.pk, users["dept_officer"].cadre.pk, users["town_officer"].cadre.pk]
    meeting = facts["meeting"]
    enterprise = facts["contact"].enterprise
    return {
        "visit": sample(
            Visit.objects,
            [facts["visit"].pk, Visit.objects.filter(cadre=second).values_list("pk", flat=True).first()]
            + list(Visit.objects.filter(cadre__unit=economy).values_list("pk", flat=True)[:1])
            + list(Visit.objects.filter(status="draft").values_list("pk", flat=True)[:1]),
        ),
        "pairing": sample(
            Pairing.objects,
            list(Pairing.objects.filter(cadre__in=own_cadres).values_list("pk", flat=True)[:6])
            + list(Pairing.objects.filter(cadre__unit=economy).values_list("pk", flat=True)[:1]),
        ),
        "slip": sample(
            ReferralSlip.objects,
            list(
                ReferralSlip.objects.filter(department__in=[economy, town]).values_list("pk", flat=True)[:2]
            ),
        ),
        "item": sample(
            IssueItem.objects,
            list(IssueItem.objects.filter(visit=facts["visit"]).values_list("pk", flat=True))
            + list(meeting.items.values_list("pk", flat=True))
            + list(IssueItem.objects.filter(enterprise=enterprise).values_list("pk", flat=True)),
        ),
        "escalation": sample(
            EscalationSlip.objects, list(EscalationSlip.objects.values_list("pk", flat=True)[:2])
        ),
        "supervision": sample(SupervisionSlip.objects),
        "batch": sample(SpotCheckBatch.objects, [facts["batch"].pk]),
        "meeting": sample(Meeting.objects, [meeting.pk]),
        "practice": sample(
            GoodPractice.objects, list(GoodPractice.objects.values_list("pk", flat=True))[-1:]
        ),
        "unit": sample(Unit.objects, [economy.pk, town.pk]),
        "cadre": sample(Cadre.objects, own_cadres),
        "report": sample(QuarterlyReport.objects),
        "attachment": sample(
            ItemAttachment.objects,
            list(ItemAttachment.objects.filter(item__enterprise=enterprise).values_list("pk", flat=True)),
        ),
        "enterprise": sample(
            Enterprise.objects,
            list(Pairing.objects.filter(cadre=cadre).values_list("enterprise_id", flat=True))[:1],
        ),
    }


SOURCE = {
    "feedback:new": "pairing", "visits:detail": "visit", "feedback:edit": "visit", "visits:print": "visit",
    "visits:xlsx": "visit", "issues:slip": "slip", "issues:slip_print": "slip", "issues:item": "item",
    "issues:escalation": "escalation", "issues:escalation_print": "escalation",
    "issues:supervision_print": "supervision", "issues:spotcheck_batch": "batch",
    "issues:spotcheck_notice": "batch", "coordination:meeting": "meeting",
    "coordination:meeting_edit": "meeting",
    "coordination:practice": "practice", "dashboards:unit": "unit", "dashboards:cadre": "cadre",
    "dashboards:pairing": "pairing", "dashboards:evaluation_cadre": "cadre", "jobs:report_download": "report",
    "cards:enterprise": "enterprise", "cards:unit": "unit", "portal:item": "item", "portal:confirm": "item",
    "issues:attachment": "attachment", "portal:attachment": "attachment",
    **{f"cadres:{n}": "enterprise" for n in ("contacts", "contact_add", "contact_change", "contact_active")},
    # the slips' actions are POSTs: a GET answers 405 to everyone, for every id (nothing to learn)
    **{f"issues:slip_{a}": "slip" for a in (
        "answer", "extension", "decide_extension", "accept", "send_back", "supervise", "progress")},
    "issues:escalation_instruct": "escalation", "issues:escalation_conclude": "escalation",
    "issues:item_confirm": "item",
}  # fmt: skip


def query_variants(users, facts):
    """Query strings that change what a page shows, by URL name."""
    today = timezone.localdate()
    previous = Quarter.of(today).previous()
    economy, town = users["dept_officer"].cadre.unit.pk, facts["town"].pk
    other_unit = (
        Unit.objects.exclude(pk__in=[economy, town]).order_by("pk").values_list("pk", flat=True).first()
    )
    year_ago = today.replace(year=today.year - 1).isoformat()
    leader = users["leader"].cadre.pk
    place = facts["town"].place_id
    quarter = f"quarter={previous}"
    units = [f"unit={u}" for u in (economy, town, other_unit)]
    variants = {
        "visits:coverage": [quarter, "format=xlsx", f"{quarter}&format=xlsx"],
        "visits:overdue": [quarter, *units, f"place={place}"],
        "visits:services": ["category=funding", f"unit={economy}"],
        "issues:rates": [quarter],
        "issues:spotcheck_notice": ["format=xlsx"],
        "multiplication:overview": [f"date={year_ago}", "date=x"],
        "multiplication:pipeline": [f"date={year_ago}", f"year={today.year - 1}"],
        "multiplication:members": [f"date={year_ago}", f"unit={economy}", f"place={place}"],
        "multiplication:members_xlsx": [f"date={year_ago}", f"unit={economy}"],
        "coordination:meetings": [quarter],
        "coordination:meeting_new": [f"coordinator={facts['meeting'].coordinator_id}"],
        "dashboards:dashboard": [quarter, f"area={leader}", f"region={facts['meeting'].coordinator_id}"],
        "dashboards:unit": [quarter],
        "dashboards:evaluation": [*units, f"year={today.year - 1}"],
        "dashboards:evaluation_xlsx": [f"year={today.year}", *[f"year={today.year}&{u}" for u in units]],
    }
    # And every parameter at once, each wrong: a message or a default, never a 500.
    for queries in variants.values():
        queries.append(BAD_QUERY)
    return variants


def app_urls(users, facts):
    """Every pattern of the URL conf: ``(name, url, the pattern's existing-id flag)``."""
    sources, variants = id_sources(users, facts), query_variants(users, facts)
    unknown, urls = [], []
    for name, pattern in url_patterns().items():
        keys = set(pattern.pattern.converters)
        if keys - {"pk", "pairing_id", "category", "extension"}:
            unknown.append(name)
            continue
        categories = ["high_tech", "above_size", "nonexistent"] if "category" in keys else [None]
        id_keys = keys & {"pk", "pairing_id"}
        if id_keys and name not in SOURCE:
            unknown.append(name)
            continue
        ids = [*sources[SOURCE[name]], MISSING] if id_keys else [None]
        for category in categories:
            for pk in ids:
                kwargs = {"category": category} if category else {}
                if pk is not None:
                    kwargs[next(iter(id_keys))] = pk
                if "extension" in keys:
                    kwargs["extension"] = MISSING
                url = reverse(name, kwargs=kwargs)
                urls.append((name, url, pk))
                if pk in (None, ids[0]) and category in (None, "high_tech"):
                    urls.extend((name, f"{url}?{q}", pk) for q in variants.get(name, []))
    assert not unknown, f"URL patterns the crawl does not know how to fill: {unknown}"
    return urls


def admin_urls():
    """Every registered model's changelist, add page, export page, and the
    change and history pages of sample rows."""
    urls = []
    for model, model_admin in site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        names = {p.name for p in model_admin.get_urls() if isinstance(p, URLPattern) and p.name}
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        changelist = reverse(prefix + "changelist")
        urls.append((label, changelist, None))
        urls.append((label, f"{changelist}?q=%00&o=99&p=9999&e=x", None))  # a search, all wrong
        urls.append((label, reverse(prefix + "add"), None))
        if prefix[6:] + "export" in names:
            urls.append((label, reverse(prefix + "export"), "export"))
        for pk in sample(model._default_manager.all(), n=2):
            urls.append((label, reverse(prefix + "change", args=[pk]), pk))
            urls.append((label, reverse(prefix + "history", args=[pk]), pk))
        for field in model_admin.autocomplete_fields:  # the choices a select offers, as JSON
            meta = model._meta
            query = f"app_label={meta.app_label}&model_name={meta.model_name}&field_name={field}"
            urls.append((label, f"{reverse('admin:autocomplete')}?{query}", None))
    return urls


# -- the crawl ------------------------------------------------------------------


class Crawl:
    def __init__(self, users, contact):
        self.users, self.failures, self.requests = users, [], 0
        self.finders = {
            role: LeakFinder(scope_of(users[role], kind))
            for role, kind in ROLES.items()
            if kind not in ("all", "enterprise")
        }
        self.finders["enterprise"] = LeakFinder(enterprise_scope(contact), internal_notes(contact.enterprise))
        self.clients = {}
        for role in ROLES:
            client = Client(raise_request_exception=False)
            if role == "enterprise":
                sign_in(client, contact)  # the enterprise pages' own cookie, no staff login
            elif self.users.get(role) is not None:
                client.force_login(self.users[role])
            self.clients[role] = client
        self.answers = defaultdict(dict)  # (name, role) -> {pk: status}
        self.exports, self.control, self.exports_by = set(), 0, defaultdict(int)
        self.notes_on_staff_pages = set()

    def open(self, role, label, url, method="GET", data=None):
        client = self.clients[role]
        self.requests += 1
        response = client.post(url, data or {}) if method == "POST" else client.get(url)
        where = f"{role} {method} {url}"
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            self.failures.append(f"{where}: {response.status_code} {exc[1]!r}" if exc else f"{where}: 5xx")
        elif response.status_code == 200:
            self.read(role, where, response)
        return response

    def read(self, role, where, response):
        if problem := unsafe_content(response):
            self.failures.append(f"{where}: {problem}")
        if shown := NONE_SHOWN.search(text_of(response)):
            self.failures.append(
                f"{where}: Python's None shown: …{shown.string[max(shown.start() - 40, 0) : shown.end()]}"
            )
        content_type = response.get("Content-Type", "")
        if "spreadsheetml" in content_type or "csv" in content_type:
            self.exports.add(where)
            self.exports_by[role] += 1
        finder = self.finders.get(role)
        if finder is not None and (leaks := finder.find(text_of(response))):
            self.failures.append(f"{where}: outside the scope: {', '.join(sorted(leaks)[:6])}")
        elif finder is None and role == "staff":
            text = text_of(response)
            if self.finders["cadre"].find(text):
                self.control += 1  # the cadre's finder does find things, on pages the cadre may not see
            self.notes_on_staff_pages |= {
                note for note in self.finders["enterprise"].notes if note in text
            }  # and the enterprise's finder its notes, on the staff's pages of its items

    def disclosure(self):
        """A 403 for an id that exists, a 404 for one that does not: the page
        tells who may not open it which ids exist (a 403 on the edit page of
        a row whose page the user may read discloses nothing)."""
        for (name, role), answers in self.answers.items():
            readable = self.answers.get((READ_PAGE.get(name), role), {})
            forbidden = sorted(pk for pk, s in answers.items() if s == 403 and readable.get(pk) != 200)
            if answers.get(MISSING) == 404 and forbidden:
                self.failures.append(
                    f"{role} {name}: 403 for existing ids {forbidden[:3]}, 404 for a missing id"
                )

    def lists_agree(self, list_answers):
        """Who opens a row's page also opens the list it is reached from."""
        for detail, listing in LIST_OF.items():
            for role in ROLES:
                opened = [pk for pk, s in self.answers.get((detail, role), {}).items() if s == 200]
                if opened and list_answers.get((listing, role)) != 200:
                    self.failures.append(
                        f"{role}: opens {detail} {opened[:3]} but {listing} answers "
                        f"{list_answers.get((listing, role))}"
                    )


@pytest.fixture
def crawl_world(postgres):
    """The world, with the log of every 403 and 404 the crawl asks for kept quiet."""
    logging.disable(logging.WARNING)
    try:
        yield world_module.build()
    finally:
        logging.disable(logging.NOTSET)


def test_crawl_every_url_as_every_role(crawl_world):
    users, facts = crawl_world
    started = time.perf_counter()
    crawl = Crawl(users, facts["contact"])
    urls = app_urls(users, facts)
    list_answers = {}
    for name, url, pk in urls:
        for role in ROLES:
            response = crawl.open(role, name, url)
            if pk is not None and "?" not in url and name != "feedback:new":
                crawl.answers[(name, role)][pk] = response.status_code
            elif pk is None and "?" not in url:
                list_answers[(name, role)] = response.status_code
    crawl.disclosure()
    crawl.lists_agree(list_answers)
    admin = admin_urls()
    for label, url, kind in admin:
        for role in ROLES:
            response = crawl.open(role, label, url)
            if kind == "export" and response.status_code == 200:
                export_everything(crawl, role, url, response)
    for role in ("dept_officer", "town_officer", "staff", "superuser"):
        crawl.open(
            role,
            "issues.issueitem",
            reverse("admin:issues_issueitem_changelist"),
            "POST",
            {"action": "export_issue_list", "select_across": "1", "index": "0",
             "_selected_action": list(IssueItem.objects.values_list("pk", flat=True)[:1])},
        )  # fmt: skip
    imports = walk_imports(crawl, users)
    elapsed = time.perf_counter() - started
    print(
        f"\ncrawl: {len(url_patterns())} URL patterns, {len(urls)} app URLs, {len(admin)} admin URLs, "
        f"{imports} import kinds walked, "
        f"{len(ROLES)} users, {crawl.requests} requests, {len(crawl.exports)} exports read "
        f"({dict(crawl.exports_by)}), {elapsed:.0f} s; names and enterprises each user must not see: "
        f"{ {role: (len(f.names), len(f.enterprises)) for role, f in crawl.finders.items()} }"
    )
    assert not crawl.failures, f"{len(crawl.failures)} failures:\n" + "\n".join(crawl.failures)
    assert len(crawl.exports) > 20
    # Not vacuous: each restricted user has names and enterprises to miss, and
    # the cadre's finder finds them on the staff's pages.
    for role, finder in crawl.finders.items():
        assert finder.names and (finder.enterprises or ROLES[role] == "officer"), role
    assert crawl.control > 50
    # The enterprise read its own pages, items and files, and the notes it must
    # not read stand on the staff's pages of the same items.
    own = crawl.answers[("portal:item", "enterprise")]
    mine = set(IssueItem.objects.filter(enterprise=facts["contact"].enterprise).values_list("pk", flat=True))
    assert own and {pk for pk, status in own.items() if status == 200} == mine & set(own), own
    assert list_answers[("portal:home", "enterprise")] == 200
    assert 200 in crawl.answers[("portal:attachment", "enterprise")].values()
    notes = crawl.finders["enterprise"].notes
    assert set(crawl_world_notes()) <= set(notes) and crawl.notes_on_staff_pages == set(notes), sorted(
        set(notes) - crawl.notes_on_staff_pages
    )


def crawl_world_notes():
    return world_module.INTERNAL_NOTES.values()


def export_everything(crawl, role, url, page):
    """POST the admin's export form once per file format it offers."""
    reader = world_module.FormReader()
    reader.feed(page.content.decode())
    data = reader.main
    for value in reader.options.get("format", []):
        if value:
            crawl.open(role, url, url, "POST", {**data, "format": value})


# -- the import pages -----------------------------------------------------------

# Who may import (R12): liaison staff and superusers every kind; an
# information officer their unit's cadres and pairings; nobody else.
IMPORTERS = {"staff", "superuser"}
OFFICERS = {"town_officer", "dept_officer"}
OFFICER_IMPORTS = {"cadres_cadre", "cadres_pairing"}


def flat(text):
    return re.sub(r"\s+", " ", text)


def forms_of(response):
    reader = world_module.FormReader()
    reader.feed(body_of(response).decode())
    return reader.forms


def mapping_form(response):
    return next((form for form in forms_of(response) if "header" in form), None)


def walk_imports(crawl, users):
    """Each import kind (:func:`tests.crawl_world.import_kinds`) through its
    pages, after the crawl (its rows would change the scopes): refused to
    every role that may not import, before a file is read; its upload page
    and template for those who may; then as staff the file, the mapping step
    as a browser posts it, the file again read as chosen, the confirm and
    the rows written. Failures go to ``crawl.failures``."""
    from tabular.models import ColumnMapping

    fail = crawl.failures.append
    kinds = world_module.import_kinds(users)
    pages_seen = set()
    for kind in kinds:
        where = f"import {kind.name}"
        allowed = IMPORTERS | (OFFICERS if kind.model in OFFICER_IMPORTS else set())
        refuse_all(crawl, kind, allowed, where)
        if kind.model not in pages_seen:
            pages_seen.add(kind.model)
            for role in sorted(allowed):
                upload_page_and_template(crawl, kind, role, where)

        first = crawl.open("staff", where, kind.url("import"), "POST", kind.upload_data())
        text = text_of(first)
        if first.status_code != 200 or (missing := [s for s in kind.first if s not in text]):
            fail(f"{where}: the first answer lacks {missing}: {flat(text)[-1500:]}")
            continue
        refused = first.context.get("confirm_form") is None
        if refused != kind.refused_first:
            fail(f"{where}: the first upload was {'refused' if refused else 'accepted'}")
        preview = first
        if kind.choices:
            mapping = mapping_form(first)
            if mapping is None or not set(kind.choices) <= set(mapping["header"]) or any(mapping["column"]):
                fail(f"{where}: no mapping step offering {list(kind.choices)} unchosen: {mapping}")
                continue
            pairs = zip(mapping["header"], mapping["column"], strict=True)
            mapping["column"] = [kind.choices.get(header, column) for header, column in pairs]
            if crawl.open("staff", where, kind.url("import_columns"), "POST", mapping).status_code != 302:
                fail(f"{where}: the mapping step did not take the choices")
            stored = dict(ColumnMapping.objects.filter(kind=kind.label).values_list("header", "column"))
            if {header: stored.get(header) for header in kind.choices} != kind.choices:
                fail(f"{where}: the mapping stored is {stored}, not {kind.choices}")
            preview = crawl.open("staff", where, kind.url("import"), "POST", kind.upload_data())
            again = mapping_form(preview) or {"header": [], "column": []}
            offered = dict(zip(again["header"], again["column"], strict=True))
            if {header: offered.get(header) for header in kind.choices} != kind.choices:
                fail(f"{where}: the preview does not offer the choices again as made: {offered}")
        text = text_of(preview)
        said = [*kind.second, f"将新增 {kind.new} 行，更新 0 行，{kind.unchanged} 行没有变化。"]
        confirm = next((form for form in forms_of(preview) if "import_file_name" in form), None)
        if (missing := [s for s in said if s not in text]) or confirm is None:
            fail(f"{where}: the preview lacks {missing} or a confirm: {flat(text)[-1500:]}")
            continue
        done = crawl.open("staff", where, kind.url("process_import"), "POST", confirm)
        if done.status_code != 302:
            fail(f"{where}: the confirm answered {done.status_code}: {flat(text_of(done))[-800:]}")
            continue
        listing = text_of(crawl.open("staff", where, done["Location"]))
        if f"新增 {kind.new} 条" not in listing or "导入成功" in listing:
            fail(f"{where}: the list after the confirm says: {flat(listing)[:800]}")
        if wrong := kind.check():
            fail(f"{where}: what was written differs: {wrong[:5]}")

    # An officer's file placing cadres in another unit: refused by row, nothing written.
    cadres = next(kind for kind in kinds if kind.name == "cadres")
    before = Cadre.objects.count()
    answer = crawl.open("town_officer", "import cadres", cadres.url("import"), "POST", cadres.upload_data())
    if "不在您有权使用的范围内" not in text_of(answer) or answer.context.get("confirm_form") is not None:
        fail(f"import cadres: the town officer's file of another unit passed: {flat(text_of(answer))[-600:]}")
    if Cadre.objects.count() != before:
        fail("import cadres: the town officer's refused file wrote rows")
    return len(kinds)


def refuse_all(crawl, kind, allowed, where):
    """Every page of the kind's import, for every role that may not import:
    the admin's login (no admin access) or 403 (an officer), nothing read,
    written or remembered."""
    from tabular.models import ColumnMapping

    tables = (Enterprise, Cadre, Unit, Pairing, ColumnMapping)
    before = [model.objects.count() for model in tables]
    pages = [
        ("GET", "import", None),
        ("GET", "import_template", None),
        ("POST", "import", kind.upload_data),
        (
            "POST",
            "import_columns",
            lambda: {"header": list(kind.choices), "column": list(kind.choices.values())},
        ),
        (
            "POST",
            "process_import",
            lambda: {"import_file_name": "x", "original_file_name": "x", "format": "0"},
        ),
    ]
    for role in ROLES:
        if role in allowed:
            continue
        want = 403 if role in OFFICERS else "login"
        for method, view, data in pages:
            response = crawl.open(role, where, kind.url(view), method, data() if data else None)
            got = response.status_code
            if got == 302 and response["Location"].startswith(reverse("admin:login")):
                got = "login"
            if got != want:
                crawl.failures.append(f"{where}: {role} {method} {view} answered {got}, not {want}")
    if [model.objects.count() for model in tables] != before:
        crawl.failures.append(f"{where}: a refused request wrote rows")


def upload_page_and_template(crawl, kind, role, where):
    """The upload page links its template; the template's columns each have their note."""
    page = crawl.open(role, where, kind.url("import"))
    text = text_of(page) if page.status_code == 200 else ""
    if "下载导入模板" not in text or "此次将导入以下字段" not in text:
        crawl.failures.append(f"{where}: {role}'s upload page ({page.status_code}) lacks its template link")
    template = crawl.open(role, where, kind.url("import_template"))
    if template.status_code != 200:
        crawl.failures.append(f"{where}: {role}'s template answered {template.status_code}")
        return
    book = load_workbook(io.BytesIO(body_of(template)))
    headers = [cell.value for cell in book["导入模板"][1] if cell.value]
    noted = [row[0] for row in book["填写说明"].iter_rows(min_row=2, values_only=True) if row[1]]
    if not headers or headers != noted:
        crawl.failures.append(f"{where}: {role}'s template has the columns {headers}, its notes {noted}")
