"""The time and condition rules of 发展党员 (rules.md §3.2, R-DEV-01..26, R-ORG-14).

Sources: 《中国共产党发展党员工作细则》(中共中央办公厅 2014-05-28 印发, 2014-06-10 施行; "细则"),
the reported 2026 revision (rules.md: not read, article numbers as encoded by public
repositories), 《中国共产党党和国家机关基层组织工作条例》(2019) 第三十七条 (R-ORG-14).
The step table is data in ``recruitment_steps``; explained in docs/rules/recruitment.md.

Pure: ``events`` maps step codes to a ``datetime.date`` (the repeatable steps, and any step
given as a sequence, to several dates); nothing reads the clock or imports Django.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from dangjian.rules.base import Confidence, Finding, Level, add_months, rule
from dangjian.rules.members import (
    DEV_RULES,
    PROBATION_MONTHS,
    R_DEV_21,
)
from dangjian.rules.recruitment_order import (
    ORDER,
    REQUIRES,
    Events,
    normalise_events,
    order_problem,
)
from dangjian.rules.recruitment_steps import STEPS, Stage

__all__ = [
    "ARTICLES_2026",
    "ORDER",
    "REQUIRES",
    "RULESETS",
    "Calendar",
    "Deadline",
    "Events",
    "check",
    "conversion_date",
    "deadlines",
    "next_deadline",
    "order_problem",
    "probation_end",
    "stage_of",
]

RULESETS = ("2014", "2026")
ORGAN_REGS = "中国共产党党和国家机关基层组织工作条例"
DEV_2014 = dt.date(2014, 6, 10)
ORGAN_2019 = dt.date(2019, 11, 29)
_NOTE = "细则2014-05-28印发、2014-06-10施行"

# id: (title, article, confidence, note); every R-DEV-* except R-DEV-21 (rules/members.py)
_DEV_RULES: dict[str, tuple[str, str, str, str]] = {
    "R-DEV-01": ("入党申请人应当年满十八岁", "第五条", "C2", "党章第一条；2026年修订版第五条"),
    "R-DEV-02": ("向工作、学习所在单位党组织提出入党申请", "第六条", "C2", ""),
    "R-DEV-03": ("党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话", "第七条", "C2",
                 "2026年修订版第七条"),
    "R-DEV-04": ("采取推荐和推优方式产生人选，支委会研究确定入党积极分子并报上级党委备案",
                 "第八条", "C2", "2026年修订版第八条"),
    "R-DEV-05": ("指定一至两名正式党员作为入党积极分子的培养联系人", "第九条", "C3",
                 "2026年修订版第九条"),
    "R-DEV-06": ("党组织每半年对入党积极分子进行一次考察", "第十一条", "C2",
                 "2026年修订版第十一条"),
    "R-DEV-07": ("经过一年以上培养教育和考察、基本具备党员条件的入党积极分子，可列为发展对象",
                 "第十三条", "C2", "2026年修订版第十三条"),
    "R-DEV-08": ("确定发展对象前公示不少于5个工作日（2026年修订版为全国规定；2014年版为地方规定）",
                 "", "C3", "2026年修订版第十三条（未核对原文）；2014年版无此条，据地方规定"),
    "R-DEV-09": ("发展对象应当有两名正式党员作入党介绍人", "第十四条", "C2", "党章第五条"),
    "R-DEV-10": ("对发展对象进行政治审查，未经政治审查或政治审查不合格的不能发展入党",
                 "第十五、十六条", "C2", "2026年修订版第十六条；审查结论一年有效为地方规定"),
    "R-DEV-11": ("发展对象集中培训一般不少于3天（或不少于24个学时），未经培训的除个别特殊情况外"
                 "不能发展入党", "第十七条", "C2", "2026年修订版第十七条"),
    "R-DEV-12": ("支委会审查后报基层党委预审，预审合格的方可发放入党志愿书", "第十九条", "C2",
                 "2026年修订版第十八条"),
    "R-DEV-13": ("三个月内将离开工作、学习单位的发展对象，一般不办理接收预备党员的手续",
                 "第十九条", "C2", ""),
    "R-DEV-14": ("预审合格后填写入党志愿书；支部大会在预审后一个月内讨论（2026年修订版、地方规定）",
                 "第二十条", "C2", "2026年修订版第十九条（一个月时限未核对原文）"),
    "R-DEV-15": ("支部大会讨论接收预备党员：到会人数超过应到会有表决权正式党员的半数，"
                 "赞成人数超过应到会有表决权正式党员的半数", "第二十一条", "C2",
                 "2026年修订版第十九、二十条"),
    "R-DEV-16": ("上级党委审批前，应当指派党委委员或组织员同发展对象谈话", "第二十三条", "C3", ""),
    "R-DEV-17": ("上级党委应当在三个月内审批，特殊情况可适当延长，但不得超过六个月",
                 "第二十五条", "C2", "2026年修订版第二十五条"),
    "R-DEV-18": ("超过六个月未审批的，应当重新履行接收手续（地方规定）", "", "C3",
                 "地方规定，细则无对应条文"),
    "R-DEV-19": ("预备党员经批准后应当面向党旗进行入党宣誓（一般在一个月内）", "", "C3",
                 "党章第六条；2026年修订版第二十九条（一个月时限未核对原文）"),
    "R-DEV-20": ("预备期为一年，从支部大会通过其为预备党员之日算起", "第三十二条", "C2",
                 "党章第七条；2026年修订版第三十一条"),
    "R-DEV-22": ("预备党员本人提出书面转正申请，经支部大会讨论通过，上级党委三个月内审批",
                 "第三十三、三十四条", "C2", "2026年修订版第三十二、三十三条"),
    "R-DEV-23": ("党龄从预备期满转为正式党员之日算起", "", "C2", "党章第七条"),
    "R-DEV-24": ("转正后将入党材料归入本人人事档案", "第三十六条", "C3", "2026年修订版第三十六条"),
    "R-DEV-25": ("发展党员各步骤按规定顺序进行（由细则规定的程序推导）", "", "C3",
                 "派生规则：各步骤日期先后"),
}  # fmt: skip
for _id, (_title, _article, _conf, _note) in _DEV_RULES.items():
    rule(_id, _title, source=DEV_RULES, article=_article, effective=DEV_2014,
         confidence=_conf, note=f"{_note}；{_NOTE}" if _note else _NOTE)  # fmt: skip
rule("R-DEV-26", "机关发展党员：审批前须经党组（党委）研究（见R-ORG-14）", source=ORGAN_REGS,
     article="第三十七条", effective=ORGAN_2019, confidence=Confidence.C1)  # fmt: skip
R_ORG_14 = rule(
    "R-ORG-14",
    "机关党委审批预备党员及其转正，须先提交党组（党委）研究决定；未设机关党委的，"
    "经党组（党委）审核后报机关工委审批",
    source=ORGAN_REGS,
    article="第三十七条",
    effective=ORGAN_2019,
    confidence=Confidence.C1,
)

#: the 2026 article of a rule where rules.md gives one; messages cite it under ruleset "2026"
ARTICLES_2026: dict[str, str] = {
    "R-DEV-01": "第五条", "R-DEV-03": "第七条", "R-DEV-05": "第九条", "R-DEV-06": "第十一条",
    "R-DEV-07": "第十三条", "R-DEV-08": "第十三条", "R-DEV-10": "第十六条",
    "R-DEV-11": "第十七条", "R-DEV-12": "第十八条", "R-DEV-14": "第十九条",
    "R-DEV-17": "第二十五条", "R-DEV-19": "第二十九条", "R-DEV-20": "第三十一条",
    "R-DEV-22": "第三十二、三十三条", "R-DEV-04": "第八条", "R-DEV-15": "第十九、二十条",
    "R-DEV-24": "第三十六条",
}  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Thresholds (R-GEN-01: 以上/以内/届满 include the number; 不满/超过 exclude it)

TALK_MONTHS = 1  # R-DEV-03 "一个月内": the day one month on is still in time
CONTACTS_MIN, CONTACTS_MAX = 1, 2  # R-DEV-05 "一至两名"
INTRODUCERS = 2  # R-DEV-09 "两名正式党员"
ASSESSMENT_MONTHS = 6  # R-DEV-06 "每半年": an assessment on the day six months on is in time
ACTIVIST_MONTHS = 12  # R-DEV-07 "一年以上" includes one year: prospect ≥ activist + 12 months
PUBLICITY_NATIONAL_WORKDAYS = 5  # R-DEV-08 2026 "不少于5个工作日": the national minimum
POLITICAL_REVIEW_VALID_MONTHS = 12  # R-DEV-10 local: a review one year old on the day is valid
TRAINING_MIN_DAYS = 3  # R-DEV-11 "不少于3天"
TRAINING_MIN_HOURS = Decimal(24)  # R-DEV-11 "不少于24个学时"
LEAVING_MONTHS = 3  # R-DEV-13 "三个月内"
ASSEMBLY_AFTER_PRE_REVIEW_MONTHS = 1  # R-DEV-14 (2026) "一个月内"
APPROVAL_MONTHS = 3  # R-DEV-17 "三个月内"
APPROVAL_MAX_MONTHS = 6  # R-DEV-17/18 "不得超过六个月"
OATH_MONTHS = 1  # R-DEV-19 "一个月内" (2026 / common practice)
CONVERSION_PROMPT_MONTHS = 1  # R-DEV-21 "及时讨论": our reading of "promptly" (product choice)
CONVERSION_APPROVAL_MONTHS = 3  # R-DEV-22 "三个月内"
#: R-DEV-21 names no limit for the higher committee's approval of an extension or a
#: cancellation; we remind after three months, as for the other approvals (product choice)
DECISION_APPROVAL_MONTHS = 3


class Calendar(Protocol):
    """The working-day calendar (dangjian.rules.workdays.WorkCalendar)."""

    def is_workday(self, day: dt.date) -> bool: ...
    def add_workdays(self, start: dt.date, n: int) -> dt.date: ...
    def workdays_between(self, first: dt.date, last: dt.date) -> int: ...
    def is_known(self, day: dt.date) -> bool: ...


@dataclass(frozen=True)
class Deadline:
    step: str  # the step code that is due
    due_on: dt.date  # the last allowed day ("by") or the earliest allowed day ("not_before")
    rule_id: str
    label: str  # Chinese: what is due
    kind: str  # "by" or "not_before"
    level: Level  # ERROR for a hard rule, WARNING for a 一般 rule


def probation_end(acceptance: dt.date, extension_months: int = 0) -> dt.date:
    """R-DEV-20/21: one year from the 支部大会 that accepted, plus an extension (R-GEN-04)."""
    return add_months(acceptance, PROBATION_MONTHS + (extension_months or 0))


def conversion_date(acceptance: dt.date, extension_months: int = 0) -> dt.date:
    """R-DEV-23: the member is full (党龄 runs) from the day probation ends, whatever the day of
    the meeting or of the approval."""
    return probation_end(acceptance, extension_months)


def stage_of(events: Events) -> Stage:
    """The furthest stage any recorded step enters (recruitment_steps.Step.enters)."""
    order = list(Stage)
    days = normalise_events(events)
    reached = [Stage(s.enters) for s in STEPS if s.enters and s.code in days]
    return max(reached, key=order.index, default=Stage.APPLICANT)


# ---------------------------------------------------------------------------------------------
# One candidate's history, read once


class _Case:
    def __init__(self, events, birth_date, today, facts, ruleset, calendar, publicity_workdays):
        if ruleset not in RULESETS:
            raise ValueError(f"ruleset must be one of {RULESETS}, not {ruleset!r}")
        self.days = normalise_events(events)
        self.birth = birth_date
        self.today = today
        self.facts = dict(facts or {})
        self.ruleset = ruleset
        self._calendar = calendar
        self.publicity_workdays = int(publicity_workdays or 0)
        self.found: list[Finding] = []

    def has(self, code: str) -> bool:
        return code in self.days

    def first(self, code: str) -> dt.date | None:
        return self.days[code][0] if code in self.days else None

    def last(self, code: str) -> dt.date | None:
        return self.days[code][-1] if code in self.days else None

    def all(self, code: str) -> list[dt.date]:
        return self.days.get(code, [])

    @property
    def calendar(self) -> Calendar:
        if self._calendar is None:
            from dangjian.rules.workdays import statutory_calendar  # written alongside

            self._calendar = statutory_calendar()
        return self._calendar

    def tag(self, rule_id: str) -> str:
        article = ARTICLES_2026.get(rule_id) if self.ruleset == "2026" else None
        return f"（{rule_id}，2026年修订版细则{article}）" if article else f"（{rule_id}）"

    def add(self, rule_id: str, level: Level, text: str, field: str | None, **data) -> None:
        self.found.append(Finding(rule_id, level, text + self.tag(rule_id), field, data))

    @property
    def extension_months(self) -> int:
        months = self.facts.get("extension_months")
        ok = isinstance(months, int) and not isinstance(months, bool) and months > 0
        return months if ok else 0

    def probation_end(self) -> dt.date | None:
        acceptance = self.first("acceptance")
        return probation_end(acceptance, self.extension_months) if acceptance else None

    def publicity(self) -> tuple[int, Level] | None:
        """The 公示 rule in force: (working days, level), or None when it is off (R-DEV-08)."""
        if self.ruleset == "2026":
            return max(self.publicity_workdays, PUBLICITY_NATIONAL_WORKDAYS), Level.ERROR
        return (self.publicity_workdays, Level.WARNING) if self.publicity_workdays > 0 else None

    def publicity_earliest_end(self, workdays: int) -> dt.date | None:
        start = self.first("prospect_publicity")
        if start is None:
            return None
        nth = self.calendar.add_workdays(start - dt.timedelta(days=1), workdays)
        end = self.facts.get("publicity_end")
        return max(nth, end) if isinstance(end, dt.date) else nth


# ---------------------------------------------------------------------------------------------
# Deadlines


def _deadlines(c: _Case) -> list[Deadline]:
    out: list[Deadline] = []

    def by(step, due, rule_id, label, level=Level.WARNING):
        out.append(Deadline(step, due, rule_id, label, "by", level))

    def not_before(step, due, rule_id, label, level=Level.ERROR):
        out.append(Deadline(step, due, rule_id, label, "not_before", level))

    application, activist = c.first("application"), c.first("activist")
    if application and not c.has("talk"):
        by("talk", add_months(application, TALK_MONTHS), "R-DEV-03",
           "党组织派人谈话（收到入党申请书后一个月内）")  # fmt: skip
    if activist and not c.has("prospect"):
        last = max([activist, *c.all("assessment")])
        by("assessment", add_months(last, ASSESSMENT_MONTHS), "R-DEV-06",
           "培养教育考察（每半年一次）")  # fmt: skip
        not_before("prospect", add_months(activist, ACTIVIST_MONTHS), "R-DEV-07",
                   "确定为发展对象（培养教育考察一年以上）")  # fmt: skip
        rule_in_force = c.publicity()
        if rule_in_force and c.has("prospect_publicity"):
            workdays, level = rule_in_force
            not_before("prospect", c.publicity_earliest_end(workdays), "R-DEV-08",
                       f"确定为发展对象（公示不少于{workdays}个工作日期满）", level)  # fmt: skip
    if not c.has("acceptance"):
        pre_review, political_review = c.last("pre_review"), c.last("political_review")
        if pre_review and c.ruleset == "2026":
            by("acceptance", add_months(pre_review, ASSEMBLY_AFTER_PRE_REVIEW_MONTHS),
               "R-DEV-14", "支部大会讨论接收预备党员（预审后一个月内）")  # fmt: skip
        if political_review and c.has("prospect"):
            by("acceptance", add_months(political_review, POLITICAL_REVIEW_VALID_MONTHS),
               "R-DEV-10", "支部大会讨论接收预备党员（政治审查结论一年内有效）")  # fmt: skip
    acceptance, approval = c.first("acceptance"), c.first("approval")
    if acceptance and not approval:
        by("approval", add_months(acceptance, APPROVAL_MONTHS), "R-DEV-17",
           "上级党委审批（支部大会通过后三个月内）")  # fmt: skip
        by("approval", add_months(acceptance, APPROVAL_MAX_MONTHS), "R-DEV-17",
           "上级党委审批（最长不超过六个月）", Level.ERROR)  # fmt: skip
    if approval and not c.has("cancellation"):
        if not c.has("oath"):
            by("oath", add_months(approval, OATH_MONTHS), "R-DEV-19", "入党宣誓（批准后一个月内）")
        end = c.probation_end()
        if end and not c.has("conversion_meeting"):
            not_before("conversion_meeting", end, "R-DEV-25", "支部大会讨论转正（预备期满后）")
            by("conversion_meeting", add_months(end, CONVERSION_PROMPT_MONTHS), R_DEV_21.id,
               "支部大会讨论转正（预备期满后及时讨论）")  # fmt: skip
    meeting = c.first("conversion_meeting")
    if meeting and not c.has("conversion_approval") and not c.has("cancellation"):
        by("conversion_approval", add_months(meeting, CONVERSION_APPROVAL_MONTHS), "R-DEV-22",
           "上级党委审批转正（支部大会通过后三个月内）", Level.ERROR)  # fmt: skip
    for vote, approval, what in (
        ("extension", "extension_approval", "延长预备期"),
        ("cancellation", "cancellation_approval", "取消预备党员资格"),
    ):
        if c.has(vote) and not c.has(approval):
            by(approval, add_months(c.last(vote), DECISION_APPROVAL_MONTHS), R_DEV_21.id,
               f"上级党委批准{what}（支部大会决定后三个月内）")  # fmt: skip
    return sorted(out, key=lambda d: (d.due_on, d.kind, d.level != Level.ERROR))


def deadlines(
    events: Events,
    birth_date: dt.date | None,
    today: dt.date,
    *,
    facts: Mapping[str, object] | None = None,
    ruleset: str = "2014",
    calendar: Calendar | None = None,
    publicity_workdays: int = 5,
) -> list[Deadline]:
    """The open deadlines of the steps not yet taken, overdue ones included, by date."""
    return _deadlines(
        _Case(events, birth_date, today, facts, ruleset, calendar, publicity_workdays)
    )


def next_deadline(
    events: Events,
    birth_date: dt.date | None,
    today: dt.date,
    *,
    facts: Mapping[str, object] | None = None,
    ruleset: str = "2014",
    calendar: Calendar | None = None,
    publicity_workdays: int = 5,
) -> Deadline | None:
    """The earliest open "by" deadline (overdue or not), errors first on the same day."""
    found = deadlines(events, birth_date, today, facts=facts, ruleset=ruleset,
                      calendar=calendar, publicity_workdays=publicity_workdays)  # fmt: skip
    return next((d for d in found if d.kind == "by"), None)


# ---------------------------------------------------------------------------------------------
# The findings


def check(
    events: Events,
    birth_date: dt.date | None,
    today: dt.date,
    *,
    facts: Mapping[str, object] | None = None,
    ruleset: str = "2014",
    calendar: Calendar | None = None,
    publicity_workdays: int = 5,
) -> list[Finding]:
    """Every finding for a candidate's dated steps (rules in recruitment_checks), each naming
    its rule, the dates and the step at fault (``field``); overdue deadlines included."""
    from dangjian.rules import recruitment_checks as checks  # it builds on this module

    case = _Case(events, birth_date, today, facts, ruleset, calendar, publicity_workdays)
    for run in checks.CHECKS:
        run(case)
    return checks.apply_overrides(case)
