"""Channels (issue 18): email, SMS, the DingTalk custom robot (加签) and the
WeCom group robot behind one interface (jobs.channels), each person's chain
and each unit's group digest (jobs.routing), once per channel with retries,
back-off and fall-back (jobs.delivery), against real HTTP receivers on
loopback (tests/receivers.py) that answer as the services do (R7, R13).

Nothing here reaches the network: every webhook and gateway address is
127.0.0.1 and a port the test opened."""

import base64
import datetime
import hashlib
import hmac
import json
import logging

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from issues import services as issue_services
from issues.models import IssueItem
from jobs import channels, delivery, reminders, robots, routing, services, sms
from jobs.models import ChannelDelivery, Notice, ReminderLog, SmsLog, UnitRobot
from jobs.secrets import Sealed, seal
from tests import factories as f
from tests.conftest import at_once
from tests.receivers import DingTalkReceiver, SmsGatewayReceiver, WeComReceiver

pytestmark = pytest.mark.django_db
D = datetime.date
D30, D7, OVERDUE = D(2026, 12, 1), D(2026, 12, 24), D(2027, 1, 2)


@pytest.fixture
def dingtalk():
    with DingTalkReceiver() as receiver:
        yield receiver


@pytest.fixture
def wecom():
    with WeComReceiver() as receiver:
        yield receiver


@pytest.fixture
def gateway(settings):
    with SmsGatewayReceiver() as receiver:
        settings.SMS_BACKEND = "http"
        settings.SMS_HTTP_URL = receiver.url()
        settings.SMS_HTTP_TOKEN = receiver.token
        settings.SMS_RETRY_BACKOFF_SECONDS = 0
        yield receiver


@pytest.fixture
def clock(time_machine):
    """Time stands still unless a test moves it (retries fall due by the clock)."""
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


@pytest.fixture
def unit(db):
    """市经信局: an information officer with an email, two cadres with logins
    and three unvisited enterprises between them, in force in 2026Q4."""
    unit, officer = f.unit_with_officer()
    for name, login, enterprises in [
        ("叶文海", "ye", ["桐昆化纤", "华友钴业"]),
        ("沈建", "shen", ["双箭橡胶"]),
    ]:
        cadre = f.CadreFactory(unit=unit, name=name, email=f"{login}@tx.gov.cn")
        f.user_with_role("cadre", cadre=cadre, username=login)
        for enterprise in enterprises:
            f.PairingFactory(
                cadre=cadre, enterprise=f.EnterpriseFactory(name=enterprise), start_date=D(2026, 3, 27)
            )
    return unit


def robot(unit, receiver, *, channel="dingtalk", secret=None, form="markdown", **fields):
    """A unit's robot saved the way the admin saves it (jobs.services.save_robot)."""
    row = UnitRobot(
        unit=unit,
        name=fields.pop("name", f"{unit.name}工作群"),
        channel=channel,
        message_format=form,
        **fields,
    )
    if secret is None:
        secret = receiver.secret if channel == "dingtalk" else ""
    return services.save_robot(row, webhook=receiver.webhook, secret=secret)


def group_messages(n, unit):
    return [
        delivery.Message(
            recipient_id=None,
            unit_id=unit.pk,
            kind="visit_group",
            period=f"P{i}",
            stage="d30",
            subject=f"消息{i}",
            body="· 一行",
        )
        for i in range(n)
    ]


def states(log):
    return [(d.channel, d.status) for d in log.deliveries.order_by("position")]


# -- the shape of each channel's message ------------------------------------------


def test_dingtalk_signature_is_hmac_sha256_of_timestamp_and_secret_base64_url_encoded():
    secret, timestamp = "SEC000111", 1767225600000
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = robots.dingtalk_sign(secret, timestamp)
    assert sign == base64.b64encode(digest).decode().replace("+", "%2B").replace("/", "%2F").replace(
        "=", "%3D"
    )
    url = robots.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=t", secret, timestamp)
    assert url == f"https://oapi.dingtalk.com/robot/send?access_token=t&timestamp={timestamp}&sign={sign}"


