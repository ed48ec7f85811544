"""`dangjian restore FILE`: replace the database's contents with a backup."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dangjian.core.backup import fingerprint, restore
from dangjian.core.errors import AppError


class Command(BaseCommand):
    help = "用备份文件替换整个数据库的内容（请先停止服务）。"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="由 dangjian backup 生成的备份文件")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复")

    def handle(self, *args, **options):
        if not options["yes"]:
            answer = input("恢复将覆盖当前数据库的全部内容。输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消。")
        try:
            restore(options["file"])
        except AppError as exc:
            raise CommandError(exc.message) from None
        rows = sum(count for count, _ in fingerprint().values())
        self.stdout.write(f"已从 {options['file']} 恢复（共 {rows} 行）。")
