"""Closed quarters (issue 16): the figures that judge cadres (R16) never move
after they are published.

On the demo of ``make run`` (``seed_demo``) with a clock that moves: 2026Q3's
report is built and the quarter closed; in December the ordinary actions the
issue found rewriting it (a withdrawal, an early end, a staff correction of a
visit's date, a cadre moved to another unit, a slip accepted) and their
back-dated forms are taken through the services; every published Q3 figure
stays as it was, what would move it is listed as pending, the quarter in
progress follows every change at once, and re-closing with a reason publishes
a second version of the report that says 更正 with its date.
"""

import datetime
import io
import threading

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from cadres import closing
from cadres import services as cadre_services
from cadres.models import Cadre, Correction, FrozenCell, Pairing, QuarterClose, Unit, UnitMembership
from dashboards import closing as closing_counts
from dashboards import evaluation, figures
from issues import rates, workflow
from issues import services as issue_services
from issues.models import IssueItem, ReferralSlip
from jobs import changes, report, tasks
from jobs.models import QuarterlyReport
from tests.factories import (
    CadreFactory,
    EnterpriseFactory,
    IssueItemFactory,
    PairingFactory,
    UnitFactory,
    VisitFactory,
    office_login,
    user_with_role,
)
from tests.test_history_everywhere import admin_form_data
from visits import selectors
from visits.models import Visit
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db
D = datetime.date
S = IssueItem.Status
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
Q3, Q4 = Quarter(2026, 3), Quarter(2026, 4)


def at(day: datetime.date, hour=10):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI))


def published(client, units):
    """Every Q3 figure a page or the report shows, as the readers read them."""
    rates_page = client.get(reverse("issues:rates") + "?quarter=2026Q3")
    coverage_page = client.get(reverse("visits:coverage") + "?quarter=2026Q3")
    assert rates_page.status_code == coverage_page.status_code == 200, rates_page
    return {
        "totals": figures.totals(Q3),
        "units": sorted(figures.by_unit(Q3)),
        "places": figures.by_place(Q3),
        "categories": figures.by_category(Q3),
        "cadres": sorted(figures.by_cadre_and_unit(Q3), key=lambda r: (r[0], r[1] or 0)),
        "rates": [(u.pk, f, s, e) for u, f, s, e in rates_page.context["rows"]],
        "city": (rates_page.context["city"], rates_page.context["city_satisfaction"]),
        "coverage": [(r.pk, r.due, r.visited) for r in coverage_page.context["by_unit"]]
        + [(r.pk, r.due, r.visited) for r in coverage_page.context["by_place"]],
        "evaluation": {  # each cadre's Q3 on the sheet of the unit it counted for
            unit: sorted(
                (s.cadre.pk, s.quarters[2][1:])
                for s in evaluation.unit_year(unit, 2026, D(2026, 12, 31))
                if s.quarters[2][1:] != (0, 0)
            )
            for unit in units
        },
    }


def workbook_values(path):
    book = load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book}


def after_write():
    """What follows a write request (jobs.middleware): mark and recount."""
    changes.after_write()


def live(quarter):
    """The quarter counted now from the raw rows, as the pages count an open quarter."""
    return rates.figures(quarter), selectors.coverage_of(selectors.due_in(quarter), "unit")


def coverage_of_unit(quarter, unit_id):
    rows = {r.pk: r for r in selectors.coverage_of(selectors.due_in(quarter), "unit")}
    return (rows[unit_id].due, rows[unit_id].visited) if unit_id in rows else (0, 0)


@pytest.fixture
def demo(eager_tasks):
    """``make run``'s demo as of 20 September 2026, plus two 交办单 issued in
    Q3 (the office's own service calls) for the slip scenarios."""
    with at(D(2026, 9, 20)):
        call_command("seed_demo", enterprises=90, cadres=60, stdout=io.StringIO())
        office = office_login()
        slips = []
        for reported, issued in ((D(2026, 8, 3), D(2026, 8, 10)), (D(2026, 8, 4), D(2026, 8, 11))):
            pairing = Pairing.objects.active_on(reported).order_by("pk")[len(slips)]
            with at(reported):
                item = IssueItemFactory(
                    status=S.OFFICE,
                    reporter=pairing.cadre,
                    enterprise=pairing.enterprise,
                    reported_on=reported,
                )
            with at(issued):
                slips.append(
                    issue_services.refer(
                        item, department=Unit.objects.get(name="市经信局"), by=office, on=issued
                    )
                )
        figures.build(Q3)
    office.refresh_from_db()  # the factories set the office login's password again
    return {"office": office, "slips": slips}


