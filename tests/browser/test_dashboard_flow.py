"""A leader logs in, switches the dashboard to last quarter, drills into a
unit; the page's numbers match the quarterly report built for that quarter
(R16). Screenshots at 1366×768 and 375×812."""

import datetime
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jobs import report
from tabular.percent import percent
from tests import factories as f
from visits.quarters import Quarter

from .conftest import login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def city(last):
    puyuan, wuzhen = f.PlaceFactory(name="濮院镇"), f.PlaceFactory(name="乌镇镇")
    start = last.first_day - datetime.timedelta(days=200)
    for unit_name, place, visited, resolved in (("市经信局", puyuan, 2, 1), ("市商务局", wuzhen, 1, 0)):
        unit = f.UnitFactory(name=unit_name)
        cadres = [f.CadreFactory(unit=unit, name=f"{unit_name[1:3]}干部{n}") for n in range(2)]
        for n in range(3):
            cadre = cadres[n % 2]
            pairing = f.PairingFactory(
                cadre=cadre, enterprise=f.EnterpriseFactory(place=place), start_date=start
            )
            if n < visited:
                f.submitted_visit(pairing, last.first_day + datetime.timedelta(days=20), situation="订单平稳")
            f.IssueItemFactory(
                enterprise=pairing.enterprise,
                reporter=cadre,
                category="labour",
                description="招工难",
                status="resolved" if n < resolved else "new",
                reported_on=last.first_day + datetime.timedelta(days=5),
                resolved_on=last.first_day + datetime.timedelta(days=30) if n < resolved else None,
            )


def shown_rate(value):
    """A workbook cell's rate as the page writes it (one rule: tabular.percent)."""
    return percent(None if value == "—" else value)


def test_leader_switches_quarter_drills_into_a_unit_and_sees_the_reports_figures(
    live_server, new_page, screenshot
):
    last = Quarter.of(timezone.localdate()).previous()
    city(last)
    built = report.build_report(last)  # counts the dashboard's cells of that quarter too
    sheet = load_workbook(built.file.path)["按单位汇总"]
    reported = {r[0]: r[1:] for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]}
    f.user_with_role("leader", username="leader")

    page = new_page(1366, 768)
    login(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/dashboard/")
    page.select_option("#id_quarter", last.label)
    page.wait_for_url(re.compile(rf"quarter={last.label}"))
    assert last.label in page.inner_text("h1")
    screenshot(page, "dashboard-1366")

    rows = page.locator("section.panel table.numbers").first.locator("tbody tr")
    seen = {}
    for index in range(rows.count()):
        cells = [c.strip() for c in rows.nth(index).locator("td").all_inner_texts()]
        seen[cells[0]] = cells
    assert set(seen) == {"市经信局", "市商务局"}
    for name, cells in seen.items():
        due, visited, coverage, raised, carried, resolved, rate = reported[name][:7]
        assert cells[1:8] == [
            str(due),
            str(visited),
            shown_rate(coverage),
            str(raised),
            str(carried),
            str(resolved),
            shown_rate(rate),
        ]
    total_due = sum(reported[n][0] for n in seen)
    total_visited = sum(reported[n][1] for n in seen)
    assert f"已走访 {total_visited} / 应走访 {total_due}" in page.inner_text(".kpis")

    page.click("section.panel table.numbers >> text=市经信局")
    page.wait_for_url(re.compile(r"/dashboard/unit/\d+/"))
    assert "市经信局" in page.inner_text("h1")
    cadre_rows = page.locator("section.panel table.numbers").first.locator("tbody tr")
    assert cadre_rows.count() == 2
    screenshot(page, "dashboard-unit-1366")

    phone = new_page(375, 812)
    login(phone, live_server.url, "leader")
    phone.goto(f"{live_server.url}/dashboard/?quarter={last.label}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone.locator("svg").count() >= 1  # the trend, drawn by the server
    screenshot(phone, "dashboard-375")
