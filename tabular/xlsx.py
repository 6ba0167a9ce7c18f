"""Hand-laid xlsx workbooks (government tables, reports) built with openpyxl.

Every value goes through :func:`tabular.cells.neutralise_formula` on its way
into a cell: :func:`put` is the only way this module writes one.
"""

from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .cells import neutralise_formula

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
HEADER_FONT = Font(name="宋体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=11)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


def put(ws, row, column, value, *, font=BODY_FONT, alignment=LEFT, border=True):
    if isinstance(value, Promise):  # a lazy translation (a choice label)
        value = str(value)
    cell = ws.cell(row=row, column=column, value=neutralise_formula(value))
    cell.font = font
    cell.alignment = alignment
    if border:
        cell.border = BORDER
    return cell


def title_row(ws, title, width, row=1):
    """A merged, centred title across ``width`` columns, as on a printed form."""
    put(ws, row, 1, title, font=TITLE_FONT, alignment=CENTER, border=False)
    if width > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 30


def header_row(ws, headers, row, widths=None):
    for column, header in enumerate(headers, start=1):
        cell = put(ws, row, column, header, font=HEADER_FONT, alignment=CENTER)
        cell.fill = HEADER_FILL
    if widths:
        for column, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def simple_sheet(ws, title, headers, rows, widths=None):
    """Title, header and body rows: the common shape of an office table."""
    title_row(ws, title, len(headers))
    header_row(ws, headers, 2, widths)
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value)
    ws.print_options.horizontalCentered = True
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:2"


def new_workbook():
    wb = Workbook()
    return wb, wb.active


def workbook_bytes(wb):
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(wb, filename):
    """An attachment response; the Chinese file name survives every browser
    through RFC 6266's ``filename*``."""
    response = HttpResponse(workbook_bytes(wb), content_type=XLSX_CONTENT_TYPE)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
