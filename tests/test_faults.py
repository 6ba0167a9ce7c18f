"""Faults: a worker that dies in the middle of the reminder run or of the
report build. The run is taken up again, no message goes twice, and no half
report is published. A broker outage: what is asked for or falls due is
kept and sent when the broker is back (here; with a real beat scheduler and
worker: test_worker.py; the page: test_quarterly_report.py; /healthz:
test_health_and_settings.py). A database error in the middle of an import:
test_import.py."""

import datetime
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from jobs import delivery, queue, report, tasks
from jobs.models import PendingTask, QuarterlyReport, ReminderLog
from tests.factories import CadreFactory, PairingFactory, user_with_role
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What the process sees of a kill: nothing after this line runs."""


def test_a_worker_killed_mid_run_leaves_no_duplicate_and_the_rest_is_sent_later():
    for n in range(3):
        cadre = CadreFactory(email=f"c{n}@tx.gov.cn")
        user_with_role("cadre", cadre=cadre)
        PairingFactory(cadre=cadre, start_date=datetime.date(2026, 3, 27))
    real_send = mail.EmailMessage.send
    calls = []

    def dies_on_the_second(self, *args, **kwargs):
        calls.append(self.to)
        if len(calls) == 2:
            raise WorkerKilled
        return real_send(self, *args, **kwargs)

    start = timezone.now()
    with mock.patch.object(mail.EmailMessage, "send", dies_on_the_second), pytest.raises(WorkerKilled):
        tasks.send_overdue_visit_reminders("2026-12-01")
    states = sorted(ReminderLog.objects.values_list("status", flat=True))
    assert states == ["sending", "sending", "sent"] and len(mail.outbox) == 1

    tasks.retry_failed_reminders.apply()  # straight away: another worker may still be sending them
    assert len(mail.outbox) == 1
    with time_machine.travel(start + datetime.timedelta(minutes=20)):
        tasks.retry_failed_reminders.apply()
    assert sorted(ReminderLog.objects.values_list("status", flat=True)) == ["sent", "sent", "sent"]
    assert sorted(m.to[0] for m in mail.outbox) == ["c0@tx.gov.cn", "c1@tx.gov.cn", "c2@tx.gov.cn"]
    tasks.send_overdue_visit_reminders("2026-12-01")  # the redelivered task: nothing more
    assert len(mail.outbox) == 3 and delivery.failed_ids() == []


def test_a_worker_killed_mid_report_publishes_nothing_and_the_redo_publishes_one(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    PairingFactory(start_date=datetime.date(2026, 3, 27))
    with mock.patch.object(report, "workbook_bytes", side_effect=WorkerKilled), pytest.raises(WorkerKilled):
        tasks.build_quarterly_report("2026Q3")
    assert not QuarterlyReport.objects.exists()
    assert not list(Path(tmp_path).rglob("*.xlsx"))

    real_replace = report.os.replace

    def killed_while_publishing(source, target):
        raise WorkerKilled

    with mock.patch.object(report.os, "replace", killed_while_publishing), pytest.raises(WorkerKilled):
        report.build_report(Quarter(2026, 3))
    assert not QuarterlyReport.objects.exists() and not list(Path(tmp_path).rglob("*.xlsx"))
    assert report.os.replace is real_replace

    tasks.build_quarterly_report("2026Q3")  # the task again, as the broker redelivers it
    (built,) = QuarterlyReport.objects.all()
    assert Path(built.file.path).exists() and built.size > 0


def test_tasks_go_back_to_the_queue_when_their_worker_is_lost(settings):
    from tongxiang_liaison.celery import app

    assert app.conf.task_acks_late is True and app.conf.task_reject_on_worker_lost is True
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


class Broker:
    """A stand-in for the Celery app's send: refuses once ``down_after``
    tasks have gone (never, when it is None)."""

    def __init__(self, down_after=None):
        self.sent, self.down_after = [], down_after

    def send_task(self, name, args=None, kwargs=None):
        if self.down_after is not None and len(self.sent) >= self.down_after:
            raise KombuOperationalError("Connection refused.")
        self.sent.append((name, args, kwargs))


def test_kept_tasks_go_oldest_first_and_stop_at_the_first_refusal():
    queue.keep("jobs.build_quarterly_report", ["2026Q3", None])
    queue.keep("jobs.send_overdue_visit_reminders", [])
    queue.keep("jobs.send_slip_deadline_reminders", [])

    broker = Broker(down_after=1)  # the broker answers once, then is down again
    assert queue.send_pending(broker) == 1
    assert broker.sent == [("jobs.build_quarterly_report", ["2026Q3", None], {})]
    left = list(PendingTask.objects.values_list("task", "attempts"))
    assert left == [("jobs.send_overdue_visit_reminders", 1), ("jobs.send_slip_deadline_reminders", 0)]

    broker = Broker()
    assert queue.send_pending(broker) == 2 and PendingTask.objects.count() == 0
    assert queue.send_pending(broker) == 0  # nothing kept: one query, nothing sent


def test_the_same_run_kept_twice_is_sent_once():
    """Two beats started by mistake both fail to send the 08:00 run."""
    queue.keep("jobs.send_overdue_visit_reminders", [], {}, error=OSError("down"))
    queue.keep("jobs.send_overdue_visit_reminders", [], {}, error=OSError("still down"))
    queue.keep("jobs.send_overdue_visit_reminders", ["2026-12-01"])
    assert PendingTask.objects.count() == 2
    broker = Broker()
    queue.send_pending(broker)
    assert sorted(args for _name, args, _kw in broker.sent) == [[], ["2026-12-01"]]


def test_a_task_failing_in_eager_mode_is_logged_not_kept(django_capture_on_commit_callbacks, caplog):
    """On the laptop demo (no broker) tasks run in the request; their own
    failure is not a broker outage and is not kept to run again."""
    with (
        mock.patch.object(tasks.build_quarterly_report, "apply_async", side_effect=ValueError("bug")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        queue.enqueue(tasks.build_quarterly_report, "2026Q3")
    assert PendingTask.objects.count() == 0 and "task jobs.build_quarterly_report failed" in caplog.text
