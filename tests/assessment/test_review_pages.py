"""述职评议 pages: the permission table, the phone ballot page (cast, second ballot, after
close, non-voter), the detail page (counts only; results once closed, to managers too),
report submission by the secretary, voters, rectifications, export, query counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from tests.assessment import helpers_contest as h

from dangjian.assessment import services_review as services
from dangjian.assessment.models import (
    BallotTally,
    Rectification,
    ReviewStatus,
    ReviewVoter,
    SecretaryReport,
    SecretaryReview,
    TaskStatus,
)
from dangjian.core.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_tree")]


@pytest.fixture
def sitting(tree, personas):
    """A review of the 工委 with the reports of 第一党支部 and 乙局党支部; voters: member_a and
    one more account; one rectification on 第一党支部's report."""
    admin = personas.committee_admin
    extra = h.voters(1)
    review = h.review(admin, tree.root, [tree.branch_a, tree.branch_c], [personas.member_a, *extra])
    a, c = SecretaryReport.objects.unscoped().filter(review=review).order_by("order")
    a.review = review
    item = services.rectification_add(
        actor=admin, report=a, problem="党课次数不足", due_on=dt.date(2026, 3, 1)
    )
    return {"review": review, "a": a, "c": c, "extra": extra[0], "item": item}


def _url(name, s):
    r, a = s["review"].pk, s["a"].pk
    return {
        "list": "/reviews/",
        "create": "/reviews/new/",
        "detail": f"/reviews/{r}/",
        "edit": f"/reviews/{r}/edit/",
        "ballot": f"/reviews/{r}/ballot/",
        "voters": f"/reviews/{r}/voters/",
        "report": f"/reviews/{r}/reports/{a}/",
        "rectifications": f"/reviews/{r}/rectifications/",
    }[name]