def test_a_closed_quarter_never_moves_and_later_changes_are_pending_corrections(client, demo):
    office, slips = demo["office"], demo["slips"]

    # -- October: the report is built and 2026Q3 closed ------------------------------------
    with at(D(2026, 10, 9)):
        client.force_login(office)  # signed in on the day (a session lasts hours)
        provisional = report.build_report(Q3, by_id=office.pk)
        assert provisional.version == 0
        closed = closing_counts.close(Q3, by=office)
        assert (closed.status, closed.version) == (QuarterClose.Status.CLOSED, 1)
        first = tasks.publish_closed_report("2026Q3", office.pk)
        assert first.version == 1 and not QuarterlyReport.objects.filter(version=0, quarter="2026Q3").exists()
        first_file = first.file.path
        first_values = workbook_values(first_file)
        assert "第 1 版，已关账" in first_values["按单位汇总"][0][0]
        units = list(Unit.objects.filter(cadres__isnull=False).distinct().values_list("pk", flat=True)[:4])
        before = published(client, units)
        assert before["totals"].due > 0 and before["totals"].raised > 0

    # -- December: the ordinary actions, then their back-dated forms -------------------------
    with at(D(2026, 12, 10)):
        client.force_login(office)
        today = D(2026, 12, 10)

        # 1. Withdrawing a Q3 item today: it still counts as raised in Q3; the year to date drops at once.
        item = (
            IssueItem.objects.filter(reported_on__range=(Q3.first_day, Q3.last_day), status__in=workflow.OPEN)
            .exclude(referrals__in=slips)
            .order_by("pk")
            .first()
        )
        q3_raised, q4_raised = rates.figures(Q3).raised, rates.figures(Q4).raised
        workflow.move(item, S.WITHDRAWN, by=office, reason="企业表示已自行解决", enterprise_confirmed=True)
        after_write()
        assert rates.figures(Q3).raised == q3_raised  # counted by the facts as they were
        assert rates.figures(Q4).raised == q4_raised - 1  # the quarter in progress follows at once
        assert not closing.pending(QuarterClose.objects.get(quarter="2026Q3")).exists()

        # ... and a withdrawal the enterprise confirmed in September, entered now: a pending correction.
        late = (
            IssueItem.objects.filter(
                reported_on__range=(Q3.first_day, D(2026, 9, 10)), status__in=workflow.OPEN
            )
            .exclude(referrals__in=slips)
            .order_by("-pk")
            .first()
        )
        workflow.move(
            late,
            S.WITHDRAWN,
            by=office,
            reason="企业 9 月已确认撤回",
            enterprise_confirmed=True,
            on=D(2026, 9, 15),
        )
        after_write()

        # 2. An early end dated into the closed quarter is refused; dated today it is taken.
        pairing = (
            selectors.due_in(Q3)
            .filter(visited=True, ended_on__isnull=True)
            .filter(pk__in=selectors.due_in(Q4).values("pk"))
            .order_by("pk")
            .first()
        )
        with pytest.raises(ValidationError) as refused:
            cadre_services.end_pairing(pairing, ended_on=D(2026, 9, 20), reason="企业迁出", by=office)
        assert "2026Q3 已关账，提前结束日期不能早于 2026-10-01" in str(refused.value)
        change = reverse("admin:cadres_pairing_change", args=[pairing.pk])
        data = admin_form_data(client.get(change), ended_on="2026-09-20", ended_reason="企业迁出")
        assert "2026Q3 已关账，提前结束日期不能早于 2026-10-01" in client.post(change, data).content.decode()
        pairing.refresh_from_db()
        due_q4 = coverage_of_unit(Q4, pairing.cadre.unit_id)[0]
        cadre_services.end_pairing(pairing, ended_on=today, reason="企业迁出", by=office)
        after_write()
        assert coverage_of_unit(Q4, pairing.cadre.unit_id)[0] == due_q4 - 1  # no longer due in Q4

        # 3. A staff correction of a Q3 visit's date (it was in October): a pending correction.
        visit = (
            Visit.objects.filter(status=Visit.Status.SUBMITTED, visit_date__range=(Q3.first_day, Q3.last_day))
            .exclude(pairing=pairing)
            .order_by("pk")
            .first()
        )
        change = reverse("admin:visits_visit_change", args=[visit.pk])
        data = admin_form_data(
            client.get(change), visit_date="2026-10-20", correction_reason="核实为 10 月走访，日期录错"
        )
        assert client.post(change, data).status_code == 302  # the admin's request runs the after-write step

        # 4. Moving a cadre to another unit today: his Q3 stays with the old unit, Q4 goes with him.
        mover = Cadre.objects.filter(pk=visit.cadre_id).get()
        old_unit, new_unit = (
            mover.unit,
            Unit.objects.exclude(pk=mover.unit_id).filter(kind=mover.unit.kind).first(),
        )
        q3_old = coverage_of_unit(Q3, old_unit.pk)
        cadre_services.move_cadre(mover, unit=new_unit, reason="工作调动", by=office)
        after_write()
        assert coverage_of_unit(Q3, old_unit.pk) == q3_old
        assert mover.pk in {p.cadre_id for p in selectors.due_in(Q4).filter(counted_unit=new_unit.pk)}
        # ... and a move that took effect in September, recorded now: a pending correction.
        back_mover = (
            Cadre.objects.filter(pairings__in=selectors.due_in(Q3).values("pk"))
            .exclude(pk__in=[mover.pk, pairing.cadre_id])
            .order_by("pk")
            .first()
        )
        other = Unit.objects.exclude(pk=back_mover.unit_id).filter(kind=back_mover.unit.kind).first()
        cadre_services.move_cadre(back_mover, unit=other, on=D(2026, 9, 1), reason="9 月起借调", by=office)
        after_write()

        # 5. Accepting a Q3 slip today changes nothing of Q3; one accepted as of September is pending.
        issue_services.answer(slips[0], measures="协调银行", result="已续贷", by=office)
        issue_services.accept(slips[0], by=office)
        issue_services.answer(slips[1], measures="上门", result="已解决", by=office, on=D(2026, 9, 1))
        issue_services.accept(slips[1], by=office, on=D(2026, 9, 2))
        after_write()
        assert ReferralSlip.objects.get(pk=slips[1].pk).accepted_on == D(2026, 9, 2)

        # -- rebuild: every published Q3 figure is unchanged, the corrections are pending ----------
        again = report.build_report(Q3, by_id=office.pk)
        assert again.pk == first.pk and workbook_values(first_file) == first_values  # the first file is kept
        figures.build(Q3)
        closing_counts.compare(Q3)
        assert published(client, units) == before
        row = QuarterClose.objects.get(quarter="2026Q3")
        facts = {c.what: c for c in closing.pending(row).filter(kind=Correction.Kind.FACT)}
        assert any(f"#{late.pk}" in what for what in facts)  # the back-dated withdrawal
        visit_fact = next(c for what, c in facts.items() if f"#{visit.pk}" in what)
        assert visit_fact.old.startswith("2026-0") and visit_fact.new == "2026-10-20"
        assert (visit_fact.actor, visit_fact.why) == (office, "核实为 10 月走访，日期录错")
        move_fact = next(c for what, c in facts.items() if back_mover.name in what)
        assert (move_fact.old, move_fact.why) == (str(Unit.objects.get(pk=UnitMembership.objects.filter(
            cadre=back_mover, valid_to=D(2026, 8, 31)).get().unit_id)), "9 月起借调")  # fmt: skip
        assert any(f"#{slips[1].item_id}" in what for what in facts)  # the back-dated acceptance
        assert not any(f"#{item.pk}" in what for what in facts)  # today's withdrawal moves nothing of Q3
        moved = closing.pending(row).filter(kind=Correction.Kind.FIGURE)
        assert moved.filter(what="全市 · 已走访").exists() and moved.filter(what="全市 · 已解决").exists()
        assert (
            client.get(reverse("jobs:quarters") + "?quarter=2026Q3")
            .content.decode()
            .count('data-kind="figure"')
        )
        page = client.get(reverse("dashboards:dashboard") + "?quarter=2026Q3").content.decode()
        assert "本季度已关账（第 1 版，2026-10-09）" in page and "待更正" in page

        # -- the quarter in progress still follows every change at once ----------------------------
        fresh_q4, _coverage = live(Q4)
        figures.build(Q4)
        assert figures.totals(Q4).raised == fresh_q4.raised

    # -- re-closing with a reason publishes version 2, which says so ------------------------------
    with at(D(2026, 12, 11)):
        client.force_login(office)
        with pytest.raises(ValidationError):
            closing_counts.reclose(Q3, by=office, reason="")  # not from 已关账: reopen first
        closing_counts.reopen(Q3, by=office, reason="补记撤回、调动和走访日期更正")
        with pytest.raises(ValidationError) as no_reason:
            closing_counts.reclose(Q3, by=office, reason=" ")
        assert "请说明更正原因" in str(no_reason.value)
        closing_counts.reclose(Q3, by=office, reason="按 12 月核实的情况更正 2026Q3")
        second = tasks.publish_closed_report("2026Q3", office.pk)
        assert second.version == 2 and second.corrected_on == D(2026, 12, 11)
        values = workbook_values(second.file.path)
        assert "第 2 版，更正 2026-12-11" in values["按单位汇总"][0][0]
        listed = [row[2] for row in values["更正说明"][2:]]
        assert any(f"#{visit.pk}" in what for what in listed) and "全市 · 已走访" in listed
        assert workbook_values(first_file) == first_values  # version 1 still kept, as it was
        assert not closing.pending(QuarterClose.objects.get(quarter="2026Q3")).exists()
        assert Correction.objects.filter(status=Correction.Status.APPLIED, applied_in=2).count() >= len(facts)
        assert closing_counts.differences(Q3, 2) == []  # version 2 is the count of today
        after = published(client, units)
        assert after["totals"] != before["totals"]
        page = client.get(reverse("issues:rates") + "?quarter=2026Q3").content.decode()
        assert "本季度已关账（第 2 版，2026-12-11）" in page and "更正于 2026-12-11" in page
        reports_page = client.get(reverse("jobs:quarters") + "?quarter=2026Q3").content.decode()
        assert "第 2 版 · 更正 2026-12-11" in reports_page and "第 1 版" in reports_page


