"""Bad input: every kind the office will meet is refused with a clear
Chinese message and nothing written, or accepted for a stated reason.
(Row-level errors, duplicates, full-width digits, GBK CSV, 2026/13/01 and a
database error in the middle are in test_import.py.)"""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook

from enterprises.models import Enterprise
from enterprises.resources import EnterpriseResource
from tabular.formats import SafeCSV, SafeXLSX
from tabular.uploads import UploadRejected
from tests.factories import EnterpriseFactory, PairingFactory, PlaceFactory, user_with_role
from tests.test_import import ENTERPRISE_HEADERS, enterprise_rows, errors_of, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, staff_user):
    PlaceFactory(name="濮院镇")
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    return client


def upload(client, content, name="企业.xlsx", fmt="0"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("admin:enterprises_enterprise_import"), {"format": fmt, "import_file": file})


def page(response):
    return response.content.decode()


def test_an_empty_file_is_refused(office):
    assert "所提交的是空文件" in page(
        upload(office, b"")
    )  # Django's own check, before ours (tabular.uploads)
    assert Enterprise.objects.count() == 0


def test_an_oversized_file_is_refused_at_the_configured_limit(office, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    response = upload(office, b"x" * (1024 * 1024 + 1))
    assert "超过 1 MB 的上限" in page(response)
    assert Enterprise.objects.count() == 0


def test_a_file_named_xlsx_that_is_not_one_is_refused(office):
    response = upload(office, "企业名称,统一社会信用代码\n某公司,123\n".encode("gbk"))
    assert "这不是有效的 xlsx 文件" in page(response)


def with_macro(content):
    """The same workbook with a VBA project inside, as an .xlsm would carry."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename))
        archive.writestr("xl/vbaProject.bin", b"\x00VBA")
    return target.getvalue()


def test_a_workbook_with_macros_is_refused(office):
    response = upload(office, with_macro(xlsx_bytes(ENTERPRISE_HEADERS, enterprise_rows(2))))
    assert "文件含有宏" in page(response)
    assert Enterprise.objects.count() == 0


def test_formula_cells_are_refused_with_their_place():
    wb = Workbook()
    ws = wb.active
    ws.append(ENTERPRISE_HEADERS)
    ws.append(enterprise_rows(1)[0])
    ws.append(['=A2&"分公司"', "=B2", "濮院镇", "毛衫", "=E2+1"])
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(UploadRejected) as exc:
        SafeXLSX().create_dataset(buffer.getvalue())
    assert "第 3 行第 A 列" in str(exc.value) and "选择性粘贴" in str(exc.value)


def test_an_empty_csv_and_an_undecodable_csv_are_refused():
    with pytest.raises(UploadRejected):
        SafeCSV().create_dataset(b"")
    with pytest.raises(ValueError, match="UTF-8 或 GBK"):
        SafeCSV().create_dataset(b"\xff\xfe\x00\xd8\x00\xdc" * 10)


def test_a_19_character_credit_code_names_row_column_and_length(staff_user):
    PlaceFactory(name="濮院镇")
    rows = enterprise_rows(2)
    rows[1][1] = rows[1][1] + "1"
    data = SafeXLSX().create_dataset(xlsx_bytes(ENTERPRISE_HEADERS, rows))
    result = EnterpriseResource(user=staff_user).import_data(data, dry_run=False)
    messages = errors_of(result)
    assert messages and all(m.startswith("第 3 行「统一社会信用代码」列：") for m in messages), messages
    assert any("18 位" in m and "19 位" in m for m in messages)
    assert Enterprise.objects.count() == 0


def test_a_visit_dated_in_the_future_is_refused_and_the_form_keeps_the_entries(client):
    pairing = PairingFactory(start_date=datetime.date(2026, 3, 27))
    client.force_login(user_with_role("cadre", cadre=pairing.cadre))
    response = client.post(
        reverse("feedback:new", args=[pairing.pk]),
        {
            "visit_date": "2099-01-01",
            "mode": "onsite",
            "situation": "订单平稳",
            "problems-TOTAL_FORMS": "0",
            "problems-INITIAL_FORMS": "0",
            "action": "submit",
        },
    )
    assert response.status_code == 200
    assert "订单平稳" in page(response) and "走访日期不能是将来的日期" in page(response)
    assert not pairing.visits.exists()


SCRIPT = '<script>alert("x")</script>'


def test_html_in_text_fields_is_escaped_on_pages_and_neutralised_in_exports(client, staff_user):
    enterprise = EnterpriseFactory(name=f"{SCRIPT}有限公司", industry='=HYPERLINK("http://evil")')
    pairing = PairingFactory(enterprise=enterprise, start_date=datetime.date(2026, 3, 27))
    from multiplication import services as registry
    from multiplication.models import Membership

    registry.save_membership(
        Membership(
            enterprise=enterprise,
            category="foreign",
            started_on=datetime.date(2020, 1, 1),
            approval_number=SCRIPT,
        )
    )
    client.force_login(user_with_role("cadre", cadre=pairing.cadre))
    assert SCRIPT not in page(client.get(reverse("visits:my")))
    assert "&lt;script&gt;" in page(client.get(reverse("visits:my")))
    client.force_login(user_with_role("leader"))
    for url in (reverse("multiplication:members", args=["foreign"]), reverse("cadres:compliance")):
        text = page(client.get(url))
        assert SCRIPT not in text
    response = client.get(reverse("multiplication:members_xlsx", args=["foreign"]))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert all(not c.startswith("=") for c in cells)
    assert any(c == '\'=HYPERLINK("http://evil")' for c in cells)
