"""Table-driven tests of dangjian.rules.recruitment.check (rules.md §3.2, R-DEV-01..26,
R-ORG-14): every rule at its boundary dates (month ends, leap days, the National Day holiday
and a 调休 Saturday), both rule sets, overrides. Ordering, deadlines, stages and the property
test are in test_rules_recruitment_flow.py."""

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import pytest

from dangjian.rules import RULES
from dangjian.rules.base import Confidence, Level
from dangjian.rules.members import R_DEV_21
from dangjian.rules.recruitment import (
    ARTICLES_2026,
    RULESETS,
    check,
    conversion_date,
    probation_end,
)
from dangjian.rules.workdays import statutory_calendar

D = dt.date
E, W, INFO = Level.ERROR, Level.WARNING, Level.INFO
BIRTH = D(1995, 5, 20)

#: a history that breaks no rule under either rule set (公示 of exactly five working days)
GOOD = {
    "application": D(2022, 3, 1),
    "talk": D(2022, 3, 20),
    "activist": D(2022, 6, 1),
    "contacts": D(2022, 6, 2),
    "assessment": [D(2022, 12, 1), D(2023, 6, 1)],
    "prospect_publicity": D(2023, 6, 5),  # Monday
    "prospect": D(2023, 6, 12),
    "introducers": D(2023, 6, 13),
    "political_review": D(2023, 7, 1),
    "training": D(2023, 7, 5),
    "committee_review": D(2023, 8, 1),
    "pre_review": D(2023, 8, 10),
    "volunteer_form": D(2023, 8, 15),
    "acceptance": D(2023, 9, 1),
    "approval_talk": D(2023, 9, 10),
    "party_group_review": [D(2023, 9, 20), D(2024, 9, 10)],
    "approval": D(2023, 10, 1),
    "oath": D(2023, 10, 15),
    "probation_assessment": [D(2024, 3, 1)],
    "conversion_application": D(2024, 8, 20),
    "conversion_meeting": D(2024, 9, 2),
    "conversion_approval": D(2024, 10, 1),
}
FACTS = {
    "publicity_end": D(2023, 6, 9),  # Friday: Mon–Fri, five working days
    "training_days": 3,
    "training_hours": Decimal("24"),
    "political_review_passed": True,
    "pre_review_passed": True,
    "introducers": 2,
    "contacts": 2,
    "organ_committee": True,
}
TODAY = D(2025, 1, 1)


def run(changes=None, *, drop=(), today=TODAY, facts=None, ruleset="2014", **kw):
    events = {k: v for k, v in GOOD.items() if k not in drop}
    events.update(changes or {})
    return check(
        events,
        kw.pop("birth", BIRTH),
        today,
        facts={**FACTS, **(facts or {})},
        ruleset=ruleset,
        **kw,
    )


def of(findings, rule_id):
    return [(f.level, f.field) for f in findings if f.rule_id == rule_id]


def test_rules_import_without_django():
    code = "import dangjian.rules.recruitment, sys; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_rule_registered_with_its_source():
    ids = [f"R-DEV-{n:02d}" for n in range(1, 27)] + ["R-ORG-14"]
    for rule_id in ids:
        assert rule_id in RULES, rule_id
    assert RULES["R-DEV-21"] is R_DEV_21
    assert RULES["R-DEV-07"].source == "中国共产党发展党员工作细则"
    assert RULES["R-DEV-07"].article == "第十三条"
    assert RULES["R-DEV-07"].effective == D(2014, 6, 10)
    assert "2026年修订版第十三条" in RULES["R-DEV-07"].note
    org = RULES["R-ORG-14"]
    assert (org.article, org.confidence, org.effective) == (
        "第三十七条",
        Confidence.C1,
        D(2019, 11, 29),
    )
    assert "机关基层组织工作条例" in org.citation
    assert set(ARTICLES_2026) <= set(RULES)


@pytest.mark.parametrize("ruleset", RULESETS)
def test_compliant_history_has_no_finding(ruleset):
    assert run(ruleset=ruleset) == []


def test_unknown_ruleset_is_refused():
    with pytest.raises(ValueError):
        check(GOOD, BIRTH, TODAY, ruleset="2019")


