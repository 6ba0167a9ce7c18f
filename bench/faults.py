"""Faults with PostgreSQL and Redis real, on this machine: a Celery worker
killed (SIGKILL) in the middle of the report build and of the reminder run,
and the broker stopped while people work.

It checks, and prints, that:
- the report task taken by a killed worker is redone by another worker, and
  exactly one report is published (no half file, no second row);
- the reminder run of a killed worker sends nothing twice: what it sent stays
  sent, what it had not reached is sent by the retry;
- a unit's group robot that is down: its digest waits (retried with
  back-off) and, the robot back, reaches it once; a robot that stays down
  gives way to the next channel (the unit's officer, by email) after its
  retries;
- with Redis stopped the pages keep working, /healthz says which dependency
  failed, and a report asked for is kept (no error page); a scheduled run
  falling due is kept by the beat; when Redis is back both go out, once.

It runs its own Redis on port 6390 (stopped and started here) and its own
database. The "slow" worker is the app's worker with its report writing and
its mail sending slowed down, so the kill lands in the middle.

Usage: python bench/faults.py [--database-url postgres://…]
"""

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import arguments, cadres_with_logins, celery, check, migrate, prepare  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_faults"
REDIS_PORT = 6390
SLOW_WORKER = """
import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxiang_liaison.settings")
django.setup()
from django.core.mail import EmailMessage
from jobs import report
mark = os.environ["FAULT_MARK"]
write_workbook, send = report.workbook_bytes, EmailMessage.send
def slow_workbook(*args, **kwargs):
    open(mark + ".report", "w").close()
    time.sleep(60)
    return write_workbook(*args, **kwargs)
def slow_send(self, *args, **kwargs):
    if os.path.exists(mark + ".sent"):
        time.sleep(60)  # the kill lands here, before the second email
    result = send(self, *args, **kwargs)
    with open(mark + ".sent", "a") as f:
        f.write(self.to[0] + "\\n")
    return result
report.workbook_bytes, EmailMessage.send = slow_workbook, slow_send
from tongxiang_liaison.celery import app
app.worker_main(["worker", "--pool", "solo", "-n", "slow@%h", "--loglevel", "warning"])
"""


def wait_for(condition, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def emails_to(work, address):
    """How many emails the file-based mail backend wrote to ``address``."""
    mail = "".join(p.read_text(errors="replace") for p in (work / "mail").glob("*"))
    return mail.count(f"To: {address}")


def redis(action):
    if action == "start":
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(REDIS_PORT),
             "--save", "", "--appendonly", "no"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(
            lambda: (
                subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).returncode
                == 0
            ),
            10,
        )
    else:
        subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], capture_output=True)


