"""Count the dashboard's figures for one quarter or the recent ones (for cron
sites, a new installation, or after a large import). Safe to run twice:
each quarter's cells are replaced in one transaction."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dashboards import figures
from visits.quarters import Quarter, recent


class Command(BaseCommand):
    help = "统计看板数据（指定季度，或最近若干个季度）。"

    def add_arguments(self, parser):
        parser.add_argument("--quarter", help="季度，如 2026Q3；默认本季度")
        parser.add_argument(
            "--recent", type=int, default=1, help="从该季度往前共统计几个季度（看板走势需要 8 个）"
        )

    def handle(self, *args, quarter=None, **options):
        try:
            last = Quarter.parse(quarter) if quarter else Quarter.of(timezone.localdate())
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for q in recent(last, max(1, options["recent"])):
            build = figures.build(q)
            self.stdout.write(f"{q}：已统计（{build.seconds} 秒）。")
