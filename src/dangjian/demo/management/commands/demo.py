"""`dangjian demo`: empty the database, build the demo city of the seed report, print the demo
accounts and serve it."""

from __future__ import annotations

import unicodedata

from django.core.management import call_command
from django.core.management.base import BaseCommand

from dangjian.demo.city import DEMO_PASSWORD, DemoResult, build_city
from dangjian.demo.management.commands.serve import add_server_arguments, prepare, run_server


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return lines


def summary(result: DemoResult) -> list[str]:
    r = result
    return [
        f"演示城市已建成：十堰市直机关（基准日 {r.today:%Y-%m-%d}，用时 {r.seconds:.1f} 秒）",
        f"  单位 {r.units} 个；党组织 {r.orgs} 个：党组 {r.party_groups}、机关党委 "
        f"{r.organ_committees}、机关纪委 {r.discipline_committees}、党总支 "
        f"{r.general_branches}、党支部 {r.branches}（其中离退休干部党支部 "
        f"{r.retiree_branches}）、党小组 {r.groups}",
        f"  党员 {r.members:,} 名：预备党员 {r.probationary}、离退休 {r.retired:,}",
        f"  委员任职 {r.seats:,} 条；现任届次 {r.terms} 个（即将届满 {r.terms_due_soon}、"
        f"逾期未换届 {r.terms_overdue}），历史届次 {r.closed_terms} 个，"
        f"未登记任期的党支部 {r.branches_without_term} 个",
        f"  组织生活会议 {r.meetings:,} 次（2022年全年和今年至今，含部分支部应开未开、"
        f"{r.copied_minutes} 份跨单位雷同的会议记录）；今日提醒与待办 {r.reminders} 条",
        f"  考核评比：现场观摩会 {r.observation_meetings} 次（含2022年11月1日第三次观摩会），"
        f"评分表 {r.score_sheets} 份，述职评议选票 {r.ballots} 张，2022年书记赛党建已公布；"
        f"廉政风险点 {r.risk_points} 个",
        f"  发展党员：{r.candidates} 名各阶段的发展对象档案（{r.candidates_flagged} 名存在违反"
        f"时限规定的情形）",
        f"  党费：近12个月应缴 {r.dues_charges:,} 笔、已缴 {r.dues_payments:,} 笔；连续欠缴3至5个月"
        f" {r.dues_arrears_warned} 人、6个月以上 {r.dues_arrears_alerted} 人（R-DUES-14）",
        f"  学习培训：2022年市司法局集中学习 {r.sfj_study_sessions_2022} 场、培训 "
        f"{r.sfj_study_person_times_2022:,} 人次（与观摩会报道一致）；"
        f"学习培训共 {r.study_sessions} 场，"
        f"认定培训 {r.study_trainings} 条，市司法局学时未达标 {r.study_short} 人；自测答卷 "
        f"{r.quiz_attempts} 份，心得体会 {r.study_notes} 篇（疑似雷同 {r.copied_notes} 篇）；"
        f"党员积分明细 {r.point_entries:,} 条",
        f"  责任落实：工作要点 {r.work_points} 项（2022年观摩会部署和今年），分解任务 "
        f"{r.resp_tasks} 项（逾期 {r.resp_tasks_overdue} 项，督办 {r.resp_supervisions} 次）；"
        f"责任清单 {r.duty_lists} 份，季度进展报告 {r.duty_reports} 条",
        f"  共同缔造：包联关系 {r.cocreation_pairings} 个（含市委老干部局包联的郧阳区谭家湾镇"
        f"龙泉村试点），实事项目 {r.cocreation_projects} 个，走访发现群众问题 "
        f"{r.cocreation_problems} 个",
        f"  老干部服务：离退休干部 {r.veterans_retirees} 人，结对联系 {r.veterans_pairings} 对，"
        f"诉求 {r.veterans_requests} 件，银龄志愿服务队 {r.veterans_teams} 个，"
        f"老党员工作室（之家） {r.veterans_studios} 个",
        f"  法律服务：律师 {r.legal_lawyers} 名，一村(社区)一律师覆盖 "
        f"{r.legal_villages_covered}/{r.legal_villages_total}，党委政府法律顾问覆盖 "
        f"{r.legal_advisers_covered}/{r.legal_adviser_posts}，法律援助案件 {r.legal_aid_cases} 件，"
        f"四张清单事项 {r.lenient_items} 条（公开查询：/public/lenient-lists/）",
        *(
            [f"  待对账的银行流水（在“党费 › 对账”上传）：{r.statement_file}"]
            if r.statement_file
            else []
        ),
    ]


class Command(BaseCommand):
    help = "清空数据库，按观摩会报道构建十堰市直机关演示数据，打印演示账号，然后启动服务。"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只构建数据，不启动服务")
        add_server_arguments(parser)

    def handle(self, *args, **options):
        out = self.stdout
        out.write("正在准备数据库……")
        prepare()
        call_command("flush", interactive=False, verbosity=0)
        out.write("正在构建演示城市……")
        result = build_city()
        for line in summary(result):
            out.write(line)
        out.write("")
        out.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        rows = [[a.username, a.password, a.role, a.display_name, a.org] for a in result.accounts]
        for line in table(["账号", "密码", "角色", "姓名", "授权组织"], rows):
            out.write("  " + line)
        out.write("")
        if not options["no_serve"]:
            run_server(self, options["addr"], options["port"])