# --- R-DEV-01: 18 on the application day; 29 Feb → 28 Feb in a common year (R-GEN-04) ------


@pytest.mark.parametrize(
    ("birth", "application", "expected"),
    [
        (D(2004, 3, 1), D(2022, 2, 28), [(E, "application")]),
        (D(2004, 3, 1), D(2022, 3, 1), []),  # the 18th birthday itself
        (D(2004, 2, 29), D(2022, 2, 27), [(E, "application")]),
        (D(2004, 2, 29), D(2022, 2, 28), []),  # no 29 Feb in 2022: the month's last day
        (D(2004, 2, 29), D(2022, 3, 1), []),
    ],
)
def test_age_on_application(birth, application, expected):
    found = run({"application": application}, birth=birth)
    assert of(found, "R-DEV-01") == expected


def test_age_message_names_the_dates():
    (f,) = [
        f
        for f in run({"application": D(2022, 2, 27)}, birth=D(2004, 2, 29))
        if f.rule_id == "R-DEV-01"
    ]
    assert f.message == (
        "递交入党申请书（2022-02-27）时未满十八周岁（出生日期2004-02-29，"
        "应不早于2022-02-28）（R-DEV-01）"
    )
    assert f.data == {"due_on": D(2022, 2, 28)}


# --- R-DEV-03: talk within one month (WARNING) -------------------------------------------


@pytest.mark.parametrize(
    ("application", "talk", "expected"),
    [
        (D(2022, 1, 31), D(2022, 2, 28), []),  # 31 Jan + 1 month = 28 Feb
        (D(2022, 1, 31), D(2022, 3, 1), [(W, "talk")]),
        (D(2020, 1, 31), D(2020, 2, 29), []),  # leap year
        (D(2020, 1, 31), D(2020, 3, 1), [(W, "talk")]),
        (D(2022, 3, 1), D(2022, 4, 1), []),
        (D(2022, 3, 1), D(2022, 4, 2), [(W, "talk")]),
    ],
)
def test_talk_within_a_month(application, talk, expected):
    found = run({"application": application, "talk": talk})
    assert of(found, "R-DEV-03") == expected


@pytest.mark.parametrize(
    ("today", "expected"), [(D(2022, 2, 28), []), (D(2022, 3, 1), [(W, "talk")])]
)
def test_missing_talk_is_overdue_after_the_month(today, expected):
    found = check({"application": D(2022, 1, 31)}, BIRTH, today)
    assert of(found, "R-DEV-03") == expected
    if expected:
        assert found[0].data == {"due_on": D(2022, 2, 28), "overdue": True}
        assert "2022-02-28" in found[0].message


# --- R-DEV-05 / R-DEV-09: contacts 1–2 (WARNING), introducers exactly 2 (ERROR) -------------


@pytest.mark.parametrize(
    ("contacts", "introducers", "expected"),
    [
        (1, 2, []),
        (2, 2, []),
        (0, 2, [("R-DEV-05", W)]),
        (3, 2, [("R-DEV-05", W)]),
        (2, 1, [("R-DEV-09", E)]),
        (2, 3, [("R-DEV-09", E)]),
        (None, None, []),  # counts unknown, but the 确定入党介绍人 step is recorded
    ],
)
def test_contacts_and_introducers(contacts, introducers, expected):
    found = run(facts={"contacts": contacts, "introducers": introducers})
    assert [(f.rule_id, f.level) for f in found] == expected


@pytest.mark.parametrize(
    ("introducers_on", "count", "expected"),
    [
        (D(2023, 6, 13), 2, []),
        (D(2023, 9, 1), 2, []),  # on the day of the meeting
        (None, None, [("R-DEV-09", E, "introducers")]),  # acceptance with no introducers step
        (D(2023, 9, 2), 2, [("R-DEV-09", E, "introducers")]),  # named after the meeting
    ],
)
def test_acceptance_needs_the_introducers(introducers_on, count, expected):
    changes = {} if introducers_on is None else {"introducers": introducers_on}
    drop = ["introducers"] if introducers_on is None else []
    found = run(changes, drop=drop, facts={"introducers": count})
    assert [(f.rule_id, f.level, f.field) for f in found] == expected
    if expected:
        assert "未确定入党介绍人" in found[0].message and "（R-DEV-09）" in found[0].message


