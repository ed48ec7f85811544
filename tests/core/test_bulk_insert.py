"""core.bulk.insert_rows: one prepared INSERT per batch, values as the fields store them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.core.bulk import insert_rows
from dangjian.dues.models import DuesBase, DuesCharge


def _charge(member, month, amount="40.00"):
    return DuesCharge(
        member=member,
        branch_id=member.branch_id,
        org_path=member.org_path,
        month=month,
        category="in_service",
        base=Decimal("4000.00"),
        standard_amount=Decimal(amount),
        amount=Decimal(amount),
    )


@pytest.mark.django_db
def test_rows_round_trip_with_defaults_json_and_stamps(tree):
    member = tree.members_a[0]
    sent = insert_rows(
        DuesBase,
        [
            DuesBase(
                member=member,
                org_path=member.org_path,
                category="in_service",
                effective_month=dt.date(2026, 1, 1),
                items=[{"name": "职务工资", "amount": "3200.00"}],
                base=Decimal("3200.00"),
                monthly_amount=Decimal("32.00"),
            )
        ],
    )
    assert sent == 1
    row = DuesBase.all_objects.get(member=member)
    assert row.items == [{"name": "职务工资", "amount": "3200.00"}]  # JSON, not its repr
    assert row.income_tax == Decimal("0.00")  # the field's default
    assert row.created_at is not None and row.created_at.tzinfo is not None  # auto_now_add


@pytest.mark.django_db
def test_conflicts_are_skipped_only_when_asked(tree):
    from django.db import IntegrityError, transaction

    member = tree.members_a[1]
    month = dt.date(2026, 2, 1)
    insert_rows(DuesCharge, [_charge(member, month)])
    insert_rows(DuesCharge, [_charge(member, month, "99.00")], ignore_conflicts=True)
    assert DuesCharge.all_objects.get(member=member, month=month).amount == Decimal("40.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(DuesCharge, [_charge(member, month)])
    # several batches
    members = tree.members_a + tree.members_b
    sent = insert_rows(DuesCharge, [_charge(m, dt.date(2026, 3, 1)) for m in members], batch=3)
    assert sent == len(members)
    assert DuesCharge.all_objects.filter(month=dt.date(2026, 3, 1)).count() == len(members)