PAGES = ["list", "create", "detail", "edit", "ballot", "voters", "report", "rectifications"]
ALLOWED = {
    "committee_admin": {"list", "create", "detail", "edit", "voters", "report", "rectifications"},
    # fills 第一党支部's report (assess.submit over it) and may create reviews of his own
    "unit_admin": {"list", "create", "detail", "report", "rectifications"},
    "secretary_a": {"list", "detail", "report", "rectifications"},
    "member_a": {"list", "detail", "ballot", "report"},  # a voter
    "secretary_b": {"list"},  # may fill reports elsewhere; nothing of this review
    "judge": set(),
    "auditor": set(),
    "security_admin": set(),
    "system_admin": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("persona", list(ALLOWED))
@pytest.mark.parametrize("page", PAGES)
def test_permission_table(client, personas, sitting, persona, page):
    client.force_login(personas.by_name(persona))
    expected = 200 if page in ALLOWED[persona] else 404
    assert client.get(_url(page, sitting)).status_code == expected, (persona, page)


def _grades(s, a="good", c="fairly_good"):
    return {f"grade_{s['a'].pk}": a, f"grade_{s['c'].pk}": c}


def test_phone_ballot_page_casts_once(client, personas, sitting):
    s = sitting
    client.force_login(personas.member_a)
    html = client.get(f"/reviews/{s['review'].pk}/ballot/").content.decode()
    assert html.count('data-testid="ballot-row"') == 2
    assert "btn-check" in html and "btn-lg" in html and "assessment/ballot.js" in html
    response = client.post(f"/reviews/{s['review'].pk}/ballot/", _grades(s))
    assert response.status_code == 302
    counts = {
        (t.report_id, t.grade): t.count for t in BallotTally.objects.unscoped().filter(count__gt=0)
    }
    assert counts == {(s["a"].pk, "good"): 1, (s["c"].pk, "fairly_good"): 1}
    # a second ballot: the page says so, nothing is counted again
    html = client.get(f"/reviews/{s['review'].pk}/ballot/").content.decode()
    assert 'data-testid="ballot-done"' in html and 'data-testid="ballot-form"' not in html
    response = client.post(f"/reviews/{s['review'].pk}/ballot/", _grades(s, "poor", "poor"))
    assert response.status_code == 400 and "您已投过票" in response.content.decode()
    assert sum(BallotTally.objects.unscoped().values_list("count", flat=True)) == 2


def test_incomplete_ballot_shows_the_missing_row(client, personas, sitting):
    s = sitting
    client.force_login(personas.member_a)
    response = client.post(f"/reviews/{s['review'].pk}/ballot/", {f"grade_{s['a'].pk}": "good"})
    assert response.status_code == 400
    assert "请评定等次" in response.content.decode()
    response = client.post(f"/reviews/{s['review'].pk}/ballot/", _grades(s, c="excellent"))
    assert response.status_code == 400 and "等次只能是" in response.content.decode()
    assert sum(BallotTally.objects.unscoped().values_list("count", flat=True)) == 0
    assert not ReviewVoter.objects.unscoped().filter(has_voted=True).exists()


def test_ballot_after_close(client, personas, sitting):
    s = sitting
    services.review_close(actor=personas.committee_admin, review=s["review"])
    client.force_login(personas.member_a)
    assert 'data-testid="ballot-closed"' in (
        client.get(f"/reviews/{s['review'].pk}/ballot/").content.decode()
    )
    response = client.post(f"/reviews/{s['review'].pk}/ballot/", _grades(s))
    assert response.status_code == 400 and "投票已截止" in response.content.decode()
    assert sum(BallotTally.objects.unscoped().values_list("count", flat=True)) == 0


def test_non_voter_cannot_reach_the_ballot(client, personas, sitting):
    s = sitting
    client.force_login(personas.committee_admin)
    assert client.post(f"/reviews/{s['review'].pk}/ballot/", _grades(s)).status_code == 404
    assert sum(BallotTally.objects.unscoped().values_list("count", flat=True)) == 0


def test_detail_counts_and_when_results_show(client, personas, sitting):
    s = sitting
    review = s["review"]
    services.ballot_cast(
        actor=personas.member_a, review=review, grades={s["a"].pk: "good", s["c"].pk: "poor"}
    )
    client.force_login(personas.member_a)
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "投票人 <strong>2</strong> 人，已投票 <strong>1</strong> 人" in html
    assert 'data-testid="rate"' not in html  # the vote is still open
    # managers too see only the number of ballots while the vote runs: a count per report
    # would tell them the grades of whoever voted between two page loads
    client.force_login(personas.committee_admin)
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    assert "已投票 <strong>1</strong> 人" in html
    assert 'data-testid="rate"' not in html and 'data-testid="count-good"' not in html
    assert "100.00%" not in html and 'data-testid="results-later"' in html
    assert client.get(f"/reviews/{review.pk}/export/").status_code == 404
    html = client.get(f"/reviews/{review.pk}/voters/").content.decode()
    assert "member_a" in html and "已投票 <strong>1</strong>" in html
    assert "已投</" not in html and "未投" not in html  # nobody's own status is shown
    services.review_close(actor=personas.committee_admin, review=review)
    client.force_login(personas.member_a)
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    rows = html.split('data-testid="report-row"')[1:]
    assert 'data-testid="rate">100.00%' in rows[0] and 'data-testid="rate">0.00%' in rows[1]
    client.force_login(personas.committee_admin)
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-testid="rate">100.00%' in html


def test_secretary_submits_the_report(client, personas, sitting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    s = sitting
    url = f"/reviews/{s['review'].pk}/reports/{s['a'].pk}/"
    client.force_login(personas.secretary_a)
    pdf = SimpleUploadedFile("述职.pdf", b"%PDF-1.4\n" + b"x" * 100, "application/pdf")
    response = client.post(url, {"report": "抓党建工作述职", "file": pdf})
    assert response.status_code == 302
    report = SecretaryReport.objects.unscoped().get(pk=s["a"].pk)
    assert report.report == "抓党建工作述职" and report.file.name.endswith(".pdf")
    bad = SimpleUploadedFile("x.pdf", b"GIF89a....", "application/pdf")
    response = client.post(url, {"report": "x", "file": bad})
    assert response.status_code == 400 and "PDF或Word" in response.content.decode()
    # a voter may read it and download the file (audited)
    client.force_login(personas.member_a)
    assert client.post(url, {"report": "篡改"}).status_code == 404
    response = client.get(f"{url}file/")
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="assessment.report.downloaded").count() == 1
    # 乙局's secretary's report is not 第一党支部's secretary's to fill, nor to read
    client.force_login(personas.secretary_a)
    other = f"/reviews/{s['review'].pk}/reports/{s['c'].pk}/"
    assert client.get(other).status_code == 404
    assert client.post(other, {"report": "x"}).status_code == 404


def test_manager_sets_voters_and_opens(client, tree, personas):
    admin = personas.committee_admin
    review = h.review(admin, tree.root, [tree.branch_a], [], open_=False)
    client.force_login(admin)
    response = client.post(
        f"/reviews/{review.pk}/voters/", {"orgs": [tree.organ_a.pk], "mode": "replace"}
    )
    assert response.status_code == 302
    users = set(
        ReviewVoter.objects.unscoped()
        .filter(review=review)
        .values_list("user__username", flat=True)
    )
    assert users == {"secretary_a", "member_a", "secretary_b"}
    response = client.post(
        f"/reviews/{review.pk}/voters/", {"usernames": "nobody_here", "mode": "add"}
    )
    assert response.status_code == 400 and "找不到可用的账号" in response.content.decode()
    assert client.post(f"/reviews/{review.pk}/open/").status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_rectification_list_and_completion(client, personas, sitting):
    s = sitting
    url = f"/reviews/{s['review'].pk}/rectifications/"
    client.force_login(personas.secretary_a)
    html = client.get(url).content.decode()
    assert "党课次数不足" in html and "已完成 <strong>0</strong> / 1 项" in html
    assert (
        client.post(url, {"report": s["a"].pk, "problem": "x", "due_on": "2026-01-01"}).status_code
        == 404
    )
    done = f"{url}{s['item'].pk}/done/"
    assert client.post(done, {"done_note": "已讲党课两次"}).status_code == 302
    assert Rectification.objects.unscoped().get(pk=s["item"].pk).status == TaskStatus.DONE
    client.force_login(personas.committee_admin)
    response = client.post(url, {"report": s["c"].pk, "problem": "", "due_on": "x"})
    assert response.status_code == 400
    response = client.post(
        url, {"report": s["c"].pk, "problem": "材料不全", "due_on": "2026-02-01"}
    )
    assert response.status_code == 302
    assert Rectification.objects.unscoped().count() == 2


def test_create_review_page(client, tree, personas):
    client.force_login(personas.committee_admin)
    response = client.post(
        "/reviews/new/",
        {"owner": tree.root.pk, "year": "2025", "title": "", "closes_at": "bad"},
    )
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    response = client.post(
        "/reviews/new/",
        {"owner": tree.root.pk, "year": "2025", "title": "述职评议", "held_on": "2025-12-20"},
    )
    review = SecretaryReview.objects.unscoped().get()
    assert response.status_code == 302 and review.owner_path == tree.root.path


def test_results_export_after_close(client, personas, sitting):
    s = sitting
    review = s["review"]
    services.ballot_cast(
        actor=personas.member_a, review=review, grades={s["a"].pk: "good", s["c"].pk: "poor"}
    )
    client.force_login(personas.secretary_a)
    assert client.get(f"/reviews/{review.pk}/export/").status_code == 404  # still open
    services.review_close(actor=personas.committee_admin, review=review)
    response = client.get(f"/reviews/{review.pk}/export/")
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0][3:9] == ("好", "较好", "一般", "差", "有效票数", "好+较好率（%）")
    assert rows[1][3:9] == (1, 0, 0, 0, 1, 100.0)
    assert rows[2][3:9] == (0, 0, 0, 1, 1, 0.0)


