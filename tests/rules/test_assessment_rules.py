"""Table-driven tests of dangjian.rules.assessment: trimmed means at the 4/5-judge boundary,
rounding half-up, deduction caps (R-LOCAL-05/06/10), weights summing to 100 (R-LOCAL-09),
star lines (R-LOCAL-07), the 述职评议 rate (R-ORG-17) and competition ranks."""

import subprocess
import sys
from decimal import Decimal as D

import pytest

from dangjian.rules import RULES
from dangjian.rules.assessment import (
    DEFAULT_WEIGHTS,
    check_points,
    check_weights,
    competition_ranks,
    deduction_score,
    outliers,
    ratio_score,
    review_rate,
    stars,
    stop_score,
    to_hundred,
    weighted_total,
)


def test_the_rules_are_registered_with_their_ids():
    for rule_id in ("R-LOCAL-05", "R-LOCAL-06", "R-LOCAL-07", "R-LOCAL-09", "R-ORG-17"):
        assert rule_id in RULES


def test_pure_no_django():
    code = "import sys, dangjian.rules.assessment; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "scores, expected",
    [
        (["90"], "90.00"),
        (["90", "80"], "85.00"),
        # four judges: plain mean, nothing trimmed
        (["90", "80", "70", "100"], "85.00"),
        # five judges: drop 100 and 60, mean of 90, 80, 70
        (["90", "80", "70", "100", "60"], "80.00"),
        # six judges: drop one highest and one lowest only, even when tied
        (["90", "90", "80", "80", "70", "70"], "80.00"),
        # rounding half-up to 0.01: 85.555 → 85.56 (banker's rounding would give 85.56 too;
        # 85.545 tells them apart)
        (["85.545", "85.545"], "85.55"),
        (["80", "85.5", "91"], "85.50"),
    ],
)
def test_stop_score(scores, expected):
    assert stop_score([D(s) for s in scores]) == D(expected)


def test_stop_score_trim_is_configurable():
    scores = [D("90"), D("80"), D("70"), D("100")]
    assert stop_score(scores, trim_min=4) == D("85.00")  # drop 100 and 70
    assert stop_score([*scores, D("60")], trim_min=0) == D("80.00")  # never trim: mean of 5


def test_stop_score_needs_a_score():
    with pytest.raises(ValueError):
        stop_score([])


def test_outliers_flag_the_judge_far_from_the_others():
    scores = {1: D("90"), 2: D("88"), 3: D("91"), 4: D("60")}
    found = outliers(scores, D("10"))
    assert set(found) == {4}
    assert found[4] == D("-30.00")  # 60 − median(90, 88, 91)
    assert outliers({1: D("90"), 2: D("60")}, D("10")) == {}  # two judges say nothing


@pytest.mark.parametrize(
    "max_points, per, n, expected",
    [
        ("15", "3", 0, "15.00"),
        ("15", "3", 2, "9.00"),
        ("15", "3", 5, "0.00"),
        ("15", "3", 6, "0.00"),  # capped at the indicator's maximum: never negative
        ("10", "0.1", 7, "9.30"),  # R-LOCAL-10 style
    ],
)
def test_deduction_score(max_points, per, n, expected):
    assert deduction_score(D(max_points), D(per), n) == D(expected)


def test_deduction_refuses_negative_occurrences():
    with pytest.raises(ValueError):
        deduction_score(D("10"), D("1"), -1)


@pytest.mark.parametrize(
    "done, due, expected", [(3, 4, "7.50"), (0, 4, "0.00"), (5, 4, "10.00"), (0, 0, "10.00")]
)
def test_ratio_score(done, due, expected):
    assert ratio_score(D("10"), done, due) == D(expected)


@pytest.mark.parametrize(
    "points, message",
    [("0", None), ("10", None), ("10.01", "超过"), ("-0.01", "负数"), ("9.999", "两位小数")],
)
def test_check_points(points, message):
    result = check_points(D(points), D("10"))
    assert (result is None) if message is None else (message in result)


def test_weights_must_sum_to_100():
    assert check_weights(DEFAULT_WEIGHTS) is None
    assert "100" in check_weights(
        {"routine": D("50"), "observation": D("30"), "review": D("19.99")}
    )
    assert "100" in check_weights({"routine": D("60"), "observation": D("30"), "review": D("20")})
    assert "负数" in check_weights({"routine": D("120"), "observation": D("-20"), "review": D("0")})


def test_weighted_total():
    parts = {"routine": D("90"), "observation": D("80"), "review": D("100")}
    assert weighted_total(parts, DEFAULT_WEIGHTS) == D("89.00")  # 45 + 24 + 20
    parts["review"] = None  # a missing part counts zero
    assert weighted_total(parts, DEFAULT_WEIGHTS) == D("69.00")


def test_to_hundred():
    assert to_hundred(D("45"), D("50")) == D("90.00")
    assert to_hundred(D("1"), D("3")) == D("33.33")
    assert to_hundred(D("1"), D("0")) == D("0")


@pytest.mark.parametrize(
    "total, expected",
    [("100", 5), ("95", 5), ("94.99", 4), ("90", 4), ("85", 3), ("80", 2), ("79.99", 0)],
)
def test_stars_r_local_07(total, expected):
    assert stars(D(total)) == expected


def test_stars_custom_lines():
    assert stars(D("70"), [(D("60"), 1), (D("75"), 3)]) == 1


def test_review_rate():
    assert review_rate({}) == (0, D("0"))
    assert review_rate({"good": 3, "fairly_good": 1, "average": 1, "poor": 1}) == (6, D("66.67"))
    assert review_rate({"poor": 2}) == (2, D("0.00"))


def test_competition_ranks_share_ties_and_skip():
    ranks = competition_ranks({"a": D("90"), "b": D("95"), "c": D("90"), "d": D("80")})
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4}
