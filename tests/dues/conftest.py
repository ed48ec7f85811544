"""Shared fixtures of the dues tests (other dues test modules import from here; keep it small
and stable).

- `BASE_MONTH` (2024-01) and `BASE` (4000.00 yuan → 40.00 a month, R-DUES-03's 1 % bracket);
- `set_base(member, …)`, `generate(org, month, …)`, `pay(member, amount, paid_on, …)`: thin
  calls of the services as the system (`actor=None`);
- fixture `dues_bases`: every member of the tree (branches A, B, C) has BASE from BASE_MONTH;
- fixture `charged`: those bases and the charges of January to June 2024 for the whole tree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

BASE_MONTH = dt.date(2024, 1, 1)
BASE = Decimal("4000.00")
MONTHLY = Decimal("40.00")
#: the months `charged` generates
CHARGED_MONTHS = [dt.date(2024, m, 1) for m in range(1, 7)]


def set_base(member, base=BASE, month=BASE_MONTH, category="in_service", actor=None, **kw):
    from dangjian.dues import services

    return services.base_set(
        actor=actor, member=member, category=category, effective_month=month, base=base, **kw
    )


def generate(org, month, actor=None, **kw):
    from dangjian.dues import services

    return services.charges_generate(actor=actor, org=org, month=month, **kw)


def pay(member, amount, paid_on, actor=None, method="cash", **kw):
    from dangjian.dues import services

    return services.payment_record(
        actor=actor,
        member=member,
        amount=Decimal(str(amount)),
        paid_on=paid_on,
        method=method,
        **kw,
    )


def all_members(tree) -> list:
    return [*tree.members_a, *tree.members_b, *tree.members_c]


@pytest.fixture
def dues_bases(tree):
    """Every member of the tree pays on BASE from BASE_MONTH (40.00 yuan a month)."""
    return {m.pk: set_base(m) for m in all_members(tree)}


@pytest.fixture
def charged(tree, dues_bases):
    """dues_bases, and the charges of January to June 2024 for the whole tree."""
    for month in CHARGED_MONTHS:
        generate(tree.root, month)
    return CHARGED_MONTHS
