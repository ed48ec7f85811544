"""Organisational life (组织生活) as rules: the meeting kinds, how often each is due, and the
checks of votes, appraisals and talks (R-ORGLIFE-01..12, R-GEN-03). Pure: no Django."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dc_field
from enum import StrEnum

from dangjian.rules.base import Confidence, Finding, Level, rule


class MeetingKind(StrEnum):
    """The glossary's meeting kinds (shared/design/glossary.md)."""

    MEMBER_ASSEMBLY = "member_assembly"  # 支部党员大会
    COMMITTEE_MEETING = "committee_meeting"  # 支部委员会会议
    GROUP_MEETING = "group_meeting"  # 党小组会
    PARTY_LESSON = "party_lesson"  # 党课
    THEME_DAY = "theme_day"  # 主题党日
    LIFE_MEETING = "life_meeting"  # 组织生活会
    MEMBER_APPRAISAL = "member_appraisal"  # 民主评议党员
    # 学习培训 (集中学习, 宣讲, 导学, 报告会, 培训班): no frequency of its own; it counts towards
    # the yearly credit hours (R-EDU-01/02, rules.study), recorded through the study app
    STUDY_SESSION = "study_session"


KIND_LABELS: dict[str, str] = {
    MeetingKind.MEMBER_ASSEMBLY: "支部党员大会",
    MeetingKind.COMMITTEE_MEETING: "支部委员会会议",
    MeetingKind.GROUP_MEETING: "党小组会",
    MeetingKind.PARTY_LESSON: "党课",
    MeetingKind.THEME_DAY: "主题党日",
    MeetingKind.LIFE_MEETING: "组织生活会",
    MeetingKind.MEMBER_APPRAISAL: "民主评议党员",
    MeetingKind.STUDY_SESSION: "学习培训",
}


# ---------------------------------------------------------------------------------------------
# The rules (ids, citations and confidence as in shared/domain/rules.md)

BRANCH_REGS = "中国共产党支部工作条例（试行）"
BRANCH_REGS_2018 = dt.date(2018, 10, 28)
EDU_REGS = "中国共产党党员教育管理工作条例"
EDU_REGS_2019 = dt.date(2019, 5, 6)
ELECTION_REGS = "中国共产党基层组织选举工作条例"

