"""The quarterly report (R16): figures equal to values computed here by hand,
published whole or not at all, for staff and leaders only."""

import datetime
import io
import os
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from kombu.exceptions import OperationalError as KombuOperationalError
from openpyxl import load_workbook

from dashboards import figures
from jobs import report, tasks
from jobs.models import PendingTask, QuarterlyReport
from tests import factories as f
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db
D = datetime.date
Q3 = Quarter(2026, 3)
# The report's sheets, as the office files it (in Chinese whatever the site's language).
SHEETS = ["按单位汇总", "按干部（年终考评依据）", "按问题类别", "按镇街", "满意率", "六大倍增"]


@pytest.fixture
def city():
    puyuan = f.PlaceFactory(name="濮院镇")
    econ = f.UnitFactory(name="市经信局")
    a, b = f.CadreFactory(unit=econ, name="甲"), f.CadreFactory(unit=econ, name="乙")
    p1 = f.PairingFactory(cadre=a, enterprise=f.EnterpriseFactory(place=puyuan), start_date=D(2026, 3, 27))
    f.PairingFactory(cadre=b, enterprise=f.EnterpriseFactory(place=puyuan), start_date=D(2026, 3, 27))
    f.submitted_visit(p1, D(2026, 8, 3))

    def item(cadre, category, status="new", resolved=None):
        f.IssueItemFactory(
            enterprise=p1.enterprise, reporter=cadre, category=category, reported_on=D(2026, 7, 10),
            status=status, resolved_on=resolved,
        )  # fmt: skip

    item(a, "labour", "resolved", D(2026, 9, 1))
    item(a, "labour")
    item(b, "funding", "resolved", D(2026, 8, 1))
    item(b, "funding", "withdrawn", D(2026, 8, 20))  # withdrawn within Q3
    return {"econ": econ}


def rows(sheet):
    return {r[0]: r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)}


def test_the_workbook_figures_equal_hand_computed_values(city):
    figures.build(Q3)  # the report adds up the cells the dashboards read
    wb = report.build_workbook(Q3)
    assert wb.sheetnames == SHEETS
    unit = rows(wb["按单位汇总"])["市经信局"]
    # 2 pairings due, 1 visited; 3 items raised (the withdrawn one left out), none carried, 2 resolved
    assert unit[:3] == (2, 1, 0.5) and unit[3:7] == (3, 0, 2, 2 / 3) and unit[9] == "—"
    cadres = {r[1]: r[3:] for r in wb["按干部（年终考评依据）"].iter_rows(min_row=3, values_only=True)}
    assert cadres == {"甲": (1, 1, 2, 0, 1, 0.5), "乙": (1, 0, 1, 0, 1, 1)}
    categories = rows(wb["按问题类别"])
    assert (
        categories["用工"][:4] == (2, 0, 1, 0.5)
        and categories["资金"][:4] == (1, 0, 1, 1)
        and categories["环保"][3] == "—"
    )
    assert rows(wb["按镇街"])["濮院镇"] == (2, 1, 0.5, 3, 0, 2, 2 / 3)
    sheet = wb["按单位汇总"]
    assert (
        "2026Q3" in sheet["A1"].value and sheet.freeze_panes == "A3" and sheet["D3"].number_format == "0.0%"
    )


def test_the_report_equals_the_pages(client, city, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("visits:coverage") + "?quarter=2026Q3").content.decode()
    assert "50.0%" in page  # the coverage page's 1 of 2, as in the workbook
    rates_page = client.get(reverse("issues:rates") + "?quarter=2026Q3").content.decode()
    assert "66.7%" in rates_page


def test_publishing_is_all_or_nothing(city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with (
        mock.patch.object(QuarterlyReport.objects, "create", side_effect=RuntimeError("killed")),
        pytest.raises(RuntimeError),
    ):
        report.build_report(Q3)
    assert not QuarterlyReport.objects.exists()
    assert list(Path(tmp_path, "reports").iterdir()) == []  # no half file, no stray temp file
    built = report.build_report(Q3)
    assert os.path.getsize(built.file.path) == built.size > 0


def test_the_task_tells_the_leaders_once(city):
    f.user_with_role(
        "leader", cadre=f.CadreFactory(rank="city"), username="lingdao", email="leader@tx.gov.cn"
    )
    result = tasks.build_quarterly_report.apply(kwargs={"quarter": "2026Q3"}).get()
    assert QuarterlyReport.objects.get().pk == result["report"]
    assert [m.to for m in mail.outbox] == [["leader@tx.gov.cn"]] and "2026Q3" in mail.outbox[0].subject


def test_command_builds_and_copies(city, tmp_path, capsys):
    target = tmp_path / "out.xlsx"
    call_command("build_quarterly_report", "--quarter", "2026Q3", "--output", str(target))
    assert load_workbook(target).sheetnames[0] == "按单位汇总"
    assert "2026Q3 报表已生成" in capsys.readouterr().out


def test_reports_page_for_staff_and_leaders_only(client, city, staff_user, officer_a):
    built = report.build_report(Q3)
    client.force_login(officer_a)
    assert client.get(reverse("jobs:reports")).status_code == 403
    assert client.get(reverse("jobs:report_download", args=[built.pk])).status_code == 403
    client.force_login(f.user_with_role("leader", username="lingdao2"))
    response = client.get(reverse("jobs:report_download", args=[built.pk]))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames[0] == "按单位汇总"


@pytest.mark.django_db(transaction=True)
def test_a_report_asked_for_during_a_broker_outage_is_kept_and_the_page_says_so(
    role_groups, client, staff_user, caplog
):
    """Not a server error and not lost: the request waits in the outbox until
    the scheduler can send it (jobs.queue); asking twice keeps it once.
    (Transactional: the send happens on commit, as in production.)"""
    client.force_login(staff_user)
    refused = KombuOperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(tasks.build_quarterly_report, "apply_async", side_effect=refused):
        for _ in range(2):
            response = client.post(reverse("jobs:reports"), {"quarter": "2026Q3"}, follow=True)
    assert response.status_code == 200
    assert "任务队列暂时不可用：已记下，恢复后自动生成。" in response.content.decode()
    kept = PendingTask.objects.get()
    assert (kept.task, kept.args) == ("jobs.build_quarterly_report", ["2026Q3", staff_user.pk])
    assert "Connection refused" in kept.last_error and "kept to send later" in caplog.text
