"""Aggregation of the judges' scores through `scoring.stop_results` (R-LOCAL-09): a plain mean
below `trim_min_judges` judges, one highest and one lowest dropped from it on; only submitted
sheets count; a judge far from the others is flagged; units ranked by their mean stop score
on a 100-point scale (equal scores share a rank)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.assessment.helpers_obs import (
    make_meeting,
    make_sheet,
    make_users,
    overall,
    score_all,
    stops_of,
)

from dangjian.assessment import selectors_observation as sel
from dangjian.assessment.scoring import stop_results

pytestmark = pytest.mark.django_db


def _scored(tree, marks, **kwargs):
    """A live meeting without a sheet; judge i gives marks[i] at the first stop."""
    users = make_users("j", len(marks))
    meeting = make_meeting(tree, judges=users, live=True, **kwargs)
    first = stops_of(meeting)[0]
    for user, mark in zip(users, marks, strict=True):
        overall(meeting, user, first, mark)
    return meeting, users, first


def test_four_judges_plain_mean(tree):
    meeting, _users, _first = _scored(tree, ["90", "85", "80", "95"])
    result = stop_results(meeting)[0]
    assert result.score == Decimal("87.50")
    assert sorted(result.judge_totals.values()) == [80, 85, 90, 95]
    assert result.outliers == {}
    row = sel.results_of(meeting)[0]
    assert row.trimmed is False and row.submitted == 4 and row.assigned == 4


def test_five_judges_drop_highest_and_lowest(tree):
    meeting, users, _first = _scored(
        tree, ["90", "85", "80", "95", "60"], outlier_points=Decimal("15")
    )
    result = stop_results(meeting)[0]
    # (80 + 85 + 90) / 3: 60 and 95 dropped
    assert result.score == Decimal("85.00")
    row = sel.results_of(meeting)[0]
    assert row.trimmed is True
    flagged = {s.judge.user_id: s.outlier for s in row.scores if s.outlier is not None}
    # 60 sits 27.5 below the others' median (87.5); 95 only 12.5 above theirs (82.5)
    assert flagged == {users[4].pk: Decimal("-27.50")}


def test_trimming_threshold_is_configurable(tree):
    meeting, *_ = _scored(tree, ["90", "85", "80", "95", "60"], trim_min_judges=0)
    assert stop_results(meeting)[0].score == Decimal("82.00")
    assert sel.results_of(meeting)[0].trimmed is False


def test_four_judges_trimmed_when_configured_at_four(tree):
    meeting, *_ = _scored(tree, ["90", "85", "80", "95"], trim_min_judges=4)
    # (85 + 90) / 2
    assert stop_results(meeting)[0].score == Decimal("87.50")
    assert sel.results_of(meeting)[0].trimmed is True


def test_rounding_half_up_to_a_cent(tree):
    meeting, *_ = _scored(tree, ["90", "85", "85.01"])
    # 260.01 / 3 = 86.67
    assert stop_results(meeting)[0].score == Decimal("86.67")


def test_only_submitted_sheets_count(tree):
    users = make_users("j", 3)
    meeting = make_meeting(tree, judges=users, live=True)
    first = stops_of(meeting)[0]
    overall(meeting, users[0], first, "90")
    overall(meeting, users[1], first, "70")
    overall(meeting, users[2], first, "10", submit=False)
    result = stop_results(meeting)[0]
    assert result.score == Decimal("80.00") and len(result.judge_totals) == 2
    row = sel.results_of(meeting)[0]
    assert (row.submitted, row.in_progress, row.assigned) == (2, 1, 3)
    assert sel.unsubmitted_count(sel.results_of(meeting)) == 1
    # the live counts include the unsent one; the ranking does not
    assert len(stop_results(meeting, submitted_only=False)[0].judge_totals) == 3


def test_sheet_scores_and_unit_ranking_on_a_hundred_point_scale(tree):
    users = make_users("j", 5)
    sheet = make_sheet(tree.root)  # 40 points: 10 + 10 + 20
    meeting = make_meeting(tree, sheet=sheet, judges=users, live=True)
    first, second = stops_of(meeting)
    marks_a = [
        ["9", "9", "18"],
        ["8", "8", "16"],
        ["10", "10", "20"],
        ["7", "7", "14"],
        ["9", "8", "17"],
    ]  # totals 36, 32, 40, 28, 34 → trimmed (32 + 34 + 36) / 3 = 34
    for user, marks in zip(users, marks_a, strict=True):
        score_all(meeting, user, first, marks)
    for user in users[:4]:  # 4 judges, plain mean of 30 × 4 = 30
        score_all(meeting, user, second, ["7.5", "7.5", "15"])
    a, b = stop_results(meeting)
    assert a.score == Decimal("34.00") and b.score == Decimal("30.00")
    rows = sel.results_of(meeting)
    ranking = sel.ranking_of(meeting, rows)
    assert [(r.rank, r.org, r.score, r.stops) for r in ranking] == [
        (1, tree.party_group_a, Decimal("85.00"), 1),
        (2, tree.party_group_b, Decimal("75.00"), 1),
    ]


def test_equal_scores_share_a_rank(tree):
    users = make_users("j", 2)
    meeting = make_meeting(
        tree,
        judges=users,
        live=True,
        stops=[
            (tree.party_group_a, "甲", "board", 10),
            (tree.party_group_b, "乙", "board", 10),
            (tree.branch_a, "丙", "room", 10),
        ],
    )
    s1, s2, s3 = stops_of(meeting)
    for user in users:
        overall(meeting, user, s1, "88")
        overall(meeting, user, s2, "88")
        overall(meeting, user, s3, "90")
    ranking = sel.ranking_of(meeting, sel.results_of(meeting))
    assert [(r.rank, r.score) for r in ranking] == [
        (1, Decimal("90.00")),
        (2, Decimal("88.00")),
        (2, Decimal("88.00")),
    ]


def test_a_unit_with_two_stops_gets_their_mean(tree):
    users = make_users("j", 1)
    meeting = make_meeting(
        tree,
        judges=users,
        live=True,
        stops=[
            (tree.party_group_b, "门口展板", "board", 10),
            (tree.party_group_b, "四楼合唱", "activity", 20),
        ],
    )
    s1, s2 = stops_of(meeting)
    overall(meeting, users[0], s1, "80")
    overall(meeting, users[0], s2, "91")
    ranking = sel.ranking_of(meeting, sel.results_of(meeting))
    assert [(r.org, r.score, r.stops) for r in ranking] == [
        (tree.party_group_b, Decimal("85.50"), 2)
    ]
