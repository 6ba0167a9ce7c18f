"""Writes to the import's own table."""

from .history import records_history_by
from .models import ColumnMapping
from .sheet import header_key


@records_history_by()
def remember_columns(kind, choices, *, allowed, by=None):
    """Remember, for the import kind ``kind``, what headers mean: ``choices``
    is ``{header as the file writes it: our column, or "" to ignore it}``.
    Headers are stored normalised (:func:`tabular.sheet.header_key`), so
    ``2025年对接人（人）`` and ``对接人`` are one; a column not in ``allowed``
    (the kind's imported columns) or a blank header is left out. A mapping
    that already says so is not written again. Returns the ``(header,
    column)`` pairs taken."""
    taken = []
    for header, column in choices.items():
        key = header_key(header)
        if not key or (column and column not in allowed):
            continue
        mapping = ColumnMapping.objects.filter(kind=kind, header=key).first()
        if mapping is None:
            ColumnMapping.objects.create(kind=kind, header=key, column=column)
        elif mapping.column != column:
            mapping.column = column
            mapping.save(update_fields=["column", "updated_at"])
        taken.append((header, column))
    return taken
