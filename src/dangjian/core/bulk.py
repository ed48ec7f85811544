"""Fast inserts of many rows of one model: one prepared INSERT run with executemany.

Django's `bulk_create` builds the SQL text of every row in Python (a placeholder group and a
prepared value per field per row): at a million monthly dues charges that is most of the time.
Here the statement is built once and the rows are plain tuples; the database driver does the
rest. Values are the model instances' attribute values, converted by the field only where the
driver needs it (JSON, datetimes); `auto_now`/`auto_now_add` fields get one `now` for the batch.

No signals, no `save()`, no primary keys returned: for derived rows (charges, generated
payments) whose write path audits the batch as a whole. `ignore_conflicts` skips rows a unique
constraint refuses (`ON CONFLICT DO NOTHING`, on SQLite and PostgreSQL alike).

`insert_objects` is the same for rows that need their keys (a roster import's members, their
history and audit entries): keys allocated first — from the table's sequence on PostgreSQL,
after the highest key ever given on SQLite, whose write transactions hold the database's write
lock (settings: immediate transactions), so nobody else can take the same keys — set on the
instances, then the rows written by executemany. Call it inside a
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models, transaction
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


def _allocate(model, count: int) -> list[int]:
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cur.fetchall()]
        cur.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
        top = cur.fetchone()[0]
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        start = max(top, row[0] if row else 0) + 1
        return list(range(start, start + count))


def insert_objects(model, objs: list, *, batch: int = 5000) -> list:
    """Insert new instances of `model` (their primary keys unset) and return them with keys."""
    if not objs:
        return objs
    if not connection.in_atomic_block:
        raise RuntimeError("insert_objects runs inside a transaction")
    opts = model._meta
    fields = list(opts.concrete_fields)
    ids = _allocate(model, len(objs))
    for obj, pk in zip(objs, ids, strict=True):
        setattr(obj, opts.pk.attname, pk)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(opts.db_table)} ({columns}) VALUES ({marks})"

    def rows(chunk):
        return [
            tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
            for obj in chunk
        ]

    # executemany through Django's cursor on both databases (on PostgreSQL psycopg pipelines
    # it): the statements stay visible to execute wrappers — the fault-injection tests drop
    # the connection between batches — which a COPY on the raw cursor would bypass
    with transaction.atomic(savepoint=False), connection.cursor() as cur:
        for start in range(0, len(objs), batch):
            cur.executemany(sql, rows(objs[start : start + batch]))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
