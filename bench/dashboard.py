"""Time the leaders' dashboard on PostgreSQL at city scale: 100,000
enterprises, about 200,000 pairings, 1,000,000 visits and 100,000 items by
default, built once by ``seed_demo`` (which also counts the dashboard's cells
for the last 8 quarters). Prints the time to count one quarter's cells, and
the server time of the dashboard (median of 20 requests through the test
client) with its query count, city-wide and for one unit.

Usage: python bench/dashboard.py [--enterprises 100000] [--cadres 50000]
       [--links-per-cadre 4] [--visits 1000000] [--issues 100000]
       [--repeat 20] [--database-url postgres://…] [--rebuild]
Figures are printed, never asserted.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import prepare, seed_once, test_client, time_page  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_bench_dashboard"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--links-per-cadre", type=int, default=4)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DASHBOARD_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    prepare(args.database_url, args.rebuild)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from cadres.models import Cadre, Pairing
    from dashboards import figures
    from enterprises.models import Enterprise
    from issues.models import IssueItem
    from visits.models import Visit
    from visits.quarters import Quarter

    seed_once(
        enterprises=args.enterprises,
        cadres=args.cadres,
        links_per_cadre=args.links_per_cadre,
        visits=args.visits,
        issues=args.issues,
    )
    print(
        f"PostgreSQL {connection.pg_version // 10000}: {Enterprise.objects.count()} enterprises, "
        f"{Cadre.objects.count()} cadres, {Pairing.objects.count()} pairings, "
        f"{Visit.objects.count()} visits, {IssueItem.objects.count()} items"
    )

    quarter = Quarter.of(timezone.localdate())
    started = time.perf_counter()
    figures.build(quarter)
    print(f"  counting {quarter}'s cells (the scheduled job's work): {time.perf_counter() - started:.1f} s")

    client = test_client(get_user_model().objects.get(username="lingdao"))
    busiest = Pairing.objects.values("cadre__unit").order_by("cadre__unit").first()["cadre__unit"]
    for url in (f"/dashboard/?quarter={quarter}", f"/dashboard/unit/{busiest}/?quarter={quarter}"):
        time_page(client, url, args.repeat)


if __name__ == "__main__":
    main()
