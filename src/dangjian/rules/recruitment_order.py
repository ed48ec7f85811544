"""The order of the 发展党员 steps (R-DEV-25) and the plain helpers over ``events`` that
dangjian.rules.recruitment builds on. Pure: no Django. See docs/rules/recruitment.md."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from dangjian.rules.recruitment_steps import STEP_BY_CODE

Events = Mapping[str, "dt.date | Sequence[dt.date]"]


def show_date(day: dt.date) -> str:
    return day.isoformat()


def step_name(code: str) -> str:
    step = STEP_BY_CODE.get(code)
    return step.label if step else code


def normalise_events(events: Events) -> dict[str, list[dt.date]]:
    out: dict[str, list[dt.date]] = {}
    for code, value in events.items():
        days = [value] if isinstance(value, dt.date) else list(value or ())
        days = sorted(d.date() if isinstance(d, dt.datetime) else d for d in days if d)
        if days:
            out[code] = days
    return out


# ---------------------------------------------------------------------------------------------
# Ordering (R-DEV-25): plain date order between recorded steps. "later" may be on the same day.

#: (earlier, later, rule) — the rule the message cites
ORDER: tuple[tuple[str, str, str], ...] = (
    ("application", "talk", "R-DEV-25"), ("talk", "activist", "R-DEV-25"),
    ("activist", "activist_filing", "R-DEV-25"), ("activist", "contacts", "R-DEV-25"),
    ("activist", "assessment", "R-DEV-25"), ("activist", "prospect_publicity", "R-DEV-25"),
    ("prospect_publicity", "prospect", "R-DEV-08"), ("activist", "prospect", "R-DEV-07"),
    ("prospect", "prospect_filing", "R-DEV-25"), ("prospect", "introducers", "R-DEV-25"),
    ("prospect", "committee_review", "R-DEV-25"), ("prospect", "pre_review", "R-DEV-25"),
    ("political_review", "pre_review", "R-DEV-25"), ("training", "pre_review", "R-DEV-25"),
    ("committee_review", "pre_review", "R-DEV-12"), ("pre_review", "volunteer_form", "R-DEV-12"),
    ("pre_review", "acceptance", "R-DEV-12"), ("volunteer_form", "acceptance", "R-DEV-14"),
    ("acceptance", "approval_talk", "R-DEV-25"), ("acceptance", "party_group_review", "R-ORG-14"),
    ("acceptance", "approval", "R-DEV-25"), ("approval_talk", "approval", "R-DEV-16"),
    ("approval", "approval_filing", "R-DEV-25"), ("approval", "placement", "R-DEV-25"),
    ("approval", "oath", "R-DEV-19"), ("acceptance", "probation_assessment", "R-DEV-25"),
    ("approval", "conversion_application", "R-DEV-25"), ("approval", "extension", "R-DEV-25"),
    ("approval", "cancellation", "R-DEV-25"), ("approval", "conversion_meeting", "R-DEV-25"),
    ("conversion_application", "conversion_meeting", "R-DEV-22"),
    ("extension", "conversion_meeting", "R-DEV-21"),
    ("conversion_meeting", "conversion_approval", "R-DEV-22"),
    ("conversion_approval", "archive", "R-DEV-24"),
    ("extension", "extension_approval", "R-DEV-21"),
    ("extension_approval", "conversion_meeting", "R-DEV-21"),
    ("cancellation", "cancellation_approval", "R-DEV-21"),
)  # fmt: skip

#: a step cannot be recorded before these are (besides the application, which all need)
REQUIRES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("activist_filing", "contacts", "assessment", "prospect_publicity",
                     "prospect", "political_review", "training"), ("activist",)),
    **dict.fromkeys(("prospect_filing", "introducers", "committee_review", "pre_review",
                     "volunteer_form", "acceptance"), ("prospect",)),
    **dict.fromkeys(("approval_talk", "party_group_review", "approval", "probation_assessment"),
                    ("acceptance",)),
    **dict.fromkeys(("approval_filing", "placement", "oath", "conversion_application",
                     "extension", "conversion_meeting", "cancellation"), ("approval",)),
    "conversion_approval": ("conversion_meeting",),
    "archive": ("conversion_approval",),
    "extension_approval": ("extension",),  # R-DEV-21: the higher committee approves the
    "cancellation_approval": ("cancellation",),  # branch's decision
}  # fmt: skip
_AFTER_CANCELLATION = ("extension", "extension_approval", "conversion_meeting",
                       "conversion_approval")  # fmt: skip


def order_problem(events: Events, step: str, on: dt.date) -> str | None:
    """Why recording ``step`` on ``on`` would break the order of the flow (R-DEV-25), or None.
    Only plain date order and missing prerequisites: the month-counting hard rules (R-DEV-07,
    conversion after a year) are findings of ``check``, recorded rather than refused."""
    if step not in STEP_BY_CODE:
        return f"未知的发展步骤：{step}"
    days = normalise_events(events)
    label = step_name(step)
    if step != "application":
        if "application" not in days:
            return f"尚未登记递交入党申请书，不能登记“{label}”（R-DEV-25）"
        if on < days["application"][0]:
            first = show_date(days["application"][0])
            return f"“{label}”日期（{show_date(on)}）早于递交入党申请书（{first}）（R-DEV-25）"
    else:
        others = [(d[0], c) for c, d in days.items() if c != "application"]
        if others and min(others)[0] < on:
            first, code = min(others)
            return (f"递交入党申请书日期（{show_date(on)}）晚于已登记的“{step_name(code)}”"
                    f"（{show_date(first)}）（R-DEV-25）")  # fmt: skip
    for needed in REQUIRES.get(step, ()):
        if needed not in days:
            return f"尚未登记“{step_name(needed)}”，不能登记“{label}”（R-DEV-25）"
    if "cancellation" in days and step in _AFTER_CANCELLATION:
        return f"已取消预备党员资格，不能再登记“{label}”（R-DEV-21）"
    for earlier, later, rule_id in ORDER:
        if later == step and earlier in days and on < days[earlier][-1]:
            return (f"“{label}”日期（{show_date(on)}）早于“{step_name(earlier)}”"
                    f"（{show_date(days[earlier][-1])}）（{rule_id}）")  # fmt: skip
        if earlier == step and later in days and days[later][0] < on:
            return (f"“{label}”日期（{show_date(on)}）晚于已登记的“{step_name(later)}”"
                    f"（{show_date(days[later][0])}）（{rule_id}）")  # fmt: skip
    return None
