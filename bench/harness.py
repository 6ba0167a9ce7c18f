"""What the PostgreSQL benchmarks share: their command line, a database of
their own, built once and reused (or dropped with ``--rebuild``), Django set
up against it, the sizes it holds, a timer that reports the median and the
best of repeated runs, and the servers and workers a multi-process run starts."""

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def arguments(doc, url_variable, default_url, *, rebuild=True, **numbers):
    """The command line of a benchmark: the first line of its docstring as
    description, one option per keyword (``links_per_cadre=4`` is
    ``--links-per-cadre``, of the default's type), ``--database-url`` (the
    environment variable ``url_variable``, else ``default_url``) and, unless
    ``rebuild=False``, ``--rebuild``. Returns the parser, for further options."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, default in numbers.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    parser.add_argument("--database-url", default=os.environ.get(url_variable, default_url))
    if rebuild:
        parser.add_argument("--rebuild", action="store_true")
    return parser


def _server(url):
    """A connection to the maintenance database of ``url``'s server, in autocommit."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    admin = psycopg2.connect(
        dbname="postgres", user=config["USER"], host=config["HOST"], port=config["PORT"] or 5432
    )
    admin.autocommit = True
    return admin, config["NAME"]


def ensure_database(url):
    """Create the database of ``url`` unless it is there."""
    from psycopg2 import sql

    admin, name = _server(url)
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def drop_database(url):
    from psycopg2 import sql

    admin, name = _server(url)
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
    admin.close()


def prepare(url, rebuild=False):
    """Point Django at ``url`` (created if missing, dropped first on
    ``rebuild``) and set it up."""
    if rebuild:
        drop_database(url)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxiang_liaison.settings")
    os.environ.setdefault("STATIC_ROOT", "/tmp/liaison-bench-static")
    import django

    django.setup()


def migrate(*fixtures, static=True):
    """Migrate, collect the static files (the pages render with DEBUG off)
    unless ``static=False``, and load ``fixtures`` (``"places"``, ``"units"``)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if static:
        call_command("collectstatic", "--noinput", verbosity=0)
    if fixtures:
        call_command("loaddata", *fixtures, verbosity=0)


def build_once(build, label="built the dataset"):
    """Run ``build()`` unless the database holds enterprises already, then
    ANALYZE and print how long it took."""
    from django.db import connection

    from enterprises.models import Enterprise

    if Enterprise.objects.exists():
        return
    started = time.perf_counter()
    build()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{label} in {time.perf_counter() - started:.0f} s")


def seed_demo(**options):
    """``seed_demo`` with ``options``, seed 1 and its bulk path by default,
    its output kept quiet."""
    from django.core.management import call_command

    options.setdefault("seed", 1)
    options.setdefault("path", "bulk")
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", verbosity=0, stdout=quiet, **options)


def seed_once(args, *names):
    """Migrate, then build the demo dataset with ``seed_demo`` unless the
    database has one, its sizes the options ``names`` of ``args``."""
    migrate()
    build_once(lambda: seed_demo(**{name: getattr(args, name) for name in names}))


def print_sizes(prefix=None, **models):
    """One line of row counts, ``enterprises=Enterprise`` → "1000 enterprises",
    after ``prefix`` (the PostgreSQL version by default)."""
    from django.db import connection

    if prefix is None:
        prefix = f"PostgreSQL {connection.pg_version // 10000}:"
    sizes = ", ".join(f"{model.objects.count()} {label.replace('_', ' ')}" for label, model in models.items())
    print(f"{prefix} {sizes}")


def empty_enterprises():
    """No enterprise and no pairing left, numbering from 1 again: an import starts afresh."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cadres_pairing, enterprises_enterprise RESTART IDENTITY CASCADE")


def cadres_with_logins(count=3):
    """``count`` cadres with an email, a login and a pairing each (what a
    reminder run needs to send something)."""
    from tests.factories import CadreFactory, PairingFactory, user_with_role

    for n in range(count):
        cadre = CadreFactory(email=f"cadre{n}@example.com")
        user_with_role("cadre", cadre=cadre)
        PairingFactory(cadre=cadre)


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times), min(times)


def report(label, median, best, width=62):
    print(f"  {label:<{width}} median {median * 1000:6.1f} ms  best {best * 1000:6.1f} ms")


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


def time_page(client, url, repeat, about=""):
    """Query count of one request, then the median and best of ``repeat``;
    ``about`` says more of the page in the printed line."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, HTTP_HOST="localhost")
    queries = len(captured)  # read now: the slice is taken lazily from the live log
    assert response.status_code == 200, (url, response.status_code)
    _, median, best = timed(lambda: client.get(url, HTTP_HOST="localhost"), repeat)
    report(f"GET {url} ({about}{', ' if about else ''}{queries} queries)", median, best)


# -- processes of a multi-host run ---------------------------------------------


def check(label, ok, detail=""):
    """Print an outcome, ``[OK]`` or ``[FAIL]``, and return it."""
    print(f"  [{'OK' if ok else 'FAIL'}] {label}{': ' + detail if detail else ''}")
    return ok


def server_environment(**settings):
    """The environment of a production-like process on loopback: no DEBUG,
    cookies over plain HTTP, ``settings`` on top of this process's."""
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "SECURE_COOKIES": "0", **settings}
    env.pop("DEBUG", None)
    return env


def gunicorn(port, env, workers=1):
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tongxiang_liaison.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env,
    )  # fmt: skip


def celery(env, *arguments):
    """``celery -A tongxiang_liaison`` with ``arguments`` (``"worker", …`` or ``"beat", …``)."""
    command = [sys.executable, "-m", "celery", "-A", "tongxiang_liaison", *arguments, "--loglevel", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_until_up(base, tries=60):
    """Wait (up to ``tries`` half-seconds) for ``base``'s /healthz to answer."""
    for _ in range(tries):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