def test_counts_are_not_judged_before_the_step():
    found = check(
        {"application": D(2022, 3, 1), "talk": D(2022, 3, 2)},
        BIRTH,
        D(2022, 3, 5),
        facts={"contacts": 0, "introducers": 0},
    )
    assert found == []


# --- R-DEV-06: an assessment every six months while an activist ----------------------------


@pytest.mark.parametrize(
    ("assessments", "prospect", "expected_due"),
    [
        ([D(2022, 12, 1), D(2023, 6, 1)], D(2023, 6, 12), []),
        ([D(2022, 12, 2), D(2023, 6, 1)], D(2023, 6, 12), [D(2022, 12, 1)]),  # one day late
        ([D(2022, 12, 1)], D(2023, 6, 1), []),  # the prospect day is the next six-month mark
        ([D(2022, 12, 1)], D(2023, 6, 2), [D(2023, 6, 1)]),
        ([], D(2023, 6, 12), [D(2022, 12, 1)]),  # one finding per gap
    ],
)
def test_assessment_every_six_months(assessments, prospect, expected_due):
    found = run(
        {"assessment": assessments, "prospect": prospect},
        facts={"publicity_end": D(2023, 6, 1)},
        drop=["prospect_publicity"],
        publicity_workdays=0,
    )
    assert [f.data["due_on"] for f in found if f.rule_id == "R-DEV-06"] == expected_due
    assert all(f.level == W for f in found if f.rule_id == "R-DEV-06")


def test_assessment_gap_of_a_current_activist_up_to_today():
    events = {"application": D(2023, 8, 1), "talk": D(2023, 8, 2), "activist": D(2023, 8, 31)}
    assert of(check(events, BIRTH, D(2024, 2, 29)), "R-DEV-06") == []  # 31 Aug + 6 = 29 Feb
    found = check(events, BIRTH, D(2024, 3, 1))
    assert of(found, "R-DEV-06") == [(W, "assessment")]
    assert "2023-08-31" in found[0].message and "2024-02-29" in found[0].message


# --- R-DEV-07: prospect after one year as activist ("一年以上" includes the year) ------------


@pytest.mark.parametrize(
    ("activist", "prospect", "expected"),
    [
        (D(2022, 4, 1), D(2023, 4, 1), []),  # exactly one year: allowed
        (D(2022, 4, 1), D(2023, 3, 31), [(E, "prospect")]),
        (D(2024, 2, 29), D(2025, 2, 28), []),  # leap day: one year = 28 Feb
        (D(2024, 2, 29), D(2025, 2, 27), [(E, "prospect")]),
        (D(2023, 8, 31), D(2024, 8, 31), []),
        (D(2023, 8, 31), D(2024, 8, 30), [(E, "prospect")]),
    ],
)
def test_prospect_after_a_year(activist, prospect, expected):
    events = {
        "application": D(2021, 1, 1),
        "talk": D(2021, 1, 5),
        "activist": activist,
        "prospect": prospect,
    }
    found = check(events, BIRTH, prospect, publicity_workdays=0)
    assert of(found, "R-DEV-07") == expected


def test_prospect_message_in_both_rule_sets():
    events = {
        "application": D(2024, 1, 1),
        "talk": D(2024, 1, 5),
        "activist": D(2024, 4, 1),
        "prospect": D(2025, 3, 1),
    }
    (f,) = [
        f
        for f in check(events, BIRTH, D(2025, 3, 1), publicity_workdays=0)
        if f.rule_id == "R-DEV-07"
    ]
    assert f.message == (
        "确定为发展对象（2025-03-01）距确定为入党积极分子（2024-04-01）不满一年"
        "（应不早于2025-04-01）（R-DEV-07）"
    )
    (g,) = [
        g for g in check(events, BIRTH, D(2025, 3, 1), ruleset="2026") if g.rule_id == "R-DEV-07"
    ]
    assert g.message.endswith("（R-DEV-07，2026年修订版细则第十三条）")


