"""Hand-laid xlsx workbooks (government tables, reports) built with openpyxl.

Every value goes through :func:`tabular.cells.neutralise_formula` on its way
into a cell: :func:`put` is the only way this module writes one, and it gives
a date a date format. :func:`print_setup` is how every sheet is laid on paper.
"""

import datetime
import re
from copy import copy
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.page import PageMargins

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
# A title never wraps: on one line across the table, made smaller if need be.
TITLE = Alignment(horizontal="center", vertical="center", wrap_text=False, shrink_to_fit=True)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def put(
    ws, row, column, value, *, font=BODY_FONT, alignment=LEFT, border=True, fill=None, number_format=None
):
    """Write one cell. A date shows as ``2026-03-27`` and a moment as
    ``2026-03-27 09:30`` in local time (a date without a format prints as
    ``46108``), unless ``number_format`` says otherwise."""
    if isinstance(value, Promise):  # a lazy translation (a choice label)
        value = str(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:  # Excel has no time zones: the office's clock
            value = timezone.localtime(value).replace(tzinfo=None)
        number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        number_format = number_format or DATE_FORMAT
    cell = ws.cell(row=row, column=column, value=neutralise_formula(value))
    _style(cell, font, alignment, border, fill, number_format)
    return cell


def _style(cell, font, alignment, border, fill, number_format=None):
    """Give ``cell`` a style, computing each distinct style once per workbook.

    Assigning font, alignment and border objects makes openpyxl hash them on
    every cell, which dominated the time of a city-wide table (a minute for
    24,000 rows); copying the compact style array of the first cell styled
    the same way costs nothing."""
    styles = cell.parent.parent.__dict__.setdefault("_tabular_styles", {})
    key = (id(font), id(alignment), border, id(fill), number_format)
    prototype = styles.get(key)
    if prototype is None:
        cell.font = font
        cell.alignment = alignment
        if border:
            cell.border = BORDER
        if fill is not None:
            cell.fill = fill
        if number_format:
            cell.number_format = number_format
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


def title_row(ws, title, width, row=1, font=TITLE_FONT):
    """A merged, centred title across ``width`` columns, as on a printed form:
    on one line, never wrapped in two."""
    put(ws, row, 1, title, font=font, alignment=TITLE, border=False)
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
    print_setup(ws, header_rows=2)


# On paper. Widths are in Excel's units (characters of the default font, 7
# pixels at 96 dpi, plus 5 pixels of padding per column); A4 less the margins
# below holds this many pixels across.
_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.7, "header": 0.3, "footer": 0.3}
_A4_MM = (210, 297)
_DEFAULT_WIDTH = 8.43


def _printable_pixels(paper_mm):
    inches = paper_mm / 25.4 - _MARGINS["left"] - _MARGINS["right"]
    return inches * 96


def table_pixels(ws):
    """How wide the sheet's columns are, in pixels at 96 dpi."""
    total = 0
    for column in range(1, ws.max_column + 1):
        dimension = ws.column_dimensions.get(get_column_letter(column))
        width = dimension.width if dimension is not None and dimension.customWidth else _DEFAULT_WIDTH
        total += width * 7 + 5
    return total


def print_setup(ws, *, header_rows, landscape=None):
    """Lay ``ws`` on A4 as the office prints it, the one place these rules live.

    - A4, landscape when the columns are wider than a portrait page
      (``landscape=None``), or as the caller says;
    - fit to one page wide and as many pages tall as it takes
      (``fitToWidth=1``, ``fitToHeight=0``): no column ever goes to a page of
      its own;
    - ``header_rows`` (rows 1 to N, or a ``(first, last)`` pair) repeated at
      the top of every page: the title and the column headings;
    - centred across the page, narrow margins, "page N of M" in the footer.

    Call it once the sheet is laid out (its widths set)."""
    first, last = header_rows if isinstance(header_rows, tuple) else (1, header_rows)
    if landscape is None:
        landscape = table_pixels(ws) > _printable_pixels(_A4_MM[0])
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(**_MARGINS)
    if last >= first:
        ws.print_title_rows = f"{first}:{last}"
    ws.oddFooter.center.text = _("第 &P 页，共 &N 页")
    ws.oddFooter.center.size = 9
    fit_row_heights(ws)


