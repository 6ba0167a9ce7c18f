"""A corpus of spreadsheets shaped like the ones a municipal office circulates,
generated (never hand-edited): run ``python -m tests.office_files DIR`` to
write them to a folder and open them in Excel or WPS; the tests build them in
memory and push them through the admin's import pages.

Each builder returns ``OfficeFile(name, content, expected)``: the bytes, and
for a valid file the records the import must produce (what each cell means
once read: the place's own name, the revenue in 万元, blank cells as "").
"""

import csv
import datetime
import io
import random
import sys
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from cadres import spreadsheets
from cadres.demo import demo_credit_code

# As the office writes a town → the place it means.
TOWNS_AS_WRITTEN = [
    ("乌镇", "乌镇镇"),
    ("凤鸣", "凤鸣街道"),
    ("桐乡市乌镇镇", "乌镇镇"),
    ("濮院镇", "濮院镇"),
    ("桐乡市濮院镇", "濮院镇"),
    ("开发区", "桐乡经济开发区"),
    ("梧桐街道", "梧桐街道"),
    ("崇福", "崇福镇"),
]
PLACES = sorted(
    {
        (place, kind)
        for place, kind in [
            ("乌镇镇", "town"),
            ("凤鸣街道", "street"),
            ("濮院镇", "town"),
            ("桐乡经济开发区", "dev_zone"),
            ("梧桐街道", "street"),
            ("崇福镇", "town"),
        ]
    }
)

REGISTER_HEADERS = [
    "序号",
    "单位详细名称",
    "统一社会信用代码",
    "所在镇(街道)",
    "详细地址",
    "所属行业",
    "法定代表人",
    "联系人",
    "联系电话",
    "从业人员（人）",
    "2025年营业收入（万元）",
    "备注",
]
INDUSTRIES = ["毛衫", "化纤", "皮草", "新材料", "汽车零部件", "家纺"]


@dataclass
class OfficeFile:
    name: str
    content: bytes
    expected: list = field(default_factory=list)
    note: str = ""


def code(n):
    return demo_credit_code(30_000_000 + n)


def register_records(count, seed=2026):
    """The enterprises of a register, as the cells say and as they mean."""
    rng = random.Random(seed)
    records = []
    for n in range(count):
        written, place = TOWNS_AS_WRITTEN[n % len(TOWNS_AS_WRITTEN)]
        revenue = Decimal(rng.randrange(50_000, 9_000_000)) / 100  # 500.00 … 89,999.99 万元
        phone = f"0573-88{n:06d}"[:13] if n % 3 == 0 else f"139{n:08d}"
        records.append(
            {
                "written_place": written,
                "name": f"桐乡市{['华', '越', '恒', '新', '佳'][n % 5]}{n}号实业有限公司",
                "credit_code": code(n),
                "place": place,
                # Blank optional cells: every fourth address, every fifth contact.
                "address": "" if n % 4 == 0 else f"{place}工业园区{n}号",
                "industry": INDUSTRIES[n % len(INDUSTRIES)],
                "legal_representative": "" if n % 7 == 0 else f"张{n}",
                "contact_name": "" if n % 5 == 0 else f"李{n}",
                "contact_phone": "" if n % 5 == 0 else phone.replace("-", "") if n % 3 else phone,
                "employees": None if n % 6 == 0 else 10 + n,
                "annual_revenue": None if n % 9 == 0 else revenue,
                "revenue_year": None if n % 9 == 0 else 2025,
            }
        )
    return records


def _expected(record):
    return {k: v for k, v in record.items() if k != "written_place"}


def _register_rows(records):
    rows = []
    for n, r in enumerate(records, start=1):
        rows.append(
            [
                n,
                r["name"],
                r["credit_code"],
                r["written_place"],
                r["address"] or None,
                r["industry"],
                r["legal_representative"] or None,
                r["contact_name"] or None,
                r["contact_phone"] or None,
                r["employees"],
                r["annual_revenue"],
                None,
            ]
        )
    total = sum((r["annual_revenue"] or 0) for r in records)
    rows.append(["合计", None, None, None, None, None, None, None, None, None, total, None])
    return rows


