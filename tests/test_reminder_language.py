"""Reminders speak the site's language: every subject and body of
jobs.reminders (and the quarterly report's sheets) is a translatable string,
rendered in the active language by the builders and in the site's language
(settings.LANGUAGE_CODE) by the send_* entry points; the Chinese text is the
one the office always had, to the character."""

# ruff: noqa: E501  (the Chinese texts below are kept whole, as sent)

import re

import pytest
from django.utils import translation

from jobs import reminders, report
from jobs.models import ReminderLog
from tests import reminder_world
from tests.test_quarterly_report import SHEETS
from visits.quarters import Quarter

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: the world's own data (names, places, descriptions, serials), Chinese in any language
DATA = re.compile(
    r"叶文海|新干部|区域领导|企业\d|新结对企业|缺工企业|缺钱企业|濮院镇|市经信局|招工难|融资难|桐联企交〔2026〕第000\d号"
)

CHINESE = [
    ("visit", "d30", "【提醒】2026Q4 还有 2 家联系企业未走访（季末前30天）",
     "叶文海同志：\n2026Q4 将于 12月31日 结束，以下联系企业本季度尚未走访：\n· 企业0（濮院镇）\n· 企业1（濮院镇）"),
    ("visit", "d30", "【提醒】2026Q4 还有 1 家联系企业未走访（季末前30天）",
     "新干部同志：\n2026Q4 将于 12月31日 结束，以下联系企业本季度尚未走访：\n· 新结对企业（濮院镇）"),
    ("visit", "d7", "【提醒】2026Q4 还有 2 家联系企业未走访（季末前7天）",
     "叶文海同志：\n2026Q4 将于 12月31日 结束，以下联系企业本季度尚未走访：\n· 企业0（濮院镇）\n· 企业1（濮院镇）"),
    ("visit", "d7", "【提醒】2026Q4 还有 1 家联系企业未走访（季末前7天）",
     "新干部同志：\n2026Q4 将于 12月31日 结束，以下联系企业本季度尚未走访：\n· 新结对企业（濮院镇）"),
    ("visit_unit", "d7", "【季末前7天】市经信局 2026Q4 未走访汇总（2 人）",
     "市经信局信息员：\n本单位以下联系人尚有企业未走访：\n· 叶文海：企业0（濮院镇）、企业1（濮院镇）\n· 新干部：新结对企业（濮院镇）"),
    ("visit", "overdue", "【逾期】2026Q4 有 2 家联系企业未走访",
     "叶文海同志：\n2026Q4 已结束，以下联系企业本季度没有上门走访或座谈记录：\n· 企业0（濮院镇）\n· 企业1（濮院镇）"),
    ("visit", "overdue", "【逾期】2026Q4 有 1 家联系企业未走访",
     "新干部同志：\n2026Q4 已结束，以下联系企业本季度没有上门走访或座谈记录：\n· 新结对企业（濮院镇）"),
    ("visit_unit", "overdue", "【季度已过】市经信局 2026Q4 未走访汇总（2 人）",
     "市经信局信息员：\n本单位以下联系人尚有企业未走访：\n· 叶文海：企业0（濮院镇）、企业1（濮院镇）\n· 新干部：新结对企业（濮院镇）"),
    ("visit_city", "overdue", "【逾期】2026Q4 全市走访未完成情况",
     "2026Q4 全市未走访结对 3 对，按单位：\n· 市经信局：3 对"),
    ("first_visit", "first_visit", "【提醒】1 家联系企业须在 12月20日 前完成首次走访",
     "新干部同志：\n按照要求，以下联系企业须在 12月20日 前完成首次走访：\n· 新结对企业（濮院镇）"),
    ("slip", "overdue", "【已逾期】交办单 桐联企交〔2026〕第0001号",
     "桐联企交〔2026〕第0001号：缺工企业，招工难\n办理期限：2026-11-09"),
    ("slip", "overdue", "【已逾期】市经信局 交办单 桐联企交〔2026〕第0001号",
     "桐联企交〔2026〕第0001号：缺工企业，招工难\n办理期限：2026-11-09"),
    ("slip", "due_soon", "【即将到期】交办单 桐联企交〔2026〕第0002号",
     "桐联企交〔2026〕第0002号：缺钱企业，融资难\n办理期限：2026-11-30"),
    ("meeting", "d15", "【提醒】2026Q4 联企服务形势分析会尚未召开",
     "区域领导同志：本季度（2026-12-31 结束）您负责的区域尚未召开联企服务形势分析会，请及时召集并记录。"),
    ("meeting_city", "d15", "2026Q4 尚未召开形势分析会的区域总协调人：1 位",
     "截至 2026-12-20，区域领导 本季度尚未召开联企服务形势分析会。"),
    ("report", "ready", "2026Q3 联企问题解决率季度报表已生成",
     "2026Q3 季度报表已生成，可在系统中下载。"),
]  # fmt: skip


@pytest.fixture
def world():
    return reminder_world.build()


