"""Deterministic, realistic demo data at any scale (``manage.py seed_demo``).

The same ``seed`` always gives the same enterprises, cadres and pairings.
Pairings satisfy R1–R6 for most cadres (city leaders keep 3 focus links and
area-link enterprises of their towns; department cadres of bureau and middle
rank and town leadership members link at least 3) while a few fall short and
some enterprises stay unlinked, so the compliance report has something to show.
Enterprises and cadres are written with bulk inserts (100,000 enterprises take
seconds); pairings through :func:`cadres.services.create_pairing` one by one,
or (``bulk``) in bulk with the one history row each that it leaves."""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from enterprises.credit_code import check_character
from enterprises.models import Enterprise, EnterpriseContact, Place
from tabular.bulk import insert
from tabular.history import PendingHistory

from . import services
from .models import AreaAssignment, Cadre, CoordinatorRegion, Pairing, ServiceItem, Unit
from .permissions import GROUP_NAMES, Role
from .term import term_end

TONGXIANG_DIVISION = "330483"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "建国伟华明军平芳英杰强磊洋勇艳娟涛斌超霞刚丽敏静秀兰波辉鹏飞亮红玲晨宇浩然俊峰志"
    "刚海燕春梅晓东立新文婷佳鑫嘉怡雪琴德民永康卫东振华"
)
BRAND = (
    "恒新华丰盛达鸿运嘉瑞天成金桥永昌宏远博源正泰佳和锦程东方新凤双箭振石巨龙亚特梧桐"
    "乌镇崇福濮院洲泉屠甸石门河山大麻凤鸣龙翔高桥"
)
INDUSTRIES = [
    ("化纤", "化纤有限公司"),
    ("纺织", "纺织有限公司"),
    ("毛衫", "毛针织有限公司"),
    ("皮草服装", "皮草服饰有限公司"),
    ("玻璃纤维", "玻纤制品有限公司"),
    ("机械制造", "机械有限公司"),
    ("新材料", "新材料科技有限公司"),
    ("电子信息", "电子科技有限公司"),
    ("汽车零部件", "汽车部件有限公司"),
    ("家具", "家居用品有限公司"),
    ("食品", "食品有限公司"),
    ("光伏新能源", "新能源科技有限公司"),
]
TITLES = {
    Cadre.Rank.CITY_LEADER: ["副市长", "市委常委", "市人大常委会副主任", "市政协副主席"],
    Cadre.Rank.BUREAU: ["局长", "副局长"],
    Cadre.Rank.MIDDLE: ["科长", "副科长", "办公室主任"],
    Cadre.Rank.GENERAL: ["科员", "办事员"],
}
DEMO_PASSWORD = "Tongxiang-2026"
OFFICE_LOGIN = "lianluoban"  # the liaison office's demo login: it issues the demo slips
OFFICE_NAME = "陈晓燕"


@dataclass
class DemoLogin:
    username: str
    role: str
    who: str


def organisation_code(number: int) -> str:
    """A GB 11714 organisation code (8 digits + check) for a demo number."""
    digits = f"{number:08d}"
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return digits + {10: "X", 11: "0"}.get(check, str(check))


def demo_credit_code(number: int) -> str:
    first17 = "91" + TONGXIANG_DIVISION + organisation_code(number)
    return first17 + check_character(first17)


def demo_contact_mobile(index: int) -> str:
    """The demo's ``index``-th enterprise's contact mobile (1-based)."""
    return f"190{index:08d}"


