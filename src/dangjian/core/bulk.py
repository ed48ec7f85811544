"""Fast inserts of many rows of one model: one prepared INSERT run with executemany.

Django's `bulk_create` builds the SQL text of every row in Python (a placeholder group and a
prepared value per field per row): at a million monthly dues charges that is most of the time.
Here the statement is built once and the rows are plain tuples; the database driver does the
rest. Values are the model instances' attribute values, converted by the field only where the
driver needs it (JSON, datetimes); `auto_now`/`auto_now_add` fields get one `now` for the batch.

No signals, no `save()`, no primary keys returned: for derived rows (charges, generated
payments) whose write path audits the batch as a whole. `ignore_conflicts` skips rows a unique
constraint refuses (`ON CONFLICT DO NOTHING`, on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

BATCH = 5000


def _converters(fields: Sequence[models.Field]):
    plain = (models.JSONField, models.DateTimeField)
    return [
        (lambda v, f=f: f.get_db_prep_save(v, connection)) if isinstance(f, plain) else None
        for f in fields
    ]


def insert_rows(
    model: type[models.Model],
    objs: Iterable[models.Model],
    *,
    ignore_conflicts: bool = False,
    with_pk: bool = False,
    batch: int = BATCH,
) -> int:
    """Insert `objs` (unsaved instances of `model`); returns how many were sent. With
    `with_pk` the instances' own primary keys are written (the caller assigned them; on
    PostgreSQL reset the sequence afterwards, as the demo does)."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    holders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({holders})"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    convert = _converters(fields)
    now = timezone.now()
    stamped = {
        i
        for i, f in enumerate(fields)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    attnames = [f.attname for f in fields]
    sent = 0
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for obj in objs:
            values = []
            for i, name in enumerate(attnames):
                value = getattr(obj, name)
                if value is None and i in stamped:
                    value = now
                fn = convert[i]
                values.append(fn(value) if fn is not None else value)
            rows.append(tuple(values))
            if len(rows) >= batch:
                cursor.executemany(sql, rows)
                sent += len(rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)
            sent += len(rows)
    return sent
