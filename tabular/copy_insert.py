"""New rows inserted with PostgreSQL's ``COPY … FROM STDIN``.

``bulk_create`` builds one ``INSERT`` of a thousand rows at a time, preparing
each value through its field (about half of a 100,000-row write in Python)
and PostgreSQL parses and plans each statement; ``COPY`` streams the rows as
text, about three times faster in all. It is used for a model whose columns
are all plain text, numbers, booleans, dates and foreign keys to such keys
(see :func:`can_copy`), on PostgreSQL with psycopg2; anything else goes
through ``bulk_create``. Like ``bulk_create`` it sends no signals and leaves
no instance; columns not given take their model default, and ``auto_now`` /
``auto_now_add`` columns the time of the insert.
"""

import io

from django.conf import settings
from django.db import connections
from django.db.models import NOT_PROVIDED
from django.utils import timezone

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
# COPY's text format: tab between columns, \N for NULL, backslash escapes.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


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


def _text(value):
    return NULL if value is None else (value if isinstance(value, str) else str(value)).translate(_ESCAPES)


def _number(value):
    return NULL if value is None else str(value)


def _boolean(value):
    return NULL if value is None else ("t" if value else "f")


def _date(value):
    return NULL if value is None else value.isoformat()


def _datetime(value):
    if value is None:
        return NULL
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.isoformat()


def _encoder(field):
    kind = _kind(field)
    if kind in _TEXT:
        return _text
    if kind in _NUMBER:
        return _number
    return {"BooleanField": _boolean, "DateField": _date, "DateTimeField": _datetime}[kind]


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
        encode = _encoder(field)
        if field.attname in given:
            parts.append((given[field.attname], encode, None))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            parts.append((None, encode, lambda now=now: now))
        else:
            parts.append((None, encode, field.get_default))
    buffer = io.StringIO()
    for row in rows:
        cells = [encode(row[at] if at is not None else fill()) for at, encode, fill in parts]
        buffer.write("\t".join(cells))
        buffer.write("\n")
    buffer.seek(0)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.copy_expert(sql, buffer)  # logged and counted like any query
