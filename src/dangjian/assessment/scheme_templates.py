"""The scoring schemes shipped with the platform, as data (issue #6 item 1).

A template is plain data: a name, the kind of org it assesses, notes, and a tree of nodes.
A node with `children` is a category (类别); a node without is a scored indicator with its
method (`manual` 人工评分, `deduction` 按次扣分, `auto` 系统自动计分 from a data source of
`assessment/sources.py`). `services_schemes.scheme_from_template` copies a template into an
editable draft scheme of the given year; after that the scheme is the user's, not code.

- `standard_branch` 机关党支部标准化 (R-LOCAL-06: 班子建设 20, 基本制度 20, 基本工作 30,
  基本保障 20, 加分 10, with the template's sample deductions);
- `five_basics` 五个基本 (R-LOCAL-03: 基本组织, 基本队伍, 基本活动, 基本制度, 基本保障; the
  points are an example summing to 100);
- `six_modern` 六化 (R-LOCAL-01): six editable headings whose exact 十堰 wording is not known.

Every template includes 清廉机关 indicators (auto from the integrity app) and a R-LOCAL-10
style deduction (0.1 per occurrence).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

Node = dict[str, Any]


def cat(title: str, points: str, children: list[Node], **extra) -> Node:
    """A category: its children's maxima must not exceed its own."""
    return {"title": title, "max_points": points, "children": children, **extra}


def manual(title: str, points: str, guidance: str = "", evidence: str = "", **extra) -> Node:
    return {
        "title": title,
        "max_points": points,
        "method": "manual",
        "guidance": guidance,
        "evidence": evidence,
        **extra,
    }


def deduction(
    title: str, points: str, per: str, guidance: str, evidence: str = "", **extra
) -> Node:
    return {
        "title": title,
        "max_points": points,
        "method": "deduction",
        "deduction_per": per,
        "guidance": guidance,
        "evidence": evidence,
        **extra,
    }


def auto(
    title: str, points: str, source: str, guidance: str, per: str | None = None, **extra
) -> Node:
    node = {
        "title": title,
        "max_points": points,
        "method": "auto",
        "auto_source": source,
        "guidance": guidance,
        **extra,
    }
    if per is not None:
        node["deduction_per"] = per
    return node


def _integrity(points: tuple[str, str, str], total: str) -> Node:
    """清廉机关: the three indicators fed by the integrity app."""
    commitments, risks, sessions = points
    return cat(
        "清廉机关建设",
        total,
        [
            auto(
                "党员签订年度廉洁承诺",
                commitments,
                "integrity_commitments",
                "按本组织及下级在册党员签订当年廉洁承诺的比例计分。",
                evidence="廉洁承诺书（系统中已登记的承诺自动计入）",
            ),
            auto(
                "廉政风险点排查与防控",
                risks,
                "integrity_risk_points",
                "按当年登记的廉政风险点中已明确防控措施和责任人的比例计分；未排查登记风险点的不得分。",
                evidence="廉政风险点台账",
            ),
            auto(
                "警示教育",
                sessions,
                "integrity_warning_sessions",
                "按当年开展警示教育的次数计分（示例要求每年不少于2次）。",
                evidence="警示教育记录、照片",
            ),
        ],
        rule_ids="",
    )


