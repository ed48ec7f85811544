"""Observation meeting API: managers' list and detail, a judge's sheets, saving an item score
(idempotent; refusals as 400 with the Chinese message, nothing written), submitting, the
ranking; 404 for everyone else."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from tests.assessment.helpers_obs import (
    START,
    items_of,
    make_meeting,
    make_sheet,
    make_users,
    score_all,
    stops_of,
)

from dangjian.accounts.services import api_token_create
from dangjian.assessment import services_observation as obs
from dangjian.assessment.models import ObservationJudge, ScoreItem, ScoreSheet
from dangjian.core.models import AuditEntry

pytestmark = pytest.mark.django_db
BASE = "/api/assessment/observations"


@pytest.fixture
def meeting(tree, personas):
    others = make_users("j", 2)
    m = make_meeting(
        tree,
        owner=tree.party_group_a,
        sheet=make_sheet(tree.root),
        stops=[
            (tree.branch_a, "第一党支部展板", "board", 15),
            (tree.branch_b, "第二党支部活动室", "room", 20),
        ],
        judges=[*others],
    )
    obs.judge_add(
        actor=None, meeting=m, user=personas.judge, affiliation="工委", stops=[stops_of(m)[0]]
    )
    obs.participants_add(actor=None, meeting=m, users=[personas.member_a])
    return obs.observation_start(actor=None, meeting=m)


def _put(client, url, points):
    return client.put(url, {"points": points}, content_type="application/json")


def _item_url(meeting, stop, indicator):
    return f"{BASE}/{meeting.pk}/stops/{stop.pk}/items/{indicator.pk}"


def _counts():
    return (ScoreSheet.objects.unscoped().count(), ScoreItem.objects.unscoped().count())


@pytest.mark.parametrize(
    ("persona", "list_status", "detail_status", "sheets_status", "ranking_status"),
    [
        ("committee_admin", 200, 200, 404, 200),
        ("unit_admin", 200, 200, 404, 200),
        ("judge", 404, 404, 200, 200),
        ("member_a", 404, 404, 404, 404),
        ("secretary_a", 404, 404, 404, 404),
        ("secretary_b", 404, 404, 404, 404),
        ("auditor", 404, 404, 404, 404),
        ("security_admin", 404, 404, 404, 404),
        ("system_admin", 404, 404, 404, 404),
        ("outsider", 404, 404, 404, 404),
    ],
)
def test_permission_table(
    client, meeting, personas, persona, list_status, detail_status, sheets_status, ranking_status
):
    client.force_login(personas.by_name(persona))
    assert client.get(BASE).status_code == list_status
    assert client.get(f"{BASE}/{meeting.pk}").status_code == detail_status
    assert client.get(f"{BASE}/{meeting.pk}/sheets").status_code == sheets_status
    assert client.get(f"{BASE}/{meeting.pk}/ranking").status_code == ranking_status
    stop = stops_of(meeting)[0]
    indicator = items_of(meeting.sheet)[0]
    response = _put(client, _item_url(meeting, stop, indicator), "5")
    assert response.status_code == (200 if persona == "judge" else 404)


def test_anonymous_is_401(client, meeting):
    assert client.get(BASE).status_code == 401
    assert client.get(f"{BASE}/{meeting.pk}/ranking").status_code == 401


def test_list_and_detail_for_a_manager_with_a_token(client, meeting, personas, tree):
    _, token = api_token_create(actor=None, user=personas.unit_admin, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = client.get(BASE, **auth).json()
    assert body["count"] == 1 and body["items"][0]["owner_name"] == "甲局党组"
    assert client.get(f"{BASE}?status=closed", **auth).json()["count"] == 0
    assert client.get(f"{BASE}?status=open", **auth).status_code == 422
    detail = client.get(f"{BASE}/{meeting.pk}", **auth).json()
    assert [s["place"] for s in detail["stops"]] == ["第一党支部展板", "第二党支部活动室"]
    arrives = dt.datetime.fromisoformat(detail["stops"][1]["arrives_at"])
    assert arrives == START + dt.timedelta(minutes=15)
    assert detail["participants"] == 1 and detail["signed_in"] == 0
    assert detail["sign_in_code"] == meeting.sign_in_code
    assert len(detail["judges"]) == 3 and detail["outlier_points"] == "10.00"


def test_a_judge_scores_through_the_api(client, meeting, personas):
    client.force_login(personas.judge)
    sheets = client.get(f"{BASE}/{meeting.pk}/sheets").json()
    assert sheets["has_sheet"] is True and sheets["sheet_max"] == "40.00"
    assert [i["title"] for i in sheets["indicators"]] == ["展板内容", "现场讲解", "特色亮点"]
    assert [s["stop_id"] for s in sheets["stops"]] == [stops_of(meeting)[0].pk]
    stop = stops_of(meeting)[0]
    items = items_of(meeting.sheet)
    r = _put(client, _item_url(meeting, stop, items[0]), "8.5")
    assert r.status_code == 200
    assert r.json() == {
        "stop_id": stop.pk,
        "indicator_id": items[0].pk,
        "points": "8.50",
        "sheet_total": "8.50",
        "submitted": False,
    }
    # resent from the phone's queue: same answer, nothing new written
    before = AuditEntry.objects.filter(action="assessment.score.saved").count()
    assert _put(client, _item_url(meeting, stop, items[0]), 8.5).status_code == 200
    assert AuditEntry.objects.filter(action="assessment.score.saved").count() == before
    r = client.post(f"{BASE}/{meeting.pk}/stops/{stop.pk}/submit", {}, "application/json")
    assert r.status_code == 400 and r.json()["detail"] == "还有2项未评分，请全部评分后再提交。"
    _put(client, _item_url(meeting, stop, items[1]), "9")
    _put(client, _item_url(meeting, stop, items[2]), "18")
    r = client.post(f"{BASE}/{meeting.pk}/stops/{stop.pk}/submit", {}, "application/json")
    assert r.status_code == 200 and r.json()["total"] == "35.50" and r.json()["submitted"]
    mine = client.get(f"{BASE}/mine").json()
    assert mine == [
        {
            "meeting_id": meeting.pk,
            "title": meeting.title,
            "starts_at": mine[0]["starts_at"],
            "status": "live",
            "judge_id": ObservationJudge.objects.unscoped().get(user=personas.judge).pk,
            "stop_ids": [stop.pk],
        }
    ]


@pytest.mark.parametrize(
    ("points", "status", "detail"),
    [
        ("10.5", 400, "得分不能超过该项分值 10.00 分。"),
        ("-1", 400, "得分不能为负数。"),
        ("1.005", 400, "得分最多保留两位小数。"),
        ("abc", 422, "请求数据有误"),
        (None, 422, "请求数据有误"),
    ],
)
def test_bad_scores_are_400_or_422_and_nothing_written(
    client, meeting, personas, points, status, detail
):
    client.force_login(personas.judge)
    stop = stops_of(meeting)[0]
    r = _put(client, _item_url(meeting, stop, items_of(meeting.sheet)[0]), points)
    assert r.status_code == status and r.json()["detail"] == detail
    assert _counts() == (0, 0)


def test_a_stop_not_assigned_is_refused_with_the_message(client, meeting, personas):
    client.force_login(personas.judge)
    second = stops_of(meeting)[1]
    r = _put(client, _item_url(meeting, second, items_of(meeting.sheet)[0]), "5")
    assert r.status_code == 400
    assert r.json() == {"detail": "您未被分配到该点位评分。", "field": "stop"}
    assert _counts() == (0, 0)


def test_wrong_ids_and_closed_meetings(client, meeting, personas, tree):
    client.force_login(personas.judge)
    stop = stops_of(meeting)[0]
    other = items_of(make_sheet(tree.root, name="另表"))[0]
    r = _put(client, _item_url(meeting, stop, other), "5")
    assert r.status_code == 400 and "不属于本次观摩会" in r.json()["detail"]
    r = _put(client, f"{BASE}/{meeting.pk}/stops/999999/items/{other.pk}", "5")
    assert r.status_code == 404
    # a stop of another meeting is not found in this one
    foreign = make_meeting(tree, title="另一场", judges=make_users("z", 1))
    r = _put(client, _item_url(meeting, stops_of(foreign)[0], items_of(meeting.sheet)[0]), "5")
    assert r.status_code == 404
    obs.observation_close(actor=None, meeting=meeting)
    r = _put(client, _item_url(meeting, stop, items_of(meeting.sheet)[0]), "5")
    assert r.status_code == 400 and r.json()["detail"] == "观摩会已结束，不能再评分。"
    assert _counts() == (0, 0)


def test_overall_score_endpoint(client, tree, personas):
    meeting = make_meeting(tree, judges=[personas.judge], live=True)
    stop = stops_of(meeting)[0]
    client.force_login(personas.judge)
    r = _put(client, f"{BASE}/{meeting.pk}/stops/{stop.pk}/overall", "93")
    assert r.status_code == 200 and r.json()["total"] == "93.00"
    r = _put(client, f"{BASE}/{meeting.pk}/stops/{stop.pk}/overall", "101")
    assert r.status_code == 400 and "100.00" in r.json()["detail"]


def test_ranking_hides_judges_totals_from_judges(client, meeting, personas):
    users = [j.user for j in ObservationJudge.objects.unscoped().filter(meeting=meeting)]
    first = stops_of(meeting)[0]
    score_all(meeting, users[0], first, ["9", "9", "18"])
    score_all(meeting, users[1], first, ["8", "8", "16"])
    client.force_login(personas.committee_admin)
    body = client.get(f"{BASE}/{meeting.pk}/ranking").json()
    assert body["units"] == [
        {"rank": 1, "org_id": first.org_id, "org_name": "第一党支部", "score": "85.00", "stops": 1}
    ]
    stop = body["stops"][0]
    assert stop["score"] == "34.00" and stop["judges_submitted"] == 2
    assert stop["judges_assigned"] == 3 and len(stop["totals"]) == 2
    client.force_login(personas.judge)
    body = client.get(f"{BASE}/{meeting.pk}/ranking").json()
    assert body["stops"][0]["totals"] == [] and body["units"][0]["score"] == "85.00"
    assert Decimal(body["stops"][0]["score"]) == Decimal("34")
