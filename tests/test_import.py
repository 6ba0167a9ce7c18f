"""Spreadsheet imports are all-or-nothing: one bad row rejects the file, the
message names the row, the column and the reason, and nothing is written."""

import datetime
import io
from unittest import mock

import pytest
import tablib
from django.db import DatabaseError
from django.urls import reverse
from openpyxl import Workbook

from cadres.demo import demo_credit_code
from cadres.models import Cadre, Pairing
from cadres.resources import CadreResource, PairingResource
from enterprises.models import Enterprise
from enterprises.resources import EnterpriseResource
from tabular.formats import SafeCSV, SafeXLSX
from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory, PlaceFactory

pytestmark = pytest.mark.django_db

ENTERPRISE_HEADERS = ["企业名称", "统一社会信用代码", "所在镇（街道）", "行业", "职工人数"]


def enterprise_rows(count, start=0):
    return [
        [f"桐乡市导入{n}有限公司", demo_credit_code(20_000_000 + n), "濮院镇", "毛衫", 10 + n]
        for n in range(start, start + count)
    ]


def dataset(headers, rows):
    data = tablib.Dataset(headers=headers)
    for row in rows:
        data.append(row)
    return data


def xlsx_bytes(headers, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def errors_of(result):
    """Every message of an import result, flattened."""
    messages = [str(e.error) for e in result.base_errors]
    for row in result.invalid_rows:
        for column_messages in row.error_dict.values():
            messages.extend(column_messages)
    return messages


@pytest.fixture
def puyuan():
    return PlaceFactory(name="濮院镇")


def test_a_500_row_xlsx_with_one_bad_row_writes_nothing_and_names_row_and_column(staff_user, puyuan):
    rows = enterprise_rows(500)
    rows[319][1] = rows[319][1][:-1] + ("0" if rows[319][1][-1] != "0" else "1")  # bad check character
    data = SafeXLSX().create_dataset(xlsx_bytes(ENTERPRISE_HEADERS, rows))

    result = EnterpriseResource(user=staff_user).import_data(data, dry_run=False)

    assert Enterprise.objects.count() == 0
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [321]  # header is row 1
    (message,) = errors_of(result)
    assert message.startswith("第 321 行「统一社会信用代码」列：")
    assert "校验位" in message


def test_a_clean_file_is_written_in_full(staff_user, puyuan):
    result = EnterpriseResource(user=staff_user).import_data(dataset(ENTERPRISE_HEADERS, enterprise_rows(50)))
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 50
    assert Enterprise.objects.count() == 50


def test_dry_run_validates_but_writes_nothing(staff_user, puyuan):
    result = EnterpriseResource(user=staff_user).import_data(
        dataset(ENTERPRISE_HEADERS, enterprise_rows(5)), dry_run=True
    )
    assert result.totals["new"] == 5
    assert Enterprise.objects.count() == 0


def test_second_import_updates_changed_rows_and_skips_the_rest(staff_user, puyuan):
    rows = enterprise_rows(3)
    EnterpriseResource(user=staff_user).import_data(dataset(ENTERPRISE_HEADERS, rows))
    rows[1][4] = 999
    result = EnterpriseResource(user=staff_user).import_data(dataset(ENTERPRISE_HEADERS, rows))
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (0, 1, 2)
    assert Enterprise.objects.get(credit_code=rows[1][1]).employees == 999


def test_full_width_digits_and_spaces_are_normalised(staff_user, puyuan):
    code = demo_credit_code(20_000_001)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in code)
    rows = [["  桐乡市全角有限公司 ", f" {full_width}\u3000", "濮院镇", "毛衫", "１２０"]]
    result = EnterpriseResource(user=staff_user).import_data(dataset(ENTERPRISE_HEADERS, rows))
    assert not result.has_validation_errors(), errors_of(result)
    enterprise = Enterprise.objects.get()
    assert (enterprise.name, enterprise.credit_code, enterprise.employees) == (
        "桐乡市全角有限公司",
        code,
        120,
    )


