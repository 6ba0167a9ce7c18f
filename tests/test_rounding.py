"""One rounding rule for every percentage (issue 16.4): 四舍五入 (half up) to
one decimal, the same on every page and in every xlsx (R16: the rates that
count in the year-end evaluation)."""

import csv
import datetime
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from io import BytesIO

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from dashboards import figures
from issues.models import IssueItem
from jobs import report
from tabular.percent import PERCENT_FORMAT, percent, percent_value, points
from tests.factories import CadreFactory, EnterpriseFactory, UnitFactory
from visits.quarters import Quarter

D = datetime.date
Q3 = Quarter(2026, 3)


@pytest.mark.parametrize(
    "rate, shown",
    [
        (0.8125, "81.3%"),  # 81.25: Python's own "{:.1f}" gives 81.2 (half to even)
        (0.0005, "0.1%"),  # 0.05 → 0.1
        (0.7125, "71.3%"),
        (0.0625, "6.3%"),
        (107 / 4000, "2.7%"),  # 2.675: the float is 2.67499…, a tie all the same
        (0.02675, "2.7%"),
        (1.005 / 100, "1.0%"),  # not a tie: 1.00499… computed in binary, as a spreadsheet sees it
        (0.12345, "12.3%"),
        (2 / 3, "66.7%"),
        (0.99951, "100.0%"),
        (0.4995, "50.0%"),
        (1, "100.0%"),
        (0, "0.0%"),
        (Fraction(13, 16), "81.3%"),
        (Decimal("0.00125"), "0.1%"),
        (-0.0005, "-0.1%"),  # away from zero, as Excel
        (-0.00001, "0.0%"),  # never "-0.0%"
        (None, "—"),
    ],
)
def test_ties_round_half_up_to_one_decimal(rate, shown):
    assert percent(rate) == shown


def test_pythons_own_rounding_is_what_the_rule_replaces():
    assert f"{0.8125 * 100:.1f}" == "81.2" and round(81.25, 1) == 81.2  # half to even
    assert round(2.675, 2) == 2.67  # the binary float lies below the tie
    assert percent_value(0.8125) == Decimal("81.3")


@given(st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_a_count_over_a_count_is_rounded_as_the_exact_fraction(pair):
    """Every rate here is resolved / raised (or visited / due): the float's
    shortest decimal is the fraction's own whenever it matters (a tie)."""
    part, whole = pair
    exact = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert percent_value(part / whole) == exact


def test_a_change_is_the_difference_of_the_figures_shown():
    assert points(0.8125, 0.75) == "+6.3"
    assert points(0.81249, 0.7504) == "+6.2"  # 81.2% after 75.0%
    assert points(0.75, 0.8125) == "-6.3" and points(0.5, 0.5) == "+0.0"
    assert points(None, 0.5) == "—"
    from dashboards.templatetags.dashboard import rate_change

    assert rate_change((0.8125, 0.75)) == "+6.3 个百分点" and rate_change((None, 0.75)) == "—"


def thirteen_of_sixteen():
    """A unit whose cadre raised 16 items in 2026Q3 and had 13 resolved: 81.25%."""
    unit = UnitFactory(name="市经信局")
    cadre = CadreFactory(unit=unit, name="沈一鸣")
    for n in range(16):
        resolved = n < 13
        IssueItem.objects.create(
            enterprise=EnterpriseFactory(),
            reporter=cadre,
            category="labour",
            description=f"问题{n}",
            reported_on=D(2026, 7, 10),
            status=IssueItem.Status.RESOLVED if resolved else IssueItem.Status.CONTACT,
            resolved_on=D(2026, 8, 10) if resolved else None,
        )
    return unit


@pytest.mark.django_db
def test_every_page_and_workbook_shows_81_3_for_13_of_16(client, staff_user):
    unit = thirteen_of_sixteen()
    client.force_login(staff_user)
    figures.build(Q3)
    pages = {
        "rates": reverse("issues:rates") + "?quarter=2026Q3",
        "dashboard": reverse("dashboards:dashboard") + "?quarter=2026Q3",
        "unit": reverse("dashboards:unit", args=[unit.pk]) + "?quarter=2026Q3",
        "evaluation": reverse("dashboards:evaluation") + f"?year=2026&unit={unit.pk}",
    }
    for name, url in pages.items():
        page = client.get(url).content.decode()
        assert "81.3%" in page and "81.2%" not in page and "81%" not in page.replace("81.3%", ""), name

    sheet = report.build_workbook(Q3)["按单位汇总"]
    rows = list(sheet.iter_rows())
    column = next(c.column - 1 for r in rows for c in r if c.value == "解决率")
    rate = next(r for r in rows if r[0].value == "市经信局")[column]
    assert rate.value == 0.8125 and rate.number_format == PERCENT_FORMAT  # the exact value, shown 0.0%

    response = client.get(reverse("dashboards:evaluation_xlsx") + f"?year=2026&unit={unit.pk}")
    summary = load_workbook(BytesIO(response.content))["汇总"]
    cell = next(r for r in summary.iter_rows(min_row=3) if r[0].value == "沈一鸣")[8]
    assert cell.value == 0.8125 and cell.number_format == PERCENT_FORMAT


@pytest.mark.django_db
def test_libreoffice_shows_the_workbooks_rate_as_the_page_does(tmp_path):
    """Open the quarterly report in LibreOffice and read back what it
    displays (CSV "as shown"): 0.8125 with 0.0% is 81.3%, as on the pages."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice (soffice) is not installed: the display check needs it")
    thirteen_of_sixteen()
    figures.build(Q3)  # the report adds up the quarter's counted cells, as its job counts them first
    path = tmp_path / "report.xlsx"
    report.build_workbook(Q3).save(path)
    as_shown = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"  # token 9: as shown
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    subprocess.run(
        [office, "--headless", profile, "--convert-to", as_shown, "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with open(tmp_path / "report.csv", encoding="utf-8") as shown:
        rows = list(csv.reader(shown))
    column = next(r.index("解决率") for r in rows if "解决率" in r)
    row = next(r for r in rows if r and r[0] == "市经信局")
    assert row[column] == "81.3%" == percent(0.8125)
