"""For sites that prefer cron to Celery beat: the same run as the daily task.
Safe to run twice: each message goes once."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jobs import channels, labels, reminders


def summary(what, day, result):
    """``2026-12-01 走访提醒：5 条，新发 5，成功 5，失败 0（电子邮件 4、钉钉群机器人 1）。``"""
    by_channel = "、".join(f"{channels.label(code)} {n}" for code, n in result.channels.items())
    return (
        f"{day} {what}：{result.messages} 条，新发 {result.claimed}，成功 {result.sent}，失败 {result.failed}"
        + (f"（{by_channel}）" if by_channel else "")
        + (f"，{result.deferred} 条因群机器人限速稍后发送" if result.deferred else "")
        + "。"
    )


class Command(BaseCommand):
    help = "发送走访提醒（每季度各阶段每人一条，重复运行不会重复发送）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天运行（YYYY-MM-DD），默认今天")
        parser.add_argument("--slips", action="store_true", help="同时发送交办单期限提醒")
        parser.add_argument("--meetings", action="store_true", help="同时发送形势分析会提醒")

    def handle(self, *args, date=None, slips=False, meetings=False, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"日期“{date}”格式不正确，应为 YYYY-MM-DD。 / Bad date.") from None
        stages = (
            "、".join(
                f"{labels.stage_label(s.name)} {s.period}"
                for s in reminders.visit_stages(day) + reminders.first_visit_stages(day)
            )
            or "—"
        )
        self.stdout.write(summary(f"走访提醒（阶段 {stages}）", day, reminders.send_visit_reminders(day)))
        if slips:
            self.stdout.write(summary("交办单提醒", day, reminders.send_slip_reminders(day)))
        if meetings:
            self.stdout.write(summary("形势分析会提醒", day, reminders.send_meeting_reminders(day)))
