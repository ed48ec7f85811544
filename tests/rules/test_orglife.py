"""Table-driven tests of dangjian.rules.orglife (rules.md R-ORGLIFE-01..12, R-GEN-03):
frequencies and overrides, evaluate() at month/quarter/year edges, votes at exact halves,
appraisal at exactly one third, heart-to-heart talk coverage."""

import datetime as dt
import itertools
import subprocess
import sys

import pytest

from dangjian.rules import RULES
from dangjian.rules.base import Confidence, Level
from dangjian.rules.orglife import (
    APPRAISAL_GRADES,
    COMPLIANCE_STATUSES,
    DUE_SOON_DAYS,
    FREQUENCIES,
    KIND_LABELS,
    PERIOD_LABELS,
    Frequency,
    MeetingKind,
    PeriodStatus,
    appraisal_findings,
    assembly_vote,
    check_overrides,
    committee_vote,
    evaluate,
    frequency_of,
    may_vote,
    periods_of,
    talk_coverage,
)

D = dt.date


def test_rules_import_without_django():
    code = "import dangjian.rules.orglife, sys; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------------
# Registry


@pytest.mark.parametrize("n", range(1, 13))
def test_orglife_rules_registered(n):
    r = RULES[f"R-ORGLIFE-{n:02d}"]
    assert r.title and r.source and r.effective
    assert r.citation.startswith("《")


def test_rule_sources_and_confidence():
    assert RULES["R-GEN-03"].citation == "《中国共产党基层组织选举工作条例》第五条"
    assert RULES["R-ORGLIFE-02"].citation == "《中国共产党支部工作条例（试行）》第十一条"
    assert RULES["R-ORGLIFE-08"].confidence is Confidence.C1
    assert RULES["R-ORGLIFE-09"].article == "第十七条"
    assert RULES["R-ORGLIFE-10"].article == "第十八条"
    assert RULES["R-ORGLIFE-01"].confidence is Confidence.C2
    assert "C3" in RULES["R-ORGLIFE-04"].note  # the pass rule is our reading
    assert "C3" in RULES["R-ORGLIFE-07"].note  # article number unchecked


def test_kinds_and_labels_unchanged():
    assert [k.value for k in MeetingKind] == [
        "member_assembly",
        "committee_meeting",
        "group_meeting",
        "party_lesson",
        "theme_day",
        "life_meeting",
        "member_appraisal",
        "study_session",
    ]
    assert KIND_LABELS[MeetingKind.PARTY_LESSON] == "党课"
    # a study session has no frequency: it counts towards credit hours (R-EDU-01/02)
    assert set(FREQUENCIES) == {k.value for k in MeetingKind} - {"study_session"}


def test_label_tables():
    assert dict(COMPLIANCE_STATUSES) == {
        "done": "已开展",
        "missing": "应开未开",
        "due_soon": "即将到期",
        "not_due": "未到期",
    }
    assert dict(APPRAISAL_GRADES) == {
        "excellent": "优秀",
        "qualified": "合格",
        "basically_qualified": "基本合格",
        "unqualified": "不合格",
    }
    assert set(PERIOD_LABELS) == {"month", "quarter", "year", "none"}


# ---------------------------------------------------------------------------------------------
# Frequencies


@pytest.mark.parametrize(
    ("kind", "period", "rule_id", "configurable"),
    [
        ("member_assembly", "quarter", "R-ORGLIFE-01", False),
        ("committee_meeting", "month", "R-ORGLIFE-04", False),
        ("group_meeting", "month", "R-ORGLIFE-05", False),
        ("party_lesson", "quarter", "R-ORGLIFE-07", True),
        ("theme_day", "month", "R-ORGLIFE-08", False),
        ("life_meeting", "year", "R-ORGLIFE-09", False),
        ("member_appraisal", "year", "R-ORGLIFE-10", False),
    ],
)
def test_frequencies(kind, period, rule_id, configurable):
    f = frequency_of(kind)
    assert f == FREQUENCIES[kind]
    assert (f.kind, f.period, f.rule_id, f.configurable) == (kind, period, rule_id, configurable)
    assert type(f.kind) is str
    assert f.rule_id in RULES


def test_party_lesson_note_says_local_rule():
    assert "地方规定" in FREQUENCIES["party_lesson"].note


def test_frequency_of_accepts_enum():
    assert frequency_of(MeetingKind.THEME_DAY) is FREQUENCIES["theme_day"]


