"""The workbooks this app hands to the office: the compliance report and the
Attachment 2 arrangement table laid out like the government form (R20)."""

from django.utils import timezone
from openpyxl.styles import Alignment, Font

from tabular.xlsx import (
    BODY_FONT,
    CENTER,
    HEADER_FONT,
    header_row,
    merge,
    new_workbook,
    print_setup,
    put,
    simple_sheet,
    title_row,
)

from .models import Cadre

ARRANGEMENT_MARK = "附件2"
ARRANGEMENT_TITLE = "市涉企部门(单位)走访联系企业安排表"
ARRANGEMENT_HEADERS = [
    "序号",
    "单位",
    "第一责任人",
    "分管领导",
    "联系人",
    "职务",
    "职级",
    "联系企业",
    "企业所在镇（街道）",
]
ARRANGEMENT_WIDTHS = [6, 18, 10, 10, 10, 16, 10, 36, 16]
# The attachment's number at the top left, as on the government table (黑体).
MARK_FONT = Font(name="黑体", size=14)
MARK = Alignment(horizontal="left", vertical="center", wrap_text=False)
# Rows above the table: the mark, the title, the "as of" line, the headings.
ARRANGEMENT_HEADER_ROW = 4


def arrangement_workbook(units, day):
    """One block per unit: the unit and its leaders merged down the block, each
    cadre merged down their enterprises, one enterprise per row. On paper
    (R20): ``附件2`` at the top left of the first page, the title on one line,
    and the title, date line and headings at the top of every page."""
    wb, ws = new_workbook()
    ws.title = "附件2"
    width = len(ARRANGEMENT_HEADERS)
    put(ws, 1, 1, ARRANGEMENT_MARK, font=MARK_FONT, alignment=MARK, border=False)
    merge(ws, 1, 1, 1, 2)
    ws.row_dimensions[1].height = 22
    title_row(ws, ARRANGEMENT_TITLE, width, row=2)
    put(ws, 3, 1, f"截至 {day:%Y年%m月%d日}", font=BODY_FONT, border=False)
    merge(ws, 3, 1, 3, width)
    header_row(ws, ARRANGEMENT_HEADERS, ARRANGEMENT_HEADER_ROW, ARRANGEMENT_WIDTHS)
    row = ARRANGEMENT_HEADER_ROW + 1
    for number, arranged in enumerate(units, start=1):
        unit = arranged.unit
        unit_top = row
        for arranged_cadre in arranged.cadres:
            cadre = arranged_cadre.cadre
            cadre_top = row
            pairings = arranged_cadre.pairings or [None]
            for pairing in pairings:
                put(ws, row, 8, pairing.enterprise.name if pairing else "")
                put(ws, row, 9, pairing.enterprise.place.name if pairing else "", alignment=CENTER)
                row += 1
            for column, value in ((5, cadre.name), (6, cadre.title), (7, Cadre.Rank(cadre.rank).label)):
                put(ws, cadre_top, column, str(value), alignment=CENTER)
                merge(ws, cadre_top, column, row - 1, column)
        leaders = (
            (1, number),
            (2, unit.name),
            (3, unit.principal_leader.name if unit.principal_leader else ""),
            (4, unit.deputy_in_charge.name if unit.deputy_in_charge else ""),
        )
        for column, value in leaders:
            put(ws, unit_top, column, value, alignment=CENTER, font=HEADER_FONT if column == 2 else BODY_FONT)
            merge(ws, unit_top, column, row - 1, column)
    print_setup(ws, header_rows=(2, ARRANGEMENT_HEADER_ROW), landscape=True)
    return wb


def compliance_workbook(sections, day):
    wb, ws = new_workbook()
    ws.title = "联系数不足"
    simple_sheet(
        ws,
        f"结对合规：联系企业数未达要求的干部（{day:%Y-%m-%d}）",
        ["单位", "姓名", "职级", "依据", "要求", "实际"],
        (
            (c.unit.name, c.name, Cadre.Rank(c.rank).label, c.rule_label, c.required, c.counted)
            for c in sections["below_minimum"].iterator()
        ),
        [20, 10, 10, 30, 8, 8],
    )
    simple_sheet(
        wb.create_sheet("无人联系的企业"),
        f"结对合规：无在期结对的企业（{day:%Y-%m-%d}）",
        ["所在镇（街道）", "企业名称", "统一社会信用代码", "行业"],
        ((e.place.name, e.name, e.credit_code, e.industry) for e in sections["unpaired"].iterator()),
        [16, 36, 22, 16],
    )
    simple_sheet(
        wb.create_sheet("即将到期"),
        f"结对合规：{sections['horizon']} 天内到期需续签的结对（{day:%Y-%m-%d}）",
        ["单位", "干部", "企业", "联系类型", "开始日期", "到期日期"],
        (
            (
                p.cadre.unit.name,
                p.cadre.name,
                p.enterprise.name,
                p.get_kind_display(),
                p.start_date,
                p.end_date,
            )
            for p in sections["ending"].iterator()
        ),
        [20, 10, 36, 10, 12, 12],
    )
    return wb


def export_stamp():
    return timezone.localtime().strftime("%Y%m%d-%H%M")