def test_prospect_without_activist():
    found = check(
        {"application": D(2022, 1, 1), "prospect": D(2023, 6, 1)},
        BIRTH,
        D(2023, 6, 1),
        publicity_workdays=0,
    )
    assert of(found, "R-DEV-07") == [(E, "prospect")]


# --- R-DEV-08: 公示 of five working days (2026 national ERROR; 2014 local WARNING) ----------


def publicity(start, end, prospect, *, ruleset="2014", workdays=5, calendar=None):
    events = {
        "application": D(2023, 1, 3),
        "talk": D(2023, 1, 4),
        "activist": D(2023, 3, 1),
        "assessment": [D(2023, 9, 1)],
        "prospect": prospect,
    }
    if start:
        events["prospect_publicity"] = start
    found = check(
        events,
        BIRTH,
        prospect,
        facts={"publicity_end": end},
        ruleset=ruleset,
        publicity_workdays=workdays,
        calendar=calendar,
    )
    return [f for f in found if f.rule_id == "R-DEV-08"]


NATIONAL_DAY = [
    # 29–30 Sep, then 1–8 Oct off, 9 and 10 Oct, Saturday 11 Oct a 调休 working day
    (D(2025, 9, 29), D(2025, 10, 10), D(2025, 10, 13), 4),
    (D(2025, 9, 29), D(2025, 10, 11), D(2025, 10, 13), 5),
    (D(2025, 9, 29), None, D(2025, 10, 10), 4),  # no end recorded: up to the prospect day
    (D(2025, 9, 29), None, D(2025, 10, 11), 5),
    # Thursday 25 Sep, Friday, Sunday 28 Sep (调休), Monday 29, Tuesday 30
    (D(2025, 9, 25), D(2025, 9, 29), D(2025, 9, 30), 4),
    (D(2025, 9, 25), D(2025, 9, 30), D(2025, 9, 30), 5),
]


@pytest.mark.parametrize(("start", "end", "prospect", "counted"), NATIONAL_DAY)
@pytest.mark.parametrize(("ruleset", "level"), [("2014", W), ("2026", E)])
def test_publicity_counts_working_days(start, end, prospect, counted, ruleset, level):
    found = publicity(start, end, prospect, ruleset=ruleset)
    if counted >= 5:
        assert found == []
    else:
        assert [(f.level, f.field, f.data["workdays"]) for f in found] == [
            (level, "prospect_publicity", counted)
        ]
        assert f"仅{counted}个工作日" in found[0].message


def test_publicity_shortfall_names_the_earliest_end():
    (f,) = publicity(D(2025, 9, 29), D(2025, 10, 10), D(2025, 10, 13))
    assert f.data["due_on"] == D(2025, 10, 11)
    assert f.message == (
        "公示（2025-09-29至2025-10-10）仅4个工作日，不足5个工作日（应至少到2025-10-11）（R-DEV-08）"
    )


@pytest.mark.parametrize(("ruleset", "level"), [("2014", W), ("2026", E)])
def test_publicity_missing_or_cut_short(ruleset, level):
    assert [
        (f.level, f.field) for f in publicity(None, None, D(2025, 10, 13), ruleset=ruleset)
    ] == [(level, "prospect_publicity")]
    early = publicity(D(2025, 9, 29), D(2025, 10, 11), D(2025, 10, 10), ruleset=ruleset)
    assert [(f.level, f.field) for f in early] == [(level, "prospect")]
    assert "早于公示期满（2025-10-11）" in early[0].message
    late = publicity(D(2025, 10, 14), D(2025, 10, 20), D(2025, 10, 13), ruleset=ruleset)
    assert [(f.level, f.field) for f in late] == [(level, "prospect_publicity")]


def test_publicity_setting():
    # 2014: 0 turns the local rule off; a longer local rule applies
    assert publicity(None, None, D(2025, 10, 13), workdays=0) == []
    assert len(publicity(D(2025, 9, 29), D(2025, 10, 11), D(2025, 10, 13), workdays=7)) == 1
    # 2026: the national five days stay whatever the setting says
    assert len(publicity(None, None, D(2025, 10, 13), ruleset="2026", workdays=0)) == 1
    short = publicity(D(2025, 9, 29), D(2025, 10, 10), D(2025, 10, 13), ruleset="2026", workdays=3)
    assert short[0].message.endswith("（R-DEV-08，2026年修订版细则第十三条）")


