"""dangjian.rules.recruitment over the whole flow: order_problem (R-DEV-25), the order findings
of check, deadlines and next_deadline, stage_of, and a property test that a compliant history
generated at random breaks no rule."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.rules import RULES
from dangjian.rules.base import Level, add_months
from dangjian.rules.recruitment import (
    ORDER,
    REQUIRES,
    Deadline,
    check,
    deadlines,
    next_deadline,
    order_problem,
    stage_of,
)
from dangjian.rules.recruitment_steps import STEP_CODES, Stage
from dangjian.rules.workdays import statutory_calendar

D = dt.date
E, W = Level.ERROR, Level.WARNING
BIRTH = D(1995, 5, 20)
HISTORY = {
    "application": D(2022, 3, 1),
    "talk": D(2022, 3, 20),
    "activist": D(2022, 6, 1),
    "assessment": [D(2022, 12, 1)],
    "prospect": D(2023, 6, 12),
    "pre_review": D(2023, 8, 10),
    "acceptance": D(2023, 9, 1),
}
APPROVED = {**HISTORY, "approval": D(2023, 10, 1)}


# --- order_problem -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "step", "on", "expected"),
    [
        (HISTORY, "volunteer_form", D(2023, 8, 20), None),
        (HISTORY, "approval", D(2023, 9, 1), None),  # the same day is in order
        (HISTORY, "approval", D(2023, 8, 31), "早于“支部大会讨论接收预备党员”（2023-09-01）"),
        (HISTORY, "assessment", D(2022, 5, 31), "早于“推荐和确定入党积极分子”（2022-06-01）"),
        (HISTORY, "assessment", D(2023, 1, 1), None),  # a repeatable step again
        (HISTORY, "talk", D(2022, 2, 28), "早于递交入党申请书（2022-03-01）"),
        (HISTORY, "volunteer_form", D(2023, 9, 2), "晚于已登记的“支部大会讨论接收预备党员”"),
        (HISTORY, "application", D(2022, 3, 21), "晚于已登记的“党组织派人谈话”（2022-03-20）"),
        (HISTORY, "oath", D(2023, 10, 1), "尚未登记“上级党委审批”"),
        ({}, "talk", D(2022, 3, 1), "尚未登记递交入党申请书"),
        (HISTORY, "conversion_approval", D(2024, 9, 1), "尚未登记“支部大会讨论转正”"),
        (
            {**HISTORY, "approval": D(2023, 10, 1), "cancellation": D(2024, 9, 1)},
            "conversion_meeting",
            D(2024, 9, 2),
            "已取消预备党员资格",
        ),
        (HISTORY, "nonsense", D(2023, 1, 1), "未知的发展步骤"),
        # R-DEV-21: the committee approves the branch's extension / cancellation, after it
        (APPROVED, "extension_approval", D(2024, 9, 2), "尚未登记“延长预备期”"),
        ({**APPROVED, "extension": D(2024, 9, 2)}, "extension_approval", D(2024, 9, 2), None),
        (
            {**APPROVED, "extension": D(2024, 9, 2)},
            "extension_approval",
            D(2024, 9, 1),
            "早于“延长预备期”",
        ),
        (
            {**APPROVED, "extension": D(2024, 9, 2), "conversion_meeting": D(2025, 3, 2)},
            "extension_approval",
            D(2025, 3, 3),
            "晚于已登记的“支部大会讨论转正”",
        ),
        ({**APPROVED, "cancellation": D(2024, 9, 2)}, "cancellation_approval", D(2024, 9, 5), None),
        (APPROVED, "cancellation_approval", D(2024, 9, 5), "尚未登记“取消预备党员资格”"),
        # month-counting rules are findings of check(), not refusals
        (HISTORY, "political_review", D(2022, 7, 1), None),
    ],
)
def test_order_problem(events, step, on, expected):
    problem = order_problem(events, step, on)
    if expected is None:
        assert problem is None
    else:
        assert expected in problem
        assert "（R-DEV-" in problem or "未知" in problem


def test_order_tables_name_real_steps():
    codes = set(STEP_CODES)
    for earlier, later, rule_id in ORDER:
        assert {earlier, later} <= codes and rule_id.startswith("R-")
    for step, needs in REQUIRES.items():
        assert step in codes and set(needs) <= codes


def test_every_standard_step_in_order_is_accepted():
    """Walking the 25 steps in their table order, each one day after the last, is never refused."""
    events, day = {}, D(2020, 1, 1)
    for code in STEP_CODES:
        if code in ("cancellation", "extension", "cancellation_approval", "extension_approval"):
            continue
        assert order_problem(events, code, day) is None, code
        events[code] = day
        day += dt.timedelta(days=1)


def test_check_reports_steps_out_of_order():
    events = {"application": D(2022, 3, 10), "talk": D(2022, 3, 1)}
    found = check(events, BIRTH, D(2022, 3, 15))
    assert [(f.rule_id, f.level, f.field) for f in found] == [("R-DEV-25", E, "talk")]
    assert found[0].message == (
        "“党组织派人谈话”（2022-03-01）早于“递交入党申请书”（2022-03-10）（R-DEV-25）"
    )


# --- deadlines and next_deadline -----------------------------------------------------------


def test_deadlines_of_an_applicant():
    found = deadlines({"application": D(2022, 1, 31)}, BIRTH, D(2022, 2, 1))
    assert found == [
        Deadline(
            "talk",
            D(2022, 2, 28),
            "R-DEV-03",
            "党组织派人谈话（收到入党申请书后一个月内）",
            "by",
            W,
        )
    ]


def test_deadlines_of_an_activist_with_publicity():
    events = {
        "application": D(2024, 1, 2),
        "talk": D(2024, 1, 3),
        "activist": D(2024, 9, 30),
        "assessment": [D(2025, 3, 1)],
        "prospect_publicity": D(2025, 9, 29),
    }
    found = deadlines(events, BIRTH, D(2025, 9, 29), facts={"publicity_end": D(2025, 10, 11)})
    assert [(x.step, x.due_on, x.rule_id, x.kind, x.level) for x in found] == [
        ("assessment", D(2025, 9, 1), "R-DEV-06", "by", W),
        ("prospect", D(2025, 9, 30), "R-DEV-07", "not_before", E),
        ("prospect", D(2025, 10, 11), "R-DEV-08", "not_before", W),
    ]
    # without the recorded end the fifth working day is the earliest (National Day off)
    found = deadlines(events, BIRTH, D(2025, 9, 29), ruleset="2026")
    assert [x.due_on for x in found if x.rule_id == "R-DEV-08"] == [D(2025, 10, 11)]
    assert [x.level for x in found if x.rule_id == "R-DEV-08"] == [E]
    assert not [
        x
        for x in deadlines(events, BIRTH, D(2025, 9, 29), publicity_workdays=0)
        if x.rule_id == "R-DEV-08"
    ]


def test_deadlines_after_acceptance():
    found = deadlines(HISTORY, BIRTH, D(2023, 9, 2), ruleset="2026")
    assert [(x.step, x.due_on, x.rule_id, x.level) for x in found] == [
        ("approval", D(2023, 12, 1), "R-DEV-17", W),
        ("approval", D(2024, 3, 1), "R-DEV-17", E),
    ]
    nxt = next_deadline(HISTORY, BIRTH, D(2023, 9, 2))
    assert (nxt.step, nxt.due_on, nxt.label) == (
        "approval",
        D(2023, 12, 1),
        "上级党委审批（支部大会通过后三个月内）",
    )


def test_deadlines_before_acceptance_by_rule_set():
    events = {k: v for k, v in HISTORY.items() if k != "acceptance"}
    events["political_review"] = D(2023, 7, 1)
    on_2014 = deadlines(events, BIRTH, D(2023, 8, 11))
    assert [(x.step, x.due_on, x.rule_id) for x in on_2014] == [
        ("acceptance", D(2024, 7, 1), "R-DEV-10")
    ]
    on_2026 = deadlines(events, BIRTH, D(2023, 8, 11), ruleset="2026")
    assert [(x.step, x.due_on, x.rule_id) for x in on_2026] == [
        ("acceptance", D(2023, 9, 10), "R-DEV-14"),
        ("acceptance", D(2024, 7, 1), "R-DEV-10"),
    ]


def test_deadlines_of_a_probationary_member():
    events = {**HISTORY, "approval": D(2023, 10, 1)}
    found = deadlines(events, BIRTH, D(2023, 10, 2))
    assert [(x.step, x.due_on, x.kind, x.rule_id) for x in found] == [
        ("oath", D(2023, 11, 1), "by", "R-DEV-19"),
        ("conversion_meeting", D(2024, 9, 1), "not_before", "R-DEV-25"),
        ("conversion_meeting", D(2024, 10, 1), "by", "R-DEV-21"),
    ]
    extended = deadlines(
        {**events, "oath": D(2023, 10, 2), "extension": D(2024, 9, 1)},
        BIRTH,
        D(2024, 9, 2),
        facts={"extension_months": 6},
    )
    assert [(x.step, x.due_on) for x in extended] == [
        ("extension_approval", D(2024, 12, 1)),  # R-DEV-21: the committee above approves
        ("conversion_meeting", D(2025, 3, 1)),
        ("conversion_meeting", D(2025, 4, 1)),
    ]
    meeting = {**events, "oath": D(2023, 10, 2), "conversion_meeting": D(2024, 9, 2)}
    assert [(x.step, x.due_on) for x in deadlines(meeting, BIRTH, D(2024, 9, 3))] == [
        ("conversion_approval", D(2024, 12, 2))
    ]
    assert deadlines({**meeting, "conversion_approval": D(2024, 10, 1)}, BIRTH, D(2025, 1, 1)) == []
    cancelled = {**events, "oath": D(2023, 10, 2), "cancellation": D(2024, 9, 2)}
    assert [(x.step, x.due_on, x.rule_id) for x in deadlines(cancelled, BIRTH, D(2024, 9, 3))] == [
        ("cancellation_approval", D(2024, 12, 2), "R-DEV-21")
    ]
    approved = {**cancelled, "cancellation_approval": D(2024, 9, 10)}
    assert deadlines(approved, BIRTH, D(2024, 9, 11)) == []


def test_next_deadline_skips_not_before_and_is_none_when_done():
    events = {
        "application": D(2022, 3, 1),
        "talk": D(2022, 3, 2),
        "activist": D(2022, 6, 1),
        "assessment": [D(2022, 12, 1), D(2023, 6, 1)],
    }
    nxt = next_deadline(events, BIRTH, D(2023, 6, 2))
    assert (nxt.step, nxt.due_on, nxt.kind) == ("assessment", D(2023, 12, 1), "by")
    assert next_deadline({}, BIRTH, D(2023, 6, 2)) is None


# --- stage_of ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "stage"),
    [
        ((), Stage.APPLICANT),
        (("application", "talk"), Stage.APPLICANT),
        (("application", "activist"), Stage.ACTIVIST),
        (("application", "activist", "prospect", "acceptance"), Stage.PROSPECT),
        (("application", "activist", "prospect", "acceptance", "approval"), Stage.PROBATIONARY),
        (("application", "approval", "conversion_approval"), Stage.FULL),
        (("approval", "cancellation"), Stage.PROBATIONARY),
    ],
)
def test_stage_of(codes, stage):
    assert stage_of(dict.fromkeys(codes, D(2024, 1, 1))) == stage


# --- property: a compliant history, cut at any day, breaks no rule ---------------------------

DAYS = dt.timedelta(days=1)


@st.composite
def histories(draw):
    cal = statutory_calendar()
    ruleset = draw(st.sampled_from(["2014", "2026"]))
    organ = draw(st.sampled_from([None, True, False]))
    gap = lambda lo, hi: draw(st.integers(lo, hi)) * DAYS  # noqa: E731
    application = D(2015, 1, 1) + gap(0, 2000)
    birth = add_months(application, -12 * 18) - gap(0, 9000)
    ev = {"application": application, "talk": application + gap(0, 28)}
    ev["activist"] = ev["talk"] + gap(0, 400)
    ev["contacts"] = ev["activist"] + gap(0, 10)
    start = add_months(ev["activist"], 11) + gap(0, 60)
    end = cal.add_workdays(start - DAYS, 5) + gap(0, 3)
    ev["prospect_publicity"] = start
    ev["prospect"] = max(end, add_months(ev["activist"], 12)) + gap(0, 30)
    step = gap(30, 180)
    ev["assessment"] = [
        ev["activist"] + step * k
        for k in range(1, 40)
        if ev["activist"] + step * k <= ev["prospect"]
    ]
    ev["introducers"] = ev["prospect"] + gap(0, 10)
    ev["political_review"] = ev["prospect"] + gap(0, 60)
    ev["training"] = ev["prospect"] + gap(0, 60)
    ev["committee_review"] = max(ev["political_review"], ev["training"]) + gap(0, 30)
    ev["pre_review"] = ev["committee_review"] + gap(0, 30)
    ev["volunteer_form"] = ev["pre_review"] + gap(0, 10)
    ev["acceptance"] = max(ev["volunteer_form"], ev["introducers"]) + gap(0, 15)  # R-DEV-09
    ev["approval_talk"] = ev["acceptance"] + gap(0, 30)
    reviews = [ev["approval_talk"] + gap(0, 10)]
    ev["approval"] = reviews[0] + gap(0, 20)
    ev["oath"] = ev["approval"] + gap(0, 28)
    first_end = add_months(ev["acceptance"], 12)
    months = draw(st.sampled_from([0, 0, 6, 9, 12]))
    if months:
        ev["extension"] = first_end + gap(0, 20)
        ev["extension_approval"] = ev["extension"] + gap(0, 20)  # R-DEV-21
    probation_end = add_months(ev["acceptance"], 12 + months)
    ev["conversion_application"] = probation_end - gap(0, 30)
    ev["conversion_meeting"] = probation_end + gap(0, 28)
    reviews.append(ev["conversion_meeting"] + gap(0, 10))
    ev["conversion_approval"] = reviews[1] + gap(0, 30)
    if organ is not None:
        ev["party_group_review"] = reviews
    facts = {
        "publicity_end": end,
        "training_days": draw(st.integers(3, 7)),
        "political_review_passed": True,
        "pre_review_passed": True,
        "introducers": 2,
        "contacts": draw(st.integers(1, 2)),
        "organ_committee": organ,
    }
    if months:
        facts.update(extension_months=months, extension_count=1)
    # cut the history at any day: what is recorded by then, seen on that day
    cut = application + gap(0, (ev["conversion_approval"] - application).days)
    kept = {}
    for code, value in ev.items():
        days = [d for d in (value if isinstance(value, list) else [value]) if d <= cut]
        if days:
            kept[code] = days if isinstance(value, list) else days[0]
    if "extension" not in kept:
        facts.pop("extension_months", None)
        facts.pop("extension_count", None)
    return kept, birth, cut, facts, ruleset


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_compliant_history_breaks_no_rule(case):
    events, birth, today, facts, ruleset = case
    found = check(events, birth, today, facts=facts, ruleset=ruleset)
    assert [f for f in found if f.level == E] == []
    assert [f for f in found if f.level != Level.INFO] == []
    for code, value in events.items():  # and none of its steps would be refused in order
        for day in value if isinstance(value, list) else [value]:
            rest = {k: v for k, v in events.items() if k != code}
            assert order_problem(rest, code, day) is None


@pytest.mark.parametrize("ruleset", ["2014", "2026"])
def test_every_finding_names_its_rule_and_step(ruleset):
    """A history breaking many rules at once: each finding cites a registered rule in its
    message and names a real step (or fact) as its field."""
    events = {
        "application": D(2022, 3, 1),
        "talk": D(2022, 5, 1),
        "activist": D(2022, 6, 1),
        "prospect": D(2023, 1, 10),
        "acceptance": D(2023, 2, 1),
        "conversion_meeting": D(2023, 12, 1),
    }
    facts = {"introducers": 1, "contacts": 3, "organ_committee": True}
    found = check(events, D(2006, 1, 1), D(2024, 6, 1), facts=facts, ruleset=ruleset)
    assert len({f.rule_id for f in found}) >= 10
    for f in found:
        assert f.rule_id in RULES and RULES[f.rule_id].citation.startswith("《")
        assert f"（{f.rule_id}" in f.message
        assert f.field in set(STEP_CODES) | {"contacts", "introducers"}
