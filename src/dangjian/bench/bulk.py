"""Bulk writes for the generator: COPY on PostgreSQL, executemany in large transactions on
SQLite. Rows are tuples in the order of the columns named; every other concrete column gets
its model default (auto_now fields: the generation time; nullable ones: NULL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone


class MissingColumn(ValueError):
    pass


class BulkWriter:
    def __init__(self, model: type[models.Model], columns: list[str], *, now: dt.datetime):
        self.model = model
        self.table = model._meta.db_table
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in by_attname]
        if unknown:
            raise MissingColumn(f"{model.__name__}: no column {unknown}")
        self.fields = [by_attname[c] for c in columns]
        self.extra_fields, self.extra_values = [], []
        for f in model._meta.concrete_fields:
            if f.attname in columns or f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif isinstance(f, models.CharField | models.TextField) and f.blank:
                value = ""
            else:
                raise MissingColumn(f"{model.__name__}.{f.attname} needs a value")
            self.extra_fields.append(f)
            self.extra_values.append(value)
        self.all_fields = self.fields + self.extra_fields
        self.vendor = connection.vendor
        self.converters = [self._converter(f) for f in self.all_fields]
        self.extra = tuple(
            conv(v)
            for conv, v in zip(self.converters[len(self.fields) :], self.extra_values, strict=True)
        )
        self.count = 0

    def _converter(self, field):
        """One function per column: what the driver takes for a value of that field."""
        if isinstance(field, models.JSONField):
            return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
        if self.vendor == "postgresql":
            if isinstance(field, models.BinaryField):
                return lambda v: None if v is None else bytes(v)
            return _same
        if isinstance(field, models.DateTimeField):
            return _sqlite_datetime
        if isinstance(field, models.DateField):
            return lambda v: None if v is None else v.isoformat()
        if isinstance(field, models.BooleanField):
            return lambda v: None if v is None else int(v)
        if isinstance(field, models.DecimalField):
            return lambda v: None if v is None else str(Decimal(v))
        return _same

    def write(self, rows: Iterable[tuple]) -> int:
        n_own = len(self.fields)
        convs = self.converters[:n_own]
        extra = self.extra
        names = ", ".join(connection.ops.quote_name(f.column) for f in self.all_fields)
        done = 0
        if self.vendor == "postgresql":
            copy_sql = f"COPY {self.table} ({names}) FROM STDIN"
            with connection.cursor() as cur, cur.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(tuple(c(v) for c, v in zip(convs, row, strict=True)) + extra)
                    done += 1
        else:
            marks = ", ".join("?" * len(self.all_fields))
            sql = f"INSERT INTO {self.table} ({names}) VALUES ({marks})"
            batch = []
            with connection.cursor() as cur:
                raw = cur.cursor
                for row in rows:
                    batch.append(tuple(c(v) for c, v in zip(convs, row, strict=True)) + extra)
                    if len(batch) >= 20000:
                        raw.executemany(sql, batch)
                        done += len(batch)
                        batch.clear()
                if batch:
                    raw.executemany(sql, batch)
                    done += len(batch)
        self.count += done
        return done


def _same(v):
    return v


def _sqlite_datetime(v):
    if v is None:
        return None
    if timezone.is_aware(v):
        v = v.astimezone(dt.UTC).replace(tzinfo=None)
    return v.isoformat(" ")


def reset_sequences(model_list) -> None:
    """After rows written with explicit ids, PostgreSQL's sequences must move past them."""
    from django.core.management.color import no_style

    sql = connection.ops.sequence_reset_sql(no_style(), model_list)
    if sql:
        with connection.cursor() as cur:
            for statement in sql:
                cur.execute(statement)