R_GEN_03 = rule(
    "R-GEN-03",
    "正式党员有表决权、选举权和被选举权；预备党员没有；受留党察看处分期间没有；"
    "被留置或逮捕的，由党组织暂停其上述权利",
    source=ELECTION_REGS,
    article="第五条",
    effective=dt.date(2020, 7, 13),
    confidence=Confidence.C2,
    note="2020年条例文本据转载件；预备党员无表决权另见党章第七条",
)
R_ORGLIFE_01 = rule(
    "R-ORGLIFE-01",
    "支部党员大会一般每季度召开1次",
    source=BRANCH_REGS,
    article="第十一条",
    effective=BRANCH_REGS_2018,
    confidence=Confidence.C2,
)
R_ORGLIFE_02 = rule(
    "R-ORGLIFE-02",
    "党员大会须有半数以上有表决权的党员到会方可进行；表决时赞成人数超过应到会有表决权的党员"
    "的半数为通过",
    source=BRANCH_REGS,
    article="第十一条",
    effective=BRANCH_REGS_2018,
    confidence=Confidence.C2,
    note="“半数以上”按含本数计（恰好一半到会即达到）；通过以应到会而非实到会人数计",
)
R_ORGLIFE_03 = rule(
    "R-ORGLIFE-03",
    "党员大会的职权：听取和审查支部委员会报告，选举，接收预备党员及预备党员转正、延长预备期"
    "或取消预备党员资格，表彰、组织处置和纪律处分等重要事项；表决前应充分讨论",
    source=BRANCH_REGS,
    article="第十一条",
    effective=BRANCH_REGS_2018,
    confidence=Confidence.C2,
)
R_ORGLIFE_04 = rule(
    "R-ORGLIFE-04",
    "支部委员会会议一般每月召开1次，根据需要可以随时召开；须有半数以上委员到会方可进行",
    source=BRANCH_REGS,
    article="第十二条",
    effective=BRANCH_REGS_2018,
    confidence=Confidence.C2,
    note="条例只规定到会人数；表决通过以赞成票超过委员总数的半数计，是本系统的理解（C3）",
)
R_ORGLIFE_05 = rule(
    "R-ORGLIFE-05",
    "党员人数较多或党员工作地、居住地比较分散的党支部应当划分党小组；党小组会一般每月召开1次",
    source=BRANCH_REGS,
    article="第十三条",
    effective=BRANCH_REGS_2018,
    confidence=Confidence.C2,
)
R_ORGLIFE_06 = rule(
    "R-ORGLIFE-06",
    "党员大会、支部委员会会议由党支部书记召集并主持，书记不能参加时可委托副书记或委员召集"
    "主持；党小组会由党小组组长召集",
    source=BRANCH_REGS,
    article="第十四条",
    effective=BRANCH_REGS_2018,
    confidence=Confidence.C2,
)
R_ORGLIFE_07 = rule(
    "R-ORGLIFE-07",
    "落实“三会一课”制度；党员领导干部应当定期为基层党员讲党课，党委（党组）书记每年至少讲1次"
    "党课；党支部讲党课的次数由本部署配置（常见的地方规定为每季度1次）",
    source=BRANCH_REGS,
    article="第五章",
    effective=BRANCH_REGS_2018,
    confidence=Confidence.C2,
    note="条文序号未核对（第三方引作第十六条，记忆为第十五条，C3）；条例未规定党支部党课次数，"
    "每季度1次是常见的地方规定",
)
R_ORGLIFE_08 = rule(
    "R-ORGLIFE-08",
    "党支部每月相对固定1天开展主题党日活动",
    source=EDU_REGS,
    article="第十六条",
    effective=EDU_REGS_2019,
    confidence=Confidence.C1,
    note="支部工作条例第五章亦有规定（条文序号据记忆为第十六条）",
)
R_ORGLIFE_09 = rule(
    "R-ORGLIFE-09",
    "组织生活会一般每年召开1次，通常在第四季度，根据需要可随时召开",
    source=EDU_REGS,
    article="第十七条",
    effective=EDU_REGS_2019,
    confidence=Confidence.C1,
)
R_ORGLIFE_10 = rule(
    "R-ORGLIFE-10",
    "民主评议党员一般每年开展1次，按个人自评、党员互评、民主测评的程序进行，"
    "由支部委员会或党员大会确定评议等次",
    source=EDU_REGS,
    article="第十八条",
    effective=EDU_REGS_2019,
    confidence=Confidence.C1,
)
R_ORGLIFE_11 = rule(
    "R-ORGLIFE-11",
    "民主评议党员评定为优秀、合格、基本合格、不合格四个等次；评为优秀的一般不超过参评党员的"
    "三分之一",
    source="共产党员网“民主评议党员”专题（中央有关要求的摘要）",
    article="",
    effective=EDU_REGS_2019,
    confidence=Confidence.C2,
    note="摘要未注明日期，生效日期取党员教育管理工作条例（R-ORGLIFE-10）；"
    "预备党员参加评议但不评定等次是常见做法（C3）",
)
R_ORGLIFE_12 = rule(
    "R-ORGLIFE-12",
    "支部委员之间、支部委员和党员之间、党员和党员之间，每年至少开展1次谈心谈话",
    source=BRANCH_REGS,
    article="第五章",
    effective=BRANCH_REGS_2018,
    confidence=Confidence.C2,
    note="条文序号未核对（记忆为第十九条）；党员教育管理工作条例第十九条要求经常谈心谈话，未定次数",
)