def robot_down_and_back(work, tasks):
    """Two units with a DingTalk robot each (receivers on loopback, in this
    process): the first is down when the run sends its digest and comes back
    on the same port; the second never answers. The workers are real; the
    retry is sent as the beat's every-5-minutes entry would send it."""
    from jobs import services
    from jobs.models import ReminderLog, UnitRobot
    from tests.factories import CadreFactory, PairingFactory, unit_with_officer, user_with_role
    from tests.receivers import DingTalkReceiver

    results = []
    back_later, never = DingTalkReceiver().start(), DingTalkReceiver().start()
    port = back_later.port
    back_later.stop()  # both down before their robots exist: the beat's run may come at any moment
    never.stop()
    units = [
        unit_with_officer("市经信局", username="officer1", email="officer1@example.com")[0],
        unit_with_officer("市商务局", username="officer2", email="officer2@example.com")[0],
    ]
    for unit, receiver in zip(units, (back_later, never), strict=True):
        services.save_robot(
            UnitRobot(unit=unit, name=f"{unit.name}群", channel="dingtalk"),
            webhook=receiver.webhook,
            secret=receiver.secret,
        )
        for n in range(2):
            cadre = CadreFactory(unit=unit, email=f"{unit.pk}-{n}@example.com")
            user_with_role("cadre", cadre=cadre)
            PairingFactory(cadre=cadre)
    tasks.send_overdue_visit_reminders.delay("2026-12-01")
    digest = ReminderLog.objects.filter(kind="visit_group", unit=units[0])
    tried = wait_for(
        lambda: digest.filter(deliveries__channel="dingtalk", deliveries__attempts__gte=1).exists(), 60
    )
    row = digest.first().deliveries.get(channel="dingtalk") if tried else None
    results.append(
        check(
            "the digest to the robot that is down is kept for a retry",
            tried and row.status in ("pending", "sending") and "无法连接" in row.last_error,
            f"{row.status if row else '-'}, {row.last_error[:40] if row else ''}",
        )
    )
    back = DingTalkReceiver(port=port).start()
    try:

        def settled():
            tasks.retry_failed_reminders.delay()
            time.sleep(2)
            states = set(ReminderLog.objects.filter(kind="visit_group").values_list("status", flat=True))
            return states == {"sent"}

        done = wait_for(settled, 90)
        time.sleep(4)
        tasks.retry_failed_reminders.delay()
        tasks.send_overdue_visit_reminders.delay("2026-12-01")
        time.sleep(6)
        first = ReminderLog.objects.get(kind="visit_group", unit=units[0])
        second = ReminderLog.objects.get(kind="visit_group", unit=units[1])
        results.append(
            check(
                "the robot, back, gets the digest once",
                done and len(back.accepted) == 1,
                f"{len(back.accepted)} request(s); {[d.status for d in first.deliveries.all()]}",
            )
        )
        chain = [(d.channel, d.status, d.attempts) for d in second.deliveries.order_by("position")]
        results.append(
            check(
                "the robot that stays down gives way to the officer's email, once",
                chain[0][:2] == ("dingtalk", "failed")
                and chain[1][:2] == ("email", "sent")
                and emails_to(work, "officer2@example.com") == 1,
                f"{chain}",
            )
        )
        results.append(
            check(
                "the cadres of both units were told in the app only",
                all(emails_to(work, f"{u.pk}-{n}@example.com") == 0 for u in units for n in range(2)),
            )
        )
    finally:
        back.stop()
    return results


