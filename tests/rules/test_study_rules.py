"""Table-driven tests of dangjian.rules.study (rules.md R-EDU-01/02/03, R-LOCAL-08): the
yearly minimums and standing at the thresholds, the October warnings, session and training
hours, self-test scoring and drawing, member points with daily and yearly caps across two
scheme versions, and the point-rule checks."""

import datetime as dt
from decimal import Decimal as D

import pytest

from dangjian.rules import RULES
from dangjian.rules.base import Level
from dangjian.rules.study import (
    COMMITTEE_HOURS,
    DEFAULT_POINT_SCHEME,
    HOURS_BUCKET_BOUNDS,
    HOURS_BUCKET_LABELS,
    MEMBER_HOURS,
    WARN_FROM_MONTH,
    PointEvent,
    PointRuleData,
    PointSchemeData,
    award_points,
    check_plan_hours,
    check_point_rule,
    check_session_hours,
    check_training,
    draw_questions,
    hours,
    hours_bucket,
    length_tenths,
    lesson_credit,
    required_hours,
    scheme_for,
    score_quiz,
    shortfall_findings,
    standing,
)


def test_the_rules_are_registered_with_their_sources():
    for rule_id in ("R-EDU-01", "R-EDU-02", "R-EDU-03", "R-LOCAL-08"):
        assert rule_id in RULES
    assert "DANGJIAN_STUDY_COMMITTEE_HOURS" in RULES["R-EDU-02"].note  # the uncertainty


# ---------------------------------------------------------------------------------------------
# Minimums and standing


@pytest.mark.parametrize(
    ("committee", "exempt", "committee_hours", "expected"),
    [
        (False, False, 56, 32),
        (True, False, 56, 56),
        (False, True, 56, 0),
        (True, True, 56, 0),
        (True, False, 40, 40),  # the deployment's figure for R-EDU-02
        (False, False, 40, 32),
    ],
)
def test_required_hours(committee, exempt, committee_hours, expected):
    got = required_hours(committee, exempt, committee_hours=committee_hours)
    assert got == expected and isinstance(got, int)


def test_required_hours_defaults():
    assert (MEMBER_HOURS, COMMITTEE_HOURS) == (32, 56)
    assert required_hours(False, False) == 32 and required_hours(True, False) == 56


@pytest.mark.parametrize(
    ("earned", "committee", "shortfall", "met"),
    [
        ("0", False, "32.0", False),
        ("31.9", False, "0.1", False),
        ("32", False, "0.0", True),
        ("32.0", False, "0.0", True),
        ("40", False, "0.0", True),
        ("31.9", True, "24.1", False),
        ("55.9", True, "0.1", False),
        ("56", True, "0.0", True),
        ("60.5", True, "0.0", True),
    ],
)
def test_standing_at_the_thresholds(earned, committee, shortfall, met):
    state = standing(D(earned), is_committee_member=committee, exempt=False)
    assert state.shortfall == D(shortfall)
    assert state.met is met
    assert state.required == (56 if committee else 32)


def test_an_exempt_member_owes_nothing_and_needs_no_training():
    state = standing(D("0"), is_committee_member=True, exempt=True, has_concentrated=False)
    assert (state.required, state.shortfall, state.needs_concentrated, state.met) == (
        0,
        D("0.0"),
        False,
        True,
    )


def test_a_committee_member_needs_one_concentrated_training():
    state = standing(D("60"), is_committee_member=True, exempt=False, has_concentrated=False)
    assert state.shortfall == 0 and state.needs_concentrated and not state.met
    ordinary = standing(D("40"), is_committee_member=False, exempt=False, has_concentrated=False)
    assert ordinary.met


def test_standing_rounds_to_a_tenth_half_up():
    assert standing(D("31.95"), is_committee_member=False, exempt=False).earned == D("32.0")
    assert hours("1.25") == D("1.3") and hours(2) == D("2.0")


# ---------------------------------------------------------------------------------------------
# Year-end warnings


SHORT = standing(D("20"), is_committee_member=False, exempt=False)
SHORT_COMMITTEE = standing(D("50"), is_committee_member=True, exempt=False, has_concentrated=False)


