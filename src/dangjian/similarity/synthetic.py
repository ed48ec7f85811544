"""Realistic synthetic meeting minutes (no network, small vocabulary) for tests, the bench
and demo data: a header, an optional prescribed study passage (the boilerplate many branches
share), speeches and resolutions built from varied phrases, plus helpers that make a
"copied" version of a text (a few edits, names changed, paragraphs reordered)."""

from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红梅鹏辉健斌宇浩凯晨阳雪琳"
PLACES = [
    "机关三楼会议室",
    "党员活动室",
    "二楼小会议室",
    "党建活动中心",
    "局机关大会议室",
    "支部活动阵地",
    "综合楼五楼会议室",
    "线上视频会议",
]
TOPICS = [
    "深入学习贯彻党的二十大精神",
    "推进全面从严治党",
    "加强作风建设",
    "落实意识形态工作责任制",
    "开展主题教育",
    "提升机关服务效能",
    "推进党建与业务深度融合",
    "加强党风廉政建设",
    "巩固拓展学习成果",
    "推动基层治理现代化",
    "优化营商环境",
    "做好安全生产工作",
    "加强干部队伍建设",
    "推进法治机关建设",
    "做好疫情防控常态化工作",
    "深化模范机关创建",
]
ACTIONS = [
    "要切实提高政治站位",
    "要把学习成果转化为工作动力",
    "要坚持问题导向",
    "要压实工作责任",
    "要强化担当意识",
    "要加强沟通协调",
    "要细化工作台账",
    "要按时间节点推进",
    "要坚持以人民为中心",
    "要发挥党员先锋模范作用",
    "要严守纪律规矩",
    "要注重调查研究",
    "要把握工作重点",
    "要加强督促检查",
    "要完善制度机制",
    "要提升履职能力",
]
SUBJECTS = [
    "窗口服务",
    "项目审批",
    "档案管理",
    "财务报销",
    "信息化建设",
    "信访接待",
    "执法检查",
    "政策宣传",
    "后勤保障",
    "调研报告",
    "年度考核",
    "安全检查",
    "志愿服务",
    "结对帮扶",
    "社区共建",
    "业务培训",
    "公文办理",
    "预算执行",
    "合同管理",
    "数据统计",
]
PROBLEMS = [
    "存在流程不够顺畅的问题",
    "个别环节衔接不紧",
    "工作进度有所滞后",
    "群众反映办事时间较长",
    "材料准备不够充分",
    "学习的系统性还不强",
    "部分同志创新意识不足",
    "制度执行还有偏差",
    "基础数据不够准确",
    "宣传覆盖面不够广",
]
MEASURES = [
    "下一步将建立周调度机制",
    "将于本月底前完成整改",
    "拟安排专人负责跟踪落实",
    "计划组织一次专题培训",
    "将与相关科室共同研究解决办法",
    "已形成初步方案报支委会审议",
    "将结合年度目标细化分解任务",
    "准备开展一次走访调研",
    "会后将形成书面整改清单",
    "将把完成情况纳入年度考核",
]
NUMBERS = "一二三四五六七八九十"
STUDY_TEXTS = [
    "全面建设社会主义现代化国家，最艰巨最繁重的任务仍然在农村。坚持农业农村优先发展，"
    "坚持城乡融合发展，畅通城乡要素流动。加快建设农业强国，扎实推动乡村产业、人才、文化、"
    "生态、组织振兴。全方位夯实粮食安全根基，全面落实粮食安全党政同责，牢牢守住十八亿亩"
    "耕地红线，逐步把永久基本农田全部建成高标准农田，深入实施种业振兴行动，强化农业科技和"
    "装备支撑，健全种粮农民收益保障机制和主产区利益补偿机制，确保中国人的饭碗牢牢端在自己"
    "手中。树立大食物观，发展设施农业，构建多元化食物供给体系。发展乡村特色产业，拓宽农民"
    "增收致富渠道。巩固拓展脱贫攻坚成果，增强脱贫地区和脱贫群众内生发展动力。",
    "全面从严治党永远在路上，党的自我革命永远在路上，决不能有松劲歇脚、疲劳厌战的情绪，"
    "必须持之以恒推进全面从严治党，深入推进新时代党的建设新的伟大工程，以党的自我革命引领"
    "社会革命。坚持以严的基调强化正风肃纪。以党的政治建设为统领，坚持思想建党和制度治党同向"
    "发力，坚持制度治党、依规治党，以党章为根本，以民主集中制为核心，完善党内法规制度体系，"
    "增强党内法规权威性和执行力，形成坚持真理、修正错误，发现问题、纠正偏差的机制。",
    "坚持和加强党的全面领导。党的领导是全面的、系统的、整体的，必须全面、系统、整体加以"
    "落实。健全总揽全局、协调各方的党的领导制度体系，完善党中央重大决策部署落实机制，确保"
    "全党在政治立场、政治方向、政治原则、政治道路上同党中央保持高度一致，确保党的团结统一。"
    "完善党中央决策议事协调机构，加强党中央对重大工作的集中统一领导。",
]


