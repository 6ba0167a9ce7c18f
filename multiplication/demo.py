"""Demo six-doubling registry (R17): remits, three years of revenue figures
and the 规上 / 亿元 lists derived from them through the real services, dated
foreign-funded, high-tech (some certificates about to expire, some renewed),
joint-stock and listed members, and one plan per category, most approved.
The figures and the dated periods go through :mod:`multiplication.services`
one by one, or (``bulk``) in bulk, leaving what those services leave (a
period's one history row)."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from cadres.models import Unit
from enterprises.models import Enterprise, Place
from tabular.bulk import insert

from . import services
from .models import (
    CategoryRemit,
    DoublingPlan,
    Exchange,
    Membership,
    PlanTownTarget,
    RevenueFigure,
    RevenueSource,
)
from .rules import REVENUE_CATEGORIES, Category, certificate_expiry

REMITS = {
    "市统计局": [Category.ABOVE_SIZE],
    "市经信局": [Category.ABOVE_SIZE, Category.BILLION],
    "市商务局": [Category.FOREIGN],
    "市科技局": [Category.HIGH_TECH],
    "市金融办": [Category.JOINT_STOCK, Category.LISTED],
}
PLAN_OWNERS = {
    Category.ABOVE_SIZE: "市经信局",
    Category.BILLION: "市经信局",
    Category.FOREIGN: "市商务局",
    Category.HIGH_TECH: "市科技局",
    Category.JOINT_STOCK: "市金融办",
    Category.LISTED: "市金融办",
}
MEASURES = "建立培育库，明确联系干部；季度跟踪营业收入和认定进度；对接政策、资金、人才等要素保障。"


def _day(rng, first, last):
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


@transaction.atomic
def build_registry(*, seed: int, today: datetime.date, bulk: bool = True) -> int:
    """Build the demo registry; returns the number of membership periods."""
    rng = random.Random(seed + 17)
    units = {u.name: u for u in Unit.objects.filter(name__in=REMITS)}
    for name, categories in REMITS.items():
        for category in categories:
            if name in units:
                CategoryRemit.objects.get_or_create(unit=units[name], category=category)

    enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", "annual_revenue"))
    first_year = today.year - 3
    figures = []
    for pk, revenue in enterprises:
        base = Decimal(revenue or Decimal(rng.lognormvariate(7.6, 1.3))).quantize(Decimal("0.01"))
        for year in range(first_year, today.year):
            growth = Decimal(str(round(rng.uniform(0.85, 1.25), 3))) ** (today.year - 1 - year)
            amount = (base / growth).quantize(Decimal("0.01"))
            source = RevenueSource.STATISTICS if rng.random() < 0.7 else RevenueSource.MANUAL
            figures.append(RevenueFigure(enterprise_id=pk, year=year, revenue=amount, source=source))
    if bulk:
        insert(RevenueFigure, figures)
    else:
        for f in figures:
            services.record_revenue(f.enterprise_id, f.year, f.revenue, f.source)
    for year in range(first_year, today.year):
        for category in REVENUE_CATEGORIES:
            services.apply_list_change(services.plan_derivation(category, year))

    periods = []
    earliest = datetime.date(2010, 1, 1)
    for pk, _revenue in enterprises:
        roll = rng.random()
        if roll < 0.04:
            started = _day(rng, earliest, today)
            ended = _day(rng, started, today) if rng.random() < 0.2 else None
            periods.append(
                _period(
                    pk,
                    Category.FOREIGN,
                    started,
                    ended_on=ended,
                    end_reason="外资股权转让" if ended else "",
                    approval_number=f"浙桐外资〔{started.year}〕{rng.randrange(1, 300)}号",
                    approval_date=started,
                )
            )
        if rng.random() < 0.09:
            issued = _day(rng, today - datetime.timedelta(days=4 * 365), today - datetime.timedelta(days=30))
            periods.append(_high_tech(pk, issued, rng))
            renewal = certificate_expiry(issued) + datetime.timedelta(days=1)
            if renewal <= today and rng.random() < 0.6:
                periods.append(_high_tech(pk, renewal, rng))
        if rng.random() < 0.05:
            converted = _day(rng, earliest, today)
            periods.append(_period(pk, Category.JOINT_STOCK, converted, converted_on=converted))
            if rng.random() < 0.12:
                listed = _day(rng, converted, today)
                exchange = rng.choice([Exchange.SSE, Exchange.SZSE, Exchange.NEEQ])
                periods.append(
                    _period(
                        pk,
                        Category.LISTED,
                        listed,
                        exchange=exchange,
                        stock_code=f"{rng.choice(['603', '002', '872'])}{rng.randrange(1000):03d}",
                        listed_on=listed,
                    )
                )
    if bulk:
        bulk_create_with_history(periods, Membership, batch_size=2000)
    else:
        for period in periods:
            services.save_membership(period)
    _plans(units, today)
    return Membership.objects.count()


def _period(pk, category, started_on, **fields):
    """A demo enterprise's period in a category from ``started_on``."""
    return Membership(enterprise_id=pk, category=category, started_on=started_on, **fields)


def _high_tech(pk, issued, rng):
    membership = _period(
        pk,
        Category.HIGH_TECH,
        issued,
        certificate_number=f"GR{issued.year}33{rng.randrange(10**6):06d}",
        certificate_issued_on=issued,
    )
    membership.clean()  # the certificate's expiry ends the period
    return membership


def _plans(units, today):
    office = get_user_model().objects.filter(is_superuser=False, is_staff=True).order_by("pk").first()
    baseline = datetime.date(today.year - 2, 1, 1)
    target = datetime.date(today.year + 1, 12, 31)
    towns = list(Place.objects.filter(kind=Place.Kind.TOWN).order_by("sort_order")[:3])
    for index, (category, owner) in enumerate(PLAN_OWNERS.items()):
        if owner not in units:
            continue
        plan, created = DoublingPlan.objects.get_or_create(
            category=category,
            owner=units[owner],
            baseline_date=baseline,
            defaults={
                "title": f"{Category(category).label}倍增计划（{baseline.year}—{target.year}）",
                "target_date": target,
                "measures": MEASURES,
                "target_count": 3 if category == Category.LISTED else None,
            },
        )
        if created and category == Category.ABOVE_SIZE:
            for town in towns:
                PlanTownTarget.objects.create(plan=plan, place=town)
        if created and index < 4:
            services.approve_plan(plan, office)