@pytest.mark.parametrize("form", ["text", "markdown"])
def test_the_dingtalk_robot_gets_the_unit_digest_signed_in_text_or_markdown(unit, dingtalk, form):
    robot(unit, dingtalk, form=form)
    result = reminders.send_visit_reminders(D30)
    (request,) = dingtalk.accepted
    assert request.query["access_token"] == dingtalk.token
    assert request.query["sign"] == dingtalk.expected_sign(
        request.query["timestamp"]
    )  # the receiver checked it too
    body = request.body
    assert body["msgtype"] == form
    text = body["text"]["content"] if form == "text" else body["markdown"]["text"]
    if form == "markdown":
        assert body["markdown"]["title"].startswith("【季末前30天】市经信局 2026Q4 未走访：2 人，3 家企业")
        assert text.startswith("### 【季末前30天】市经信局") and "- 叶文海：华友钴业（" in text
        assert "[打开系统查看](http://127.0.0.1:8000/coverage/?quarter=2026Q4)" in text
    else:
        assert text.startswith("【季末前30天】市经信局 2026Q4 未走访：2 人，3 家企业\n")
        assert "· 叶文海：华友钴业（" in text and text.endswith("/coverage/?quarter=2026Q4")
    assert "沈建：双箭橡胶" in text
    assert result.channels == {"dingtalk": 1}  # one group message, not one per cadre


@pytest.mark.parametrize("form", ["text", "markdown"])
def test_the_wecom_robot_gets_text_or_markdown(unit, wecom, form):
    robot(unit, wecom, channel="wecom", form=form)
    reminders.send_visit_reminders(D30)
    (request,) = wecom.accepted
    assert request.query == {"key": wecom.key}
    assert request.body["msgtype"] == form and set(request.body) == {"msgtype", form}
    content = request.body[form]["content"]
    assert "叶文海：华友钴业" in content and "沈建：双箭橡胶" in content
    assert content.startswith("### 【季末前30天】" if form == "markdown" else "【季末前30天】")


def test_a_digest_longer_than_wecom_takes_is_cut_on_a_line_and_says_how_much_is_left(unit, wecom):
    for n in range(120):
        cadre = f.CadreFactory(unit=unit, name=f"长名单干部{n:03d}")
        f.PairingFactory(
            cadre=cadre,
            enterprise=f.EnterpriseFactory(name=f"长名单企业{n:03d}有限公司"),
            start_date=D(2026, 3, 27),
        )
    robot(unit, wecom, channel="wecom", form="text")
    reminders.send_visit_reminders(D30)
    (request,) = wecom.accepted
    content = request.body["text"]["content"]
    assert len(content.encode()) <= 2048
    assert "请在系统中查看。" in content and content.endswith("/coverage/?quarter=2026Q4")


def test_email_is_as_before_one_per_cadre(unit):
    result = reminders.send_visit_reminders(D30)
    assert sorted(m.to[0] for m in mail.outbox) == ["shen@tx.gov.cn", "ye@tx.gov.cn"]
    assert result.channels == {"email": 2}
    ye = next(m for m in mail.outbox if m.to == ["ye@tx.gov.cn"])
    assert ye.body.endswith("\n\nhttp://127.0.0.1:8000/my/")


def test_sms_through_the_http_gateway(unit, gateway):
    services.set_channels(unit.cadres.get(name="叶文海").user, ["sms", "email"])
    result = reminders.send_visit_reminders(D30)
    (request,) = gateway.accepted
    ye = unit.cadres.get(name="叶文海")
    assert request.headers["authorization"] == f"Bearer {gateway.token}"
    assert request.body["mobile"] == ye.mobile and request.body["sign_name"] == "桐乡市联络办"
    assert request.body["content"].startswith("【提醒】2026Q4 还有 2 家联系企业未走访（季末前30天）")
    assert request.body["content"].endswith("http://127.0.0.1:8000/my/")
    delivery_row = ChannelDelivery.objects.get(channel="sms")
    assert request.body["reference"] == f"TX{delivery_row.pk}" and delivery_row.receipt == "sms-1"
    assert [m.to for m in mail.outbox] == [["shen@tx.gov.cn"]]  # 沈建 chose nothing: email
    assert result.channels == {"email": 1, "sms": 1}
    log = SmsLog.objects.get()
    assert (log.mobile, log.purpose, log.status, log.attempts, log.gateway_id) == (
        ye.mobile,
        "reminder",
        "sent",
        1,
        "sms-1",
    )