# ---------------------------------------------------------------------------------------------
# How often each kind is due (frequencies as data)

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
NONE = "none"
PERIOD_LABELS: dict[str, str] = {
    MONTH: "每月",
    QUARTER: "每季度",
    YEAR: "每年",
    NONE: "不作要求",
}


@dataclass(frozen=True)
class Frequency:
    """How often a meeting kind is due: at least once per ``period`` ("month", "quarter",
    "year", or "none" = not checked). ``configurable`` marks a frequency the regulations leave
    to the deployment."""

    kind: str
    period: str
    rule_id: str
    configurable: bool = False
    note: str = ""


FREQUENCIES: dict[str, Frequency] = {
    f.kind: f
    for f in (
        Frequency(
            MeetingKind.MEMBER_ASSEMBLY.value, QUARTER, R_ORGLIFE_01.id, note="一般每季度召开1次"
        ),
        Frequency(
            MeetingKind.COMMITTEE_MEETING.value, MONTH, R_ORGLIFE_04.id, note="一般每月召开1次"
        ),
        Frequency(
            MeetingKind.GROUP_MEETING.value,
            MONTH,
            R_ORGLIFE_05.id,
            note="一般每月召开1次，每个党小组分别计算",
        ),
        Frequency(
            MeetingKind.PARTY_LESSON.value,
            QUARTER,
            R_ORGLIFE_07.id,
            configurable=True,
            note="支部工作条例未规定党支部讲党课的次数；每季度1次是常见的地方规定，可按本部署调整",
        ),
        Frequency(MeetingKind.THEME_DAY.value, MONTH, R_ORGLIFE_08.id, note="每月开展1次"),
        Frequency(
            MeetingKind.LIFE_MEETING.value,
            YEAR,
            R_ORGLIFE_09.id,
            note="一般每年召开1次，通常在第四季度",
        ),
        Frequency(
            MeetingKind.MEMBER_APPRAISAL.value, YEAR, R_ORGLIFE_10.id, note="一般每年开展1次"
        ),
    )
}


def _kind(kind: object) -> str:
    key = str(kind).strip() if isinstance(kind, str) else None
    if key not in FREQUENCIES:
        known = "、".join(FREQUENCIES)
        raise ValueError(f"未知的会议类型“{kind}”，应为：{known}")
    return str(key)


def _period(period: object, kind: str) -> str:
    value = period.strip() if isinstance(period, str) else None
    if value not in PERIOD_LABELS:
        known = "、".join(PERIOD_LABELS)
        raise ValueError(f"会议类型“{kind}”的频次“{period}”无效，应为：{known}")
    return str(value)


def check_overrides(overrides: Mapping | None) -> dict[str, str]:
    """The per-deployment overrides (kind → period) cleaned and validated: every key must be a
    meeting kind and every value a period; whitespace around either is dropped. ValueError
    names the first bad entry, so a typo in the configuration is never silently ignored."""
    cleaned: dict[str, str] = {}
    for key, value in (overrides or {}).items():
        kind = _kind(key)
        cleaned[kind] = _period(value, kind)
    return cleaned


def frequency_of(kind: str, overrides: Mapping | None = None) -> Frequency:
    """The frequency of ``kind``, with the deployment's override applied (the service passes
    ``settings.ORGLIFE_FREQUENCY_OVERRIDES``). An unknown kind, or an override with an unknown
    kind or period, raises ValueError. An overridden frequency keeps its rule ID and says in
    ``note`` what it replaced."""
    base = FREQUENCIES[_kind(kind)]
    period = check_overrides(overrides).get(base.kind)
    if period is None or period == base.period:
        return base
    note = f"本部署配置为{PERIOD_LABELS[period]}（规定为{PERIOD_LABELS[base.period]}）"
    return replace(base, period=period, note=f"{note}；{base.note}" if base.note else note)


