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


def seed_once(**options):
    """Build the demo dataset with ``seed_demo`` (its bulk path) unless the
    database has one."""
    from django.core.management import call_command
    from django.db import connection

    from enterprises.models import Enterprise

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    if Enterprise.objects.exists():
        return
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", seed=1, path="bulk", verbosity=0, stdout=quiet, **options)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"built the dataset in {time.perf_counter() - started:.0f} s")


def test_client(user):
    """A logged-in test client whose connection (and query log) outlives
    each request, as in Django's TestCase."""
    from django.core.signals import request_finished
    from django.db import close_old_connections
    from django.test import Client

    request_finished.disconnect(close_old_connections)
    client = Client()
    client.force_login(user)
    return client


def time_page(client, url, repeat):
    """Query count of one request, then the median and best of ``repeat``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_HOST="localhost")
    queries = len(captured)
    assert response.status_code == 200, (url, response.status_code)
    _, median, best = timed(lambda: client.get(url, HTTP_HOST="localhost"), repeat)
    report(f"GET {url} ({queries} queries)", median, best)