def _xlsx(title, note, headers, rows):
    wb = Workbook()
    ws = wb.active
    ws.append([title] + [None] * (len(headers) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append([note] + [None] * (len(headers) - 2) + ["单位：万元"] if note else [None] * len(headers))
    ws.append([None] * len(headers))  # a blank row before the header
    ws.append(headers)
    for row in rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def enterprise_register_xlsx(count=60):
    """The register as the office circulates it: a merged title, a note with
    ``单位：万元``, a blank row, the office's header wording, town short forms,
    blank optional cells and a 合计 row."""
    records = register_records(count)
    content = _xlsx(
        "2025年桐乡市“干部联千企”联系企业名册",
        "填报单位：桐乡市经信局",
        REGISTER_HEADERS,
        _register_rows(records),
    )
    return OfficeFile("企业名册.xlsx", content, [_expected(r) for r in records])


def _sheet_rows(title, note, headers, rows):
    """The cells of the register's sheet, row by row (None for blank)."""
    width = len(headers)
    yield [title] + [None] * (width - 1)
    yield [note] + [None] * (width - 2) + ["单位：万元"]
    yield [None] * width
    yield list(headers)
    for row in rows:
        yield [float(v) if isinstance(v, Decimal) else v for v in row]


def enterprise_register_xls(count=30):
    """The register saved as Excel 97–2003 (.xls), title merged across."""
    import xlwt

    records = register_records(count, seed=11)
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("企业名册")
    for r, row in enumerate(
        _sheet_rows("2025年企业名册", "填报单位：经信局", REGISTER_HEADERS, _register_rows(records))
    ):
        if r == 0:
            sheet.write_merge(0, 0, 0, len(REGISTER_HEADERS) - 1, row[0])
            continue
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return OfficeFile("企业名册.xls", buffer.getvalue(), [_expected(r) for r in records])


def _ods_cell(value):
    from xml.sax.saxutils import escape

    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, int | float):
        opening = f'<table:table-cell office:value-type="float" office:value="{value}">'
        return f"{opening}<text:p>{value}</text:p></table:table-cell>"
    opening = '<table:table-cell office:value-type="string">'
    return f"{opening}<text:p>{escape(str(value))}</text:p></table:table-cell>"


def enterprise_register_ods(count=30):
    """The register as LibreOffice or WPS saves it (.ods), title merged across."""
    records = register_records(count, seed=13)
    rows = list(_sheet_rows("2025年企业名册", "填报单位：经信局", REGISTER_HEADERS, _register_rows(records)))
    width = len(REGISTER_HEADERS)
    xml_rows = [
        "<table:table-row>"
        f'<table:table-cell office:value-type="string" table:number-columns-spanned="{width}">'
        f"<text:p>{rows[0][0]}</text:p></table:table-cell>"
        f'<table:covered-table-cell table:number-columns-repeated="{width - 1}"/></table:table-row>'
    ]
    xml_rows += [
        "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>" for row in rows[1:]
    ]
    # LibreOffice ends a sheet with a huge run of blank rows.
    xml_rows.append(
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell/></table:table-row>'
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="企业名册">'
        + "".join(xml_rows)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return OfficeFile("企业名册.ods", buffer.getvalue(), [_expected(r) for r in records])


def _csv(headers, rows, title):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title] + [""] * (len(headers) - 1))
    writer.writerow(["单位：万元"] + [""] * (len(headers) - 1))
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return out.getvalue()


def enterprise_register_csv(encoding, count=40):
    """The same register saved as CSV by Excel on a Chinese desktop: GBK, or
    UTF-8 with a byte-order mark."""
    records = register_records(count, seed=7)
    text = _csv(REGISTER_HEADERS, _register_rows(records), "2025年桐乡市企业名册")
    content = text.encode("gbk") if encoding == "gbk" else ("\ufeff" + text).encode("utf-8")
    return OfficeFile(f"企业名册-{encoding}.csv", content, [_expected(r) for r in records])