STANDARD_BRANCH: Node = {
    "code": "standard_branch",
    "name": "机关党支部标准化建设考核",
    "target": "branch",
    "rule_ids": "R-LOCAL-06",
    "notes": (
        "依据机关党支部标准化建设评分细则通用模板（R-LOCAL-06）：班子建设20分、基本制度20分、"
        "基本工作30分、基本保障20分，另设加分项10分。扣分项按次扣分、扣完该项分值为止"
        "（R-LOCAL-05/06）；标注“系统自动计分”的指标由平台根据组织生活、换届、清廉机关等"
        "记录计算，自评时可参考。党费、学习培训两项待相关模块上线后自动计分。"
    ),
    "tree": [
        cat(
            "班子建设",
            "20",
            [
                deduction(
                    "支部书记按时配备",
                    "4",
                    "4",
                    "支部书记空缺超过6个月的，扣4分。",
                    "书记任职文件、支委分工",
                    rule_ids="R-LOCAL-06",
                ),
                deduction(
                    "书记抓党建述职",
                    "4",
                    "4",
                    "支部书记未按要求向上级党组织述职的，扣4分。",
                    "述职报告",
                    rule_ids="R-LOCAL-06,R-ORG-17",
                ),
                auto(
                    "按期换届",
                    "4",
                    "term_overdue",
                    "支部委员会任期届满未按期换届的，扣4分（程序不规范的扣3分，由复核人核定）。",
                    per="4",
                    evidence="换届选举请示、批复、选举结果报告",
                    rule_ids="R-LOCAL-06,R-ORG-05",
                ),
                manual(
                    "支部委员会健全、分工明确",
                    "8",
                    "支委会按规定设置，委员分工明确、履职到位。",
                    "支委分工文件、工作记录",
                ),
            ],
            rule_ids="R-LOCAL-06",
        ),
        cat(
            "基本制度",
            "20",
            [
                auto(
                    "支部党员大会",
                    "4",
                    "member_assembly_missing",
                    "党员大会每半年少于1次的，每缺1次扣2分。",
                    per="2",
                    evidence="会议记录（系统中已登记的会议自动计入）",
                    rule_ids="R-LOCAL-06,R-ORGLIFE-01",
                ),
                auto(
                    "支部委员会会议",
                    "4",
                    "committee_meeting_missing",
                    "支委会每季度少于1次的，每缺1次扣2分。",
                    per="2",
                    evidence="会议记录",
                    rule_ids="R-LOCAL-06,R-ORGLIFE-04",
                ),
                auto(
                    "党小组会",
                    "4",
                    "group_meeting_missing",
                    "党小组会每季度少于1次的，每缺1次扣2分。",
                    per="2",
                    evidence="会议记录",
                    rule_ids="R-LOCAL-06,R-ORGLIFE-05",
                ),
                auto(
                    "组织生活会",
                    "6",
                    "life_meeting_missing",
                    "全年未召开组织生活会的，扣6分。",
                    per="6",
                    evidence="组织生活会记录、对照检查材料",
                    rule_ids="R-LOCAL-06,R-ORGLIFE-09",
                ),
                manual(
                    "民主评议党员",
                    "2",
                    "按程序开展民主评议党员，评定等次。",
                    "民主评议记录",
                    rule_ids="R-ORGLIFE-10",
                ),
            ],
            rule_ids="R-LOCAL-06",
        ),
        cat(
            "基本工作",
            "30",
            [
                auto(
                    "“三会一课”落实",
                    "8",
                    "orglife_compliance",
                    "按已到期周期中党员大会、支委会、党小组会、党课的开展比例计分。",
                    evidence="会议记录",
                    rule_ids="R-ORGLIFE-01,R-ORGLIFE-07",
                ),
                auto(
                    "主题党日",
                    "6",
                    "theme_day_compliance",
                    "按已到期月份中开展主题党日的比例计分。",
                    evidence="活动记录",
                    rule_ids="R-ORGLIFE-08",
                ),
                deduction(
                    "书记讲党课",
                    "4",
                    "4",
                    "支部书记全年未讲党课的，扣4分。",
                    "党课讲稿、记录",
                    rule_ids="R-LOCAL-06,R-ORGLIFE-07",
                ),
                deduction(
                    "组织生活按时录入平台",
                    "2",
                    "0.1",
                    "“三会一课”、主题党日未在当月最后两天前录入平台的，每次扣0.1分。",
                    "平台录入记录",
                    rule_ids="R-LOCAL-10",
                ),
                _integrity(("4", "3", "3"), "10"),
            ],
            rule_ids="R-LOCAL-06",
        ),
        cat(
            "基本保障",
            "20",
            [
                manual("活动阵地", "6", "有固定的党员活动场所，标识规范、设施齐全。", "阵地照片"),
                manual(
                    "党建工作经费", "4", "党建工作经费纳入预算并按规定使用。", "经费预算、使用记录"
                ),
                auto(
                    "党费收缴",
                    "5",
                    "dues_arrears",
                    "党员未按月足额交纳党费的，每人次扣0.1分。",
                    per="0.1",
                    evidence="党费收缴台账",
                    rule_ids="R-LOCAL-10",
                ),
                auto(
                    "党员学习培训学时",
                    "5",
                    "training_hours",
                    "按党员完成年度学习培训学时的比例计分。",
                    evidence="学习培训记录",
                ),
            ],
            rule_ids="R-LOCAL-06",
        ),
        cat(
            "加分项",
            "10",
            [
                manual(
                    "工作经验被上级推广",
                    "5",
                    "党建工作经验被上级党组织推广或媒体报道的，酌情加分。",
                    "推广文件、报道",
                ),
                manual(
                    "获得上级表彰", "5", "党支部或党员获得上级党组织表彰的，酌情加分。", "表彰文件"
                ),
            ],
            is_bonus=True,
            rule_ids="R-LOCAL-06",
        ),
    ],
}

