"""Compliance (合规) of organisational life: for every branch and group of a subtree and every
meeting kind that applies to it, the status of each period of a year — done, missing,
due_soon, not_due — from the meetings recorded (R-ORGLIFE-01/04/05/07/08/09/10).

The rule is `dangjian.rules.orglife.evaluate`. Applying it to 100,000 branches one call at a
time would rebuild the same periods 600,000 times, so `compliance_grid` computes each kind's
periods once (`evaluate(kind, [], …)`: the statuses a period has when nothing was held, which
depend only on the period and today) and marks the periods in which an org held a meeting
`done` — exactly what `evaluate` answers for that org (a test compares the two on random
data). Three queries in all: the orgs, the committee sizes, and the months in which each org held
each kind, aggregated by the database into one bit mask per org and kind (so a province's
millions of meetings never travel to Python).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from dangjian.core.access import subtree_q
from dangjian.orgs.models import CommitteeSeat, Org, OrgKind
from dangjian.rules import orglife as rules

# Kinds a branch holds (a 党支部 with a committee also holds 支委会), and a group's.
BRANCH_KINDS = (
    rules.MeetingKind.MEMBER_ASSEMBLY,
    rules.MeetingKind.COMMITTEE_MEETING,
    rules.MeetingKind.PARTY_LESSON,
    rules.MeetingKind.THEME_DAY,
    rules.MeetingKind.LIFE_MEETING,
    rules.MeetingKind.MEMBER_APPRAISAL,
)
GROUP_KINDS = (rules.MeetingKind.GROUP_MEETING,)
#: a branch with fewer seats has a secretary (and perhaps a deputy) but no 支部委员会
#: (支部工作条例 第十条: 7 or more full members elect a committee); its 支委会 is not due
MIN_COMMITTEE_SEATS = 3
#: kinds in the order columns are shown
KIND_ORDER = (*BRANCH_KINDS, *GROUP_KINDS)
HELD_STATUSES = ("held", "archived")


def overrides() -> dict:
    return dict(getattr(settings, "ORGLIFE_FREQUENCY_OVERRIDES", {}) or {})


def applicable_kinds(org_kind: str, committee_seats: int) -> tuple[str, ...]:
    """The meeting kinds an org of this kind owes (empty for the levels above branches)."""
    if org_kind == OrgKind.GROUP:
        return GROUP_KINDS
    if org_kind == OrgKind.BRANCH:
        if committee_seats >= MIN_COMMITTEE_SEATS:
            return BRANCH_KINDS
        return tuple(k for k in BRANCH_KINDS if k != rules.MeetingKind.COMMITTEE_MEETING)
    return ()


@dataclass
class OrgRow:
    """One branch or group: per kind, the statuses of that year's periods."""

    org_id: int
    name: str
    path: str
    kind: str
    unit_id: int | None
    #: kind → statuses in order (lists shared between rows: read, never change them)
    cells: dict[str, list[str]] = field(default_factory=dict)

    def count(self, status: str, kind: str | None = None) -> int:
        kinds = [kind] if kind else list(self.cells)
        return sum(self.cells.get(k, []).count(status) for k in kinds)


@dataclass
class Grid:
    year: int
    today: dt.date
    periods: dict[str, list[rules.PeriodStatus]]  # kind → the periods (statuses without meetings)
    rows: list[OrgRow]

    def totals(self) -> dict[str, int]:
        out = {s: 0 for s, _ in rules.COMPLIANCE_STATUSES}
        for row in self.rows:
            for statuses in row.cells.values():
                for s in statuses:
                    out[s] += 1
        return out


def _period_index(periods: list[rules.PeriodStatus]):
    starts = [p.start for p in periods]

    def index_of(day: dt.date) -> int | None:
        i = bisect.bisect_right(starts, day) - 1
        if i >= 0 and day <= periods[i].end:
            return i
        return None

    return index_of