def person(rng: random.Random) -> str:
    return (
        rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    )


WORDS = sorted(
    {
        p[i : i + 2]
        for group in (TOPICS, ACTIONS, SUBJECTS, PROBLEMS, MEASURES)
        for p in group
        for i in range(0, len(p) - 1, 2)
    }
)


def _clause(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7)))


def _speech(rng: random.Random, name: str) -> str:
    """What one member said: free sentences (random runs of words, so two unrelated
    speeches share few 5-grams, as real speeches do) around a few set phrases."""
    parts = [f"{name}同志发言："]
    for _ in range(rng.randint(2, 4)):
        parts.append(
            f"结合{rng.choice(SUBJECTS)}工作，{_clause(rng)}，{_clause(rng)}，"
            f"{rng.choice(PROBLEMS)}，{_clause(rng)}，{rng.choice(MEASURES)}，{_clause(rng)}。"
        )
    return "".join(parts)


def study_passage(seed: int = 0, chars: int = 2500) -> str:
    """A long prescribed study text (the same for a given seed): what every branch copies
    into its minutes when the higher committee prescribes the material."""
    rng = random.Random(seed)
    parts = list(STUDY_TEXTS)
    while sum(map(len, parts)) < chars:
        parts.append(f"{_clause(rng)}，{_clause(rng)}，{rng.choice(ACTIONS)}。")
    return "".join(parts)[:chars]


def minutes(rng: random.Random, *, org: str = "第一党支部", study: int | str | None = None) -> str:
    """One meeting's minutes (about 800–1,500 characters of its own); `study` adds a
    prescribed study passage (an index into STUDY_TEXTS or the passage itself), the
    boilerplate many branches share."""
    chair, recorder = person(rng), person(rng)
    people = [person(rng) for _ in range(rng.randint(3, 6))]
    expected = rng.randint(8, 30)
    present = expected - rng.randint(0, 3)
    topic = rng.choice(TOPICS)
    lines = [
        f"{org}{rng.choice(['党员大会', '支部委员会会议', '主题党日活动', '党小组会'])}会议记录",
        f"时间：2022年{rng.randint(1, 12)}月{rng.randint(1, 28)}日  地点：{rng.choice(PLACES)}",
        f"主持人：{chair}  记录人：{recorder}  应到{expected}人，实到{present}人。",
        f"会议主题：{topic}。",
    ]
    if study is not None:
        passage = study if isinstance(study, str) else STUDY_TEXTS[study % len(STUDY_TEXTS)]
        lines.append("一、集中学习。" + passage)
    lines.append("二、交流发言。")
    lines += [_speech(rng, name) for name in people]
    lines.append(
        f"三、会议决定。{chair}同志总结指出，{rng.choice(ACTIONS)}，{rng.choice(ACTIONS)}。"
        f"会议决定由{rng.choice(people)}同志牵头{rng.choice(SUBJECTS)}工作，"
        f"{rng.choice(MEASURES)}；{rng.choice(people)}同志负责{rng.choice(SUBJECTS)}，"
        f"{rng.choice(MEASURES)}。"
    )
    return "\n".join(lines)


def copy_of(
    rng: random.Random, text: str, *, org: str | None = None, edits: int | None = None
) -> str:
    """A copied version of `text`: names changed, the paragraphs after the header shuffled,
    `edits` characters changed (default one per 200), the branch name replaced."""
    out = text
    for name in sorted(set(_names_in(text))):
        out = out.replace(name, person(rng))
    if org:
        out = org + out.split("党支部", 1)[-1] if "党支部" in out[:20] else out
    lines = out.split("\n")
    head, body = lines[:4], lines[4:]
    rng.shuffle(body)
    out = "\n".join(head + body)
    chars = list(out)
    for _ in range(max(1, len(chars) // 200) if edits is None else edits):
        k = rng.randrange(len(chars))
        chars[k] = rng.choice("的了和在是对要把")
    return "".join(chars)


def _names_in(text: str) -> list[str]:
    names = []
    for marker in ("同志", "主持人：", "记录人："):
        start = 0
        while (k := text.find(marker, start)) >= 0:
            if marker == "同志":
                names.append(text[max(0, k - 3) : k].lstrip("，。：、 \n由"))
            else:
                names.append(text[k + len(marker) : k + len(marker) + 3].strip())
            start = k + 1
    return [
        n for n in names if 2 <= len(n) <= 3 and n[0] in SURNAMES and all(c in GIVEN for c in n[1:])
    ]
