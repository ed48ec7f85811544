"""The scheme API (/api/assessment/schemes): visible schemes with their indicator trees, an
org's assessment with scores, PUT a self score, POST submit, the ranked results; 404 for
outsiders, 400 with a Chinese detail for refusals, 422 for malformed input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.assessment.helpers_assess import published, score_of, small_scheme
from tests.conftest import PERSONA_NAMES

from dangjian.assessment import services_assess as sa
from dangjian.assessment import services_schemes as ss

BASE = "/api/assessment/schemes"


@pytest.fixture
def api(client):
    def as_(user):
        client.force_login(user)
        return client

    return as_


@pytest.fixture
def world(tree):
    city, a = published(tree)
    draft = small_scheme(tree.root, name="草稿")
    return {"city": city, "a": a, "draft": draft}


# persona → (city scheme detail, draft detail, assessment A, PUT a score of A, city results)
TABLE = {
    "committee_admin": (200, 200, 200, 200, 200),
    "unit_admin": (200, 404, 200, 200, 404),
    "secretary_a": (200, 404, 200, 200, 404),
    "secretary_b": (200, 404, 404, 404, 404),
    "member_a": (404, 404, 404, 404, 404),
    "auditor": (404, 404, 404, 404, 404),
    "security_admin": (404, 404, 404, 404, 404),
    "system_admin": (404, 404, 404, 404, 404),
    "judge": (404, 404, 404, 404, 404),
    "outsider": (404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_permission_table(api, world, personas, persona):
    c = api(personas.by_name(persona))
    a, city, draft = world["a"], world["city"], world["draft"]
    manual = score_of(a, "人工项").indicator_id
    got = (
        c.get(f"{BASE}/{city.pk}").status_code,
        c.get(f"{BASE}/{draft.pk}").status_code,
        c.get(f"{BASE}/assessments/{a.pk}").status_code,
        c.put(
            f"{BASE}/assessments/{a.pk}/scores/{manual}",
            {"points": "10"},
            content_type="application/json",
        ).status_code,
        c.get(f"{BASE}/{city.pk}/results").status_code,
    )
    assert got == TABLE[persona]


def test_lists(api, world, personas):
    names = [s["name"] for s in api(personas.secretary_a).get(BASE).json()["items"]]
    assert names == ["测试方案"]  # the draft is the committee's only
    names = {s["name"] for s in api(personas.committee_admin).get(BASE).json()["items"]}
    assert names == {"测试方案", "草稿"}
    mine = api(personas.secretary_a).get(f"{BASE}/assessments").json()["items"]
    assert [(m["org_name"], m["status"]) for m in mine] == [("第一党支部", "draft")]
    assert api(personas.member_a).get(f"{BASE}/assessments").status_code == 404
    assert api(personas.committee_admin).get(f"{BASE}?year=1999").status_code == 422


def test_scheme_detail_has_the_tree(api, world, personas):
    body = api(personas.secretary_a).get(f"{BASE}/{world['city'].pk}").json()
    assert (Decimal(body["base_max"]), Decimal(body["bonus_max"])) == (Decimal(60), Decimal(10))
    rows = [(i["code"], i["title"], i["depth"], i["method"]) for i in body["indicators"]]
    assert rows[:3] == [
        ("1", "基本", 0, ""),
        ("1.1", "人工项", 1, "manual"),
        ("1.2", "扣分项", 1, "deduction"),
    ]
    auto = next(i for i in body["indicators"] if i["title"] == "党员大会")
    assert auto["auto_source"] == "member_assembly_missing"
    assert auto["auto_source_label"] == "党员大会缺开次数（每半年）"


def test_fill_and_submit_through_the_api(api, world, personas):
    a = world["a"]
    c = api(personas.secretary_a)

    def put(title, body):
        ind = score_of(a, title).indicator_id
        return c.put(
            f"{BASE}/assessments/{a.pk}/scores/{ind}", body, content_type="application/json"
        )

    over = put("人工项", {"points": 25})
    assert over.status_code == 400
    assert over.json() == {"detail": "得分不能超过该项分值 20.00 分", "field": "points"}
    assert put("人工项", {"points": "abc"}).status_code == 422
    assert put("人工项", {"points": -1}).status_code == 422
    assert put("扣分项", {"points": 5}).json()["field"] == "occurrences"
    ok = put("扣分项", {"occurrences": 1, "note": "一次"})
    assert ok.status_code == 200
    assert (Decimal(ok.json()["self_points"]), ok.json()["self_occurrences"]) == (Decimal(6), 1)
    refused = c.post(f"{BASE}/assessments/{a.pk}/submit")
    assert refused.status_code == 400 and "尚未自评" in refused.json()["detail"]
    for title, body in (
        ("人工项", {"points": 20}),
        ("党员大会", {"points": 10}),
        ("主题党日", {"points": 15.5}),
        ("表彰", {"points": 0}),
    ):
        assert put(title, body).status_code == 200
    done = c.post(f"{BASE}/assessments/{a.pk}/submit")
    assert done.status_code == 200
    assert (done.json()["status"], Decimal(done.json()["self_total"])) == (
        "submitted",
        Decimal("51.5"),
    )
    assert put("表彰", {"points": 1}).status_code == 400
    detail = c.get(f"{BASE}/assessments/{a.pk}").json()
    assert len(detail["scores"]) == 5


def test_results_are_ranked(api, world, personas, tree):
    scheme = world["city"]
    from dangjian.assessment.models import Assessment

    for assessment, points in (
        (world["a"], "20"),
        (Assessment.objects.unscoped().get(scheme=scheme, org=tree.branch_c), "12"),
    ):
        for title, kwargs in (
            ("人工项", {"points": points}),
            ("扣分项", {"occurrences": 0}),
            ("党员大会", {"points": "10"}),
            ("主题党日", {"points": "10"}),
            ("表彰", {"points": "0"}),
        ):
            sa.score_self_set(actor=None, score=score_of(assessment, title), **kwargs)
        sa.assessment_submit(actor=None, assessment=assessment)
        sa.assessment_review(actor=None, assessment=assessment, finals={})
    rows = api(personas.committee_admin).get(f"{BASE}/{scheme.pk}/results").json()
    assert [(r["org_name"], r["rank"], r["final_total"]) for r in rows] == [
        ("第一党支部", 1, "50.00"),
        ("乙局党支部", 2, "42.00"),
        ("第二党支部", None, None),
    ]


def test_unknown_ids_are_404(api, world, personas):
    c = api(personas.committee_admin)
    a = world["a"]
    assert c.get(f"{BASE}/999999").status_code == 404
    assert c.get(f"{BASE}/assessments/999999").status_code == 404
    other = ss.indicator_add(
        actor=None, scheme=world["draft"], title="另一个", max_points="1", method="manual"
    )
    response = c.put(
        f"{BASE}/assessments/{a.pk}/scores/{other.pk}",
        {"points": 1},
        content_type="application/json",
    )
    assert response.status_code == 404
