"""Fault injection for tests: drop the database connection for real in the middle of a write.

Issue #4 item 6 asks that a dropped connection in the middle of an import — and of every
multi-row write the later modules add — leaves no partial data. Those modules reuse this
helper: wrap the call of the service in `drop_connection_after(n, match=...)`, choosing the
statement before which the connection goes (after some rows are written), then assert that
none of them is in the database and that the same call succeeds afterwards::

    @pytest.mark.django_db(transaction=True)  # a real drop destroys the test's transaction
    def test_dropped_connection_leaves_nothing(...):
        with drop_connection_after(1, match='INSERT INTO "dues_payment"') as fault:
            with pytest.raises(DatabaseError):
                payments_record(actor=..., ...)
        assert fault.dropped
        assert not Payment.objects.exists()

Nothing is simulated: on PostgreSQL a second connection terminates the backend of Django's
connection (`pg_terminate_backend`), so the next statement fails with the driver's own
OperationalError; on SQLite the underlying sqlite3 connection is closed, so the next statement
fails ("Cannot operate on a closed database") and whatever the transaction had written is
gone, as when a process dies.

Use it only with `transactional_db` (`django_db(transaction=True)`): with the `db` fixture
the test itself runs inside a transaction that the drop destroys. When the context ends, the
connection is closed, so Django opens a new one for the next query.

The test database of SQLite is an in-memory database that lives only as long as a connection
to it is open, and Django never really closes such a connection. While the context is active
it therefore (1) holds a second connection to the same in-memory database, so closing
Django's does not destroy it, and (2) lets Django's `close()` really close the connection, as
it does for the SQLite file of a real installation — so the code under test reconnects the
way it would in production.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class Fault:
    """What happened inside `drop_connection_after`."""

    n_queries: int
    match: str | None
    seen: int = 0  # matching statements let through
    dropped: bool = False
    dropped_before: str = ""  # the statement that met the dropped connection
    statements: list[str] = field(default_factory=list)  # every statement seen, for messages


def _terminate_postgresql() -> None:
    """Terminate the server process of Django's connection from a second connection and wait
    until it is gone, so the very next statement fails."""
    import psycopg

    pid = connection.connection.info.backend_pid
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        autocommit=True,
    ) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(200):  # the backend exits asynchronously; wait up to ~10 s
            row = killer.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid]
            ).fetchone()
            if not row[0]:
                return
            time.sleep(0.05)
    raise RuntimeError(f"PostgreSQL backend {pid} was not terminated")


def _drop() -> None:
    if connection.vendor == "postgresql":
        _terminate_postgresql()
    elif connection.vendor == "sqlite":
        connection.connection.close()  # uncommitted work is discarded with it
    else:
        raise RuntimeError(
            f"drop_connection_after supports SQLite and PostgreSQL, not {connection.vendor}"
        )


@contextlib.contextmanager
def drop_connection_after(n_queries: int, *, match: str | None = None):
    """Let `n_queries` statements through (only statements whose SQL contains `match` are
    counted, e.g. 'INSERT INTO "members_member"'), then drop the database connection for
    real just before the next counted statement runs, so that statement fails. Yields a
    `Fault` (`fault.dropped` tells whether the drop happened). Afterwards the connection is
    closed, so the next query opens a new one."""
    fault = Fault(n_queries=n_queries, match=match)

    def wrapper(execute, sql, params, many, context):
        fault.statements.append(sql)
        if not fault.dropped and (match is None or match in sql):
            if fault.seen >= n_queries:
                fault.dropped = True
                fault.dropped_before = sql
                _drop()
            else:
                fault.seen += 1
        return execute(sql, params, many, context)

    connection.ensure_connection()
    keeper = None
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    if in_memory:
        keeper = sqlite3.connect(connection.settings_dict["NAME"], uri=True)
        connection.is_in_memory_db = lambda: False  # let close() close, as for a file
    try:
        with connection.execute_wrapper(wrapper):
            yield fault
    finally:
        try:
            connection.close()
            connection.connection = None  # also when it was closed inside a transaction
            connection.ensure_connection()  # reconnect while the keeper holds the database
        finally:
            if in_memory:
                del connection.is_in_memory_db
            if keeper is not None:
                keeper.close()