class WeekdaysOnly:
    """A calendar without holidays: proves the calendar argument is the one used."""

    def is_workday(self, day):
        return day.weekday() < 5

    def add_workdays(self, start, n):
        day = start
        while n:
            day += dt.timedelta(days=1)
            n -= self.is_workday(day)
        return day

    def workdays_between(self, first, last):
        return sum(
            self.is_workday(first + dt.timedelta(days=i)) for i in range((last - first).days + 1)
        )

    def is_known(self, day):
        return True


def test_publicity_uses_the_given_calendar():
    assert publicity(D(2025, 9, 29), D(2025, 10, 3), D(2025, 10, 3), calendar=WeekdaysOnly()) == []
    assert len(publicity(D(2025, 9, 29), D(2025, 10, 3), D(2025, 10, 3))) == 1
    overridden = statutory_calendar({D(2025, 10, 10): False})  # a local extra day off
    assert (
        len(publicity(D(2025, 9, 29), D(2025, 10, 11), D(2025, 10, 13), calendar=overridden)) == 1
    )


def test_publicity_in_a_year_the_calendar_does_not_know():
    cal = statutory_calendar()
    year = max(y for y in range(2000, 2100) if cal.is_known(D(y, 1, 1))) + 1
    found = publicity(D(year, 3, 2), D(year, 3, 31), D(year, 4, 1))
    assert [(f.level, f.field) for f in found] == [(INFO, "prospect_publicity")]
    assert f"{year}年" in found[0].message


# --- R-DEV-10 / 11 / 12 / 14: before the acceptance meeting ---------------------------------


@pytest.mark.parametrize(
    ("changes", "facts", "drop", "expected"),
    [
        ({}, {"political_review_passed": False}, [], [("R-DEV-10", E, "political_review")]),
        ({}, {}, ["political_review"], [("R-DEV-10", E, "political_review")]),
        # valid one year (local rule): the day one year on is still valid
        ({"political_review": D(2022, 9, 1), "pre_review": D(2023, 8, 10)}, {}, [], []),
        ({"political_review": D(2022, 8, 31)}, {}, [], [("R-DEV-10", W, "political_review")]),
        ({}, {}, ["training"], [("R-DEV-11", W, "training")]),
        ({}, {"training_days": 2, "training_hours": None}, [], [("R-DEV-11", W, "training")]),
        ({}, {"training_days": 2, "training_hours": Decimal("24")}, [], []),
        ({}, {"training_days": 3, "training_hours": Decimal("20")}, [], []),
        (
            {},
            {"training_days": None, "training_hours": Decimal("23.5")},
            [],
            [("R-DEV-11", W, "training")],
        ),
        ({}, {"training_days": None, "training_hours": None}, [], []),  # not recorded
        ({}, {"pre_review_passed": False}, [], [("R-DEV-12", E, "pre_review")]),
        ({}, {}, ["pre_review"], [("R-DEV-12", E, "pre_review")]),
        (
            {"acceptance": D(2023, 8, 9)},
            {},
            [],
            [("R-DEV-12", E, "acceptance"), ("R-DEV-14", E, "acceptance")],
        ),
        ({}, {}, ["volunteer_form"], [("R-DEV-14", E, "volunteer_form")]),
        ({"acceptance": D(2023, 9, 11)}, {}, [], []),  # 2014: no one-month rule
    ],
)
def test_before_acceptance(changes, facts, drop, expected):
    found = run(changes, facts=facts, drop=drop)
    assert [
        (f.rule_id, f.level, f.field) for f in found if f.rule_id not in ("R-DEV-25",)
    ] == expected


@pytest.mark.parametrize(
    ("acceptance", "expected"), [(D(2023, 9, 10), []), (D(2023, 9, 11), [(W, "acceptance")])]
)
def test_assembly_within_a_month_of_pre_review_2026(acceptance, expected):
    found = run({"acceptance": acceptance}, ruleset="2026")
    assert of(found, "R-DEV-14") == expected
    assert of(run({"acceptance": acceptance}), "R-DEV-14") == []


