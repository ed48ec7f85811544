"""Backup and restore of the whole database, and a fingerprint to prove a restore is exact.

SQLite: the online backup API (a consistent copy while the application runs). PostgreSQL:
`pg_dump --format=custom` and `pg_restore --clean`, with the connection settings Django uses.
Backups hold the sealed items sealed; the field keys (DANGJIAN_FIELD_KEYS) are not in them
and must be kept separately, or the sealed items cannot be read after a restore.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.db import connection

from dangjian.core.errors import AppError


def _pg_env() -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = ["--host", s.get("HOST") or "127.0.0.1", "--port", str(s.get("PORT") or 5432)]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise AppError(f"找不到 {name}：请安装与数据库版本一致的 PostgreSQL 客户端工具。")
    return path


def backup(path: Path) -> None:
    """Write a consistent copy of the database to `path` (overwritten)."""
    path = Path(path)
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        if path.exists():
            path.unlink()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        name = connection.settings_dict["NAME"]
        subprocess.run(
            [_tool("pg_dump"), *args, "--format=custom", "--file", str(path), name],
            check=True,
            env=env,
            capture_output=True,
        )
        return
    raise AppError(f"不支持备份 {connection.vendor} 数据库。")


def restore(path: Path) -> None:
    """Replace the database's contents with a backup made by `backup`."""
    path = Path(path)
    if not path.is_file():
        raise AppError(f"备份文件不存在：{path}")
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            source.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError:
            raise AppError("备份文件不是有效的 SQLite 数据库。") from None
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        name = connection.settings_dict["NAME"]
        connection.close()  # its locks would hold the restore back
        result = subprocess.run(
            [
                _tool("pg_restore"),
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                name,
                str(path),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise AppError(f"恢复失败：{result.stderr.strip()[:300]}")
        return
    raise AppError(f"不支持恢复 {connection.vendor} 数据库。")


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a SHA-256 over every row (in primary-key order) of each model's table."""
    out = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            pk = model._meta.pk.column
            cursor.execute(
                f"SELECT * FROM {connection.ops.quote_name(table)} "
                f"ORDER BY {connection.ops.quote_name(pk)}"
            )
            digest, count = hashlib.sha256(), 0
            for row in cursor.fetchall():
                digest.update(repr(row).encode())
                count += 1
            out[table] = (count, digest.hexdigest())
    return out
