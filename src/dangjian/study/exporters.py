"""Exports of 学习培训 (registered with the core exporter registry, audited like every export):

- `study.hours` (xlsx/csv): 党员学时情况 of an org's subtree for a year — required, earned,
  shortfall, exempt and committee flags, shortfall first (optionally the short only);
- `study.stats` (xlsx/csv): sessions and person-times (人次) per unit for a period (the seed's
  "19 场、1395 人次").

Both start from the study selectors with the exporting user (study.manage on the org)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap
from dangjian.study import selectors_sessions as sel

MANAGE = Cap.STUDY_MANAGE


def _year(raw) -> int:
    if raw in (None, ""):
        return timezone.localdate().year
    try:
        year = int(raw)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2200:
        raise AppError("年度无效。", field="year")
    return year


def _day(raw, default: dt.date, field: str, label: str) -> dt.date:
    if raw in (None, ""):
        return default
    if isinstance(raw, dt.date):
        return raw
    try:
        day = dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise AppError(f"{label}无效，应为 YYYY-MM-DD。", field=field) from None
    if not 2000 <= day.year <= 2200:
        raise AppError(f"{label}无效。", field=field)
    return day


class _StudyExporter(Exporter):
    required_cap = MANAGE
    formats = ("xlsx", "csv")

    def audit_object(self):
        return self.org

    def scope_path(self) -> str:
        return self.org.path


@register
class HoursExporter(_StudyExporter):
    identifier = "study.hours"
    verbose_name = "党员学时情况"
    description = "组织及下级党组织党员全年应修、已修学时和差额（R-EDU-01/02/03）"

    def clean(self, params: dict) -> dict:
        self.org = sel.study_org(self.user, params.get("org"))
        self.year = _year(params.get("year"))
        self.short = bool(params.get("short"))
        self._rows = sel.org_hours(self.user, self.org, self.year, only_short=self.short)
        return {"org": self.org.pk, "year": self.year, "short": self.short}

    def title(self) -> str:
        suffix = "-未达标" if self.short else ""
        return f"{self.verbose_name}-{self.org.name}-{self.year}年{suffix}"

    def audit_changes(self) -> dict:
        return {"org": self.org.pk, "year": self.year, "short": self.short}

    def count(self) -> int:
        return len(self._rows)

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("branch", "党支部", width=20),
            Column("name", "姓名"),
            Column("committee", "书记或班子成员"),
            Column("exempt", "免除学时要求"),
            Column("required", "应修学时", kind="number"),
            Column("earned", "已修学时", kind="number"),
            Column("shortfall", "差额", kind="number"),
            Column("concentrated", "尚未参加集中培训"),
            Column("status", "情况"),
        ]

    #: members built into rows at a time (one exemptions query each)
    CHUNK = 2000

    def _all_rows(self):
        """Every row in the list's order, in one pass over the ordered query (walking the
        LazyRows would re-run it with a growing OFFSET for each chunk)."""
        batch = []
        for member in self._rows.queryset.iterator(chunk_size=self.CHUNK):
            batch.append(member)
            if len(batch) == self.CHUNK:
                yield from self._rows.build(batch)
                batch = []
        if batch:
            yield from self._rows.build(batch)

    def rows(self):
        for seq, r in enumerate(self._all_rows(), 1):
            s = r.standing
            status = "已免除" if r.exempt else ("未达标" if r.short else "已达标")
            yield [
                seq,
                r.member.branch.name,
                r.member.name,
                r.committee,
                r.exempt,
                s.required,
                float(s.earned),
                float(s.shortfall),
                s.needs_concentrated,
                status,
            ]


@register
class StatsExporter(_StudyExporter):
    identifier = "study.stats"
    verbose_name = "学习培训人次统计"
    description = "各单位某一期间举办学习培训的场次和参加人次"

    def clean(self, params: dict) -> dict:
        self.org = sel.study_org(self.user, params.get("org"))
        today = timezone.localdate()
        self.first = _day(
            params.get("date_from"), today.replace(month=1, day=1), "date_from", "开始日期"
        )
        self.last = _day(
            params.get("date_to"), today.replace(month=12, day=31), "date_to", "结束日期"
        )
        if self.last < self.first:
            raise AppError("结束日期不能早于开始日期。", field="date_to")
        self._rows = sel.study_stats(self.user, self.org, self.first, self.last)
        return {
            "org": self.org.pk,
            "date_from": self.first.isoformat(),
            "date_to": self.last.isoformat(),
        }

    def title(self) -> str:
        return f"{self.verbose_name}-{self.org.name}-{self.first:%Y%m%d}至{self.last:%Y%m%d}"

    def audit_changes(self) -> dict:
        return {
            "org": self.org.pk,
            "date_from": self.first.isoformat(),
            "date_to": self.last.isoformat(),
        }

    def count(self) -> int:
        return len(self._rows)

    def columns(self) -> list[Column]:
        return [
            Column("unit", "单位", width=24),
            Column("sessions", "场次", kind="number"),
            Column("person_times", "人次", kind="number"),
        ]

    def rows(self):
        for r in self._rows:
            yield [r.name, r.sessions, r.person_times]


# the library's and the points' exporters register themselves on import: autodiscovery loads
# this module only, and a background export worker must find them too
from dangjian.study import exporters_library, exporters_points  # noqa: E402, F401