@pytest.mark.parametrize(
    ("leaving", "expected"),
    [
        (D(2023, 7, 31), []),
        (D(2023, 8, 1), [(W, "committee_review")]),
        (D(2023, 11, 1), [(W, "committee_review")]),
        (D(2023, 11, 2), []),
    ],
)
def test_leaving_within_three_months(leaving, expected):
    assert of(run(facts={"leaving_on": leaving}), "R-DEV-13") == expected


# --- R-DEV-16 / 17 / 18 / 19: approval and oath ---------------------------------------------


@pytest.mark.parametrize(
    ("approval", "expected"),
    [
        (D(2024, 4, 30), []),  # 31 Jan + 3 months = 30 Apr
        (D(2024, 5, 1), [(W, "approval")]),
        (D(2024, 7, 31), [(W, "approval")]),  # + 6 months = 31 Jul
        (D(2024, 8, 1), [(E, "approval")]),
    ],
)
def test_approval_within_three_months_and_at_most_six(approval, expected):
    changes = {
        "acceptance": D(2024, 1, 31),
        "approval_talk": D(2024, 2, 1),
        "approval": approval,
        "party_group_review": [D(2024, 2, 2), D(2025, 2, 2)],
        "oath": approval,
        "conversion_application": D(2025, 1, 20),
        "conversion_meeting": D(2025, 1, 31),
        "conversion_approval": D(2025, 2, 20),
    }
    found = run(changes, today=D(2025, 3, 1))
    assert of(found, "R-DEV-17") == expected
    assert [f for f in found if f.rule_id != "R-DEV-17"] == []


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2023, 12, 10), []),
        (D(2023, 12, 11), [("R-DEV-17", W)]),
        (D(2024, 3, 10), [("R-DEV-17", W)]),
        # the local R-DEV-18 is a WARNING beside R-DEV-17's six-month ERROR (not two ERRORs)
        (D(2024, 3, 11), [("R-DEV-18", W), ("R-DEV-17", E)]),
    ],
)
def test_missing_approval(today, expected):
    keep = (
        "application",
        "talk",
        "activist",
        "contacts",
        "assessment",
        "prospect_publicity",
        "prospect",
        "introducers",
        "political_review",
        "training",
        "committee_review",
        "pre_review",
        "volunteer_form",
    )
    events = {k: GOOD[k] for k in keep}
    events["acceptance"] = D(2023, 9, 10)
    found = check(events, BIRTH, today, facts=FACTS)
    assert [(f.rule_id, f.level) for f in found] == expected
    if expected:
        assert all(f.field == "approval" for f in found)


def test_approval_without_the_committee_talk():
    assert of(run(drop=["approval_talk"]), "R-DEV-16") == [(E, "approval_talk")]
    assert of(run({"approval_talk": D(2023, 10, 2)}), "R-DEV-16") == [(E, "approval")]


@pytest.mark.parametrize(
    ("oath", "expected"), [(D(2023, 11, 1), []), (D(2023, 11, 2), [(W, "oath")])]
)
def test_oath_within_a_month(oath, expected):
    assert of(run({"oath": oath}), "R-DEV-19") == expected


def test_missing_oath_is_overdue():
    found = run(
        drop=["oath"],
        today=D(2023, 11, 2),
        changes={
            "conversion_application": [],
            "conversion_meeting": [],
            "conversion_approval": [],
            "probation_assessment": [],
        },
    )
    assert of(found, "R-DEV-19") == [(W, "oath")]


# --- R-DEV-20..23: probation, extension, conversion ------------------------------------------


