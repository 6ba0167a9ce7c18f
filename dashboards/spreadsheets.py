"""The unit's year-end evaluation workbook (R16): a summary sheet of its
cadres, then one sheet per cadre laid out like a printed form."""

from django.utils.translation import gettext as _

from tabular.percent import PERCENT_FORMAT, spreadsheet_rate
from tabular.xlsx import header_row, new_workbook, print_setup, put, sheet_title, simple_sheet, title_row

SUMMARY_HEADERS = ["干部", "职务", "结对企业", "应走访（季次）", "已走访", "走访覆盖率", "当年提出问题",
                   "已解决", "解决率", "被抽查", "抽查发现问题"]  # fmt: skip


def evaluation_workbook(unit, year, sheets):
    wb, ws = new_workbook()
    ws.title = _("汇总")
    rows = [
        [
            s.cadre.name,
            s.cadre.title,
            s.pairings,
            s.due,
            s.visited,
            spreadsheet_rate(s.coverage),
            s.figures.raised,
            s.figures.resolved,
            spreadsheet_rate(s.figures.rate),
            s.checks,
            s.check_problems,
        ]
        for s in sheets
    ]
    title = _("%(unit)s %(year)s 年度联系干部考评汇总") % {"unit": unit.name, "year": year}
    simple_sheet(ws, title, [_(h) for h in SUMMARY_HEADERS], rows, [10, 14, 9, 12, 8, 10, 12, 8, 8, 8, 12])
    for r in range(3, 3 + len(rows)):
        for c in (6, 9):
            ws.cell(row=r, column=c).number_format = PERCENT_FORMAT
    used = set()
    for s in sheets:
        name = sheet_title(s.cadre.name, used, s.cadre.pk)
        used.add(name)
        _cadre_sheet(wb.create_sheet(name), unit, year, s)
    return wb


def _cadre_sheet(ws, unit, year, s):
    title_row(ws, _("%(year)s 年度联系干部考评表") % {"year": year}, 3)
    facts = [
        (_("姓名"), s.cadre.name),
        (_("单位"), unit.name),
        (_("职务"), s.cadre.title),
        (_("结对企业（家）"), s.pairings),
        (_("应走访（季次）"), s.due),
        (_("已走访（季次）"), s.visited),
        (_("走访覆盖率"), spreadsheet_rate(s.coverage)),
        (_("当年提出问题"), s.figures.raised),
        (_("已解决"), s.figures.resolved),
        (_("解决率"), spreadsheet_rate(s.figures.rate)),
        (_("被抽查（次）"), s.checks),
        (_("抽查发现问题（次）"), s.check_problems),
    ]
    for row, (label, value) in enumerate(facts, start=2):
        put(ws, row, 1, label)
        cell = put(ws, row, 2, value)
        if isinstance(value, float):
            cell.number_format = PERCENT_FORMAT
    row = len(facts) + 3
    header_row(ws, [_("季度"), _("应走访"), _("已走访")], row, [22, 30, 12])
    for offset, (quarter, due, visited) in enumerate(s.quarters, start=1):
        for column, value in enumerate((quarter.label, due, visited), start=1):
            put(ws, row + offset, column, value)
    row += len(s.quarters) + 2
    put(ws, row, 1, _("抽查发现"))
    put(ws, row, 2, "\n".join(s.findings) or "—")
    ws.freeze_panes = None
    print_setup(ws, header_rows=1, landscape=False)  # a form, one cadre a page