def test_override_applies():
    f = frequency_of("party_lesson", {"party_lesson": "month"})
    assert isinstance(f, Frequency)
    assert (f.period, f.rule_id, f.configurable) == ("month", "R-ORGLIFE-07", True)
    assert "本部署配置为每月" in f.note
    assert FREQUENCIES["party_lesson"].period == "quarter"  # the table is not changed


def test_override_of_other_kind_leaves_this_one():
    assert frequency_of("theme_day", {"party_lesson": "year"}) is FREQUENCIES["theme_day"]
    assert frequency_of("party_lesson", {"party_lesson": "quarter"}) is FREQUENCIES["party_lesson"]
    assert frequency_of("party_lesson", {}) is FREQUENCIES["party_lesson"]
    assert frequency_of("party_lesson", None) is FREQUENCIES["party_lesson"]


def test_override_whitespace_is_dropped():
    assert check_overrides({" party_lesson ": " year "}) == {"party_lesson": "year"}


@pytest.mark.parametrize(
    ("kind", "overrides", "words"),
    [
        ("meeting", None, "未知的会议类型“meeting”"),
        ("", None, "未知的会议类型"),
        (None, None, "未知的会议类型"),
        ("party_lesson", {"party_lessons": "year"}, "未知的会议类型“party_lessons”"),
        ("party_lesson", {"party_lesson": "weekly"}, "频次“weekly”无效"),
        ("theme_day", {"party_lesson": "weekly"}, "频次“weekly”无效"),  # whole dict checked
        ("party_lesson", {"party_lesson": None}, "无效"),
    ],
)
def test_frequency_of_refuses(kind, overrides, words):
    with pytest.raises(ValueError, match=words):
        frequency_of(kind, overrides)


# ---------------------------------------------------------------------------------------------
# evaluate()


def statuses(result: list[PeriodStatus]) -> str:
    """One letter per period: d done, m missing, s due_soon, n not_due."""
    return "".join(
        {"done": "d", "missing": "m", "due_soon": "s", "not_due": "n"}[p.status] for p in result
    )


def test_month_periods():
    result = evaluate("theme_day", [], 2024, D(2024, 6, 1))
    assert len(result) == 12
    assert (result[0].start, result[0].end) == (D(2024, 1, 1), D(2024, 1, 31))
    assert (result[1].start, result[1].end) == (D(2024, 2, 1), D(2024, 2, 29))  # leap year
    assert (result[11].start, result[11].end) == (D(2024, 12, 1), D(2024, 12, 31))
    for a, b in itertools.pairwise(result):
        assert b.start == a.end + dt.timedelta(days=1)


def test_quarter_and_year_periods():
    assert periods_of("quarter", 2023) == [
        (D(2023, 1, 1), D(2023, 3, 31)),
        (D(2023, 4, 1), D(2023, 6, 30)),
        (D(2023, 7, 1), D(2023, 9, 30)),
        (D(2023, 10, 1), D(2023, 12, 31)),
    ]
    assert periods_of("year", 2023) == [(D(2023, 1, 1), D(2023, 12, 31))]
    assert periods_of("none", 2023) == []
    assert periods_of("month", 2023)[1] == (D(2023, 2, 1), D(2023, 2, 28))
    with pytest.raises(ValueError):
        periods_of("week", 2023)


