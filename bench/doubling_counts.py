"""Time the six-doubling counts (R17) on PostgreSQL: all six categories on a
date, by town, in one aggregate query, over 100,000 enterprises and 300,000
membership periods by default; then the progress page and the pipeline.

Usage: python bench/doubling_counts.py [--enterprises 100000] [--periods 300000]
       [--repeat 20] [--database-url postgres://…] [--rebuild]
The dataset is built once in the database ``liaison_bench_doubling`` and reused.
Figures are printed, never asserted.
"""

import datetime
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import (  # noqa: E402
    arguments,
    build_once,
    migrate,
    prepare,
    print_sizes,
    report,
    test_client,
    time_page,
    timed,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_bench_doubling"


def build(enterprise_count, period_count):
    """Enterprises spread over the real towns; each period a stretch of one
    category, periods of one enterprise and category one after another."""
    from django.core.management import call_command

    from cadres.demo import demo_credit_code
    from enterprises.models import Enterprise, Place
    from multiplication.models import Exchange, Membership, RevenueFigure, RevenueSource
    from multiplication.rules import Category, certificate_expiry

    rng = random.Random(7)
    call_command("loaddata", "places", "units", verbosity=0)
    places = list(Place.objects.all())
    Enterprise.objects.bulk_create(
        (
            Enterprise(
                name=f"桐乡市基准{n}有限公司",
                credit_code=demo_credit_code(30_000_000 + n),
                place=rng.choice(places),
            )
            for n in range(enterprise_count)
        ),
        batch_size=5000,
    )
    ids = list(Enterprise.objects.values_list("pk", flat=True))
    categories = list(Category)
    first = datetime.date(2010, 1, 1)
    span = (datetime.date(2026, 12, 31) - first).days
    periods, made, periods_seen = [], 0, set()
    while made < period_count:
        enterprise = rng.choice(ids)
        category = rng.choice(categories)
        start = first + datetime.timedelta(days=rng.randrange(span))
        # Chains of up to three consecutive periods, so (enterprise, category) never overlaps:
        # a chain claims the pair; later picks of the same pair are skipped.
        key = (enterprise, category)
        if key in periods_seen:
            continue
        periods_seen.add(key)
        for _ in range(rng.choice([1, 1, 2, 3])):
            if made >= period_count or start > datetime.date(2026, 12, 31):
                break
            membership = Membership(enterprise_id=enterprise, category=category, started_on=start)
            if category in (Category.ABOVE_SIZE, Category.BILLION):
                membership.statistics_year = start.year - 1
                membership.revenue = rng.randrange(2000, 50000)
                membership.revenue_source = RevenueSource.STATISTICS
            elif category == Category.FOREIGN:
                membership.approval_number = f"浙桐外资〔{start.year}〕{made}号"
            elif category == Category.HIGH_TECH:
                membership.certificate_number = f"GR{start.year}33{made:06d}"
                membership.certificate_issued_on = start
                membership.certificate_expires_on = certificate_expiry(start)
            elif category == Category.JOINT_STOCK:
                membership.converted_on = start
            else:
                membership.exchange, membership.stock_code, membership.listed_on = (
                    Exchange.SSE,
                    "603055",
                    start,
                )
            length = rng.randrange(200, 2000)
            end = start + datetime.timedelta(days=length)
            if category == Category.HIGH_TECH:
                end = min(end, membership.certificate_expires_on)
            membership.ended_on = None if rng.random() < 0.3 else end
            periods.append(membership)
            made += 1
            if membership.ended_on is None:
                break
            start = end + datetime.timedelta(days=rng.randrange(1, 400))
        if len(periods) >= 10_000:
            Membership.objects.bulk_create(periods)
            periods = []
    Membership.objects.bulk_create(periods)
    figures = [
        RevenueFigure(
            enterprise_id=pk, year=2025, revenue=rng.randrange(500, 30000), source=RevenueSource.STATISTICS
        )
        for pk in ids
    ]
    RevenueFigure.objects.bulk_create(figures, batch_size=10_000)


def main():
    args = arguments(
        __doc__, "BENCH_DOUBLING_DATABASE_URL", DEFAULT_URL, enterprises=100_000, periods=300_000, repeat=20
    ).parse_args()
    prepare(args.database_url, args.rebuild)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cadres.permissions import GROUP_NAMES, Role
    from enterprises.models import Enterprise
    from multiplication import selectors
    from multiplication.models import Membership

    migrate()
    build_once(lambda: build(args.enterprises, args.periods))
    print_sizes(enterprises=Enterprise, membership_periods=Membership)

    for day in (datetime.date(2026, 11, 26), datetime.date(2018, 6, 30)):
        with CaptureQueriesContext(connection) as captured:
            counts = selectors.counts_on(day, by_place=True)
        queries = len(captured)
        _, median, best = timed(lambda d=day: selectors.counts_on(d, by_place=True), args.repeat)
        total = sum(counts.values())
        report(
            f"six categories by town on {day} ({len(counts)} cells, {total} members, {queries} query)",
            median,
            best,
        )
    _, median, best = timed(lambda: selectors.counts_on(datetime.date(2026, 11, 26)), args.repeat)
    report("six categories, city totals", median, best)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    leader, _created = get_user_model().objects.get_or_create(username="bench-leader")
    leader.groups.add(Group.objects.get(name=GROUP_NAMES[Role.LEADER]))
    client = test_client(leader)
    for url in ("/doubling/", "/doubling/pipeline/?year=2025", "/doubling/high_tech/"):
        time_page(client, url, max(5, args.repeat // 4))


if __name__ == "__main__":
    main()
