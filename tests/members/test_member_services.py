"""Member write paths: R-INFO-03 on every write, sealed sensitive items, history, reveal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from tests.conftest import id_number_for, member_data

from dangjian.core import crypto
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.members import services
from dangjian.members.models import Member, MemberChange

pytestmark = pytest.mark.django_db


def _create(tree, name="陈红", **overrides):
    return services.member_create(
        actor=None, branch=tree.branch_a, name=name, **member_data(**overrides)
    )


def test_sensitive_items_are_sealed_at_rest_and_masked(tree):
    data = member_data(phone="13912345678", address="湖北省十堰市张湾区车城路8号")
    member = services.member_create(actor=None, branch=tree.branch_a, name="陈红", **data)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number_sealed, phone_sealed, address_sealed, id_number_masked,"
            " phone_masked, address_masked, id_tail FROM members_member WHERE id = %s",
            [member.pk],
        )
        row = cursor.fetchone()
    sealed, masked = row[:3], row[3:6]
    clears = [data["id_number"], data["phone"], data["address"]]
    for clear, stored in zip(clears, sealed, strict=True):
        assert clear not in stored and stored.startswith("s1.")
        assert crypto.decrypt(stored) == clear
    assert masked[0] == data["id_number"][:4] + "*" * 10 + data["id_number"][-4:]
    assert masked[1] == "139****5678"
    assert masked[2] == "湖北省十堰市****"
    assert row[6] == data["id_number"][-4:]


def test_sealed_values_differ_each_time_and_tampering_is_detected(settings):
    a, b = crypto.encrypt("420302199001011234"), crypto.encrypt("420302199001011234")
    assert a != b  # random nonce
    tampered = a[:-6] + ("A" if a[-6] != "A" else "B") + a[-5:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)
    assert crypto.digest("x") == crypto.digest("x") != crypto.digest("y")


def test_key_rotation_keeps_old_rows_readable(settings):
    old = crypto.encrypt("13800138000")
    try:
        settings.FIELD_KEYS = ["MDEyMzQ1Njc4OWFiY2RlZg==", *settings.FIELD_KEYS]
        crypto.reset_keys()
        new = crypto.encrypt("13800138000")
        assert new.split(".")[1] != old.split(".")[1]
        assert crypto.decrypt(old) == crypto.decrypt(new) == "13800138000"
    finally:
        crypto.reset_keys()


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"id_number": "420302198003151230"}, "id_number", "R-INFO-03"),
        ({"birth_date": dt.date(1980, 3, 16)}, "birth_date", "R-INFO-03"),
        ({"joined_on": dt.date(1997, 1, 1)}, "joined_on", "R-INFO-03"),
        (
            {"category": "probationary", "converted_on": dt.date(2006, 7, 2)},
            "converted_on",
            "R-INFO-03",
        ),
        ({"converted_on": None}, "converted_on", "R-INFO-03"),
        ({"lost_contact": True}, "lost_contact_since", "R-INFO-03"),
        ({"mobile": True}, "mobile_destination", "R-INFO-03"),
        ({"standing": "suspended"}, "standing_reason", "R-INFO-03"),
        ({"phone": "12345"}, "phone", "R-INFO-01"),
        ({"ethnicity": ""}, "ethnicity", "R-INFO-01"),
        ({"abroad_purpose": "study"}, "abroad_since", "R-EDU-05"),
        ({"abroad_since": dt.date(2020, 1, 1)}, "abroad_purpose", "R-EDU-05"),
    ],
)
def test_create_refuses_with_field_and_rule(tree, overrides, field, rule):
    before = Member.objects.unscoped().count()
    with pytest.raises(AppError) as exc:
        _create(tree, **overrides)
    fields = {f for f, _ in exc.value.errors}
    assert field in fields
    assert any(rule in m for f, m in exc.value.errors if f == field)
    assert Member.objects.unscoped().count() == before


def test_duplicate_id_number_named_in_scope_and_hidden_outside(tree, personas):
    existing = tree.members_c[0]
    number = crypto.decrypt(existing.id_number_sealed)
    data = member_data(id_number=number, birth_date=existing.birth_date, sex=existing.sex)
    data["id_number"] = number
    with pytest.raises(AppError) as exc:
        services.member_create(actor=personas.unit_admin, branch=tree.branch_a, name="重复", **data)
    assert "其他党组织" in exc.value.message and existing.name not in exc.value.message
    with pytest.raises(AppError) as exc:
        services.member_create(
            actor=personas.committee_admin, branch=tree.branch_a, name="重复", **data
        )
    assert existing.name in exc.value.message


def test_update_keeps_sensitive_items_when_empty_and_records_history(tree, personas):
    member = tree.members_a[0]
    number = crypto.decrypt(member.id_number_sealed)
    services.member_update(
        actor=personas.secretary_a,
        member=member,
        id_number="",
        phone="13700001111",
        employment="retired",
        post="0810",
        reason="到龄退休",
        effective_on=dt.date(2022, 6, 30),
    )
    member.refresh_from_db()
    assert crypto.decrypt(member.id_number_sealed) == number
    assert crypto.decrypt(member.phone_sealed) == "13700001111"
    change = MemberChange.objects.unscoped().get(member=member, item="employment")
    assert (change.old_value, change.new_value) == ("在职", "离退休")
    assert change.effective_on == dt.date(2022, 6, 30) and change.reason == "到龄退休"
    assert change.actor == personas.secretary_a
    entry = AuditEntry.objects.filter(action="members.member.updated").latest("id")
    assert entry.changes["phone"] == ["***", "***"]  # the log never holds the clear value
    assert "13700001111" not in str(entry.changes)


def test_suspension_records_date_ground_and_history(tree):
    member = tree.members_a[1]
    services.member_update(
        actor=None,
        member=member,
        standing="suspended",
        suspension_ground="lost_contact",
        standing_reason="失联6个月以上经查找仍无法联系",
        lost_contact=True,
        lost_contact_since=dt.date(2021, 1, 1),
        effective_on=dt.date(2021, 8, 1),
    )
    member.refresh_from_db()
    assert member.standing == "suspended" and member.suspended_on == dt.date(2021, 8, 1)
    items = set(
        MemberChange.objects.unscoped().filter(member=member).values_list("item", flat=True)
    )
    assert items == {"standing", "lost_contact"}


def test_update_outside_scope_is_404(tree, personas):
    from django.http import Http404

    with pytest.raises(Http404):
        services.member_update(actor=personas.secretary_b, member=tree.members_a[0], name="改名")


def test_reveal_needs_the_capability_and_is_audited(tree, personas):
    from django.http import Http404

    member = tree.members_a[0]
    value = services.member_reveal(actor=personas.secretary_a, member=member, item="id_number")
    assert value == crypto.decrypt(member.id_number_sealed)
    entry = AuditEntry.objects.get(action="members.member.revealed")
    assert entry.actor == personas.secretary_a and entry.changes["item"] == "id_number"
    assert value not in str(entry.changes)
    for persona in (personas.member_a, personas.auditor, personas.secretary_b):
        with pytest.raises(Http404):
            services.member_reveal(actor=persona, member=member, item="phone")


def test_leave_keeps_row_and_history_and_counts_drop(tree):
    from dangjian.orgs.selectors import subtree_member_counts

    before = subtree_member_counts(tree.branch_a).total
    member = tree.members_a[3]
    services.member_leave(
        actor=None, member=member, on=dt.date(2022, 1, 1), reason="removed_lapsed", note="连续6个月"
    )
    member.refresh_from_db()
    assert member.left_on == dt.date(2022, 1, 1) and not member.is_active
    assert subtree_member_counts(tree.branch_a).total == before - 1
    assert MemberChange.objects.unscoped().filter(member=member, item="left").exists()
    with pytest.raises(AppError):
        services.member_update(actor=None, member=member, name="再改")


def test_org_move_carries_member_paths(tree):
    from dangjian.orgs.services import org_move

    org_move(actor=None, org=tree.branch_b, new_parent=tree.party_group_b)
    tree.branch_b.refresh_from_db()
    paths = set(
        Member.objects.unscoped().filter(branch=tree.branch_b).values_list("org_path", flat=True)
    )
    assert paths == {tree.branch_b.path}


@pytest.mark.parametrize("seq", [0, 1, 499, 500, 3999])
def test_id_number_for_helper_is_valid(seq):
    from dangjian.rules.members import id_number_facts

    number = id_number_for(dt.date(1990, 2, 28), "female", seq)
    assert id_number_facts(number) == (dt.date(1990, 2, 28), "female")