@pytest.mark.parametrize(
    ("kind", "held_on", "year", "today", "expected"),
    [
        # month edges: the first and the last day of a month both count for that month
        ("theme_day", [D(2022, 1, 1), D(2022, 2, 28)], 2022, D(2022, 3, 15), "ddnnnnnnnnnn"),
        ("theme_day", [D(2022, 1, 31), D(2022, 3, 1)], 2022, D(2022, 3, 15), "dmdnnnnnnnnn"),
        # leap year: 29 February is in February
        ("theme_day", [D(2024, 2, 29)], 2024, D(2024, 3, 2), "mdnnnnnnnnnn"),
        # quarter edges: 31 March is Q1, 1 April is Q2, 30 Sep is Q3, 1 Oct is Q4
        ("member_assembly", [D(2022, 3, 31)], 2022, D(2022, 5, 1), "dnnn"),
        ("member_assembly", [D(2022, 4, 1)], 2022, D(2022, 5, 1), "mdnn"),
        ("member_assembly", [D(2022, 9, 30), D(2022, 10, 1)], 2022, D(2023, 1, 5), "mmdd"),
        # Dec 31 / Jan 1: the other year's dates are ignored
        ("theme_day", [D(2021, 12, 31), D(2023, 1, 1)], 2022, D(2023, 1, 1), "m" * 12),
        ("theme_day", [D(2022, 12, 31)], 2022, D(2023, 1, 1), "m" * 11 + "d"),
        ("life_meeting", [D(2021, 12, 31)], 2022, D(2023, 1, 1), "m"),
        ("life_meeting", [D(2022, 1, 1)], 2022, D(2023, 1, 1), "d"),
        ("life_meeting", [D(2022, 12, 31)], 2022, D(2022, 12, 31), "d"),
        # several meetings in one period: still one "done"
        ("member_appraisal", [D(2022, 3, 1), D(2022, 11, 1)], 2022, D(2022, 6, 1), "d"),
        # a year entirely in the future: nothing is due yet
        ("theme_day", [], 2030, D(2026, 1, 1), "n" * 12),
        # a year entirely in the past with no meeting: all missing
        ("member_assembly", [], 2020, D(2026, 1, 1), "mmmm"),
    ],
)
def test_evaluate(kind, held_on, year, today, expected):
    assert statuses(evaluate(kind, held_on, year, today)) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2022, 1, 20), "n"),  # 11 days before 31 Jan: not yet
        (D(2022, 1, 21), "s"),  # exactly 10 days before: due soon
        (D(2022, 1, 31), "s"),  # the last day itself
        (D(2022, 2, 1), "m"),  # the day after: missing
    ],
)
def test_due_soon_window_month(today, expected):
    assert DUE_SOON_DAYS == 10
    assert statuses(evaluate("committee_meeting", [], 2022, today))[0] == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2022, 6, 19), "mnnn"),  # 11 days before 30 June
        (D(2022, 6, 20), "msnn"),  # 10 days before
        (D(2022, 6, 30), "msnn"),
        (D(2022, 7, 1), "mmnn"),
        (D(2022, 12, 21), "mmms"),  # 10 days before 31 December
        (D(2022, 12, 20), "mmmn"),
    ],
)
def test_due_soon_window_quarter(today, expected):
    assert statuses(evaluate("member_assembly", [], 2022, today)) == expected


def test_due_soon_window_in_february_of_leap_year():
    # February 2024 ends on the 29th: 19 Feb is exactly 10 days before, 18 Feb is 11
    assert statuses(evaluate("theme_day", [], 2024, D(2024, 2, 19)))[:2] == "ms"
    assert statuses(evaluate("theme_day", [], 2024, D(2024, 2, 18)))[:2] == "mn"


def test_future_period_is_not_due_soon():
    # today 25 Jan: February ends 34 days later, it has not begun → not_due (and never
    # due_soon before it has begun)
    result = evaluate("theme_day", [], 2022, D(2022, 1, 25))
    assert [p.status for p in result[:2]] == ["due_soon", "not_due"]


def test_done_beats_everything():
    result = evaluate("theme_day", [D(2022, 1, 3)], 2022, D(2022, 1, 25))
    assert result[0].status == "done"
    result = evaluate("theme_day", [D(2022, 5, 3)], 2022, D(2022, 1, 25))  # taken as given
    assert result[4].status == "done"


def test_datetimes_count_by_date():
    held = [dt.datetime(2022, 3, 31, 23, 30)]
    assert statuses(evaluate("member_assembly", held, 2022, dt.datetime(2022, 4, 2, 8))) == "dnnn"


def test_held_on_may_be_any_iterable():
    held = (d for d in [D(2022, 2, 1)])
    assert statuses(evaluate("member_assembly", held, 2022, D(2022, 4, 2))) == "dnnn"


def test_wrong_types_refused():
    with pytest.raises(TypeError):
        evaluate("theme_day", ["2022-01-01"], 2022, D(2022, 1, 2))
    with pytest.raises(TypeError):
        evaluate("theme_day", [], 2022, "2022-01-02")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (None, "dnnn"),  # party_lesson defaults to quarterly
        ({"party_lesson": "quarter"}, "dnnn"),
        ({"party_lesson": "month"}, "mdmnnnnnnnnn"),
        ({"party_lesson": "year"}, "d"),
        ({"party_lesson": "none"}, ""),
        ({"theme_day": "none"}, "dnnn"),  # another kind's override changes nothing here
    ],
)
def test_evaluate_with_overrides(overrides, expected):
    # a 党课 on 10 February 2022; today 5 April
    result = evaluate("party_lesson", [D(2022, 2, 10)], 2022, D(2022, 4, 5), overrides=overrides)
    assert statuses(result) == expected