# -- closing by itself, and by staff ------------------------------------------------------------


@pytest.fixture
def small_city():
    """A pairing due in Q3 with a visit in it, an item raised in Q3, a leader with an address."""
    with at(D(2026, 3, 1)):
        pairing = PairingFactory(start_date=D(2026, 3, 27))
    with at(D(2026, 8, 3)):
        VisitFactory(pairing=pairing, visit_date=D(2026, 8, 3), submit=True)
    leader = user_with_role("leader", cadre=CadreFactory(rank="city"), username="lingdao")
    leader.email = "leader@tx.gov.cn"
    leader.save()
    return pairing


def test_a_quarter_closes_by_itself_the_set_working_days_after_it_ends_once(small_city, settings):
    settings.QUARTER_CLOSE_WORKING_DAYS = 15
    day = closing_counts.closes_on(Q3)
    assert day == D(2026, 10, 27)  # 15 working days after 30 September: the National Day holidays skipped
    with at(day - datetime.timedelta(days=1)):
        tasks.close_quarters.apply().get()
        assert closing.status_of("2026Q3") == QuarterClose.Status.OPEN
    with at(day, hour=2):
        first = tasks.close_quarters.apply().get()
        second = tasks.close_quarters.apply().get()  # a second run, or a second worker
    assert "2026Q3" in first["closed"] and "2026Q3" not in second["closed"]
    row = QuarterClose.objects.get(quarter="2026Q3")
    assert (row.status, row.version, row.events.count()) == (QuarterClose.Status.CLOSED, 1, 1)
    assert row.events.get().actor_name == ""  # 系统
    assert FrozenCell.objects.filter(quarter="2026Q3", cadre__isnull=True).exists()
    assert QuarterlyReport.objects.filter(quarter="2026Q3", version=1).count() == 1
    assert [m.to for m in mail.outbox if "2026Q3" in m.subject] == [["leader@tx.gov.cn"]]