def test_query_counts(client, tree, personas, sitting, django_assert_max_num_queries):
    admin = personas.committee_admin
    client.force_login(admin)
    url = f"/reviews/{sitting['review'].pk}/"
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/reviews/").status_code == 200
    for _ in range(6):
        h.review(admin, tree.root, [tree.branch_a, tree.branch_b, tree.branch_c], h.voters(2))
    with django_assert_max_num_queries(12):
        assert client.get("/reviews/").status_code == 200


# --- issue #6 ----------------------------------------------------------------------------------


def test_reports_and_comments_are_read_by_their_own_side_only(
    client, tree, personas, sitting, settings, tmp_path
):
    """Item 7: a secretary reads his own report (and the review's comment on it), never another
    secretary's — not its page, not its file, no link to it. Voters read every report but the
    评议意见 only once the vote has closed."""
    settings.MEDIA_ROOT = tmp_path
    s = sitting
    admin = personas.committee_admin
    review, a, c = s["review"], s["a"], s["c"]
    c.review = review
    services.report_submit(
        actor=admin,
        report=c,
        text="乙局述职",
        uploaded_file=SimpleUploadedFile("c.pdf", b"%PDF-1.4\n" + b"x" * 50, "application/pdf"),
    )
    for report, comment in ((a, "甲的评议意见"), (c, "乙的评议意见")):
        report.review = review
        services.review_comment_set(actor=admin, report=report, comment=comment)
    base = f"/reviews/{review.pk}/reports/"
    # 第一党支部's secretary: his own report with its comment; not 乙局's report nor its file
    client.force_login(personas.secretary_a)
    html = client.get(f"{base}{a.pk}/").content.decode()
    assert 'data-testid="review-comment"' in html and "甲的评议意见" in html
    assert client.get(f"{base}{c.pk}/").status_code == 404
    assert client.get(f"{base}{c.pk}/file/").status_code == 404
    detail = client.get(f"/reviews/{review.pk}/").content.decode()
    assert f"{base}{a.pk}/" in detail and f"{base}{c.pk}/" not in detail
    # a voter (member_a) reads both reports, without the comments while the vote runs
    client.force_login(personas.member_a)
    for report in (a, c):
        html = client.get(f"{base}{report.pk}/").content.decode()
        assert 'data-testid="review-comment-later"' in html
        assert "评议意见</h2>" in html and "的评议意见" not in html
    assert "乙局述职" in client.get(f"{base}{c.pk}/").content.decode()
    assert client.get(f"{base}{c.pk}/file/").status_code == 200
    detail = client.get(f"/reviews/{review.pk}/").content.decode()
    assert f"{base}{a.pk}/" in detail and f"{base}{c.pk}/" in detail
    services.review_close(actor=admin, review=review)
    assert "乙的评议意见" in client.get(f"{base}{c.pk}/").content.decode()
    # closing changes nothing for the other secretary
    client.force_login(personas.secretary_a)
    assert client.get(f"{base}{c.pk}/").status_code == 404


