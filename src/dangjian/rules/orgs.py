"""Organisation rules: terms of office and the structure of a body.

Sources: 《中国共产党党和国家机关基层组织工作条例》(2019) 第五至九条,
《中国共产党支部工作条例（试行）》(2018) 第二章, 《关于党的基层组织任期的意见》(2018).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dangjian.rules.base import Confidence, Finding, Level, add_months, add_years, rule

ORGAN_REGS = "中国共产党党和国家机关基层组织工作条例"
BRANCH_REGS = "中国共产党支部工作条例（试行）"
TERM_OPINION = "关于党的基层组织任期的意见"
REGS_2019 = dt.date(2019, 11, 29)

R_ORG_01 = rule(
    "R-ORG-01",
    "党员100人以上的机关设立机关党委，每届任期一般为5年",
    source=ORGAN_REGS,
    article="第五条",
    effective=REGS_2019,
    confidence=Confidence.C1,
)
R_ORG_02 = rule(
    "R-ORG-02",
    "党员50人以上、100人以下的机关设立党总支，每届任期一般为3年",
    source=ORGAN_REGS,
    article="第六条",
    effective=REGS_2019,
    confidence=Confidence.C1,
)
R_ORG_03 = rule(
    "R-ORG-03",
    "正式党员3人以上设立党支部；正式党员7人以上设立支部委员会；任期一般为3年",
    source=ORGAN_REGS,
    article="第七条",
    effective=REGS_2019,
    confidence=Confidence.C1,
)
R_ORG_05 = rule(
    "R-ORG-05",
    "党组织应当按期换届",
    source=ORGAN_REGS,
    article="第八条",
    effective=REGS_2019,
    confidence=Confidence.C1,
)
R_ORG_22 = rule(
    "R-ORG-22",
    "支部委员会由3至5人组成，一般不超过7人",
    source=BRANCH_REGS,
    article="第六章",
    effective=dt.date(2018, 10, 28),
    confidence=Confidence.C2,
)
R_ORG_07 = rule(
    "R-ORG-07",
    "机关党委应当设立机关纪委",
    source=ORGAN_REGS,
    article="第九条",
    effective=REGS_2019,
    confidence=Confidence.C1,
)
R_ORG_19 = rule(
    "R-ORG-19",
    "正式党员3人以上的单位应当成立党支部；党支部党员人数一般不超过50人",
    source=BRANCH_REGS,
    article="第二章（第四条，据第三方引用）",
    effective=dt.date(2018, 10, 28),
    confidence=Confidence.C2,
)
R_ORG_20 = rule(
    "R-ORG-20",
    "党支部党员超过50人时应考虑调整为党总支或分设支部",
    source=BRANCH_REGS,
    article="第二章",
    effective=dt.date(2018, 10, 28),
    confidence=Confidence.C2,
)
R_ORG_23 = rule(
    "R-ORG-23",
    "基层党委每届任期一般为5年，党总支、党支部一般为3年；任期届满按期换届",
    source=TERM_OPINION,
    article="一、二",
    effective=dt.date(2018, 1, 1),
    confidence=Confidence.C2,
)

# Bodies whose term the rules fix, in years, with the rule that fixes it.
TERM_YEARS: dict[str, tuple[int, str]] = {
    "organ_committee": (5, R_ORG_01.id),
    # rules.md gives no term for the 机关纪委; it is elected with the 机关党委 (R-ORG-07), so
    # this takes the 机关党委's term — our reading, documented in docs/rules/orgs.md.
    "discipline_committee": (5, R_ORG_01.id),
    "general_branch": (3, R_ORG_02.id),
    "branch": (3, R_ORG_03.id),
}

# The 换届 warning opens this many months before the due date (a reminder window, not a rule).
TERM_WARNING_MONTHS = 6

BRANCH_MIN_FULL_MEMBERS = 3  # R-ORG-03: "3人以上" includes 3
BRANCH_MAX_MEMBERS = 50  # R-ORG-20: "一般不超过50", so 50 is fine and 51 warns
COMMITTEE_MIN_FULL_MEMBERS = 7  # R-ORG-03: "7人以上" includes 7
COMMITTEE_MIN_SEATS = 3  # R-ORG-22: a 支委会 has 3–5 members


def term_years(kind: str) -> int | None:
    """The normal term of a body of this kind in years, or None where no term applies
    (the 工委, a 党组 and a 党小组 are not elected bodies with a term)."""
    entry = TERM_YEARS.get(kind)
    return entry[0] if entry else None


def term_due_on(kind: str, started_on: dt.date) -> dt.date | None:
    years = term_years(kind)
    return add_years(started_on, years) if years else None


def term_findings(kind: str, due_on: dt.date | None, today: dt.date) -> list[Finding]:
    """换届 due soon (six months before the due date) or overdue (the day after it); a body
    that has a term by the rules but no registered term cannot be checked (R-ORG-05)."""
    if kind not in TERM_YEARS:
        return []
    if due_on is None:
        return [
            Finding(
                R_ORG_05.id,
                Level.WARNING,
                "未登记任期（届次）信息，无法判断换届时间",
                data={"status": "unknown"},
            )
        ]
    rule_id = R_ORG_23.id
    if today > due_on:
        days = (today - due_on).days
        return [
            Finding(
                rule_id,
                Level.ERROR,
                f"任期已于{due_on:%Y年%m月%d日}届满，逾期{days}天未换届",
                data={"due_on": due_on.isoformat(), "status": "overdue"},
            )
        ]
    if today >= add_months(due_on, -TERM_WARNING_MONTHS):
        days = (due_on - today).days
        return [
            Finding(
                rule_id,
                Level.WARNING,
                f"任期将于{due_on:%Y年%m月%d日}届满（还有{days}天），请做好换届准备",
                data={"due_on": due_on.isoformat(), "status": "due_soon"},
            )
        ]
    return []


@dataclass(frozen=True)
class OrgFacts:
    """What the structure rules need to know about one body, as plain values."""

    kind: str
    members: int = 0  # members whose branch is this body
    full_members: int = 0  # full members in normal standing (停止党籍 excluded)
    committee_seats: int = 0  # current seats of the body's committee, secretary included
    has_discipline_committee: bool = False


def structure_findings(facts: OrgFacts) -> list[Finding]:
    """Structure warnings of R-ORG-03/07/20/22 for one body. Member counts are the members
    whose branch is this body (members are registered in branches)."""
    found: list[Finding] = []
    if facts.kind == "branch":
        if facts.full_members < BRANCH_MIN_FULL_MEMBERS:
            found.append(
                Finding(
                    R_ORG_03.id,
                    Level.ERROR,
                    f"正式党员{facts.full_members}人，不足{BRANCH_MIN_FULL_MEMBERS}人，"
                    "不具备单独设立党支部的条件（可成立联合党支部）",
                    data={"full_members": facts.full_members},
                )
            )
        if facts.members > BRANCH_MAX_MEMBERS:
            found.append(
                Finding(
                    R_ORG_20.id,
                    Level.WARNING,
                    f"党员{facts.members}人，超过{BRANCH_MAX_MEMBERS}人，"
                    "建议分设党支部或调整为党总支",
                    data={"members": facts.members},
                )
            )
        if (
            facts.full_members >= COMMITTEE_MIN_FULL_MEMBERS
            and facts.committee_seats < COMMITTEE_MIN_SEATS
        ):
            found.append(
                Finding(
                    R_ORG_03.id,
                    Level.WARNING,
                    f"正式党员{facts.full_members}人（7人以上），应当设立支部委员会"
                    f"（{COMMITTEE_MIN_SEATS}人以上，R-ORG-22），现有委员{facts.committee_seats}人",
                    data={"full_members": facts.full_members, "seats": facts.committee_seats},
                )
            )
    if facts.kind == "organ_committee" and not facts.has_discipline_committee:
        found.append(Finding(R_ORG_07.id, Level.ERROR, "机关党委未设立机关纪委"))
    return found