# -- the SMS gateway on its own (for every sender: reminders, sign-in codes) ------


def test_the_sms_gateway_retries_a_busy_gateway_and_logs_one_row(gateway):
    gateway.script = [(503, {"code": 503, "message": "busy"}), (500, {"code": 500})]
    result = sms.send(
        "138 0000 0001",
        "验证码 246810",
        purpose="login_code",
        reference="otp-1",
        log_text="登录验证码（已隐去）",
    )
    assert result.attempts == 3 and result.gateway_id == "sms-1"
    assert [r.body["reference"] for r in gateway.requests] == ["otp-1"] * 3  # the same key on each retry
    log = SmsLog.objects.get()
    assert log.status == "sent" and log.attempts == 3 and log.text == "登录验证码（已隐去）"
    assert "246810" not in json.dumps(list(SmsLog.objects.values()), default=str)


def test_the_sms_gateway_does_not_retry_a_refusal_and_never_logs_its_token(gateway, settings):
    settings.SMS_HTTP_TOKEN = "wrong-token"
    with pytest.raises(sms.SmsError) as refused:
        sms.send("13800000001", "你好", purpose="reminder")
    assert not refused.value.retryable and len(gateway.requests) == 1
    log = SmsLog.objects.get()
    assert log.status == "failed" and "401" in log.error and "wrong-token" not in log.error


def test_the_sms_gateway_down_fails_after_its_retries(settings):
    with SmsGatewayReceiver() as down:
        url = down.url()
    settings.SMS_BACKEND, settings.SMS_HTTP_URL, settings.SMS_RETRY_BACKOFF_SECONDS = "http", url, 0
    with pytest.raises(sms.SmsError, match="无法连接短信网关") as failed:
        sms.send("13800000001", "你好", purpose="reminder", retries=1)
    assert failed.value.retryable and failed.value.log.attempts == 2


def test_the_console_and_file_backends(settings, tmp_path, capsys):
    settings.SMS_BACKEND = "console"
    sms.send("13800000001", "验证码 135790", purpose="login_code")
    assert "[SMS 13800000001] 【桐乡市联络办】验证码 135790" in capsys.readouterr().out
    settings.SMS_BACKEND, settings.SMS_FILE_PATH = "file", str(tmp_path / "sms.log")
    sms.send("13800000002", "第二条", purpose="reminder", reference="r2")
    (line,) = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    assert json.loads(line) | {"at": ""} == {
        "at": "",
        "mobile": "13800000002",
        "text": "第二条",
        "sign_name": "桐乡市联络办",
        "reference": "r2",
    }
    assert SmsLog.objects.filter(status="sent").count() == 2


# -- who gets what where -----------------------------------------------------------


def test_the_unit_digest_replaces_each_cadres_message_but_not_their_notice(unit, dingtalk):
    robot(unit, dingtalk)
    reminders.send_visit_reminders(D30)
    assert mail.outbox == []  # the group has it
    assert sorted(Notice.objects.values_list("recipient__username", flat=True)) == ["shen", "ye"]
    personal = ReminderLog.objects.filter(kind="visit")
    assert {log.status for log in personal} == {"sent"} and not ChannelDelivery.objects.filter(
        reminder__in=personal
    ).exists()
    group = ReminderLog.objects.get(kind="visit_group")
    assert group.unit == unit and group.recipient is None and states(group)[0] == ("dingtalk", "sent")
    assert states(group)[1:] == [("email", "skipped")]  # the officer: the fall-back, not needed


