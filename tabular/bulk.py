"""Bulk writes that stay fast at hundreds of thousands of rows.

Django's ``QuerySet.bulk_update`` writes one ``CASE WHEN id = … THEN …`` per
row and field, and resolving those expressions in Python costs about a
quarter of a millisecond each: a list change over 20,000 registry members and
fifteen fields took over a minute before a single row reached PostgreSQL. On
PostgreSQL :func:`bulk_update` writes one ``UPDATE … FROM (VALUES …)`` per
batch instead, each value cast to its column's type.

``bulk_create`` spends most of its time preparing each value of each row;
:func:`insert` (model instances, which get their keys) and
:func:`insert_rows` (plain rows, whose keys nobody needs) send them to
PostgreSQL with ``COPY`` instead, the keys reserved from the table's own
sequence. A city's million feedback forms and their history are written this
way (``seed_demo``).

Elsewhere (SQLite, the laptop demo's small sizes) each is Django's own
``bulk_update`` / ``bulk_create``. The bottom layer: it knows no domain model.
"""

import datetime
import decimal
import io

from django.db import connections, router

COPY_BATCH = 50_000


def _connection(model):
    return connections[router.db_for_write(model)]


def bulk_update(model, objs, fields, *, batch_size=1000):
    """Write ``fields`` of the saved ``objs`` (as ``QuerySet.bulk_update``:
    no ``save()``, no signals, ``auto_now`` not applied). Returns the number
    of rows updated."""
    objs = list(objs)
    if not objs:
        return 0
    connection = _connection(model)
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_update(objs, fields, batch_size=batch_size)
    concrete = [model._meta.get_field(name) for name in fields]
    pk = model._meta.pk
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in [pk, *concrete])
    assignments = ", ".join(
        f"{quote(f.column)} = v.{quote(f.column)}::{f.cast_db_type(connection)}" for f in concrete
    )
    row = "(" + ", ".join(["%s"] * (len(concrete) + 1)) + ")"
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            params = []
            for obj in batch:
                params.append(obj.pk)
                params.extend(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in concrete)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(batch))}) "
                f"AS v({columns}) WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}",
                params,
            )
            updated += cursor.rowcount
    return updated


def insert(model, objs, *, batch_size=5000):
    """Insert new ``objs`` as ``bulk_create`` does (``auto_now`` times set, a
    related row saved since it was assigned taken by its key, no signals)
    and give each its key. Returns ``objs``."""
    objs = list(objs)
    if not objs:
        return objs
    connection = _connection(model)
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs, batch_size=batch_size)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    pk = model._meta.pk
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    keys = _reserve_keys(connection, model, sum(obj.pk is None for obj in objs))
    for obj in objs:
        if obj.pk is None:
            obj.pk = next(keys)
        obj._state.adding, obj._state.db = False, connection.alias
    timed = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    insert_rows(
        model,
        [pk.attname, *(f.attname for f in fields)],
        (
            [
                obj.pk,
                *(f.pre_save(obj, True) if f.attname in timed else getattr(obj, f.attname) for f in fields),
            ]
            for obj in objs
        ),
    )
    return objs


def insert_rows(model, attnames, rows):
    """Insert ``rows`` (sequences of values, in the order of ``attnames``);
    a key left out is the table's default (its sequence)."""
    connection = _connection(model)
    fields = [model._meta.get_field(name) for name in attnames]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            (model(**dict(zip(attnames, row, strict=True))) for row in rows), batch_size=5000
        )
        return
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    buffer, count = io.StringIO(), 0
    with connection.cursor() as cursor:
        for row in rows:
            buffer.write(
                "\t".join(copy_cell(f, value, connection) for f, value in zip(fields, row, strict=True))
            )
            buffer.write("\n")
            count += 1
            if count % COPY_BATCH == 0:
                copy_buffer(cursor, sql, buffer)
                buffer = io.StringIO()
        copy_buffer(cursor, sql, buffer)


def copy_buffer(cursor, sql, buffer):
    """Send what ``buffer`` holds (rows in COPY's text format) by ``sql``."""
    if buffer.tell():
        buffer.seek(0)
        cursor.copy_expert(sql, buffer)


# Values COPY takes as they are; any other (a naive time, a lazy string, a
# JSON value …) is prepared by its field first.
_PLAIN = frozenset({str, int, bool, float, decimal.Decimal, datetime.date, type(None)})


def _is_plain(value):
    kind = type(value)
    return kind in _PLAIN or (kind is datetime.datetime and value.tzinfo is not None)


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_cell(field, value, connection):
    """``value`` of ``field`` as a cell of COPY's text format: plain values as
    they are, any other prepared by its field first."""
    return _copy_text(value if _is_plain(value) else field.get_db_prep_save(value, connection))


def _copy_text(value):
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, int | float | decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):  # a datetime is a date
        return value.isoformat()
    raise TypeError(f"no COPY text for {type(value).__name__}")


def _reserve_keys(connection, model, count):
    """``count`` fresh keys from the table's own sequence."""
    if not count:
        return iter(())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), model._meta.pk.column, count],
        )
        return iter([key for (key,) in cursor.fetchall()])
