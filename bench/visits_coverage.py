"""Time the city-wide coverage table for one quarter and one cadre's
我的联系企业, on PostgreSQL, with a dataset built by ``seed_demo``:
20,000 enterprises, about 60,000 pairings and 500,000 visits by default.

Usage: python bench/visits_coverage.py [--enterprises 20000] [--cadres 15000]
       [--links-per-cadre 4] [--visits 500000] [--database-url postgres://…] [--rebuild]
The dataset is built once in the database ``liaison_bench_visits`` and reused.
Figures are printed, never asserted.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import arguments, prepare, print_sizes, report, seed_once, test_client, time_page, timed  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_bench_visits"
#: the dataset's size, as options of ``seed_demo`` (and of this command)
SIZES = {"enterprises": 20_000, "cadres": 15_000, "links_per_cadre": 4, "visits": 500_000}


def main():
    args = arguments(__doc__, "BENCH_VISITS_DATABASE_URL", DEFAULT_URL, repeat=5, **SIZES).parse_args()
    prepare(args.database_url, args.rebuild)

    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.utils import timezone

    from cadres.models import Cadre, Pairing
    from enterprises.models import Enterprise
    from visits import selectors
    from visits.models import Visit
    from visits.quarters import Quarter

    seed_once(args, *SIZES)
    print_sizes(enterprises=Enterprise, cadres=Cadre, pairings=Pairing, visits=Visit)

    staff = get_user_model().objects.get(username="lianluoban")
    today = timezone.localdate()
    quarter = Quarter.of(today).previous()

    rows, median, best = timed(lambda: selectors.coverage(staff, quarter, "unit"), args.repeat)
    due = sum(r.due for r in rows)
    report(f"coverage by unit, {quarter} ({len(rows)} units, {due} pairings due)", median, best)
    rows, median, best = timed(lambda: selectors.coverage(staff, quarter, "place"), args.repeat)
    report(f"coverage by town, {quarter} ({len(rows)} towns)", median, best)

    client = test_client(staff)
    time_page(client, f"/coverage/?quarter={quarter}", args.repeat, about="both tables")

    # The cadre with the most pairings in force: the worst case of 我的联系企业.
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
    time_page(client, "/my/", args.repeat * 4, about=f"a cadre with {busiest['n']} pairings")
    _, median, best = timed(lambda: selectors.my_pairings(cadre, today), args.repeat * 4)
    report("its selector alone", median, best)


if __name__ == "__main__":
    main()