def test_staff_close_reopen_and_reclose_from_the_quarter_page(client, small_city, staff_user, eager_tasks):
    client.force_login(staff_user)
    url = reverse("jobs:quarter_action")
    with at(D(2026, 9, 20)):
        response = client.post(url, {"quarter": "2026Q3", "action": "close"}, follow=True)
        assert "2026Q3 尚未结束，结束后才能关账。" in response.content.decode()
    with at(D(2026, 10, 12)):
        page = client.get(reverse("jobs:quarters") + "?quarter=2026Q3").content.decode()
        assert "未关账" in page and 'value="close"' in page
        response = client.post(url, {"quarter": "2026Q3", "action": "close"}, follow=True)
        assert "2026Q3：已关账（第 1 版）。" in response.content.decode()
        response = client.post(url, {"quarter": "2026Q3", "action": "close"}, follow=True)
        assert "2026Q3 当前为“已关账”，不能关账。" in response.content.decode()
        client.post(url, {"quarter": "2026Q3", "action": "reopen", "reason": "核实走访日期"})
        response = client.post(url, {"quarter": "2026Q3", "action": "reclose", "reason": ""}, follow=True)
        assert "请说明更正原因" in response.content.decode()
        response = client.post(
            url, {"quarter": "2026Q3", "action": "reclose", "reason": "已核实"}, follow=True
        )
        page = response.content.decode()
        assert "2026Q3：已关账（第 2 版）。" in page and "核实走访日期" in page and "已核实" in page
    assert list(QuarterlyReport.objects.filter(quarter="2026Q3").values_list("version", flat=True)) == [2, 1]
    leader = user_with_role("leader", username="lingdao2")
    client.force_login(leader)
    page = client.get(reverse("jobs:quarters") + "?quarter=2026Q3").content.decode()
    assert "已关账" in page and 'name="action"' not in page  # leaders read, staff act
    assert client.post(url, {"quarter": "2026Q3", "action": "reopen"}).status_code == 403


