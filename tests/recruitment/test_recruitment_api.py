"""发展党员 API: list, create, detail (events, findings, deadlines), record a step, findings;
who gets 200/404, refusals as 400 {"detail", "field"} with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.accounts.services import api_token_create
from dangjian.recruitment.models import Candidate, StepEvent
from tests.conftest import PERSONA_NAMES
from tests.recruitment.conftest import START, assembly, date_of, member_fields

#: persona → status for GET /api/recruitment/candidates/{id} of a candidate of branch A
DETAIL = {
    "committee_admin": 200,
    "unit_admin": 200,
    "secretary_a": 200,
    "member_a": 404,
    "secretary_b": 404,
    "auditor": 404,
    "security_admin": 404,
    "system_admin": 404,
    "judge": 404,
    "outsider": 404,
}


@pytest.fixture
def bearer(personas):
    def make(name):
        _, secret = api_token_create(actor=None, user=personas.by_name(name), name="t")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make


@pytest.fixture
def candidate(candidate_factory):
    return candidate_factory(upto="talk")


def _body(tree, **kw):
    body = {
        "branch_id": tree.branch_a.pk,
        "name": "周小华",
        "sex": "2",
        "birth_date": "1997-08-01",
        "application_on": "2023-04-01",
    }
    body.update(kw)
    return body


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_detail_permission_table(client, personas, bearer, candidate, persona):
    response = client.get(f"/api/recruitment/candidates/{candidate.pk}", **bearer(persona))
    assert response.status_code == DETAIL[persona], response.content
    for suffix in ("/findings",):
        r = client.get(f"/api/recruitment/candidates/{candidate.pk}{suffix}", **bearer(persona))
        assert r.status_code == DETAIL[persona]


def test_anonymous_is_401(client, candidate):
    response = client.get("/api/recruitment/candidates")
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录或令牌无效"}


def test_list_is_scoped_and_filtered(client, tree, bearer, candidate_factory):
    a = candidate_factory(upto="activist")
    b = candidate_factory(upto="application", branch=tree.branch_b, name="林二")
    ids = lambda r: [x["id"] for x in r.json()["items"]]  # noqa: E731
    r = client.get("/api/recruitment/candidates", **bearer("secretary_a"))
    assert r.status_code == 200 and ids(r) == [a.pk]
    r = client.get("/api/recruitment/candidates", **bearer("unit_admin"))
    assert set(ids(r)) == {a.pk, b.pk}
    r = client.get("/api/recruitment/candidates?stage=activist", **bearer("unit_admin"))
    assert ids(r) == [a.pk]
    item = r.json()["items"][0]
    assert item["stage_label"] == "入党积极分子" and item["branch_name"] == "第一党支部"
    r = client.get(f"/api/recruitment/candidates?org={tree.branch_b.pk}", **bearer("secretary_a"))
    assert r.status_code == 404
    assert client.get("/api/recruitment/candidates", **bearer("member_a")).status_code == 404


def test_create_and_refusal(client, tree, bearer):
    r = client.post(
        "/api/recruitment/candidates",
        _body(tree),
        content_type="application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 201, r.content
    assert r.json()["stage"] == "applicant" and r.json()["next_due_label"]
    r = client.post(
        "/api/recruitment/candidates",
        _body(tree, birth_date="2006-01-01", name="未成年"),
        content_type="application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 400
    assert r.json()["field"] == "application_on" and "R-DEV-01" in r.json()["detail"]
    assert Candidate.all_objects.count() == 1
    r = client.post(
        "/api/recruitment/candidates",
        _body(tree),
        content_type="application/json",
        **bearer("secretary_b"),
    )
    assert r.status_code == 404
    r = client.post(
        "/api/recruitment/candidates",
        _body(tree, sex="男"),
        content_type="application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 422


def test_detail_has_events_findings_and_deadlines(client, bearer, candidate_factory):
    late = date_of("talk") + dt.timedelta(days=40)  # R-DEV-03: more than a month
    c = candidate_factory(upto="talk", dates={"talk": late})
    body = client.get(f"/api/recruitment/candidates/{c.pk}", **bearer("secretary_a")).json()
    assert [e["step"] for e in body["events"]] == ["application", "talk"]
    assert body["events"][1]["step_label"] == "第2步 党组织派人谈话"
    rules = {f["rule_id"]: f for f in body["findings"]}
    assert rules["R-DEV-03"]["level"] == "warning" and rules["R-DEV-03"]["field"] == "talk"
    assert all(d["kind"] in ("by", "not_before") for d in body["deadlines"])
    findings = client.get(
        f"/api/recruitment/candidates/{c.pk}/findings", **bearer("secretary_a")
    ).json()
    assert {f["rule_id"] for f in findings} == set(rules)


def test_record_steps_through_the_api(client, tree, bearer, candidate):
    url = f"/api/recruitment/candidates/{candidate.pk}/events"
    r = client.post(
        url,
        {"step": "activist", "on": date_of("activist").isoformat()},
        content_type="application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 201, r.content
    assert r.json()["step"] == "activist"
    # out of order: nothing written
    r = client.post(
        url,
        {"step": "activist_filing", "on": START.isoformat()},
        content_type="application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 400 and r.json()["field"] == "on"
    # a contact from another branch
    r = client.post(
        url,
        {
            "step": "contacts",
            "on": date_of("contacts").isoformat(),
            "people": [tree.members_b[1].pk],
        },
        content_type="application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 400 and r.json()["field"] == "people"
    assert StepEvent.all_objects.filter(candidate=candidate).count() == 3
    # a valid body from the sibling branch's secretary: 404, the candidate is not confirmed
    r = client.post(
        url,
        {"step": "activist_filing", "on": date_of("activist_filing").isoformat()},
        content_type="application/json",
        **bearer("secretary_b"),
    )
    assert r.status_code == 404
    assert StepEvent.all_objects.filter(candidate=candidate).count() == 3  # nothing written
    r = client.post(
        url,
        {"step": "oath", "on": "2023-01-01"},
        content_type="application/json",
        **bearer("secretary_b"),
    )
    assert r.status_code == 404


def test_vote_and_approval_through_the_api(client, tree, bearer, candidate_factory):
    c = candidate_factory(upto="volunteer_form")
    on = date_of("acceptance")
    meeting = assembly(tree.branch_a, on)
    url = f"/api/recruitment/candidates/{c.pk}/events"
    payload = {"step": "acceptance", "on": on.isoformat(), "meeting_id": meeting.pk}
    r = client.post(
        url,
        {**payload, "vote_counts": [2, 2, 0]},
        content_type="application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 400 and r.json()["field"] == "vote_counts"
    r = client.post(
        url,
        {**payload, "vote_counts": [4, 0, 0]},
        content_type="application/json",
        **bearer("secretary_a"),
    )
    assert r.status_code == 201 and r.json()["vote_id"]
    for step in ("approval_talk", "party_group_review"):
        r = client.post(
            url,
            {"step": step, "on": date_of(step).isoformat()},
            content_type="application/json",
            **bearer("unit_admin"),
        )
        assert r.status_code == 201, r.content
    approval = {"step": "approval", "on": date_of("approval").isoformat(), "passed": True}
    r = client.post(url, approval, content_type="application/json", **bearer("secretary_a"))
    assert r.status_code == 400 and r.json()["field"] == "step"
    r = client.post(
        url,
        {**approval, "member": member_fields(c)},
        content_type="application/json",
        **bearer("unit_admin"),
    )
    assert r.status_code == 201, r.content
    c.refresh_from_db()
    assert c.member is not None and c.member.joined_on == on
