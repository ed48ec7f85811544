"""Votes at 党员大会 and 支委会: who may vote (R-GEN-03), quorum and passing at exact halves
(R-ORGLIFE-02/04), the result in the minutes, refusals that write nothing, the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from tests.orglife.helpers_extra import START, held, seat

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.orglife import services, services_votes
from dangjian.orglife.models import Meeting, Vote


def _vote(meeting, actor=None, motion="接收王五为预备党员", yes=0, no=0, abstain=0):
    return services_votes.vote_record(
        actor=actor, meeting=meeting, motion=motion, yes=yes, no=no, abstain=abstain
    )


def _nothing_written(meeting, minutes):
    assert not Vote.objects.unscoped().exists()
    assert Meeting.all_objects.get(pk=meeting.pk).minutes == minutes
    assert not AuditEntry.objects.filter(action="orglife.vote.recorded").exists()


def test_probationary_members_are_not_entitled(tree):
    meeting = held(tree)  # 4 full + 1 probationary, all present
    assert services_votes.voting_counts(meeting) == (4, 4)


@pytest.mark.parametrize(
    ("present", "yes", "passed"),
    [
        (2, 2, False),  # exactly half present: quorum; 2 yes of 4 entitled is not more than half
        (2, 0, False),
        (3, 3, True),  # 3 × 2 > 4
        (4, 2, False),  # half of those entitled is not enough, even with all present
        (4, 3, True),
    ],
)
def test_assembly_vote_thresholds_at_exact_halves(tree, personas, present, yes, passed):
    a = tree.members_a
    meeting = held(tree, present=[*a[:present], a[4]])  # the probationary one is present too
    vote = _vote(meeting, personas.secretary_a, yes=yes, no=present - yes)
    assert (vote.entitled, vote.present_voting) == (4, present)
    assert vote.quorum_met and vote.passed is passed
    assert vote.body == "member_assembly"
    meeting.refresh_from_db()
    assert meeting.minutes.startswith("会议学习了党章。\n表决：接收王五为预备党员。")
    assert f"应到有表决权的党员4人，实到{present}人；赞成{yes}票" in meeting.minutes
    assert meeting.minutes.endswith("通过。" if passed else "未通过。")
    entry = AuditEntry.objects.get(action="orglife.vote.recorded")
    assert entry.actor == personas.secretary_a and entry.changes["passed"] is passed


def test_no_quorum_is_refused_and_nothing_is_written(tree):
    a = tree.members_a
    meeting = held(tree, present=[a[0], a[4]])  # 1 of 4 voting members (the other has no vote)
    with pytest.raises(AppError) as exc:
        _vote(meeting, yes=1)
    assert "未达到法定人数" in exc.value.message and "R-ORGLIFE-02" in exc.value.message
    _nothing_written(meeting, "会议学习了党章。")


def test_more_votes_than_present_voters_are_refused(tree):
    a = tree.members_a
    meeting = held(tree, present=a[:3])
    with pytest.raises(AppError) as exc:
        _vote(meeting, yes=2, no=1, abstain=1)
    assert exc.value.field == "yes" and "多于" in exc.value.message
    with pytest.raises(AppError):
        _vote(meeting, yes=-1)
    with pytest.raises(AppError):
        _vote(meeting, yes="三")
    with pytest.raises(AppError):
        _vote(meeting, motion="  ", yes=3)
    _nothing_written(meeting, "会议学习了党章。")


def test_votes_need_a_held_assembly_or_committee_meeting(tree, personas):
    planned = services.meeting_plan(
        actor=None,
        org=tree.branch_a,
        kind="member_assembly",
        topic="计划",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=2),
    )
    with pytest.raises(AppError, match="尚未登记召开"):
        _vote(planned, yes=3)
    theme = held(tree, kind="theme_day")
    with pytest.raises(AppError, match="只有支部党员大会和支部委员会会议"):
        _vote(theme, yes=3)
    meeting = held(tree)
    with pytest.raises(Http404):
        _vote(meeting, personas.secretary_b, yes=3)
    with pytest.raises(Http404):
        _vote(meeting, personas.member_a, yes=3)
    services.meeting_archive(actor=None, meeting=meeting)
    with pytest.raises(AppError, match="已归档"):
        _vote(meeting, yes=3)
    assert not Vote.objects.unscoped().exists()


@pytest.mark.parametrize(
    ("seats", "present", "yes", "quorum", "passed"),
    [
        (4, 2, 2, True, False),  # half the seats present is a quorum; 2 of 4 does not pass
        (4, 1, 1, False, False),
        (3, 2, 2, True, True),
        (4, 3, 3, True, True),
    ],
)
def test_committee_vote_counts_the_seats(tree, seats, present, yes, quorum, passed):
    a = tree.members_a
    for member, role in zip(
        a[:seats], ["secretary", "organization", "publicity", "discipline"], strict=False
    ):
        seat(tree.branch_a, member, role)
    meeting = held(tree, kind="committee_meeting", present=a[:present])
    assert services_votes.voting_counts(meeting) == (seats, present)
    if not quorum:
        with pytest.raises(AppError, match="R-ORGLIFE-04"):
            _vote(meeting, yes=yes)
        assert not Vote.objects.unscoped().exists()
        return
    vote = _vote(meeting, yes=yes)
    assert vote.passed is passed and vote.body == "committee_meeting"
    meeting.refresh_from_db()
    assert f"应到委员{seats}人，实到{present}人" in meeting.minutes


def test_vote_page(client, tree, personas):
    a = tree.members_a
    meeting = held(tree, present=a[:3])
    client.force_login(personas.secretary_a)
    page = client.get(f"/orglife/meetings/{meeting.pk}/")
    assert 'data-testid="vote-form"' in page.content.decode()
    assert "应到有表决权的党员（正式党员）4人，实到3人" in page.content.decode()
    url = f"/orglife/meetings/{meeting.pk}/votes/"
    response = client.post(url, {"motion": "通过年度计划", "yes": 3, "no": 0, "abstain": 0})
    assert response.status_code == 302
    assert Vote.objects.unscoped().get().passed
    page = client.get(f"/orglife/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="vote"' in page and "通过年度计划" in page
    # bad input: a message, nothing written
    response = client.post(url, {"motion": "再表决", "yes": 3, "no": 3, "abstain": 0}, follow=True)
    assert "多于实到有表决权的3人" in response.content.decode()
    assert Vote.objects.unscoped().count() == 1
    client.force_login(personas.member_a)
    assert client.post(url, {"motion": "x", "yes": 3, "no": 0, "abstain": 0}).status_code == 404
    client.force_login(personas.unit_admin)
    assert client.get(f"/orglife/meetings/{meeting.pk}/").status_code == 200
