"""Demo coordination data: which departments answer for which problem
categories (with a few more service items), each coordinator's meetings over
the last quarters (half of them have not met yet this quarter, so the
dashboard and the reminders have something to show), and published good
practices linked to resolved items."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from cadres.models import Cadre, CoordinatorRegion, ServiceItem, Unit
from issues.models import IssueItem
from visits.models import ProblemRemit
from visits.quarters import Quarter, recent

from . import services
from .models import GoodPractice, Meeting

REMITS = {
    "labour": ["市人社局"],
    "environment": ["市环保局"],
    "funding": ["市金融办", "市财政局", "人民银行桐乡市支行"],
    "technology": ["市科技局", "市经信局"],
    "talent": ["市人社局", "市科技局"],
    "market": ["市商务局"],
    "upgrading": ["市经信局", "市发改局"],
    "other": ["市住建局", "市交通运输局", "国网桐乡市供电公司"],
}
SERVICES = {
    "市人社局": ("用工招聘对接会", "每季度组织企业与职业院校、外地劳务基地对接，解决一线用工缺口。"),
    "市环保局": ("排污许可和总量指标咨询", "指导企业办理排污许可，协调印染、化纤企业的排放总量指标。"),
    "市金融办": ("转贷应急资金", "为暂时困难的企业提供转贷过桥资金，降低续贷成本。"),
    "市科技局": (
        "高新技术企业培育辅导",
        "高企申报辅导和研发费用归集培训，服务六大倍增中的高新技术企业倍增。",
    ),
    "市商务局": ("外贸企业展会补助", "组织企业参加境内外展会，按规定给予展位补助。"),
    "市经信局": ("技改项目备案和补助", "技术改造项目备案、设备投资补助申报，推动退低进高。"),
}
STORIES = [
    ("濮院镇毛衫企业用工“点对点”对接", "practice", "人社局与镇联络员建立招工群，旺季前完成对接。"),
    ("转贷应急资金帮助纺织企业渡过续贷难关", "story", "金融办一周内完成转贷审批，企业按期续贷。"),
    (
        "联系干部三年走访百余次，助企业成功申报高新技术企业",
        "deed",
        "坚持每季度上门，帮助企业规范研发费用归集。",
    ),
    ("“一企一策”推动印染企业退低进高", "practice", "经信、环保联合服务，企业淘汰落后产能并完成技改。"),
]


@transaction.atomic
def build_coordination(*, seed: int, today: datetime.date) -> int:
    """Build the demo coordination data; returns the number of meetings."""
    rng = random.Random(seed + 31)
    units = {u.name: u for u in Unit.objects.all()}
    for category, names in REMITS.items():
        for name in names:
            if name in units:
                ProblemRemit.objects.get_or_create(unit=units[name], category=category)
    ServiceItem.objects.bulk_create(
        ServiceItem(
            unit=units[name], title=title, description=text, sort_order=1, contact_phone="0573-88000000"
        )
        for name, (title, text) in SERVICES.items()
        if name in units
    )
    office = get_user_model().objects.filter(is_staff=True, is_superuser=False).order_by("pk").first()
    leaders = list(Cadre.objects.filter(rank=Cadre.Rank.CITY_LEADER, is_active=True).order_by("pk"))
    heads = list(Cadre.objects.filter(pk__in=Unit.objects.values("principal_leader")).order_by("pk"))
    meetings = 0
    current = Quarter.of(today)
    for index, coordinator in enumerate(Cadre.objects.filter(is_coordinator=True).order_by("pk")):
        places = [
            r.place
            for r in CoordinatorRegion.objects.filter(cadre=coordinator)
            .select_related("place")
            .order_by("pk")
        ]
        place_ids = [p.pk for p in places]
        for quarter in recent(current, 5):
            if quarter == current and index % 2:
                continue  # not yet this quarter: the reminder's case
            held_on = min(quarter.first_day + datetime.timedelta(days=rng.randint(20, 80)), today)
            meeting = Meeting(
                coordinator=coordinator,
                held_on=held_on,
                location=f"{places[0].name}会议室" if places else "市行政中心",
                topics="分析本区域企业生产经营形势，研究用工、资金、要素保障等突出问题。",
                decisions="对涉及多个部门的问题，由区域总协调人牵头协调；一周内反馈办理情况。",
                invited_officials=f"{places[0].name}分管工业副镇长" if places else "",
                invited_owners="区域内重点企业负责人三名",
            )
            candidates = list(
                IssueItem.objects.filter(enterprise__place_id__in=place_ids, reported_on__lte=held_on)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            chosen = rng.sample(candidates, min(3, len(candidates)))  # the same seed, the same items
            items = list(IssueItem.objects.filter(pk__in=chosen))
            services.save_meeting(
                meeting,
                places=places,
                attendees=rng.sample(leaders, min(3, len(leaders))) + rng.sample(heads, min(4, len(heads))),
                items=items,
                by=office,
            )
            meetings += 1
    resolved = list(
        IssueItem.objects.filter(status=IssueItem.Status.RESOLVED).select_related("enterprise", "reporter")[
            :20
        ]
    )
    for number, (title, kind, summary) in enumerate(STORIES):
        linked = resolved[number * 2 : number * 2 + 2]
        practice = GoodPractice.objects.create(
            title=title,
            kind=kind,
            summary=summary,
            body=summary + "\n\n市联络办将这一做法在全市推广。",
            published_on=today - datetime.timedelta(days=10 * (number + 1)),
            author=office,
        )
        practice.items.set(linked)
        practice.enterprises.set({item.enterprise for item in linked})
        practice.cadres.set({item.reporter for item in linked if item.reporter})
    return meetings