def test_while_reopened_the_pages_show_the_published_version_and_an_early_end_is_taken(
    small_city, staff_user
):
    with at(D(2026, 10, 12)):
        closing_counts.close(Q3, by=staff_user)
        published_due = figures.totals(Q3).due
    with at(D(2026, 11, 2)):
        closing_counts.reopen(Q3, by=staff_user, reason="企业 9 月已迁出")
        cadre_services.end_pairing(small_city, ended_on=D(2026, 9, 10), reason="企业迁出", by=staff_user)
        assert figures.totals(Q3).due == published_due  # still version 1
        row = QuarterClose.objects.get(quarter="2026Q3")
        assert closing.pending(row).filter(kind=Correction.Kind.FACT).count() == 1
        closing_counts.reclose(Q3, by=staff_user, reason="企业 9 月迁出，结对提前结束")
        assert figures.totals(Q3).due == published_due - 1


# -- a cadre's unit over time ------------------------------------------------------------------


def test_a_move_dates_the_unit_and_the_admin_asks_when_it_took_effect(client, staff_user):
    with at(D(2026, 5, 1)):
        economy, commerce = UnitFactory(name="市经信局"), UnitFactory(name="市商务局")
        cadre = CadreFactory(unit=economy, name="沈家明")
        pairing = PairingFactory(cadre=cadre, start_date=D(2026, 3, 27))
        IssueItemFactory(reporter=cadre, enterprise=pairing.enterprise, reported_on=D(2026, 5, 1))
    with at(D(2026, 11, 16)):
        client.force_login(staff_user)
        change = reverse("admin:cadres_cadre_change", args=[cadre.pk])
        form = {
            "name": cadre.name, "unit": commerce.pk, "rank": cadre.rank, "title": "", "mobile": cadre.mobile,
            "email": "", "is_active": "on", "moved_on": "2026-11-15", "move_reason": "工作调动",
            "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
        }  # fmt: skip
        response = client.post(change, form)
        assert response.status_code == 302, response.content.decode()[:3000]
        spans = list(
            UnitMembership.objects.filter(cadre=cadre).values_list("unit_id", "valid_from", "valid_to")
        )
        assert spans == [(economy.pk, None, D(2026, 11, 14)), (commerce.pk, D(2026, 11, 15), None)]
        assert coverage_of_unit(Q3, economy.pk) == (1, 0) and coverage_of_unit(Q4, commerce.pk) == (1, 0)
        assert rates.figures(Q4, unit_id=economy.pk).raised == 1  # the May item stays with 市经信局
        assert rates.figures(Q4, unit_id=commerce.pk).raised == 0
        # A second move dated before the first is refused with the day it must follow.
        form.update({"unit": economy.pk, "moved_on": "2026-11-01"})
        response = client.post(change, form)
        assert "调动生效日期须晚于上次调入本单位的日期（2026-11-15）" in response.content.decode()


# -- items that cross a year (上年结转) -----------------------------------------------------------

