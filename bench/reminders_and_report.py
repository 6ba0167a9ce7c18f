"""Time the reminder run and the quarterly report build on PostgreSQL, and
count their SQL queries, at two sizes: the counts must not grow with the
number of pairings. Full size: 30,000 cadres, 100,000 pairings, 400,000 visits,
50,000 issue-list items. Figures are printed, never asserted.

Usage: python bench/reminders_and_report.py [--scale 1.0] [--small-scale 0.1] [--rebuild]
Each size is built once (seed_demo's bulk path for the registry, visits and
items with their slips, timelines and history; bulk inserts for the cadres'
logins) in its own database and reused.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import drop_database, ensure_database, print_sizes, seed_demo  # noqa: E402

FULL = {"enterprises": 40_000, "cadres": 30_000, "links_per_cadre": 4, "visits": 400_000, "items": 50_000}


def build(size, seed=1):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from cadres.models import Cadre
    from cadres.permissions import GROUP_NAMES, Role

    sizes = {option: n for option, n in size.items() if option != "items"}
    seed_demo(**sizes, issues=size["items"], seed=seed)
    # Every cadre gets a login, so every reminder has a recipient.
    User = get_user_model()
    cadres = list(Cadre.objects.filter(user__isnull=True).values_list("pk", "mobile"))
    User.objects.bulk_create(
        [User(username=f"c{mobile}", email=f"c{mobile}@tx.gov.cn", password="!") for _pk, mobile in cadres],
        batch_size=5000,
    )
    users = dict(User.objects.filter(username__startswith="c1").values_list("username", "pk"))
    group = Group.objects.get(name=GROUP_NAMES[Role.CADRE])
    group.user_set.add(*users.values())
    updates = [Cadre(pk=pk, user_id=users[f"c{mobile}"]) for pk, mobile in cadres]
    Cadre.objects.bulk_update(updates, ["user"], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(label, url, size, rebuild):
    if rebuild:
        drop_database(url)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    import django
    from django.conf import settings

    if not settings.configured or not getattr(measure, "set_up", False):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxiang_liaison.settings")
        os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")
        os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        django.setup()
        measure.set_up = True
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext

    connections["default"].close()
    connections["default"].settings_dict.update(__import__("dj_database_url").parse(url))
    from django.core.management import call_command

    from cadres.models import Cadre, Pairing
    from enterprises.models import Enterprise
    from issues.models import IssueItem
    from jobs import reminders, report
    from jobs.models import Notice, ReminderLog
    from visits.models import Visit
    from visits.quarters import Quarter

    call_command("migrate", verbosity=0)
    if not Enterprise.objects.exists():
        started = time.perf_counter()
        build(size)
        print(f"[{label}] built in {time.perf_counter() - started:.0f} s")
    print_sizes(f"[{label}]", cadres=Cadre, pairings=Pairing, visits=Visit, items=IssueItem)
    day = Quarter.of(datetime.date.today()).last_day - datetime.timedelta(days=3)  # the d7 stage
    Notice.objects.all().delete()
    ReminderLog.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        messages = reminders.visit_messages(day)
        built = time.perf_counter() - started
    queries_build = len(captured)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        result = reminders.run(messages)
    sent = time.perf_counter() - started
    queries_send = len(captured)
    print(
        f"[{label}] reminders for {day}: {len(messages)} messages built in {built:.1f} s "
        f"({queries_build} queries), "
        f"claimed and sent {result.sent} in {sent:.1f} s ({queries_send} queries)"
    )
    quarter = Quarter.of(datetime.date.today()).previous()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        workbook = report.build_workbook(quarter)
        elapsed = time.perf_counter() - started
    rows = sum(ws.max_row for ws in workbook.worksheets)
    print(f"[{label}] report {quarter}: {elapsed:.1f} s, {len(captured)} queries, {rows} rows in 4 sheets")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--small-scale", type=float, default=0.1)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    for label, scale in (("small", args.small_scale), ("full", args.scale)):
        size = {k: int(v * scale) or 1 for k, v in FULL.items()}
        size["links_per_cadre"] = FULL["links_per_cadre"]
        url = f"postgres://postgres@127.0.0.1:5432/liaison_bench_jobs_{label}"
        measure(label, url, size, args.rebuild)


if __name__ == "__main__":
    main()