@pytest.mark.parametrize(
    ("state", "today", "expected"),
    [
        (SHORT, dt.date(2024, 9, 30), []),  # before October: nothing yet
        (SHORT, dt.date(2024, 10, 1), [("R-EDU-01", Level.WARNING)]),
        (SHORT, dt.date(2024, 12, 31), [("R-EDU-01", Level.WARNING)]),
        (SHORT, dt.date(2025, 1, 2), [("R-EDU-01", Level.ERROR)]),  # the year is over
        (
            SHORT_COMMITTEE,
            dt.date(2024, 11, 1),
            [("R-EDU-02", Level.WARNING), ("R-EDU-02", Level.WARNING)],
        ),
        (standing(D("32"), is_committee_member=False, exempt=False), dt.date(2024, 12, 1), []),
        (standing(D("0"), is_committee_member=False, exempt=True), dt.date(2025, 3, 1), []),
    ],
)
def test_shortfall_findings(state, today, expected):
    found = shortfall_findings(state, today=today, year=2024)
    assert [(f.rule_id, f.level) for f in found] == expected
    if found and state.shortfall:
        assert found[0].data["shortfall"] == str(state.shortfall)


def test_warnings_start_in_october():
    assert WARN_FROM_MONTH == 10


def test_the_finding_says_by_how_much():
    (finding,) = shortfall_findings(SHORT, today=dt.date(2024, 10, 8), year=2024)
    assert "12.0" in finding.message and "32" in finding.message
    (over,) = shortfall_findings(SHORT, today=dt.date(2025, 1, 8), year=2024)
    assert "未达到" in over.message


# ---------------------------------------------------------------------------------------------
# Session, 党课 and training hours


@pytest.mark.parametrize(
    ("value", "length", "ok"),
    [
        ("2", 2, True),
        ("1.5", 2, True),
        ("2.0", "2", True),
        ("0.1", 1, True),
        ("0", 2, False),
        ("-1", 2, False),
        ("2.1", 2, False),  # longer than the session
        ("1.25", 2, False),  # two decimals
        ("abc", 2, False),
        ("NaN", 2, False),
        ("Infinity", 2, False),
    ],
)
def test_check_session_hours(value, length, ok):
    assert (check_session_hours(value, length) is None) is ok


def test_check_session_hours_names_the_length():
    assert "1.5" in check_session_hours("2", D("1.5"))


@pytest.mark.parametrize(
    ("seconds", "tenths", "credit"),
    [
        (0, 0, "0"),
        (179, 0, "0"),
        (180, 1, "0.1"),  # 3 minutes are half a tenth: half-up
        (5400, 15, "1.5"),
        (4500, 13, "1.3"),  # 1 h 15 min = 1.25 h → 1.3
        (3900, 11, "1.1"),
        (4 * 3600, 40, "4"),
        (5 * 3600, 50, "4"),  # a 党课 credits at most 4 hours
    ],
)
def test_lesson_credit(seconds, tenths, credit):
    assert length_tenths(seconds) == tenths
    assert lesson_credit(seconds) == D(credit)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("2", True), ("0.5", True), ("0", False), ("1.25", False), ("x", False), ("1000", False)],
)
def test_check_plan_hours(value, ok):
    assert (check_plan_hours(value) is None) is ok


TODAY = dt.date(2024, 6, 30)


@pytest.mark.parametrize(
    ("started", "ended", "value", "fields"),
    [
        (dt.date(2024, 6, 1), dt.date(2024, 6, 1), "8", set()),
        (dt.date(2024, 6, 1), dt.date(2024, 6, 1), "24", set()),
        (dt.date(2024, 6, 1), dt.date(2024, 6, 1), "24.1", {"hours"}),  # more than a day holds
        (dt.date(2024, 6, 1), dt.date(2024, 6, 3), "72", set()),
        (dt.date(2024, 6, 1), dt.date(2024, 6, 3), "72.1", {"hours"}),
        (dt.date(2024, 6, 3), dt.date(2024, 6, 1), "8", {"ended_on"}),
        (dt.date(2024, 6, 29), dt.date(2024, 7, 2), "8", {"ended_on"}),  # not over yet
        (dt.date(2024, 7, 1), dt.date(2024, 7, 2), "8", {"started_on", "ended_on"}),
        (dt.date(2024, 6, 1), dt.date(2024, 6, 1), "0", {"hours"}),
        (dt.date(2024, 6, 1), dt.date(2024, 6, 1), "-2", {"hours"}),
        (dt.date(2024, 6, 1), dt.date(2024, 6, 1), "2.55", {"hours"}),
        (dt.date(2024, 6, 1), dt.date(2024, 6, 1), "abc", {"hours"}),
    ],
)
def test_check_training(started, ended, value, fields):
    assert set(check_training(started, ended, value, today=TODAY)) == fields


