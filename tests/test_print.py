"""On paper (issue 15, part 9): every xlsx export prints on A4, every page
holding every column, headings repeated, the title on one line, dates as
dates; Attachment 2 carries ``附件2`` at the top left (R20).

How it is checked. A world made by ``seed_demo`` (small) plus a spot-check
batch drawn and recorded through the real services; each export fetched
through its real URL as its users fetch it (the quarterly report, which a
task builds, through the function the task calls). Each sheet is printed on
its own (see :func:`tests.paper.split_sheets`) and every file goes through one
``soffice --headless --convert-to pdf`` run, as an office printing from
LibreOffice would see it. Then, with ``pdftotext``, page by page:

- a table: **every page holds every column heading**. The headings are the
  last of the rows the sheet repeats on each page, and there is one for every
  column it uses. A sheet cut across pages (Attachment 2 used to print
  columns A–G on pages 1–16 and the last two on 17–32; the problem list four
  columns a page) leaves some page without the headings of the columns put on
  other pages, and a sheet that does not repeat its headings leaves every
  page after the first without any: both fail here.
- a form (the feedback form, a cadre's evaluation sheet): its only repeated
  row is its title; every page holds its title and text from both its first
  and its last column.
- the title stands whole on one line of the first page (``pdftotext
  -layout`` keeps lines), and is merged across the table's width;
- every date cell has a date format, and prints as ``yyyy-mm-dd`` (not as
  ``46023``);
- A4, landscape for the wide tables, portrait for the form.

Text is compared with all white space taken out, since a heading that wraps
in its cell comes out of ``pdftotext`` in pieces. The whole workbook of a
report of several sheets is printed as well, and must have as many pages as
its sheets printed one by one.

Without ``soffice`` or ``pdftotext`` the tests skip with the reason; under
``CI=true`` they fail. To look at the PDFs: they stay in pytest's temporary
folder (``/tmp/pytest-of-*/pytest-current/paper*/``); ``pdftoppm -png -r 50``
turns them into pictures.
"""

import datetime
import io
import re
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from openpyxl import load_workbook

from cadres.spreadsheets import ARRANGEMENT_HEADERS, ARRANGEMENT_MARK, ARRANGEMENT_TITLE
from tests import paper
from tests.conftest import need

EXPORTS = [
    "attachment2",
    "issue-list",
    "quarterly-report",
    "doubling",
    "coverage",
    "evaluation",
    "spot-check-notice",
    "compliance",
    "feedback-form",
    # The admin's exports (django-import-export, tabular.formats.SafeXLSX), each register's.
    *paper.admin_export_models(),
]
# The world is built once for the module (see ``printed``); the mark makes
# pytest-django create the test database.
pytestmark = pytest.mark.django_db

LANDSCAPE = {"attachment2", "issue-list", "doubling", "spot-check-notice"}
LANDSCAPE |= {"admin-enterprise", "admin-pairing", "admin-membership", "admin-visit"}
PORTRAIT = {"feedback-form", "admin-place"}
STATIC_FILES = "django.contrib.staticfiles.storage.StaticFilesStorage"


@pytest.fixture(scope="module")
def printed(request, django_db_blocker, tmp_path_factory):
    need(paper.SOFFICE, "needs LibreOffice to print: apt-get install libreoffice-calc-nogui")
    need(paper.PDFTOTEXT, "needs pdftotext to read the PDFs: apt-get install poppler-utils")
    request.getfixturevalue("django_db_setup")  # only once the tools are known to be there
    folder = tmp_path_factory.mktemp("paper")
    plain_static = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_FILES}}  # admin pages render
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(STORAGES=plain_static):
        call_command("seed_demo", enterprises=60, cadres=60, stdout=io.StringIO())
        exports = paper.collect_exports()
        transaction.set_rollback(True)
    whole, sheets = paper.split_sheets(exports, folder)
    paper.to_pdf(whole + sheets, folder)
    return {"whole": whole, "sheets": sheets}


def _flat(text):
    return re.sub(r"\s+", "", text)


