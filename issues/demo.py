"""Demo issue-list items, moved along their path through the real services,
so a demo shows items at every stage, slips in a department's inbox, overdue
ones, escalations to the city leaders (some instructed), and a timeline on each."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from cadres.models import Cadre, Unit
from visits.models import ProblemCategory, Visit

from . import services, workflow
from .models import IssueItem

DESCRIPTIONS = {
    "labour": "一线操作工招工难，旺季缺口约三十人。",
    "environment": "印染废水纳管指标紧张，希望协调排放总量。",
    "funding": "流动资金贷款到期续贷困难。",
    "technology": "新产品检测需送外地，周期长。",
    "talent": "缺少研发人员，人才公寓名额不足。",
    "market": "外贸订单下滑，希望参加展会拓展内销。",
    "upgrading": "计划淘汰落后设备，技改项目审批进度慢。",
    "other": "厂区道路破损，影响物流车辆通行。",
}
S = IssueItem.Status


@transaction.atomic
def build_issues(count: int, *, seed: int, today: datetime.date) -> int:
    """Create ``count`` items from submitted visits and move them along."""
    if count <= 0:
        return 0
    rng = random.Random(seed)
    office = get_user_model().objects.filter(is_superuser=False, is_staff=True).order_by("pk").first()
    office = office or get_user_model().objects.get_or_create(username="lianluoban")[0]
    departments = list(Unit.objects.filter(kind=Unit.Kind.DEPARTMENT).order_by("sort_order"))
    leaders = list(Cadre.objects.filter(rank=Cadre.Rank.CITY_LEADER).select_related("user").order_by("pk"))
    economy = next((d for d in departments if d.name == "市经信局"), departments[0] if departments else None)
    visits = list(
        Visit.objects.filter(status=Visit.Status.SUBMITTED, visit_date__year=today.year)
        .order_by("pk")
        .values_list("pk", "enterprise_id", "cadre_id", "visit_date")[: count * 3]
    )
    made = escalated = 0
    for pk, enterprise_id, cadre_id, day in rng.sample(visits, min(count, len(visits))):
        category = rng.choice(ProblemCategory.values)
        item = IssueItem.objects.create(
            enterprise_id=enterprise_id,
            visit_id=pk,
            reporter_id=cadre_id,
            category=category,
            description=DESCRIPTIONS[category],
            reported_on=day,
        )
        workflow.record_creation(item, cadre=item.reporter, comment="走访反馈表提交")
        made += 1
        stage = rng.random()
        if stage < 0.15:
            continue  # still new
        workflow.move(item, S.CONTACT, by=office, comment="联系人办理")
        if stage < 0.35:
            workflow.move(
                item,
                S.RESOLVED,
                by=office,
                comment="联系人协调解决",
                on=min(day + datetime.timedelta(days=20), today),
            )
            continue
        workflow.move(item, S.UNIT, by=office, comment="提交单位协调")
        if stage < 0.5:
            workflow.move(
                item,
                S.RESOLVED,
                by=office,
                comment="单位协调解决",
                on=min(day + datetime.timedelta(days=40), today),
            )
            continue
        workflow.move(item, S.OFFICE, by=office, comment="上报市联络办")
        if stage < 0.58 or not departments:
            continue
        if stage < 0.66 and leaders and len(departments) >= 2:
            # A problem for several departments goes to a city leader (R13);
            # half of them carry the leader's instruction already.
            # Every third to the first city leader (the demo's 领导 login), so
            # the leader's page has slips to instruct.
            leader = leaders[0] if escalated % 3 == 0 else leaders[escalated % len(leaders)]
            escalated += 1
            escalation = services.escalate(
                item,
                leader=leader,
                departments=rng.sample(departments, 2),
                by=office,
                request="涉及多个部门，请市领导协调。",
                on=min(day + datetime.timedelta(days=rng.randint(5, 20)), today),
            )
            if rng.random() < 0.5 and leader.user is not None:
                services.record_instruction(
                    escalation, instruction="请相关部门联合办理，两周内反馈。", by=leader.user
                )
            continue
        department = economy if rng.random() < 0.3 else rng.choice(departments)
        issued = min(day + datetime.timedelta(days=rng.randint(5, 30)), today)
        slip = services.refer(item, department=department, by=office, on=issued)
        if slip.deadline < today and rng.random() < 0.6:
            # Most departments finish in time; some a week or two late.
            late = rng.random() < 0.25
            done = slip.deadline + datetime.timedelta(days=rng.randint(1, 14) if late else -rng.randint(0, 5))
            done = max(min(done, today), slip.issued_on)
            services.answer(slip, measures="上门协调", result="已协调解决", by=office, on=done)
            services.accept(slip, by=office, on=done)
    return made
