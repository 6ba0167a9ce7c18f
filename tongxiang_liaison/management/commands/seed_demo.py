"""Build deterministic demo data and print one login per role.

Safe to run twice: when enterprises already exist it leaves the data alone and
only (re)sets the demo logins.

Two paths build the same world from the same seed (``--path``): through the
services, one row at a time, or in bulk, each app's demo module writing what
its services would leave (rows, history, timeline events, serial numbers,
visit credits) in a few inserts per batch; ``auto`` (the default) takes the
services up to ``SERVICES_UP_TO`` enterprises and bulk above. A city's
100,000 enterprises and 1,000,000 visits take minutes in bulk, hours through
the services; ``tests/test_seed_paths.py`` holds the two worlds equal."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from cadres.demo import DEMO_PASSWORD, DemoBuilder, ensure_demo_logins, office_login
from coordination.demo import build_coordination
from dashboards import closing, figures
from enterprises.models import Enterprise
from issues.demo import build_issues
from issues.services import mark_all_handed_off
from multiplication.demo import build_registry
from tabular.history import acting_as
from visits.demo import build_visits
from visits.quarters import Quarter, recent

SERVICES_UP_TO = 50  # enterprises: the small worlds of the history tests go through the services


class Command(BaseCommand):
    help = "生成演示数据（确定性，可指定规模）并打印各角色的演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=300, help="企业数量")
        parser.add_argument("--cadres", type=int, default=150, help="干部数量")
        parser.add_argument("--visits", type=int, default=None, help="走访反馈表数量（默认约每对结对 4 次）")
        parser.add_argument(
            "--links-per-cadre", type=int, default=None, help="每名干部至少联系的企业数（压测用）"
        )
        parser.add_argument(
            "--issues", type=int, default=None, help="问题清单事项数量（默认约每三对结对一项）"
        )
        parser.add_argument("--seed", type=int, default=2014, help="随机种子：同一种子生成相同数据")
        parser.add_argument(
            "--path",
            choices=["auto", "services", "bulk"],
            default="auto",
            help=f"写入方式：逐条经业务服务，或批量写入（结果相同）；auto：{SERVICES_UP_TO} 家企业以内逐条",
        )

    def handle(self, *args, enterprises, cadres, visits, issues, links_per_cadre, seed, path, **options):
        if Enterprise.objects.exists():
            self.stdout.write("数据库中已有企业数据，跳过生成，只重置演示账号。 / Data exists; logins only.")
        else:
            today = timezone.localdate()
            started = time.perf_counter()
            bulk = path == "bulk" or (path == "auto" and enterprises > SERVICES_UP_TO)
            # The office's login is named in the change history of every demo
            # write, and issues the demo slips.
            drawn = {"seed": seed, "today": today, "bulk": bulk}  # how every part of the demo is drawn
            with acting_as(office_login()):
                counts = DemoBuilder(
                    enterprises=enterprises, cadres=cadres, links_per_cadre=links_per_cadre, **drawn
                ).build()
                wanted = counts["pairings"] * 4 if visits is None else visits
                counts["visits"] = build_visits(wanted, **drawn)
                ensure_demo_logins()  # the leaders' logins record instructions
                counts["issues"] = build_issues(
                    issues if issues is not None else counts["pairings"] // 3, **drawn
                )
                counts["memberships"] = build_registry(**drawn)
                counts["meetings"] = build_coordination(seed=seed, today=today)
            mark_all_handed_off()  # the demo's past steps are history: nobody is told of them now
            for quarter in recent(Quarter.of(today), 8):  # the dashboard's trend
                figures.build(quarter)
            # The quarters whose closing day has passed are closed, as the daily job would have (issue 16).
            counts["closed"] = len(closing.close_due(today)["closed"])
            self.stdout.write(
                f"已生成：企业 {counts['enterprises']} 家，干部 {counts['cadres']} 名，"
                f"结对 {counts['pairings']} 对，走访 {counts['visits']} 次，问题 {counts['issues']} 项，"
                f"分类库记录 {counts['memberships']} 条，形势分析会 {counts['meetings']} 次，"
                f"已关账季度 {counts['closed']} 个"
                f"（{'批量写入' if bulk else '逐条经业务服务'}，{time.perf_counter() - started:.1f} 秒）。"
            )
        logins = ensure_demo_logins()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {DEMO_PASSWORD}）/ Demo logins:"))
        for login in logins:
            self.stdout.write(f"  {login.username:<12} {login.role:<10} {login.who}")
