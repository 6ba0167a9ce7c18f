"""The confirm of an admin import writes the rows its preview validated
(kept beside the upload by :mod:`tabular.preview_store`) instead of reading
and checking the file again; it refuses a stored preview that was altered or
is not this upload's, and goes back to the file when the database changed
beneath the rows. One admin log entry per import, a bounded number of
queries whatever the file's length."""

from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse

from enterprises.models import Enterprise, Place
from enterprises.resources import EnterpriseResource
from tabular.formats import SafeCSV, SafeXLSX, SheetDataset
from tests import office_files
from tests.factories import EnterpriseFactory, user_with_role
from tests.test_import import xlsx_bytes
from tests.test_office_files import XLSX, check_register, confirm, page, upload

pytestmark = pytest.mark.django_db

MODEL = "enterprises_enterprise"


def stored(preview, suffix=".preview"):
    """The file the admin keeps between preview and confirm."""
    name = preview.context["confirm_form"].initial["import_file_name"]
    return Path(settings.MEDIA_ROOT) / "django-import-export" / f"{name}{suffix}"


def test_the_confirm_writes_the_stored_rows_without_reading_the_file_again(office, places):
    item = office_files.enterprise_register_xlsx(count=30)
    preview = upload(office, MODEL, item, XLSX)
    assert stored(preview).exists()
    with mock.patch.object(SafeXLSX, "create_dataset", side_effect=AssertionError("read again")):
        done = confirm(office, MODEL, preview)
    assert f"新增 {len(item.expected)} 条" in page(done) and "跳过合计行 1 行" in page(done)
    check_register(item.expected)
    assert not stored(preview).exists() and not stored(preview, "").exists()


def test_an_altered_stored_preview_is_refused_and_nothing_is_written(office, places):
    preview = upload(office, MODEL, office_files.enterprise_register_xlsx(count=5), XLSX)
    kept = stored(preview)
    blob = bytearray(kept.read_bytes())
    blob[-10] ^= 1
    kept.write_bytes(bytes(blob))
    text = page(confirm(office, MODEL, preview))
    assert "导入未完成，未写入任何数据：保存的预览结果已损坏或被改动" in text
    assert "请重新上传文件，预览后再确认" in text and "已导入" not in text
    assert Enterprise.objects.count() == 0
    assert not kept.exists()


def test_a_stored_preview_of_another_upload_is_refused(office, places):
    first = upload(office, MODEL, office_files.enterprise_register_xlsx(count=5), XLSX)
    second = upload(office, MODEL, office_files.enterprise_register_xlsx(count=8), XLSX)
    # The upload confirmed is not the one the stored rows were read from.
    stored(first, "").write_bytes(stored(second, "").read_bytes())
    text = page(confirm(office, MODEL, first))
    assert "保存的预览结果与这次确认不符（文件、导入人或导入设置已不同），未写入任何数据" in text
    assert Enterprise.objects.count() == 0


def test_another_users_stored_preview_is_refused(office, places, client):
    preview = upload(office, MODEL, office_files.enterprise_register_xlsx(count=5), XLSX)
    other = user_with_role("liaison_staff", username="另一位联企办")
    other.is_staff = other.is_superuser = True
    other.save()
    client.force_login(other)
    text = page(confirm(client, MODEL, preview))
    assert "保存的预览结果与这次确认不符" in text
    assert Enterprise.objects.count() == 0


def test_without_a_stored_preview_the_confirm_reads_and_checks_the_file_again(office, places):
    item = office_files.enterprise_register_xlsx(count=5)
    preview = upload(office, MODEL, item, XLSX)
    stored(preview).unlink()
    done = confirm(office, MODEL, preview)
    assert f"新增 {len(item.expected)} 条" in page(done)
    check_register(item.expected)


def test_rows_changed_since_the_preview_send_the_confirm_back_to_the_file(office, places):
    """Someone registers one of the file's enterprises, and changes another
    the file updates, between preview and confirm: the stored rows no longer
    hold, so the confirm checks the file again and writes what it says now."""
    records = office_files.register_records(6)
    EnterpriseFactory(credit_code=records[0]["credit_code"], place=places["乌镇镇"], name="旧名称")
    item = office_files.enterprise_register_xlsx(count=6)
    preview = upload(office, MODEL, item, XLSX)
    assert "将新增 5 行，更新 1 行，0 行没有变化。" in page(preview)
    Enterprise.objects.filter(credit_code=records[0]["credit_code"]).update(name="他人刚改的名称")
    EnterpriseFactory(credit_code=records[1]["credit_code"], place=places["乌镇镇"])
    with mock.patch.object(
        EnterpriseResource, "import_data", autospec=True, side_effect=EnterpriseResource.import_data
    ) as read_again:
        done = confirm(office, MODEL, preview)
    assert read_again.called
    assert "新增 4 条，更新 2 条" in page(done)
    check_register(item.expected)


