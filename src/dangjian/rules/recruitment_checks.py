"""The findings of dangjian.rules.recruitment.check, one function per part of the flow.
Each takes the candidate's history (recruitment._Case) and appends findings to it.
Explained rule by rule in docs/rules/recruitment.md. Pure: no Django."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from dangjian.rules.base import Finding, Level, add_months, add_years
from dangjian.rules.members import (
    ADULT_AGE,
    EXTENSION_MAX_MONTHS,
    EXTENSION_MIN_MONTHS,
    PROBATION_MONTHS,
    R_DEV_21,
)
from dangjian.rules.recruitment import (
    ACTIVIST_MONTHS,
    APPROVAL_MAX_MONTHS,
    APPROVAL_MONTHS,
    ASSEMBLY_AFTER_PRE_REVIEW_MONTHS,
    ASSESSMENT_MONTHS,
    CONTACTS_MAX,
    CONTACTS_MIN,
    CONVERSION_APPROVAL_MONTHS,
    CONVERSION_PROMPT_MONTHS,
    INTRODUCERS,
    LEAVING_MONTHS,
    OATH_MONTHS,
    POLITICAL_REVIEW_VALID_MONTHS,
    TALK_MONTHS,
    TRAINING_MIN_DAYS,
    TRAINING_MIN_HOURS,
    _Case,
    _deadlines,
)
from dangjian.rules.recruitment_order import ORDER, step_name
from dangjian.rules.recruitment_order import show_date as d

E, W, INFO = Level.ERROR, Level.WARNING, Level.INFO

#: order pairs judged by a rule of their own below (with its own level and wording)
_OWN_CHECK = {("activist", "prospect"), ("prospect_publicity", "prospect")}


def check_application(c: _Case) -> None:
    application = c.first("application")
    if application is None:
        return
    if c.birth is not None:
        adult = add_years(c.birth, ADULT_AGE)  # 29 Feb → 28 Feb in a common year (R-GEN-04)
        if application < adult:
            c.add("R-DEV-01", E, f"递交入党申请书（{d(application)}）时未满十八周岁（出生日期"
                  f"{d(c.birth)}，应不早于{d(adult)}）", "application", due_on=adult)  # fmt: skip
    talk = c.first("talk")
    due = add_months(application, TALK_MONTHS)
    if talk and talk > due:
        c.add("R-DEV-03", W, f"党组织派人谈话（{d(talk)}）晚于收到入党申请书（{d(application)}）"
              f"后一个月（应不晚于{d(due)}）", "talk", due_on=due)  # fmt: skip


def check_activist(c: _Case) -> None:
    activist, prospect = c.first("activist"), c.first("prospect")
    contacts = c.facts.get("contacts")
    known = contacts is not None and (c.has("contacts") or prospect)
    if known and not CONTACTS_MIN <= contacts <= CONTACTS_MAX:
        c.add("R-DEV-05", W, f"培养联系人为{contacts}名，应为一至两名正式党员", "contacts",
              count=contacts)  # fmt: skip
    if prospect and not activist:
        c.add("R-DEV-07", E, f"确定为发展对象（{d(prospect)}）前未确定为入党积极分子", "prospect")
    if activist is None:
        return
    if prospect:
        earliest = add_months(activist, ACTIVIST_MONTHS)
        if prospect < earliest:
            c.add("R-DEV-07", E, f"确定为发展对象（{d(prospect)}）距确定为入党积极分子"
                  f"（{d(activist)}）不满一年（应不早于{d(earliest)}）", "prospect",
                  due_on=earliest)  # fmt: skip
    # R-DEV-06: from the activist day to the prospect day (or today) no gap over six months
    end = min(c.today, prospect) if prospect else c.today
    previous = activist
    for day in [a for a in c.all("assessment") if activist <= a <= end] + [None]:
        due = add_months(previous, ASSESSMENT_MONTHS)
        if day is None and end > due:
            c.add("R-DEV-06", W, f"入党积极分子自{d(previous)}起超过六个月未考察"
                  f"（应不晚于{d(due)}进行考察）", "assessment", due_on=due)  # fmt: skip
        elif day is not None and day > due:
            c.add("R-DEV-06", W, f"培养教育考察（{d(day)}）距上次（{d(previous)}）超过六个月"
                  f"（应不晚于{d(due)}）", "assessment", due_on=due)  # fmt: skip
        previous = day or previous


def check_publicity(c: _Case) -> None:
    rule_in_force, prospect = c.publicity(), c.first("prospect")
    start = c.first("prospect_publicity")
    if rule_in_force is None or (prospect is None and start is None):
        return
    workdays, level = rule_in_force
    if start is None:
        c.add("R-DEV-08", level, f"确定为发展对象（{d(prospect)}）前未进行公示（应不少于"
              f"{workdays}个工作日）", "prospect_publicity")  # fmt: skip
        return
    if prospect and start > prospect:
        c.add("R-DEV-08", level, f"公示开始（{d(start)}）晚于确定为发展对象（{d(prospect)}）",
              "prospect_publicity")  # fmt: skip
        return
    end = c.facts.get("publicity_end")
    end = end if isinstance(end, dt.date) else None
    if end and end < start:
        c.add("R-DEV-08", level, f"公示结束日期（{d(end)}）早于开始日期（{d(start)}）",
              "prospect_publicity")  # fmt: skip
        return
    if prospect and end and prospect < end:
        c.add("R-DEV-08", level, f"确定为发展对象（{d(prospect)}）早于公示期满（{d(end)}）",
              "prospect", due_on=end)  # fmt: skip
        return
    last = end or prospect
    if last is None:
        return
    counted = c.calendar.workdays_between(start, last)
    if counted < workdays:
        earliest = c.calendar.add_workdays(start - dt.timedelta(days=1), workdays)
        c.add("R-DEV-08", level, f"公示（{d(start)}至{d(last)}）仅{counted}个工作日，不足"
              f"{workdays}个工作日（应至少到{d(earliest)}）", "prospect_publicity",
              workdays=counted, due_on=earliest)  # fmt: skip
    unknown = sorted({day.year for day in (start, last) if not c.calendar.is_known(day)})
    if unknown:
        years = "、".join(str(y) for y in unknown)
        c.add("R-DEV-08", INFO, f"工作日历未包含{years}年的节假日安排，公示工作日按周末计算，"
              "请核对", "prospect_publicity")  # fmt: skip


def _passed(c: _Case, key: str) -> bool:
    return c.facts.get(key) is not False  # recorded without a result counts as passed


def _training_short(c: _Case) -> str | None:
    days, hours = c.facts.get("training_days"), c.facts.get("training_hours")
    try:
        hours = None if hours is None else Decimal(str(hours))
    except InvalidOperation:
        hours = None
    known = [x for x in (days, hours) if x is not None]
    if not known or (days is not None and days >= TRAINING_MIN_DAYS):
        return None
    if hours is not None and hours >= TRAINING_MIN_HOURS:
        return None
    parts = ([f"{days}天"] if days is not None else []) + (
        [f"{hours}学时"] if hours is not None else []
    )
    return "、".join(parts)


def check_acceptance(c: _Case) -> None:
    acceptance, approval = c.first("acceptance"), c.first("approval")
    introducers = c.facts.get("introducers")
    known = introducers is not None and (c.has("introducers") or acceptance)
    if known and introducers != INTRODUCERS:
        c.add("R-DEV-09", E, f"入党介绍人为{introducers}名，应为两名正式党员", "introducers",
              count=introducers)  # fmt: skip
    elif acceptance and not any(i <= acceptance for i in c.all("introducers")):
        # no introducers step on or before the meeting (a count alone proves no 确定 step)
        c.add("R-DEV-09", E, f"支部大会讨论接收预备党员（{d(acceptance)}）前未确定入党介绍人"
              "（应有两名正式党员作入党介绍人）", "introducers")  # fmt: skip
    leaving = c.facts.get("leaving_on")
    reference = c.first("committee_review") or (
        c.today if c.has("prospect") and not acceptance else None
    )
    if (
        isinstance(leaving, dt.date)
        and reference
        and reference <= leaving <= add_months(reference, LEAVING_MONTHS)
    ):
        c.add("R-DEV-13", W, f"预计于{d(leaving)}离开工作单位，在{d(reference)}后三个月内，"
              "一般不办理接收预备党员的手续", "committee_review", leaving_on=leaving)  # fmt: skip
    if acceptance is None:
        return
    reviews = [r for r in c.all("political_review") if r <= acceptance]
    if not reviews or not _passed(c, "political_review_passed"):
        c.add("R-DEV-10", E, f"支部大会讨论接收预备党员（{d(acceptance)}）前未经政治审查或政治"
              "审查不合格", "political_review")  # fmt: skip
    elif acceptance > add_months(reviews[-1], POLITICAL_REVIEW_VALID_MONTHS):
        c.add("R-DEV-10", W, f"政治审查（{d(reviews[-1])}）至支部大会（{d(acceptance)}）已超过"
              "一年，应重新审查（地方规定）", "political_review")  # fmt: skip
    if not any(t <= acceptance for t in c.all("training")):
        c.add("R-DEV-11", W, f"支部大会讨论接收预备党员（{d(acceptance)}）前未参加集中培训",
              "training")  # fmt: skip
    elif short := _training_short(c):
        c.add("R-DEV-11", W, f"集中培训{short}，不足{TRAINING_MIN_DAYS}天且不足"
              f"{TRAINING_MIN_HOURS}学时", "training")  # fmt: skip
    pre_review = c.last("pre_review")
    if pre_review is None or not _passed(c, "pre_review_passed"):
        c.add("R-DEV-12", E, f"支部大会讨论接收预备党员（{d(acceptance)}）前未经上级党委预审"
              "或预审不合格", "pre_review")  # fmt: skip
    if not c.has("volunteer_form"):
        c.add("R-DEV-14", E, f"支部大会讨论接收预备党员（{d(acceptance)}）前未填写入党志愿书",
              "volunteer_form")  # fmt: skip
    if c.ruleset == "2026" and pre_review and pre_review <= acceptance:
        due = add_months(pre_review, ASSEMBLY_AFTER_PRE_REVIEW_MONTHS)
        if acceptance > due:
            c.add("R-DEV-14", W, f"支部大会讨论接收预备党员（{d(acceptance)}）晚于预审"
                  f"（{d(pre_review)}）后一个月（应不晚于{d(due)}）", "acceptance",
                  due_on=due)  # fmt: skip
    if approval is None and c.today > add_months(acceptance, APPROVAL_MAX_MONTHS):
        limit = add_months(acceptance, APPROVAL_MAX_MONTHS)
        # a local rule (C3): a WARNING beside the R-DEV-17 six-month ERROR of the same day
        c.add("R-DEV-18", W, f"支部大会通过（{d(acceptance)}）后超过六个月（{d(limit)}）仍未"
              "审批，应当重新履行接收预备党员手续（地方规定）", "approval",
              due_on=limit)  # fmt: skip


def _organ_text(c: _Case, what: str) -> str:
    if c.facts.get("organ_committee"):
        return f"机关党委审批{what}前未提交党组（党委）研究决定"
    return f"未设机关党委：{what}须经党组（党委）审核后报机关工委审批，未记录党组（党委）审核"


def check_approval(c: _Case) -> None:
    acceptance, approval = c.first("acceptance"), c.first("approval")
    if approval is None:
        return
    if not c.has("approval_talk"):
        c.add("R-DEV-16", E, f"上级党委审批（{d(approval)}）前未派人同发展对象谈话",
              "approval_talk")  # fmt: skip
    if acceptance:
        due, limit = (
            add_months(acceptance, APPROVAL_MONTHS),
            add_months(acceptance, APPROVAL_MAX_MONTHS),
        )
        if approval > limit:
            c.add("R-DEV-17", E, f"上级党委审批（{d(approval)}）距支部大会（{d(acceptance)}）超过"
                  f"六个月（最迟{d(limit)}）", "approval", due_on=limit)  # fmt: skip
        elif approval > due:
            c.add("R-DEV-17", W, f"上级党委审批（{d(approval)}）距支部大会（{d(acceptance)}）超过"
                  f"三个月（应不晚于{d(due)}）", "approval", due_on=due)  # fmt: skip
    oath = c.first("oath")
    if oath and oath > add_months(approval, OATH_MONTHS):
        due = add_months(approval, OATH_MONTHS)
        c.add("R-DEV-19", W, f"入党宣誓（{d(oath)}）晚于批准（{d(approval)}）后一个月（应不晚于"
              f"{d(due)}）", "oath", due_on=due)  # fmt: skip
    if c.facts.get("organ_committee") is None:
        return
    reviews = c.all("party_group_review")
    if not any((acceptance is None or acceptance <= r) and r <= approval for r in reviews):
        c.add("R-ORG-14", E, f"{_organ_text(c, '接收预备党员')}（审批{d(approval)}，R-DEV-26）",
              "party_group_review")  # fmt: skip
    done = c.first("conversion_approval")
    if done:
        after = c.first("conversion_meeting")
        if not any((after <= r if after else approval < r) and r <= done for r in reviews):
            c.add("R-ORG-14", E, f"{_organ_text(c, '预备党员转正')}（审批{d(done)}，R-DEV-26）",
                  "party_group_review")  # fmt: skip


def check_probation(c: _Case) -> None:
    acceptance = c.first("acceptance")
    extensions = c.all("extension")
    count = max(len(extensions), c.facts.get("extension_count") or 0)
    if count > 1:
        c.add(R_DEV_21.id, E, f"预备期只能延长一次，现已延长{count}次", "extension", count=count)
    months = c.facts.get("extension_months")
    if extensions and not months:
        c.add(R_DEV_21.id, E, "延长预备期未记录延长的月数（应为6至12个月）", "extension")
    elif months not in (None, 0) and not (
        isinstance(months, int) and EXTENSION_MIN_MONTHS <= months <= EXTENSION_MAX_MONTHS
    ):
        c.add(R_DEV_21.id, E, f"延长预备期{months}个月，应为{EXTENSION_MIN_MONTHS}至"
              f"{EXTENSION_MAX_MONTHS}个月", "extension")  # fmt: skip
    if acceptance is None:
        return
    first_end = add_months(acceptance, PROBATION_MONTHS)
    if extensions and extensions[0] < first_end:
        c.add(R_DEV_21.id, E, f"延长预备期（{d(extensions[0])}）早于预备期满（{d(first_end)}），"
              "应在预备期满时讨论决定", "extension", due_on=first_end)  # fmt: skip
    end, meeting = c.probation_end(), c.first("conversion_meeting")
    if meeting and end:
        if meeting < end:
            c.add("R-DEV-25", E, f"支部大会讨论转正（{d(meeting)}）早于预备期满（{d(end)}）",
                  "conversion_meeting", due_on=end)  # fmt: skip
        elif meeting > (due := add_months(end, CONVERSION_PROMPT_MONTHS)):
            c.add(R_DEV_21.id, W, f"预备期于{d(end)}届满，支部大会讨论转正（{d(meeting)}）未及时"
                  f"进行（应不晚于{d(due)}）", "conversion_meeting", due_on=due)  # fmt: skip
    if meeting and not any(a <= meeting for a in c.all("conversion_application")):
        c.add("R-DEV-22", E, f"支部大会讨论转正（{d(meeting)}）前本人未提出书面转正申请",
              "conversion_application")  # fmt: skip
    done = c.first("conversion_approval")
    if meeting and done and done > (due := add_months(meeting, CONVERSION_APPROVAL_MONTHS)):
        c.add("R-DEV-22", E, f"上级党委审批转正（{d(done)}）距支部大会（{d(meeting)}）超过三个月"
              f"（应不晚于{d(due)}）", "conversion_approval", due_on=due)  # fmt: skip


def check_order(c: _Case) -> None:
    for earlier, later, rule_id in ORDER:
        if (earlier, later) in _OWN_CHECK or not (c.has(earlier) and c.has(later)):
            continue
        if c.first(later) < c.last(earlier):
            c.add(rule_id, E, f"“{step_name(later)}”（{d(c.first(later))}）早于“"
                  f"{step_name(earlier)}”（{d(c.last(earlier))}）", later)  # fmt: skip


def check_overdue(c: _Case) -> None:
    """A "by" deadline already passed for a step not taken (R-DEV-06 has its own check). Of
    several passed deadlines of one step and rule only the last (the strictest) is reported."""
    passed = [x for x in _deadlines(c) if x.kind == "by" and c.today > x.due_on]
    for x in passed:
        if x.rule_id == "R-DEV-06" or any(
            y.step == x.step and y.rule_id == x.rule_id and y.due_on > x.due_on for y in passed
        ):
            continue
        c.add(x.rule_id, x.level, f"已逾期：{x.label}，期限为{d(x.due_on)}，尚未登记"
              f"“{step_name(x.step)}”", x.step, due_on=x.due_on, overdue=True)  # fmt: skip


CHECKS = (check_application, check_activist, check_publicity, check_acceptance, check_approval,
          check_probation, check_order, check_overdue)  # fmt: skip


def apply_overrides(c: _Case) -> list[Finding]:
    """A WARNING of a rule with a recorded reason becomes INFO; an ERROR stays an ERROR."""
    reasons = c.facts.get("overrides") or {}
    out = []
    for f in c.found:
        reason = reasons.get(f.rule_id)
        if f.level == W and reason:
            f = Finding(f.rule_id, INFO, f"{f.message}；已记录特殊情况说明：{reason}", f.field,
                        {**f.data, "overridden": True, "override_reason": reason})  # fmt: skip
        out.append(f)
    return out
