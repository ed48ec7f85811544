"""Derived ledgers (台账): the period a ledger covers, and the reads behind the Word ledger,
the xlsx summary and the unit zip. Everything comes from the meeting records, through the
user's scoped selectors (`selectors.meeting_list`), never typed twice. See
docs/orglife-ledgers.md."""

from __future__ import annotations

import calendar as pycal
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from dangjian.core.access import subtree_q
from dangjian.core.errors import AppError
from dangjian.orglife import selectors
from dangjian.orglife.models import (
    Attendance,
    MakeUp,
    Meeting,
    MeetingStatus,
    Resolution,
)
from dangjian.orgs.models import Org, OrgKind

#: a custom range may cover at most this many days (five years)
MAX_DAYS = 5 * 366
FIRST_YEAR = 1921

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True)
class Period:
    """A ledger's period: `start` and `end` both inclusive; `key` is what the URL carries
    ("2025", "2025-Q2", "2025-05", or "2025-01-01~2025-03-15" for a custom range)."""

    start: dt.date
    end: dt.date
    key: str
    label: str

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Aware datetimes [from, to) in the local time zone (Beijing time)."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end


def _year_ok(year: int) -> bool:
    return FIRST_YEAR <= year <= timezone.localdate().year + 1


def _date(value, name: str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise AppError(f"请填写有效的{label}（如 2025-01-01）。", field=name) from None


def parse_period(value: str = "", start=None, end=None) -> Period:
    """The period of a ledger from a preset (`value`: "2025", "2025-Q2", "2025-05") or, when
    `value` is "custom" or empty with dates given, from `start` and `end`. Bad input is an
    AppError at its field."""
    value = (value or "").strip()
    if value == "custom" or (not value and (start or end)):
        first = _date(start, "start", "开始日期")
        last = _date(end, "end", "结束日期")
        if last < first:
            raise AppError("结束日期不能早于开始日期。", field="end")
        if (last - first).days >= MAX_DAYS:
            raise AppError("自定义期间不能超过五年。", field="end")
        if not (_year_ok(first.year) and _year_ok(last.year)):
            raise AppError("期间超出可选年份。", field="start")
        return Period(
            first,
            last,
            f"{first:%Y-%m-%d}~{last:%Y-%m-%d}",
            f"{first:%Y年%m月%d日}至{last:%Y年%m月%d日}",
        )
    if not value:
        raise AppError("请选择期间。", field="period")
    if m := _YEAR.match(value):
        year = int(m[1])
        if _year_ok(year):
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}", f"{year}年")
    elif m := _QUARTER.match(value):
        year, quarter = int(m[1]), int(m[2])
        if _year_ok(year):
            first = dt.date(year, 3 * quarter - 2, 1)
            last_month = 3 * quarter
            last = dt.date(year, last_month, pycal.monthrange(year, last_month)[1])
            return Period(
                first, last, f"{year}-Q{quarter}", f"{year}年第{'一二三四'[quarter - 1]}季度"
            )
    elif m := _MONTH.match(value):
        year, month = int(m[1]), int(m[2])
        if _year_ok(year) and 1 <= month <= 12:
            last = dt.date(year, month, pycal.monthrange(year, month)[1])
            return Period(
                dt.date(year, month, 1), last, f"{year}-{month:02d}", f"{year}年{month}月"
            )
    raise AppError(f"期间“{value[:20]}”无效，请选择年度、季度或月份。", field="period")


def period_params(period: Period) -> dict:
    """The period as JSON-ready export parameters (a job stores them)."""
    if "~" in period.key:
        return {
            "period": "custom",
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        }
    return {"period": period.key}


def ledger_meetings(
    user, org: Org, period: Period, *, held_only: bool = False, own_only: bool = False
):
    """The meetings of `org`'s subtree in the period that the user may see (member.view), in
    date order. `held_only`: the record of held (and archived) meetings, as the Word ledger
    has it; otherwise planned ones too (the xlsx summary and its status column). `own_only`:
    the meetings of `org` itself (a 机关党委's file in a unit ledger)."""
    start, end = period.bounds()
    qs = selectors.meeting_list(user, org=org).filter(starts_at__gte=start, starts_at__lt=end)
    if own_only:
        qs = qs.filter(org=org)
    if held_only:
        qs = qs.filter(status__in=[MeetingStatus.HELD, MeetingStatus.ARCHIVED])
    return qs.select_related("org", "convener", "chair", "chair_delegated_by", "recorder").order_by(
        "starts_at", "id"
    )


@dataclass
class MeetingRecord:
    """One meeting with what its ledger page shows, loaded in batches (`load_records`)."""

    meeting: Meeting
    attendance: dict[str, list[Attendance]] = field(default_factory=lambda: defaultdict(list))
    resolutions: list[Resolution] = field(default_factory=list)
    makeups: list[MakeUp] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return sum(len(rows) for rows in self.attendance.values())

    def of(self, status: str) -> list[Attendance]:
        return self.attendance.get(status, [])


def load_records(meetings: list[Meeting]) -> list[MeetingRecord]:
    """The meetings with their roster, resolutions and make-ups: three queries for the batch,
    whatever its size. The meetings were read through the user's scoped selector, so their
    children are read by meeting id."""
    records = {m.pk: MeetingRecord(m) for m in meetings}
    ids = list(records)
    if not ids:
        return []
    rows = (
        Attendance.objects.unscoped()
        .filter(meeting_id__in=ids)
        .select_related("member")
        .order_by("member__name_pinyin", "member_id")
    )
    for row in rows:
        records[row.meeting_id].attendance[row.status].append(row)
    for res in (
        Resolution.objects.unscoped()
        .filter(meeting_id__in=ids)
        .select_related("owner")
        .order_by("id")
    ):
        records[res.meeting_id].resolutions.append(res)
    for makeup in (
        MakeUp.objects.unscoped()
        .filter(meeting_id__in=ids)
        .select_related("member")
        .order_by("due_on", "id")
    ):
        records[makeup.meeting_id].makeups.append(makeup)
    return [records[m.pk] for m in meetings]


def batched_records(queryset, size: int = 200):
    """`load_records` over a queryset, `size` meetings at a time."""
    batch: list[Meeting] = []
    for meeting in queryset.iterator(chunk_size=size):
        batch.append(meeting)
        if len(batch) >= size:
            yield from load_records(batch)
            batch = []
    if batch:
        yield from load_records(batch)


def has_units_below(org: Org) -> bool:
    """Whether a unit ledger (a zip, one file per branch) makes sense for `org`."""
    return org.kind not in (OrgKind.BRANCH, OrgKind.GROUP)


def unit_ledger_orgs(user, org: Org, period: Period) -> list[Org]:
    """The files of a unit ledger: every branch in `org`'s subtree (an empty branch gets its
    file too: the gap shows), then each other body of the subtree (the 机关党委, a 党总支)
    that held meetings of its own in the period. A 党小组's meetings are in its branch's
    file. In tree order."""
    if not has_units_below(org):
        return []
    start, end = period.bounds()
    branches = list(
        Org.objects.unscoped()
        .filter(subtree_q("path", org.path), kind=OrgKind.BRANCH)
        .filter(dissolved_on__isnull=True)
        .order_by("path")
    )
    own = set(
        selectors.meeting_list(user, org=org)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(org__kind__in=[OrgKind.BRANCH, OrgKind.GROUP])
        .values_list("org_id", flat=True)
    )
    bodies = list(Org.objects.unscoped().filter(pk__in=own).order_by("path"))
    return sorted(branches + bodies, key=lambda o: o.path)
