"""Reads of 发展党员: access (404 outside), the engine's view (events, facts), the timeline of
the 25 steps, the board (bounded queries with 30 candidates), the list, the hub counts and the
approvals waiting for the committee above."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from dangjian.core.permissions import Cap
from dangjian.recruitment import selectors as sel
from dangjian.recruitment import services
from dangjian.rules.recruitment_steps import STANDARD_STEPS, STEPS
from tests.conftest import PERSONA_NAMES
from tests.recruitment.conftest import START, date_of, make_candidate, schedule, today_after

READ = {"committee_admin", "unit_admin", "secretary_a"}
APPROVE = {"committee_admin", "unit_admin"}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_access_candidate_table(tree, personas, candidate_factory, persona):
    c = candidate_factory(upto="application")
    user = personas.by_name(persona)
    for need, allowed in ((Cap.RECRUIT_MANAGE, READ), (Cap.RECRUIT_APPROVE, APPROVE)):
        if persona in allowed:
            assert sel.access_candidate(user, c.pk, need=need) == c
        else:
            with pytest.raises(Http404):
                sel.access_candidate(user, c.pk, need=need)
    for bad in ("x", None, -1, 2**63):
        with pytest.raises(Http404):
            sel.access_candidate(user, bad)


def test_events_and_facts(tree, candidate_factory):
    c = candidate_factory(upto="training")
    events = sel.events_of(c)
    assert events["application"] == START
    assert events["assessment"] == [on for code, on in schedule() if code == "assessment"]
    facts = sel.facts_of(c)
    assert facts["contacts"] == 1 and facts["introducers"] == 2
    assert facts["training_days"] == 3 and facts["political_review_passed"] is True
    assert facts["publicity_end"] == date_of("prospect_publicity") + dt.timedelta(days=13)
    assert facts["organ_committee"] is True  # 甲局 has a 机关党委 (R-ORG-14)
    c_c = make_candidate(tree.branch_c, upto="application", name="林四")
    assert sel.facts_of(c_c)["organ_committee"] is False  # 乙局: the 机关工委 approves


def test_timeline_shows_every_step_in_five_phases(tree, candidate_factory):
    c = candidate_factory(upto="activist")
    today = today_after("activist")
    line = sel.timeline(c, today)
    assert [p.number for p in line.phases] == [1, 2, 3, 4, 5]
    rows = [r for p in line.phases for r in p.rows]
    assert [r.code for r in rows] == [s.code for s in STEPS]
    assert sum(1 for r in rows if r.step.number) == len(STANDARD_STEPS) == 25
    state = {r.code: r.state for r in rows}
    assert state["application"] == state["talk"] == state["activist"] == "done"
    assert state["assessment"] == "due"  # R-DEV-06: within six months
    assert state["prospect"] == "not_yet"  # not before a year as activist (R-DEV-07)
    assert state["extension"] == state["cancellation"] == "not_applicable"
    assert rows[0].label == "第1步 递交入党申请书" and rows[0].events[0].on == START
    assessment = next(r for r in rows if r.code == "assessment")
    assert assessment.deadline.rule_id == "R-DEV-06"
    # half a year later the assessment is overdue and a finding names the rule
    later = sel.timeline(c, date_of("activist") + dt.timedelta(days=200))
    row = next(r for p in later.phases for r in p.rows if r.code == "assessment")
    assert row.state == "overdue" and any(f.rule_id == "R-DEV-06" for f in row.findings)
    assert later.stage == "activist"


def _thirty(tree):
    """30 candidates in branches A and B at various stages (the application only: cheap)."""
    made = []
    for i in range(30):
        branch = tree.branch_a if i % 2 else tree.branch_b
        made.append(
            services.candidate_create(
                actor=None,
                branch=branch,
                name=f"候选{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{i}",
                sex="1",
                birth_date=dt.date(1995, 1, 1),
                application_on=START + dt.timedelta(days=i * 20),
                today=START + dt.timedelta(days=700),
            )
        )
    return made


def test_board_with_30_candidates_in_bounded_queries(tree, personas, django_assert_max_num_queries):
    made = _thirty(tree)
    today = START + dt.timedelta(days=330)
    user = personas.unit_admin
    with django_assert_max_num_queries(4):
        board = sel.board(user, tree.party_group_a, today)
        cards = [card for column in board.columns for card in column.cards]
        names = [card.candidate.branch.name for card in cards]
    assert board.total == 30 and len(names) == 30
    applicants = next(col for col in board.columns if col.stage == "applicant")
    assert applicants.total == 30
    dues = [card.next_due_on for card in applicants.cards]
    assert dues == sorted(dues)  # soonest deadline first
    first = applicants.cards[0]
    assert first.overdue and first.days_left < 0 and board.overdue >= 1
    mine = sel.board(personas.secretary_a, None, today)
    assert mine.total == 15
    assert sel.board(personas.secretary_a, None, today, stage="activist").total == 0
    assert made


def test_list_overview_and_scope(tree, personas, candidate_factory):
    a = candidate_factory(upto="activist")
    b = candidate_factory(upto="application", branch=tree.branch_b, name="林五")
    assert list(sel.candidate_list(personas.secretary_a)) == [a]
    assert set(sel.candidate_list(personas.unit_admin)) == {a, b}
    assert list(sel.candidate_list(personas.unit_admin, stage="activist")) == [a]
    assert list(sel.candidate_list(personas.unit_admin, q="林")) == [b]
    assert list(sel.candidate_list(personas.member_a)) == []
    assert list(sel.candidate_list(personas.unit_admin, org=tree.branch_b)) == [b]
    overview = sel.recruitment_overview(personas.unit_admin, dt.date.today())
    assert overview.active == 2 and overview.by_stage == {"activist": 1, "applicant": 1}
    assert overview.overdue == 2  # their 2022 deadlines have long passed
    assert sel.recruitment_overview(personas.secretary_b, dt.date.today()).active == 1


def test_approvals_pending_for_the_committee_above(tree, personas, candidate_factory):
    c = candidate_factory(upto="acceptance")
    today = today_after("acceptance")
    pending = sel.approvals_pending_for(personas.unit_admin, today)
    assert [(p.candidate, p.step) for p in pending] == [(c, "approval_talk")]
    assert pending[0].since == date_of("acceptance")
    assert sel.approvals_pending_for(personas.secretary_a, today) == []
    assert sel.approvals_pending_for(personas.secretary_b, today) == []
    services.step_record(
        actor=personas.unit_admin, candidate=c, step="approval_talk", on=date_of("approval_talk")
    )
    pending = sel.approvals_pending_for(personas.committee_admin, today)
    assert [p.step for p in pending] == ["party_group_review"]  # R-ORG-14