# ---------------------------------------------------------------------------------------------
# Compliance per period: evaluate()

DONE = "done"
MISSING = "missing"
DUE_SOON = "due_soon"
NOT_DUE = "not_due"
COMPLIANCE_STATUSES: tuple[tuple[str, str], ...] = (
    (DONE, "已开展"),
    (MISSING, "应开未开"),
    (DUE_SOON, "即将到期"),
    (NOT_DUE, "未到期"),
)
DUE_SOON_DAYS = 10  # "ends within 10 days of today": 10 days before the end counts, 11 does not


@dataclass(frozen=True)
class PeriodStatus:
    start: dt.date  # first day of the period, included
    end: dt.date  # last day of the period, included
    status: str  # one of COMPLIANCE_STATUSES


def periods_of(period: str, year: int) -> list[tuple[dt.date, dt.date]]:
    """The periods of ``year`` as (first day, last day), in order: 12 months, 4 quarters or the
    whole year; none for "none"."""
    if period == MONTH:
        months = [(m, m) for m in range(1, 13)]
    elif period == QUARTER:
        months = [(m, m + 2) for m in (1, 4, 7, 10)]
    elif period == YEAR:
        months = [(1, 12)]
    elif period == NONE:
        return []
    else:
        raise ValueError(f"频次“{period}”无效，应为：{'、'.join(PERIOD_LABELS)}")
    return [
        (dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1]))
        for first, last in months
    ]


def _as_date(value: object, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"{what} must be a datetime.date, not {type(value).__name__}")


def evaluate(
    kind: str,
    held_on: Iterable[dt.date],
    year: int,
    today: dt.date,
    *,
    overrides: Mapping | None = None,
) -> list[PeriodStatus]:
    """One PeriodStatus per period of ``year`` (in order) for meetings of ``kind`` held on the
    dates ``held_on``:

    - ``done``: a date of ``held_on`` lies in the period (start and end included);
    - ``missing``: otherwise, when the period ended before today (``end < today``);
    - ``due_soon``: otherwise, when the period has begun and ends within DUE_SOON_DAYS days:
      ``start <= today <= end`` and ``(end - today).days <= DUE_SOON_DAYS``;
    - ``not_due``: otherwise (the period is running with more than 10 days left, or has not
      begun yet — a future period is never due_soon).

    Dates outside ``year`` are ignored; ``held_on`` is taken as given (refusing a meeting dated
    in the future as held is the service's job). A kind whose period is "none" gives [].
    ``datetime`` values count by their date."""
    freq = frequency_of(kind, overrides)
    spans = periods_of(freq.period, year)
    if not spans:
        return []
    today = _as_date(today, "today")
    size = {MONTH: 1, QUARTER: 3, YEAR: 12}[freq.period]
    hit = [False] * len(spans)
    for value in held_on:
        day = _as_date(value, "held_on")
        if day.year == year:
            hit[(day.month - 1) // size] = True
    result = []
    for (start, end), done in zip(spans, hit, strict=True):
        if done:
            status = DONE
        elif end < today:
            status = MISSING
        elif start <= today and (end - today).days <= DUE_SOON_DAYS:
            status = DUE_SOON
        else:
            status = NOT_DUE
        result.append(PeriodStatus(start, end, status))
    return result


# ---------------------------------------------------------------------------------------------
# Votes (R-ORGLIFE-02, R-ORGLIFE-04, R-GEN-03)


@dataclass(frozen=True)
class VoteResult:
    quorum_met: bool
    passed: bool
    findings: list[Finding] = dc_field(default_factory=list)


VOTING_CATEGORIES: tuple[tuple[str, str], ...] = (("full", "正式党员"),)
NON_VOTING_CATEGORIES: tuple[tuple[str, str], ...] = (("probationary", "预备党员"),)


def may_vote(category: str) -> bool:
    """R-GEN-03: only full members (正式党员, category "full") have a vote; probationary members
    ("probationary") do not. Unknown category → ValueError. The other losses of the vote
    (留党察看 while it lasts, 留置 or arrest) are not part of the category: the caller excludes
    those members itself."""
    if category in dict(VOTING_CATEGORIES):
        return True
    if category in dict(NON_VOTING_CATEGORIES):
        return False
    raise ValueError(
        f"未知的人员类别“{category}”，应为 full（正式党员）或 probationary（预备党员）"
    )


def _counts(**values: object) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name}应为整数，现为{value!r}")
        if value < 0:
            raise ValueError(f"{name}不能为负数，现为{value}")


