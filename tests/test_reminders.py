"""Overdue-visit and slip deadline reminders (R7, R8, R13): the right stage on
the right day, one message per cadre, exactly once however often they run."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from issues import services
from jobs import delivery, reminders
from jobs.models import Notice, ReminderLog
from tests import reminder_world
from tests.conftest import at_once
from tests.factories import CadreFactory, PairingFactory, UnitFactory, office_item, user_with_role

D = datetime.date


@pytest.mark.parametrize(
    "today, expected",
    [
        (D(2026, 11, 26), []),  # Q4 ends 31 Dec; d30 begins 1 Dec
        (D(2026, 12, 1), [("d30", "2026Q4")]),
        (D(2026, 12, 23), [("d30", "2026Q4")]),
        (D(2026, 12, 24), [("d7", "2026Q4")]),
        (D(2026, 12, 31), [("d7", "2026Q4")]),
        (D(2027, 1, 1), [("overdue", "2026Q4")]),  # the day after the quarter ends
        (D(2027, 1, 15), [("overdue", "2026Q4")]),
        (D(2027, 1, 16), []),
        (D(2026, 4, 1), [("overdue", "2026Q1")]),  # first visits (R8): first_visit_stages
        (D(2026, 4, 15), [("overdue", "2026Q1")]),
        (D(2026, 6, 20), [("d30", "2026Q2")]),
    ],
)
def test_stage_selection_at_quarter_edges(today, expected):
    assert [(s.name, s.period) for s in reminders.visit_stages(today)] == expected


@pytest.fixture
def city(db):
    unit, officer, busy = reminder_world.busy_unit(3)
    retired = CadreFactory(unit=unit, name="退休干部", is_active=False)
    user_with_role("cadre", cadre=retired, username="retired")
    PairingFactory(cadre=retired, start_date=D(2026, 3, 27))
    ended = CadreFactory(unit=unit, name="已结束")
    user_with_role("cadre", cadre=ended, username="ended")
    PairingFactory(cadre=ended, start_date=D(2026, 3, 27), ended_on=D(2026, 6, 30), ended_reason="调离")
    return {"busy": busy, "officer": officer, "staff": reminder_world.office_staff()}


def test_one_message_per_cadre_listing_all_their_unvisited_enterprises(city):
    result = reminders.send_visit_reminders(D(2026, 12, 1))
    assert result.claimed == 1 and result.sent == 1
    (message,) = mail.outbox
    assert message.to == ["ye@tx.gov.cn"]
    assert "2026Q4 还有 3 家联系企业未走访" in message.subject
    for n in range(3):
        assert f"企业{n}" in message.body
    assert "已走访企业" not in message.body
    assert Notice.objects.get().recipient.username == "ye"


def test_officer_digest_at_d7_and_city_digest_when_overdue(city):
    reminders.send_visit_reminders(D(2026, 12, 24))
    assert sorted(m.to[0] for m in mail.outbox) == ["officer@tx.gov.cn", "ye@tx.gov.cn"]
    mail.outbox.clear()
    reminders.send_visit_reminders(D(2027, 1, 2))
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["lianluoban@tx.gov.cn", "officer@tx.gov.cn", "ye@tx.gov.cn"]
    city_digest = next(m for m in mail.outbox if m.to == ["lianluoban@tx.gov.cn"])
    assert "全市未走访结对 3 对" in city_digest.body


def test_inactive_cadres_and_ended_pairings_get_nothing(city):
    reminders.send_visit_reminders(D(2026, 12, 1))
    assert not ReminderLog.objects.filter(recipient__username__in=["retired", "ended"]).exists()


def test_running_twice_sends_nothing_more(city):
    reminders.send_visit_reminders(D(2026, 12, 1))
    again = reminders.send_visit_reminders(D(2026, 12, 5))  # still the d30 stage
    assert again.claimed == 0 and len(mail.outbox) == 1


def test_the_command_is_the_same_run(city, capsys):
    call_command("send_visit_reminders", "--date", "2026-12-01")
    call_command("send_visit_reminders", "--date", "2026-12-01")
    assert len(mail.outbox) == 1
    assert "新发 0" in capsys.readouterr().out


def test_smtp_failure_is_retried_with_backoff_then_sent_once(city, time_machine):
    """A failing channel waits CHANNEL_RETRY_SECONDS (60 s first) before its retry."""
    time_machine.move_to(timezone.now(), tick=False)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected("down")):
        result = reminders.send_visit_reminders(D(2026, 12, 1))
    assert result.failed == 1 and mail.outbox == []
    log = ReminderLog.objects.get()
    assert log.status == "retrying" and "down" in log.last_error and log.attempts == 1
    (row,) = log.deliveries.all()
    assert row.status == "pending" and row.next_attempt_at == timezone.now() + datetime.timedelta(seconds=60)
    assert Notice.objects.count() == 1  # the in-app notice is there already
    reminders.send_visit_reminders(D(2026, 12, 2))  # a new run does not resend it
    assert mail.outbox == [] and delivery.failed_ids() == []  # not due yet
    time_machine.shift(datetime.timedelta(seconds=61))
    retried = delivery.deliver(delivery.failed_ids())
    assert retried.sent == 1 and len(mail.outbox) == 1 and retried.by_channel == {"email": 1}
    delivery.deliver(delivery.failed_ids())
    assert len(mail.outbox) == 1 and Notice.objects.count() == 1
    log.refresh_from_db()
    assert log.status == "sent" and log.attempts == 2


def test_the_retry_task_backs_off_while_sending_still_fails(city, settings):
    from jobs import tasks

    settings.CHANNEL_RETRY_SECONDS = [0] * 8  # every retry due at once
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("no route")):
        reminders.send_visit_reminders(D(2026, 12, 1))
        with pytest.raises(Exception, match="still failing"):
            tasks.retry_failed_reminders.apply(throw=True, retries=tasks.RETRY["max_retries"])
    assert tasks.retry_failed_reminders.apply().get() == {
        "sent": 1,
        "failed": 0,
        "deferred": 0,
        "channels": {"email": 1},
    }


def test_slip_reminders_due_soon_and_overdue(city, unit_a):
    staff = city["staff"]
    department = city["officer"].cadre.unit

    def slip(on, days):
        item = office_item(category="labour", description="招工难", by=staff)
        return services.refer(item, department=department, by=staff, on=on, working_days=days)

    soon, late, far = slip(D(2026, 11, 23), 5), slip(D(2026, 11, 2), 5), slip(D(2026, 11, 25), 20)
    result = reminders.send_slip_reminders(D(2026, 11, 26))
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == [
        ("lianluoban@tx.gov.cn", f"【已逾期】市经信局 交办单 {late.serial}"),
        ("officer@tx.gov.cn", f"【即将到期】交办单 {soon.serial}"),
        ("officer@tx.gov.cn", f"【已逾期】交办单 {late.serial}"),
    ]
    assert far.serial not in str(subjects) and result.claimed == 3
    assert reminders.send_slip_reminders(D(2026, 11, 27)).claimed == 0


def test_reminder_queries_do_not_grow_with_pairings(city, django_assert_max_num_queries):
    with django_assert_max_num_queries(20) as few:
        reminders.visit_messages(D(2026, 12, 24))
    for _ in range(30):
        PairingFactory(cadre=city["busy"], start_date=D(2026, 3, 27))
    with django_assert_max_num_queries(20) as many:
        messages = reminders.visit_messages(D(2026, 12, 24))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(messages) == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_message_once(postgres, role_groups):
    """On PostgreSQL: two workers run the same day at the same instant."""
    unit = UnitFactory()
    for n in range(8):
        cadre = CadreFactory(unit=unit, email=f"c{n}@tx.gov.cn")
        user_with_role("cadre", cadre=cadre, username=f"c{n}")
        PairingFactory(cadre=cadre, start_date=D(2026, 3, 27))
    assert at_once(lambda: reminders.send_visit_reminders(D(2026, 12, 1))) == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"c{n}@tx.gov.cn" for n in range(8))
    assert ReminderLog.objects.filter(status="sent").count() == 8


def test_the_daily_task_picks_the_stage_of_the_shanghai_date(city):
    """23:30 UTC on 31 December is already 1 January in Tongxiang: overdue."""
    import time_machine

    from jobs import tasks

    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)):
        result = tasks.send_overdue_visit_reminders.apply().get()
    assert result["claimed"] == 3  # the cadre, the unit's officer and the office
    assert set(ReminderLog.objects.values_list("stage", "period").distinct()) == {("overdue", "2026Q4")}
    with time_machine.travel(datetime.datetime(2026, 12, 31, 15, 30, tzinfo=datetime.UTC)):
        assert [s.name for s in reminders.visit_stages(timezone.localdate())] == ["d7"]