def test_a_robot_that_does_not_replace_personal_messages_adds_the_digest(unit, dingtalk):
    robot(unit, dingtalk, replaces_personal=False)
    result = reminders.send_visit_reminders(D30)
    assert sorted(m.to[0] for m in mail.outbox) == ["shen@tx.gov.cn", "ye@tx.gov.cn"]
    assert result.channels == {"dingtalk": 1, "email": 2}


def test_the_officer_digest_and_the_city_digest_still_go_to_people(unit, dingtalk):
    robot(unit, dingtalk)
    staff = f.user_with_role("liaison_staff", username="office")
    staff.email = "lianluoban@tx.gov.cn"
    staff.save()
    reminders.send_visit_reminders(OVERDUE)
    assert sorted(m.to[0] for m in mail.outbox) == ["lianluoban@tx.gov.cn", "officer@tx.gov.cn"]
    (request,) = dingtalk.accepted
    assert request.body["markdown"]["title"].startswith("【季度已过】市经信局 2026Q4 未走访")


def test_the_units_slips_due_and_overdue_go_to_its_group_once_a_day(unit, dingtalk):
    robot(unit, dingtalk)
    staff = f.user_with_role("liaison_staff", username="office")

    def slip(on, days, description):
        item = IssueItem.objects.create(
            enterprise=f.EnterpriseFactory(name=f"{description}企业"),
            reporter=f.CadreFactory(),
            category="labour",
            description=description,
            status="office",
        )
        return issue_services.refer(item, department=unit, by=staff, on=on, working_days=days)

    late, soon = slip(D(2026, 11, 2), 5, "招工难"), slip(D(2026, 11, 23), 5, "融资难")
    reminders.send_slip_reminders(D(2026, 11, 26))
    reminders.send_slip_reminders(D(2026, 11, 26))  # a second run the same day: nothing
    (request,) = dingtalk.accepted
    text = request.body["markdown"]["text"]
    assert request.body["markdown"]["title"] == "【交办单】市经信局：1 件已逾期，1 件即将到期"
    assert (
        text.index("已逾期：") < text.index(late.serial) < text.index("即将到期：") < text.index(soon.serial)
    )
    reminders.send_slip_reminders(D(2026, 11, 27))  # the next day's list
    assert len(dingtalk.accepted) == 2


def test_a_person_without_an_address_on_their_preferred_channel_gets_the_next(unit, gateway):
    ye = unit.cadres.get(name="叶文海")
    ye.mobile = "13900000000"
    ye.save()
    services.set_channels(ye.user, ["sms", "email"])
    user = f.user_with_role("leader", username="nomobile")
    user.email = "nomobile@tx.gov.cn"
    user.save()
    services.set_channels(user, ["sms", "email"])  # no cadre record, so no mobile
    routes = routing.plan([(1, ye.user_id, None, "visit", ""), (2, user.pk, None, "visit", "")])
    assert routes == {
        1: [routing.Route("sms", "13900000000"), routing.Route("email", "ye@tx.gov.cn")],
        2: [routing.Route("email", "nomobile@tx.gov.cn")],
    }


# -- once, retried, falling back, failed ----------------------------------------------


def test_a_wrong_signing_secret_gets_310000_and_falls_back_at_once_to_the_officer(unit, dingtalk, client):
    robot(unit, dingtalk, secret="SECnot-the-right-one")
    result = reminders.send_visit_reminders(D30)
    (refused,) = dingtalk.requests
    assert refused.answer["errcode"] == 310000 and dingtalk.accepted == []
    group = ReminderLog.objects.get(kind="visit_group")
    assert states(group) == [("dingtalk", "failed"), ("email", "sent")]
    assert group.status == "sent" and [m.to for m in mail.outbox] == [["officer@tx.gov.cn"]]
    assert result.channels == {"email": 1}
    dingtalk_row = group.deliveries.get(channel="dingtalk")
    assert (
        dingtalk_row.attempts == 1
        and "310000" in dingtalk_row.last_error
        and "签名不匹配" in dingtalk_row.last_error
    )
    client.force_login(f.user_with_role("liaison_staff", username="office", staff=True))
    page = client.get(reverse("admin:jobs_reminderlog_changelist")).content.decode()
    assert "钉钉群机器人 ✗ → 电子邮件 ✓" in page
    page = client.get(reverse("admin:jobs_reminderlog_change", args=[group.pk])).content.decode()
    assert "钉钉返回错误 310000" in page and "市经信局 · 市经信局工作群" in page