# (case, reported on, last status, on) → in 2026Q4 and in 2027Q1:
# (raised, carried, resolved, raised in the quarter, resolved in the quarter)
N5 = D(2026, 11, 5)
# fmt: off
CROSS_YEAR = [
    ("open from November", N5, None, None, (1, 0, 0, 1, 0), (0, 1, 0, 0, 0)),
    ("resolved in February", N5, S.RESOLVED, D(2027, 2, 10), (1, 0, 0, 1, 0), (0, 1, 1, 0, 1)),
    ("resolved in December", N5, S.RESOLVED, D(2026, 12, 20), (1, 0, 1, 1, 1), (0, 0, 0, 0, 0)),
    ("resolved on 1 January", D(2026, 12, 31), S.RESOLVED, D(2027, 1, 1), (1, 0, 0, 1, 0), (0, 1, 1, 0, 1)),
    ("withdrawn in January", N5, S.WITHDRAWN, D(2027, 1, 15), (1, 0, 0, 1, 0), (0, 0, 0, 0, 0)),
    ("withdrawn after Q1", N5, S.WITHDRAWN, D(2027, 4, 10), (1, 0, 0, 1, 0), (0, 1, 0, 0, 0)),
    ("withdrawn in December", N5, S.WITHDRAWN, D(2026, 12, 1), (0, 0, 0, 0, 0), (0, 0, 0, 0, 0)),
    ("unsolvable in December", N5, S.UNSOLVABLE, D(2026, 12, 1), (1, 0, 0, 1, 0), (0, 0, 0, 0, 0)),
    ("unsolvable in January", N5, S.UNSOLVABLE, D(2027, 1, 20), (1, 0, 0, 1, 0), (0, 1, 0, 0, 0)),
    ("two years open", D(2025, 6, 1), S.RESOLVED, D(2027, 3, 1), (0, 1, 0, 0, 0), (0, 1, 1, 0, 1)),
    ("raised in 2027", D(2027, 2, 1), S.RESOLVED, D(2027, 2, 20), (0, 0, 0, 0, 0), (1, 0, 1, 1, 1)),
]
# fmt: on


def walk(cadre, reported, status, day):
    """An item from a form on ``reported``, taken to ``status`` on ``day``
    through the services, each step on its own day."""
    with at(reported):
        start = S.REFERRED if status == S.UNSOLVABLE else S.CONTACT
        item = IssueItemFactory(reporter=cadre, status=start, reported_on=reported)
    if status is not None:
        with at(day):
            item = workflow.move(item, status, by=office_login(), reason="核实", enterprise_confirmed=True)
    return item


@pytest.mark.parametrize(
    ("reported", "status", "day", "in_q4", "in_q1"),
    [c[1:] for c in CROSS_YEAR],
    ids=[c[0] for c in CROSS_YEAR],
)
def test_items_that_cross_a_year(reported, status, day, in_q4, in_q1):
    cadre = CadreFactory()
    walk(cadre, reported, status, day)

    def counts(quarter):
        f = rates.figures(quarter, cadre_id=cadre.pk)
        return (f.raised, f.carried, f.resolved, f.raised_in_quarter, f.resolved_in_quarter)

    assert counts(Q4) == in_q4
    assert counts(Quarter(2027, 1)) == in_q1


@pytest.fixture
def every_case():
    """One cadre with an item for each row of the table."""
    cadre = CadreFactory()
    for _label, reported, status, day, _q4, _q1 in CROSS_YEAR:
        walk(cadre, reported, status, day)
    return cadre


def test_in_quarter_resolutions_add_up_to_the_year_to_date_in_every_quarter(every_case):
    """本季解决 and 已解决 agree: every item resolved in a quarter is one of the
    year's (raised this year or carried over)."""
    with at(D(2027, 12, 31)):
        for year in (2026, 2027):
            running = 0
            for n in range(1, 5):
                f = rates.figures(Quarter(year, n))
                running += f.resolved_in_quarter
                assert f.resolved == running, (year, n)
                assert f.rate is None or f.rate <= 1


def test_the_dashboards_cells_and_the_report_count_carried_items_as_the_rates_do(every_case):
    cadre = every_case
    q1 = Quarter(2027, 1)
    with at(D(2027, 4, 2)):
        figures.build(q1)
        f, t = rates.figures(q1), figures.totals(q1)
        assert (t.raised, t.carried, t.resolved, t.rate) == (f.raised, f.carried, f.resolved, f.rate)
        sheet = report.build_workbook(q1)["按单位汇总"]
        row = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == cadre.unit.name)
        assert row[4:8] == (f.raised, f.carried, f.resolved, f.rate)