@pytest.mark.parametrize(
    ("earned", "bucket"),
    [("0", 0), ("0.1", 1), ("7.9", 1), ("8", 2), ("31.9", 4), ("32", 5), ("55.9", 5), ("56", 6)],
)
def test_hours_bucket(earned, bucket):
    assert hours_bucket(D(earned)) == bucket
    assert len(HOURS_BUCKET_BOUNDS) == len(HOURS_BUCKET_LABELS)


# ---------------------------------------------------------------------------------------------
# Self-tests


def test_score_quiz_all_or_nothing_per_question():
    key = {1: [0], 2: [0, 2], 3: [1], 4: [0]}
    result = score_quiz(key, {1: [0], 2: [2, 0], 3: [0], 4: []})
    assert (result.correct, result.total, result.score) == (2, 4, D("50.0"))
    assert result.wrong == (3, 4)


@pytest.mark.parametrize(
    ("answers", "score"),
    [
        ({1: [0], 2: [1], 3: [1]}, D("100.0")),
        ({1: [0], 2: [1]}, D("66.7")),  # unanswered counts as wrong; 2/3 rounds half-up
        ({1: [0]}, D("33.3")),
        ({}, D("0.0")),
        ({1: [0, 1], 2: [1], 3: [1]}, D("66.7")),  # a multiple answer to a single question
    ],
)
def test_score_quiz_scores(answers, score):
    assert score_quiz({1: [0], 2: [1], 3: [1]}, answers).score == score


def test_score_of_an_empty_key_is_zero():
    assert score_quiz({}, {}).score == 0


def test_draw_questions_is_repeatable_per_seed():
    pool = list(range(1, 51))
    first = draw_questions(pool, 10, "quiz-1:member-7")
    assert first == draw_questions(list(reversed(pool)), 10, "quiz-1:member-7")
    assert len(set(first)) == 10 and set(first) <= set(pool)
    assert first != draw_questions(pool, 10, "quiz-1:member-8")


def test_draw_questions_refuses_a_small_bank():
    with pytest.raises(ValueError, match="不足"):
        draw_questions([1, 2, 3], 4, "s")
    assert sorted(draw_questions([3, 1, 2, 2], 3, "s")) == [1, 2, 3]


# ---------------------------------------------------------------------------------------------
# Member points


def _ev(action, day, source_id=1, source_type="x"):
    return PointEvent(action, source_type, source_id, day)


def test_daily_cap():
    day = dt.date(2024, 3, 1)
    events = [_ev("meeting_attended", day, i) for i in range(3)]  # 2 each, at most 4 a day
    awards = award_points(events)
    assert [a.points for a in awards] == [D(2), D(2), D(0)]
    assert [a.capped_from for a in awards] == [None, None, D(2)]


def test_yearly_cap():
    events = [_ev("training_completed", dt.date(2024, m, 1), m) for m in range(1, 7)]
    awards = award_points(events)  # 3 each, at most 12 a year
    assert sum(a.points for a in awards) == D(12)
    assert [a.points for a in awards] == [D(3)] * 4 + [D(0)] * 2


def test_a_cap_cuts_part_of_an_award():
    scheme = PointSchemeData(
        "试行",
        1,
        dt.date(2024, 1, 1),
        70,
        (PointRuleData("volunteer", D("3"), D("5"), D("0")),),
    )
    day = dt.date(2024, 5, 1)
    awards = award_points([_ev("volunteer", day, 1), _ev("volunteer", day, 2)], [scheme])
    assert [(a.points, a.capped_from) for a in awards] == [(D(3), None), (D(2), D(3))]


def test_events_are_awarded_in_date_order_and_unknown_actions_get_nothing():
    events = [_ev("quiz_passed", dt.date(2024, 5, 2), 2), _ev("nothing", dt.date(2024, 5, 1))]
    events.append(_ev("quiz_passed", dt.date(2024, 5, 1), 1))
    awards = award_points(events)
    assert [a.event.source_id for a in awards] == [1, 2]


V1 = PointSchemeData(
    "第1版", 1, dt.date(2024, 1, 1), 70, (PointRuleData("meeting_attended", D("1")),)
)
V2 = PointSchemeData(
    "第2版",
    2,
    dt.date(2024, 7, 1),
    80,
    (PointRuleData("meeting_attended", D("5"), D("0"), D("6")),),
)


