"""The 司法局's 四张清单 pages through the test client: status per persona (managers only, the
separated roles and branch people 404, another unit's administrator 404 on a list that is not
his), the matrix by domain and kind with item counts, the forms (a refusal at the field and
nothing written), publication, moving and deleting, the import and the exports, query counts."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from dangjian.core.models import AuditEntry
from dangjian.legal import services_lists as s
from dangjian.legal.models import LenientItem, LenientList
from tests.conftest import PERSONA_NAMES
from tests.legal.legal_lists_world import BASIS, lenient_world, xlsx_upload

pytestmark = pytest.mark.django_db

MANAGERS = {"committee_admin", "unit_admin"}


@pytest.fixture
def w(tree):
    return lenient_world(tree)


@pytest.fixture
def admin(client, personas):
    client.force_login(personas.unit_admin)
    return client


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_pages_per_persona(client, w, personas, persona):
    client.force_login(personas.by_name(persona))
    ok = 200 if persona in MANAGERS else 404
    assert client.get(reverse("legal:lists")).status_code == ok
    assert client.get(reverse("legal:list_create")).status_code == ok
    assert client.get(reverse("legal:list", args=[w.market.pk])).status_code == ok
    assert client.get(reverse("legal:item_edit", args=[w.first.pk])).status_code == ok
    assert client.get(reverse("legal:list_import", args=[w.market.pk])).status_code == ok
    # 乙局's list: only the 工委 keeps it
    other = 200 if persona == "committee_admin" else 404
    assert client.get(reverse("legal:list", args=[w.other.pk])).status_code == other
    assert client.get(reverse("legal:item_edit", args=[w.other_item.pk])).status_code == other
    response = client.post(reverse("legal:list_unpublish", args=[w.other.pk]))
    assert response.status_code == (302 if persona == "committee_admin" else 404)


def test_anonymous_is_sent_to_sign_in(client, w):
    response = client.get(reverse("legal:lists"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_matrix_by_domain_and_kind(admin, w):
    text = _text(admin.get(reverse("legal:lists")))
    for domain in ("市场监管", "生态环境", "交通运输"):
        assert f'<th scope="row">{domain}</th>' in text
    assert "城市管理" not in text  # 乙局's
    assert "2项" in text  # the market list's items
    filtered = _text(admin.get(reverse("legal:lists"), {"domain": "生态环境"}))
    assert '<th scope="row">市场监管</th>' not in filtered
    assert '<th scope="row">生态环境</th>' in filtered
    junk = admin.get(reverse("legal:lists"), {"kind": "x", "domain": "无此领域", "page": "z"})
    assert junk.status_code == 200


def test_lists_query_count_does_not_grow(admin, w, tree, django_assert_max_num_queries):
    for domain in ("卫生健康", "应急管理", "文化旅游", "农业农村", "水利"):
        for kind in ("no_penalty", "reduced_penalty"):
            lst = s.list_create(
                actor=None,
                org=tree.party_group_a,
                domain=domain,
                kind=kind,
                effective_from="2024-01-01",
            )
            s.item_create(
                actor=None, lenient_list=lst, conduct="x", legal_basis=BASIS, conditions="y"
            )
    with django_assert_max_num_queries(12):
        assert admin.get(reverse("legal:lists")).status_code == 200
    with django_assert_max_num_queries(12):
        assert admin.get(reverse("legal:list", args=[w.market.pk])).status_code == 200


def test_create_list_and_item_through_the_forms(admin, w, tree):
    response = admin.post(
        reverse("legal:list_create"),
        {
            "org": tree.party_group_a.pk,
            "domain": "应急管理",
            "kind": "no_coercion",
            "effective_from": "2024-03-01",
        },
    )
    lst = LenientList.all_objects.get(domain="应急管理")
    assert response.status_code == 302
    assert response["Location"] == reverse("legal:list", args=[lst.pk])
    refused = admin.post(
        reverse("legal:item_create", args=[lst.pk]),
        {"conduct": "未按规定开展安全培训", "legal_basis": "   ", "conditions": "及时改正"},
    )
    assert refused.status_code == 400
    assert "请填写法律依据" in _text(refused)
    assert not LenientItem.all_objects.filter(lenient_list=lst).exists()
    done = admin.post(
        reverse("legal:item_create", args=[lst.pk]),
        {
            "conduct": "未按规定开展安全培训",
            "legal_basis": "《中华人民共和国行政强制法》第十六条",
            "conditions": "及时改正",
        },
    )
    assert done.status_code == 302
    assert LenientItem.all_objects.get(lenient_list=lst).seq == 1


def test_list_form_refuses_dates_in_the_wrong_order(admin, w, tree):
    response = admin.post(
        reverse("legal:list_create"),
        {
            "org": tree.party_group_a.pk,
            "domain": "应急管理",
            "kind": "no_coercion",
            "effective_from": "2024-03-01",
            "effective_to": "2024-02-01",
        },
    )
    assert response.status_code == 400
    assert "失效日期不能早于施行日期" in _text(response)
    assert not LenientList.all_objects.filter(domain="应急管理").exists()
    # another unit's org is not a choice
    other = admin.post(
        reverse("legal:list_create"),
        {
            "org": tree.party_group_b.pk,
            "domain": "x",
            "kind": "no_penalty",
            "effective_from": "2024-03-01",
        },
    )
    assert other.status_code == 400
    assert not LenientList.all_objects.filter(domain="x").exists()


def test_edit_publish_move_delete(admin, w):
    response = admin.post(
        reverse("legal:item_edit", args=[w.hidden.pk]),
        {"seq": "", "conduct": "未公开环境信息", "legal_basis": BASIS, "conditions": "改正"},
    )
    assert response.status_code == 302
    w.hidden.refresh_from_db()
    assert w.hidden.conduct == "未公开环境信息" and w.hidden.seq == 1
    admin.post(reverse("legal:list_publish", args=[w.ecology.pk]))
    w.ecology.refresh_from_db()
    assert w.ecology.is_published
    admin.post(reverse("legal:item_move", args=[w.expired.pk]), {"direction": "up"})
    w.expired.refresh_from_db()
    assert w.expired.seq == 1
    # a refused move (already first) is a message, never a 500
    again = admin.post(
        reverse("legal:item_move", args=[w.expired.pk]),
        {"direction": "up"},
        HTTP_REFERER=reverse("legal:list", args=[w.market.pk]),
    )
    assert again.status_code == 302
    admin.post(reverse("legal:item_delete", args=[w.first.pk]))
    assert not LenientItem.all_objects.filter(pk=w.first.pk).exists()
    detail = _text(admin.get(reverse("legal:list", args=[w.market.pk])))
    assert w.expired.conduct in detail and w.first.conduct not in detail


def test_import_page(admin, w):
    good = xlsx_upload([(5, "未按规定公示年度报告", BASIS, "首次违法", "责令改正")])
    response = admin.post(reverse("legal:list_import", args=[w.ecology.pk]), {"file": good})
    assert response.status_code == 302
    assert LenientItem.all_objects.filter(lenient_list=w.ecology, seq=5).exists()
    bad = xlsx_upload([(6, "缺依据", "", "条件", "")])
    refused = admin.post(reverse("legal:list_import", args=[w.ecology.pk]), {"file": bad})
    assert refused.status_code == 400
    assert "第2行：请填写法律依据" in _text(refused)
    assert not LenientItem.all_objects.filter(lenient_list=w.ecology, seq=6).exists()
    empty = admin.post(reverse("legal:list_import", args=[w.ecology.pk]), {})
    assert empty.status_code == 400
    assert "请选择要导入的清单文件" in _text(empty)


def test_exports(admin, w):
    from openpyxl import load_workbook

    response = admin.post(reverse("legal:list_export", args=[w.market.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "违法行为", "法律依据")
    assert {r[1] for r in rows[1:3]} == {w.first.conduct, w.expired.conduct}
    assert AuditEntry.objects.filter(action="legal.lenient_items.exported").count() == 1
    every = admin.post(reverse("legal:lists_export"))
    book = load_workbook(io.BytesIO(every.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    conducts = {r[7] for r in rows[1:] if r and r[7]}
    # published lists of 甲局 only: not the unpublished one, not 乙局's
    assert w.first.conduct in conducts
    assert w.hidden.conduct not in conducts
    assert w.other_item.conduct not in conducts
    assert admin.post(reverse("legal:list_export", args=[w.other.pk])).status_code == 404