def person_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class DemoBuilder:
    def __init__(
        self,
        *,
        enterprises: int,
        cadres: int,
        seed: int,
        today: datetime.date,
        links_per_cadre=None,
        bulk: bool = True,
    ):
        self.rng = random.Random(seed)
        self.bulk = bulk
        self.enterprise_count = enterprises
        self.cadre_count = cadres
        self.links_per_cadre = links_per_cadre
        self.today = today
        self.campaign_start = datetime.date(today.year - 2, 3, 27)  # three campaign years so far

    @transaction.atomic
    def build(self):
        call_command("loaddata", "places", "units", verbosity=0)
        self.places = list(Place.objects.order_by("sort_order"))
        self.units = list(Unit.objects.select_related("place").order_by("sort_order"))
        enterprises = self.make_enterprises()
        cadres = self.make_cadres()
        self.make_assignments(cadres)
        self.make_pairings(cadres, enterprises)
        self.make_service_lists()
        return {
            "enterprises": len(enterprises),
            "cadres": len(cadres),
            "pairings": Pairing.objects.count(),
        }

    def make_enterprises(self):
        rng = self.rng
        weights = [3 if p.kind == Place.Kind.TOWN else 2 for p in self.places]
        numbers = rng.sample(range(10_000_000, 99_999_999), self.enterprise_count)
        batch, names = [], set()
        for index, number in enumerate(numbers):
            industry, suffix = rng.choice(INDUSTRIES)
            place = rng.choices(self.places, weights)[0]
            brand = rng.choice(BRAND) + rng.choice(BRAND)
            name = f"桐乡市{brand}{suffix}"
            if name in names:
                name = f"浙江{brand}{index}{suffix}"
            names.add(name)
            revenue = round(rng.lognormvariate(7.6, 1.3), 2)  # 万元: median ~2,000
            batch.append(
                Enterprise(
                    name=name,
                    credit_code=demo_credit_code(number),
                    place=place,
                    address=(
                        f"{place.name}{rng.choice(BRAND)}{rng.choice('东西南北中')}路{rng.randint(1, 999)}号"
                    ),
                    industry=industry,
                    legal_representative=person_name(rng),
                    contact_name=person_name(rng),
                    contact_phone=f"0573-88{rng.randint(100000, 999999)}",
                    employees=max(5, int(revenue / 40)),
                    annual_revenue=revenue,
                    revenue_year=self.today.year - 1,
                )
            )
        Enterprise.objects.bulk_create(batch, batch_size=5000)
        enterprises = list(Enterprise.objects.only("pk", "place_id", "contact_name").order_by("pk"))
        self.make_contacts(enterprises)
        return enterprises

    def make_contacts(self, enterprises):
        """One contact per enterprise who signs in to its pages (issue 17):
        the register's contact person, mobile ``190`` and the enterprise's
        index (no cadre's mobile starts ``190``), so the demo's first
        enterprise signs in as 19000000001. Both paths: the rows and their
        one history row each, in bulk."""
        contacts = [
            EnterpriseContact(
                enterprise_id=enterprise.pk,
                name=enterprise.contact_name or "企业联系人",
                role="办公室主任",
                mobile=demo_contact_mobile(index),
            )
            for index, enterprise in enumerate(enterprises, start=1)
        ]
        bulk_create_with_history(contacts, EnterpriseContact, batch_size=5000)

    def make_cadres(self):
        rng = self.rng
        leadership = [u for u in self.units if u.kind == Unit.Kind.LEADERSHIP]
        departments = [u for u in self.units if u.kind == Unit.Kind.DEPARTMENT]
        locals_ = [u for u in self.units if u.is_local]
        city_leaders = min(12, max(4, self.cadre_count // 10))
        remaining = max(0, self.cadre_count - city_leaders)
        department_share = remaining * 3 // 5
        mobiles = rng.sample(range(10**8, 10**9), self.cadre_count + 10)
        plan = []
        for i in range(city_leaders):
            unit = leadership[i % len(leadership)]
            plan.append((unit, Cadre.Rank.CITY_LEADER, True, i < 4))
        for i in range(department_share):
            unit = departments[i % len(departments)]
            nth = i // len(departments)
            rank = Cadre.Rank.BUREAU if nth == 0 else Cadre.Rank.MIDDLE if nth < 4 else Cadre.Rank.GENERAL
            plan.append((unit, rank, nth < 2, False))
        for i in range(remaining - department_share):
            unit = locals_[i % len(locals_)]
            nth = i // len(locals_)
            rank = Cadre.Rank.BUREAU if nth == 0 else Cadre.Rank.MIDDLE if nth < 3 else Cadre.Rank.GENERAL
            plan.append((unit, rank, nth < 4, False))
        batch = [
            Cadre(
                name=person_name(rng),
                unit=unit,
                rank=rank,
                title=rng.choice(TITLES[rank]),
                is_leadership_member=member,
                is_coordinator=coordinator,
                mobile=f"1{rng.choice('3456789')}{mobiles[i]:09d}"[:11],
                email="",
            )
            for i, (unit, rank, member, coordinator) in enumerate(plan)
        ]
        Cadre.objects.bulk_create(batch, batch_size=5000)
        cadres = list(Cadre.objects.select_related("unit").order_by("pk"))
        by_unit = {}
        for cadre in cadres:
            by_unit.setdefault(cadre.unit_id, []).append(cadre)
        updated = []
        for unit in self.units:
            people = by_unit.get(unit.pk, [])
            if not people:
                continue
            unit.principal_leader = people[0]
            unit.deputy_in_charge = people[1] if len(people) > 1 else people[0]
            unit.information_officer = people[-1]
            updated.append(unit)
        Unit.objects.bulk_update(updated, ["principal_leader", "deputy_in_charge", "information_officer"])
        return cadres

    def make_assignments(self, cadres):
        leaders = [c for c in cadres if c.rank == Cadre.Rank.CITY_LEADER]
        coordinators = [c for c in leaders if c.is_coordinator]
        assignments = [
            AreaAssignment(cadre=leader, place=self.places[i % len(self.places)])
            for i, leader in enumerate(leaders)
        ]
        AreaAssignment.objects.bulk_create(assignments, ignore_conflicts=True)
        if coordinators:
            CoordinatorRegion.objects.bulk_create(
                [
                    CoordinatorRegion(cadre=coordinators[i % len(coordinators)], place=place)
                    for i, place in enumerate(self.places)
                ],
                ignore_conflicts=True,
            )
        self.area_of = {a.cadre_id: a.place_id for a in assignments}

    def start_date(self):
        """Mostly the campaign start; some three years back, so renewals come due."""
        rng = self.rng
        if rng.random() < 0.08:
            return self.today - datetime.timedelta(days=3 * 365 - rng.randint(0, 80))
        return self.campaign_start + datetime.timedelta(days=rng.randint(0, 400))

    def make_pairings(self, cadres, enterprises):
        rng = self.rng
        by_place = {}
        for enterprise in enterprises:
            by_place.setdefault(enterprise.place_id, []).append(enterprise)
        batch = []

        def link(cadre, pool, count, kind):
            if self.links_per_cadre is not None and kind != Pairing.Kind.FOCUS:
                count = max(count, self.links_per_cadre)  # a denser city, for benchmarks
            for enterprise in rng.sample(pool, min(count, len(pool))):
                start = self.start_date()
                batch.append({"cadre": cadre, "enterprise": enterprise, "kind": kind, "start_date": start})

        for cadre in cadres:
            short = rng.random() < 0.05  # a few fall short of their minimum
            if cadre.rank == Cadre.Rank.CITY_LEADER:
                area_pool = by_place.get(self.area_of.get(cadre.pk), [])
                focus_pool = rng.sample(enterprises, min(50, len(enterprises)))
                focus_pool = [e for e in focus_pool if e.place_id != self.area_of.get(cadre.pk)]
                link(cadre, focus_pool, 2 if short else 3, Pairing.Kind.FOCUS)
                link(cadre, area_pool, 2, Pairing.Kind.AREA)
            elif cadre.unit.kind == Unit.Kind.DEPARTMENT:
                needs = cadre.rank in (Cadre.Rank.BUREAU, Cadre.Rank.MIDDLE)
                count = (2 if short else rng.randint(3, 4)) if needs else rng.randint(0, 2)
                link(cadre, enterprises, count, Pairing.Kind.DEPARTMENT)
            else:
                pool = by_place.get(cadre.unit.place_id, [])
                needs = cadre.is_leadership_member
                count = (2 if short else rng.randint(3, 4)) if needs else rng.randint(1, 2)
                link(cadre, pool, count, Pairing.Kind.TOWN)
        if not self.bulk:
            for pairing in batch:
                services.create_pairing(**pairing)
            return
        history = PendingHistory()
        pairings = [Pairing(**pairing, end_date=term_end(pairing["start_date"])) for pairing in batch]
        for pairing in pairings:
            history.saved(pairing, created=True)
        insert(Pairing, pairings)
        history.write()

    def make_service_lists(self):
        items = []
        for unit in self.units:
            if unit.kind != Unit.Kind.DEPARTMENT:
                continue
            items.append(
                ServiceItem(
                    unit=unit,
                    title=f"{unit.name}惠企政策咨询",
                    description="上门讲解国家、省、市扶持实体经济的政策，协助企业申报。",
                    policy_basis="桐群组办发〔2014〕15号",
                    contact_name=unit.information_officer.name if unit.information_officer else "",
                )
            )
        ServiceItem.objects.bulk_create(items)


def office_login():
    """The liaison office's demo login, made first: the demo's writes name it
    in their history (:func:`ensure_demo_logins` sets its password and role)."""
    user, _created = get_user_model().objects.get_or_create(
        username=OFFICE_LOGIN, defaults={"is_staff": True, "first_name": OFFICE_NAME}
    )
    return user


def ensure_demo_logins():
    """One login per role, tied to fitting demo cadres; passwords reset each
    time so the printed login always works."""
    User = get_user_model()
    logins = []

    def login(username, role, *, cadre=None, staff=False, name=""):
        user, _created = User.objects.get_or_create(username=username)
        user.is_staff = staff
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.first_name = cadre.name if cadre is not None else name  # the name a timeline shows
        user.save()
        user.groups.set([Group.objects.get(name=GROUP_NAMES[role])])
        if cadre is not None:
            Cadre.objects.filter(user=user).exclude(pk=cadre.pk).update(user=None)
            cadre.user = user
            cadre.save(update_fields=["user"])
        logins.append(DemoLogin(username, str(Role(role).label), str(cadre) if cadre else ""))

    economy = Unit.objects.filter(name="市经信局").select_related("information_officer__unit").first()
    officer = economy.information_officer if economy else None
    department_cadres = (
        Cadre.objects.filter(unit__kind=Unit.Kind.DEPARTMENT, pairings__isnull=False)
        .exclude(pk=getattr(officer, "pk", None))
        .select_related("unit")
        .order_by("pk")
    )
    # A middle-level cadre where there is one; a small demo may have none.
    cadre = department_cadres.filter(rank=Cadre.Rank.MIDDLE).first() or department_cadres.first()
    leader = Cadre.objects.filter(rank=Cadre.Rank.CITY_LEADER).select_related("unit").order_by("pk").first()
    login(OFFICE_LOGIN, Role.LIAISON_STAFF, staff=True, name=OFFICE_NAME)
    login("xinxiyuan", Role.UNIT_OFFICER, cadre=officer, staff=True)
    login("ganbu", Role.CADRE, cadre=cadre)
    login("lingdao", Role.LEADER, cadre=leader)
    login("ducha", Role.SUPERVISOR, name="沈建明")
    return logins
