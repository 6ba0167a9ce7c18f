"""A small city in which every kind of reminder of jobs.reminders is due on
some day: quarterly visit stages (d30, d7, overdue, with the unit's and the
city's digests), a first visit, slips due soon and overdue, a coordinator's
meeting and a quarterly report. :func:`all_messages` builds them all."""

import datetime

from cadres.models import CoordinatorRegion
from issues import services
from issues.models import IssueItem
from jobs import reminders
from jobs.models import QuarterlyReport
from tests.factories import (
    CadreFactory,
    CityLeaderFactory,
    EnterpriseFactory,
    PairingFactory,
    PlaceFactory,
    unit_with_officer,
    user_with_role,
)
from visits.models import Visit
from visits.services import submit_visit

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


def build():
    place = PlaceFactory(name="濮院镇")
    unit, officer = unit_with_officer()
    busy = CadreFactory(unit=unit, name="叶文海", email="ye@tx.gov.cn")
    user_with_role("cadre", cadre=busy, username="ye")
    for n in range(2):
        PairingFactory(
            cadre=busy, enterprise=EnterpriseFactory(name=f"企业{n}", place=place), start_date=D(2026, 3, 27)
        )
    done = PairingFactory(
        cadre=busy, enterprise=EnterpriseFactory(name="已走访企业"), start_date=D(2026, 3, 27)
    )
    submit_visit(
        Visit.objects.create(
            cadre=busy, pairing=done, enterprise=done.enterprise, visit_date=D(2026, 11, 2), situation="x"
        )
    )
    late = CadreFactory(unit=unit, name="新干部")
    user_with_role("cadre", cadre=late, username="late")
    PairingFactory(cadre=late, enterprise=EnterpriseFactory(name="新结对企业", place=place),
                   start_date=D(2026, 11, 20))  # fmt: skip
    staff = user_with_role("liaison_staff", username="office")
    staff.email = "lianluoban@tx.gov.cn"
    staff.save()
    leader = CityLeaderFactory(name="区域领导", is_coordinator=True)
    CoordinatorRegion.objects.create(cadre=leader, place=place)
    user_with_role("leader", cadre=leader, username="leader")
    item = IssueItem.objects.create(
        enterprise=EnterpriseFactory(name="缺工企业"),
        reporter=busy,
        category="labour",
        description="招工难",
        status="office",
    )
    slips = [services.refer(item, department=unit, by=staff, on=D(2026, 11, 2), working_days=5)]
    item = IssueItem.objects.create(
        enterprise=EnterpriseFactory(name="缺钱企业"), reporter=busy, category="funding",
        description="融资难", status="office",
    )  # fmt: skip
    slips.append(services.refer(item, department=unit, by=staff, on=D(2026, 11, 23), working_days=5))
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