def compliance_grid(root: Org, year: int, today: dt.date | None = None) -> Grid:
    """The compliance of every branch and group under `root` (itself included) in `year`.
    The caller has checked that the user may see `root` (orglife views use access_org)."""

    today = today or timezone.localdate()
    extra = overrides()
    periods: dict[str, list[rules.PeriodStatus]] = {}
    for kind in KIND_ORDER:
        periods[kind] = rules.evaluate(kind, [], year, today, overrides=extra)
    index_of = {kind: _period_index(p) for kind, p in periods.items()}

    in_tree = subtree_q("path", root.path)
    orgs = list(
        Org.objects.unscoped()
        .filter(in_tree, kind__in=[OrgKind.BRANCH, OrgKind.GROUP], dissolved_on__isnull=True)
        .order_by("path")
        .values_list("pk", "name", "path", "kind", "unit_id")
    )
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    seats = dict(
        CommitteeSeat.objects.unscoped()
        .filter(subtree_q("org__path", root.path), org__kind=OrgKind.BRANCH)
        .filter(started_on__lte=year_end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=year_start))
        .values("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    tz = timezone.get_current_timezone()
    # month (1–12) → the index of the kind's period containing it: every period is a month, a
    # quarter or the year (rules.orglife.periods_of), so a held month marks its whole period
    # each period's months as a bit mask (bit m for month m): a held month marks its whole
    # period, as every period is a month, a quarter or the year (rules.orglife.periods_of)
    period_bits: dict[str, list[int]] = {}
    for kind, kind_periods in periods.items():
        bits = [0] * len(kind_periods)
        for m in range(1, 13):
            i = index_of[kind](dt.date(year, m, 1))
            if i is not None:
                bits[i] |= 1 << m
        period_bits[kind] = bits
    held = {(org_id, kind): mask for org_id, kind, mask in _held_months(root, year, tz)}

    rows = []
    # the statuses of a kind depend only on the months held: one list per (kind, months),
    # shared by every org with the same months (read-only; most branches hold every month)
    cells_of: dict[tuple[str, int], list[str]] = {}
    for pk, name, path, kind, unit_id in orgs:
        row = OrgRow(pk, name, path, kind, unit_id)
        for k in applicable_kinds(kind, seats.get(pk, 0)):
            mask = held.get((pk, k), 0)
            cells = cells_of.get((k, mask))
            if cells is None:
                cells = cells_of[(k, mask)] = [
                    rules.DONE if mask & bits else p.status
                    for bits, p in zip(period_bits[k], periods[k], strict=True)
                ]
            row.cells[k] = cells
        rows.append(row)
    return Grid(year=year, today=today, periods=periods, rows=rows)


def _held_months(root: Org, year: int, tz) -> list[tuple[int, str, int]]:
    """(org, kind, months) for the held meetings of the subtree in `year`: the months in which
    the org held that kind as a bit mask (bit m set for month m, in local time), aggregated
    by the database: one row per org and kind however many meetings there are."""
    from dangjian.orglife.models import Meeting

    def start_of(month: int) -> dt.datetime:
        return dt.datetime.combine(dt.date(year, month, 1), dt.time.min, tzinfo=tz)

    # the month's bit by comparing with the months' local starts: no time-zone conversion
    # per row (on SQLite that would be a Python function call per meeting)
    bit = Case(
        *(When(starts_at__lt=start_of(m + 1), then=Value(1 << m)) for m in range(1, 12)),
        default=Value(1 << 12),
        output_field=IntegerField(),
    )
    return list(
        Meeting.objects.unscoped()
        .filter(subtree_q("org_path", root.path), status__in=HELD_STATUSES, kind__in=KIND_ORDER)
        .filter(
            starts_at__gte=start_of(1),
            starts_at__lt=dt.datetime.combine(dt.date(year + 1, 1, 1), dt.time.min, tzinfo=tz),
        )
        .order_by()
        .values("org_id", "kind")
        .annotate(mask=Sum(bit, distinct=True))
        .values_list("org_id", "kind", "mask")
    )


def held_dates(org: Org, kind: str, year: int) -> list[dt.date]:
    """The days on which `org` held meetings of `kind` in `year` (for the drill-down)."""
    from dangjian.orglife.models import Meeting

    return sorted(
        timezone.localtime(s).date()
        for s in Meeting.objects.unscoped()
        .filter(org=org, kind=kind, status__in=HELD_STATUSES, starts_at__year=year)
        .values_list("starts_at", flat=True)
    )
