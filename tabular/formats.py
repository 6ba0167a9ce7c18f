"""django-import-export formats that never hand a formula to a spreadsheet.

The library's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` strips only a
leading ``=`` and only in the admin; these formats neutralise every trigger
(see :mod:`tabular.cells`) wherever a resource is exported.

CSV goes out as UTF-8 with a byte-order mark, so Excel on a Chinese Windows
desktop opens it without mojibake, and comes in as UTF-8 or GB18030 (a superset
of GBK, what Excel saves as "CSV" on a Chinese system).
"""

import csv
import io
from io import BytesIO
from itertools import chain, islice

from import_export.formats import base_formats
from tablib import Dataset
from tablib.core import Row

from . import limits
from .cells import neutralise_formula
from .sheet import SCAN_ROWS, locate_header
from .uploads import UploadRejected, check_ods_container, check_size, check_xlsx_container, reject_formulas


def neutralised(dataset):
    """A copy of ``dataset`` with every text cell made safe."""
    safe = Dataset(headers=[neutralise_formula(h) for h in (dataset.headers or [])])
    for row in dataset:
        safe.append([neutralise_formula(cell) for cell in row])
    safe.title = dataset.title
    return safe


class SheetDataset(Dataset):
    """A sheet's data rows, read again from the parsed file at each pass
    instead of being kept as Python lists: 100,000 rows of a register take
    ~120 MB as lists of cells, python-calamine's own copy of the sheet about
    half that. ``source`` gives a fresh iterator over the sheet's rows from
    its top; the first ``skip`` (title, notes, header) are passed over and
    ``count`` are data rows, each cut or padded to ``width`` cells.

    Iterating, ``len``, ``headers`` and ``width`` never build the rows; any
    other use of the rows (indexing, assignment, export) turns the dataset
    into an ordinary one first (a category list blanks the rows it leaves
    out, a few hundred)."""

    def __init__(self, source, skip, count, width, headers):
        self._source, self._skip, self._count, self._width = source, skip, count, width
        super().__init__(headers=headers)
        self._rows = None

    @property
    def _data(self):
        if self._rows is None:
            self._rows = [Row(row) for row in self._stream()]
        return self._rows

    @_data.setter
    def _data(self, rows):
        self._rows = rows

    def _stream(self):
        width = self._width
        for row in islice(self._source(), self._skip, self._skip + self._count):
            row = list(row[:width])
            if len(row) < width:
                row.extend([None] * (width - len(row)))
            yield row

    def __iter__(self):
        if self._rows is not None:
            return (row.tuple for row in self._rows)
        return (tuple(row) for row in self._stream())

    @property
    def height(self):
        return self._count if self._rows is None else len(self._rows)

    @property
    def width(self):
        return self._width if self._rows is None else super().width


def dataset_from_rows(source):
    """A dataset of a sheet's rows: the header found below any title, note or
    blank row (:func:`tabular.sheet.locate_header`), every later row kept
    (blank ones too, so numbering stays the sheet's) but trailing blank ones,
    at most ``IMPORT_MAX_ROWS`` data rows, no NUL character in any cell.

    ``source``: a callable giving a fresh iterator over the sheet's rows
    (lists of values) from its top, read once here for those checks and again
    at each pass over the dataset (:class:`SheetDataset`); or an iterable of
    rows, read once and kept.

    The dataset carries ``first_row_number`` (the sheet row of its first data
    row), ``header_row_number`` and ``notes`` (the text above the header)."""
    if not callable(source):
        kept = list(source)
        source = kept.__iter__
    rows = source()
    top = []
    for row in rows:
        top.append(list(row))
        if len(top) >= SCAN_ROWS:
            break
    if not top:
        dataset = Dataset()
        dataset.first_row_number, dataset.header_row_number, dataset.notes = 2, 1, []
        return dataset
    located = locate_header(top)
    header = top[located.header_index]
    width = len(header)
    while width and (header[width - 1] is None or str(header[width - 1]).strip() == ""):
        width -= 1
    headers = []
    for column, value in enumerate(header[:width], start=1):
        text = "" if value is None else str(value).strip()
        headers.append(text or f"（第{column}列无表头）")
    limit = limits.max_rows()
    last = 0
    for count, row in enumerate(chain(top[located.header_index + 1 :], rows), start=1):
        if count > limit:
            raise limits.too_many_rows()
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and "\x00" in value:
                raise nul_in_cell(located.header_index + 1 + count, column)
        # Trailing blank rows (a sheet's formatted but empty area) are no rows.
        if any(v is not None and (not isinstance(v, str) or v.strip()) for v in row[:width]):
            last = count
    dataset = SheetDataset(source, located.header_index + 1, last, width, headers)
    dataset.header_row_number = located.header_index + 1
    dataset.first_row_number = located.header_index + 2
    dataset.notes = located.notes
    return dataset