LIST_HEADERS = ["序号", "统一社会信用代码", "单位详细名称", "所在镇(街道)", "2025年营业收入（万元）"]


def above_size_list(records, factor=1, extra=0):
    """The statistics bureau's 规上 list for 2025 over ``records`` (those with a
    revenue of at least 2,000 万元). ``factor=10``: the figures in 千元 under a
    万元 header. ``extra``: enterprises at the end missing from the register."""
    members = [r for r in records if r["annual_revenue"] and r["annual_revenue"] >= 2000]
    rows = [
        [n, r["credit_code"], r["name"], r["written_place"], r["annual_revenue"] * factor]
        for n, r in enumerate(members, start=1)
    ]
    missing = []
    for k in range(extra):
        written, place = TOWNS_AS_WRITTEN[k]
        entry = {"credit_code": code(900_000 + k), "name": f"桐乡市新上规{k}号有限公司", "place": place}
        missing.append(entry)
        rows.append([len(rows) + 1, entry["credit_code"], entry["name"], written, Decimal("2500") + k])
    rows.append(["合计", None, None, None, sum(r[4] for r in rows)])
    content = _xlsx("2025年桐乡市规模以上工业企业名单", "桐乡市统计局", LIST_HEADERS, rows)
    name = "规上名单-千元.xlsx" if factor == 10 else "规上名单.xlsx"
    return OfficeFile(name, content, [*members, *missing], note="missing" if extra else "")


def nul_csv():
    text = "企业名称,统一社会信用代码,所在镇（街道）\r\n桐乡市某有限公司,9133\x00048,濮院镇\r\n"
    return OfficeFile("含空字符.csv", text.encode("utf-8"))


def huge_csv(rows=1_000_000):
    """A 1,000,000-row CSV of about 18 MB (under the upload limit)."""
    head = "企业名称,统一社会信用代码,所在镇（街道）\n".encode()
    line = "某公司,1,乌镇\n".encode()
    return OfficeFile("百万行.csv", head + line * rows)


