"""No raw code reaches a Chinese user in the admin: the third-party apps
(django-axes, django-celery-beat) have Chinese app, model, column and section
names; the change history shows a status's label, not its code; the reminder
log and the reminder command show kinds and stages by their labels."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from issues import workflow
from issues.models import IssueItem
from tests import factories as f
from tests.permission_world import NONE_SHOWN
from tests.test_crawl import admin_urls
from tests.test_no_rule_ids import visible_text

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def superuser(client):
    user = f.user_with_role("liaison_staff", username="lianluoban")
    user.is_superuser = True
    user.save()
    client.force_login(user)
    return user


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return visible_text(response.content.decode())


def test_the_login_records_read_in_chinese(client, superuser):
    attempt = AccessAttempt.objects.create(
        username="ganbu", ip_address="127.0.0.1", user_agent="Mozilla", http_accept="*/*",
        path_info="/login/", get_data="", post_data="username=ganbu", failures_since_start=3,
    )  # fmt: skip
    index = page_text(client, reverse("admin:index"))
    assert "登录安全" in index and "登录失败记录" in index and "登录日志" in index
    assert not re.search(r"(?i)\baxes\b|access attempts|access logs|access failure", index)

    listing = page_text(client, reverse("admin:axes_accessattempt_changelist"))
    for label in ("时间", "IP 地址", "用户名", "失败次数", "还可尝试 2 次", "是否已锁定"):
        assert label in listing
    assert not re.search(r"User Agent|Attempt Time|Failed Logins|Locked Out|Attempt Remaining", listing)

    detail = page_text(client, reverse("admin:axes_accessattempt_change", args=[attempt.pk]))
    assert "表单内容" in detail and "浏览器信息" in detail and "提交内容（POST）" in detail
    assert not re.search(r"Attempted Access|Form Data|Meta Data|GET Data|HTTP Accept", detail)
    for name in ("accesslog", "accessfailurelog"):
        text = page_text(client, reverse(f"admin:axes_{name}_changelist"))
        assert not re.search(r"User Agent|Attempt Time|IP Address|Path\b", text), name


def test_the_schedules_read_in_chinese(client, superuser):
    crontab = CrontabSchedule.objects.create(minute="0", hour="6", day_of_month="1", month_of_year="1,4,7,10",
                                             timezone="Asia/Shanghai")  # fmt: skip
    task = PeriodicTask.objects.create(
        name="测试用季度报表", task="jobs.build_quarterly_report", crontab=crontab
    )
    listing = page_text(client, reverse("admin:django_celery_beat_crontabschedule_changelist"))
    assert "在 06:00，每月的 1 号，仅在 1月、4月、7月、10月" in listing and "执行时间说明" in listing
    assert not re.search(r"(?i)human readable|January|At 06:00", listing)
    tasks = page_text(client, reverse("admin:django_celery_beat_periodictask_changelist"))
    assert "执行计划" in tasks and not re.search(r"(?i)scheduler|Task Name", tasks)
    response = client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk]))
    page = response.content.decode()
    text = visible_text(page)
    assert "执行时间" in text and "参数" in text and "执行选项" in text
    assert not re.search(r"\bSchedule\b|Arguments|Execution Options", text)
    assert "Translation:" not in page and "执行时间说明" in page


def test_the_change_history_shows_status_labels_not_codes(client, superuser):
    item = IssueItem.objects.create(
        enterprise=f.EnterpriseFactory(), reporter=f.CadreFactory(), category="labour", description="招工难",
        status=IssueItem.Status.UNIT,
    )  # fmt: skip
    workflow.move(item, IssueItem.Status.OFFICE, by=superuser)
    text = page_text(client, reverse("admin:issues_issueitem_history", args=[item.pk]))
    assert "单位协调" in text and "联络办受理" in text, text
    assert not re.search(r"\bunit\b|\boffice\b", text)


def test_the_reminder_log_shows_kinds_and_stages_by_their_labels(client, superuser):
    recipient = f.UserFactory()
    first, _visit, _slip = (
        f.ReminderLogFactory(recipient=recipient, kind=kind, period=period, stage=stage, subject=subject)
        for kind, period, stage, subject in (
            ("first_visit", "2026", "first_visit", "首次走访提醒"),
            ("visit", "2026Q4", "d30", "走访"),
            ("slip", "桐联企交〔2026〕第0001号", "overdue", "交办单"),
        )
    )
    listing = page_text(client, reverse("admin:jobs_reminderlog_changelist"))
    for label in (
        "首次走访提醒",
        "首次走访截止前",
        "季度走访提醒",
        "季末前 30 天",
        "交办单期限提醒",
        "已逾期",
    ):
        assert label in listing
    assert not re.search(r"\b(first_visit|d30|visit|slip|overdue)\b", listing)
    detail = page_text(client, reverse("admin:jobs_reminderlog_change", args=[first.pk]))
    assert "首次走访提醒" in detail and "first_visit" not in detail
    filtered = page_text(client, reverse("admin:jobs_reminderlog_changelist") + "?stage=d30")
    assert "走访" in filtered and "首次走访截止前" in filtered  # the filter offers every stage by label


def test_the_reminder_command_names_its_stages(capsys):
    cadre = f.CadreFactory()
    f.user_with_role("cadre", cadre=cadre)
    f.PairingFactory(cadre=cadre, start_date=D(2026, 3, 27))
    call_command("send_visit_reminders", "--date", "2027-01-03")
    out = capsys.readouterr().out
    assert "阶段 季度已结束未走访 2026Q4" in out
    assert "overdue" not in out


def test_every_schedule_page_names_its_tasks_in_chinese(client, superuser):
    from django_celery_beat.models import IntervalSchedule

    interval = IntervalSchedule.objects.create(every=10, period="minutes")
    text = page_text(client, reverse("admin:django_celery_beat_intervalschedule_change", args=[interval.pk]))
    assert "使用此计划的周期任务" in text and "Periodic Tasks Using This Schedule" not in text


ENGLISH_LABEL = re.compile(r"[A-Za-z][\x20-\x7e]*")


def _english_labels(page):
    """Field labels and help texts (forms, read-only rows, inline column
    heads) in English only: a field with no Chinese name reaching the office."""
    labels = re.findall(r"<label[^>]*>([^<]+)</label>", page)
    labels += re.findall(r'<th class="column-[^"]*"[^>]*>\s*([^<]+?)\s*<', page)
    labels += re.findall(r'<div class="help"[^>]*>\s*(?:<div>)?\s*([^<]+?)\s*<', page)
    found = {label.strip().rstrip(":：").strip() for label in labels}
    return sorted(label for label in found if ENGLISH_LABEL.fullmatch(label) and label != "ID")


def test_every_admin_page_names_its_fields_in_chinese_on_the_demo_world(client):
    """The product's own data (seed_demo), a cadre's draft among it (read-only
    to staff): every registered model's pages the crawl opens, and the draft's,
    name each field in Chinese and show no Python ``None``."""
    import io

    from django.contrib import admin

    call_command("seed_demo", enterprises=30, cadres=30, stdout=io.StringIO())
    draft = f.VisitFactory()  # its admin page is read-only
    f.ReminderLogFactory()  # the demo sends none
    client.force_login(get_user_model().objects.create_superuser("root", password="pw-for-tests-only"))
    wrong, read = [], 0
    # The crawl's pages (lists, add, export, sample rows and their history), and the draft's.
    urls = [url for _label, url, _row in admin_urls()] + [
        reverse("admin:visits_visit_change", args=[draft.pk])
    ]
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue  # a page no one may open (an add page of a record) is the admin matrix's
        read += 1
        page = response.content.decode()
        if english := _english_labels(page):
            wrong.append(f"{url}: {english}")
        if NONE_SHOWN.search(visible_text(page)):
            wrong.append(f"{url}: None shown")
    assert read > 2 * len(admin.site._registry)  # the lists, and the rows' pages
    assert not wrong, "\n".join(wrong)
