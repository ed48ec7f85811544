"""`dangjian bench generate --scale {tiny,city,province} [--members N]` fills an empty database
with a synthetic city or province; `dangjian bench run --scale …` measures it and writes
bench/results/ (see docs/performance.md)."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangjian.bench.generate import SCALES, generate
from dangjian.orgs.models import Org


class Command(BaseCommand):
    help = "性能基准：生成合成数据（generate）或运行基准测试（run）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser(
            "generate", help="生成合成的市级或省级数据（数据库须为空，或加 --reset）"
        )
        gen.add_argument("--scale", choices=sorted(SCALES), default="city")
        gen.add_argument("--members", type=int, default=None, help="党员人数（默认按规模）")
        gen.add_argument("--today", default=None, help="生成到哪一天（默认今天，YYYY-MM-DD）")
        gen.add_argument("--processes", type=int, default=None, help="生成会议记录的进程数")
        gen.add_argument("--reset", action="store_true", help="先清空数据库")
        gen.add_argument("--json", default=None, help="把生成结果写入此文件")
        run = sub.add_parser("run", help="对已生成的数据运行基准测试，写入 bench/results/")
        run.add_argument("--scale", choices=sorted(SCALES), default="city")
        run.add_argument("--runs", type=int, default=5, help="每项测量的次数（取中位数）")
        run.add_argument("--only", default="", help="只运行这些测量（逗号分隔）")
        run.add_argument("--results", default=None, help="结果目录（默认 bench/results）")

        load = sub.add_parser("record-load", help="把负载测试结果（bench/run_load.py）计入汇总")
        load.add_argument("--scale", choices=sorted(SCALES), required=True)
        load.add_argument("--file", required=True, help="run_load.py 的 JSON 结果")
        load.add_argument("--results", default=None, help="结果目录（默认 bench/results）")

    def handle(self, *args, **opts):
        if opts["action"] == "generate":
            return self.generate(opts)
        if opts["action"] == "record-load":
            from dangjian.bench.suite import record_load

            try:
                with open(opts["file"], encoding="utf-8") as f:
                    load = json.load(f)
                entries = record_load(load, scale=opts["scale"], results_dir=opts["results"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise CommandError(f"无法读取负载测试结果 {opts['file']}：{exc}") from exc
            for e in entries:
                self.stdout.write(f"{e['name']}: {e['value']} {e['unit']}（目标 {e['goal']}）")
            return None
        return self.run(opts)

    def generate(self, opts):
        call_command("migrate", interactive=False, verbosity=0)
        if opts["reset"]:
            call_command("flush", interactive=False, verbosity=0)
        elif Org.objects.unscoped().exists():
            raise CommandError("数据库中已有组织数据；请使用空数据库，或加 --reset 先清空。")
        today = timezone.localdate()
        if opts["today"]:
            try:
                today = dt.date.fromisoformat(opts["today"])
            except ValueError as exc:
                raise CommandError("--today 须为 YYYY-MM-DD 格式的日期。") from exc
        if opts["members"] is not None and opts["members"] < 1:
            raise CommandError("--members 须为正整数。")
        result = generate(
            scale=opts["scale"],
            members=opts["members"],
            today=today,
            processes=opts["processes"],
            log=lambda msg: self.stdout.write(msg),
        )
        data = result.as_dict()
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        if opts["json"]:
            with open(opts["json"], "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False, indent=2, default=str)
        self.stdout.write(
            f"已生成：{result.members:,} 名党员、{result.branches:,} 个支部、"
            f"{result.meetings:,} 次会议、{result.attendance:,} 条出勤，"
            f"用时 {result.seconds['total']} 秒。"
        )

    def run(self, opts):
        from dangjian.bench.suite import run_suite
        from dangjian.demo.management.commands.serve import prepare

        prepare()  # migrations, and the static files the pages name (manifest storage)
        from dangjian.accounts.models import User

        if not Org.objects.unscoped().filter(parent__isnull=True).exists() or not (
            User.objects.filter(username="gwadmin").exists()
        ):
            raise CommandError("数据库中没有生成的数据：请先运行 dangjian bench generate。")

        only = {s.strip() for s in opts["only"].split(",") if s.strip()}
        run_suite(
            scale=opts["scale"],
            runs=opts["runs"],
            only=only or None,
            results_dir=opts["results"],
            log=lambda msg: self.stdout.write(msg),
        )
