"""django-import-export formats that never hand a formula to a spreadsheet.

The library's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` strips only a
leading ``=`` and only in the admin; these formats neutralise every trigger
(see :mod:`tabular.cells`) wherever a resource is exported.

CSV goes out as UTF-8 with a byte-order mark, so Excel on a Chinese Windows
desktop opens it without mojibake, and comes in as UTF-8 or GB18030 (a superset
of GBK, what Excel saves as "CSV" on a Chinese system).
"""

from io import BytesIO

from import_export.formats import base_formats
from tablib import Dataset

from .cells import neutralise_formula
from .uploads import check_size, check_xlsx_container, reject_formulas


def neutralised(dataset):
    """A copy of ``dataset`` with every text cell made safe."""
    safe = Dataset(headers=[neutralise_formula(h) for h in (dataset.headers or [])])
    for row in dataset:
        safe.append([neutralise_formula(cell) for cell in row])
    safe.title = dataset.title
    return safe


class SafeXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        """The first sheet's values, in one pass; refused whole if the file
        is not a real xlsx, carries macros, or has formula cells (see
        :mod:`tabular.uploads`)."""
        import openpyxl

        check_xlsx_container(in_stream)
        book = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=False)
        dataset, formulas = Dataset(), []
        rows = book.active.iter_rows()
        header = next(rows, None)
        if header is None:
            return dataset
        dataset.headers = [cell.value for cell in header]
        for number, row in enumerate(rows, start=2):
            values = []
            for column, cell in enumerate(row, start=1):
                if cell.data_type == "f":
                    formulas.append((number, column, str(cell.value)[:40]))
                values.append(cell.value)
            dataset.append(values)
        book.close()
        reject_formulas(formulas)
        return dataset

    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralised(dataset), **kwargs)


class CSVEncodingError(ValueError):
    pass


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
        return base_formats.TablibFormat.create_dataset(self, in_stream, **kwargs)

    def export_data(self, dataset, **kwargs):
        text = base_formats.TablibFormat.export_data(self, neutralised(dataset), **kwargs)
        return ("\ufeff" + text).encode("utf-8")
