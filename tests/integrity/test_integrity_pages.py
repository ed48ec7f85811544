"""清廉机关 pages: who may open which (one table), the register and overview's query counts,
the forms (errors at the field, derived values), the branch's bulk record, and the
member's phone page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.conftest import PERSONA_NAMES
from tests.integrity.conftest import make_risk, make_session, sign

from dangjian.core.models import AuditEntry
from dangjian.integrity import services
from dangjian.integrity.models import Commitment, RiskPoint, WarningSession

# the tree and the personas are built once for the module (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("shared_tree")


def _as(client, personas, name):
    client.force_login(personas.by_name(name))
    return client


@pytest.fixture
def objects(tree, personas, year, today):
    point = make_risk(tree.branch_a, year)
    session = make_session(tree.branch_a, today)
    commitment = services.commitment_sign(actor=personas.member_a)
    return {"risk": point.pk, "session": session.pk, "commitment": commitment.pk}


MANAGERS = {"committee_admin": 200, "unit_admin": 200, "secretary_a": 200}
READERS = MANAGERS
MEMBERS_LINKED = {"secretary_a": 200, "member_a": 200, "secretary_b": 200}


def _expect(table: dict, persona: str) -> int:
    return table.get(persona, 404)


# (name, method, url, {persona: status}; every persona not named answers 404)
PAGES = [
    ("overview of A", "get", "/integrity/?org={A}", {**READERS, "member_a": 302}),
    ("overview of C", "get", "/integrity/?org={C}", {"committee_admin": 200, "member_a": 302}),
    ("register of A", "get", "/integrity/risks/?org={A}", READERS),
    ("register", "get", "/integrity/risks/", {**READERS, "secretary_b": 200}),
    ("new risk in A", "get", "/integrity/risks/new/?org={A}", MANAGERS),
    ("edit risk of A", "get", "/integrity/risks/{risk}/edit/", MANAGERS),
    ("sessions of A", "get", "/integrity/sessions/?org={A}", READERS),
    ("new session in A", "get", "/integrity/sessions/new/?org={A}", MANAGERS),
    ("edit session of A", "get", "/integrity/sessions/{session}/edit/", MANAGERS),
    ("commitments of A", "get", "/integrity/orgs/{A}/commitments/", READERS),
    ("commitments of P (not a branch)", "get", "/integrity/orgs/{P}/commitments/", {}),
    (
        "commitment of member_a",
        "get",
        "/integrity/commitments/{commitment}/",
        {**READERS, "member_a": 200},
    ),
    ("my commitment", "get", "/integrity/my/", MEMBERS_LINKED),
    (
        "commitments default",
        "get",
        "/integrity/commitments/",
        {
            **READERS,
            "secretary_b": 302,
            "committee_admin": 302,
            "unit_admin": 302,
            "secretary_a": 302,
        },
    ),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize(("name", "method", "url", "table"), PAGES, ids=[p[0] for p in PAGES])
def test_permission_table(client, tree, personas, objects, persona, name, method, url, table):
    ids = {"A": tree.branch_a.pk, "C": tree.branch_c.pk, "P": tree.party_group_a.pk, **objects}
    response = getattr(_as(client, personas, persona), method)(url.format(**ids))
    assert response.status_code == _expect(table, persona), (name, persona)


# POSTs: the outsider learns nothing and nothing is written
WRITES = [
    ("retire", "/integrity/risks/{risk}/retire/", {}),
    ("delete session", "/integrity/sessions/{session}/delete/", {}),
    ("revoke", "/integrity/commitments/{commitment}/revoke/", {"reason": "误签"}),
    ("bulk", "/integrity/orgs/{A}/commitments/record/", {"signed_on": "2026-01-05"}),
]


@pytest.mark.parametrize("persona", ["member_a", "secretary_b", "judge", "auditor", "outsider"])
@pytest.mark.parametrize(("name", "url", "data"), WRITES, ids=[w[0] for w in WRITES])
def test_writes_are_404_for_outsiders(client, tree, personas, objects, persona, name, url, data):
    ids = {"A": tree.branch_a.pk, **objects}
    response = _as(client, personas, persona).post(url.format(**ids), data)
    assert response.status_code == 404
    assert RiskPoint.all_objects.get().retired_on is None
    assert WarningSession.all_objects.count() == 1 and Commitment.all_objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/integrity/?org=abc",
        "/integrity/?org=99999999999999999999",
        "/integrity/risks/?org=-1",
        "/integrity/risks/new/?org=x",
        "/integrity/sessions/?org=0",
        "/integrity/risks/999999/edit/",
        "/integrity/commitments/999999/",
    ],
)
def test_bad_ids_are_404(client, personas, url):
    assert _as(client, personas, "committee_admin").get(url).status_code == 404


def test_garbage_filters_do_not_break_the_register(client, tree, personas, objects):
    c = _as(client, personas, "committee_admin")
    r = c.get("/integrity/risks/?year=abc&level=extreme&unit=zz&status=nope&page=x&q=" + "长" * 80)
    assert r.status_code == 200
    r = c.get("/integrity/?year=1800")
    assert r.status_code == 200


# --- query counts -------------------------------------------------------------------------


def _get_counted(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_register_query_count_is_bounded(client, tree, personas, year):
    """Ten queries whatever the register's size: session, user, grants, units, count, the
    bell, one page of rows (with org, unit and owner joined), the session save."""
    c = _as(client, personas, "committee_admin")
    orgs = [tree.branch_a, tree.branch_b, tree.branch_c, tree.party_group_a]
    for i in range(3):
        make_risk(orgs[i % 4], year, post=f"岗位{i}", owner=tree.members_a[i % 5])
    _, small = _get_counted(c, "/integrity/risks/")
    for i in range(3, 30):
        make_risk(orgs[i % 4], year, post=f"岗位{i}", owner=tree.members_a[i % 5])
    response, big = _get_counted(c, "/integrity/risks/")
    assert small == big <= 10
    html = response.content.decode()
    assert html.count('data-testid="risk-row"') == 20  # one page
    assert "共 30 个风险点" in html


def test_overview_query_count_is_bounded(
    client, tree, personas, year, today, django_assert_max_num_queries
):
    for i, org in enumerate([tree.branch_a, tree.branch_b, tree.branch_c] * 4):
        make_risk(org, year, post=f"岗{i}")
        make_session(org, today, attendees=i + 1)
    sign(tree.members_a[0], year)
    c = _as(client, personas, "committee_admin")
    # session, user, grants, org, the three grouped figures, child orgs, recent sessions,
    # the bell, the session save (3 with its savepoint): whatever the tree's size
    with django_assert_max_num_queries(13):
        response = c.get(f"/integrity/?org={tree.root.pk}")
    html = response.content.decode()
    assert html.count('data-testid="coverage-row"') == 2
    assert 'data-testid="total-sessions">12<' in html
    assert 'data-testid="total-rate">10.0%<' in html
    assert '<progress class="coverage" max="100" value="13"' in html  # 1 of 8 in 甲局


# --- risk-point forms ---------------------------------------------------------------------


def test_risk_form_errors_show_at_the_fields(client, tree, personas, year):
    c = _as(client, personas, "secretary_a")
    r = c.post(
        f"/integrity/risks/new/?org={tree.branch_a.pk}",
        {
            "org": tree.branch_a.pk,
            "year": year,
            "post": "",
            "risk": "",
            "level": "",
            "measures": "",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    for field, message in [
        ("post", "请填写岗位。"),
        ("risk", "请填写风险描述。"),
        ("level", "请选择风险等级（高、中、低）。"),
        ("measures", "请填写防控措施。"),
        ("owner_name", "请填写责任人。"),
    ]:
        assert re.search(rf'data-testid="error-{field}">{re.escape(message)}<', html), field
    assert RiskPoint.all_objects.count() == 0


def test_risk_form_creates_with_owner_from_the_roster(client, tree, personas, year):
    c = _as(client, personas, "secretary_a")
    r = c.post(
        f"/integrity/risks/new/?org={tree.branch_a.pk}",
        {
            "org": tree.branch_a.pk,
            "year": year,
            "post": "党费收缴岗",
            "risk": "挪用党费",
            "level": "medium",
            "measures": "月清月结",
            "owner": tree.members_a[0].pk,
            "owner_name": "",
        },
    )
    assert r.status_code == 302 and r["Location"] == f"/integrity/risks/?org={tree.branch_a.pk}"
    point = RiskPoint.all_objects.get()
    assert (point.owner_name, point.level) == ("张三丰", "medium")
    listing = c.get(r["Location"]).content.decode()
    assert "党费收缴岗" in listing and "张三丰" in listing


def test_risk_form_refuses_an_org_outside_the_choices(client, tree, personas, year):
    c = _as(client, personas, "secretary_a")
    r = c.post(
        f"/integrity/risks/new/?org={tree.branch_a.pk}",
        {
            "org": tree.branch_b.pk,
            "year": year,
            "post": "岗",
            "risk": "险",
            "level": "low",
            "measures": "措施",
            "owner_name": "某",
        },
    )
    assert r.status_code == 400 and "请选择有效的组织。" in r.content.decode()
    assert RiskPoint.all_objects.count() == 0


def test_risk_edit_and_retire(client, tree, personas, year):
    point = make_risk(tree.branch_a, year)
    c = _as(client, personas, "unit_admin")
    form = c.get(f"/integrity/risks/{point.pk}/edit/").content.decode()
    assert "审核把关不严" in form
    r = c.post(
        f"/integrity/risks/{point.pk}/edit/",
        {
            "org": tree.branch_a.pk,
            "year": year,
            "post": "财务审核岗",
            "risk": point.risk,
            "level": "low",
            "measures": point.measures,
            "owner_name": "王科长",
        },
    )
    assert r.status_code == 302
    point.refresh_from_db()
    assert (point.level, point.owner_name) == ("low", "王科长")
    r = c.post(f"/integrity/risks/{point.pk}/retire/", {"reason": "岗位撤销"})
    assert r.status_code == 302
    point.refresh_from_db()
    assert point.retired_on is not None
    # a retired point is no longer editable; it stays in the register as history
    assert c.get(f"/integrity/risks/{point.pk}/edit/").status_code == 302
    assert "财务审核岗" in c.get("/integrity/risks/?status=retired").content.decode()
    assert "财务审核岗" not in c.get("/integrity/risks/").content.decode()


# --- sessions -------------------------------------------------------------------------------


def test_session_form_links_a_meeting_and_derives_the_count(client, tree, personas, held_meeting):
    c = _as(client, personas, "secretary_a")
    page = c.get(f"/integrity/sessions/new/?org={tree.branch_a.pk}").content.decode()
    assert "观看警示教育片《零容忍》" in page and "实到3人" in page
    r = c.post(
        f"/integrity/sessions/new/?org={tree.branch_a.pk}",
        {
            "org": tree.branch_a.pk,
            "meeting": held_meeting.pk,
            "form": "film",
            "held_on": "",
            "title": "",
            "attendees": "",
            "note": "",
        },
    )
    assert r.status_code == 302
    session = WarningSession.all_objects.get()
    assert (session.attendees, session.title, session.meeting_id) == (
        3,
        "观看警示教育片《零容忍》",
        held_meeting.pk,
    )
    listing = c.get(r["Location"]).content.decode()
    assert listing.count('data-testid="session-row"') == 1


def test_session_form_without_meeting_needs_a_count(client, tree, personas, today):
    c = _as(client, personas, "secretary_a")
    r = c.post(
        f"/integrity/sessions/new/?org={tree.branch_a.pk}",
        {"org": tree.branch_a.pk, "form": "case", "held_on": today.isoformat(), "title": "通报"},
    )
    assert r.status_code == 400
    assert "请填写参加人次" in r.content.decode()
    assert WarningSession.all_objects.count() == 0


def test_session_delete(client, tree, personas, today):
    session = make_session(tree.branch_a, today)
    r = _as(client, personas, "secretary_a").post(f"/integrity/sessions/{session.pk}/delete/")
    assert r.status_code == 302 and WarningSession.all_objects.count() == 0


# --- commitments ----------------------------------------------------------------------------


def test_branch_page_lists_signed_and_not_yet(client, tree, personas, year):
    sign(tree.members_a[0], year)
    html = (
        _as(client, personas, "secretary_a")
        .get(f"/integrity/orgs/{tree.branch_a.pk}/commitments/")
        .content.decode()
    )
    assert html.count('data-signed="1"') == 1 and html.count('data-signed="0"') == 4
    assert "已签订 1 / 5 人（20.0%）" in html
    assert html.count('name="members"') == 4


def test_bulk_record_through_the_page(client, tree, personas, year, today):
    c = _as(client, personas, "secretary_a")
    url = f"/integrity/orgs/{tree.branch_a.pk}/commitments/record/"
    chosen = [tree.members_a[2].pk, tree.members_a[3].pk]
    r = c.post(url, {"year": year, "signed_on": today.isoformat(), "members": chosen})
    assert r.status_code == 302
    assert sorted(Commitment.all_objects.values_list("member_id", flat=True)) == sorted(chosen)
    # the same members again: no longer among the not-yet-signed, refused, nothing written
    r = c.post(url, {"year": year, "signed_on": today.isoformat(), "members": chosen[:1]})
    assert r.status_code == 400
    assert "所选党员不在本支部未签订名单中" in r.content.decode()
    # nobody chosen
    r = c.post(url, {"year": year, "signed_on": today.isoformat()})
    assert r.status_code == 400 and "请选择已签订的党员。" in r.content.decode()
    # a signing date in the future
    r = c.post(
        url,
        {
            "year": year,
            "signed_on": (today + dt.timedelta(days=2)).isoformat(),
            "members": [tree.members_a[4].pk],
        },
    )
    assert r.status_code == 400 and "签订日期不能晚于今天。" in r.content.decode()
    assert Commitment.all_objects.count() == 2


def test_revoke_through_the_page(client, tree, personas, year):
    c_obj = sign(tree.members_a[2], year)
    c = _as(client, personas, "secretary_a")
    r = c.post(f"/integrity/commitments/{c_obj.pk}/revoke/", {"reason": ""})
    assert r.status_code == 302 and Commitment.all_objects.count() == 1
    r = c.post(f"/integrity/commitments/{c_obj.pk}/revoke/", {"reason": "误登记"})
    assert r.status_code == 302 and Commitment.all_objects.count() == 0


def test_my_page_signs_with_one_button_once(client, tree, personas, year):
    sign(tree.members_a[1], year - 1)
    c = _as(client, personas, "member_a")
    page = c.get("/integrity/my/").content.decode()
    assert 'data-testid="my-sign"' in page and f"{year - 1}年度廉洁承诺" in page
    r = c.post("/integrity/my/")
    assert r.status_code == 302
    page = c.get("/integrity/my/").content.decode()
    assert 'data-testid="my-signed"' in page and 'data-testid="my-sign"' not in page
    r = c.post("/integrity/my/", follow=True)
    assert "每人每年只签订一次" in r.content.decode()
    assert Commitment.all_objects.filter(member=tree.members_a[1]).count() == 2
    assert AuditEntry.objects.filter(action="integrity.commitment.signed").count() == 1


def test_member_sees_his_own_commitment_but_not_anothers(client, tree, personas, year):
    own = services.commitment_sign(actor=personas.member_a)
    other = sign(tree.members_a[2], year)
    c = _as(client, personas, "member_a")
    assert "李四" in c.get(f"/integrity/commitments/{own.pk}/").content.decode()
    assert c.get(f"/integrity/commitments/{other.pk}/").status_code == 404
    # the overview sends him to his own page
    r = c.get("/integrity/")
    assert r.status_code == 302 and r["Location"] == "/integrity/my/"
