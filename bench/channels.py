"""A reminder run by channel on PostgreSQL, with the units' group digests off
and on: messages sent per channel, seconds and SQL queries.

The dataset is bench/jobs.py's (seed_demo for the registry and the visits,
bulk inserts for the logins; built once in its own database and reused):
30,000 cadres with about 100,000 pairings at full scale. Every message goes
over real HTTP to receivers on loopback (tests/receivers.py: a DingTalk
robot checking each signature, a WeCom robot, the SMS gateway); email to
Django's in-memory backend. A third of the cadres prefer SMS, then email.

Run 1, digests off: no unit has a robot; every cadre with an unvisited
pairing is told by their own channel. Run 2, digests on: every unit has a
group robot (DingTalk and WeCom in turn, markdown) that replaces its cadres'
own visit reminders: one message per unit. Both runs are the d7 stage of the
quarter in progress (cadres, the units' officers, and the groups), from an
empty reminder log. Figures are printed, never asserted.

Usage: python bench/channels.py [--scale 1.0] [--rebuild]
"""

import argparse
import datetime
import importlib.util
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from harness import prepare  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_bench_channels"


def bench_jobs():
    """bench/jobs.py's dataset builder (loaded by path: ``jobs`` is also the app)."""
    spec = importlib.util.spec_from_file_location("bench_jobs", ROOT / "bench" / "jobs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Counted:
    """Counts the statements run inside (Django's query log keeps only 9,000)."""

    def __init__(self):
        from django.db import connection

        self.connection, self.count = connection, 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self.wrapper = self.connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)


def run(label, day):
    from django.core import mail

    from jobs import reminders
    from jobs.models import ChannelDelivery, Notice, ReminderLog, SmsLog

    Notice.objects.all().delete()
    ReminderLog.objects.all().delete()
    SmsLog.objects.all().delete()
    mail.outbox = []
    with Counted() as counted:
        started = time.perf_counter()
        messages = reminders.visit_messages(day)
        built = time.perf_counter() - started
    queries_build = counted.count
    with Counted() as counted:
        started = time.perf_counter()
        result = reminders.run(messages)
        sent = time.perf_counter() - started
    kinds = Counter(m.kind for m in messages)
    in_app = ReminderLog.objects.filter(status="sent").exclude(deliveries__isnull=False).count()
    print(f"[{label}] {len(messages)} messages for {day} ({dict(sorted(kinds.items()))})")
    print(f"[{label}]   built in {built:.1f} s, {queries_build} queries")
    print(
        f"[{label}]   claimed {result.claimed}, delivered {result.sent} in {sent:.1f} s, "
        f"{counted.count} queries ({counted.count / max(result.claimed, 1):.2f} a message)"
    )
    print(f"[{label}]   sent by channel: {result.channels}; in the app only: {in_app}; "
          f"failed {result.failed}, held by a robot's rate {result.deferred}")  # fmt: skip
    rows = Counter(ChannelDelivery.objects.values_list("status", flat=True))
    print(f"[{label}]   delivery rows: {dict(rows)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_CHANNELS_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["SMS_BACKEND"] = "http"
    os.environ["SMS_HTTP_URL"] = "http://127.0.0.1:9/sms/send"  # replaced below, once the gateway listens
    prepare(args.database_url, rebuild=args.rebuild)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from cadres.models import Cadre, Pairing, Unit
    from enterprises.models import Enterprise
    from jobs import services
    from jobs.models import ChannelPreference, UnitRobot
    from tests.receivers import DingTalkReceiver, SmsGatewayReceiver, WeComReceiver
    from visits.quarters import Quarter

    builder = bench_jobs()
    call_command("migrate", verbosity=0)
    if not Enterprise.objects.exists():
        size = {k: int(v * args.scale) or 1 for k, v in builder.FULL.items()}
        size["links"] = builder.FULL["links"]
        started = time.perf_counter()
        builder.build(size)
        print(f"built the dataset in {time.perf_counter() - started:.0f} s")
    print(f"{Cadre.objects.count()} cadres, {Pairing.objects.count()} pairings, {Unit.objects.count()} units")

    dingtalk, wecom, gateway = (
        DingTalkReceiver().start(),
        WeComReceiver().start(),
        SmsGatewayReceiver().start(),
    )
    settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN = gateway.url(), gateway.token
    try:
        UnitRobot.objects.all().delete()
        ChannelPreference.objects.all().delete()
        users = list(
            Cadre.objects.filter(user__isnull=False).order_by("pk").values_list("user_id", flat=True)
        )
        ChannelPreference.objects.bulk_create(
            [ChannelPreference(user_id=pk, channels="sms,email") for pk in users[::3]], batch_size=5000
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        day = Quarter.of(datetime.date.today()).last_day - datetime.timedelta(days=3)  # the d7 stage
        run("digests off", day)
        for n, unit in enumerate(Unit.objects.order_by("pk")):  # a robot each, with its own token and rate
            if n % 2 == 0:
                robot, secret = (
                    UnitRobot(unit=unit, name=f"{unit.name}联企群", channel="dingtalk"),
                    f"SEC{n:04d}",
                )
                webhook = dingtalk.add(f"dt-{n}", secret)
            else:
                robot, secret = UnitRobot(unit=unit, name=f"{unit.name}联企群", channel="wecom"), ""
                webhook = wecom.add(f"wc-{n}")
            services.save_robot(robot, webhook=webhook, secret=secret)
        run("digests on", day)
        print(
            f"receivers: DingTalk {len(dingtalk.accepted)}/{len(dingtalk.requests)} taken, "
            f"WeCom {len(wecom.accepted)}/{len(wecom.requests)}, "
            f"SMS {len(gateway.accepted)}/{len(gateway.requests)}"
        )
    finally:
        for receiver in (dingtalk, wecom, gateway):
            receiver.stop()


if __name__ == "__main__":
    main()