# Glyph widths of an 11-point font in pixels at 96 dpi: a Chinese character
# (or full-width mark) is one em, a Latin letter or digit a little over half.
_WIDE_PX, _NARROW_PX = 14.7, 8.0
_LINE_PT, _ROW_PT = 14.5, 15.0  # one more line of text; Excel's default row
_PADDING_PX = 3


def text_pixels(text):
    """About how wide ``text`` prints. Characters of three or four bytes in
    UTF-8 (CJK, full-width punctuation) are the wide ones; counting them
    through ``encode`` keeps this fast on a city-wide table."""
    wide = (len(text.encode("utf-8")) - len(text)) // 2
    return wide * _WIDE_PX + (len(text) - wide) * _NARROW_PX


def _lines(text, pixels):
    usable = max(pixels - _PADDING_PX, _WIDE_PX)
    return sum(max(1, -(-int(text_pixels(part)) // int(usable))) for part in text.split("\n"))


def fit_row_heights(ws):
    """Give each row the height its wrapped text needs.

    Excel grows a row without a stored height to fit wrapped text when it
    shows the sheet; LibreOffice (and so a PDF made from the file) does not,
    and prints every row one line tall, the second line of a cell over the
    row below. So the height is worked out here, from each cell's text and
    its column's width (a block merged across a row counts as one wide cell;
    a block merged down several rows is left alone). Rows already given a
    height (titles, a form's fixed rows) keep it."""
    column_px = {}
    for column in range(1, ws.max_column + 1):
        dimension = ws.column_dimensions.get(get_column_letter(column))
        width = dimension.width if dimension is not None and dimension.customWidth else _DEFAULT_WIDTH
        column_px[column] = width * 7 + 5
    spans, tall = {}, set()
    for block in ws.merged_cells.ranges:
        if block.min_row == block.max_row:
            spans[(block.min_row, block.min_col)] = sum(
                column_px.get(c, 0) for c in range(block.min_col, block.max_col + 1)
            )
        else:
            tall.add((block.min_row, block.min_col))
    fixed = {row for row, dimension in ws.row_dimensions.items() if dimension.ht is not None}
    needed = {}
    for (row, column), cell in ws._cells.items():
        value = cell._value
        if not isinstance(value, str) or row in fixed or isinstance(cell, MergedCell):
            continue
        if (row, column) in tall:
            continue
        lines = _lines(value, spans.get((row, column)) or column_px.get(column, 64))
        if lines > needed.get(row, 1):
            needed[row] = lines
    for row, lines in needed.items():
        ws.row_dimensions[row].height = _ROW_PT + _LINE_PT * (lines - 1)


# A register's column: as wide as its heading or its longest value among the
# first rows (in Excel's characters), within these bounds; longer text wraps.
_REGISTER_WIDTHS = (6, 40)
_REGISTER_SAMPLE = 500


def _column_width(texts):
    pixels = max((text_pixels(text) for line in texts for text in line.split("\n")), default=0)
    low, high = _REGISTER_WIDTHS
    return min(high, max(low, round((pixels + 2 * _PADDING_PX) / 7 + 1)))


def register_sheet(ws, title, headers, rows):
    """A register as rows under its headings, laid out to print: the title
    (when there is one) merged across the table on one line above the
    headings, each column as wide as it needs (within bounds, long text
    wrapping), every value through :func:`put` (dates as dates, no formula),
    then :func:`print_setup` (A4, landscape when wide, one page wide, title and
    headings on every page) and the rows' heights. ``rows``: lists of values;
    characters a workbook cannot hold (control characters) are left out.

    What the admin's spreadsheet exports are (:class:`tabular.formats.SafeXLSX`).
    An import finds the heading row below the title, so a file exported here
    imports back as it is."""
    rows = [[_printable(value) for value in row] for row in rows]
    headers = [_printable(h) for h in headers]
    widths = []
    for column, header in enumerate(headers):
        sample = [_shown_text(row[column]) for row in rows[:_REGISTER_SAMPLE] if column < len(row)]
        widths.append(_column_width([str(header), *sample]))
    heading = 1
    if title:
        title_row(ws, title, max(len(headers), 1))
        heading = 2
    header_row(ws, headers, heading, widths)
    for r, values in enumerate(rows, start=heading + 1):
        for c, value in enumerate(values, start=1):
            put(ws, r, c, value)
    print_setup(ws, header_rows=heading)


def _printable(value):
    if isinstance(value, Promise):
        value = str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _shown_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return "2026-01-01 00:00"
    if isinstance(value, datetime.date):
        return "2026-01-01"
    return str(value)


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
