"""The default schedules of the jobs, in one table, installed in
django-celery-beat (Asia/Shanghai) after every ``migrate``, so the office can
change the times in the admin.

Connected to ``post_migrate`` by ``JobsConfig.ready``; no migration calls it.
Safe to run again: an entry that exists (by name) keeps the times and the
switch the office set, so ``migrate`` never undoes the office's choices; a new
entry of this table reaches a database at its next ``migrate``."""

from dataclasses import asdict, dataclass

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    minute: str = "0"
    hour: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    day_of_week: str = "*"

    def times(self):
        """Its crontab fields: all but the name and the task."""
        times = asdict(self)
        del times["name"], times["task"]
        return times


SCHEDULES = (
    Schedule("每日走访提醒", "jobs.send_overdue_visit_reminders", minute="0", hour="8"),
    Schedule("每日交办单期限提醒", "jobs.send_slip_deadline_reminders", minute="10", hour="8"),
    Schedule("重试发送失败的提醒", "jobs.retry_failed_reminders", minute="*/5"),
    Schedule(
        "季度问题解决率报表",
        "jobs.build_quarterly_report",
        minute="0",
        hour="6",
        day_of_month="1",
        month_of_year="1,4,7,10",
    ),
    Schedule("看板数据统计", "jobs.refresh_dashboard_figures", minute="*/30"),
    Schedule("每日形势分析会提醒", "jobs.send_meeting_reminders", minute="20", hour="8"),
    Schedule("交接通知（每分钟）", "jobs.hand_off", minute="*"),
    Schedule("季度关账（每日）", "jobs.close_quarters", minute="30", hour="2"),
    Schedule("企业评价逾期默认满意（每日）", "jobs.deem_confirmations", minute="15", hour="1"),
)


def install_schedules(sender=None, using="default", **kwargs):
    """post_migrate: create the entries of ``SCHEDULES`` that are missing."""
    if sender is not None and sender.label != "jobs":
        return
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    for entry in SCHEDULES:
        if PeriodicTask.objects.using(using).filter(name=entry.name).exists():
            continue
        crontab, _created = CrontabSchedule.objects.using(using).get_or_create(
            **entry.times(), timezone=TIMEZONE
        )
        PeriodicTask.objects.using(using).create(name=entry.name, task=entry.task, crontab=crontab)
