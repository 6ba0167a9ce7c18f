"""Workbooks of the visits layer: one feedback form laid out like Attachment 1,
and the coverage report."""

from tabular import xlsx
from tabular.percent import PERCENT_FORMAT, spreadsheet_rate

FORM_TITLE = "“干部联千企、服务助转型”活动情况反馈表"


def _label(ws, row, column, text):
    """A label cell of the form: bold, centred."""
    xlsx.put(ws, row, column, text, font=xlsx.HEADER_FONT, alignment=xlsx.CENTER)


def _amount(value):
    return "" if value is None else float(value)


def visit_workbook(visit):
    """Label/value rows in the order of the paper form; problems as a table."""
    wb, ws = xlsx.new_workbook()
    ws.title = "反馈表"
    xlsx.title_row(ws, FORM_TITLE, 4)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 26
    ws.column_dimensions["C"].width = 18
    ws.column_dimensions["D"].width = 26
    pairs = [
        ("联系干部", f"{visit.cadre.name}（{visit.cadre.unit.name}）", "走访日期", visit.visit_date),
        ("走访企业", visit.enterprise.name, "所在镇（街道）", visit.enterprise.place.name),
        ("走访方式", visit.get_mode_display(), "状态", visit.get_status_display()),
        (
            "同行人员",
            "、".join(
                [c.name for c in visit.companions.all()]
                + ([visit.other_companions] if visit.other_companions else [])
            ),
            "职工人数",
            visit.employees if visit.employees is not None else "",
        ),
        (
            "与企业负责人面对面交流",
            "是" if visit.met_head else "否",
            "与一线员工交谈",
            "是" if visit.talked_to_workers else "否",
        ),
        ("产值（万元）", _amount(visit.output_value), "销售（万元）", _amount(visit.sales)),
        ("税收（万元）", _amount(visit.tax), "", ""),
    ]
    row = 2
    for label1, value1, label2, value2 in pairs:
        _label(ws, row, 1, label1)
        xlsx.put(ws, row, 2, value1)
        _label(ws, row, 3, label2)
        xlsx.put(ws, row, 4, value2)
        row += 1
    free_text = range(row, row + 4)
    for label, text in (
        ("企业发展现状", visit.situation),
        ("迫切需要提供的服务", visit.urgent_services),
        ("宣讲的政策", visit.policies_explained),
        ("企业意见建议", visit.suggestions),
    ):
        _label(ws, row, 1, label)
        xlsx.put(ws, row, 2, text)
        xlsx.merge(ws, row, 2, row, 4)
        row += 1
    row += 1
    xlsx.put(ws, row, 1, "发现的主要问题", font=xlsx.HEADER_FONT, border=False)
    row += 1
    xlsx.header_row(ws, ["序号", "问题类别", "问题描述", ""], row)
    xlsx.merge(ws, row, 3, row, 4)
    ws.freeze_panes = None
    for number, problem in enumerate(visit.problems.all(), start=1):
        row += 1
        xlsx.put(ws, row, 1, number, alignment=xlsx.CENTER)
        xlsx.put(ws, row, 2, problem.get_category_display())
        xlsx.put(ws, row, 3, problem.description)
        xlsx.merge(ws, row, 3, row, 4)
    xlsx.print_setup(ws, header_rows=1, landscape=False)  # a form: portrait, like Attachment 1
    for free in free_text:  # room to read, or to write on a printed blank
        ws.row_dimensions[free].height = max(30, ws.row_dimensions[free].height or 0)
    return wb


def coverage_workbook(quarter, by_unit, by_place):
    wb, ws = xlsx.new_workbook()
    ws.title = "按单位"
    headers = ["名称", "应走访结对", "已走访", "未走访", "覆盖率"]
    for sheet, title, rows in (
        (ws, f"{quarter} 走访覆盖率（按单位）", by_unit),
        (wb.create_sheet("按镇街"), f"{quarter} 走访覆盖率（按镇街）", by_place),
    ):
        xlsx.simple_sheet(
            sheet,
            title,
            headers,
            ((r.name, r.due, r.visited, r.overdue, spreadsheet_rate(r.rate)) for r in rows),
            [24, 12, 10, 10, 10],
        )
        for cells in sheet.iter_rows(min_row=3, min_col=5, max_col=5):
            cells[0].number_format = PERCENT_FORMAT
    return wb
