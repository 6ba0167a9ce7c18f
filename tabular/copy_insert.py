"""New rows inserted with PostgreSQL's ``COPY … FROM STDIN``.

``bulk_create`` builds one ``INSERT`` of a thousand rows at a time, preparing
each value through its field (about half of a 100,000-row write in Python)
and PostgreSQL parses and plans each statement; ``COPY`` streams the rows as
text, about three times faster in all. It is used for a model whose columns
are all plain text, numbers, booleans, dates and foreign keys to such keys
(see :func:`can_copy`), on PostgreSQL with psycopg2; anything else goes
through ``bulk_create``. Like ``bulk_create`` it sends no signals and leaves
no instance; columns not given take their model default, and ``auto_now`` /
``auto_now_add`` columns the time of the insert. Each cell is written in
the one COPY text format of :mod:`tabular.bulk` (:func:`~tabular.bulk.copy_cell`).
"""

import io

from django.db import connections
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from .bulk import copy_buffer, copy_cell

_TEXT = {"CharField", "TextField", "SlugField"}
_NUMBER = {
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "DecimalField",
}
_AUTO = {"AutoField", "BigAutoField", "SmallAutoField"}


def _kind(field):
    kind = field.get_internal_type()
    if kind == "ForeignKey":
        kind = field.target_field.get_internal_type()
    return kind


def can_copy(model, using):
    if connections[using].vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if is_psycopg3:
        return False  # copy_expert is psycopg2's
    for field in model._meta.concrete_fields:
        if field.generated or getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
            return False
        if _kind(field) not in _TEXT | _NUMBER | {"BooleanField", "DateField", "DateTimeField"}:
            return False
    return True


def copy_insert(model, attnames, rows, using):
    """Insert ``rows`` (tuples of values for the columns ``attnames``) into
    ``model``'s table; :func:`can_copy` must hold."""
    connection = connections[using]
    given = {attname: i for i, attname in enumerate(attnames)}
    columns, parts = [], []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field.attname not in given and field.primary_key and _kind(field) in _AUTO:
            continue  # the database numbers the row
        columns.append(connection.ops.quote_name(field.column))
        text = _kind(field) in _TEXT
        if field.attname in given:
            parts.append((field, given[field.attname], None, text))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            parts.append((field, None, lambda now=now: now, text))
        else:
            parts.append((field, None, field.get_default, text))
    buffer = io.StringIO()
    for row in rows:
        cells = []
        for field, at, fill, text in parts:
            value = row[at] if at is not None else fill()
            if text and value is not None and not isinstance(value, str):
                value = str(value)  # a number read into a text column
            cells.append(copy_cell(field, value, connection))
        buffer.write("\t".join(cells))
        buffer.write("\n")
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        copy_buffer(cursor, sql, buffer)  # logged and counted like any query
