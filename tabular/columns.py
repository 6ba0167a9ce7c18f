"""Plain spreadsheet columns (no widget of their own), declared as a table."""

from import_export import fields, resources


def columns(**table):
    """A resource base declaring a plain column for each entry of ``table``:
    ``name="列名"`` (the attribute is the name) or ``name=("attribute__path",
    "列名")``. A resource puts it before its own base,
    ``class VisitResource(columns(...), resources.ModelResource)``, and lists
    the names in its ``Meta.fields`` like the columns it declares itself."""
    declared = {}
    for name, column in table.items():
        attribute, column_name = column if isinstance(column, tuple) else (name, column)
        declared[name] = fields.Field(attribute=attribute, column_name=column_name)
    return type(resources.Resource)("Columns", (resources.Resource,), declared)