FIVE_BASICS: Node = {
    "code": "five_basics",
    "name": "“五个基本”建设考核",
    "target": "unit",
    "rule_ids": "R-LOCAL-03",
    "notes": (
        "依据2011年度湖北省党的基层组织建设工作考核评价项目（机关、事业单位党组织）的"
        "“五个基本”框架（R-LOCAL-03）：基本组织、基本队伍、基本活动、基本制度、基本保障。"
        "各项分值为示例（合计100分），请按本年度考核办法调整。"
    ),
    "tree": [
        cat(
            "基本组织",
            "20",
            [
                manual(
                    "党组织网络健全",
                    "6",
                    "党组织设置合理，有组织架构图。",
                    "组织架构图",
                    rule_ids="R-LOCAL-03",
                ),
                auto(
                    "按期换届",
                    "8",
                    "term_overdue",
                    "所属党组织任期届满未按期换届的，每个扣3分。",
                    per="3",
                    rule_ids="R-LOCAL-03,R-ORG-05",
                ),
                manual(
                    "工青妇组织健全",
                    "6",
                    "工会、共青团、妇委会组织健全，每年开展活动各不少于2次。",
                    "活动记录",
                    rule_ids="R-LOCAL-03",
                ),
            ],
            rule_ids="R-LOCAL-03",
        ),
        cat(
            "基本队伍",
            "20",
            [
                manual(
                    "配强党组织书记",
                    "6",
                    "机关党委党员50人以上的配备专职副书记。",
                    "任职文件",
                    rule_ids="R-LOCAL-03",
                ),
                manual(
                    "支部书记培训",
                    "6",
                    "每名支部书记每年参加上级培训不少于1次。",
                    "培训通知、结业证明",
                    rule_ids="R-LOCAL-03",
                ),
                manual(
                    "发展党员工作规范",
                    "8",
                    "入党积极分子均有培养联系人，每半年至少递交1次思想汇报、谈话1次，档案齐全。",
                    "发展党员档案",
                    rule_ids="R-LOCAL-03",
                ),
            ],
            rule_ids="R-LOCAL-03",
        ),
        cat(
            "基本活动",
            "25",
            [
                auto(
                    "“三会一课”落实",
                    "10",
                    "orglife_compliance",
                    "按已到期周期中“三会一课”的开展比例计分。",
                    rule_ids="R-ORGLIFE-01,R-ORGLIFE-07",
                ),
                auto(
                    "主题党日",
                    "8",
                    "theme_day_compliance",
                    "按已到期月份中开展主题党日的比例计分。",
                    rule_ids="R-ORGLIFE-08",
                ),
                auto(
                    "组织生活会",
                    "7",
                    "life_meeting_missing",
                    "所属党支部全年未召开组织生活会的，每个扣2分。",
                    per="2",
                    rule_ids="R-ORGLIFE-09",
                ),
            ],
            rule_ids="R-LOCAL-03",
        ),
        cat(
            "基本制度",
            "20",
            [
                auto(
                    "党员大会制度",
                    "5",
                    "member_assembly_missing",
                    "所属党支部党员大会每半年少于1次的，每缺1次扣1分。",
                    per="1",
                    rule_ids="R-ORGLIFE-01",
                ),
                auto(
                    "支委会制度",
                    "5",
                    "committee_meeting_missing",
                    "所属党支部支委会每季度少于1次的，每缺1次扣1分。",
                    per="1",
                    rule_ids="R-ORGLIFE-04",
                ),
                _integrity(("4", "3", "3"), "10"),
            ],
            rule_ids="R-LOCAL-03",
        ),
        cat(
            "基本保障",
            "15",
            [
                manual("阵地建设", "5", "党员活动阵地建设规范。", "阵地照片"),
                manual("经费保障", "5", "党建工作经费纳入预算，保障到位。", "经费预算"),
                auto(
                    "党费收缴",
                    "5",
                    "dues_arrears",
                    "党员未按月足额交纳党费的，每人次扣0.1分。",
                    per="0.1",
                    rule_ids="R-LOCAL-10",
                ),
            ],
            rule_ids="R-LOCAL-03",
        ),
    ],
}

