"""Hand-laid xlsx workbooks (government tables, reports) built with openpyxl.

Every value goes through :func:`tabular.cells.neutralise_formula` on its way
into a cell: :func:`put` is the only way this module writes one.
"""

import re
from copy import copy
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange

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


def put(ws, row, column, value, *, font=BODY_FONT, alignment=LEFT, border=True, fill=None):
    if isinstance(value, Promise):  # a lazy translation (a choice label)
        value = str(value)
    cell = ws.cell(row=row, column=column, value=neutralise_formula(value))
    _style(cell, font, alignment, border, fill)
    return cell


def _style(cell, font, alignment, border, fill):
    """Give ``cell`` a style, computing each distinct style once per workbook.

    Assigning font, alignment and border objects makes openpyxl hash them on
    every cell, which dominated the time of a city-wide table (a minute for
    24,000 rows); copying the compact style array of the first cell styled
    the same way costs nothing."""
    styles = cell.parent.parent.__dict__.setdefault("_tabular_styles", {})
    key = (id(font), id(alignment), border, id(fill))
    prototype = styles.get(key)
    if prototype is None:
        cell.font = font
        cell.alignment = alignment
        if border:
            cell.border = BORDER
        if fill is not None:
            cell.fill = fill
        styles[key] = copy(cell._style)
    else:
        cell._style = copy(prototype)


def merge(ws, top, left, bottom, right):
    """Merge a block the caller knows overlaps no other merged block.

    ``ws.merge_cells`` checks each new range against every earlier one, which
    is quadratic (a city's Attachment 2 has 18,000 merged blocks). Here the
    range goes straight into the worksheet's set, and each covered cell becomes
    a merged cell styled like the top-left one, so the block's border shows."""
    if bottom == top and right == left:
        return
    ws.merged_cells.ranges.add(
        MergedCellRange(ws, CellRange(min_col=left, min_row=top, max_col=right, max_row=bottom).coord)
    )
    style = ws.cell(row=top, column=left)._style
    for row in range(top, bottom + 1):
        for column in range(left, right + 1):
            if (row, column) != (top, left):
                covered = MergedCell(ws, row=row, column=column)
                covered._style = copy(style)
                ws._cells[(row, column)] = covered


def title_row(ws, title, width, row=1):
    """A merged, centred title across ``width`` columns, as on a printed form."""
    put(ws, row, 1, title, font=TITLE_FONT, alignment=CENTER, border=False)
    merge(ws, row, 1, row, width)
    ws.row_dimensions[row].height = 30


def header_row(ws, headers, row, widths=None):
    for column, header in enumerate(headers, start=1):
        put(ws, row, column, header, font=HEADER_FONT, alignment=CENTER, fill=HEADER_FILL)
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


_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text, taken, tiebreak):
    """A worksheet name Excel accepts for ``text`` (a person's name, say):
    without ``[]:*?/\\``, not starting or ending with an apostrophe, at most
    25 characters, and not one in ``taken`` (then ``tiebreak`` is appended).
    The caller adds the name to ``taken``."""
    name = _NOT_IN_SHEET_NAMES.sub("_", text).strip("'")[:25] or "_"
    return f"{name[:20]}-{tiebreak}" if name in taken else name


def new_workbook():
    wb = Workbook()
    return wb, wb.active


def workbook_bytes(wb):
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# Characters no file system or browser keeps in a file name, and the
# separators a name's parts are joined with (stripped from each part's ends).
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_PART_EDGES = "-_. \t"


def download_name(*parts, ext: str = "xlsx") -> str:
    """A download's file name from its meaningful parts, joined by ``-``:
    ``download_name("问题清单", "2026Q3")`` is ``问题清单-2026Q3.xlsx``. Parts
    that are empty (a unit with no name, a blank filter) are left out, so a
    name never starts with ``-`` nor has an empty part; characters a file
    name cannot hold become ``_``."""
    cleaned = [_NOT_IN_FILE_NAMES.sub("_", str(part)).strip(_PART_EDGES) for part in parts]
    stem = "-".join(part for part in cleaned if part) or "export"
    return f"{stem}.{ext}"


def _tidy(filename: str, *, ascii_only: bool = False) -> str:
    """``filename`` through :func:`download_name`, its ``-`` parts kept."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, "xlsx"
    if ascii_only:
        stem, ext = (text.encode("ascii", "ignore").decode() for text in (stem, ext))
    return download_name(*stem.split("-"), ext=ext or "xlsx")


def content_disposition(filename: str, fallback: str = "") -> str:
    """``attachment`` with the Chinese name as RFC 5987/6266 ``filename*`` and
    a plain ASCII ``filename`` for clients that ignore it: ``fallback`` (an
    English name) when the caller gives one, else the name's ASCII parts
    (``问题清单-2026Q3.xlsx`` → ``export-2026Q3.xlsx``). Neither ever starts
    with ``-`` nor has an empty part."""
    filename = _tidy(filename)
    ascii_name = _tidy(fallback or filename, ascii_only=True)
    if not re.search(r"[A-Za-z]", ascii_name.rpartition(".")[0]):
        ascii_name = _tidy(f"export-{ascii_name}", ascii_only=True)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def xlsx_response(wb, filename, fallback: str = ""):
    """An attachment response; the Chinese file name survives every browser
    through RFC 6266's ``filename*``, and ``fallback`` (an English name) is
    what a client that ignores it saves (see :func:`content_disposition`)."""
    response = HttpResponse(workbook_bytes(wb), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, fallback)
    return response