def _vote(
    rule_id: str,
    base: int,
    present: int,
    yes: int,
    *,
    base_name: str,
    present_name: str,
    keys: tuple[str, str],
    no_quorum: str,
) -> VoteResult:
    _counts(**{base_name: base, present_name: present, "赞成票": yes})
    if base == 0:
        raise ValueError(f"{base_name}为0，无法表决")
    if present > base:
        raise ValueError(f"{present_name}（{present}）不能多于{base_name}（{base}）")
    if yes > present:
        raise ValueError(f"赞成票（{yes}）不能多于{present_name}（{present}）")
    # quorum: the fewest present for a valid vote; needed: the fewest yes-votes that pass
    data = {keys[0]: base, keys[1]: present, "yes": yes, "quorum": (base + 1) // 2}
    data["needed"] = base // 2 + 1
    if present * 2 < base:  # "半数以上" includes the half
        return VoteResult(False, False, [Finding(rule_id, Level.ERROR, no_quorum, data=data)])
    if yes * 2 > base:  # "超过半数" excludes the half
        return VoteResult(True, True, [])
    message = f"赞成{yes}票，未超过{base_name}{base}人的半数，未通过（{rule_id}）"
    return VoteResult(True, False, [Finding(rule_id, Level.INFO, message, data=data)])


def assembly_vote(entitled_voting: int, present_voting: int, yes: int) -> VoteResult:
    """A vote at the 党员大会 (R-ORGLIFE-02). ``entitled_voting``: members entitled to vote
    (full members, R-GEN-03) who are due at the meeting; ``present_voting``: those of them
    present; ``yes``: yes-votes. Quorum: present_voting × 2 ≥ entitled_voting ("半数以上",
    exactly half is enough); passed: yes × 2 > entitled_voting — more than half of those
    ENTITLED, not of those present. No quorum → not passed, with an ERROR finding; quorum but
    too few yes-votes → an INFO finding. Negative numbers, entitled 0, present > entitled or
    yes > present → ValueError."""
    return _vote(
        R_ORGLIFE_02.id,
        entitled_voting,
        present_voting,
        yes,
        base_name="应到会有表决权的党员",
        present_name="实到会有表决权的党员",
        keys=("entitled_voting", "present_voting"),
        no_quorum=(
            f"实到会有表决权的党员{present_voting}人，不足应到会有表决权的党员"
            f"{entitled_voting}人的半数，不能进行表决（{R_ORGLIFE_02.id}）"
        ),
    )


def committee_vote(committee_size: int, present: int, yes: int) -> VoteResult:
    """A vote at the 支委会 (R-ORGLIFE-04). Quorum: present × 2 ≥ committee_size ("半数以上
    委员到会"); passed: yes × 2 > committee_size — our reading (the rule states only the
    quorum; we apply the 党员大会's rule of more than half of all members, C3). No quorum → not
    passed, with an ERROR finding. Bad numbers → ValueError, as in assembly_vote."""
    return _vote(
        R_ORGLIFE_04.id,
        committee_size,
        present,
        yes,
        base_name="支部委员会委员",
        present_name="到会委员",
        keys=("committee_size", "present"),
        no_quorum=(
            f"到会委员{present}人，不足委员总数{committee_size}人的半数，"
            f"不能进行表决（{R_ORGLIFE_04.id}）"
        ),
    )


# ---------------------------------------------------------------------------------------------
# Democratic appraisal (R-ORGLIFE-10/11)

EXCELLENT = "excellent"
APPRAISAL_GRADES: tuple[tuple[str, str], ...] = (
    (EXCELLENT, "优秀"),
    ("qualified", "合格"),
    ("basically_qualified", "基本合格"),
    ("unqualified", "不合格"),
)


def appraisal_findings(grades: Mapping[object, str]) -> list[Finding]:
    """R-ORGLIFE-11 for one appraisal: ``grades`` maps each rated member (id) to his grade
    (APPRAISAL_GRADES codes). More than one third rated 优秀 (excellent × 3 > rated) → one
    WARNING ("一般不超过"); exactly one third is fine. Pass only the members who are rated:
    probationary members take part but are commonly not rated (C3). Unknown grade → ValueError."""
    known = dict(APPRAISAL_GRADES)
    for member, grade in grades.items():
        if grade not in known:
            raise ValueError(f"党员{member}的评议等次“{grade}”无效，应为：{'、'.join(known)}")
    rated = len(grades)
    excellent = [member for member, grade in grades.items() if grade == EXCELLENT]
    if len(excellent) * 3 <= rated:
        return []
    message = (
        f"评为优秀的党员{len(excellent)}人，超过参评党员{rated}人的三分之一"
        f"（一般不超过{rated // 3}人）（{R_ORGLIFE_11.id}）"
    )
    data = {
        "excellent": len(excellent),
        "rated": rated,
        "max": rated // 3,
        "members": _ordered(excellent),
    }
    return [Finding(R_ORGLIFE_11.id, Level.WARNING, message, data=data)]


# ---------------------------------------------------------------------------------------------
# Heart-to-heart talks (R-ORGLIFE-12)


def _ordered(items: Iterable) -> list:
    items = list(items)
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=repr)


