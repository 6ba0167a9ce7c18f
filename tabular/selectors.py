"""Reads of the import's own table."""

from .models import ColumnMapping


def remembered_columns(kind):
    """``{normalised header: our column, or "" to ignore}`` for one import kind."""
    return dict(ColumnMapping.objects.filter(kind=kind).values_list("header", "column"))
