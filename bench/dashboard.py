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

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import arguments, prepare, print_sizes, seed_once, test_client, time_page  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_bench_dashboard"
#: the dataset's size, as options of ``seed_demo`` (and of this command)
SIZES = {"enterprises": 100_000, "cadres": 50_000, "links_per_cadre": 4, "visits": 10**6, "issues": 100_000}


def main():
    args = arguments(__doc__, "BENCH_DASHBOARD_DATABASE_URL", DEFAULT_URL, repeat=20, **SIZES).parse_args()
    prepare(args.database_url, args.rebuild)

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from cadres.models import Cadre, Pairing
    from dashboards import figures
    from enterprises.models import Enterprise
    from issues.models import IssueItem
    from visits.models import Visit
    from visits.quarters import Quarter

    seed_once(args, *SIZES)
    print_sizes(enterprises=Enterprise, cadres=Cadre, pairings=Pairing, visits=Visit, items=IssueItem)

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
