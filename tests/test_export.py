"""Exports never hand a formula to a spreadsheet, and Attachment 2 (R20) is
laid out like the government table."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cadres.spreadsheets import ARRANGEMENT_HEADERS, ARRANGEMENT_MARK, ARRANGEMENT_TITLE
from tabular.cells import neutralise_formula
from tabular.formats import SafeCSV, SafeXLSX, neutralised
from tabular.xlsx import sheet_title
from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, UnitFactory

pytestmark = pytest.mark.django_db

DANGEROUS = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_triggers_are_neutralised(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["正常文本", "桐乡市=号公司", 12, -5, 3.5, None, datetime.date(2026, 1, 1)])
def test_ordinary_values_pass_through(value):
    assert neutralise_formula(value) == value


def _export(client, user, fmt_index):
    client.force_login(user)
    response = client.post(
        reverse("admin:enterprises_enterprise_export"),
        {
            "format": str(fmt_index),
            "resource": "0",
            **{f"enterpriseresource_{f}": "on" for f in ["name", "credit_code", "place", "employees"]},
        },
    )
    assert response.status_code == 200, response.content[:500]
    return response.content


@pytest.fixture
def dangerous_enterprise():
    return EnterpriseFactory(name=DANGEROUS[0], industry="+纺织", employees=42)


def test_admin_xlsx_export_neutralises_and_keeps_numbers(client, staff_user, dangerous_enterprise):
    staff_user.is_staff = True
    staff_user.save()
    sheet = load_workbook(io.BytesIO(_export(client, staff_user, 0))).active
    rows = list(sheet.iter_rows(values_only=True))
    title, header, first = rows[0], rows[1], rows[2]
    assert title[0].startswith("企业（") and title[0].endswith(" 导出）")  # merged above the headings
    assert first[header.index("企业名称")] == "'" + DANGEROUS[0]
    assert first[header.index("职工人数")] == 42  # still a number
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_admin_csv_export_neutralises_and_opens_in_excel(client, staff_user, dangerous_enterprise):
    staff_user.is_staff = True
    staff_user.save()
    content = _export(client, staff_user, 1)
    assert content.startswith("\ufeff".encode())  # Excel reads UTF-8 with a BOM
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1][rows[0].index("企业名称")] == "'" + DANGEROUS[0]


def test_safe_formats_neutralise_headers_and_cells():
    import tablib

    data = tablib.Dataset(["=A1", "ok"], headers=["=cmd", "列"])
    safe = neutralised(data)
    assert safe.headers == ["'=cmd", "列"] and safe[0] == ("'=A1", "ok")
    SafeXLSX().export_data(data)  # does not raise
    assert b"'=A1" in SafeCSV().export_data(data)


def test_attachment2_layout(client, staff_user):
    unit = UnitFactory(name="市经信局")
    leader = CadreFactory(unit=unit, name="局长甲", rank="bureau", title="局长")
    unit.principal_leader = leader
    unit.save()
    one = CadreFactory(unit=unit, name="科长乙", title="=科长")
    PairingFactory(cadre=leader, enterprise=EnterpriseFactory(name="A 企业"))
    PairingFactory(cadre=leader, enterprise=EnterpriseFactory(name="B 企业"))
    PairingFactory(cadre=one, enterprise=EnterpriseFactory(name="C 企业"))
    client.force_login(staff_user)

    response = client.get(reverse("cadres:arrangement_xlsx"))

    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == ARRANGEMENT_MARK  # 附件2, top left as on the government table
    assert sheet["A2"].value == ARRANGEMENT_TITLE
    assert [c.value for c in sheet[4]] == ARRANGEMENT_HEADERS
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "B5:B7" in merged  # the unit spans its three enterprise rows
    assert "E5:E6" in merged  # the bureau leader spans two enterprises
    assert sheet["B5"].value == "市经信局" and sheet["C5"].value == "局长甲"
    assert [sheet[f"H{r}"].value for r in (5, 6, 7)] == ["A 企业", "B 企业", "C 企业"]
    assert sheet["F7"].value == "'=科长"  # neutralised here too


def test_compliance_export_is_a_workbook_with_three_sheets(client, staff_user):
    EnterpriseFactory()
    client.force_login(staff_user)
    response = client.get(reverse("cadres:compliance_xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["联系数不足", "无人联系的企业", "即将到期"]
    assert workbook["无人联系的企业"].max_row == 3  # title, header, one enterprise


def test_a_name_excel_refuses_as_a_sheet_name_is_mended():
    """The unit's evaluation workbook has a sheet per cadre, named after them;
    a name with / or [ ] used to fail the whole export (found by the
    permission matrix's payload)."""
    assert sheet_title("张/三[挂职]:*?", set(), 7) == "张_三_挂职____"
    assert sheet_title("'李四'", set(), 7) == "李四"
    assert sheet_title("王五", {"王五"}, 7) == "王五-7"
    assert len(sheet_title("很" * 40, set(), 7)) == 25
