"""A real Redis broker and a real Celery worker: the daily reminder task goes
through the broker, runs in the worker and returns its result; a run kept
during a broker outage is sent and runs when the broker is back."""

import datetime
import time

import pytest
from django.conf import settings
from django.core import mail

from jobs.models import ReminderLog
from tests.conftest import need
from tests.factories import CadreFactory, PairingFactory, user_with_role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def _started(**options):
    """A real Celery worker on this test process's own queue (tests/conftest.py),
    emptied first of what earlier tests of this process sent on commit."""
    need(bool(settings.CELERY_BROKER_URL), "needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0")
    from celery.contrib.testing.worker import start_worker

    from tongxiang_liaison.celery import app

    assert not app.conf.task_always_eager
    app.control.purge()
    return start_worker(app, perform_ping_check=False, shutdown_timeout=20, **options)


@pytest.fixture
def worker():
    with _started(pool="solo") as running:
        yield running


def test_reminder_task_runs_in_a_real_worker(worker):
    from jobs import tasks

    cadre = CadreFactory(email="ye@tx.gov.cn")
    user_with_role("cadre", cadre=cadre, username="ye")
    PairingFactory(cadre=cadre, start_date=datetime.date(2026, 3, 27))

    result = tasks.send_overdue_visit_reminders.delay("2026-12-01")
    assert result.get(timeout=60) == {
        "messages": 1,
        "claimed": 1,
        "sent": 1,
        "failed": 0,
        "deferred": 0,
        "channels": {"email": 1},
    }
    assert ReminderLog.objects.get().status == "sent"
    assert [m.to for m in mail.outbox] == [["ye@tx.gov.cn"]]

    again = tasks.send_overdue_visit_reminders.delay("2026-12-01")
    assert again.get(timeout=60)["claimed"] == 0 and len(mail.outbox) == 1


def test_report_task_runs_in_a_real_worker(worker, settings, tmp_path):
    from jobs import tasks
    from jobs.models import QuarterlyReport

    settings.MEDIA_ROOT = tmp_path
    PairingFactory(start_date=datetime.date(2026, 3, 27))
    result = tasks.build_quarterly_report.delay("2026Q3").get(timeout=60)
    built = QuarterlyReport.objects.get(pk=result["report"])
    assert built.quarter == "2026Q3" and built.size == result["size"] > 0


def test_a_run_due_while_the_broker_is_down_is_kept_and_runs_once_it_is_back(worker):
    """Celery's beat moves an entry to its next time before sending it, so the
    08:00 reminder run falling due during a Redis outage would wait a day.
    The scheduler keeps it (jobs.beat) and sends it when the broker answers:
    here a real refusal (nothing listens on the dead broker's port), then the
    real broker and worker."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from jobs import queue
    from jobs.beat import Scheduler
    from jobs.models import PendingTask
    from tongxiang_liaison.celery import app

    cadre = CadreFactory(email="lu@tx.gov.cn")
    user_with_role("cadre", cadre=cadre, username="lu")
    PairingFactory(cadre=cadre, start_date=datetime.date(2026, 3, 27))
    daily, _created = PeriodicTask.objects.update_or_create(
        name="每日走访提醒",
        defaults={
            "task": "jobs.send_overdue_visit_reminders",
            "args": '["2026-12-01"]',
            "crontab": CrontabSchedule.objects.create(minute="0", hour="8", timezone="Asia/Shanghai"),
        },
    )

    # Beat's producer, its connection to Redis lost: nothing listens on port 1.
    down = Scheduler(app=app, lazy=True)
    producer = app.amqp.Producer(app.connection_for_write("redis://127.0.0.1:1/0"), auto_declare=False)
    down.apply_entry(ModelEntry(daily, app=app), producer=producer)
    kept = PendingTask.objects.get()
    assert (kept.task, kept.args) == ("jobs.send_overdue_visit_reminders", ["2026-12-01"])

    assert queue.send_pending(app) == 1 and not PendingTask.objects.exists()
    for _ in range(120):
        if ReminderLog.objects.filter(status="sent").exists():
            break
        time.sleep(0.5)
    assert [m.to for m in mail.outbox] == [["lu@tx.gov.cn"]]


@pytest.fixture
def two_workers():
    """One worker with two threads: two tasks run at the same time."""
    with _started(pool="threads", concurrency=2) as running:
        yield running


def test_the_reminder_task_sent_twice_through_redis_reaches_each_channel_once(
    two_workers, postgres, settings
):
    """Issue 18: two runs through the broker at once, on PostgreSQL; the unit's
    DingTalk robot, the SMS gateway and the mail server each get each message once."""
    from jobs import services, tasks
    from jobs.models import ChannelDelivery, UnitRobot
    from tests.factories import UnitFactory
    from tests.receivers import DingTalkReceiver, SmsGatewayReceiver

    with DingTalkReceiver() as robot, SmsGatewayReceiver() as gateway:
        settings.SMS_BACKEND, settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN = (
            "http",
            gateway.url(),
            gateway.token,
        )
        unit = UnitFactory(name="市经信局")
        services.save_robot(
            UnitRobot(unit=unit, name="经信局群", channel="dingtalk", replaces_personal=False),
            webhook=robot.webhook,
            secret=robot.secret,
        )
        for n in range(6):
            cadre = CadreFactory(unit=unit, email=f"w{n}@tx.gov.cn")
            user = user_with_role("cadre", cadre=cadre, username=f"w{n}")
            if n % 2:
                services.set_channels(user, ["sms", "email"])
            PairingFactory(cadre=cadre, start_date=datetime.date(2026, 3, 27))
        runs = [tasks.send_overdue_visit_reminders.delay("2026-12-01") for _ in range(2)]
        results = [run.get(timeout=120) for run in runs]
        assert sum(r["claimed"] for r in results) == 7  # 6 cadres and the group: each claimed by one run
        assert len(robot.accepted) == len(robot.requests) == 1
        assert len(gateway.requests) == 3 and len({r.body["mobile"] for r in gateway.requests}) == 3
        assert sorted(m.to[0] for m in mail.outbox) == ["w0@tx.gov.cn", "w2@tx.gov.cn", "w4@tx.gov.cn"]
        assert ChannelDelivery.objects.filter(status="sent").count() == 7
