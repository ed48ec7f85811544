"""`dangjian recover_jobs`: give back the background jobs a stopped worker left running.

A worker killed in the middle of a task (out of memory, a restart, kill -9) leaves its job in
a running status that no one will finish. A running job beats a heartbeat as it goes; one
whose heartbeat is older than JOB_STALE_MINUTES (default 10) is returned to where it can go
on: an interrupted roster write to "校验通过，待导入" (the user imports it again; nothing of
it was written), an unfinished validation and an unfinished export to the queue. Safe to run
at any time and from any number of processes: each job is taken by one conditional update.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from dangjian.core.exporters.jobs import recover_stale_jobs as recover_exports
from dangjian.members.imports.services import recover_stale_jobs as recover_imports


class Command(BaseCommand):
    help = "恢复后台执行中断（如执行进程被终止）的导入和导出任务，使其可以重试。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=None,
            metavar="MINUTES",
            help="心跳超过多少分钟视为中断（默认取 JOB_STALE_MINUTES，10 分钟）。",
        )

    def handle(self, *args, older_than=None, **options):
        if older_than is not None and older_than < 0:
            raise CommandError("--older-than 不能为负数。")
        age = None if older_than is None else dt.timedelta(minutes=older_than)
        imports = recover_imports(older_than=age)
        exports = recover_exports(older_than=age)
        for job in imports:
            self.stdout.write(
                f"导入任务 {job.pk}（{job.original_name}）→ {job.get_status_display()}"
            )
        for job in exports:
            self.stdout.write(f"导出任务 {job.pk}（{job.title}）→ {job.get_status_display()}")
        if imports or exports or options.get("verbosity", 1) > 0:
            self.stdout.write(f"已恢复导入任务{len(imports)}个、导出任务{len(exports)}个。")