@pytest.mark.parametrize(
    "column, value, expected",
    [
        (1, "9133048312345678", "18 位"),  # too short
        (1, "9133048312345678901", "18 位"),  # 19 characters
        (2, "火星镇", "找不到"),  # unknown place
        (4, "-3", "0"),  # negative employees
        (4, "十个", "不是整数"),
        (0, "", "不能为空"),  # required name
    ],
)
def test_each_kind_of_bad_cell_is_reported_with_row_and_column(staff_user, puyuan, column, value, expected):
    rows = enterprise_rows(3)
    rows[1][column] = value
    result = EnterpriseResource(user=staff_user).import_data(dataset(ENTERPRISE_HEADERS, rows))
    assert Enterprise.objects.count() == 0
    messages = errors_of(result)
    assert any(
        m.startswith(f"第 3 行「{ENTERPRISE_HEADERS[column]}」列") and expected in m for m in messages
    ), messages


def test_duplicate_rows_in_one_file_are_refused(staff_user, puyuan):
    rows = enterprise_rows(3)
    rows.append(list(rows[0]))
    result = EnterpriseResource(user=staff_user).import_data(dataset(ENTERPRISE_HEADERS, rows))
    assert Enterprise.objects.count() == 0
    assert any("与第 2 行重复" in m for m in errors_of(result))


def test_a_missing_required_column_rejects_the_file(staff_user, puyuan):
    data = dataset(["企业名称", "所在镇（街道）"], [["桐乡市某有限公司", "濮院镇"]])
    result = EnterpriseResource(user=staff_user).import_data(data)
    assert result.has_errors()
    assert "统一社会信用代码" in errors_of(result)[0]


def test_a_database_error_while_writing_leaves_nothing(staff_user, puyuan):
    existing = EnterpriseFactory(place=puyuan)
    rows = enterprise_rows(5) + [["改名后的企业", existing.credit_code, "濮院镇", "纺织", 1]]
    with mock.patch("django.db.models.query.QuerySet.bulk_update", side_effect=DatabaseError("disk full")):
        result = EnterpriseResource(user=staff_user).import_data(dataset(ENTERPRISE_HEADERS, rows))
    assert result.has_errors()
    assert "未写入任何数据" in errors_of(result)[0]
    assert Enterprise.objects.count() == 1  # the five inserted first were rolled back
    existing.refresh_from_db()
    assert existing.name != "改名后的企业"


def test_leading_apostrophe_from_our_own_export_is_undone(staff_user, puyuan):
    rows = enterprise_rows(1)
    rows[0][0] = "'=有限公司"
    EnterpriseResource(user=staff_user).import_data(dataset(ENTERPRISE_HEADERS, rows))
    assert Enterprise.objects.get().name == "=有限公司"


# -- cadres and pairings -----------------------------------------------------

CADRE_HEADERS = ["姓名", "所在单位", "职级", "职务", "班子成员", "手机号", "在岗"]


def test_cadre_import_with_an_unknown_unit_writes_nothing(staff_user, unit_a):
    rows = [
        ["张三", "市经信局", "中层", "科长", "否", "13900000001", "是"],
        ["李四", "市不存在局", "中层", "科长", "否", "13900000002", "是"],
    ]
    result = CadreResource(user=staff_user).import_data(dataset(CADRE_HEADERS, rows))
    assert Cadre.objects.count() == 0
    assert errors_of(result) == [
        "第 3 行「所在单位」列：找不到单位“市不存在局”。可填：市经信局。 / No 单位 “市不存在局” found."
    ]


def test_cadre_import_accepts_labels_and_normalises_phones(staff_user, unit_a):
    rows = [["王五", " 市经信局 ", "科(局)级", "局长", "是", "139-0000-0003", "是"]]
    result = CadreResource(user=staff_user).import_data(dataset(CADRE_HEADERS, rows))
    assert not result.has_validation_errors(), errors_of(result)
    cadre = Cadre.objects.get()
    assert (cadre.mobile, cadre.rank, cadre.is_leadership_member) == ("13900000003", "bureau", True)


def test_an_officer_cannot_import_into_another_units_rows(officer_a, unit_b):
    """The importer looks rows up only among those the user may change."""
    other = CadreFactory(unit=unit_b, mobile="13900000009", name="乙单位干部")
    rows = [["改名", "市经信局", "中层", "科长", "否", "13900000009", "是"]]
    result = CadreResource(user=officer_a).import_data(dataset(CADRE_HEADERS, rows))
    assert "不在您有权修改的范围内" in errors_of(result)[0]
    other.refresh_from_db()
    assert other.name == "乙单位干部" and other.unit == unit_b