def test_a_receiver_down_is_retried_with_backoff_then_the_next_channel_takes_it(unit, clock):
    with DingTalkReceiver() as gone:
        robot(unit, gone)
    result = reminders.send_visit_reminders(D30)  # nothing listens on that port now
    assert result.failed == 1 and mail.outbox == []
    group = ReminderLog.objects.get(kind="visit_group")
    row = group.deliveries.get(channel="dingtalk")
    waits = []
    for _ in range(3):
        row.refresh_from_db()
        assert row.status == "pending" and "无法连接" in row.last_error
        waits.append(round((row.next_attempt_at - timezone.now()).total_seconds()))
        clock.shift(datetime.timedelta(seconds=waits[-1]))
        assert delivery.failed_ids() == [group.pk]
        delivery.deliver(delivery.failed_ids())
    assert waits == [60, 300, 900]  # CHANNEL_RETRY_SECONDS
    group.refresh_from_db()
    assert states(group) == [("dingtalk", "failed"), ("email", "sent")] and group.status == "sent"
    assert [m.to for m in mail.outbox] == [["officer@tx.gov.cn"]]
    assert group.deliveries.get(channel="dingtalk").attempts == 4


def test_a_receiver_that_comes_back_gets_the_message_once(unit, clock):
    receiver = DingTalkReceiver().start()
    port = receiver.port
    robot(unit, receiver)
    receiver.stop()
    reminders.send_visit_reminders(D30)
    back = DingTalkReceiver(port=port).start()
    try:
        clock.shift(datetime.timedelta(seconds=60))
        delivery.deliver(delivery.failed_ids())
        delivery.deliver(delivery.failed_ids())
        reminders.send_visit_reminders(D30)
    finally:
        back.stop()
    assert len(back.accepted) == 1 and mail.outbox == []
    group = ReminderLog.objects.get(kind="visit_group")
    assert states(group) == [("dingtalk", "sent"), ("email", "skipped")]


def test_a_message_no_channel_delivered_is_failed_and_shown(unit, clock, client):
    officer = unit.information_officer.user
    officer.email = ""
    officer.save()
    unit.information_officer.email = ""
    unit.information_officer.save()
    services.set_channels(officer, ["email"])
    with DingTalkReceiver() as gone:
        robot(unit, gone, secret="SECwrong")  # refused or not, nobody is listening now
    reminders.send_visit_reminders(D30)
    group = ReminderLog.objects.get(kind="visit_group")
    for _ in range(3):
        clock.shift(datetime.timedelta(seconds=900))
        delivery.deliver(delivery.failed_ids())
    group.refresh_from_db()
    assert group.status == "failed" and states(group) == [("dingtalk", "failed")]
    assert delivery.failed_ids() == []  # never retried again on its own
    client.force_login(f.user_with_role("liaison_staff", username="office", staff=True))
    page = client.get(reverse("admin:jobs_reminderlog_changelist") + "?status=failed").content.decode()
    assert "发送失败（各渠道均未送达）" in page and "钉钉群机器人 ✗" in page


def test_a_rate_limit_answer_is_retried_after_the_wait_it_asks(unit, clock):
    with DingTalkReceiver(per_minute=1) as receiver:  # another system shares the robot: throttled early
        robot(unit, receiver)
        delivery.deliver(delivery.claim(group_messages(2, unit)))
        assert [r.answer["errcode"] for r in receiver.requests] == [0, 130101]
        throttled = ChannelDelivery.objects.get(reminder__period="P1", channel="dingtalk")
        assert (
            throttled.status == "pending"
            and throttled.next_attempt_at == timezone.now() + datetime.timedelta(seconds=600)
        )
        assert "发送过快" in throttled.last_error
        clock.shift(datetime.timedelta(seconds=600))
        delivery.deliver(delivery.failed_ids())
        assert len(receiver.accepted) == 2