def _shown(value):
    """A cell's value as it prints."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def _title_rows(ws):
    rows = ws.print_title_rows
    assert rows, f"{ws.title}: no rows repeated on every page"
    first, last = (int(part.strip("$")) for part in rows.split(":"))
    return first, last


def _columns_used(ws):
    return sorted({cell.column for row in ws.iter_rows() for cell in row if cell.value not in (None, "")})


def _sheets_of(printed, export):
    sheets = [p for p in printed["sheets"] if p.export == export]
    assert sheets, export
    return sheets


def _book(sheet):
    book = load_workbook(sheet.xlsx)
    return book[sheet.sheet]


@pytest.mark.parametrize("export", EXPORTS)
def test_every_page_holds_every_column(printed, export):
    for sheet in _sheets_of(printed, export):
        ws = _book(sheet)
        pages = [_flat(page) for page in paper.pages_text(sheet.pdf)]
        assert pages, f"{export}/{sheet.sheet}: no page printed"
        first, last = _title_rows(ws)
        used = _columns_used(ws)
        headings = {cell.column: _shown(cell.value) for cell in ws[last] if cell.value not in (None, "")}
        where = f"{export}/{sheet.sheet}"
        if last > first or len(headings) > 1:  # a table: a heading over every column
            assert sorted(headings) == used, f"{where}: columns without a heading {set(used) - set(headings)}"
            for number, page in enumerate(pages, start=1):
                missing = [h for h in headings.values() if _flat(h) not in page]
                assert not missing, f"{where}: page {number} of {len(pages)} lacks the columns {missing}"
        else:  # a form: its title, its first and its last column on each page
            title = _flat(_shown(ws.cell(row=first, column=1).value))
            edges = []
            for column in (used[0], used[-1]):
                texts = {
                    _flat(_shown(cell.value))
                    for (cell,) in ws.iter_rows(min_row=last + 1, min_col=column, max_col=column)
                    if cell.value not in (None, "") and len(_shown(cell.value)) >= 2
                }
                assert texts, f"{where}: nothing to find in column {column}"
                edges.append((column, texts))
            for number, page in enumerate(pages, start=1):
                assert title in page, f"{where}: page {number} has not the title"
                for column, texts in edges:
                    assert any(t in page for t in texts), f"{where}: page {number} lacks column {column}"


@pytest.mark.parametrize("export", EXPORTS)
def test_a4_fit_to_width_and_the_title_on_one_line(printed, export):
    for sheet in _sheets_of(printed, export):
        ws = _book(sheet)
        where = f"{export}/{sheet.sheet}"
        setup = ws.page_setup
        assert str(setup.paperSize) == ws.PAPERSIZE_A4, where
        assert ws.sheet_properties.pageSetUpPr.fitToPage, where
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), where
        used = _columns_used(ws)
        sized = {c for d in ws.column_dimensions.values() if d.width for c in range(d.min, d.max + 1)}
        assert set(range(1, used[-1] + 1)) <= sized, f"{where}: columns without a width"

        info = subprocess.run(["pdfinfo", str(sheet.pdf)], capture_output=True, text=True).stdout
        size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts(?: \((\w+)\))?", info)
        assert size and size.group(3) == "A4", f"{where}: {size and size.group(0)}"
        wide = float(size.group(1)) > float(size.group(2))
        if export in LANDSCAPE:
            assert wide, f"{where} prints portrait"
        if export in PORTRAIT:
            assert not wide, f"{where} prints landscape"

        first, _last = _title_rows(ws)
        title = ws.cell(row=first, column=1).value
        merged = {str(block) for block in ws.merged_cells.ranges}
        end = ws.cell(row=first, column=used[-1]).coordinate
        assert f"A{first}:{end}" in merged, f"{where}: the title is not merged across A{first}:{end}"
        assert not ws.cell(row=first, column=1).alignment.wrap_text, f"{where}: the title wraps"
        page_one = paper.pages_text(sheet.pdf, layout=True)[0]
        assert any(_flat(title) in _flat(line) for line in page_one.splitlines()), (
            f"{where}: the title {title!r} is not on one line of page 1"
        )


# The exports with dates in them. A date cell written without a date format
# reads back as a plain number, so date columns are known by their heading.
WITH_DATES = ["issue-list", "doubling", "spot-check-notice", "compliance", "feedback-form"]
WITH_DATES += ["admin-pairing", "admin-membership", "admin-visit"]
DATE_HEADING = re.compile(r"(日期|期限)$")


@pytest.mark.parametrize("export", WITH_DATES)
def test_dates_print_as_dates(printed, export):
    """纳入日期 of the category database printed as ``46023`` before."""
    seen = 0
    for sheet in _sheets_of(printed, export):
        ws = _book(sheet)
        text = _flat("".join(paper.pages_text(sheet.pdf)))
        _first, last = _title_rows(ws)
        date_columns = {c.column for c in ws[last] if DATE_HEADING.search(str(c.value or ""))}
        for row in ws.iter_rows(min_row=last + 1):
            for cell in row:
                where = f"{export}/{sheet.sheet}!{cell.coordinate}"
                if cell.column in date_columns and cell.value not in (None, ""):
                    assert isinstance(cell.value, datetime.date), f"{where}: {cell.value!r} is not a date"
                if isinstance(cell.value, datetime.date):
                    seen += 1
                    assert cell.number_format.startswith("yyyy-mm-dd"), f"{where}: {cell.number_format}"
                    assert _flat(_shown(cell.value)) in text, f"{where}: {cell.value} does not print"
    assert seen, f"{export}: no date to look at"


def test_attachment2_is_marked_and_laid_out_like_the_government_table(printed):
    (sheet,) = _sheets_of(printed, "attachment2")
    ws = _book(sheet)
    assert ws["A1"].value == ARRANGEMENT_MARK
    assert ws["A2"].value == ARRANGEMENT_TITLE
    assert [c.value for c in ws[4]] == ARRANGEMENT_HEADERS
    assert ws.print_title_rows == "$2:$4"  # title, date line and headings on every page; the mark once
    pages = paper.pages_text(sheet.pdf, layout=True)
    assert len(pages) > 1  # enough of a world to see the headings repeated
    lines = [line for line in pages[0].splitlines() if line.strip()]
    assert lines[0].strip() == ARRANGEMENT_MARK  # alone on the first line, above the title
    headings = next(line for line in lines if "序号" in line)
    assert lines[0].index(ARRANGEMENT_MARK) <= headings.index("序号")  # at the table's left edge
    assert ARRANGEMENT_TITLE in _flat(lines[1])
    assert all(ARRANGEMENT_MARK not in _flat(page) for page in pages[1:])


def test_a_workbook_prints_as_its_sheets_one_after_the_other(printed):
    """The sheets printed one by one are the workbook's own pages."""
    several = 0
    for whole in printed["whole"]:
        sheets = [p for p in printed["sheets"] if p.export == whole.export]
        if len(sheets) == 1:
            continue
        several += 1
        expected = sum(len(paper.pages_text(s.pdf)) for s in sheets)
        assert len(paper.pages_text(whole.pdf)) == expected, whole.export
    assert several >= 4  # the report, coverage, evaluation, compliance
