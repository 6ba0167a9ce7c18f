"""What an uploaded spreadsheet must be before any row is read: not empty,
not over the size limit (``IMPORT_MAX_UPLOAD_MB``), a real xlsx when it says
xlsx (not a renamed xls or csv), without macros, and without formulas, whose
values a file saved by another program may not even carry. Each refusal says
why in Chinese, with English, and nothing is written."""

import zipfile
from io import BytesIO

from django.conf import settings
from openpyxl.utils import get_column_letter

SHOWN_FORMULAS = 5


class UploadRejected(ValueError):
    """The file as a whole is refused; the message is for the user."""


def check_size(size):
    if not size:
        raise UploadRejected("文件是空的，未写入任何数据。 / The file is empty; nothing was written.")
    limit = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024
    if size > limit:
        raise UploadRejected(
            f"文件过大（{size / 1024 / 1024:.1f} MB），超过 {settings.IMPORT_MAX_UPLOAD_MB} MB 的上限，"
            f"请分批导入。 / The file is larger than the {settings.IMPORT_MAX_UPLOAD_MB} MB limit."
        )


def check_xlsx_container(data: bytes):
    """A real xlsx is a zip with a workbook part, and no VBA project, within
    the limits. Returns whether any sheet has a formula."""
    check_size(len(data))
    buffer = BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise UploadRejected(
            "这不是有效的 xlsx 文件（可能是改了扩展名的 xls、csv 或其他文件）。"
            "请在 Excel 中“另存为 Excel 工作簿（*.xlsx）”后再导入。"
            " / Not a valid xlsx file: save it as an Excel workbook (.xlsx)."
        )
    with zipfile.ZipFile(buffer) as archive:
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
        types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if "xl/workbook.xml" not in names:
        raise UploadRejected(
            "这不是有效的 xlsx 文件：缺少工作簿。 / Not a valid xlsx file: no workbook inside."
        )
    from .limits import max_unpacked_bytes, too_large_unpacked

    if unpacked > max_unpacked_bytes():
        raise too_large_unpacked(unpacked)
    if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
        raise UploadRejected(
            "文件含有宏（VBA），为安全起见不予导入。请另存为不含宏的“Excel 工作簿（*.xlsx）”。"
            " / The file contains macros; save it as a plain .xlsx workbook."
        )
    return count_sheet_rows(buffer, names)


def count_sheet_rows(buffer, names, parts=None, row_tag=b"<row"):
    """Stream each worksheet's XML once (about 0.5 s per 100 MB, a 1 MB
    buffer at a time), counting rows and the bytes really unpacked, which a
    forged zip header may understate; refuse past either limit before any cell
    is parsed. Returns whether a formula (``<f>``) was seen."""
    from .limits import max_rows, max_unpacked_bytes, too_large_unpacked, too_many_rows

    row_limit = max_rows() + 30  # the header and the title and notes above it
    byte_limit = max_unpacked_bytes()
    unpacked, formulas = 0, False
    if parts is None:
        parts = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    with zipfile.ZipFile(buffer) as archive:
        for name in parts:
            rows, tail = 0, b""
            with archive.open(name) as part:
                while chunk := part.read(1 << 20):
                    unpacked += len(chunk)
                    if unpacked > byte_limit:
                        raise too_large_unpacked(unpacked)
                    window = tail + chunk
                    rows += window.count(row_tag)
                    formulas = formulas or any(tag in window for tag in (b"<f>", b"<f ", b":f>", b":f "))
                    tail = chunk[-(len(row_tag) - 1) :]
                    if rows > row_limit:
                        raise too_many_rows()
    return formulas


def check_ods_container(data: bytes):
    """An ods is a zip with ``content.xml``; refused past the limits."""
    check_size(len(data))
    buffer = BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise UploadRejected("这不是有效的 ods 文件，请选择与文件一致的格式。 / Not a valid .ods file.")
    with zipfile.ZipFile(buffer) as archive:
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    from .limits import max_unpacked_bytes, too_large_unpacked

    if "content.xml" not in names:
        raise UploadRejected("这不是有效的 ods 文件：缺少内容。 / Not a valid .ods file.")
    if unpacked > max_unpacked_bytes():
        raise too_large_unpacked(unpacked)
    count_sheet_rows(buffer, names, parts=["content.xml"], row_tag=b"<table:table-row")


def reject_formulas(found):
    """``found``: [(row number, column number, formula)] of formula cells."""
    if not found:
        return
    shown = "；".join(
        f"第 {row} 行第 {get_column_letter(col)} 列 {formula}" for row, col, formula in found[:SHOWN_FORMULAS]
    )
    more = f" 等 {len(found)} 处" if len(found) > SHOWN_FORMULAS else ""
    raise UploadRejected(
        f"文件含有公式：{shown}{more}。请复制后“选择性粘贴 → 数值”，再导入。"
        f" / The file contains {len(found)} formula cell(s); paste them as values first."
    )
