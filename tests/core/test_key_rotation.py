"""Field-key rotation without downtime: new key first, old values still open; the command
re-seals them; then the old key can go (but not the last one, which keys the digests)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dangjian.core import crypto
from dangjian.members.models import Member
from dangjian.members.selectors import search_q

pytestmark = pytest.mark.django_db

NEW_KEY = "bmV3LWtleS0xMjM0NTY3OA=="  # 16 bytes


def test_rotation_reseals_every_value_with_the_new_key(tree, settings):
    old_keys = list(settings.FIELD_KEYS)
    member = tree.members_a[0]
    number = crypto.decrypt(member.id_number_sealed)
    # the other sealed values: a retiree's health note and a lawyer's phone
    from dangjian.legal.models import LawFirm, Lawyer
    from dangjian.veterans.models import Retiree

    retiree = Retiree.all_objects.create(
        org=tree.party_group_a,
        org_path=tree.party_group_a.path,
        name="老周",
        health_note_sealed=crypto.encrypt("高血压"),
        has_health_note=True,
    )
    firm = LawFirm.all_objects.create(
        org=tree.party_group_a, org_path=tree.party_group_a.path, name="甲律所"
    )
    lawyer = Lawyer.all_objects.create(
        firm=firm,
        org_path=firm.org_path,
        name="钱律师",
        licence_no="14203201810000001",
        phone_sealed=crypto.encrypt("13800001111"),
    )
    try:
        settings.FIELD_KEYS = [NEW_KEY, *old_keys]
        crypto.reset_keys()
        new_id = crypto.current_key_id()
        out = io.StringIO()
        call_command("rotate_field_key", stdout=out)
        assert "重新加密 10 名" in out.getvalue()
        assert "另检查离退休干部和律师 2 人，重新加密 2 人" in out.getvalue()
        retiree.refresh_from_db()
        lawyer.refresh_from_db()
        assert crypto.key_id_of(retiree.health_note_sealed) == new_id
        assert crypto.decrypt(retiree.health_note_sealed) == "高血压"
        assert crypto.key_id_of(lawyer.phone_sealed) == new_id
        for m in Member.objects.unscoped().all():
            for field in ("id_number_sealed", "phone_sealed", "address_sealed"):
                assert crypto.key_id_of(getattr(m, field)) == new_id
        # a second run has nothing left to do
        out = io.StringIO()
        call_command("rotate_field_key", stdout=out)
        assert "重新加密 0 名" in out.getvalue()
        # the whole-number search still works: the digest key comes from the last key
        assert Member.objects.unscoped().filter(search_q(number)).get() == member
        member.refresh_from_db()
        assert crypto.decrypt(member.id_number_sealed) == number
    finally:
        settings.FIELD_KEYS = old_keys
        crypto.reset_keys()