def test_at_most_20_messages_a_minute_go_to_one_robot(unit, dingtalk, clock):
    robot(unit, dingtalk)
    result = delivery.deliver(delivery.claim(group_messages(25, unit)))
    assert result.by_channel == {"dingtalk": 20} and result.deferred == 5
    assert len(dingtalk.requests) == 20  # the robot never had to say 130101
    waiting = ChannelDelivery.objects.filter(channel="dingtalk", status="pending")
    assert waiting.count() == 5 and {row.attempts for row in waiting} == {0}
    assert delivery.failed_ids() == []
    clock.shift(datetime.timedelta(seconds=60))
    assert delivery.deliver(delivery.failed_ids()).by_channel == {"dingtalk": 5}
    assert len(dingtalk.accepted) == 25 and mail.outbox == []


def test_running_twice_and_retrying_sends_nothing_twice_on_any_channel(unit, dingtalk, gateway):
    robot(unit, dingtalk, replaces_personal=False)
    services.set_channels(unit.cadres.get(name="叶文海").user, ["sms"])
    for _ in range(2):
        reminders.send_visit_reminders(D30)
        delivery.deliver(delivery.failed_ids())
        delivery.deliver(ReminderLog.objects.values_list("pk", flat=True))
    assert len(dingtalk.requests) == 1 and len(gateway.requests) == 1 and len(mail.outbox) == 1
    assert ChannelDelivery.objects.filter(status="sent").count() == 3


# -- secrets -----------------------------------------------------------------------