def test_override_none_for_a_regulated_kind():
    assert (
        evaluate("group_meeting", [], 2022, D(2022, 6, 1), overrides={"group_meeting": "none"})
        == []
    )


def test_override_errors_reach_evaluate():
    with pytest.raises(ValueError, match="频次"):
        evaluate("theme_day", [], 2022, D(2022, 6, 1), overrides={"theme_day": "weekly"})
    with pytest.raises(ValueError, match="会议类型"):
        evaluate("party", [], 2022, D(2022, 6, 1))


# ---------------------------------------------------------------------------------------------
# Votes


@pytest.mark.parametrize(
    ("entitled", "present", "yes", "quorum", "passed"),
    [
        (10, 5, 5, True, False),  # exactly half present: quorum (半数以上); 5 yes is not > half
        (10, 5, 4, True, False),
        (10, 4, 4, False, False),  # 4 of 10: no quorum
        (10, 6, 6, True, True),  # 6 > 5
        (10, 10, 5, True, False),  # half of those ENTITLED, not present
        (10, 7, 5, True, False),  # 5 of 7 present is a majority of those present, still fails
        (10, 7, 6, True, True),
        (9, 5, 5, True, True),  # odd: 5 present ≥ 4.5; 5 yes > 4.5
        (9, 4, 4, False, False),  # 4 < 4.5
        (9, 9, 4, True, False),
        (1, 1, 1, True, True),
        (1, 0, 0, False, False),
        (3, 2, 2, True, True),
    ],
)
def test_assembly_vote(entitled, present, yes, quorum, passed):
    result = assembly_vote(entitled, present, yes)
    assert (result.quorum_met, result.passed) == (quorum, passed)
    assert all(f.rule_id == "R-ORGLIFE-02" for f in result.findings)
    if not quorum:
        (f,) = result.findings
        assert f.level is Level.ERROR
        assert "不能进行表决" in f.message
        assert f.data["entitled_voting"] == entitled
    elif not passed:
        (f,) = result.findings
        assert f.level is Level.INFO
        assert "未通过" in f.message
    else:
        assert result.findings == []


def test_vote_data_has_thresholds():
    f = assembly_vote(10, 4, 4).findings[0]
    assert f.data == {
        "entitled_voting": 10,
        "present_voting": 4,
        "yes": 4,
        "quorum": 5,
        "needed": 6,
    }
    assert assembly_vote(9, 9, 0).findings[0].data["needed"] == 5
    assert committee_vote(5, 2, 2).findings[0].data["quorum"] == 3


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((-1, 0, 0), "不能为负数"),
        ((10, -1, 0), "不能为负数"),
        ((10, 5, -1), "不能为负数"),
        ((10, 11, 5), "不能多于"),
        ((10, 5, 6), "不能多于"),
        ((0, 0, 0), "无法表决"),
        ((10.0, 5, 5), "应为整数"),
        ((10, True, 1), "应为整数"),
        (("10", 5, 5), "应为整数"),
    ],
)
def test_vote_bad_numbers(args, words):
    with pytest.raises(ValueError, match=words):
        assembly_vote(*args)
    with pytest.raises(ValueError, match=words):
        committee_vote(*args)


@pytest.mark.parametrize(
    ("size", "present", "yes", "quorum", "passed"),
    [
        (5, 3, 3, True, True),  # 3 ≥ 2.5; 3 > 2.5
        (5, 2, 2, False, False),  # 2 < 2.5
        (4, 2, 2, True, False),  # exactly half present; 2 yes is not > 2
        (4, 2, 1, True, False),
        (4, 3, 3, True, True),
        (7, 4, 4, True, True),
        (7, 3, 3, False, False),
        (3, 2, 2, True, True),
        (1, 1, 1, True, True),
    ],
)
def test_committee_vote(size, present, yes, quorum, passed):
    result = committee_vote(size, present, yes)
    assert (result.quorum_met, result.passed) == (quorum, passed)
    assert all(f.rule_id == "R-ORGLIFE-04" for f in result.findings)
    if not quorum:
        assert result.findings[0].level is Level.ERROR
        assert "委员总数" in result.findings[0].message