def test_two_scheme_versions():
    events = [
        _ev("meeting_attended", dt.date(2024, 6, 30), 1),  # version 1: 1 point
        _ev("meeting_attended", dt.date(2024, 7, 1), 2),  # version 2: 5 points, 6 a year
        _ev("meeting_attended", dt.date(2024, 8, 1), 3),  # version 2: 1 left of its year cap
    ]
    awards = award_points(events, [V2, V1])
    assert [a.points for a in awards] == [D(1), D(5), D(0)]
    assert scheme_for([V1, V2], dt.date(2023, 12, 31)) is DEFAULT_POINT_SCHEME
    assert scheme_for([V1, V2], dt.date(2024, 7, 1)) is V2


def test_the_default_scheme_follows_r_local_08():
    assert DEFAULT_POINT_SCHEME.baseline == 70
    assert DEFAULT_POINT_SCHEME.rule_for("meeting_attended").yearly_cap == D(40)


@pytest.mark.parametrize(
    ("points", "daily", "yearly", "fields"),
    [
        ("2", "4", "40", set()),
        ("2", "0", "0", set()),
        ("-1", "0", "0", {"points"}),
        ("2.55", "0", "0", {"points"}),
        ("x", "0", "0", {"points"}),
        ("1001", "0", "0", {"points"}),
        ("3", "2", "0", {"daily_cap"}),  # a day's cap below one award
        ("2", "10", "5", {"yearly_cap"}),  # the year's cap below the day's
        ("2", "0", "5", set()),
    ],
)
def test_check_point_rule(points, daily, yearly, fields):
    assert set(check_point_rule(points, daily, yearly)) == fields


# ---------------------------------------------------------------------------------------------
# Review fixes: numbers that are no hours, the rule cited for a committee member, the chart


ODD_NUMBERS = ["1e30", "-1e30", "NaN", "sNaN", "-0", "1e-30", "1e999999", " ", None]


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_numbers_are_refused_never_raised(value):
    """1e30 made the rounding raise decimal.InvalidOperation (a 500 on the pages)."""
    assert check_session_hours(value, 2)
    assert check_plan_hours(value)
    assert set(check_training(dt.date(2024, 6, 1), dt.date(2024, 6, 1), value, today=TODAY)) == {
        "hours"
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "学时应为数字"),
        ("-0", "学时应大于0"),
        ("1e-30", "最多保留一位小数"),
        ("1e30", "不能超过本次学习的时长"),
    ],
)
def test_odd_numbers_get_the_fitting_message(value, message):
    assert message in check_session_hours(value, 2)


def test_the_committee_rule_is_cited_whatever_the_figure():
    """A deployment may set R-EDU-02's figure to 32: the rule cited is still R-EDU-02 for a
    secretary or committee member (it was chosen by `required > 32`)."""
    late = dt.date(2024, 11, 1)
    committee = standing(
        D("20"), is_committee_member=True, exempt=False, has_concentrated=True, committee_hours=32
    )
    assert committee.is_committee_member and committee.required == 32
    assert [f.rule_id for f in shortfall_findings(committee, today=late, year=2024)] == ["R-EDU-02"]
    ordinary = standing(D("20"), is_committee_member=False, exempt=False)
    assert [f.rule_id for f in shortfall_findings(ordinary, today=late, year=2024)] == ["R-EDU-01"]
    # the keyword overrides the standing's own flag
    found = shortfall_findings(ordinary, today=late, year=2024, is_committee_member=True)
    assert [f.rule_id for f in found] == ["R-EDU-02"]


@pytest.mark.parametrize(
    ("committee_hours", "labels", "earned", "bucket"),
    [
        (56, ("0学时", "0-8", "8-16", "16-24", "24-32", "32-56", "56及以上"), "56", 6),
        (40, ("0学时", "0-8", "8-16", "16-24", "24-32", "32-40", "40及以上"), "45", 6),
        (40, ("0学时", "0-8", "8-16", "16-24", "24-32", "32-40", "40及以上"), "39.9", 5),
        (32, ("0学时", "0-8", "8-16", "16-24", "24-32", "32及以上"), "60", 5),
    ],
)
def test_chart_buckets_follow_the_committee_figure(committee_hours, labels, earned, bucket):
    from dangjian.rules.study import hours_bucket_bounds, hours_bucket_labels

    assert hours_bucket_labels(committee_hours) == labels
    assert len(hours_bucket_bounds(committee_hours)) == len(labels)
    assert hours_bucket(D(earned), committee_hours) == bucket
