"""The month list (谁本月应缴多少、缴了没有) of an org's subtree, paginated in SQL: the rows of a
page are loaded and built for that page only (`LazyRows`); the totals and counts are
aggregates. Re-exported by `dues.selectors`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum

from dangjian.core.access import can, deny, subtree_q
from dangjian.core.permissions import Cap
from dangjian.dues.models import ChargeStatus, DuesBase, DuesCategory, DuesCharge
from dangjian.dues.selectors_member import STATUS_LABELS
from dangjian.dues.services_common import owing_q
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.rules import dues as rules

MANAGE = Cap.DUES_MANAGE
ZERO = Decimal("0.00")
CATEGORY_LABELS = dict(DuesCategory.choices)


@dataclass
class MonthRow:
    member: Member
    charge: DuesCharge | None
    base: DuesBase | None
    category: str
    due: Decimal
    paid: Decimal
    outstanding: Decimal
    status: str

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, "")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


class LazyRows(Sequence):
    """Rows built from an ordered queryset one slice at a time: `len()` is one COUNT, a slice
    (a page: the Paginator's, the API's limit/offset) loads only its own rows and builds them
    in a fixed number of queries, iteration walks the rows in chunks. Nothing loads the whole
    subtree at once, whatever its size."""

    CHUNK = 500

    def __init__(self, queryset, build):
        self.queryset = queryset
        self.build = build  # list of the queryset's objects → list of rows
        self._len: int | None = None

    def __len__(self) -> int:
        if self._len is None:
            self._len = self.queryset.count()
        return self._len

    def __getitem__(self, key):
        if isinstance(key, slice):
            if key.step not in (None, 1):
                raise ValueError("LazyRows slices have no step")
            return self.build(list(self.queryset[key]))
        if key < 0:
            key += len(self)
        rows = self.build(list(self.queryset[key : key + 1]))
        if not rows:
            raise IndexError(key)
        return rows[0]

    def __iter__(self):
        start = 0
        while True:
            rows = self[start : start + self.CHUNK]
            yield from rows
            if len(rows) < self.CHUNK:
                return
            start += self.CHUNK


@dataclass
class MonthList:
    """The month list of an org's subtree: `rows` (LazyRows of MonthRow, ordered by name
    pinyin) loads a page at a time; the totals and counts are aggregates over the whole
    subtree; `without_base` / `without_charge` hold the first WITHOUT_MAX members of each,
    `*_count` how many there are."""

    org: Org
    month: dt.date
    rows: LazyRows
    total_due: Decimal = ZERO
    total_paid: Decimal = ZERO
    total_outstanding: Decimal = ZERO
    counts: dict = field(default_factory=dict)  # status → members
    without_base: list[Member] = field(default_factory=list)
    without_charge: list[Member] = field(default_factory=list)
    without_base_count: int = 0
    without_charge_count: int = 0

    @property
    def paid_rate(self) -> int:
        """Per cent of the charged members who have settled the month (paid or exempt)."""
        charged = sum(self.counts.get(s, 0) for s in ChargeStatus.values)
        settled = self.counts.get(ChargeStatus.PAID, 0) + self.counts.get(ChargeStatus.EXEMPT, 0)
        return round(100 * settled / charged) if charged else 0


#: members named in the "no base" and "not generated" notes of the month list
WITHOUT_MAX = 30


def _bases_for(member_ids, month: dt.date) -> dict[int, DuesBase]:
    latest = (
        DuesBase.all_objects.filter(member_id=OuterRef("member_id"), effective_month__lte=month)
        .order_by("-effective_month")
        .values("pk")[:1]
    )
    rows = DuesBase.all_objects.filter(member_id__in=list(member_ids), pk=Subquery(latest))
    return {b.member_id: b for b in rows}


def _month_rows(org: Org, month: dt.date, members: list[Member]) -> list[MonthRow]:
    """The rows of one page of members: two queries (their charges, their bases in force)."""
    ids = [m.pk for m in members]
    charges = {
        c.member_id: c
        for c in DuesCharge.all_objects.filter(
            subtree_q("org_path", org.path), month=month, member_id__in=ids
        )
    }
    bases = _bases_for(ids, month) if ids else {}
    out = []
    for m in members:
        c, base = charges.get(m.pk), bases.get(m.pk)
        if c is not None:
            c.member = m
            out.append(
                MonthRow(m, c, base, c.category, c.amount, c.paid_amount, c.outstanding, c.status)
            )
            continue
        status = "no_charge" if base is not None else "no_base"
        due = base.monthly_amount if base is not None else ZERO
        out.append(MonthRow(m, None, base, base.category if base else "", due, ZERO, due, status))
    return out


def month_list(user, org: Org, month: dt.date, *, search: str = "") -> MonthList:
    """The monthly list of `org`'s subtree: every member who owes dues for `month` (and any
    member charged that month), with the charge, what is paid and owed, the base in force and
    the category. Paginated in SQL (by name pinyin, then id): `rows` is a LazyRows, a page of
    it costs three queries; the totals and counts are three aggregate queries, and the
    members without a base or a charge are named up to WITHOUT_MAX each."""
    if not can(user, MANAGE, org.path):
        raise deny()
    month = rules.month_start(month)
    search = (search or "").strip()[:50]
    charges_q = DuesCharge.all_objects.filter(subtree_q("org_path", org.path), month=month)
    members_q = Member.all_objects.filter(subtree_q("org_path", org.path)).filter(owing_q(month))
    if search:
        charges_q = charges_q.filter(member__name__contains=search)
        members_q = members_q.filter(name__contains=search)
    listed = (
        Member.all_objects.filter(
            Q(pk__in=charges_q.values("member_id")) | Q(pk__in=members_q.values("pk"))
        )
        .select_related("branch")
        .order_by("name_pinyin", "pk")
    )
    out = MonthList(
        org=org,
        month=month,
        rows=LazyRows(listed, lambda members: _month_rows(org, month, members)),
    )
    for row in charges_q.values("status").annotate(
        n=Count("id"),
        due=Sum("amount"),
        paid=Sum("paid_amount"),
        owed=Sum(F("amount") - F("paid_amount"), filter=Q(amount__gt=F("paid_amount"))),
    ):
        out.counts[row["status"]] = row["n"]
        out.total_due += _money(row["due"])
        out.total_paid += _money(row["paid"])
        out.total_outstanding += _money(row["owed"])
    has_base = Exists(
        DuesBase.all_objects.filter(member_id=OuterRef("pk"), effective_month__lte=month)
    )
    uncharged = members_q.filter(
        ~Exists(DuesCharge.all_objects.filter(member_id=OuterRef("pk"), month=month))
    ).annotate(has_base=has_base)
    split = uncharged.aggregate(
        with_base=Count("pk", filter=Q(has_base=True)),
        without=Count("pk", filter=Q(has_base=False)),
    )
    out.without_charge_count, out.without_base_count = split["with_base"], split["without"]
    if out.without_charge_count:
        out.counts["no_charge"] = out.without_charge_count
    if out.without_base_count:
        out.counts["no_base"] = out.without_base_count
    named = (
        list(uncharged.filter(has_base=False).order_by("name_pinyin", "pk")[:WITHOUT_MAX])
        if out.without_base_count
        else []
    )
    out.without_base = named
    if out.without_charge_count:
        out.without_charge = list(
            uncharged.filter(has_base=True).order_by("name_pinyin", "pk")[:WITHOUT_MAX]
        )
    return out


def _money(value) -> Decimal:
    """A sum as the database gives it (SQLite drops trailing zeros), in yuan and fen."""
    return (value or ZERO).quantize(ZERO)
