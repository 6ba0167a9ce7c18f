"""A small city in which every kind of reminder of jobs.reminders is due on
some day: quarterly visit stages (d30, d7, overdue, with the unit's and the
city's digests), a first visit, slips due soon and overdue, a coordinator's
meeting and a quarterly report. :func:`all_messages` builds them all."""

import datetime

from cadres.models import CoordinatorRegion
from issues import services
from jobs import reminders
from jobs.models import QuarterlyReport
from tests import factories as f

D = datetime.date
#: a day on which each stage is due
DAYS = {
    "d30": D(2026, 12, 1),
    "d7": D(2026, 12, 24),
    "overdue": D(2027, 1, 2),
    "first_visit": D(2026, 12, 10),
    "slip": D(2026, 11, 26),
    "meeting": D(2026, 12, 20),
}


def busy_unit(pairings, place=None):
    """市经信局, its information officer (login ``officer``) and 叶文海 (login
    ``ye``): ``pairings`` enterprises not yet visited this year (企业0, 企业1, …
    in ``place``) and 已走访企业, visited on 2 November 2026."""
    unit = f.UnitFactory(name="市经信局")
    officer = f.information_officer(unit, email="officer@tx.gov.cn")
    busy = f.CadreFactory(unit=unit, name="叶文海", email="ye@tx.gov.cn")
    f.user_with_role("cadre", cadre=busy, username="ye")
    for n in range(pairings):
        enterprise = f.EnterpriseFactory(name=f"企业{n}", place=place or f.PlaceFactory())
        f.PairingFactory(cadre=busy, enterprise=enterprise, start_date=D(2026, 3, 27))
    done = f.PairingFactory(
        cadre=busy, enterprise=f.EnterpriseFactory(name="已走访企业"), start_date=D(2026, 3, 27)
    )
    f.submitted_visit(done, D(2026, 11, 2))
    return unit, officer, busy


def office_staff():
    """The liaison office's login ``office``, with the office's mailbox."""
    return f.user_with_role("liaison_staff", username="office", email="lianluoban@tx.gov.cn")


def build():
    place = f.PlaceFactory(name="濮院镇")
    unit, officer, busy = busy_unit(2, place)
    late = f.CadreFactory(unit=unit, name="新干部")
    f.user_with_role("cadre", cadre=late, username="late")
    f.PairingFactory(cadre=late, enterprise=f.EnterpriseFactory(name="新结对企业", place=place),
                   start_date=D(2026, 11, 20))  # fmt: skip
    staff = office_staff()
    leader = f.CityLeaderFactory(name="区域领导", is_coordinator=True)
    CoordinatorRegion.objects.create(cadre=leader, place=place)
    f.user_with_role("leader", cadre=leader, username="leader")
    slips = []
    for enterprise, category, description, issued_on in (
        ("缺工企业", "labour", "招工难", D(2026, 11, 2)),
        ("缺钱企业", "funding", "融资难", D(2026, 11, 23)),
    ):
        item = f.office_item(
            enterprise=f.EnterpriseFactory(name=enterprise), reporter=busy, category=category,
            description=description, by=staff,
        )  # fmt: skip
        slips.append(services.refer(item, department=unit, by=staff, on=issued_on, working_days=5))
    report = QuarterlyReport.objects.create(quarter="2026Q3", file="reports/2026Q3.xlsx", size=1)
    return {"unit": unit, "officer": officer, "staff": staff, "busy": busy, "slips": slips, "report": report}


def all_messages(world):
    """Every message of every kind, in a fixed order."""
    messages = []
    for stage in ("d30", "d7", "overdue", "first_visit"):
        messages += reminders.visit_messages(DAYS[stage])
    messages += reminders.slip_messages(DAYS["slip"])
    messages += reminders.meeting_messages(DAYS["meeting"])
    messages += reminders.report_messages(world["report"])
    seen, unique = set(), []
    for m in messages:
        key = (m.recipient_id, m.kind, m.period, m.stage)
        if key not in seen:
            seen.add(key)
            unique.append(m)
    return unique