def test_one_log_entry_per_import_names_the_user_and_the_totals(office, places, staff_user):
    item = office_files.enterprise_register_xlsx(count=40)
    confirm(office, MODEL, upload(office, MODEL, item, XLSX))
    (entry,) = LogEntry.objects.all()
    assert entry.user == staff_user and entry.action_flag == ADDITION
    assert entry.object_repr == f"导入企业 {item.name}"
    assert entry.change_message == f"通过导入新增 {len(item.expected)} 条，更新 0 条，0 条没有变化。"
    again = upload(office, MODEL, office_files.enterprise_register_xlsx(count=41), XLSX)
    confirm(office, MODEL, again)
    assert LogEntry.objects.count() == 2 and LogEntry.objects.latest("pk").action_flag == ADDITION
    Enterprise.objects.update(name="改过")
    confirm(office, MODEL, upload(office, MODEL, item, XLSX))
    assert LogEntry.objects.latest("pk").action_flag == CHANGE


@pytest.mark.parametrize("count", [20, 900])
def test_a_confirm_takes_as_many_queries_for_20_rows_as_for_900(
    postgres, office, places, count, django_assert_max_num_queries
):  # COPY is PostgreSQL's; elsewhere the new rows go through bulk_create
    """No query per row: the foreign keys in one query, then per batch of
    1,000 rows one query for the rows that exist, one COPY of the new rows
    and one UPDATE of the changed ones; the session, the log entry and the
    transaction's savepoints besides (and the remembered column mappings of
    the import's kind, read once). The contacts the register's mobiles give
    (issue 17): per batch one query for the enterprises, one for their
    contacts, one insert of the new ones and one of their history rows."""
    item = office_files.enterprise_register_xlsx(count=count)
    for record in office_files.register_records(count)[:3]:
        EnterpriseFactory(credit_code=record["credit_code"], place=places["乌镇镇"], name="旧名称")
    preview = upload(office, MODEL, item, XLSX)
    assert "更新 3 行" in page(preview)
    data = preview.context["confirm_form"].initial
    with django_assert_max_num_queries(23) as seen:
        done = office.post(reverse(f"admin:{MODEL}_process_import"), data)
    sql = [q["sql"] for q in seen.captured_queries]
    assert len([q for q in sql if q.startswith('COPY "enterprises_enterprise"')]) == 1
    assert len([q for q in sql if q.startswith('UPDATE "enterprises_enterprise"')]) == 1
    assert not [q for q in sql if q.startswith('INSERT INTO "enterprises_enterprise"')]
    assert done.status_code == 302
    assert f"新增 {len(item.expected) - 3} 条，更新 3 条" in page(office.get(done.url))
    check_register(item.expected)


def test_text_with_tabs_backslashes_and_line_breaks_goes_in_as_written(office, places):
    """The new rows go in through PostgreSQL's COPY: its escapes must not
    show, and a blank optional cell stays an empty text, never NULL."""
    address = "乌镇\\东栅\t2号\n（北门）"
    rows = [
        ["甲公司", office_files.code(1), "乌镇", address, "C:\\N", None],
        ["乙公司", office_files.code(2), "乌镇", None, "\\N", 12],
    ]
    content = xlsx_bytes(["企业名称", "统一社会信用代码", "所在镇（街道）", "地址", "行业", "职工人数"], rows)
    preview = upload(office, MODEL, office_files.OfficeFile("x.xlsx", content), XLSX)
    confirm(office, MODEL, preview)
    first, second = Enterprise.objects.order_by("credit_code")
    assert (first.address, first.industry, first.employees) == (address, "C:\\N", None)
    assert (second.address, second.industry, second.employees) == ("", "\\N", 12)
    assert first.created_at and first.updated_at and first.place == Place.objects.get(name="乌镇镇")


def test_a_sheet_is_read_again_at_each_pass_not_kept():
    rows = [["甲", "1"], ["乙", "2"], [None, None], [" ", None]]
    content = xlsx_bytes(["企业名称", "统一社会信用代码"], rows)
    dataset = SafeXLSX().create_dataset(content)
    assert isinstance(dataset, SheetDataset) and dataset._rows is None
    assert len(dataset) == 2 and dataset.width == 2  # trailing blank rows are no rows
    assert list(dataset) == list(dataset) == [("甲", "1"), ("乙", "2")]
    assert dataset._rows is None
    assert dataset[1] == ("乙", "2")  # indexing turns it into an ordinary dataset
    dataset[0] = ["丙", "3"]
    assert list(dataset) == [("丙", "3"), ("乙", "2")]
    csv = SafeCSV().create_dataset("标题\n企业名称,统一社会信用代码\n甲,1\n".encode())
    assert csv.header_row_number == 2 and list(csv) == list(csv) == [("甲", "1")]