def test_a_renamed_unit_keeps_its_frozen_figures():
    """A closed quarter's frozen cells keep counts, not names: renaming a
    unit later shows the new name beside the same numbers."""
    with at(D(2026, 3, 1)):
        pairing = PairingFactory(start_date=D(2026, 3, 27), enterprise=EnterpriseFactory())
    with at(D(2026, 10, 12)):
        closing_counts.close(Q3, by=office_login())
        unit = pairing.cadre.unit
        unit.name = "市经济和信息化局"
        unit.save()
        assert [(name, t.due) for _pk, name, t in figures.by_unit(Q3)] == [("市经济和信息化局", 1)]


@pytest.mark.django_db(transaction=True)
def test_two_workers_closing_at_the_same_instant_close_once(postgres, role_groups):
    """On PostgreSQL, concurrent transactions: the quarter's row lock lets one
    close it; the other finds it closed and does nothing."""
    with at(D(2026, 3, 1)):
        PairingFactory(start_date=D(2026, 3, 27))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(closing_counts.close_due(D(2026, 10, 27)))
        except Exception as exc:  # report, don't hide
            errors.append(exc)
        finally:
            connection.close()

    with at(D(2026, 10, 27), hour=2):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert sorted("2026Q3" in r["closed"] for r in results) == [False, True]
    row = QuarterClose.objects.get(quarter="2026Q3")
    assert (row.version, row.events.count()) == (1, 1)
    assert not FrozenCell.objects.filter(quarter="2026Q3", version=2).exists()
    assert FrozenCell.objects.filter(quarter="2026Q3", version=1, cadre__isnull=True).count() == 1


def test_the_seeds_bulk_writer_notes_a_close_into_a_closed_quarter_as_move_does(small_city, staff_user):
    """issue 16 through the bulk path (``issues.bulk``): the same correction
    :func:`workflow.move` notes, once the items are written."""
    from issues.bulk import BulkIssueList

    with at(D(2026, 10, 12)):
        closing_counts.close(Q3, by=staff_user)
    with at(D(2026, 11, 2)):
        served = IssueItemFactory(status=S.UNIT, reported_on=D(2026, 8, 3))
        workflow.move(served, S.RESOLVED, by=staff_user, on=D(2026, 9, 1), comment="企业确认")
        bulk = BulkIssueList()
        item = IssueItem(
            enterprise=served.enterprise, reporter=served.reporter, category=served.category,
            description="用地指标", status=S.UNIT, reported_on=D(2026, 8, 3),
        )  # fmt: skip
        bulk.create(item, by=staff_user)
        bulk.move(item, S.RESOLVED, by=staff_user, on=D(2026, 9, 1), comment="企业确认")
        assert item.closed_on == item.resolved_on == D(2026, 9, 1)
        bulk.flush()
    notes = Correction.objects.filter(kind=Correction.Kind.FACT).order_by("pk")
    assert [n.what for n in notes] == [f"问题“{i}”（#{i.pk}）的状态" for i in (served, item)]
    assert {(n.old, n.new, n.why) for n in notes} == {("单位协调", "已解决（2026-09-01）", "企业确认")}


def test_the_seeds_bulk_visits_note_a_late_form_for_a_closed_quarter_as_submit_does(small_city, staff_user):
    from visits import demo as visit_demo
    from visits.models import VisitMode

    with at(D(2026, 10, 12)):
        closing_counts.close(Q3, by=staff_user)
    with at(D(2026, 11, 2)):
        served = VisitFactory(pairing=small_city, visit_date=D(2026, 9, 1), submit=True)
        late = Visit(
            cadre_id=small_city.cadre_id, pairing_id=small_city.pk, enterprise_id=small_city.enterprise_id,
            visit_date=D(2026, 9, 2), mode=VisitMode.ONSITE, situation="订单饱满，生产经营正常。",
        )  # fmt: skip
        visit_demo._submit_in_bulk([late])
    notes = Correction.objects.filter(kind=Correction.Kind.FACT).order_by("pk")
    assert [(n.what, n.new) for n in notes] == [
        (f"补交走访反馈表 #{v.pk}（{small_city.enterprise}）", f"{v.visit_date.isoformat()} 走访")
        for v in (served, late)
    ]