def texts(messages):
    return [(m.kind, m.stage, m.subject, m.body) for m in messages]


def test_every_kind_of_reminder_reads_as_it_always_did_in_chinese(world):
    assert texts(reminder_world.all_messages(world)) == CHINESE


def test_every_reminder_renders_in_english_when_english_is_active(world):
    with translation.override("en"):
        english = reminder_world.all_messages(world)
    assert len(english) == len(CHINESE)
    left = [(m.kind, m.stage, CJK.findall(DATA.sub("", m.subject + m.body))) for m in english]
    assert [row for row in left if row[2]] == []  # no Chinese but the data's own
    by_kind = {}
    for m in english:
        by_kind.setdefault((m.kind, m.stage), m)  # the first of each: 叶文海's
    first = by_kind["visit", "d30"]
    assert (
        first.subject
        == "[Reminder] 2026Q4: 2 linked enterprise(s) not yet visited (30 days before the quarter ends)"
    )
    assert first.body == (
        "Dear 叶文海,\n2026Q4 ends on 12/31; the following linked enterprises have not been visited this quarter:\n"
        "· 企业0 (濮院镇)\n· 企业1 (濮院镇)"
    )
    assert by_kind["visit_unit", "d7"].body.endswith(
        "· 叶文海: 企业0 (濮院镇), 企业1 (濮院镇)\n· 新干部: 新结对企业 (濮院镇)"
    )
    assert (
        by_kind["first_visit", "first_visit"].subject
        == "[Reminder] 1 linked enterprise(s) need their first visit by 12/20"
    )
    assert by_kind["slip", "due_soon"].subject == "[Due soon] Referral slip 桐联企交〔2026〕第0002号"
    assert by_kind["report", "ready"].subject == "2026Q3 quarterly resolution-rate report is ready"


def test_sending_uses_the_site_language_whatever_language_is_active(world, settings):
    day = reminder_world.DAYS["d30"]
    with translation.override("en"):  # e.g. run after a write by a user reading the English pages
        reminders.send_visit_reminders(day)
    subjects = sorted(ReminderLog.objects.values_list("subject", flat=True))
    assert subjects == sorted(row[2] for row in CHINESE if row[:2] == ("visit", "d30"))

    settings.LANGUAGE_CODE = "en"  # an office that runs the site in English
    reminders.send_slip_reminders(reminder_world.DAYS["slip"])
    reminders.send_meeting_reminders(reminder_world.DAYS["meeting"])
    reminders.send_report_ready(world["report"])
    english = ReminderLog.objects.exclude(kind="visit").values_list("subject", flat=True)
    assert len(english) == 6 and not [s for s in english if CJK.search(DATA.sub("", s))]


def test_the_quarterly_report_is_written_in_the_site_language(world, settings):
    quarter = Quarter.parse("2026Q4")
    with translation.override("en"):
        book = report.build_workbook(quarter)
    assert book.sheetnames == ["By unit", "By cadre (year-end evaluation)", "By problem category", "By town or street",
                               "Satisfaction", "Six doublings"]  # fmt: skip
    assert [c.value for c in book["By unit"][2]][:4] == ["Unit", "Pairings due", "Visited", "Coverage"]
    assert book["By unit"]["A1"].value.startswith(
        "2026Q4 Cadres Linking Enterprises: By unit (not closed, figures may change, built "
    )

    with translation.override("en"):
        built = report.build_report(quarter)
    from openpyxl import load_workbook

    with built.file.open("rb") as handle:
        chinese = load_workbook(handle)
    assert chinese.sheetnames == SHEETS
    assert chinese["按单位汇总"]["A1"].value.startswith(
        "2026Q4 干部联千企 按单位汇总（未关账，数据可能变动，生成于 "
    )


def test_the_group_digests_and_a_test_message_speak_english_too(world):
    """Issue 18: a unit's group digests and the admin's test message."""
    from jobs import services
    from tests.factories import UnitRobotFactory

    UnitRobotFactory(unit=world["unit"])
    with translation.override("en"):
        messages = reminder_world.all_messages(world)
        test = services.send_test_message(user=world["officer"], by=world["staff"])
    group = [m for m in messages if m.kind in ("visit_group", "slip_group")]
    assert sorted({m.kind for m in group}) == ["slip_group", "visit_group"]
    left = [(m.kind, m.stage, CJK.findall(DATA.sub("", m.subject + m.body))) for m in group]
    assert [row for row in left if row[2]] == []
    assert (
        group[0].subject
        == "[30 days before the quarter ends] 市经信局 2026Q4 not visited: 2 cadres, 3 enterprises"
    )
    slips = next(m for m in group if m.kind == "slip_group")
    assert slips.subject == "[Referral slips] 市经信局: 1 overdue, 1 due soon"
    assert slips.body.startswith("Overdue:\n· 桐联企交〔2026〕第0001号")
    assert test.subject.startswith("[Test]") and not CJK.search(test.subject + test.body)
