"""书记赛党建: weights summing to 100 (boundaries), star lines, totals computed from real
records (a reviewed assessment, submitted score sheets, ballots), ranking ties, the R-LOCAL-07
star boundaries, the publication snapshot, entries and their secretaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from tests.assessment import helpers_contest as h

from dangjian.assessment import selectors_contest as sel
from dangjian.assessment import services_contest as services
from dangjian.assessment import services_review
from dangjian.assessment.models import (
    Assessment,
    ContestEntry,
    ContestStatus,
    SecretaryContest,
)
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.orgs.services import seat_assign

D = Decimal
pytestmark = pytest.mark.django_db


# --- weights (R-LOCAL-09) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ((50, 30, 20), None),
        ((100, 0, 0), None),
        (("33.33", "33.33", "33.34"), None),
        (("50", "30", "20.01"), "各部分权重之和须为100%，现为100.01%"),
        (("50", "30", "19.99"), "各部分权重之和须为100%，现为99.99%"),
        ((0, 0, 0), "各部分权重之和须为100%，现为0.00%"),
        ((60, -10, 50), "现场观摩权重不能为负数"),
        ((120, -10, -10), "日常考核权重不能超过100%"),
        (("50.001", "30", "19.999"), "日常考核权重最多保留两位小数"),
    ],
)
def test_weights_must_sum_to_100(tree, personas, weights, message):
    if message is None:
        contest = h.contest(personas.committee_admin, tree.root, weights=weights)
        assert contest.routine_weight + contest.observation_weight + contest.review_weight == 100
        return
    with pytest.raises(AppError) as exc:
        h.contest(personas.committee_admin, tree.root, weights=weights)
    assert exc.value.message == message
    assert exc.value.field in ("routine_weight", "observation_weight", "review_weight")
    assert not SecretaryContest.objects.unscoped().exists()
    assert not AuditEntry.objects.filter(action__startswith="assessment.contest").exists()


def test_default_weights_and_stars(tree, personas):
    contest = services.contest_create(
        actor=personas.committee_admin, owner=tree.root, year=2025, name="书记赛党建"
    )
    assert (contest.routine_weight, contest.observation_weight, contest.review_weight) == (
        D(50),
        D(30),
        D(20),
    )
    assert contest.star_thresholds == [["95", 5], ["90", 4], ["85", 3], ["80", 2]]
    entry = AuditEntry.objects.get(action="assessment.contest.created")
    assert entry.changes["weights"] == ["50", "30", "20"] and entry.org_path == tree.root.path


def test_update_weights_checked_together(tree, personas):
    admin = personas.committee_admin
    contest = h.contest(admin, tree.root)
    with pytest.raises(AppError) as exc:
        services.contest_update(actor=admin, contest=contest, routine_weight=D(60))
    assert "现为110.00%" in exc.value.message
    contest = services.contest_update(
        actor=admin, contest=contest, routine_weight=D(60), observation_weight=D(20)
    )
    contest.refresh_from_db()
    assert (contest.routine_weight, contest.observation_weight) == (D(60), D(20))
    entry = AuditEntry.objects.get(action="assessment.contest.updated")
    assert entry.changes["routine_weight"] == ["50.00", "60"]


# --- star lines (R-LOCAL-07) ---------------------------------------------------------------------


def test_star_lines_parsed_from_text():
    assert services.parse_star_thresholds("95 5\n90分 4星\n\n85,3\n80：2") == [
        ["95", 5],
        ["90", 4],
        ["85", 3],
        ["80", 2],
    ]
    assert services.parse_star_thresholds("92.5 3") == [["92.5", 3]]
    assert services.parse_star_thresholds("") == []


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("90 4\n95 5", "从高到低"),
        ("95 5\n95 4", "从高到低"),
        ("95 3\n90 4", "星数应越多"),
        ("101 5", "0至100"),
        ("-1 5", "0至100"),
        ("95 11", "1至10"),
        ("95 0", "1至10"),
        ("95", "分数线 星数"),
        ("abc 5", "分数线 星数"),
        ("95.123 5", "两位小数"),
    ],
)
def test_bad_star_lines(tree, personas, text, fragment):
    with pytest.raises(AppError) as exc:
        h.contest(personas.committee_admin, tree.root, star_thresholds=text)
    assert fragment in exc.value.message and exc.value.field == "star_thresholds"
    assert not SecretaryContest.objects.unscoped().exists()


# --- access ------------------------------------------------------------------------------------


def test_only_managers_of_the_owner_create_and_edit(tree, personas):
    from django.http import Http404

    with pytest.raises(Http404):
        h.contest(personas.unit_admin, tree.root)
    with pytest.raises(Http404):
        h.contest(personas.secretary_a, tree.branch_a)
    contest = h.contest(personas.unit_admin, tree.party_group_a)
    with pytest.raises(Http404):
        services.contest_update(actor=personas.secretary_a, contest=contest, name="x")
    dup = pytest.raises(AppError)
    with dup as exc:
        h.contest(personas.unit_admin, tree.party_group_a)
    assert exc.value.field == "name"


# --- entries -----------------------------------------------------------------------------------


def test_entries_in_the_owners_subtree_with_their_secretary(tree, personas):
    admin = personas.committee_admin
    seat_assign(
        actor=None,
        org=tree.branch_a,
        member=tree.members_a[0],
        role="secretary",
        started_on=dt.date(2024, 1, 1),
    )
    contest = h.contest(admin, tree.root)
    entries = services.entries_set(
        actor=admin, contest=contest, orgs=[tree.branch_a, tree.party_group_b]
    )
    names = {e.org_id: e.secretary_name for e in entries}
    assert names == {tree.branch_a.pk: tree.members_a[0].name, tree.party_group_b.pk: ""}
    # set again: one kept (its name untouched), one removed, one added
    ContestEntry.objects.unscoped().filter(org=tree.branch_a).update(secretary_name="改过的名字")
    services.entries_set(actor=admin, contest=contest, orgs=[tree.branch_a, tree.branch_b])
    rows = dict(
        ContestEntry.objects.unscoped()
        .filter(contest=contest)
        .values_list("org_id", "secretary_name")
    )
    assert rows == {tree.branch_a.pk: "改过的名字", tree.branch_b.pk: ""}
    with pytest.raises(AppError) as exc:
        services.entries_set(actor=admin, contest=contest, orgs=[tree.root])
    assert exc.value.field == "orgs"
    unit_contest = h.contest(personas.unit_admin, tree.party_group_a)
    with pytest.raises(AppError):
        services.entry_add(actor=personas.unit_admin, contest=unit_contest, org=tree.branch_c)
    with pytest.raises(AppError) as exc:
        services.entry_add(actor=admin, contest=contest, org=tree.branch_a)
    assert "已在参赛单位中" in exc.value.message


# --- totals from real records ----------------------------------------------------------------


def _full_contest(tree, personas):
    """Two units, all three parts from records:

    甲局党组: assessment 108 of 120 → 90.00; stops of 第一党支部 [80, 90] → 85.00; ballots
    good, good, poor → 66.67 %; total 90×0.5 + 85×0.3 + 66.67×0.2 = 83.83 → ★★.
    乙局党组: assessment 120 of 120 → 100; stop of 乙局党支部 [100, 96] → 98; ballots 3 × good
    → 100 %; total 50 + 29.4 + 20 = 99.40 → ★★★★★."""
    admin = personas.committee_admin
    # full marks 60 + 50 + 加分 10 = 120 (R-LOCAL-06: the bonus counts in the full marks)
    scheme = h.scheme(tree.root, maxima=(60, 50))
    contest = h.contest(admin, tree.root, scheme_=scheme)
    services.entries_set(
        actor=admin, contest=contest, orgs=[tree.party_group_a, tree.party_group_b]
    )
    h.assessment(scheme, tree.party_group_a, 108)
    h.assessment(scheme, tree.party_group_b, 120)
    h.observation(tree.root, contest, [(tree.branch_a, [80, 90]), (tree.branch_c, [100, 96])])
    voters = h.voters(3)
    review = h.review(
        admin, tree.root, [tree.party_group_a, tree.party_group_b], voters, contest_=contest
    )
    reports = {r.org_id: r.pk for r in review.reports.all()}
    for voter, grade_a in zip(voters, ["good", "good", "poor"], strict=True):
        services_review.ballot_cast(
            actor=voter,
            review=review,
            grades={
                reports[tree.party_group_a.pk]: grade_a,
                reports[tree.party_group_b.pk]: "good",
            },
        )
    return contest, review, scheme


def test_open_review_counts_as_missing_in_a_draft(tree, personas):
    """A draft contest's standings take the 述职评议 part from closed votes only: a live rate
    per secretary would tell the managers the grades of whoever voted in between two looks
    (issue #6, item 2)."""
    contest, _review, _scheme = _full_contest(tree, personas)
    standings = {s.org.pk: s for s in sel.contest_standings(contest)}
    a = standings[tree.party_group_a.pk]
    assert a.review is None and a.missing == ["述职评议"]
    assert a.total == D("70.50")  # 90 × 0.5 + 85 × 0.3, the review part counting zero
    assert sel.review_scores(contest, [tree.party_group_a]) == {}
    assert sel.review_scores(contest, [tree.party_group_a], closed_only=False) == {
        tree.party_group_a.pk: D("66.67")
    }


def test_weighted_totals_from_real_records(tree, personas):
    contest, review, _scheme = _full_contest(tree, personas)
    services_review.review_close(actor=personas.committee_admin, review=review)
    standings = sel.contest_standings(contest)
    got = [
        (s.org.pk, s.routine, s.observation, s.review, s.total, s.rank, s.stars, s.missing)
        for s in standings
    ]
    assert got == [
        (tree.party_group_b.pk, D("100.00"), D("98.00"), D("100.00"), D("99.40"), 1, 5, []),
        (tree.party_group_a.pk, D("90.00"), D("85.00"), D("66.67"), D("83.83"), 2, 2, []),
    ]


def test_missing_parts_count_zero_and_are_named(tree, personas):
    admin = personas.committee_admin
    scheme = h.scheme(tree.root, maxima=(90,))  # full marks 90 + 加分 10 = 100
    contest = h.contest(admin, tree.root, scheme_=scheme)
    services.entries_set(
        actor=admin, contest=contest, orgs=[tree.party_group_a, tree.party_group_b]
    )
    h.assessment(scheme, tree.party_group_a, 90)
    h.assessment(scheme, tree.party_group_b, None)  # not reviewed yet: no final total
    standings = {s.org.pk: s for s in sel.contest_standings(contest)}
    a, b = standings[tree.party_group_a.pk], standings[tree.party_group_b.pk]
    assert a.total == D("45.00") and a.missing == ["现场观摩", "述职评议"]
    assert b.total == D("0.00") and b.missing == ["日常考核", "现场观摩", "述职评议"]
    assert sel.missing_summary([a, b]) == {"日常考核": 1, "现场观摩": 2, "述职评议": 2}
    # a part with no weight is never "missing"
    services.contest_update(
        actor=admin,
        contest=contest,
        routine_weight=D(100),
        observation_weight=D(0),
        review_weight=D(0),
    )
    contest.refresh_from_db()
    a = next(s for s in sel.contest_standings(contest) if s.org.pk == tree.party_group_a.pk)
    assert a.missing == [] and a.total == D("90.00")


def test_observation_score_of_a_stop_below_the_entry(tree, personas):
    """Stops shown by two branches of 甲局 count for the 甲局党组 entry (each shown org once);
    a stop of a unit not in the contest counts for nobody."""
    admin = personas.committee_admin
    contest = h.contest(admin, tree.root, weights=(0, 100, 0))
    services.entries_set(actor=admin, contest=contest, orgs=[tree.party_group_a])
    h.observation(
        tree.root,
        contest,
        [(tree.branch_a, [80, 80]), (tree.branch_b, [90, 90]), (tree.branch_c, [10, 10])],
    )
    [standing] = sel.contest_standings(contest)
    assert standing.observation == D("85.00") and standing.total == D("85.00")


def test_trimmed_mean_of_five_judges_feeds_the_contest(tree, personas):
    admin = personas.committee_admin
    contest = h.contest(admin, tree.root, weights=(0, 100, 0))
    services.entries_set(actor=admin, contest=contest, orgs=[tree.party_group_b])
    # five judges: the highest (100) and lowest (60) dropped → mean of 80, 85, 90 = 85
    h.observation(tree.root, contest, [(tree.branch_c, [60, 80, 85, 90, 100])])
    [standing] = sel.contest_standings(contest)
    assert standing.observation == D("85.00")


def _routine_only(tree, personas, totals):
    admin = personas.committee_admin
    scheme = h.scheme(tree.root, maxima=(90,))  # full marks 90 + 加分 10 = 100
    contest = h.contest(admin, tree.root, weights=(100, 0, 0), scheme_=scheme)
    orgs = [tree.party_group_a, tree.organ_a, tree.branch_a, tree.branch_b, tree.branch_c][
        : len(totals)
    ]
    services.entries_set(actor=admin, contest=contest, orgs=orgs)
    for org, total in zip(orgs, totals, strict=True):
        h.assessment(scheme, org, total)
    return contest, orgs


def test_stars_boundaries_r_local_07(tree, personas):
    contest, orgs = _routine_only(tree, personas, ["95", "94.99", "80", "79.99"])
    stars = {s.org.pk: (s.total, s.stars) for s in sel.contest_standings(contest)}
    assert [stars[o.pk] for o in orgs] == [
        (D("95.00"), 5),
        (D("94.99"), 4),
        (D("80.00"), 2),
        (D("79.99"), 0),
    ]


def test_ranking_ties_share_a_place(tree, personas):
    contest, orgs = _routine_only(tree, personas, ["88", "92", "88", "70"])
    ranks = {s.org.pk: s.rank for s in sel.contest_standings(contest)}
    assert [ranks[o.pk] for o in orgs] == [2, 1, 2, 4]
    order = [s.org.pk for s in sel.contest_standings(contest)]
    assert order[0] == orgs[1].pk and order[-1] == orgs[3].pk


# --- publication -------------------------------------------------------------------------------


def test_publication_freezes_the_snapshot(tree, personas):
    admin = personas.committee_admin
    contest, review, _scheme = _full_contest(tree, personas)
    with pytest.raises(AppError) as exc:
        services.contest_publish(actor=admin, contest=contest)
    assert "尚在投票中" in exc.value.message
    services_review.review_close(actor=admin, review=review)
    before = [(s.org.pk, s.total, s.rank, s.stars) for s in sel.contest_standings(contest)]
    services.contest_publish(actor=admin, contest=contest)
    contest.refresh_from_db()
    assert contest.status == ContestStatus.PUBLISHED and contest.published_by == admin
    rows = {
        e.org_id: (e.routine_score, e.observation_score, e.review_score, e.total, e.rank, e.stars)
        for e in ContestEntry.objects.unscoped().filter(contest=contest)
    }
    assert rows[tree.party_group_a.pk] == (
        D("90.00"),
        D("85.00"),
        D("66.67"),
        D("83.83"),
        2,
        2,
    )
    # later records change nothing of the published ranking
    Assessment.objects.unscoped().filter(org=tree.party_group_a).update(final_total=D(120))
    h.observation(tree.root, contest, [(tree.branch_a, [100, 100])])
    after = [(s.org.pk, s.total, s.rank, s.stars) for s in sel.contest_standings(contest)]
    assert after == before
    # while a live computation would now differ
    live = {s.org.pk: s.total for s in sel.compute_standings(contest)}
    assert live[tree.party_group_a.pk] != D("83.83")
    with pytest.raises(AppError):
        services.contest_update(actor=admin, contest=contest, name="改名")
    with pytest.raises(AppError):
        services.contest_publish(actor=admin, contest=contest)
    entry = AuditEntry.objects.get(action="assessment.contest.published")
    assert entry.changes["entries"] == 2
    assert entry.changes["ranking"][0] == [tree.party_group_b.pk, "99.40", 1, 5]


def test_unpublish_needs_a_reason_and_goes_back_to_live(tree, personas):
    admin = personas.committee_admin
    contest, orgs = _routine_only(tree, personas, ["90"])
    services.contest_publish(actor=admin, contest=contest)
    with pytest.raises(AppError) as exc:
        services.contest_unpublish(actor=admin, contest=contest, reason=" ")
    assert exc.value.field == "reason"
    Assessment.objects.unscoped().filter(org=orgs[0]).update(final_total=D(96))
    services.contest_unpublish(actor=admin, contest=contest, reason="复核分数更正")
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DRAFT and contest.published_at is None
    assert ContestEntry.objects.unscoped().get(contest=contest).total is None
    [s] = sel.contest_standings(contest)
    assert (s.total, s.stars) == (D("96.00"), 5)
    assert AuditEntry.objects.get(action="assessment.contest.unpublished").changes["reason"] == (
        "复核分数更正"
    )


def test_publish_needs_entries(tree, personas):
    contest = h.contest(personas.committee_admin, tree.root)
    with pytest.raises(AppError) as exc:
        services.contest_publish(actor=personas.committee_admin, contest=contest)
    assert exc.value.message == "请先选择参赛单位。"
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DRAFT


def test_standings_query_count_does_not_grow_with_entries(
    tree, personas, django_assert_max_num_queries
):
    contest, _review, _scheme = _full_contest(tree, personas)
    with django_assert_max_num_queries(12):
        assert len(sel.compute_standings(contest)) == 2
    admin = personas.committee_admin
    services.entries_set(
        actor=admin,
        contest=contest,
        orgs=[tree.party_group_a, tree.party_group_b, tree.organ_a, tree.branch_a, tree.branch_b],
    )
    with django_assert_max_num_queries(12):
        assert len(sel.compute_standings(contest)) == 5
