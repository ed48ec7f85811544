"""The review of the legal services: junk in forms, API bodies and queries (a clear refusal,
nothing written, never a 500), another unit's objects in forms and bodies, and the defects
fixed — a lawyer with live duties marked 停止执业, a village term ended before its last
service or started before the last term ended, another unit's lawyer offered on a case, a
refused form answering 200, another unit's Party branch on a firm, the coverage chart's false
0 %."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.accounts.services import api_token_create
from dangjian.legal.models import LegalAidCase, ServiceLog, VillageLawyer
from tests.conftest import PASSWORD
from tests.legal import legal_svc_world

pytestmark = pytest.mark.django_db
lw = legal_svc_world.lw


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _bearer(user):
    token = api_token_create(actor=None, user=user, name="t")
    secret = token[1] if isinstance(token, tuple) else token
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_junk_in_api_bodies_and_queries_is_a_clear_refusal(client, lw, personas):
    h = _bearer(personas.unit_admin)
    bodies = [
        {
            "org_id": lw.org.pk,
            "case_no": "x",
            "applicant_name": "王五",
            "applicant_category": "elderly",
            "matter": "m",
            "applied_on": "0001-01-01",
        },
        {
            "org_id": lw.org.pk,
            "case_no": "x",
            "applicant_name": "王五",
            "applicant_category": "elderly",
            "matter": "m",
            "applied_on": "9999-12-31",
        },
        {
            "org_id": lw.org.pk,
            "case_no": "x\u0000",
            "applicant_name": "王五",
            "applicant_category": "elderly",
            "matter": "m",
            "applied_on": "2026-01-01",
        },
        {
            "org_id": lw.org.pk,
            "case_no": " ",
            "applicant_name": "王五",
            "applicant_category": "bogus",
            "matter": "m",
            "applied_on": "2026-01-01",
        },
        {
            "org_id": 10**30,
            "case_no": "x",
            "applicant_name": "王五",
            "applicant_category": "elderly",
            "matter": "m",
            "applied_on": "2026-01-01",
        },
        {"org_id": -1},
        {},
        {
            "org_id": lw.other_case.org_id,
            "case_no": "x",
            "applicant_name": "王五",
            "applicant_category": "elderly",
            "matter": "m",
            "applied_on": "2026-01-01",
        },
    ]
    for b in bodies:
        r = client.post("/api/legal/aid-cases", data=b, content_type="application/json", **h)
        assert r.status_code in (400, 404, 422), b
    for action, b in [
        ("accept", {"on": "1900-01-01"}),
        ("accept", {"on": "2999-01-01"}),
        ("refuse", {"reason": "\u0000"}),
        ("assign", {"lawyer_id": lw.other_lawyer.pk}),
        ("assign", {"lawyer_id": 10**30}),
        ("close", {"outcome": "bogus"}),
        ("bogus", {}),
    ]:
        r = client.post(
            f"/api/legal/aid-cases/{lw.case_applied.pk}/{action}",
            data=b,
            content_type="application/json",
            **h,
        )
        assert r.status_code in (400, 404, 422)
    r = client.post(
        f"/api/legal/aid-cases/{10**30}/accept", data={}, content_type="application/json", **h
    )
    assert r.status_code in (400, 404, 422)
    r = client.get(f"/api/legal/aid-cases/{lw.case_applied.pk}/accept", **h)
    assert r.status_code in (404, 405)
    r = client.post("/api/legal/lawyers", data={}, content_type="application/json", **h)
    assert r.status_code in (404, 405)
    for b in [
        {"community_id": lw.villages[1].pk, "lawyer_id": lw.other_lawyer.pk},
        {"community_id": lw.villages[1].pk, "lawyer_id": lw.lawyer3.pk, "started_on": "1000-01-01"},
        {"community_id": lw.villages[1].pk, "lawyer_id": lw.lawyer3.pk, "started_on": "3000-01-01"},
        {"community_id": 10**30, "lawyer_id": lw.lawyer3.pk},
    ]:
        r = client.post("/api/legal/village-lawyers", data=b, content_type="application/json", **h)
        assert r.status_code in (400, 404, 422)
    for url in [
        "/api/legal/aid-cases?category=%E2%80%A6",
        "/api/legal/aid-cases?limit=100000000000000000000",
        "/api/legal/aid-cases?offset=100000000000000000000",
        "/api/legal/lawyers?firm=100000000000000000000",
        "/api/legal/villages?q=" + "x" * 60,
    ]:
        r = client.get(url, **h)
        assert r.status_code in (200, 400, 422)
    assert LegalAidCase.all_objects.count() == 5


def test_junk_in_forms_is_refused_at_the_field_with_nothing_written(client, lw, personas):
    _login(client, personas.unit_admin)
    a = lw.assignment
    posts = [
        (
            reverse("legal:assignment_log", args=[a.pk]),
            {"kind": "consultation", "served_on": "2026-01-01x", "count": "1"},
        ),
        (
            reverse("legal:assignment_log", args=[a.pk]),
            {"kind": "consultation", "served_on": "1000-01-01", "count": "1"},
        ),
        (
            reverse("legal:assignment_log", args=[a.pk]),
            {"kind": "consultation", "served_on": "9999-01-01", "count": "1"},
        ),
        (
            reverse("legal:assignment_log", args=[a.pk]),
            {"kind": "consultation", "served_on": lw.today.isoformat(), "count": "-5"},
        ),
        (
            reverse("legal:assignment_log", args=[a.pk]),
            {"kind": "consultation", "served_on": lw.today.isoformat(), "count": "0"},
        ),
        (
            reverse("legal:assignment_log", args=[a.pk]),
            {"kind": "consultation", "served_on": lw.today.isoformat(), "count": "9" * 30},
        ),
        (reverse("legal:assignment_end", args=[a.pk]), {"ended_on": "3000-01-01"}),
        (reverse("legal:assignment_end", args=[a.pk]), {"ended_on": "1000-01-01"}),
        (
            reverse("legal:village_assign"),
            {"community": lw.villages[1].pk, "lawyer": lw.other_lawyer.pk},
        ),
        (reverse("legal:village_assign"), {"community": 10**30, "lawyer": lw.lawyer3.pk}),
        (reverse("legal:village_assign"), {"community": "abc", "lawyer": "-1"}),
        (
            reverse("legal:case_action", args=[lw.case_accepted.pk, "assign"]),
            {"lawyer": lw.other_lawyer.pk},
        ),
        (reverse("legal:case_action", args=[lw.case_assigned.pk, "close"]), {"outcome": ""}),
        (reverse("legal:case_action", args=[lw.case_applied.pk, "refuse"]), {"reason": "   "}),
        (
            reverse("legal:case_new"),
            {
                "case_no": "x",
                "applicant_name": "a",
                "applicant_category": "elderly",
                "matter": "m",
                "applied_on": "0001-01-01",
            },
        ),
        (
            reverse("legal:activity_new"),
            {
                "kind": "pufa",
                "title": "t",
                "held_on": lw.today.isoformat(),
                "participants": "99999999999999",
                "lawyers": [lw.other_lawyer.pk],
            },
        ),
        (
            reverse("legal:activity_new"),
            {"kind": "pufa", "title": "t", "held_on": lw.today.isoformat(), "participants": "-1"},
        ),
        (
            reverse("legal:lawyer_new"),
            {"firm": lw.other_firm.pk, "name": "n", "licence_no": "14203201510000077"},
        ),
        (
            reverse("legal:lawyer_new"),
            {"firm": lw.firm.pk, "name": "n", "licence_no": "１４２０３２０１５１０００００７７"},
        ),
        (
            reverse("legal:lawyer_new"),
            {"firm": lw.firm.pk, "name": "n", "licence_no": "14203201510000001"},
        ),
        (
            reverse("legal:lawyer_new"),
            {
                "firm": lw.firm.pk,
                "name": "n",
                "licence_no": "14203201510000071",
                "practising_since": "0001-01-01",
            },
        ),
        (
            reverse("legal:lawyer_new"),
            {"firm": lw.firm.pk, "name": "n", "licence_no": "14203201510000072", "phone": "abc"},
        ),
        (reverse("legal:firm_new"), {"name": "x", "party_branch": "999999999999999999999"}),
        (reverse("legal:post_new"), {"name": "x", "level": "bogus"}),
        (
            reverse("legal:adviser_appoint", args=[lw.post_county.pk]),
            {"lawyer": lw.other_lawyer.pk},
        ),
        (
            reverse("legal:adviser_appoint", args=[lw.post_county.pk]),
            {"lawyer": lw.lawyer.pk, "started_on": "3000-01-01"},
        ),
        (reverse("legal:system_move", args=[1, "sideways"]), {}),
        (reverse("legal:services_export", args=["bogus"]), {}),
    ]
    for url, data in posts:
        r = client.post(url, data)
        assert r.status_code in (200, 302, 400, 404), (url, data)
        assert r.status_code != 302 or "services_export" in url or "system_move" in url, (url, data)
    for url in [
        reverse("legal:lawyers") + "?firm=99999999999999999999999&party=x&active=zz&page=abc",
        reverse("legal:cases") + "?state=zz&status=zz&category=zz&page=-1",
        reverse("legal:villages") + "?covered=zz&district=" + "x" * 500,
        reverse("legal:activities") + "?year=99999999999999999999999",
        reverse("legal:advisers") + "?level=zz&covered=1",
    ]:
        r = client.get(url)
        assert r.status_code == 200
    assert ServiceLog.all_objects.count() == 2
    assert VillageLawyer.all_objects.count() == 2


def test_ending_an_adviser_twice_is_a_message_not_a_500(client, lw, personas):
    _login(client, personas.unit_admin)
    url = reverse("legal:adviser_end", args=[lw.adviser.pk])
    assert client.post(url).status_code == 302
    again = client.post(url, HTTP_REFERER="http://testserver/legal/advisers/")
    assert again.status_code == 302  # the message “该法律顾问已解聘。” on the page it came from
    r3 = client.get(url)
    assert r3.status_code == 405


# ---------------------------------------------------------------------------------------------
# Regressions of the review's fixes


def test_a_lawyer_serving_a_place_cannot_stop_practising(lw):
    from dangjian.core.errors import AppError
    from dangjian.legal import services_lawyers as sl
    from dangjian.legal import services_villages as sv

    with pytest.raises(AppError) as exc:
        sl.lawyer_update(actor=None, lawyer=lw.lawyer, is_active=False)
    assert exc.value.field == "is_active"
    lw.lawyer.refresh_from_db()
    assert lw.lawyer.is_active
    # an adviser too (lawyer3 advises the township government)
    with pytest.raises(AppError):
        sl.lawyer_update(actor=None, lawyer=lw.lawyer3, is_active=False)
    # once his duties are ended he may
    sv.village_lawyer_end(actor=None, assignment=lw.assignment)
    sv.adviser_end(actor=None, adviser=lw.adviser)
    done = sl.lawyer_update(actor=None, lawyer=lw.lawyer, is_active=False)
    assert done.is_active is False


def test_an_assignment_cannot_end_before_its_last_service(lw):
    from dangjian.core.errors import AppError
    from dangjian.legal import services_villages as sv

    # the world's last log of the assignment is 5 days ago
    with pytest.raises(AppError) as exc:
        sv.village_lawyer_end(
            actor=None, assignment=lw.assignment, ended_on=lw.today - dt.timedelta(days=6)
        )
    assert exc.value.field == "ended_on"
    assert VillageLawyer.all_objects.get(pk=lw.assignment.pk).ended_on is None
    ended = sv.village_lawyer_end(
        actor=None, assignment=lw.assignment, ended_on=lw.today - dt.timedelta(days=5)
    )
    assert ended.ended_on == lw.today - dt.timedelta(days=5)


def test_a_new_term_cannot_start_before_the_last_one_ended(lw):
    from dangjian.core.errors import AppError
    from dangjian.legal import services_villages as sv

    end = lw.today - dt.timedelta(days=3)
    sv.village_lawyer_end(actor=None, assignment=lw.assignment, ended_on=end)
    before = VillageLawyer.all_objects.count()
    with pytest.raises(AppError) as exc:
        sv.village_lawyer_assign(
            actor=None,
            community=lw.villages[0],
            lawyer=lw.lawyer3,
            started_on=end - dt.timedelta(days=1),
        )
    assert exc.value.field == "started_on"
    assert VillageLawyer.all_objects.count() == before
    # the boundary: the day the last term ended is fine
    new = sv.village_lawyer_assign(
        actor=None, community=lw.villages[0], lawyer=lw.lawyer3, started_on=end
    )
    assert new.started_on == end


def test_the_case_page_offers_only_the_cases_units_lawyers(client, lw, personas):
    _login(client, personas.committee_admin)
    page = client.get(reverse("legal:case", args=[lw.case_accepted.pk])).content.decode()
    assert lw.lawyer.name in page
    assert lw.other_lawyer.name not in page
    response = client.post(
        reverse("legal:case_action", args=[lw.case_accepted.pk, "assign"]),
        {"lawyer": lw.other_lawyer.pk},
    )
    assert response.status_code == 400
    assert "请选择有效的承办律师" in response.content.decode()
    assert LegalAidCase.all_objects.get(pk=lw.case_accepted.pk).status == "accepted"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "legal:case_new",
            {
                "case_no": "x",
                "applicant_name": "王五",
                "applicant_category": "elderly",
                "matter": "m",
                "applied_on": "0001-01-01",
            },
        ),
        ("legal:lawyer_new", {"name": "n", "licence_no": "１４２０３２０１５１０００００７７"}),
        ("legal:post_new", {"name": "x", "level": "bogus"}),
        (
            "legal:activity_new",
            {"kind": "pufa", "title": "t", "held_on": "2026-01-01", "participants": "-1"},
        ),
    ],
)
def test_a_refused_form_answers_400(client, lw, personas, name, data):
    _login(client, personas.unit_admin)
    if name == "legal:lawyer_new":
        data = {**data, "firm": lw.firm.pk}
    response = client.post(reverse(name), data)
    assert response.status_code == 400
    assert (
        "is-invalid" in response.content.decode() or "invalid-feedback" in response.content.decode()
    )


def test_a_firm_cannot_take_another_units_party_branch(lw, personas, tree):
    from dangjian.core.errors import AppError
    from dangjian.legal import services_lawyers as sl
    from dangjian.legal.models import LawFirm

    before = LawFirm.all_objects.count()
    with pytest.raises(AppError) as exc:
        sl.firm_create(
            actor=personas.unit_admin, org=lw.org, name="新律所", party_branch=tree.branch_c
        )
    assert exc.value.field == "party_branch"
    assert LawFirm.all_objects.count() == before
    with pytest.raises(AppError):
        sl.firm_update(actor=personas.unit_admin, firm=lw.firm2, party_branch=tree.branch_c)
    # its own unit's branch is fine, and an unchanged branch stays valid on update
    firm = sl.firm_create(
        actor=personas.unit_admin, org=lw.org, name="新律所", party_branch=tree.branch_b
    )
    assert firm.party_branch == tree.branch_b
    done = sl.firm_update(actor=personas.unit_admin, firm=lw.firm, district="郧阳区")
    assert done.party_branch == tree.branch_a


def test_the_coverage_chart_says_dash_where_nothing_is_to_cover(lw, personas):
    from dangjian.legal.selectors_services_overview import chart_data, overview

    data = overview(personas.unit_admin, lw.today)
    charts = chart_data(data)["coverage"]
    # 一村（社区）一律师 2/3, city 1/1, county 0/1, township 1/1
    assert charts["labels"] == [
        "66.7%（2/3）",
        "100.0%（1/1）",
        "0.0%（0/1）",
        "100.0%（1/1）",
    ]
    from dangjian.legal.models import AdviserPost

    AdviserPost.all_objects.filter(level="county").delete()
    charts = chart_data(overview(personas.unit_admin, lw.today))["coverage"]
    assert charts["labels"][2] == "—（0/0）"
    assert charts["percents"][2] == 0


def _grow(lw, n: int, start: int) -> None:
    from dangjian.cocreation import services as cs
    from dangjian.legal import services_aid as sa
    from dangjian.legal import services_lawyers as sl
    from dangjian.legal import services_villages as sv

    for i in range(start, start + n):
        lawyer = sl.lawyer_create(
            actor=None,
            firm=lw.firm2,
            name=f"律师{i}",
            licence_no=f"1420320151200{i:04d}",
            is_party_member=bool(i % 2),
            phone="13900001111",
        )
        place = cs.community_create(
            actor=None, name=f"新村{i}", kind="village", district="房县", township="城关镇"
        )
        a = sv.village_lawyer_assign(actor=None, community=place, lawyer=lawyer)
        sv.service_log_record(
            actor=None, assignment=a, kind="consultation", served_on=lw.today, count=2
        )
        post = sv.adviser_post_create(actor=None, org=lw.org, name=f"第{i}镇", level="township")
        sv.adviser_appoint(actor=None, post=post, lawyer=lawyer)
        case = sa.aid_case_create(
            actor=None,
            org=lw.org,
            case_no=f"G{i}",
            applicant_name="孙某某",
            applicant_category="other",
            matter="事项",
            applied_on=lw.today,
        )
        sa.aid_case_accept(actor=None, case=case)
        sa.activity_record(
            actor=None,
            org=lw.org,
            kind="pufa",
            title=f"活动{i}",
            held_on=lw.today,
            lawyers=[lawyer],
        )


@pytest.mark.parametrize(
    "url",
    [
        "/legal/",
        "/legal/firms/",
        "/legal/lawyers/",
        "/legal/villages/",
        "/legal/advisers/",
        "/legal/aid/",
        "/legal/activities/",
        "/legal/system/",
        "/api/legal/firms",
        "/api/legal/lawyers",
        "/api/legal/villages",
        "/api/legal/advisers",
        "/api/legal/aid-cases",
        "/api/legal/activities",
    ],
)
def test_list_queries_are_the_same_for_more_rows(client, lw, personas, url):
    """No N+1: the same number of queries with 2 more rows of everything as with 6 more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = _bearer(personas.unit_admin) if url.startswith("/api/") else {}
    if not headers:
        _login(client, personas.unit_admin)

    def count() -> int:
        client.get(url, **headers)  # warm the session and grants
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, **headers).status_code == 200
        return len(ctx.captured_queries)

    _grow(lw, 2, 0)
    few = count()
    _grow(lw, 4, 2)
    assert count() == few


