"""Time the city-wide coverage table for one quarter and one cadre's
我的联系企业, on PostgreSQL, with a dataset built by ``seed_demo``:
20,000 enterprises, about 60,000 pairings and 500,000 visits by default.

Usage: python bench/visits_coverage.py [--enterprises 20000] [--cadres 15000]
       [--links-per-cadre 4] [--visits 500000] [--database-url postgres://…] [--rebuild]
The dataset is built once in the database ``liaison_bench_visits`` and reused.
Figures are printed, never asserted.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import prepare, report, seed_once, timed  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_bench_visits"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--cadres", type=int, default=15_000)
    parser.add_argument("--links-per-cadre", type=int, default=4)
    parser.add_argument("--visits", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_VISITS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    prepare(args.database_url, args.rebuild)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cadres.models import Cadre, Pairing
    from enterprises.models import Enterprise
    from visits import selectors
    from visits.models import Visit
    from visits.quarters import Quarter

    seed_once(
        enterprises=args.enterprises,
        cadres=args.cadres,
        links_per_cadre=args.links_per_cadre,
        visits=args.visits,
    )
    print(
        f"PostgreSQL {connection.pg_version // 10000}: {Enterprise.objects.count()} enterprises, "
        f"{Cadre.objects.count()} cadres, {Pairing.objects.count()} pairings, {Visit.objects.count()} visits"
    )

    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.get(username="lianluoban")
    today = timezone.localdate()
    quarter = Quarter.of(today).previous()

    rows, median, best = timed(lambda: selectors.coverage(staff, quarter, "unit"), args.repeat)
    due = sum(r.due for r in rows)
    report(f"coverage by unit, {quarter} ({len(rows)} units, {due} pairings due)", median, best)
    rows, median, best = timed(lambda: selectors.coverage(staff, quarter, "place"), args.repeat)
    report(f"coverage by town, {quarter} ({len(rows)} towns)", median, best)

    # As Django's TestCase does: keep one connection across test-client requests,
    # so the query log survives the end of each request.
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    client = Client()
    client.force_login(staff)
    url = f"/coverage/?quarter={quarter}"
    with CaptureQueriesContext(connection) as captured:
        client.get(url, HTTP_HOST="localhost")
    queries = len(captured)  # read now: the slice is taken lazily from the live log
    _, median, best = timed(lambda: client.get(url, HTTP_HOST="localhost"), args.repeat)
    report(f"GET {url} (both tables, {queries} queries)", median, best)

    # The cadre with the most pairings in force: the worst case of 我的联系企业.
    from django.db.models import Count

    busiest = (
        Pairing.objects.active_on(today)
        .values("cadre")
        .annotate(n=Count("pk"))
        .order_by("-n", "cadre")
        .first()
    )
    cadre = Cadre.objects.get(pk=busiest["cadre"])
    user = get_user_model().objects.get(username="ganbu")
    Cadre.objects.filter(user=user).update(user=None)
    cadre.user = user
    cadre.save(update_fields=["user"])
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/my/", HTTP_HOST="localhost")
    queries = len(captured)
    assert response.status_code == 200
    _, median, best = timed(lambda: client.get("/my/", HTTP_HOST="localhost"), args.repeat * 4)
    report(f"GET /my/ for a cadre with {busiest['n']} pairings ({queries} queries)", median, best)
    _, median, best = timed(lambda: selectors.my_pairings(cadre, today), args.repeat * 4)
    report("its selector alone", median, best)


if __name__ == "__main__":
    main()
