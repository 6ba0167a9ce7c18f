"""The problem-list table (问题清单) as the office keeps it in Excel."""

from tabular.xlsx import new_workbook, simple_sheet

HEADERS = [
    "序号",
    "报告日期",
    "所在镇（街道）",
    "企业名称",
    "问题类别",
    "问题描述",
    "紧急程度",
    "报告干部",
    "所在单位",
    "状态",
    "交办单",
    "承办部门",
    "办理期限",
    "解决日期",
]
# Fourteen columns on one landscape page: the description and the enterprise
# wrap, a date fits its column, the place heading (seven characters) its own.
WIDTHS = [5, 11, 15, 28, 10, 32, 9, 9, 15, 8, 20, 14, 11, 11]


def issue_list_workbook(items):
    wb, ws = new_workbook()
    ws.title = "问题清单"

    def rows():
        for number, item in enumerate(items, start=1):
            slip = next(iter(sorted(item.referrals.all(), key=lambda s: -s.number)), None)
            yield (
                number,
                item.reported_on,
                item.enterprise.place.name,
                item.enterprise.name,
                item.get_category_display(),
                item.description,
                item.get_urgency_display(),
                item.reporter.name if item.reporter else "",
                item.reporter.unit.name if item.reporter else "",
                item.get_status_display(),
                slip.serial if slip else "",
                slip.department.name if slip else "",
                slip.deadline if slip else None,
                item.resolved_on,
            )

    simple_sheet(ws, "“干部联千企、服务助转型”问题清单", HEADERS, rows(), WIDTHS)
    return wb


NOTICE_HEADERS = [
    "序号",
    "单位",
    "联系人",
    "企业",
    "抽查原因",
    "方式",
    "日期",
    "确认走访",
    "确认解决",
    "满意度",
    "抽查发现",
]


def _yes_no(value):
    return "" if value is None else ("是" if value else "否")


def notice_workbook(batch, figures):
    """The circulated notice (通报) of a spot-check batch."""
    wb, ws = new_workbook()
    ws.title = "抽查通报"
    rows = (
        (
            number,
            c.cadre.unit.name,
            c.cadre.name,
            c.enterprise.name,
            c.get_reason_display(),
            c.get_method_display(),
            c.checked_on,
            _yes_no(c.visit_confirmed),
            _yes_no(c.problem_solved_confirmed),
            c.get_satisfaction_display(),
            c.finding,
        )
        for number, c in enumerate(figures["checks"], start=1)
    )
    simple_sheet(ws, f"{batch.title}通报", NOTICE_HEADERS, rows, [5, 16, 9, 26, 10, 10, 11, 9, 9, 9, 36])
    return wb
