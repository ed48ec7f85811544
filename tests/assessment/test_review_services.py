"""述职评议 (R-ORG-17): setting up a sitting, reports (submitted as text or a file), voters,
opening and closing the vote, casting ballots and every refusal (a second ballot, a ballot
after close or past the closing time, a non-voter, a missing grade: a clear message, nothing
written), results, comments and rectifications."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from tests.assessment import helpers_contest as h

from dangjian.assessment import selectors_review as sel
from dangjian.assessment import services_review as services
from dangjian.assessment.models import (
    BallotTally,
    Rectification,
    ReviewStatus,
    ReviewVoter,
    SecretaryReport,
    TaskStatus,
)
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.orgs.services import seat_assign

pytestmark = pytest.mark.django_db


def _tallies(review):
    return {
        (t.report_id, t.grade): t.count
        for t in BallotTally.objects.unscoped().filter(report__review=review, count__gt=0)
    }


def _state(review):
    """Everything a refused ballot must leave untouched."""
    return (
        _tallies(review),
        sorted(
            ReviewVoter.objects.unscoped().filter(review=review).values_list("user_id", "has_voted")
        ),
        AuditEntry.objects.filter(action="assessment.ballot.cast").count(),
    )


@pytest.fixture
def sitting(tree, personas):
    voters = h.voters(3)
    review = h.review(
        personas.committee_admin, tree.root, [tree.party_group_a, tree.party_group_b], voters
    )
    reports = list(SecretaryReport.objects.unscoped().filter(review=review).order_by("order"))
    return review, reports, voters


def test_report_secretary_defaults_to_the_seat_holder(tree, personas):
    admin = personas.committee_admin
    seat_assign(
        actor=None,
        org=tree.branch_a,
        member=tree.members_a[0],
        role="secretary",
        started_on=dt.date(2024, 1, 1),
    )
    review = h.review(admin, tree.root, [], [], open_=False)
    report = services.report_add(actor=admin, review=review, org=tree.branch_a)
    assert report.secretary == tree.members_a[0]
    assert report.secretary_name == tree.members_a[0].name and report.order == 1
    with pytest.raises(AppError) as exc:
        services.report_add(actor=admin, review=review, org=tree.branch_b)  # no secretary seat
    assert exc.value.field == "secretary_name"
    with pytest.raises(AppError) as exc:
        services.report_add(actor=admin, review=review, org=tree.branch_a, secretary_name="x")
    assert "已在述职名单中" in exc.value.message
    with pytest.raises(AppError):
        services.report_add(actor=admin, review=review, org=tree.root, secretary_name="x")
    with pytest.raises(Http404):
        services.report_add(
            actor=personas.unit_admin, review=review, org=tree.branch_a, secretary_name="x"
        )


def test_open_needs_reports_and_voters_and_makes_counters(tree, personas):
    admin = personas.committee_admin
    review = h.review(admin, tree.root, [], [], open_=False)
    with pytest.raises(AppError, match="请先添加述职书记"):
        services.review_open(actor=admin, review=review)
    services.report_add(actor=admin, review=review, org=tree.branch_a, secretary_name="张书记")
    with pytest.raises(AppError, match="请先确定投票人"):
        services.review_open(actor=admin, review=review)
    services.voters_set(actor=admin, review=review, users=h.voters(2))
    review = services.review_open(actor=admin, review=review)
    assert review.status == ReviewStatus.OPEN
    assert BallotTally.objects.unscoped().filter(report__review=review).count() == 4
    with pytest.raises(AppError, match="投票已经开始"):
        services.report_add(actor=admin, review=review, org=tree.branch_b, secretary_name="y")


def test_ballots_counted_and_rate(sitting, personas):
    review, (a, b), voters = sitting
    for voter, grade in zip(voters, ["good", "fairly_good", "average"], strict=True):
        services.ballot_cast(actor=voter, review=review, grades={a.pk: grade, b.pk: "poor"})
    assert _tallies(review) == {
        (a.pk, "good"): 1,
        (a.pk, "fairly_good"): 1,
        (a.pk, "average"): 1,
        (b.pk, "poor"): 3,
    }
    results = {r.report.pk: (r.ballots, r.rate) for r in sel.results_of(review)}
    assert results == {a.pk: (3, Decimal("66.67")), b.pk: (3, Decimal("0.00"))}
    assert sel.voter_counts(review).voted == 3


def test_second_ballot_refused_nothing_written(sitting):
    review, (a, b), voters = sitting
    services.ballot_cast(actor=voters[0], review=review, grades={a.pk: "good", b.pk: "good"})
    before = _state(review)
    with pytest.raises(AppError) as exc:
        services.ballot_cast(actor=voters[0], review=review, grades={a.pk: "poor", b.pk: "poor"})
    assert exc.value.message == "您已投过票。"
    assert _state(review) == before


def test_ballot_after_close_refused(sitting, personas):
    review, (a, b), voters = sitting
    services.review_close(actor=personas.committee_admin, review=review)
    before = _state(review)
    with pytest.raises(AppError) as exc:
        services.ballot_cast(actor=voters[0], review=review, grades={a.pk: "good", b.pk: "good"})
    assert exc.value.message == "投票已截止。"
    assert _state(review) == before


def test_ballot_past_the_closing_time_refused(tree, personas):
    admin = personas.committee_admin
    voters = h.voters(1)
    closes = timezone.now() + dt.timedelta(hours=1)
    review = h.review(admin, tree.root, [tree.branch_a], voters, closes_at=closes)
    report = review.reports.get()
    before = _state(review)
    with pytest.raises(AppError) as exc:
        services.ballot_cast(
            actor=voters[0],
            review=review,
            grades={report.pk: "good"},
            now=closes + dt.timedelta(seconds=1),
        )
    assert exc.value.message == "投票已截止。"
    assert _state(review) == before
    services.ballot_cast(
        actor=voters[0], review=review, grades={report.pk: "good"}, now=closes - dt.timedelta(1)
    )
    assert _tallies(review) == {(report.pk, "good"): 1}


def test_ballot_before_open_refused(tree, personas):
    voters = h.voters(1)
    review = h.review(personas.committee_admin, tree.root, [tree.branch_a], voters, open_=False)
    report = review.reports.get()
    with pytest.raises(AppError, match="投票尚未开始"):
        services.ballot_cast(actor=voters[0], review=review, grades={report.pk: "good"})


def test_non_voter_refused(sitting, personas):
    review, (a, b), _voters = sitting
    before = _state(review)
    for actor in (personas.committee_admin, personas.member_a):
        with pytest.raises(AppError) as exc:
            services.ballot_cast(actor=actor, review=review, grades={a.pk: "good", b.pk: "good"})
        assert exc.value.message == "您不是本次评议的投票人。"
    assert _state(review) == before


@pytest.mark.parametrize(
    "make",
    [
        lambda a, b: {a.pk: "good"},  # one report without a grade
        lambda a, b: {a.pk: "good", b.pk: ""},
        lambda a, b: {a.pk: "good", b.pk: "excellent"},  # not a grade of R-ORG-17
        lambda a, b: {a.pk: "good", b.pk: "good", 999999: "good"},  # another review's
        lambda a, b: {},
    ],
)
def test_incomplete_or_bad_ballot_refused(sitting, make):
    review, (a, b), voters = sitting
    before = _state(review)
    with pytest.raises(AppError) as exc:
        services.ballot_cast(actor=voters[0], review=review, grades=make(a, b))
    assert exc.value.message
    assert _state(review) == before
    # and the voter can still vote properly
    services.ballot_cast(actor=voters[0], review=review, grades={a.pk: "good", b.pk: "poor"})


def test_voters_set_rules(sitting, personas):
    review, (a, b), voters = sitting
    admin = personas.committee_admin
    services.ballot_cast(actor=voters[0], review=review, grades={a.pk: "good", b.pk: "good"})
    extra = h.voters(1)
    result = services.voters_set(actor=admin, review=review, users=[*voters, *extra])
    assert result == {"added": 1, "removed": 0, "total": 4}
    extra[0].is_active = False
    extra[0].save(update_fields=["is_active"])
    with pytest.raises(AppError, match="已停用"):
        services.voters_set(actor=admin, review=review, users=[*voters, *extra])


def test_open_vote_refuses_every_removal_alike(sitting, personas):
    """While the vote runs, removing a voter who voted and one who did not get the same
    answer: the reply must not tell the manager who has voted (issue #6, item 2)."""
    review, (a, b), voters = sitting
    admin = personas.committee_admin
    services.ballot_cast(actor=voters[0], review=review, grades={a.pk: "good", b.pk: "good"})
    before = sorted(
        ReviewVoter.objects.unscoped().filter(review=review).values_list("user_id", flat=True)
    )
    answers = set()
    for gone in (voters[0], voters[1]):  # voted / not voted
        with pytest.raises(AppError) as exc:
            services.voters_set(actor=admin, review=review, users=[v for v in voters if v != gone])
        answers.add((exc.value.message, exc.value.field))
    assert answers == {(services.VOTERS_OPEN_NO_REMOVAL, "voters")}
    assert "已投票" not in services.VOTERS_OPEN_NO_REMOVAL
    after = sorted(
        ReviewVoter.objects.unscoped().filter(review=review).values_list("user_id", flat=True)
    )
    assert after == before
    # before the vote the list is replaced freely
    draft = h.review(admin, review.owner, [], voters, open_=False)
    assert services.voters_set(actor=admin, review=draft, users=voters[:1])["removed"] == 2


def test_voters_must_belong_and_not_be_separated(tree, personas):
    """三员分立 accounts and accounts outside the owner's subtree are refused, at the field,
    with nothing written (issue #6, item 8)."""
    unit = personas.unit_admin
    review = h.review(unit, tree.party_group_a, [], [], open_=False)
    # 三员: the auditor, the security and the system administrators (grants on the root)
    for who in (personas.auditor, personas.security_admin, personas.system_admin):
        with pytest.raises(AppError) as exc:
            services.voters_set(actor=unit, review=review, users=[who])
        assert exc.value.field == "voters" and "三员分立" in exc.value.message
        assert who.username in exc.value.message
    # 乙局's members, an account without grant or member record, a judge on the root (above)
    outsiders = [
        h.voters(1, org=tree.party_group_b)[0],
        personas.outsider,
        personas.judge,
    ]
    for who in outsiders:
        with pytest.raises(AppError) as exc:
            services.voters_set(actor=unit, review=review, users=[personas.member_a, who])
        assert exc.value.field == "voters" and "该账号不属于本组织" in exc.value.message
    assert not ReviewVoter.objects.unscoped().filter(review=review).exists()
    assert not AuditEntry.objects.filter(action="assessment.review.voters_set").exists()
    # a member record in the subtree (member_a, secretary_b), or a grant in it (unit_admin)
    inside = [personas.member_a, personas.secretary_b, personas.unit_admin]
    assert services.voters_set(actor=unit, review=review, users=inside)["added"] == 3
    # a member record in the subtree does not excuse a separated role
    personas.auditor.member = tree.members_a[2]
    personas.auditor.save(update_fields=["member"])
    with pytest.raises(AppError, match="三员分立"):
        services.voters_set(actor=unit, review=review, users=[*inside, personas.auditor])
    assert "auditor" not in {u.username for u in services.users_of_orgs([tree.branch_a])}


def test_voters_from_members_with_accounts(tree, personas):
    users = services.users_of_orgs([tree.branch_a])
    assert {u.username for u in users} == {"secretary_a", "member_a"}
    assert {u.username for u in services.users_of_orgs([tree.organ_a])} == {
        "secretary_a",
        "member_a",
        "secretary_b",
    }


def _pdf():
    return SimpleUploadedFile("述职.pdf", b"%PDF-1.4\n% report\n" + b"x" * 200, "application/pdf")


def test_report_submit_text_and_file(sitting, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    review, (a, b), _voters = sitting
    a.review = review
    report = services.report_submit(actor=personas.unit_admin, report=a, text="一年来……")
    assert report.report == "一年来……" and report.submitted_at is not None
    report = services.report_submit(
        actor=personas.unit_admin, report=a, text="一年来……", uploaded_file=_pdf()
    )
    assert report.file.name.endswith(".pdf")
    handle = services.report_file_open(actor=personas.committee_admin, report=report)
    assert handle.read(5) == b"%PDF-"
    handle.close()
    fake = SimpleUploadedFile("a.pdf", b"MZ\x90\x00program", "application/pdf")
    with pytest.raises(AppError) as exc:
        services.report_submit(actor=personas.unit_admin, report=a, uploaded_file=fake)
    assert exc.value.field == "file" and "PDF或Word" in exc.value.message
    b.review = review
    with pytest.raises(AppError) as exc:
        services.report_submit(actor=personas.committee_admin, report=b, text="")
    assert exc.value.field == "report"
    with pytest.raises(Http404):  # 乙局党组's report is not 甲局's unit admin's to fill
        services.report_submit(actor=personas.unit_admin, report=b, text="x")
    entries = AuditEntry.objects.filter(action="assessment.report.submitted")
    assert entries.count() == 2 and entries.order_by("pk").last().changes["file"]["type"] == "pdf"
    assert AuditEntry.objects.filter(action="assessment.report.downloaded").count() == 1


def test_comments_and_rectifications(sitting, personas):
    review, (a, _b), _voters = sitting
    admin = personas.committee_admin
    a.review = review
    services.review_comment_set(actor=admin, report=a, comment="抓基层打基础有力")
    services.comments_set(actor=admin, review=review, comments="总体评价好")
    a.refresh_from_db()
    review.refresh_from_db()
    assert a.review_comment == "抓基层打基础有力" and review.comments == "总体评价好"
    with pytest.raises(Http404):
        services.comments_set(actor=personas.unit_admin, review=review, comments="x")
    item = services.rectification_add(
        actor=admin, report=a, problem="支部书记讲党课不足", due_on=dt.date(2026, 3, 31)
    )
    with pytest.raises(AppError) as exc:
        services.rectification_add(actor=admin, report=a, problem="", due_on=dt.date(2026, 3, 1))
    assert exc.value.field == "problem"
    item.report.review = review
    with pytest.raises(AppError) as exc:
        services.rectification_done(actor=personas.unit_admin, rectification=item, note="")
    assert exc.value.field == "done_note"
    with pytest.raises(Http404):
        services.rectification_done(actor=personas.secretary_b, rectification=item, note="x")
    done = services.rectification_done(
        actor=personas.unit_admin, rectification=item, note="已讲党课2次"
    )
    assert done.status == TaskStatus.DONE and done.done_on == timezone.localdate()
    assert Rectification.objects.unscoped().get(pk=item.pk).done_note == "已讲党课2次"
    with pytest.raises(AppError, match="已经完成"):
        services.rectification_done(actor=admin, rectification=item, note="again")
    assert sel.rectification_progress(sel.rectifications_of(admin, review)) == (1, 1)
    assert sel.rectifications_of(personas.secretary_b, review) == []


def test_close_and_results_visibility(sitting, personas):
    review, _reports, voters = sitting
    admin = personas.committee_admin
    # nobody sees counts per report while the vote runs, managers included
    assert not sel.can_see_results(admin, review)
    assert not sel.can_see_results(voters[0], review)
    services.review_close(actor=admin, review=review)
    review.refresh_from_db()
    assert sel.can_see_results(voters[0], review) and sel.can_see_results(admin, review)
    with pytest.raises(AppError):
        services.review_close(actor=admin, review=review)
    entry = AuditEntry.objects.get(action="assessment.review.closed")
    assert entry.changes == {"voted": 0}


def test_report_file_size_limit(sitting, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ORGLIFE_ATTACHMENT_MAX_BYTES = 100
    review, (a, _b), _voters = sitting
    a.review = review
    with pytest.raises(AppError) as exc:
        services.report_submit(actor=personas.committee_admin, report=a, uploaded_file=_pdf())
    assert exc.value.field == "file" and "超过" in exc.value.message
    a.refresh_from_db()
    assert not a.file and a.submitted_at is None
