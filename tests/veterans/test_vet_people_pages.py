"""The veterans people pages through the Django test client: who sees what (per persona,
the separated roles and another unit's admin get 404), the cadre's phone page and forms,
refusals at the field with nothing written, the reveal's audit, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.conftest import PASSWORD
from tests.veterans.vet_people_world import vet_people_world  # noqa: F401

from dangjian.accounts.models import RoleGrant, User
from dangjian.core.audit import AuditEntry
from dangjian.veterans import services_pairings as sp
from dangjian.veterans import services_people as s
from dangjian.veterans import services_requests as sr
from dangjian.veterans.models import Contact, Request

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def other_admin(tree):
    u = User.objects.create_user(username="admin_b", password=PASSWORD, display_name="乙局管理员")
    RoleGrant.objects.create(user=u, org=tree.party_group_b, role="unit_admin")
    return u


def _req(world, **kw):
    return sr.request_record(
        actor=None,
        retiree=world.retiree,
        kind="need",
        content="希望协助办理助听器补贴。",
        office=world.office,
        pairing=world.pairing,
        **kw,
    )


MANAGER_PAGES = [
    ("veterans:retirees", None),
    ("veterans:groups", None),
    ("veterans:offices", None),
    ("veterans:requests", None),
]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("committee_admin", 200),
        ("unit_admin", 200),
        ("secretary_a", 404),
        ("member_a", 404),
        ("judge", 404),
        ("auditor", 404),
        ("security_admin", 404),
        ("system_admin", 404),
        ("outsider", 404),
    ],
)
def test_manager_pages_per_persona(client, world, personas, persona, status):
    _login(client, personas.by_name(persona))
    for name, _ in MANAGER_PAGES:
        assert client.get(reverse(name)).status_code == status, name
    url = reverse("veterans:retiree", args=[world.retiree.pk])
    assert client.get(url).status_code == status


def test_other_units_admin_gets_404(client, world, other_admin):
    _login(client, other_admin)
    req = _req(world)
    for url in (
        reverse("veterans:retiree", args=[world.retiree.pk]),
        reverse("veterans:retiree_edit", args=[world.retiree.pk]),
        reverse("veterans:request", args=[req.pk]),
        reverse("veterans:contact_new", args=[world.pairing.pk]),
        reverse("veterans:group", args=[world.group.pk]),
    ):
        assert client.get(url).status_code == 404, url
    r = client.post(reverse("veterans:retiree_reveal", args=[world.retiree.pk, "phone"]))
    assert r.status_code == 404
    r = client.post(reverse("veterans:request_action", args=[req.pk, "answer"]), {"answer": "x"})
    assert r.status_code == 404
    page = client.get(reverse("veterans:retirees")).content.decode()
    assert "外单位老同志" in page and "李军" not in page


def test_retiree_list_search_and_pinyin(client, world, personas):
    _login(client, personas.unit_admin)
    page = client.get(reverse("veterans:retirees")).content.decode()
    assert "李军" in page and "程培长" in page and "外单位老同志" not in page
    assert "139****5678" in page and "13912345678" not in page
    r = client.get(reverse("veterans:retirees"), {"q": "cpz"})
    assert [x.name for x in r.context["page"].object_list] == ["程培长"]
    r = client.get(reverse("veterans:retirees"), {"q": "李"})
    assert [x.name for x in r.context["page"].object_list] == ["李军"]
    r = client.get(reverse("veterans:retirees"), {"status": "living_alone"})
    assert [x.name for x in r.context["page"].object_list] == ["李军"]


def test_retiree_detail_masks_and_reveal_is_audited(client, world, personas):
    _login(client, personas.unit_admin)
    page = client.get(reverse("veterans:retiree", args=[world.retiree.pk])).content.decode()
    assert "高血压" not in page and "已登记（已加密）" in page
    assert 'data-testid="reveal-health_note"' in page
    assert "诗词" in page
    r = client.post(
        reverse("veterans:retiree_reveal", args=[world.retiree.pk, "health_note"]),
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "高血压" in r.content.decode()
    entry = AuditEntry.objects.get(action="veterans.retiree.revealed")
    assert entry.actor == personas.unit_admin and entry.changes["field"] == "health_note"
    assert (
        client.get(reverse("veterans:retiree_reveal", args=[world.retiree.pk, "phone"])).status_code
        == 405
    )


def test_retiree_create_form(client, world, personas):
    _login(client, personas.unit_admin)
    url = reverse("veterans:retiree_new")
    r = client.post(url, {"org": world.retiree_branch.pk, "name": "", "status": "retired"})
    assert r.status_code == 200 and 'data-testid="error-name"' in r.content.decode()
    r = client.post(
        url,
        {
            "org": world.retiree_branch.pk,
            "name": "王老",
            "status": "lixiu",
            "phone": "13700001111",
            "birth_date": "1940-02-30",
        },
    )
    assert r.status_code == 200 and "出生日期无效" in r.content.decode()
    r = client.post(
        url,
        {"org": world.retiree_branch.pk, "name": "王老", "status": "lixiu", "phone": "13700001111"},
    )
    assert r.status_code == 302


def test_mine_page_for_the_cadre(client, world, personas):
    _login(client, personas.member_a)
    r = client.get(reverse("veterans:mine"))
    assert r.status_code == 200
    page = r.content.decode()
    assert "李军" in page and 'data-testid="owed-next"' in page
    (p,) = r.context["pairings"]
    assert p.next.kind == "call"  # 100 days since the start: the monthly call is overdue
    assert p.call.state == "overdue"
    # another member has no pairing; the separated roles have no member record
    _login(client, personas.secretary_a)
    assert client.get(reverse("veterans:mine")).context["pairings"] == []
    _login(client, personas.auditor)
    assert client.get(reverse("veterans:mine")).status_code == 404


def test_cadre_logs_contact_and_request(client, world, personas):
    _login(client, personas.member_a)
    url = reverse("veterans:contact_new", args=[world.pairing.pk])
    assert client.get(url).status_code == 200
    future = (world.today + dt.timedelta(days=1)).isoformat()
    r = client.post(url, {"kind": "visit", "contacted_on": future, "thoughts": "好"})
    assert r.status_code == 200 and "联系日期不能晚于今天" in r.content.decode()
    assert not Contact.all_objects.exists()
    r = client.post(
        url, {"kind": "visit", "contacted_on": world.today.isoformat(), "living": "身体硬朗"}
    )
    assert r.status_code == 302 and r["Location"] == reverse("veterans:mine")
    assert Contact.all_objects.get().recorded_by == personas.member_a
    url = reverse("veterans:request_new", args=[world.pairing.pk])
    data = {
        "kind": "need",
        "source": "family",
        "family_name": "",
        "content": "需要上门体检",
        "office": world.office.pk,
        "raised_on": world.today.isoformat(),
    }
    r = client.post(url, data)
    assert r.status_code == 200 and "请填写反映人（家属）姓名" in r.content.decode()
    assert not Request.all_objects.exists()
    r = client.post(url, {**data, "family_name": "李小军"})
    assert r.status_code == 302
    req = Request.all_objects.get()
    assert req.family_name == "李小军" and req.pairing == world.pairing
    # the cadre opens his request but cannot answer it
    assert client.get(reverse("veterans:request", args=[req.pk])).status_code == 200
    r = client.post(reverse("veterans:request_action", args=[req.pk, "answer"]), {"answer": "x"})
    assert r.status_code == 404
    # another member may not log on this pairing
    _login(client, personas.secretary_a)
    assert client.get(reverse("veterans:contact_new", args=[world.pairing.pk])).status_code == 404


def test_answer_feedback_close_and_closed_refusal(client, world, personas):
    req = _req(world)
    _login(client, personas.unit_admin)
    base = "veterans:request_action"
    today = world.today.isoformat()
    r = client.post(reverse(base, args=[req.pk, "answer"]), {"answer": "", "answered_on": today})
    assert r.status_code == 400
    r = client.post(
        reverse(base, args=[req.pk, "answer"]), {"answer": "已协调", "answered_on": today}
    )
    assert r.status_code == 302
    r = client.post(
        reverse(base, args=[req.pk, "feedback"]),
        {"satisfaction": "fairly", "fed_back_on": today},
    )
    assert r.status_code == 302
    r = client.post(reverse(base, args=[req.pk, "close"]), {"closed_on": today})
    assert r.status_code == 302
    r = client.post(
        reverse(base, args=[req.pk, "answer"]), {"answer": "再答复", "answered_on": today}
    )
    assert r.status_code == 400 and "该诉求已办结，不能再答复" in r.content.decode()
    fresh = Request.all_objects.get(pk=req.pk)
    assert fresh.answer == "已协调" and fresh.satisfaction == "fairly"
    assert fresh.status == "closed"


def test_request_list_filters(client, world, personas):
    old = _req(world, raised_on=world.today - dt.timedelta(days=40))
    fresh = _req(world)
    _login(client, personas.unit_admin)
    r = client.get(reverse("veterans:requests"), {"state": "escalate"})
    assert [x.pk for x in r.context["page"].object_list] == [old.pk]
    r = client.get(reverse("veterans:requests"), {"state": "open"})
    assert [x.pk for x in r.context["page"].object_list] == [fresh.pk]
    r = client.get(reverse("veterans:requests"), {"overdue": "1"})
    assert [x.pk for x in r.context["page"].object_list] == [old.pk]
    r = client.get(reverse("veterans:requests"), {"office": world.office2.pk})
    assert list(r.context["page"].object_list) == []


def test_list_query_counts_do_not_grow(client, world, personas, django_assert_max_num_queries):
    for i in range(25):
        r = s.retiree_create(actor=None, org=world.retiree_branch, name=f"老同志{i}")
        sp.pairing_create(actor=None, retiree=r, cadre=world.cadre, started_on=world.today)
        sr.request_record(actor=None, retiree=r, kind="wish", content="愿望", office=world.office)
    _login(client, personas.unit_admin)
    for name in (
        "veterans:retirees",
        "veterans:requests",
        "veterans:groups",
        "veterans:offices",
        "veterans:pairings",
    ):
        with django_assert_max_num_queries(16):
            assert client.get(reverse(name)).status_code == 200
    _login(client, personas.member_a)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("veterans:mine")).status_code == 200


def test_exports(client, world, personas):
    _req(world)
    _login(client, personas.unit_admin)
    r = client.post(reverse("veterans:people_export", args=["retirees"]), {"q": "李"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    body = b"".join(r.streaming_content) if r.streaming else r.content
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[1] for row in rows] == ["李军"]  # the list's search: exactly its rows
    text = str(rows)
    assert "139****5678" in text and "13912345678" not in text and "高血压" not in text
    r = client.post(reverse("veterans:people_export", args=["requests"]))
    assert r.status_code == 200
    assert AuditEntry.objects.filter(action__endswith="exported").count() == 2
    _login(client, personas.member_a)
    assert client.post(reverse("veterans:people_export", args=["requests"])).status_code == 404


def test_pairing_group_office_forms(client, world, personas, tree):
    from dangjian.veterans.models import InterestGroup, Office, Pairing

    _login(client, personas.unit_admin)
    url = reverse("veterans:pairing_new", args=[world.retiree.pk])
    r = client.get(url)
    assert r.status_code == 200 and "李四" in r.content.decode()
    today = world.today.isoformat()
    r = client.post(url, {"cadre": world.cadre.pk, "started_on": today})
    assert r.status_code == 200 and "不能重复结对" in r.content.decode()
    # a member of another unit is not on offer, and refused when posted
    r = client.post(url, {"cadre": tree.members_c[0].pk, "started_on": today})
    assert r.status_code == 200 and Pairing.all_objects.count() == 1
    r = client.post(url, {"cadre": tree.members_a[2].pk, "started_on": today})
    assert r.status_code == 302 and Pairing.all_objects.count() == 2
    r = client.post(
        reverse("veterans:groups"), {"org": world.retiree_branch.pk, "name": "花鼓船歌"}
    )
    group = InterestGroup.all_objects.get(name="花鼓船歌")
    assert r.status_code == 302
    r = client.post(reverse("veterans:group", args=[group.pk]), {"retiree": world.retiree2.pk})
    assert r.status_code == 302 and list(group.members.all()) == [world.retiree2]
    r = client.post(
        reverse("veterans:group", args=[group.pk]),
        {"action": "leave", "retiree": world.retiree2.pk},
    )
    assert r.status_code == 302 and not group.members.exists()
    r = client.post(reverse("veterans:offices"), {"org": tree.party_group_a.pk, "name": "活动中心"})
    assert r.status_code == 302 and Office.all_objects.filter(name="活动中心").exists()
    r = client.post(reverse("veterans:offices"), {"org": tree.party_group_a.pk, "name": "活动中心"})
    assert r.status_code == 200 and "同名处室" in r.content.decode()


def test_retiree_edit_keeps_sealed_when_blank(client, world, personas):
    from dangjian.core import crypto
    from dangjian.veterans.models import Retiree

    _login(client, personas.unit_admin)
    url = reverse("veterans:retiree_edit", args=[world.retiree.pk])
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {
            "org": world.retiree_branch.pk,
            "name": "李军",
            "status": "retired",
            "former_post": "副馆长",
            "phone": "",
            "address": "",
            "health_note": "",
        },
    )
    assert r.status_code == 302
    fresh = Retiree.all_objects.get(pk=world.retiree.pk)
    assert fresh.former_post == "副馆长" and fresh.has_health_note
    assert crypto.decrypt(fresh.phone_sealed) == "13912345678"


def test_retiree_detail_query_count(client, world, personas, django_assert_max_num_queries):
    for _ in range(10):
        sp.contact_record(
            actor=None, pairing=world.pairing, kind="call", contacted_on=world.today, living="好"
        )
        _req(world)
    _login(client, personas.unit_admin)
    with django_assert_max_num_queries(16):
        r = client.get(reverse("veterans:retiree", args=[world.retiree.pk]))
    assert r.status_code == 200


def test_pairing_list_with_overdue_filter(client, world, personas, tree):
    fresh = sp.pairing_create(
        actor=None, retiree=world.retiree2, cadre=tree.members_a[2], started_on=world.today
    )
    _login(client, personas.unit_admin)
    r = client.get(reverse("veterans:pairings"))
    assert r.status_code == 200 and r.context["page"].paginator.count == 2
    r = client.get(reverse("veterans:pairings"), {"overdue": "1"})
    assert [p.pk for p in r.context["page"].object_list] == [world.pairing.pk]
    assert fresh.pk not in [p.pk for p in r.context["page"].object_list]
    for name in ("secretary_a", "member_a", "auditor", "system_admin"):
        _login(client, personas.by_name(name))
        assert client.get(reverse("veterans:pairings")).status_code == 404