def calamine_source(data):
    """The first visible sheet of an xlsx, xls or ods, through python-calamine
    (Rust), some ten times faster than openpyxl: a callable giving its rows
    (see :func:`dataset_from_rows`). Empty cells are None and whole numbers
    int, as openpyxl gives them."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(BytesIO(data))
    visible = [i for i, m in enumerate(book.sheets_metadata) if str(m.visible).lower().endswith("visible")]
    sheet = book.get_sheet_by_index(visible[0] if visible else 0)
    book.close()
    # The range starts at the first cell used: keep the sheet's own row numbers.
    first_row, first_column = sheet.start or (0, 0)

    def rows():
        for _ in range(first_row):
            yield []
        pad = [None] * first_column
        for row in sheet.iter_rows():
            yield pad + [
                None
                if value == ""
                else int(value)
                if isinstance(value, float) and value.is_integer() and abs(value) < 1e15
                else value
                for value in row
            ]

    return rows


def unreadable(kind):
    return UploadRejected(
        f"无法读取这个 {kind} 文件：文件可能已损坏、加了密码，或扩展名与内容不符。"
        "请在 Excel 或 WPS 中打开后另存为“Excel 工作簿（*.xlsx）”再导入。"
        f" / The {kind} file could not be read; save it as .xlsx and try again."
    )


class SafeXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        """The first sheet's values, in one pass; refused whole if the file
        is not a real xlsx, carries macros, unpacks beyond the limits, or has
        formula cells (see :mod:`tabular.uploads`). Read by python-calamine;
        a file with formulas by openpyxl, which names each formula cell."""
        formulas = check_xlsx_container(in_stream)
        if formulas:
            return self._with_openpyxl(in_stream)
        try:
            return dataset_from_rows(calamine_source(in_stream))
        except UploadRejected:
            raise
        except Exception:
            raise unreadable("xlsx") from None

    def _with_openpyxl(self, in_stream):
        import openpyxl

        book = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=False)
        formulas = []

        def values():
            for number, row in enumerate(book.active.iter_rows(), start=1):
                cells = []
                for column, cell in enumerate(row, start=1):
                    if cell.data_type == "f":
                        formulas.append((number, column, str(cell.value)[:40]))
                    cells.append(cell.value)
                yield cells

        try:
            dataset = dataset_from_rows(values())
        finally:
            book.close()
        reject_formulas(formulas)
        return dataset

    def export_data(self, dataset, **kwargs):
        """A sheet laid out to print (:func:`tabular.xlsx.register_sheet`),
        titled by ``dataset.title`` when it has one; every cell through
        :func:`tabular.xlsx.put`, which neutralises formulas."""
        from .xlsx import new_workbook, register_sheet, sheet_title, workbook_bytes

        book, ws = new_workbook()
        title = dataset.title or ""
        ws.title = sheet_title(title, set(), "1") if title else "Sheet1"
        register_sheet(ws, title, list(dataset.headers or []), [list(row) for row in dataset])
        return workbook_bytes(book)


class ReadOnlyFormat(base_formats.Format):
    """An import-only format read by python-calamine (no tablib module)."""

    TITLE = EXTENSION = CONTENT_TYPE = ""

    def __init__(self, encoding=None):
        self.encoding = encoding

    def get_title(self):
        return self.TITLE

    def get_extension(self):
        return self.EXTENSION

    def get_content_type(self):
        return self.CONTENT_TYPE

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def can_import(self):
        return True

    def can_export(self):
        return False


def _calamine_dataset(in_stream, extension):
    """The sheet python-calamine reads from a checked ``in_stream``; a file it
    cannot read is refused as an unreadable ``extension`` file."""
    try:
        return dataset_from_rows(calamine_source(in_stream))
    except UploadRejected:
        raise
    except Exception:
        raise unreadable(extension) from None


class SafeXLS(ReadOnlyFormat):
    """Excel 97–2003 (.xls), as many offices still save, read by
    python-calamine (an xls sheet holds at most 65,536 rows). Formulas come in
    as the values Excel saved with them."""

    TITLE = EXTENSION = "xls"
    CONTENT_TYPE = "application/vnd.ms-excel"

    def create_dataset(self, in_stream):
        check_size(len(in_stream))
        if not in_stream.startswith(b"\xd0\xcf\x11\xe0"):
            raise UploadRejected(
                "这不是有效的 xls 文件（可能是 xlsx、csv 或其他文件改了扩展名），请选择与文件一致的格式。"
                " / Not a valid .xls file: choose the format that matches the file."
            )
        return _calamine_dataset(in_stream, "xls")


class SafeODS(ReadOnlyFormat):
    """OpenDocument (.ods, LibreOffice and WPS), read by python-calamine after
    the same container checks as xlsx (size unpacked, rows)."""

    TITLE = EXTENSION = "ods"
    CONTENT_TYPE = "application/vnd.oasis.opendocument.spreadsheet"

    def create_dataset(self, in_stream, **kwargs):
        check_ods_container(in_stream)
        return _calamine_dataset(in_stream, "ods")


class CSVEncodingError(ValueError):
    pass


def nul_in_cell(row, column):
    return UploadRejected(
        f"第 {row} 行第 {column} 列含有空字符（NUL，\\0），文件可能已损坏，未写入任何数据。"
        "请删除该单元格的内容后重新输入，另存再导入。"
        f" / Row {row}, column {column} contains a NUL character; nothing was written."
    )


def reject_nul(text):
    """A NUL character reaches no database (PostgreSQL refuses it in text)."""
    at = text.find("\x00")
    if at < 0:
        return
    line = text.count("\n", 0, at) + 1
    start = text.rfind("\n", 0, at) + 1
    column = len(next(csv.reader([text[start:at] + "x"]), [""]))
    raise UploadRejected(
        f"第 {line} 行第 {column} 列含有空字符（NUL，\\0），文件可能已损坏或不是文本格式的 CSV，"
        "未写入任何数据。"
        "请在 Excel 中打开后另存为“CSV UTF-8（逗号分隔）”再导入。"
        f" / Row {line}, column {column} contains a NUL character; nothing was written."
    )


class SafeCSV(base_formats.CSV):
    ENCODINGS = ("utf-8-sig", "gb18030")

    def is_binary(self):
        # Read the upload as bytes so we, not the admin, choose the encoding.
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            check_size(len(in_stream))
            kind = "xls" if in_stream.startswith(b"\xd0\xcf\x11\xe0") else None
            kind = kind or ("xlsx / ods" if in_stream.startswith(b"PK\x03\x04") else None)
            if kind:
                raise UploadRejected(
                    f"这是 Excel / WPS 表格文件（{kind}），不是 CSV：请在“格式”中选择 {kind} 后再导入。"
                    f" / This is a {kind} workbook, not CSV: choose {kind} as the format."
                )
            for encoding in self.ENCODINGS:
                try:
                    in_stream = in_stream.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise CSVEncodingError(
                    "无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码。"
                    " / The CSV file is neither UTF-8 nor GBK."
                )
        reject_nul(in_stream)
        if in_stream.startswith("\ufeff"):
            in_stream = in_stream[1:]
        return dataset_from_rows(lambda: csv.reader(io.StringIO(in_stream, newline="")))

    def export_data(self, dataset, **kwargs):
        text = base_formats.TablibFormat.export_data(self, neutralised(dataset), **kwargs)
        return ("\ufeff" + text).encode("utf-8")
