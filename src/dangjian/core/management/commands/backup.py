"""`dangjian backup FILE`: a consistent copy of the whole database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.core.backup import backup, fingerprint
from dangjian.core.errors import AppError


class Command(BaseCommand):
    help = (
        "备份整个数据库到文件（SQLite 在线备份；PostgreSQL 使用 pg_dump）。"
        "字段密钥不在备份中，请另行保管。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="备份文件")

    def handle(self, *args, **options):
        try:
            backup(options["file"])
        except AppError as exc:
            raise CommandError(exc.message) from None
        rows = sum(count for count, _ in fingerprint().values())
        self.stdout.write(f"已备份到 {options['file']}（共 {rows} 行）。")
