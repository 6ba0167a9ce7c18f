"""A downloadable template per import kind: the columns a resource reads, one
example row, and a sheet of notes on each column (required or not, the form
it takes, the values it accepts, other headers it is known by)."""

from io import BytesIO

from django.db.models import ForeignKey
from openpyxl import Workbook

from .xlsx import CENTER, HEADER_FILL, HEADER_FONT, put


def column_notes(resource):
    """[(column, required, note)] for each column the resource imports."""
    model = resource._meta.model
    required = set(resource.required_columns())
    aliases = {}
    for alias, attribute in resource.header_aliases.items():
        aliases.setdefault(attribute, []).append(alias)
    notes = []
    for f in resource.get_import_fields():
        if f.readonly or not f.attribute:
            continue
        parts = []
        try:
            model_field = model._meta.get_field(f.attribute)
        except Exception:
            model_field = None
        if model_field is not None and model_field.help_text:
            parts.append(str(model_field.help_text))
        if hasattr(f.widget, "choices"):
            labels = [str(label) for _value, label in f.widget.choices]
            parts.append("可填：" + "、".join(labels))
        if f.attribute in resource.lookup_fields and isinstance(model_field, ForeignKey):
            related = model_field.related_model._meta.verbose_name
            parts.append(f"填写已有{related}的{resource.lookup_fields[f.attribute]}")
        if f.attribute in resource.money_attributes:
            parts.append("金额以万元计；表头或表格上方注明单位（元、千元、万元、亿元）的，按单位折算")
        if "date" in type(f.widget).__name__.lower():
            parts.append("日期写作 2026-04-15、2026/4/15、2026.4.15 或 2026年4月15日")
        if f.attribute in aliases:
            parts.append("表头也可写作：" + "、".join(aliases[f.attribute]))
        notes.append((f.column_name, f.column_name in required, "；".join(parts)))
    return notes


def template_workbook(resource, title):
    notes = column_notes(resource)
    book = Workbook()
    sheet = book.active
    sheet.title = "导入模板"
    example = getattr(resource, "template_example", {})
    by_column = {f.column_name: f.attribute for f in resource.get_import_fields()}
    for column, (name, _required, _note) in enumerate(notes, start=1):
        put(sheet, 1, column, name, font=HEADER_FONT, alignment=CENTER, fill=HEADER_FILL)
        put(sheet, 2, column, example.get(by_column[name], ""))
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = max(
            12, 2 * len(name) + 4
        )
    sheet.freeze_panes = "A2"
    explained = book.create_sheet("填写说明")
    for column, heading in enumerate(("列名", "是否必填", "说明"), start=1):
        put(explained, 1, column, heading, font=HEADER_FONT, alignment=CENTER, fill=HEADER_FILL)
    for row, (name, required, note) in enumerate(notes, start=2):
        put(explained, row, 1, name)
        put(explained, row, 2, "必填" if required else "选填")
        put(explained, row, 3, note)
    last = len(notes) + 3
    put(
        explained,
        last,
        1,
        f"{title}：第二行是示例，导入前请删除。整个文件全部校验通过才会写入；标题、说明和空行可以保留在表头上方，"
        "合计、小计行不会导入。",
        border=False,
    )
    explained.column_dimensions["A"].width = 24
    explained.column_dimensions["B"].width = 10
    explained.column_dimensions["C"].width = 80
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
