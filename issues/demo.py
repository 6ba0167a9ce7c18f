"""Demo issue-list items, moved along their path, so a demo shows items at
every stage, slips in a department's inbox, overdue ones, escalations to the
city leaders (some instructed), and a timeline on each.

The story is told once, to one of two writers with the same steps: the real
services, one item at a time (:class:`ThroughServices`), or, for a city's
100,000 items, :class:`issues.bulk.BulkIssueList`, which leaves the same rows
in a few inserts per batch of items."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from cadres.models import Cadre, Unit
from visits.models import ProblemCategory, Visit

from . import services, workflow
from .bulk import BulkIssueList
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
BATCH = 2000  # items the bulk writer keeps in memory before writing them
#: the steps below the office an item climbs (R12): the step, its comment, the
#: share of items resolved there (cumulative), that comment, days it took
LADDER = (
    (S.CONTACT, "联系人办理", 0.35, "联系人协调解决", 20),
    (S.UNIT, "提交单位协调", 0.5, "单位协调解决", 40),
)


class ThroughServices:
    """The steps of :class:`issues.bulk.BulkIssueList`, each through its service."""

    def create(self, item, *, cadre=None, by=None, comment=""):
        item.save(force_insert=True)
        workflow.record_creation(item, by=by, cadre=cadre, comment=comment)
        return item

    move = staticmethod(workflow.move)
    refer = staticmethod(services.refer)
    answer = staticmethod(services.answer)
    accept = staticmethod(services.accept)
    escalate = staticmethod(services.escalate)
    record_instruction = staticmethod(services.record_instruction)

    def flush(self):
        pass


def _resolved_below_office(desk, item, stage, office, day, today):
    """Climb the item up :data:`LADDER`; True once it is resolved on a step."""
    for step, comment, share, resolution, days in LADDER:
        desk.move(item, step, by=office, comment=comment)
        if stage < share:
            on = min(day + datetime.timedelta(days=days), today)
            desk.move(item, S.RESOLVED, by=office, comment=resolution, on=on)
            return True
    return False


@transaction.atomic
def build_issues(count: int, *, seed: int, today: datetime.date, bulk: bool = True) -> int:
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
    chosen = rng.sample(visits, min(count, len(visits)))
    # The cadres named on the timelines, read at once.
    reporters = Cadre.objects.only("name").in_bulk({cadre_id for _pk, _e, cadre_id, _day in chosen})
    desk = BulkIssueList() if bulk else ThroughServices()
    made = escalated = 0
    for pk, enterprise_id, cadre_id, day in chosen:
        if made and made % BATCH == 0:
            desk.flush()
        category = rng.choice(ProblemCategory.values)
        item = desk.create(
            IssueItem(
                enterprise_id=enterprise_id,
                visit_id=pk,
                reporter_id=cadre_id,
                source=IssueItem.Source.VISIT,
                category=category,
                description=DESCRIPTIONS[category],
                reported_on=day,
            ),
            cadre=reporters[cadre_id],
            comment="走访反馈表提交",
        )
        made += 1
        stage = rng.random()
        if stage < 0.15:
            continue  # still new
        if _resolved_below_office(desk, item, stage, office, day, today):
            continue
        desk.move(item, S.OFFICE, by=office, comment="上报市联络办")
        if stage < 0.58 or not departments:
            continue
        if stage < 0.66 and leaders and len(departments) >= 2:
            # A problem for several departments goes to a city leader (R13);
            # half of them carry the leader's instruction already.
            # Every third to the first city leader (the demo's 领导 login), so
            # the leader's page has slips to instruct.
            leader = leaders[0] if escalated % 3 == 0 else leaders[escalated % len(leaders)]
            escalated += 1
            escalation = desk.escalate(
                item,
                leader=leader,
                departments=rng.sample(departments, 2),
                by=office,
                request="涉及多个部门，请市领导协调。",
                on=min(day + datetime.timedelta(days=rng.randint(5, 20)), today),
            )
            if rng.random() < 0.5 and leader.user is not None:
                desk.record_instruction(
                    escalation, instruction="请相关部门联合办理，两周内反馈。", by=leader.user
                )
            continue
        department = economy if rng.random() < 0.3 else rng.choice(departments)
        issued = min(day + datetime.timedelta(days=rng.randint(5, 30)), today)
        slip = desk.refer(item, department=department, by=office, on=issued)
        if slip.deadline < today and rng.random() < 0.6:
            # Most departments finish in time; some a week or two late.
            late = rng.random() < 0.25
            done = slip.deadline + datetime.timedelta(days=rng.randint(1, 14) if late else -rng.randint(0, 5))
            done = max(min(done, today), slip.issued_on)
            desk.answer(slip, measures="上门协调", result="已协调解决", by=office, on=done)
            desk.accept(slip, by=office, on=done)
    desk.flush()
    return made