def test_secrets_are_stored_encrypted_and_never_shown_or_logged(unit, dingtalk, client, caplog):
    staff = f.user_with_role("liaison_staff", username="office", staff=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:jobs_unitrobot_add"),
        {
            "unit": unit.pk,
            "name": "经信局联企群",
            "channel": "dingtalk",
            "message_format": "text",
            "position": 0,
            "replaces_personal": "on",
            "is_active": "on",
            "webhook_input": dingtalk.webhook,
            "secret_input": "SECwrong",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = UnitRobot.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook, secret FROM jobs_unitrobot")
        stored = cursor.fetchone()
    assert all(value.startswith("gAAAAA") for value in stored)  # Fernet tokens
    assert dingtalk.token not in "".join(stored) and "SECwrong" not in "".join(stored)
    assert saved.webhook.reveal() == dingtalk.webhook and str(saved.secret) == "••••••"
    page = client.get(reverse("admin:jobs_unitrobot_change", args=[saved.pk])).content.decode()
    assert dingtalk.token not in page and "SECwrong" not in page and "已设置（加密保存）" in page
    with caplog.at_level(logging.DEBUG):
        reminders.send_visit_reminders(D30)  # 310000: refused
    logged = caplog.text + json.dumps(list(ChannelDelivery.objects.values()), default=str)
    logged += json.dumps(list(ReminderLog.objects.values()), default=str)
    assert "310000" in logged
    assert dingtalk.token not in logged and "SECwrong" not in logged and "sign=" not in logged
    # a blank secret field keeps what is stored
    data = {
        "unit": unit.pk,
        "name": "经信局联企群",
        "channel": "dingtalk",
        "message_format": "text",
        "position": 0,
        "is_active": "on",
        "webhook_input": "",
        "secret_input": "",
    }
    assert client.post(reverse("admin:jobs_unitrobot_change", args=[saved.pk]), data).status_code == 302
    saved.refresh_from_db()
    assert saved.secret.reveal() == "SECwrong" and saved.webhook.reveal() == dingtalk.webhook


def test_a_secret_may_name_an_environment_variable(unit, dingtalk, monkeypatch):
    monkeypatch.setenv("TX_ROBOT_JXJ_SECRET", dingtalk.secret)
    saved = robot(unit, dingtalk, secret="env:TX_ROBOT_JXJ_SECRET")
    assert saved.secret.env_name() == "TX_ROBOT_JXJ_SECRET"
    reminders.send_visit_reminders(D30)
    assert len(dingtalk.accepted) == 1
    monkeypatch.delenv("TX_ROBOT_JXJ_SECRET")
    log = services.send_test_message(robot=saved)
    assert log.status == "failed" and "环境变量 TX_ROBOT_JXJ_SECRET 未设置" in log.last_error


def test_an_address_that_is_not_a_url_is_refused_without_being_named(unit, monkeypatch, caplog):
    monkeypatch.setenv("TX_ROBOT_HOOK", "oapi.dingtalk.com/robot/send?access_token=leaky-token")
    saved = services.save_robot(
        UnitRobot(unit=unit, name="群", channel="dingtalk"), webhook="env:TX_ROBOT_HOOK"
    )
    log = services.send_test_message(robot=saved)
    assert log.status == "failed" and "not an http(s) address" in log.last_error
    assert "leaky-token" not in log.last_error + caplog.text


def test_keys_rotate_and_a_foreign_key_is_refused_not_guessed(unit, dingtalk, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SECRETS_KEYS = [old]
    saved = robot(unit, dingtalk)
    settings.SECRETS_KEYS = [new, old]  # the new key first; the old one still reads
    saved.refresh_from_db()
    assert saved.secret.reveal() == dingtalk.secret
    assert Sealed(seal("x")).reveal() == "x"
    settings.SECRETS_KEYS = [new]  # the old key dropped too soon
    saved.refresh_from_db()
    log = services.send_test_message(robot=saved)
    assert log.status == "failed" and "无法解密" in log.last_error and dingtalk.requests == []


# -- the admin: robots, preferences, test messages -------------------------------------


def test_staff_send_a_test_message_to_a_robot_from_the_admin(unit, dingtalk, client):
    saved = robot(unit, dingtalk, form="text")
    client.force_login(f.user_with_role("liaison_staff", username="office", staff=True))
    response = client.post(
        reverse("admin:jobs_unitrobot_changelist"),
        {"action": "send_test", "_selected_action": [saved.pk]},
        follow=True,
    )
    assert "测试消息已发给“市经信局工作群”（钉钉群机器人）。" in response.content.decode()
    (request,) = dingtalk.accepted
    assert request.body["text"]["content"].startswith("【测试】桐乡市联企联络系统的消息渠道")
    log = ReminderLog.objects.get(kind="test")
    assert log.unit == unit and states(log) == [("dingtalk", "sent")]


def test_a_failed_test_message_says_why_at_once(unit, client):
    with DingTalkReceiver() as gone:
        saved = robot(unit, gone)
    client.force_login(f.user_with_role("liaison_staff", username="office", staff=True))
    response = client.post(
        reverse("admin:jobs_unitrobot_changelist"),
        {"action": "send_test", "_selected_action": [saved.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "“市经信局工作群”的测试消息未送达：钉钉群机器人：无法连接" in page
    assert ReminderLog.objects.get(kind="test").status == "failed"  # a test is tried once, now


def test_staff_set_a_persons_channels_and_test_them(unit, gateway, client):
    client.force_login(f.user_with_role("liaison_staff", username="office", staff=True))
    response = client.post(
        reverse("admin:jobs_channelpreference_add"),
        {"username": "ye", "first": "sms", "second": "email", "third": ""},
    )
    assert response.status_code == 302
    ye = unit.cadres.get(name="叶文海").user
    assert ye.channel_preference.codes == ["sms", "email"]
    page = client.get(reverse("admin:jobs_channelpreference_changelist")).content.decode()
    assert "短信 → 电子邮件" in page
    gateway.script = [(400, {"code": 400, "message": "blocked"})]  # the gateway refuses: fall back to email
    response = client.post(
        reverse("admin:jobs_channelpreference_changelist"),
        {"action": "send_test", "_selected_action": [ye.channel_preference.pk]},
        follow=True,
    )
    assert "测试消息已发给“ye”（电子邮件）。" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["ye@tx.gov.cn"]]
    log = ReminderLog.objects.get(kind="test")
    assert states(log) == [("sms", "failed"), ("email", "sent")]
    response = client.post(
        reverse("admin:jobs_channelpreference_add"), {"username": "nobody", "first": "sms"}
    )
    assert "没有登录名为“nobody”的用户。" in response.content.decode()


def test_a_new_channel_plugs_in_without_touching_the_reminders(unit, monkeypatch):
    sent = []

    class Pager(channels.Channel):
        code, label = "pager", "寻呼机"

        def address(self, contact):
            return f"pager-{contact.user_id}"

        def send(self, address, message):
            sent.append((address, message.subject))
            return "ok"

    monkeypatch.setattr(channels, "REGISTRY", dict(channels.REGISTRY))
    channels.register(Pager)
    services.set_channels(unit.cadres.get(name="叶文海").user, ["pager", "email"])
    result = reminders.send_visit_reminders(D30)
    assert result.channels == {"email": 1, "pager": 1}
    assert sent == [
        (
            f"pager-{unit.cadres.get(name='叶文海').user_id}",
            "【提醒】2026Q4 还有 2 家联系企业未走访（季末前30天）",
        )
    ]


# -- two concurrent runs on PostgreSQL ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_message_once_on_every_channel(postgres, role_groups, settings):
    """Two workers run the same day at the same instant: every robot, the SMS
    gateway and the mail server get each message once."""
    with DingTalkReceiver() as dingtalk, WeComReceiver() as wecom, SmsGatewayReceiver() as gateway:
        settings.SMS_BACKEND, settings.SMS_HTTP_URL = "http", gateway.url()
        settings.SMS_HTTP_TOKEN = gateway.token
        units = [f.UnitFactory(name=f"单位{n}") for n in range(4)]
        robot(units[0], dingtalk, replaces_personal=False)
        robot(units[1], wecom, channel="wecom", replaces_personal=False)
        for n in range(12):
            cadre = f.CadreFactory(unit=units[n % 4], email=f"c{n}@tx.gov.cn")
            user = f.user_with_role("cadre", cadre=cadre, username=f"c{n}")
            if n % 3 == 0:
                services.set_channels(user, ["sms", "email"])
            f.PairingFactory(cadre=cadre, start_date=D(2026, 3, 27))
        assert at_once(lambda: reminders.send_visit_reminders(D30)) == []
        assert len(dingtalk.requests) == 1 and len(wecom.requests) == 1
        assert sorted(r.body["mobile"] for r in gateway.requests) == sorted(
            f.CadreFactory._meta.model.objects.filter(
                user__username__in=["c0", "c3", "c6", "c9"]
            ).values_list("mobile", flat=True)
        )
        assert sorted(m.to[0] for m in mail.outbox) == sorted(f"c{n}@tx.gov.cn" for n in range(12) if n % 3)
        assert ChannelDelivery.objects.filter(status="sent").count() == 14
        assert ReminderLog.objects.exclude(status="sent").count() == 0


def test_a_default_chain_naming_an_unknown_channel_stops_the_check(settings):
    from jobs.checks import channel_settings

    assert channel_settings() == []
    settings.REMINDER_CHANNELS = ["sms", "fax"]
    (error,) = channel_settings()
    assert error.id == "jobs.E001" and "fax" in error.msg and "email, sms" in error.hint


def test_settle_puts_right_a_reminder_whose_worker_died_after_its_channel_took_it(unit):
    reminders.send_visit_reminders(D30)
    log = ReminderLog.objects.filter(kind="visit").first()
    ReminderLog.objects.filter(pk=log.pk).update(status="sending", sent_at=None)  # died before the summary
    assert delivery.settle() == 1 and delivery.settle() == 0
    log.refresh_from_db()
    assert log.status == "sent" and log.sent_at is not None and len(mail.outbox) == 2
