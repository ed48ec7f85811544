"""The dues reports, derived from the charges and payments (never typed): arrears and their
ageing (R-DUES-14), the year's totals per branch and unit, the 党费收缴情况公示 of a branch,
and the counts of the hub card. Each runs a fixed number of grouped queries.

Definitions (docs/dues.md):
- a month is *overdue* once it is over: the current month is still being paid;
- a month is *unpaid* (for R-DUES-14's "连续6个月不交纳") when nothing was paid for it;
  a month paid in part is owed but not unpaid;
- the ageing bucket of a member is the number of overdue months he still owes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from dangjian.core.access import can, deny, has_cap_anywhere, scope_q, subtree_q
from dangjian.core.permissions import Cap
from dangjian.dues.models import ChargeStatus, DuesCharge, DuesPayment, PaymentKind
from dangjian.members.models import Member, Standing
from dangjian.orgs.models import Org
from dangjian.rules import dues as rules

MANAGE = Cap.DUES_MANAGE
ZERO = Decimal("0.00")
OPEN = [ChargeStatus.DUE, ChargeStatus.PARTIAL]
#: the ageing buckets (months owed)
BUCKETS = {"1-2": "1–2个月", "3-5": "3–5个月", "6+": "6个月及以上"}


def _money(value) -> Decimal:
    """A sum as the database gives it (SQLite drops trailing zeros), in yuan and fen."""
    return (value or ZERO).quantize(ZERO)


def _current(prefix: str = "") -> Q:
    return Q(**{f"{prefix}left_on__isnull": True}) & Q(**{f"{prefix}standing": Standing.NORMAL})


def _thresholds() -> tuple[int, int]:
    return settings.DUES_ARREARS_WARN_MONTHS, settings.DUES_ARREARS_ALERT_MONTHS


def bucket_of(months_owed: int) -> str:
    if months_owed >= 6:
        return "6+"
    if months_owed >= 3:
        return "3-5"
    return "1-2"


# ---------------------------------------------------------------------------------------------
# Arrears


@dataclass
class ArrearsRow:
    member: Member
    consecutive: int  # months in a row with nothing paid, up to last month (R-DUES-14)
    since: dt.date | None  # the first month of that run
    months_owed: int  # overdue months still owed (in part or in full)
    outstanding: Decimal  # what those months still owe
    oldest: dt.date  # the oldest overdue month still owed
    findings: list = field(default_factory=list)

    @property
    def bucket(self) -> str:
        return bucket_of(self.months_owed)

    @property
    def bucket_label(self) -> str:
        return BUCKETS[self.bucket]

    @property
    def level(self) -> str:
        return str(self.findings[0].level) if self.findings else ""


def arrears(user, org: Org, today: dt.date):
    """Members of `org`'s subtree (on the roster) who owe dues for months already over, worst
    first, with the R-DUES-14 finding of their run of unpaid months. A LazyRows of ArrearsRow
    paginated in SQL: the grouping, ordering and counting run in the database; a slice (a page)
    loads its members and their unpaid months only (two queries)."""
    if not can(user, MANAGE, org.path):
        raise deny()
    from dangjian.dues.selectors_month import LazyRows

    groups = _arrears_groups(Q(subtree_q("org_path", org.path)), today)
    return LazyRows(groups, lambda page: _arrears_rows(page, today))


def _arrears_groups(where: Q, today: dt.date):
    """One row per member owing overdue months: months owed, outstanding, oldest month, and
    `run`, the ordering key of R-DUES-14: the months with nothing paid after the member's last
    overdue month that was paid (in part or in full) or exempt, when last month is one of
    them (0 otherwise). It equals the exact run (`rules.consecutive_unpaid`, computed for the
    rows shown) unless a month inside it has no charge at all (docs/dues.md)."""
    this_month = rules.month_start(today)
    last_month = rules.add_month_starts(this_month, -1)
    settled_before = (
        DuesCharge.all_objects.filter(member_id=OuterRef("member_id"), month__lt=this_month)
        .exclude(status=ChargeStatus.DUE)
        .order_by("-month")
        .values("month")[:1]
    )
    after = Coalesce(Subquery(settled_before), Value(dt.date(1900, 1, 1)))
    unpaid = Q(status=ChargeStatus.DUE)
    return (
        DuesCharge.all_objects.filter(where, month__lt=this_month, status__in=OPEN)
        .filter(amount__gt=F("paid_amount"))
        .filter(_current("member__"))
        .values("member_id")
        .annotate(
            months_owed=Count("id"),
            owed=Sum(F("amount") - F("paid_amount")),
            oldest=Min("month"),
            run=Count("id", filter=unpaid & Q(month__gt=after))
            * Max(Case(When(unpaid & Q(month=last_month), then=1), default=0)),
        )
        .order_by("-run", "-months_owed", "-owed", "member_id")
    )


def _arrears_rows(groups: list[dict], today: dt.date) -> list[ArrearsRow]:
    """The rows of one page of groups: their members, and their unpaid months for the exact
    run (two queries)."""
    if not groups:
        return []
    ids = [g["member_id"] for g in groups]
    this_month = rules.month_start(today)
    members = Member.all_objects.select_related("branch").in_bulk(ids)
    unpaid: dict[int, list] = defaultdict(list)
    for member_id, month in DuesCharge.all_objects.filter(
        member_id__in=ids, month__lt=this_month, status=ChargeStatus.DUE
    ).values_list("member_id", "month"):
        unpaid[member_id].append(month)
    warn, alert = _thresholds()
    out = []
    for g in groups:
        n, since = rules.consecutive_unpaid(unpaid[g["member_id"]], today)
        out.append(
            ArrearsRow(
                member=members[g["member_id"]],
                consecutive=n,
                since=since,
                months_owed=g["months_owed"],
                outstanding=_money(g["owed"]),
                oldest=g["oldest"],
                findings=rules.arrears_findings(n, since, warn=warn, alert=alert) if n else [],
            )
        )
    return out


def arrears_ageing(user, org: Org, today: dt.date) -> dict:
    """{"1-2": members, "3-5": …, "6+": …} by overdue months owed (labels in BUCKETS): up to
    three COUNTs over the grouped arrears."""
    groups = arrears(user, org, today).queryset.order_by()
    total = groups.count()
    three = groups.filter(months_owed__gte=3).count() if total else 0
    six = groups.filter(months_owed__gte=6).count() if three else 0
    return {"1-2": total - three, "3-5": three - six, "6+": six}


# ---------------------------------------------------------------------------------------------
# The year's totals


@dataclass
class TotalRow:
    level: str  # "branch", "unit" or "total"
    name: str
    org: Org | None = None
    unit_id: int | None = None
    members: int = 0  # members who owed dues in the year
    due: Decimal = ZERO
    paid: Decimal = ZERO
    voluntary: Decimal = ZERO
    to_centre: Decimal = ZERO  # voluntary payments of 1000 yuan or more (R-DUES-12)

    @property
    def outstanding(self) -> Decimal:
        return max(self.due - self.paid, ZERO)

    def add(self, other: TotalRow) -> None:
        self.members += other.members
        self.due += other.due
        self.paid += other.paid
        self.voluntary += other.voluntary
        self.to_centre += other.to_centre


def _branch_id(path: str) -> int:
    return int(path.strip("/").split("/")[-1])


def annual_totals(user, org: Org, year: int) -> list[TotalRow]:
    """Per branch of `org`'s subtree, each unit's subtotal before its branches, then the grand
    total: members who owed, due, paid (for the year's months), outstanding, voluntary dues
    paid in the year and the part of them that goes to the Centre. Three queries."""
    if not can(user, MANAGE, org.path):
        raise deny()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    where = subtree_q("org_path", org.path)
    branches: dict[int, TotalRow] = {}
    for row in (
        DuesCharge.all_objects.filter(where, month__gte=first, month__lte=last)
        .values("branch_id")
        .annotate(
            members=Count("member_id", distinct=True, filter=Q(amount__gt=0)),
            due=Sum("amount"),
            paid=Sum("paid_amount"),
        )
    ):
        branches[row["branch_id"]] = TotalRow(
            "branch",
            "",
            members=row["members"],
            due=_money(row["due"]),
            paid=_money(row["paid"]),
        )
    for row in (
        DuesPayment.all_objects.filter(
            where,
            kind=PaymentKind.VOLUNTARY,
            paid_on__gte=first,
            paid_on__lte=last,
            voided_at__isnull=True,
        )
        .values("org_path")
        .annotate(total=Sum("amount"), centre=Sum("amount", filter=Q(to_centre=True)))
    ):
        t = branches.setdefault(_branch_id(row["org_path"]), TotalRow("branch", ""))
        t.voluntary += _money(row["total"])
        t.to_centre += _money(row["centre"])
    orgs = Org.all_objects.select_related("unit").in_bulk(list(branches))
    units: dict[int | None, TotalRow] = {}
    unit_order: dict[int | None, tuple] = {None: (1, 0, "")}
    by_unit: dict[int | None, list[TotalRow]] = defaultdict(list)
    for branch_id, t in branches.items():
        o = orgs.get(branch_id)
        if o is None:
            continue
        t.org, t.name, t.unit_id = o, o.name, o.unit_id
        unit = units.setdefault(
            o.unit_id,
            TotalRow("unit", o.unit.name if o.unit else "未归属单位", unit_id=o.unit_id),
        )
        if o.unit is not None:
            unit_order[o.unit_id] = (0, o.unit.sort, o.unit.name)
        unit.add(t)
        by_unit[o.unit_id].append(t)
    grand = TotalRow("total", "合计")
    out: list[TotalRow] = []
    order = sorted(units.values(), key=lambda u: unit_order[u.unit_id])
    for unit in order:
        out.append(unit)
        out.extend(sorted(by_unit[unit.unit_id], key=lambda t: t.org.path))
        grand.add(unit)
    out.append(grand)
    return out


# ---------------------------------------------------------------------------------------------
# 党费收缴情况公示


@dataclass
class PublicationRow:
    name: str
    months_paid: list[int]  # month numbers settled by payment
    months_exempt: list[int]  # month numbers exempt (R-DUES-08)
    months_owed: list[int]  # month numbers still owing something
    paid: Decimal  # paid for the year's months
    voluntary: Decimal  # voluntary dues paid in the year (R-DUES-12)


@dataclass
class Publication:
    org: Org
    year: int
    rows: list[PublicationRow]
    members: int = 0
    paid: Decimal = ZERO
    voluntary: Decimal = ZERO
    to_centre: Decimal = ZERO


def publication(user, org: Org, year: int) -> Publication:
    """党费收缴情况公示 of `org` (a branch) for `year`: per member the months paid and the
    amount each member paid (the usual form of a 公示; for a member who paid in full it equals
    what he owed), voluntary dues, the totals. Never the base, the pay items or the category
    (docs/dues.md). Readable by dues.manage on the org and by the branch's own members. Three
    queries."""
    own = getattr(getattr(user, "member", None), "branch_id", None) == org.pk and user.is_active
    if not (own or can(user, MANAGE, org.path)):
        raise deny()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    where = subtree_q("org_path", org.path)
    per: dict[int, dict] = defaultdict(
        lambda: {"paid": [], "exempt": [], "owed": [], "amount": ZERO, "voluntary": ZERO}
    )
    for member_id, month, amount, paid, status in DuesCharge.all_objects.filter(
        where, month__gte=first, month__lte=last
    ).values_list("member_id", "month", "amount", "paid_amount", "status"):
        p = per[member_id]
        p["amount"] += paid
        if status == ChargeStatus.EXEMPT:
            p["exempt"].append(month.month)
        elif status == ChargeStatus.PAID or amount <= 0:
            p["paid"].append(month.month)
        else:
            p["owed"].append(month.month)
    pub = Publication(org=org, year=year, rows=[])
    for row in (
        DuesPayment.all_objects.filter(
            where,
            kind=PaymentKind.VOLUNTARY,
            paid_on__gte=first,
            paid_on__lte=last,
            voided_at__isnull=True,
        )
        .values("member_id")
        .annotate(total=Sum("amount"), centre=Sum("amount", filter=Q(to_centre=True)))
    ):
        per[row["member_id"]]["voluntary"] += _money(row["total"])
        pub.to_centre += _money(row["centre"])
    members = Member.all_objects.filter(pk__in=list(per)).order_by("name_pinyin", "id")
    for m in members.only("id", "name", "name_pinyin"):
        p = per[m.pk]
        pub.rows.append(
            PublicationRow(
                name=m.name,
                months_paid=sorted(p["paid"]),
                months_exempt=sorted(p["exempt"]),
                months_owed=sorted(p["owed"]),
                paid=p["amount"],
                voluntary=p["voluntary"],
            )
        )
        pub.paid += p["amount"]
        pub.voluntary += p["voluntary"]
    pub.members = len(pub.rows)
    return pub


# ---------------------------------------------------------------------------------------------
# The hub card


@dataclass
class DuesOverview:
    month: dt.date
    charged: int = 0  # members charged this month
    settled: int = 0  # of them, paid or exempt
    warned: int = 0  # members with ≥ warn consecutive unpaid months
    alerted: int = 0  # members with ≥ alert consecutive unpaid months (R-DUES-14)
    pending_reductions: int = 0

    @property
    def paid_rate(self) -> int:
        return round(100 * self.settled / self.charged) if self.charged else 0


def _run_of(where: Q, this_month: dt.date, months: int) -> int:
    """Members with nothing paid for each of the `months` months before this one."""
    first = rules.add_month_starts(this_month, -months)
    return (
        DuesCharge.all_objects.filter(
            where,
            month__gte=first,
            month__lt=this_month,
            status=ChargeStatus.DUE,
            amount__gt=0,
        )
        .filter(_current("member__"))
        .values("member_id")
        .annotate(n=Count("id"))
        .filter(n=months)
        .count()
    )


def dues_overview(user, today: dt.date) -> DuesOverview | None:
    """Counts for the hub card over everything the user manages; None when he manages no
    dues and decides no reductions. Five queries."""
    from dangjian.dues.selectors import reductions_pending_for

    manages = has_cap_anywhere(user, MANAGE)
    if not manages and not has_cap_anywhere(user, Cap.DUES_APPROVE):
        return None
    this_month = rules.month_start(today)
    out = DuesOverview(month=this_month)
    if manages:
        where = scope_q(user, MANAGE, "org_path")
        counts = DuesCharge.all_objects.filter(where, month=this_month).aggregate(
            charged=Count("id"),
            settled=Count("id", filter=Q(status__in=[ChargeStatus.PAID, ChargeStatus.EXEMPT])),
        )
        out.charged, out.settled = counts["charged"], counts["settled"]
        warn, alert = _thresholds()
        out.warned = _run_of(where, this_month, warn)
        out.alerted = _run_of(where, this_month, alert)
    out.pending_reductions = len(reductions_pending_for(user))
    return out
