"""Load on loopback, bounded in time: gunicorn with PostgreSQL on this
machine, 50 simulated cadres filing feedback forms and 10 leaders reading
dashboards for 2 minutes, on the city-sized dataset of ``bench/dashboard.py``
(``seed_demo``: 100,000 enterprises, ~200,000 pairings, 1,000,000 visits).

Each simulated user is a thread with its own session, logging in through the
login page like a browser. A cadre opens 我的联系企业, opens the form of one
of their pairings and submits it (about one in four with a problem); a leader
opens the dashboard, last quarter's, and a unit's page. Prints requests per
second, p50/p95/p99 by page and errors; asserts nothing.

Usage: python bench/load.py [--cadres 50] [--leaders 10] [--seconds 120]
       [--workers 4] [--port 8077] [--database-url postgres://…]
"""

import datetime
import html
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from http.cookiejar import CookieJar
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import arguments, gunicorn, migrate, prepare, server_environment, wait_until_up  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_bench_dashboard"
PASSWORD = "load-test-only-password"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_LINK = re.compile(r'href="(/visits/new/\d+/)"')
UNIT_LINK = re.compile(r'href="(/dashboard/unit/\d+/\?quarter=[^"&]+)')


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)  # page → [(started at, seconds)]
        self.errors = defaultdict(int)

    def add(self, page, seconds, error=None):
        with self.lock:
            self.times[page].append((time.perf_counter() - seconds, seconds))
            if error:
                self.errors[f"{page}: {error}"] += 1


class User:
    """A browser: a cookie jar, the CSRF token of the last page, timings."""

    def __init__(self, base, recorder):
        self.base, self.recorder = base, recorder
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def request(self, page, path, data=None):
        body = None if data is None else urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=30) as response:
                text = response.read().decode("utf-8", "replace")
                status = response.status
        except urllib.error.HTTPError as exc:
            self.recorder.add(page, time.perf_counter() - started, f"HTTP {exc.code}")
            return None
        except OSError as exc:
            self.recorder.add(page, time.perf_counter() - started, type(exc).__name__)
            return None
        self.recorder.add(page, time.perf_counter() - started, None if status < 400 else f"HTTP {status}")
        return text

    def login(self, username):
        page = self.request("login (GET)", "/login/")
        token = CSRF.search(page or "")
        if not token:
            return False
        after = self.request(
            "login (POST)",
            "/login/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD, "next": "/"},
        )
        return after is not None and "退出" in after


def cadre_loop(user, username, stop, rng, think):
    if not user.login(username):
        user.recorder.add("login (POST)", 0, "login failed")
        return
    while not stop.is_set():
        page = user.request("我的联系企业", "/my/")
        links = FORM_LINK.findall(page or "")
        if not links:
            time.sleep(1)
            continue
        path = rng.choice(links)
        form = user.request("反馈表 (GET)", path)
        token = CSRF.search(form or "")
        if not token:
            continue
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "visit_date": datetime.datetime.now(SHANGHAI).date().isoformat(),
            "mode": "onsite",
            "met_head": "on",
            "situation": "订单平稳，产能利用率约八成。",
            "sales": str(rng.randint(500, 30000)),
            "problems-TOTAL_FORMS": "1",
            "problems-INITIAL_FORMS": "0",
            "problems-MIN_NUM_FORMS": "0",
            "problems-MAX_NUM_FORMS": "1000",
            "problems-0-category": "",
            "problems-0-description": "",
            "action": "submit",
        }
        if rng.random() < 0.25:
            data["problems-0-category"] = "labour"
            data["problems-0-description"] = "一线操作工招工难。"
        user.request("反馈表 (POST 提交)", path, data)
        time.sleep(rng.uniform(*think))  # reading, typing


