"""More than one machine, shown on this one: two gunicorn processes on
different ports and two Celery workers, sharing PostgreSQL, Redis and the
media directory, as two web hosts and two worker hosts would.

It checks, and prints, that:
- a login on one web process is a session on the other;
- failed logins spread over both lock the username on both (django-axes keeps
  attempts in the database);
- an admin import previewed on one process is confirmed on the other (the
  uploaded file waits in MEDIA_ROOT, not a process-local temp dir);
- the daily reminder task fired twice at once, through both workers, sends
  each message once; and two beats (the second started by mistake) firing it
  every 5 seconds still send each message once.

Usage: python bench/two_hosts.py [--database-url postgres://…] [--broker redis://127.0.0.1:6379/5]
"""

import io
import os
import re
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import harness  # noqa: E402
from load import CSRF, PASSWORD, Recorder, User  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/liaison_two_hosts"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def multipart(fields, file_field, file_name, content):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post_file(user, path, fields, content):
    body, content_type = multipart(fields, "import_file", "企业.xlsx", content)
    request = urllib.request.Request(
        user.base + path, data=body, headers={"Content-Type": content_type, "Referer": user.base + path}
    )
    with user.opener.open(request, timeout=60) as response:
        return response.read().decode()


def main():
    parser = harness.arguments(__doc__, "BENCH_TWO_HOSTS_DATABASE_URL", DEFAULT_URL, rebuild=False)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()
    media = tempfile.mkdtemp(prefix="liaison-shared-media-")
    os.environ["MEDIA_ROOT"] = media
    os.environ["CELERY_BROKER_URL"] = args.broker
    harness.prepare(args.database_url, rebuild=True)

    from cadres.demo import demo_credit_code
    from enterprises.models import Enterprise
    from jobs.models import ReminderLog
    from tests.factories import user_with_role

    harness.migrate("places", "units")
    staff = user_with_role("liaison_staff", username="office", staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    harness.cadres_with_logins(3)

    env = harness.server_environment(
        SECRET_KEY="two-hosts-shared-secret-key",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    processes = [harness.gunicorn(port, env) for port in (8081, 8082)]
    processes += [
        harness.celery(env, "worker", "-n", f"{name}@%h", "--pool", "solo") for name in ("w1", "w2")
    ]
    a, b = "http://127.0.0.1:8081", "http://127.0.0.1:8082"
    results = []
    try:
        for base in (a, b):
            harness.wait_until_up(base)
        recorder = Recorder()

        browser = User(a, recorder)
        logged_in = browser.login("office")
        browser.base = b
        page = browser.request("dashboard on B", "/dashboard/") or ""
        results.append(
            harness.check("a login on A is a session on B", logged_in and "全市联企服务看板" in page)
        )

        for base in (a, b, a, b, a):
            attacker = User(base, recorder)
            form = attacker.request("login", "/login/") or ""
            token = CSRF.search(form).group(1)
            attacker.request(
                "login", "/login/", {"csrfmiddlewaretoken": token, "username": "office", "password": "x"}
            )
        locked = []
        for base in (a, b):
            before = recorder.errors.get("login (POST): HTTP 429", 0)
            User(base, recorder).login("office")  # the right password, now refused
            locked.append(recorder.errors.get("login (POST): HTTP 429", 0) == before + 1)
        results.append(
            harness.check("five failures over A and B lock the login on both", all(locked), f"{locked}")
        )
        from axes.models import AccessAttempt

        AccessAttempt.objects.all().delete()  # unlock, as staff would in the admin

        importer = User(a, recorder)
        importer.login("office")
        form = importer.request("import page", "/admin/enterprises/enterprise/import/") or ""
        token = CSRF.search(form).group(1)
        rows = [["企业名称", "统一社会信用代码", "所在镇（街道）"]] + [
            [f"桐乡市两机{n}有限公司", demo_credit_code(40_000_000 + n), "濮院镇"] for n in range(5)
        ]
        preview = post_file(
            importer,
            "/admin/enterprises/enterprise/import/",
            {"csrfmiddlewaretoken": token, "format": "0"},
            xlsx(rows),
        )
        hidden = dict(HIDDEN.findall(preview))
        importer.base = b
        importer.request("confirm on B", "/admin/enterprises/enterprise/process_import/", hidden)
        imported = Enterprise.objects.filter(name__startswith="桐乡市两机").count()
        results.append(
            harness.check("an import previewed on A is confirmed on B", imported == 5, f"{imported} rows")
        )

        from jobs import tasks

        first = tasks.send_overdue_visit_reminders.delay("2026-12-01")
        second = tasks.send_overdue_visit_reminders.delay("2026-12-01")
        outcomes = [first.get(timeout=120), second.get(timeout=120)]
        claimed = sum(o["claimed"] for o in outcomes)
        logged = ReminderLog.objects.filter(kind="visit").count()
        results.append(
            harness.check(
                "the reminder task fired twice at once sends each message once",
                claimed == logged == 3,
                f"claimed {[o['claimed'] for o in outcomes]}, {logged} log rows",
            )
        )
        # Two beats, the second started by mistake, both firing the daily run
        # every 5 seconds for 20 seconds: each overdue reminder still goes once.
        from django_celery_beat.models import IntervalSchedule, PeriodicTask

        every, _created = IntervalSchedule.objects.get_or_create(every=5, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.create(
            name="两机演示：每 5 秒的走访提醒", task="jobs.send_overdue_visit_reminders", interval=every,
            args='["2027-01-05"]',
        )  # fmt: skip
        beats = [
            harness.celery(env, "beat", "--schedule", str(Path(media) / f"beat-{n}.db"), "--pidfile", "")
            for n in range(2)
        ]
        time.sleep(20)
        for beat in beats:
            beat.terminate()
            beat.wait(timeout=30)
        time.sleep(5)  # let the workers finish what the beats sent
        overdue = ReminderLog.objects.filter(kind="visit", period="2026Q4", stage="overdue")
        results.append(
            harness.check(
                "two beats firing the same run every 5 s send each overdue reminder once",
                overdue.count() == 3 and overdue.filter(status="sent").count() == 3,
                f"{overdue.count()} log rows, {overdue.filter(status='sent').count()} sent, "
                f"fired {PeriodicTask.objects.get(interval=every).total_run_count} times",
            )
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    print("all OK" if all(results) else "SOME FAILED")


if __name__ == "__main__":
    main()