def zip_bomb_xlsx(rows=2_000_000):
    """A small xlsx whose sheet unpacks to ``rows`` rows (about 100 MB of XML
    for 2M rows, some 200 KB packed), written as a stream."""
    wb = Workbook()
    wb.active.append(["企业名称", "统一社会信用代码", "所在镇（街道）"])
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(item, source.read(item.filename))
                continue
            with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData>'
                )
                chunk = []
                for _ in range(rows):
                    chunk.append(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>')
                    if len(chunk) == 10_000:
                        sheet.write(b"".join(chunk))
                        chunk = []
                sheet.write(b"".join(chunk) + b"</sheetData></worksheet>")
    return OfficeFile("解压炸弹.xlsx", out.getvalue())


def enterprise_register_own_wording(records):
    """The register of ``records`` (:func:`register_records`) with one header
    in a wording no import knows (``对接人`` for the contact): the
    column-mapping step's case."""
    headers = ["对接人" if h == "联系人" else h for h in REGISTER_HEADERS]
    content = _xlsx("2026年新增联系企业名册", "填报单位：桐乡市经信局", headers, _register_rows(records))
    return OfficeFile("企业名册-对接人.xlsx", content, [_expected(r) for r in records])


# The other registers as an office lists them: a title, a blank row, 序号 and
# 备注 columns, and one column under a heading of the office's own
# (地点类别, 单位性质, 现任职务, 结对日期) that the import maps once staff say
# what it means. ``rows``: the cells after 序号 and before 备注.
PLACE_LIST_HEADERS = ["序号", "名称", "地点类别", "备注"]
UNIT_LIST_HEADERS = ["序号", "单位名称", "单位性质", "备注"]
CADRE_LIST_HEADERS = ["序号", "姓名", "所在单位", "职级", "现任职务", "手机号", "备注"]
PAIRING_LIST_HEADERS = [
    "序号",
    "干部手机号",
    "干部姓名",
    "企业统一社会信用代码",
    "企业名称",
    "联系类型",
    "结对日期",
    "备注",
]


def office_list_xlsx(name, title, headers, rows):
    numbered = [[n, *row, None] for n, row in enumerate(rows, start=1)]
    return OfficeFile(name, _xlsx(title, "", headers, numbered), rows)


def place_list_xlsx(rows):
    """``rows``: [(name, 类型 label)]."""
    return office_list_xlsx("镇街道一览.xlsx", "桐乡市镇（街道）一览表", PLACE_LIST_HEADERS, rows)


def unit_list_xlsx(rows):
    """``rows``: [(name, 单位类型 label)]."""
    return office_list_xlsx("单位名单.xlsx", "“干部联千企”参与单位名单", UNIT_LIST_HEADERS, rows)


def cadre_list_xlsx(rows):
    """``rows``: [(name, unit as written, 职级 label, title, mobile)]."""
    return office_list_xlsx("联系干部名单.xlsx", "2026年联系干部名单", CADRE_LIST_HEADERS, rows)


def pairing_list_xlsx(rows):
    """``rows``: [(mobile, cadre, credit code, enterprise, 联系类型 label, date as written)]."""
    return office_list_xlsx("结对名单.xlsx", "2026年干部结对联系企业名单", PAIRING_LIST_HEADERS, rows)


def corpus():
    records = register_records(60)
    return [
        enterprise_register_xlsx(),
        enterprise_register_xls(),
        enterprise_register_ods(),
        enterprise_register_csv("gbk"),
        enterprise_register_csv("utf-8-sig"),
        above_size_list(records),
        above_size_list(records, factor=10),
        above_size_list(records, extra=3),
        nul_csv(),
    ]


if __name__ == "__main__":  # pragma: no cover
    import django

    django.setup()
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "office-files")
    target.mkdir(parents=True, exist_ok=True)
    for item in corpus():
        (target / item.name).write_bytes(item.content)
        print(target / item.name, len(item.content), "bytes", datetime.date.today())


#: the headings of the table the office fills in: the exported table's, and a start date
ARRANGEMENT_HEADERS = [*spreadsheets.ARRANGEMENT_HEADERS, "开始日期"]


def attachment2_xlsx(blocks):
    """Attachment 2 as circulated: a title, a 截至 line, then per unit a block
    with the unit (and its leaders) merged down, per cadre their name merged
    down their rows, a row per cell of enterprises (several in one cell,
    separated by 、 or a new line), dates in the forms the office writes.

    ``blocks``: [(unit, [(cadre, [(enterprises cell, date cell)])])]."""
    wb = Workbook()
    ws = wb.active
    width = len(ARRANGEMENT_HEADERS)
    ws.append([spreadsheets.ARRANGEMENT_TITLE] + [None] * (width - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["截至 2026年03月27日"] + [None] * (width - 1))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.append(ARRANGEMENT_HEADERS)
    row = 4
    for number, (unit, cadres) in enumerate(blocks, start=1):
        unit_top = row
        for cadre, cells in cadres:
            cadre_top = row
            for enterprises, date in cells:
                ws.cell(row=row, column=8, value=enterprises)
                ws.cell(row=row, column=10, value=date)
                row += 1
            for column, value in ((5, cadre), (6, "科长"), (7, "中层")):
                ws.cell(row=cadre_top, column=column, value=value)
                ws.merge_cells(start_row=cadre_top, start_column=column, end_row=row - 1, end_column=column)
        for column, value in ((1, number), (2, unit), (3, "某局长"), (4, "某副局长")):
            ws.cell(row=unit_top, column=column, value=value)
            ws.merge_cells(start_row=unit_top, start_column=column, end_row=row - 1, end_column=column)
    buffer = io.BytesIO()
    wb.save(buffer)
    return OfficeFile("附件2.xlsx", buffer.getvalue())
