"""The 四张清单 write paths: lists and items with their refusals (no legal basis, dates in the
wrong order, duplicates, numbers), publication, moving, deleting, the xlsx import (every row
checked, nothing written when one is bad), access checks and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.legal import services_lists as s
from dangjian.legal.models import LenientItem, LenientList
from dangjian.legal.services_lists_import import items_import
from tests.legal.legal_lists_world import BASIS, lenient_world, xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree):
    return lenient_world(tree)


def _items(lst):
    return list(LenientItem.all_objects.filter(lenient_list=lst).order_by("seq"))


@pytest.mark.parametrize("basis", ["", "   ", "\n\t "])
def test_item_without_legal_basis_is_refused_at_the_field(w, personas, basis):
    before = LenientItem.all_objects.count()
    with pytest.raises(AppError) as exc:
        s.item_create(
            actor=personas.unit_admin,
            lenient_list=w.ecology,
            conduct="某行为",
            legal_basis=basis,
            conditions="某条件",
        )
    assert exc.value.message == "请填写法律依据"
    assert exc.value.field == "legal_basis"
    assert LenientItem.all_objects.count() == before


def test_update_cannot_blank_the_basis(w, personas):
    with pytest.raises(AppError) as exc:
        s.item_update(actor=personas.unit_admin, item=w.first, legal_basis="  ")
    assert exc.value.field == "legal_basis"
    w.first.refresh_from_db()
    assert w.first.legal_basis == BASIS


def test_effective_to_before_from_is_refused(w, personas, tree):
    with pytest.raises(AppError) as exc:
        s.list_create(
            actor=personas.unit_admin,
            org=tree.party_group_a,
            domain="卫生健康",
            kind="no_penalty",
            effective_from=dt.date(2024, 5, 1),
            effective_to=dt.date(2024, 4, 30),
        )
    assert exc.value.field == "effective_to"
    assert "失效日期不能早于施行日期" in exc.value.message
    assert not LenientList.all_objects.filter(domain="卫生健康").exists()
    with pytest.raises(AppError) as exc:
        s.item_update(
            actor=personas.unit_admin,
            item=w.first,
            effective_from="2024-05-01",
            effective_to="2024-04-01",
        )
    assert exc.value.field == "effective_to"


def test_list_create_defaults_title_and_refuses_a_second_list_of_the_same_kind(w, tree, personas):
    lst = s.list_create(
        actor=personas.unit_admin,
        org=tree.party_group_a,
        domain="卫生健康",
        kind="no_coercion",
        effective_from="2024-01-01",
    )
    assert lst.title == "卫生健康领域免于行政强制清单"
    assert not lst.is_published
    assert AuditEntry.objects.filter(action="legal.lenient_list.created", object_id=str(lst.pk))
    with pytest.raises(AppError) as exc:
        s.list_create(
            actor=personas.unit_admin,
            org=tree.party_group_a,
            domain="卫生健康",
            kind="no_coercion",
            effective_from="2024-01-01",
        )
    assert exc.value.field == "kind"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"domain": ""}, "domain"),
        ({"kind": "bogus"}, "kind"),
        ({"effective_from": ""}, "effective_from"),
        ({"effective_from": "2024-13-40"}, "effective_from"),
        ({"domain": "长" * 51}, "domain"),
    ],
)
def test_list_bad_input(tree, personas, values, field):
    data = {"domain": "应急管理", "kind": "no_penalty", "effective_from": "2024-01-01", **values}
    with pytest.raises(AppError) as exc:
        s.list_create(actor=personas.unit_admin, org=tree.party_group_a, **data)
    assert exc.value.field == field
    assert LenientList.all_objects.count() == 0


def test_outsiders_are_refused_with_404(w, personas):
    # 甲局's administrator does not keep 乙局's list; a branch secretary keeps none
    with pytest.raises(Http404):
        s.item_create(
            actor=personas.unit_admin,
            lenient_list=w.other,
            conduct="x",
            legal_basis=BASIS,
            conditions="y",
        )
    for name in ("secretary_a", "auditor", "system_admin", "security_admin"):
        with pytest.raises(Http404):
            s.list_publish(actor=personas.by_name(name), lenient_list=w.ecology)
    # the 工委 keeps every unit's lists
    s.list_publish(actor=personas.committee_admin, lenient_list=w.ecology)


def test_publish_and_unpublish(w, personas, tree):
    empty = s.list_create(
        actor=None,
        org=tree.party_group_a,
        domain="文化旅游",
        kind="no_penalty",
        effective_from="2024-01-01",
    )
    with pytest.raises(AppError, match="还没有事项"):
        s.list_publish(actor=personas.unit_admin, lenient_list=empty)
    done = s.list_publish(actor=personas.unit_admin, lenient_list=w.ecology)
    assert done.is_published and done.published_at is not None
    with pytest.raises(AppError, match="已发布"):
        s.list_publish(actor=personas.unit_admin, lenient_list=w.ecology)
    entry = AuditEntry.objects.get(action="legal.lenient_list.published", object_id=str(done.pk))
    assert entry.org_path == tree.party_group_a.path
    assert entry.actor == personas.unit_admin
    s.list_unpublish(actor=personas.unit_admin, lenient_list=w.ecology)
    w.ecology.refresh_from_db()
    assert not w.ecology.is_published
    assert AuditEntry.objects.filter(action="legal.lenient_list.unpublished").count() == 1


def test_item_numbers_move_and_delete(w, personas):
    third = s.item_create(
        actor=personas.unit_admin,
        lenient_list=w.market,
        conduct="第三项",
        legal_basis=BASIS,
        conditions="条件",
    )
    assert third.seq == 3
    with pytest.raises(AppError) as exc:
        s.item_create(
            actor=personas.unit_admin,
            lenient_list=w.market,
            conduct="重号",
            legal_basis=BASIS,
            conditions="条件",
            seq=2,
        )
    assert exc.value.field == "seq"
    s.item_move(actor=personas.unit_admin, item=third, direction="up")
    assert [i.conduct for i in _items(w.market)] == [w.first.conduct, "第三项", w.expired.conduct]
    assert [i.seq for i in _items(w.market)] == [1, 2, 3]
    with pytest.raises(AppError, match="最前面"):
        s.item_move(actor=personas.unit_admin, item=w.first, direction="up")
    with pytest.raises(AppError):
        s.item_move(actor=personas.unit_admin, item=w.first, direction="sideways")
    s.item_delete(actor=personas.unit_admin, item=third)
    assert len(_items(w.market)) == 2
    codes = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "legal.lenient_item.added",
        "legal.lenient_item.moved",
        "legal.lenient_item.deleted",
    } <= codes


def test_last_item_of_a_published_list_stays(w, personas):
    with pytest.raises(AppError, match="撤回发布"):
        s.item_delete(actor=personas.committee_admin, item=w.other_item)
    assert LenientItem.all_objects.filter(pk=w.other_item.pk).exists()


def test_update_records_the_change(w, personas):
    s.item_update(actor=personas.unit_admin, item=w.first, measure="责令改正")
    entry = AuditEntry.objects.get(action="legal.lenient_item.updated")
    assert entry.changes["measure"] == ["责令改正，不予行政处罚", "责令改正"]


# ---------------------------------------------------------------------------------------------
# Import


def test_import_adds_every_row(w, personas):
    upload = xlsx_upload(
        [
            (
                10,
                "未按规定建立进货查验记录",
                "《中华人民共和国食品安全法》第一百二十六条",
                "首次违法",
                "责令改正",
            ),
            (None, "未按规定标明价格", "《中华人民共和国价格法》第四十二条", "及时改正", ""),
            (None, None, None, None, None),  # an empty row is skipped
        ]
    )
    count = items_import(actor=personas.unit_admin, lenient_list=w.ecology, file=upload)
    assert count == 2
    seqs = {i.conduct: i.seq for i in _items(w.ecology)}
    assert seqs["未按规定建立进货查验记录"] == 10
    assert seqs["未按规定标明价格"] == 11
    entry = AuditEntry.objects.get(action="legal.lenient_list.imported")
    assert entry.changes["items"] == 2


def test_import_with_a_bad_row_writes_nothing_and_names_every_row(w, personas):
    upload = xlsx_upload(
        [
            (1, "合格的一行", BASIS, "条件", ""),
            (2, "没有法律依据", "   ", "条件", ""),
            (3, "", BASIS, "条件", ""),
            (1, "重复序号", BASIS, "条件", ""),
            ("abc", "序号不是数字", BASIS, "条件", ""),
        ]
    )
    before = LenientItem.all_objects.count()
    with pytest.raises(AppError) as exc:
        items_import(actor=personas.unit_admin, lenient_list=w.ecology, file=upload)
    messages = [m for _, m in exc.value.errors]
    assert exc.value.field == "file"
    assert "第3行：请填写法律依据" in messages
    assert "第4行：请填写违法行为。" in messages
    assert any(m.startswith("第5行：序号1") for m in messages)
    assert "第6行：序号应为正整数。" in messages
    # the item already in the list holds 1 too
    assert any(m.startswith("第2行：序号1已在清单中使用") for m in messages)
    assert LenientItem.all_objects.count() == before
    assert not AuditEntry.objects.filter(action="legal.lenient_list.imported").exists()


def test_import_refuses_a_file_that_is_not_a_workbook(w, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("清单.xlsx", b"not a workbook at all", content_type="text/plain")
    with pytest.raises(AppError) as exc:
        items_import(actor=personas.unit_admin, lenient_list=w.ecology, file=fake)
    assert exc.value.field == "file"
    missing = xlsx_upload([("1", "x", "y", "z")], header=("序号", "违法行为", "依据"))
    with pytest.raises(AppError, match="缺少：法律依据、适用条件"):
        items_import(actor=personas.unit_admin, lenient_list=w.ecology, file=missing)


def test_import_by_an_outsider_is_404(w, personas):
    with pytest.raises(Http404):
        items_import(
            actor=personas.unit_admin, lenient_list=w.other, file=xlsx_upload([(1, "a", "b", "c")])
        )