def test_voters_page_refuses_separated_and_outside_accounts(client, tree, personas):
    """Item 8: typed accounts of the 三员 or from outside the owner's subtree are refused at
    the field; picking an org leaves a 三员 account linked to one of its members out."""
    unit = personas.unit_admin
    review = h.review(unit, tree.party_group_a, [tree.branch_a], [], open_=False)
    url = f"/reviews/{review.pk}/voters/"
    client.force_login(unit)
    cases = [
        ("auditor", "三员分立"),
        ("security_admin", "三员分立"),
        ("system_admin", "三员分立"),
        ("outsider", "该账号不属于本组织"),
        ("judge", "该账号不属于本组织"),  # a grant on the root, above 甲局党组
    ]
    for username, expected in cases:
        response = client.post(url, {"usernames": f"member_a\n{username}", "mode": "replace"})
        html = response.content.decode()
        assert response.status_code == 400 and expected in html, username
        field = html.split('name="usernames"')[1].split("</textarea>")[1][:600]
        assert expected in field and "invalid-feedback" in field, username  # at the field
    assert not ReviewVoter.objects.unscoped().filter(review=review).exists()
    personas.auditor.member = tree.members_a[2]
    personas.auditor.save(update_fields=["member"])
    response = client.post(url, {"orgs": [tree.branch_a.pk], "mode": "replace"})
    assert response.status_code == 302
    names = set(
        ReviewVoter.objects.unscoped()
        .filter(review=review)
        .values_list("user__username", flat=True)
    )
    assert names == {"secretary_a", "member_a"}


def test_voters_page_while_open_only_adds(client, tree, personas, sitting):
    """Item 2: while the vote runs, the voters page never removes anyone, whatever is posted,
    and says nothing of who has voted."""
    s = sitting
    admin = personas.committee_admin
    review = s["review"]
    services.ballot_cast(
        actor=personas.member_a, review=review, grades={s["a"].pk: "good", s["c"].pk: "poor"}
    )
    url = f"/reviews/{review.pk}/voters/"
    client.force_login(admin)
    html = client.get(url).content.decode()
    assert 'data-testid="voters-add-only"' in html and 'value="replace"' not in html
    response = client.post(url, {"usernames": "secretary_b", "mode": "replace"})
    assert response.status_code == 302
    names = set(
        ReviewVoter.objects.unscoped()
        .filter(review=review)
        .values_list("user__username", flat=True)
    )
    assert names == {"member_a", s["extra"].username, "secretary_b"}
