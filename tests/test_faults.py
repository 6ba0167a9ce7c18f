"""Faults: a worker that dies in the middle of the reminder run or of the
report build. The run is taken up again, no message goes twice, and no half
report is published. (A database error in the middle of an import: see
test_import.py; a broker outage: test_health_and_settings.py and
test_quarterly_report.py.)"""

import datetime
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from jobs import delivery, report, tasks
from jobs.models import QuarterlyReport, ReminderLog
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
