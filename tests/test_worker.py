"""A real Redis broker and a real Celery worker: the daily reminder task goes
through the broker, runs in the worker and returns its result."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from jobs.models import ReminderLog
from tests.conftest import need
from tests.factories import CadreFactory, PairingFactory, user_with_role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


@pytest.fixture
def worker():
    need(bool(settings.CELERY_BROKER_URL), "needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0")
    from celery.contrib.testing.worker import start_worker

    from tongxiang_liaison.celery import app

    assert not app.conf.task_always_eager
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as running:
        yield running


def test_reminder_task_runs_in_a_real_worker(worker):
    from jobs import tasks

    cadre = CadreFactory(email="ye@tx.gov.cn")
    user_with_role("cadre", cadre=cadre, username="ye")
    PairingFactory(cadre=cadre, start_date=datetime.date(2026, 3, 27))

    result = tasks.send_overdue_visit_reminders.delay("2026-12-01")
    assert result.get(timeout=60) == {"messages": 1, "claimed": 1, "sent": 1, "failed": 0}
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