SIX_MODERN: Node = {
    "code": "six_modern",
    "name": "“六化”管理考核",
    "target": "unit",
    "rule_ids": "R-LOCAL-01",
    "notes": (
        "注意：十堰市直机关工委“六化”管理的确切表述目前未知（R-LOCAL-01，未找到原文）。"
        "以下六个标题“标准化、规范化、精细化、信息化、品牌化、常态化”是在其他地方材料中见到的"
        "候选名称，未经核实，仅作占位；请以工委正式文件为准，修改各标题、指标和分值后再发布。"
    ),
    "tree": [
        cat(
            "标准化（待核实）",
            "20",
            [
                manual("党支部标准化建设达标", "10", "对照党支部标准化建设要求逐项达标。"),
                auto(
                    "按期换届",
                    "10",
                    "term_overdue",
                    "所属党组织任期届满未按期换届的，每个扣5分。",
                    per="5",
                    rule_ids="R-ORG-05",
                ),
            ],
            rule_ids="R-LOCAL-01",
        ),
        cat(
            "规范化（待核实）",
            "20",
            [
                auto(
                    "“三会一课”规范开展",
                    "10",
                    "orglife_compliance",
                    "按已到期周期中“三会一课”的开展比例计分。",
                    rule_ids="R-ORGLIFE-01,R-ORGLIFE-07",
                ),
                auto(
                    "主题党日规范开展",
                    "8",
                    "theme_day_compliance",
                    "按已到期月份中开展主题党日的比例计分。",
                    rule_ids="R-ORGLIFE-08",
                ),
                deduction(
                    "组织生活按时录入平台",
                    "2",
                    "0.1",
                    "“三会一课”、主题党日未在当月最后两天前录入平台的，每次扣0.1分。",
                    rule_ids="R-LOCAL-10",
                ),
            ],
            rule_ids="R-LOCAL-01",
        ),
        cat(
            "精细化（待核实）",
            "15",
            [manual("党建工作精细管理", "15", "待按工委文件细化。")],
            rule_ids="R-LOCAL-01",
        ),
        cat(
            "信息化（待核实）",
            "15",
            [manual("智慧党建平台应用", "15", "待按工委文件细化。")],
            rule_ids="R-LOCAL-01",
        ),
        cat(
            "品牌化（待核实）",
            "15",
            [manual("党建品牌创建", "15", "待按工委文件细化。")],
            rule_ids="R-LOCAL-01",
        ),
        cat(
            "常态化（待核实）",
            "15",
            [
                manual("作风建设常态长效", "5", "待按工委文件细化。"),
                _integrity(("4", "3", "3"), "10"),
            ],
            rule_ids="R-LOCAL-01",
        ),
    ],
}

TEMPLATES: dict[str, Node] = {t["code"]: t for t in (STANDARD_BRANCH, FIVE_BASICS, SIX_MODERN)}
TEMPLATE_CHOICES: list[tuple[str, str]] = [(code, t["name"]) for code, t in TEMPLATES.items()]


def template(code: str) -> Node | None:
    return TEMPLATES.get(code)


def walk(nodes: list[Node], depth: int = 0):
    """(node, depth) for every node, depth first, in order."""
    for node in nodes:
        yield node, depth
        yield from walk(node.get("children", []), depth + 1)


def base_max(code: str) -> Decimal:
    """The template's maximum without the bonus categories (`scoring.scheme_max` adds the
    bonus: the full marks)."""
    return sum(
        (Decimal(n["max_points"]) for n in TEMPLATES[code]["tree"] if not n.get("is_bonus")),
        Decimal("0"),
    )
