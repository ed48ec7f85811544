"""`dangjian remind [--date YYYY-MM-DD]`: the daily 事前提醒 job (orglife/reminders.py). Thin:
parse the date, call `remind`, print the counts. Schedule it once a day (cron, or enqueue
`orglife.tasks.remind_task` from a scheduler of the task worker); running it twice a day is
harmless, nothing is sent twice."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from dangjian.assessment.reminders import remind_all
from dangjian.orglife.reminders import lifecycle_summary, remind


class Command(BaseCommand):
    help = (
        "事前提醒：为即将到期的组织生活生成支部书记待办，为应开未开的生成单位管理员待办；"
        "考核自评、复核、观摩会任务、述职评议投票与整改的到期提醒；党费欠缴与减免审批、"
        "发展党员各步骤期限与违规的待办"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            dest="day",
            default="",
            help="按哪一天核查（YYYY-MM-DD），默认今天",
        )

    def handle(self, *args, day="", **options):
        today = None
        if day:
            try:
                today = dt.date.fromisoformat(day.strip())
            except ValueError:
                raise CommandError(f"日期“{day}”无效，应为 YYYY-MM-DD。") from None
        result = remind(today)
        self.stdout.write(result.summary())
        self.stdout.write(remind_all(result.today).summary())
        self.stdout.write(lifecycle_summary(result.today))
