"""Build a quarter's resolution-rate report (R16) now, without a worker."""

import shutil

from django.core.management.base import BaseCommand, CommandError

from jobs import reminders, report
from visits.quarters import Quarter


class Command(BaseCommand):
    help = "生成季度联企问题解决率报表（xlsx）。"

    def add_arguments(self, parser):
        parser.add_argument("--quarter", required=True, help="季度，如 2026Q3")
        parser.add_argument("--output", help="另存一份到此路径")

    def handle(self, *args, quarter, output=None, **options):
        try:
            q = Quarter.parse(quarter)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        built = report.build_report(q)
        reminders.send_report_ready(built)
        if output:
            shutil.copyfile(built.file.path, output)
        self.stdout.write(
            f"{q} 报表已生成：{built.file.name}（{built.size} 字节）"
            + (f"，另存为 {output}" if output else "")
        )
