"""What the PostgreSQL benchmarks share: a database of their own, built once
and reused (or dropped with ``--rebuild``), Django set up against it, and a
timer that reports the median and the best of repeated runs."""

import os
import statistics
import time

from import_enterprises import ensure_database


def prepare(url, rebuild=False):
    """Point Django at ``url`` (created if missing, dropped first on
    ``rebuild``) and set it up."""
    if rebuild:
        import dj_database_url
        import psycopg2

        config = dj_database_url.parse(url)
        admin = psycopg2.connect(dbname="postgres", user=config["USER"], host=config["HOST"])
        admin.autocommit = True
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
        admin.close()
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxiang_liaison.settings")
    os.environ.setdefault("STATIC_ROOT", "/tmp/liaison-bench-static")
    import django

    django.setup()


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times), min(times)


def report(label, median, best, width=62):
    print(f"  {label:<{width}} median {median * 1000:6.1f} ms  best {best * 1000:6.1f} ms")