def talk_coverage(
    committee: Collection, members: Collection, talks: Iterable[tuple[object, object]]
) -> list[Finding]:
    """R-ORGLIFE-12 over one year's talks (the caller passes that year's talks). ``committee``:
    the committee members (ids); ``members``: the branch's members (ids; committee members may
    be among them); ``talks``: (a, b) pairs, in either order. Two checks, one WARNING each
    when something is missing:

    1. every two committee members talked with each other — data ``pairs``: the missing
       pairs, each sorted;
    2. every member who is not on the committee talked with at least one committee member —
       data ``members``: those who did not.

    Talks between two ordinary members are not checked (our reading, see
    docs/rules/orglife.md); talks with someone outside both sets, and a talk of a person with
    himself, are ignored."""
    committee_set, member_set = set(committee), set(members)
    met: set[frozenset] = set()
    for pair in talks:
        a, b = pair
        if a != b:
            met.add(frozenset((a, b)))
    found: list[Finding] = []
    seats = _ordered(committee_set)
    missing_pairs = [
        [a, b] for i, a in enumerate(seats) for b in seats[i + 1 :] if frozenset((a, b)) not in met
    ]
    if missing_pairs:
        found.append(
            Finding(
                R_ORGLIFE_12.id,
                Level.WARNING,
                f"支部委员之间有{len(missing_pairs)}对本年度尚未谈心谈话（{R_ORGLIFE_12.id}）",
                data={"pairs": missing_pairs},
            )
        )
    talked_with_committee = {person for pair in met if pair & committee_set for person in pair}
    lonely = _ordered(member_set - committee_set - talked_with_committee)
    if lonely:
        found.append(
            Finding(
                R_ORGLIFE_12.id,
                Level.WARNING,
                f"有{len(lonely)}名党员本年度尚未与支部委员谈心谈话（{R_ORGLIFE_12.id}）",
                data={"members": lonely},
            )
        )
    return found