@pytest.mark.parametrize(
    ("acceptance", "months", "end"),
    [
        (D(2024, 2, 29), 0, D(2025, 2, 28)),
        (D(2023, 9, 1), 0, D(2024, 9, 1)),
        (D(2025, 1, 31), 6, D(2026, 7, 31)),
        (D(2024, 8, 31), 6, D(2026, 2, 28)),
        (D(2024, 3, 31), 12, D(2026, 3, 31)),
    ],
)
def test_probation_end_and_conversion_date(acceptance, months, end):
    assert probation_end(acceptance, months) == end
    assert conversion_date(acceptance, months) == end


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        (D(2024, 8, 31), [("R-DEV-25", E)]),  # a day before the end of probation
        (D(2024, 9, 1), []),
        (D(2024, 10, 1), []),  # promptly: within a month (our reading)
        (D(2024, 10, 2), [(R_DEV_21.id, W)]),
    ],
)
def test_conversion_meeting_after_probation(meeting, expected):
    found = run(
        {
            "conversion_meeting": meeting,
            "conversion_application": D(2024, 8, 1),
            "party_group_review": [D(2023, 9, 20), D(2024, 10, 3)],
            "conversion_approval": D(2024, 10, 5),
        }
    )
    assert [(f.rule_id, f.level) for f in found] == expected
    assert all(f.field == "conversion_meeting" for f in found)


@pytest.mark.parametrize(
    ("months", "count", "extension", "meeting", "expected"),
    [
        (6, 1, D(2024, 9, 1), D(2025, 3, 1), []),
        (12, 1, D(2024, 9, 1), D(2025, 9, 1), []),
        (6, 1, D(2024, 9, 1), D(2025, 2, 28), [("R-DEV-25", E)]),  # before the extended end
        (5, 1, D(2024, 9, 1), D(2025, 3, 1), [(R_DEV_21.id, E)]),
        (13, 1, D(2024, 9, 1), D(2025, 10, 1), [(R_DEV_21.id, E)]),
        (6, 2, D(2024, 9, 1), D(2025, 3, 1), [(R_DEV_21.id, E)]),
        (None, 1, D(2024, 9, 1), D(2024, 9, 2), [(R_DEV_21.id, E)]),
        (0, 1, D(2024, 9, 1), D(2024, 9, 2), [(R_DEV_21.id, E)]),  # months not recorded
        (6, 1, D(2024, 8, 31), D(2025, 3, 1), [(R_DEV_21.id, E)]),  # before probation ended
    ],
)
def test_extension(months, count, extension, meeting, expected):
    found = run(
        {
            "extension": extension,
            "extension_approval": extension,  # R-DEV-21: approved by the committee above
            "conversion_meeting": meeting,
            "conversion_application": meeting,
            "conversion_approval": meeting,
            "party_group_review": [D(2023, 9, 20), meeting],
        },
        facts={"extension_months": months, "extension_count": count},
        today=D(2026, 1, 1),
    )
    assert [(f.rule_id, f.level) for f in found] == expected


def test_two_extension_events():
    found = run(
        {
            "extension": [D(2024, 9, 1), D(2025, 3, 1)],
            "extension_approval": D(2025, 3, 1),
            "conversion_meeting": D(2025, 9, 1),
            "conversion_application": D(2025, 9, 1),
            "conversion_approval": D(2025, 9, 2),
            "party_group_review": [D(2023, 9, 20), D(2025, 9, 2)],
        },
        facts={"extension_months": 12},
        today=D(2026, 1, 1),
    )
    assert [(f.rule_id, f.level, f.data.get("count")) for f in found] == [(R_DEV_21.id, E, 2)]


def test_missing_conversion_meeting_is_overdue():
    drop = ["conversion_application", "conversion_meeting", "conversion_approval"]
    assert run(drop=drop, today=D(2024, 10, 1)) == []
    found = run(drop=drop, today=D(2024, 10, 2))
    assert [(f.rule_id, f.level, f.field) for f in found] == [
        (R_DEV_21.id, W, "conversion_meeting")
    ]
    cancelled = run({"cancellation": D(2024, 9, 2)}, drop=drop, today=D(2024, 10, 2))
    assert cancelled == []


