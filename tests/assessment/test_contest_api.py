"""API of 书记赛党建 and 述职评议: contests and rankings (drafts only for managers), the
reviews open to me, casting a ballot (once), and no read of anyone's choice."""

from __future__ import annotations

import pytest
from tests.assessment import helpers_contest as h

from dangjian.accounts.services import api_token_create
from dangjian.assessment import services_contest, services_review
from dangjian.assessment.models import BallotTally, ReviewVoter

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(personas):
    def make(user):
        user = personas.by_name(user) if isinstance(user, str) else user
        token = api_token_create(actor=None, user=user, name="t")
        secret = token[1] if isinstance(token, tuple) else token
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


@pytest.fixture
def contests(tree, personas):
    admin = personas.committee_admin
    scheme = h.scheme(tree.root, maxima=(90,))  # full marks 90 + 加分 10 = 100
    draft = h.contest(admin, tree.root, scheme_=scheme, name="草稿赛", weights=(100, 0, 0))
    published = h.contest(admin, tree.root, scheme_=scheme, name="已公布赛", weights=(100, 0, 0))
    for c in (draft, published):
        services_contest.entries_set(
            actor=admin, contest=c, orgs=[tree.party_group_a, tree.party_group_b]
        )
    h.assessment(scheme, tree.party_group_a, 95)
    h.assessment(scheme, tree.party_group_b, 80)
    services_contest.contest_publish(actor=admin, contest=published)
    return draft, published


@pytest.mark.parametrize(
    ("persona", "listed", "draft_status", "published_status"),
    [
        ("committee_admin", 2, 200, 200),
        ("unit_admin", 1, 404, 200),
        ("secretary_a", 1, 404, 200),
        ("member_a", 1, 404, 200),
        ("judge", 1, 404, 200),
        ("auditor", None, 404, 404),
        ("system_admin", None, 404, 404),
        ("outsider", None, 404, 404),
    ],
)
def test_contest_permission_table(
    client, contests, bearer, persona, listed, draft_status, published_status
):
    draft, published = contests
    auth = bearer(persona)
    r = client.get("/api/assessment/contests", **auth)
    if listed is None:
        assert r.status_code == 404
    else:
        assert r.status_code == 200 and r.json()["count"] == listed
    assert client.get(f"/api/assessment/contests/{draft.pk}", **auth).status_code == draft_status
    r = client.get(f"/api/assessment/contests/{published.pk}", **auth)
    assert r.status_code == published_status


def test_contest_detail_with_standings(client, tree, contests, bearer):
    _draft, published = contests
    body = client.get(f"/api/assessment/contests/{published.pk}", **bearer("member_a")).json()
    assert body["status"] == "published" and body["routine_weight"] == "100.00"
    assert body["star_thresholds"][0] == {"line": "95", "stars": 5}
    ranking = [(s["rank"], s["org_name"], s["total"], s["stars"]) for s in body["standings"]]
    assert ranking == [(1, "甲局党组", "95.00", 5), (2, "乙局党组", "80.00", 2)]
    assert body["standings"][0]["missing"] == []
    assert client.get("/api/assessment/contests").status_code == 401
    assert client.get("/api/assessment/contests/999999", **bearer("member_a")).json() == {
        "detail": "未找到"
    }
    r = client.get("/api/assessment/contests?year=abc", **bearer("member_a"))
    assert r.status_code == 422


@pytest.fixture
def sitting(tree, personas):
    review = h.review(
        personas.committee_admin, tree.root, [tree.branch_a, tree.branch_c], [personas.member_a]
    )
    a, c = review.reports.order_by("order")
    return review, a, c


def test_my_open_reviews_and_ballot(client, personas, sitting, bearer):
    review, a, c = sitting
    auth = bearer("member_a")
    body = client.get("/api/assessment/reviews", **auth).json()
    assert [(r["id"], r["has_voted"], len(r["reports"])) for r in body] == [(review.pk, False, 2)]
    assert client.get("/api/assessment/reviews", **bearer("committee_admin")).json() == []
    payload = {
        "grades": [{"report_id": a.pk, "grade": "good"}, {"report_id": c.pk, "grade": "average"}]
    }
    r = client.post(
        f"/api/assessment/reviews/{review.pk}/ballot",
        payload,
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201 and r.json() == {"detail": "投票成功。", "review_id": review.pk}
    r = client.post(
        f"/api/assessment/reviews/{review.pk}/ballot",
        payload,
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 400 and r.json()["detail"] == "您已投过票。"
    counts = {
        (t.report_id, t.grade): t.count for t in BallotTally.objects.unscoped().filter(count__gt=0)
    }
    assert counts == {(a.pk, "good"): 1, (c.pk, "average"): 1}
    body = client.get(f"/api/assessment/reviews/{review.pk}", **auth).json()
    assert body["has_voted"] is True and body["voted"] == 1 and body["results"] is None


def test_ballot_errors(client, personas, sitting, bearer):
    review, a, c = sitting
    auth = bearer("member_a")
    url = f"/api/assessment/reviews/{review.pk}/ballot"

    def post(grades, who=auth):
        return client.post(url, {"grades": grades}, content_type="application/json", **who)

    r = post([{"report_id": a.pk, "grade": "good"}])
    assert r.status_code == 400 and "请对每位述职书记评定等次" in r.json()["detail"]
    r = post([{"report_id": a.pk, "grade": "great"}, {"report_id": c.pk, "grade": "good"}])
    assert r.status_code == 422
    r = post([{"report_id": a.pk, "grade": "good"}, {"report_id": a.pk, "grade": "poor"}])
    assert r.status_code == 400 and r.json()["detail"] == "同一位书记只能评定一个等次。"
    # not a voter, cannot see the review: 404; a voter-less manager: a clear refusal
    assert post([], bearer("secretary_b")).status_code == 404
    r = post(
        [{"report_id": a.pk, "grade": "good"}, {"report_id": c.pk, "grade": "good"}],
        bearer("committee_admin"),
    )
    assert r.status_code == 400 and r.json()["detail"] == "您不是本次评议的投票人。"
    services_review.review_close(actor=personas.committee_admin, review=review)
    r = post([{"report_id": a.pk, "grade": "good"}, {"report_id": c.pk, "grade": "good"}])
    assert r.status_code == 400 and r.json()["detail"] == "投票已截止。"
    assert sum(BallotTally.objects.unscoped().values_list("count", flat=True)) == 0
    assert not ReviewVoter.objects.unscoped().filter(has_voted=True).exists()


def test_results_in_the_api_are_counts_once_closed(client, personas, sitting, bearer):
    review, a, c = sitting
    services_review.ballot_cast(
        actor=personas.member_a, review=review, grades={a.pk: "fairly_good", c.pk: "poor"}
    )
    # while the vote runs nobody gets a count per report, managers included (R-ORG-17 anonymity)
    live = client.get(f"/api/assessment/reviews/{review.pk}", **bearer("committee_admin")).json()
    assert live["results"] is None and (live["voters"], live["voted"]) == (1, 1)
    services_review.review_close(actor=personas.committee_admin, review=review)
    done = client.get(f"/api/assessment/reviews/{review.pk}", **bearer("committee_admin")).json()
    assert done["results"][0] == {
        "report_id": a.pk,
        "good": 0,
        "fairly_good": 1,
        "average": 0,
        "poor": 0,
        "ballots": 1,
        "rate": "100.00",
    }
    body = client.get(f"/api/assessment/reviews/{review.pk}", **bearer("member_a")).json()
    assert [r["rate"] for r in body["results"]] == ["100.00", "0.00"]
    text = str(body)
    assert "member_a" not in text and "user" not in text
