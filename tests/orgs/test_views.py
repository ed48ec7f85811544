"""Org pages: forms answer bad input in Chinese at the field, lists have constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.conftest import member_data

from dangjian.core.models import AuditEntry
from dangjian.members.services import member_create
from dangjian.orgs import services
from dangjian.orgs.models import Org


@pytest.fixture
def admin_client(client, personas):
    client.force_login(personas.committee_admin)
    return client


def test_org_page_shows_counts_seats_term_and_warnings(admin_client, tree):
    services.term_record_election(actor=None, org=tree.branch_a, elected_on=dt.date(2021, 3, 1))
    services.seat_assign(
        actor=None,
        org=tree.branch_a,
        member=tree.members_a[0],
        role="secretary",
        started_on=dt.date(2021, 3, 1),
    )
    html = admin_client.get(f"/orgs/{tree.branch_a.pk}/").content.decode()
    assert "2024-03-01" in html  # due date: three years (R-ORG-03)
    assert "R-ORG-23" in html  # overdue relative to today (2026)
    assert "张三丰" in html and "书记" in html
    html = admin_client.get(f"/orgs/{tree.branch_c.pk}/").content.decode()
    assert "R-ORG-03" in html and "不足3人" in html


def test_create_form_shows_field_errors_and_writes_nothing(admin_client, tree):
    before = Org.objects.unscoped().count()
    response = admin_client.post(f"/orgs/{tree.organ_a.pk}/new/", {"name": "", "kind": "branch"})
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    response = admin_client.post(
        f"/orgs/{tree.organ_a.pk}/new/",
        {"name": "新支部", "kind": "branch", "established_on": "2099-01-01"},
    )
    html = response.content.decode()
    assert 'data-testid="field-error-established_on"' in html and "不能晚于今天" in html
    response = admin_client.post(
        f"/orgs/{tree.organ_a.pk}/new/",
        {"name": "新支部", "kind": "branch", "established_on": "2022-13-45"},
    )
    assert "有效的日期" in response.content.decode()
    assert Org.objects.unscoped().count() == before


def test_create_form_refuses_a_kind_not_offered(admin_client, tree):
    response = admin_client.post(
        f"/orgs/{tree.branch_a.pk}/new/", {"name": "x", "kind": "organ_committee"}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()


def test_create_redirects_to_the_new_org(admin_client, tree):
    response = admin_client.post(
        f"/orgs/{tree.organ_a.pk}/new/", {"name": "第三党支部", "kind": "branch"}
    )
    org = Org.objects.unscoped().get(name="第三党支部")
    assert response.status_code == 302 and response["Location"] == f"/orgs/{org.pk}/"


def test_dissolve_refusal_is_shown_on_the_form(admin_client, tree):
    response = admin_client.post(
        f"/orgs/{tree.branch_b.pk}/dissolve/", {"on": "2022-11-01", "reason": "合并"}
    )
    assert response.status_code == 200
    assert "请先转出组织关系" in response.content.decode()
    tree.branch_b.refresh_from_db()
    assert tree.branch_b.dissolved_on is None


def test_move_page_moves(admin_client, tree):
    response = admin_client.post(f"/orgs/{tree.branch_c.pk}/move/", {"new_parent": tree.organ_a.pk})
    assert response.status_code == 302
    tree.branch_c.refresh_from_db()
    assert tree.branch_c.path.startswith(tree.organ_a.path)


@pytest.mark.parametrize(
    "url",
    [
        "/orgs/abc/",
        "/orgs/tree/?parent=abc",
        "/orgs/tree/?parent=99999999",
        "/members/?org=xyz",
        "/orgs/99999999/",
    ],
)
def test_malformed_ids_are_404_not_500(admin_client, tree, url):
    assert admin_client.get(url).status_code == 404


def test_list_filters_and_search(admin_client, tree):
    html = admin_client.get("/orgs/?q=第一").content.decode()
    assert "第一党支部" in html and "第二党支部" not in html
    html = admin_client.get("/orgs/?kind=party_group").content.decode()
    assert "甲局党组" in html and "第一党支部" not in html
    html = admin_client.get("/orgs/?page=abc").content.decode()
    assert "测试工委" in html


def test_tree_lazy_children_and_search(admin_client, tree):
    roots = admin_client.get("/orgs/tree/").content.decode()
    assert "测试工委" in roots and "甲局党组" not in roots
    children = admin_client.get(f"/orgs/tree/?parent={tree.root.pk}").content.decode()
    assert "甲局党组" in children and "第一党支部" not in children
    found = admin_client.get("/orgs/tree/?q=乙局").content.decode()
    assert "乙局党支部" in found


def _more_branches(tree, n):
    for i in range(n):
        b = services.org_create(
            actor=None, parent=tree.organ_a, name=f"加测党支部{i}", kind="branch"
        )
        member_create(
            actor=None,
            branch=b,
            name="测试" + "甲乙丙丁戊己庚辛壬癸子丑寅卯辰"[i % 15],
            **member_data(),
        )
        services.term_record_election(actor=None, org=b, elected_on=dt.date(2022, 1, 1))


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    "url", ["/orgs/", "/members/", "/", "/orgs/tree/?parent={organ}", "/orgs/{organ}/"]
)
def test_query_count_is_constant_in_rows_shown(admin_client, tree, url):
    url = url.format(organ=tree.organ_a.pk)
    small = _queries(admin_client, url)
    _more_branches(tree, 12)
    assert _queries(admin_client, url) == small


def test_query_count_of_list_pages_is_small(admin_client, tree):
    assert _queries(admin_client, "/orgs/") <= 13  # 13th: the to-do bell's count
    assert _queries(admin_client, "/members/") <= 10  # two capped counts choose the index; the bell


def test_audit_page_for_auditor(client, personas, tree):
    services.org_update(actor=personas.committee_admin, org=tree.branch_a, name="改名支部")
    client.force_login(personas.auditor)
    html = client.get("/audit/?action=orgs.org.updated").content.decode()
    assert "改名支部" in html and "orgs.org.updated" in html
    assert AuditEntry.objects.filter(action="orgs.org.updated").count() == 1
