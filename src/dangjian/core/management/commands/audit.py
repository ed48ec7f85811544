"""`dangjian audit verify`: check that the audit log is intact (its hash chain)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dangjian.core.audit import verify_chain


class Command(BaseCommand):
    help = "审计日志工具。verify：校验审计日志的摘要链是否完整，报告第一个断点。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"], help="verify：校验摘要链")

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"审计日志完整：共校验 {report.checked} 条，摘要链无断点。")
            return
        raise CommandError(
            f"审计日志不完整：第一个断点在第 {report.broken_id} 号日志（{report.reason}）；"
            f"此前 {report.checked} 条完好。"
        )