@pytest.mark.parametrize(("category", "allowed"), [("full", True), ("probationary", False)])
def test_may_vote(category, allowed):
    assert may_vote(category) is allowed


@pytest.mark.parametrize("category", ["", "正式党员", "FULL", None])
def test_may_vote_unknown(category):
    with pytest.raises(ValueError, match="人员类别"):
        may_vote(category)


# ---------------------------------------------------------------------------------------------
# Appraisal


def grades(excellent: int, others: int) -> dict[int, str]:
    result = {i: "excellent" for i in range(excellent)}
    result.update({excellent + i: "qualified" for i in range(others)})
    return result


@pytest.mark.parametrize(
    ("excellent", "others", "warns"),
    [
        (3, 6, False),  # exactly one third of 9
        (4, 5, True),
        (3, 7, False),  # 3 of 10 < 1/3
        (4, 6, True),  # 4 of 10 > 1/3
        (1, 2, False),  # 1 of 3
        (1, 1, True),  # 1 of 2
        (1, 0, True),  # 1 of 1
        (0, 0, False),  # nobody rated
        (0, 5, False),
    ],
)
def test_appraisal_one_third(excellent, others, warns):
    found = appraisal_findings(grades(excellent, others))
    if not warns:
        assert found == []
        return
    (f,) = found
    assert (f.rule_id, f.level) == ("R-ORGLIFE-11", Level.WARNING)
    rated = excellent + others
    assert f.data == {
        "excellent": excellent,
        "rated": rated,
        "max": rated // 3,
        "members": list(range(excellent)),
    }
    assert "三分之一" in f.message


def test_appraisal_other_grades_count_as_rated():
    g = {
        "a": "excellent",
        "b": "basically_qualified",
        "c": "unqualified",
    }
    assert appraisal_findings(g) == []


@pytest.mark.parametrize("grade", ["good", "优秀", None, ""])
def test_appraisal_unknown_grade(grade):
    with pytest.raises(ValueError, match="评议等次"):
        appraisal_findings({1: "qualified", 2: grade})


# ---------------------------------------------------------------------------------------------
# Heart-to-heart talks


def test_talks_all_covered():
    committee = {1, 2, 3}
    members = {1, 2, 3, 4, 5}
    talks = [(1, 2), (3, 1), (2, 3), (4, 1), (3, 5)]
    assert talk_coverage(committee, members, talks) == []


def test_talks_gaps():
    committee = {1, 2, 3}
    members = {1, 2, 3, 4, 5, 6}
    talks = [(2, 1), (4, 5), (6, 3), (9, 5), (3, 3)]
    pairs, lonely = talk_coverage(committee, members, talks)
    assert (pairs.rule_id, pairs.level) == ("R-ORGLIFE-12", Level.WARNING)
    assert pairs.data == {"pairs": [[1, 3], [2, 3]]}
    assert "2对" in pairs.message
    # 4 and 5 talked only with each other, 5 with an outsider (9): neither counts
    assert lonely.data == {"members": [4, 5]}
    assert "2名党员" in lonely.message


def test_talks_only_pairs_missing():
    (f,) = talk_coverage({"a", "b"}, {"a", "b", "c"}, [("c", "a")])
    assert f.data == {"pairs": [["a", "b"]]}


def test_talks_only_members_missing():
    (f,) = talk_coverage({"a", "b"}, {"c", "d"}, [("a", "b"), ("d", "b")])
    assert f.data == {"members": ["c"]}


def test_talks_single_secretary():
    # a small branch has a secretary only: no committee pairs to check
    assert talk_coverage({1}, {1, 2}, [(2, 1)]) == []
    (f,) = talk_coverage({1}, {1, 2}, [])
    assert f.data == {"members": [2]}


def test_talks_empty_inputs():
    assert talk_coverage(set(), set(), []) == []
    # no committee at all: every member is uncovered
    (f,) = talk_coverage(set(), {1, 2}, [(1, 2)])
    assert f.data == {"members": [1, 2]}


def test_talks_mixed_id_types_are_ordered():
    (f,) = talk_coverage(set(), {1, "x"}, [])
    assert sorted(map(str, f.data["members"])) == ["1", "x"]