def test_an_officer_cannot_place_a_cadre_in_another_unit(officer_a, unit_b):
    rows = [["新人", "市商务局", "中层", "科长", "否", "13900000010", "是"]]
    result = CadreResource(user=officer_a).import_data(dataset(CADRE_HEADERS, rows))
    assert "不在您有权使用的范围内" in errors_of(result)[0]
    assert not Cadre.objects.filter(mobile="13900000010").exists()


PAIRING_HEADERS = ["干部手机号", "企业统一社会信用代码", "联系类型", "开始日期", "到期日期"]


def test_pairing_import_rejects_overlap_with_the_database_and_within_the_file(staff_user):
    existing = PairingFactory(start_date=datetime.date(2026, 3, 27))
    cadre, enterprise = existing.cadre, existing.enterprise
    other = EnterpriseFactory()
    rows = [
        [cadre.mobile, enterprise.credit_code, "部门联系", "2027-01-01", ""],  # overlaps the database
        [cadre.mobile, other.credit_code, "部门联系", "2026-04-01", ""],
        [cadre.mobile, other.credit_code, "部门联系", "2028-01-01", ""],  # overlaps row 3
    ]
    result = PairingResource(user=staff_user).import_data(dataset(PAIRING_HEADERS, rows))
    assert Pairing.objects.count() == 1
    assert sorted(row.number for row in result.invalid_rows) == [2, 3, 4]
    assert all("已有结对" in m for m in errors_of(result))


def test_pairing_import_computes_the_term_and_reads_chinese_dates(staff_user):
    cadre, enterprise = CadreFactory(), EnterpriseFactory()
    rows = [[cadre.mobile, enterprise.credit_code, "部门联系", "2024年2月29日", None]]
    result = PairingResource(user=staff_user).import_data(dataset(PAIRING_HEADERS, rows))
    assert not result.has_validation_errors(), errors_of(result)
    assert Pairing.objects.get().end_date == datetime.date(2027, 2, 28)


@pytest.mark.parametrize("bad", ["2026/13/01", "04/15/2026", "2026-02-30", "明天"])
def test_malformed_dates_are_named(staff_user, bad):
    cadre, enterprise = CadreFactory(), EnterpriseFactory()
    rows = [[cadre.mobile, enterprise.credit_code, "部门联系", bad, ""]]
    result = PairingResource(user=staff_user).import_data(dataset(PAIRING_HEADERS, rows))
    assert Pairing.objects.count() == 0
    assert errors_of(result)[0].startswith("第 2 行「开始日期」列：日期")


def test_csv_in_gbk_is_accepted():
    code = demo_credit_code(20_000_005)
    text = f"企业名称,统一社会信用代码,所在镇（街道）\n桐乡市某有限公司,{code},濮院镇\n"
    data = SafeCSV().create_dataset(text.encode("gbk"))
    assert data[0][0] == "桐乡市某有限公司"


# -- through the admin: preview, then confirm ---------------------------------


def test_admin_preview_shows_errors_and_confirm_writes_a_clean_file(client, staff_user, puyuan):
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    url = reverse("admin:enterprises_enterprise_import")

    bad = enterprise_rows(3)
    bad[2][2] = "火星镇"
    upload = io.BytesIO(xlsx_bytes(ENTERPRISE_HEADERS, bad))
    upload.name = "企业.xlsx"
    response = client.post(url, {"format": "0", "import_file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "第 4 行「所在镇（街道）」列：找不到" in page
    assert "confirm" not in response.context or response.context.get("confirm_form") is None
    assert Enterprise.objects.count() == 0

    upload = io.BytesIO(xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(3)))
    upload.name = "企业.xlsx"
    response = client.post(url, {"format": "0", "import_file": upload})
    confirm = response.context["confirm_form"]
    assert "将新增 3 行" in response.content.decode()
    assert Enterprise.objects.count() == 0
    response = client.post(reverse("admin:enterprises_enterprise_process_import"), confirm.initial)
    assert response.status_code == 302
    assert Enterprise.objects.count() == 3