@pytest.mark.parametrize("vote", ["extension", "cancellation"])
@pytest.mark.parametrize(
    ("today", "approved", "expected"),
    [
        (D(2024, 12, 2), False, []),  # three months on: still in time
        (D(2024, 12, 3), False, [(R_DEV_21.id, W)]),
        (D(2024, 12, 3), True, []),
    ],
)
def test_extension_and_cancellation_need_the_committee_approval(vote, today, approved, expected):
    """R-DEV-21: the 支部大会's extension or cancellation needs the higher committee's approval;
    a decision left unapproved for more than three months is a WARNING at the approval step."""
    drop = ["conversion_application", "conversion_meeting", "conversion_approval"]
    changes = {vote: D(2024, 9, 2)}
    if approved:
        changes[f"{vote}_approval"] = D(2024, 9, 20)
    facts = {"extension_months": 6, "extension_count": 1} if vote == "extension" else {}
    found = run(changes, drop=drop, today=today, facts=facts)
    assert [(f.rule_id, f.level) for f in found] == expected
    if expected:
        assert found[0].field == f"{vote}_approval" and "上级党委批准" in found[0].message


@pytest.mark.parametrize(
    ("approval", "expected"),
    [(D(2024, 12, 2), []), (D(2024, 12, 3), [("R-DEV-22", E, "conversion_approval")])],
)
def test_conversion_approval_within_three_months(approval, expected):
    found = run({"conversion_approval": approval, "party_group_review": [D(2023, 9, 20), approval]})
    assert [(f.rule_id, f.level, f.field) for f in found] == expected


def test_conversion_needs_the_written_application():
    found = run(drop=["conversion_application"])
    assert [(f.rule_id, f.level, f.field) for f in found] == [
        ("R-DEV-22", E, "conversion_application")
    ]
    overdue = run(drop=["conversion_approval"], today=D(2024, 12, 3))
    assert of(overdue, "R-DEV-22") == [(E, "conversion_approval")]  # no 一般: an ERROR


# --- R-ORG-14 / R-DEV-26: the 党组 before the approvals in an organ ----------------------------


@pytest.mark.parametrize(
    ("organ", "reviews", "expected"),
    [
        (None, [], []),  # not an organ
        (True, [D(2023, 9, 20), D(2024, 9, 10)], []),
        (False, [D(2023, 9, 20), D(2024, 9, 10)], []),
        (True, [], [(E, "party_group_review")] * 2),
        (True, [D(2023, 9, 20)], [(E, "party_group_review")]),  # none before the conversion
        (True, [D(2023, 10, 2), D(2024, 9, 10)], [(E, "party_group_review")]),  # after approval
        (True, [D(2023, 10, 1), D(2024, 10, 1)], []),  # on the day of each approval
    ],
)
def test_party_group_review(organ, reviews, expected):
    found = run({"party_group_review": reviews}, facts={"organ_committee": organ})
    assert of(found, "R-ORG-14") == expected


def test_party_group_review_messages():
    (f,) = of_f = [
        f for f in run({"party_group_review": [D(2023, 9, 20)]}) if f.rule_id == "R-ORG-14"
    ]
    assert of_f and "机关党委审批预备党员转正前未提交党组（党委）研究决定" in f.message
    assert "R-DEV-26" in f.message
    (g,) = [
        f
        for f in run({"party_group_review": [D(2024, 9, 10)]}, facts={"organ_committee": False})
        if f.rule_id == "R-ORG-14"
    ]
    assert "机关工委" in g.message and "接收预备党员" in g.message


# --- overrides: a recorded reason downgrades a WARNING, never an ERROR -----------------------


def test_override_downgrades_a_warning_only():
    found = run(drop=["training"], facts={"overrides": {"R-DEV-11": "援外任务，个别特殊情况"}})
    (f,) = found
    assert (f.rule_id, f.level, f.data["overridden"]) == ("R-DEV-11", INFO, True)
    assert "援外任务，个别特殊情况" in f.message
    hard = run(drop=["pre_review"], facts={"overrides": {"R-DEV-12": "理由"}})
    assert of(hard, "R-DEV-12") == [(E, "pre_review")]
    other = run(drop=["training"], facts={"overrides": {"R-DEV-03": "无关"}})
    assert of(other, "R-DEV-11") == [(W, "training")]


def test_datetimes_and_sequences_are_accepted():
    events = dict(GOOD, application=dt.datetime(2022, 3, 1, 9, 30), approval=[D(2023, 10, 1)])
    assert check(events, BIRTH, TODAY, facts=FACTS) == []