def main():
    args = arguments(__doc__, "BENCH_FAULTS_DATABASE_URL", DEFAULT_URL, rebuild=False).parse_args()
    work = Path(tempfile.mkdtemp(prefix="liaison-faults-"))
    os.environ.update(
        MEDIA_ROOT=str(work / "media"),
        CELERY_BROKER_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
        CELERY_VISIBILITY_TIMEOUT="5",  # a killed worker's task is handed on after 5 s, not an hour
        STALE_SENDING_MINUTES="0",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(work / "mail"),
        CHANNEL_RETRY_SECONDS="2,2",  # a failing channel: 3 tries over ~4 s, then the next one
        FAULT_MARK=str(work / "mark"),
        SECRET_KEY="faults-only-secret-key",
    )
    os.environ.pop("DEBUG", None)
    redis("start")
    prepare(args.database_url, rebuild=True)

    from django.test import Client

    from jobs.models import QuarterlyReport, ReminderLog
    from tests.factories import CadreFactory, PairingFactory, user_with_role

    migrate("places", "units")
    cadres_with_logins(3)
    for n in range(2):
        user_with_role("leader", username=f"leader{n}")
    staff = user_with_role("liaison_staff", username="office", staff=True)
    (work / "slow_worker.py").write_text(textwrap.dedent(SLOW_WORKER))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def start(slow):
        if slow:
            return subprocess.Popen([sys.executable, str(work / "slow_worker.py")], cwd=ROOT, env=env)
        return celery(env, "worker", "--pool", "solo", "-n", "w@%h")

    from jobs import tasks

    results, workers = [], []
    try:
        print("A worker killed in the middle of the report build:")
        slow = start(slow=True)
        tasks.build_quarterly_report.delay("2026Q3")
        started = wait_for(lambda: Path(os.environ["FAULT_MARK"] + ".report").exists(), 60)
        slow.send_signal(signal.SIGKILL)
        slow.wait()
        reports_dir = work / "media" / "reports"
        results.append(check("the build had begun when the worker was killed", started))
        results.append(
            check(
                "nothing is published by the killed worker",
                not QuarterlyReport.objects.exists() and not list(reports_dir.glob("*.xlsx")),
            )
        )
        workers.append(start(slow=False))
        redone = wait_for(lambda: QuarterlyReport.objects.exists(), 180)
        time.sleep(3)
        files = list(reports_dir.glob("*.xlsx"))
        results.append(
            check(
                "another worker redoes it: one report, one file",
                redone and QuarterlyReport.objects.count() == 1 and len(files) == 1,
                f"{QuarterlyReport.objects.count()} row(s), {len(files)} file(s)",
            )
        )
        for worker in workers:
            worker.terminate()
            worker.wait()
        workers.clear()

        print("A worker killed in the middle of the reminder run:")
        slow = start(slow=True)
        tasks.send_overdue_visit_reminders.delay("2026-12-01")
        sent_mark = Path(os.environ["FAULT_MARK"] + ".sent")
        wait_for(sent_mark.exists, 60)
        time.sleep(2)  # the first email is marked sent; the worker waits before the second
        slow.send_signal(signal.SIGKILL)
        slow.wait()
        states = sorted(ReminderLog.objects.filter(kind="visit").values_list("status", flat=True))
        results.append(
            check("killed after the first email", states == ["sending", "sending", "sent"], f"{states}")
        )
        workers.append(start(slow=False))
        time.sleep(8)  # the redelivered task runs and claims nothing new
        tasks.retry_failed_reminders.delay()
        done = wait_for(lambda: ReminderLog.objects.filter(kind="visit", status="sent").count() == 3, 120)
        counts = [emails_to(work, f"cadre{n}@example.com") for n in range(3)]
        results.append(
            check("each cadre gets the reminder once", done and counts == [1, 1, 1], f"emails {counts}")
        )

        print("Redis stopped while people work and the beat runs:")
        from django_celery_beat.models import IntervalSchedule, PeriodicTask

        from jobs.models import PendingTask

        PeriodicTask.objects.create(
            name="bench: reminders every 5 s",
            task="jobs.send_overdue_visit_reminders",
            args='["2026-12-01"]',
            interval=IntervalSchedule.objects.create(every=5, period="seconds"),
        )
        beat = celery(env, "beat")
        workers.append(beat)
        time.sleep(8)  # the beat connects and sends its first runs while Redis is up
        redis("stop")
        client = Client()
        client.force_login(staff)
        dashboard = client.get("/dashboard/", HTTP_HOST="localhost")
        health = client.get("/healthz", HTTP_HOST="localhost")
        asked = client.post("/reports/", {"quarter": "2026Q3"}, HTTP_HOST="localhost", follow=True)
        results.append(check("the dashboard answers", dashboard.status_code == 200))
        results.append(
            check(
                "/healthz names the broker",
                health.status_code == 503 and health.json()["checks"]["broker"]["ok"] is False,
                str(health.json()["checks"]),
            )
        )
        results.append(
            check(
                "asking for a report says it is kept until the queue is back",
                asked.status_code == 200 and "已记下，恢复后自动生成" in asked.content.decode(),
            )
        )
        late = CadreFactory(email="late@example.com")
        user_with_role("cadre", cadre=late)
        PairingFactory(cadre=late)
        kept = wait_for(
            lambda: PendingTask.objects.filter(task=tasks.send_overdue_visit_reminders.name).exists(), 30
        )
        pending = sorted(PendingTask.objects.values_list("task", flat=True))
        results.append(
            check("the runs falling due are kept, once each", kept and len(pending) == 2, f"{pending}")
        )
        reports_before = QuarterlyReport.objects.count()
        down_for = time.time()
        redis("start")
        caught_up = wait_for(
            lambda: (
                not PendingTask.objects.exists()
                and ReminderLog.objects.filter(recipient=late.user, status="sent").exists()
                and QuarterlyReport.objects.count() > reports_before
            ),
            120,
        )
        built = QuarterlyReport.objects.count() - reports_before
        results.append(
            check(
                "when Redis is back the kept run and the kept report go out, once",
                caught_up and ReminderLog.objects.filter(recipient=late.user).count() == 1,
                f"in {time.time() - down_for:.1f} s; {built} report(s) built",
            )
        )
        time.sleep(6)  # the beat's next runs: nothing new to send
        late_emails = emails_to(work, "late@example.com")
        results.append(check("the late cadre got one email", late_emails == 1, f"{late_emails}"))

        # Last: a worker holding a retry due later (an ETA message) does not
        # survive a Redis outage (kombu's restore of unacknowledged messages
        # fails), so this case runs after the outage above.
        print("A group robot down, then back; another that stays down (the beat still running):")
        results += robot_down_and_back(work, tasks)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
        redis("stop")
    print("all OK" if all(results) else "SOME FAILED")


if __name__ == "__main__":
    main()