def leader_loop(user, username, quarter, previous, stop, rng, think):
    if not user.login(username):
        user.recorder.add("login (POST)", 0, "login failed")
        return
    while not stop.is_set():
        page = user.request("看板", f"/dashboard/?quarter={quarter}")
        user.request("看板（上季度）", f"/dashboard/?quarter={previous}")
        units = UNIT_LINK.findall(page or "")
        if units:
            user.request("单位看板", html.unescape(rng.choice(units)))
        time.sleep(rng.uniform(*think))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def accounts(cadre_count, leader_count):
    """Logins for cadres with a pairing due a visit and for leaders."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from cadres.models import Cadre, Pairing
    from cadres.permissions import GROUP_NAMES, Role

    User = get_user_model()
    today = timezone.localdate()
    Cadre.objects.filter(user__username__startswith="load-cadre-").update(user=None)  # safe to run twice
    cadre_ids = list(
        Pairing.objects.active_on(today)
        .filter(cadre__user__isnull=True, cadre__is_active=True, cadre__rank=Cadre.Rank.MIDDLE)
        .order_by("cadre_id")
        .values_list("cadre_id", flat=True)
        .distinct()[:cadre_count]
    )
    names = []
    for role, ids, prefix in (
        (Role.CADRE, cadre_ids, "load-cadre"),
        (Role.LEADER, range(leader_count), "load-leader"),
    ):
        group = Group.objects.get(name=GROUP_NAMES[role])
        for n, cadre_id in enumerate(ids):
            user, _created = User.objects.get_or_create(username=f"{prefix}-{n}")
            user.set_password(PASSWORD)
            user.save()
            user.groups.add(group)
            if role == Role.CADRE:
                Cadre.objects.filter(pk=cadre_id).update(user=user)
            names.append((role, user.username))
    return names


def main():
    parser = arguments(
        __doc__, "BENCH_LOAD_DATABASE_URL", DEFAULT_URL, rebuild=False,
        cadres=50, leaders=10, seconds=120, workers=4, port=8077,
    )  # fmt: skip
    parser.add_argument("--ramp", type=int, default=30, help="seconds over which the users arrive")
    parser.add_argument(
        "--think",
        default="0.5,2",
        help="seconds a user pauses after each round of pages, min,max (default 0.5,2: a stress run)",
    )
    args = parser.parse_args()
    prepare(args.database_url)

    from django.utils import timezone

    from cadres.permissions import Role
    from dashboards import figures
    from enterprises.models import Enterprise
    from visits.quarters import Quarter

    if not Enterprise.objects.exists():
        sys.exit("The database has no data: run bench/dashboard.py first (it builds the city-sized dataset).")
    migrate()
    quarter = Quarter.of(timezone.localdate())
    figures.build(quarter)
    figures.build(quarter.previous())
    users = accounts(args.cadres, args.leaders)
    think = tuple(float(part) for part in args.think.split(","))

    env = server_environment(SECRET_KEY="load-test-only-secret-key")  # DATABASE_URL, STATIC_ROOT: prepare's
    env.pop("CELERY_BROKER_URL", None)  # tasks run in-process: no worker to start here
    server = gunicorn(args.port, env, workers=args.workers)
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_until_up(base)
        recorder, stop = Recorder(), threading.Event()
        threads = []
        for n, (role, username) in enumerate(users):
            rng = random.Random(n)
            user = User(base, recorder)
            if role == Role.CADRE:
                target, extra = cadre_loop, ()
            else:
                target, extra = leader_loop, (quarter.label, quarter.previous().label)
            threads.append(
                threading.Thread(target=target, args=(user, username, *extra, stop, rng, think), daemon=True)
            )
        started = time.perf_counter()
        for thread in threads:  # users arrive over the ramp-up, as locust spawns them
            thread.start()
            time.sleep(args.ramp / len(threads))
        time.sleep(max(0, args.seconds - args.ramp))
        stop.set()
        for thread in threads:
            thread.join(timeout=35)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    errors = sum(recorder.errors.values())
    cadres = sum(1 for role, _ in users if role == Role.CADRE)
    print(
        f"{cadres} cadres and {len(users) - cadres} leaders for {elapsed:.0f} s against gunicorn "
        f"({args.workers} workers) and PostgreSQL on loopback, arriving over {args.ramp} s, "
        f"pausing {args.think} s between rounds; errors {errors}"
    )
    steady_from = started + args.ramp
    for label, keep in (("whole run", lambda at: True), ("after the ramp-up", lambda at: at >= steady_from)):
        every = [s for times in recorder.times.values() for at, s in times if keep(at)]
        span = elapsed if label == "whole run" else elapsed - args.ramp
        if every:
            print(
                f"  {label}: {len(every)} requests, {len(every) / span:.1f} req/s, "
                f"p50 {percentile(every, 0.5) * 1000:.0f} ms, p95 {percentile(every, 0.95) * 1000:.0f} ms, "
                f"p99 {percentile(every, 0.99) * 1000:.0f} ms"
            )
    for page, entries in sorted(recorder.times.items()):
        times = [s for _at, s in entries]
        print(
            f"  {page:<22} {len(times):6d}  p50 {statistics.median(times) * 1000:6.0f} ms  "
            f"p95 {percentile(times, 0.95) * 1000:6.0f} ms  p99 {percentile(times, 0.99) * 1000:6.0f} ms"
        )
    for error, count in sorted(recorder.errors.items()):
        print(f"  error: {error} ×{count}")


if __name__ == "__main__":
    main()