@pytest.mark.parametrize("where", ["lists", "list", "public", "public_api", "api_items"])
def test_lenient_list_queries_are_the_same_for_more_rows(client, tree, personas, where):
    """The 四张清单 pages and endpoints: no query per list or per item."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.legal import services_lists as s
    from tests.legal.legal_lists_world import BASIS, lenient_world

    w = lenient_world(tree)
    domains = iter(["交通运输", "城市管理", "文化旅游", "卫生健康", "应急管理", "生态环境"])

    def grow(n):
        for _ in range(n):
            lst = s.list_create(
                actor=None,
                org=tree.party_group_a,
                domain=next(domains),
                kind="reduced_penalty",
                effective_from=w.market.effective_from,
            )
            for k in range(3):
                s.item_create(
                    actor=None,
                    lenient_list=lst,
                    conduct=f"行为{k}",
                    legal_basis=BASIS,
                    conditions="情形",
                )
                s.item_create(
                    actor=None,
                    lenient_list=w.market,
                    conduct=f"市场行为{lst.pk}-{k}",
                    legal_basis=BASIS,
                    conditions="情形",
                )
            s.list_publish(actor=None, lenient_list=lst)

    url = {
        "lists": "/legal/lists/",
        "list": f"/legal/lists/{w.market.pk}/",
        "public": "/public/lenient-lists/?q=",
        "public_api": "/api/public/lenient-items",
        "api_items": f"/api/legal/lenient-lists/{w.market.pk}/items",
    }[where]
    headers = _bearer(personas.unit_admin) if where == "api_items" else {}
    if where in ("lists", "list"):
        _login(client, personas.unit_admin)

    def count() -> int:
        client.get(url, **headers)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, **headers).status_code == 200
        return len(ctx.captured_queries)

    grow(1)
    few = count()
    grow(3)
    assert count() == few
