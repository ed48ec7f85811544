"""Exports of 共同缔造 (xlsx/csv; registered with the core exporter registry, audited like every
export), each from the scoped selectors with the exporting user (cocreation.manage):

- `cocreation.pairings`: 包联关系及包联干部 — one row per cadre (a pairing without cadres
  takes one row);
- `cocreation.projects`: 实事项目及目标完成情况 — one row per goal metric with its target,
  achieved amount (the done milestones' sum) and percentage (a project without metrics takes
  one row);
- `cocreation.problems`: 群众问题台账 — one row per problem with its state and resolution.

Parameters — the filters of the list the export was started from, so the file holds exactly
the rows of that list (junk filters are ignored like on the list; an unknown unit is refused):

- every export: `unit` (the id of a unit's top body), `q` (the list's search);
- pairings (the hub): `status` ("live", "ended" or "all", the default), `district`, `pilot`
  ("1" pilots, "0" the others);
- projects: `status` (a project status), `category`, `district`, `pilot`;
- problems: `status` ("open" or a problem status), `overdue` ("1": only open problems past
  their deadline)."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from dangjian.cocreation import selectors as sel
from dangjian.cocreation.models import (
    PairingCadre,
    ProblemStatus,
    ProjectCategory,
    ProjectStatus,
)
from dangjian.core.access import scope_q
from dangjian.core.errors import AppError
from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap


def _pilot(value) -> bool | None:
    if value is True or value == "1":
        return True
    if value is False or value == "0":
        return False
    return None


class _CocreationExporter(Exporter):
    required_cap = Cap.COCREATION_MANAGE
    formats = ("xlsx", "csv")
    statuses: tuple[str, ...] = ()
    default_status = ""
    #: the list filters this export applies besides `unit`, `status` and `q`
    filters: tuple[str, ...] = ()

    def clean(self, params: dict) -> dict:
        """The list's filters, cleaned as the list cleans them; JSON-ready (a background job
        stores them and builds the exporter again from them)."""
        raw = params.get("unit")
        self.unit = None
        if raw not in (None, ""):
            self.unit = sel.parse_id(raw)
            if self.unit is None or self.unit not in {u.pk for u in sel.paired_units(self.user)}:
                raise AppError("单位无效。", field="unit")
        status = params.get("status")
        status = status if isinstance(status, str) else ""
        self.status = status if status in self.statuses else self.default_status
        self.q = sel.clean_q(params.get("q"))
        self.district = ""
        if "district" in self.filters:
            district = sel.clean_text(params.get("district"))
            self.district = district if district in sel.districts() else ""
        self.pilot = _pilot(params.get("pilot")) if "pilot" in self.filters else None
        category = params.get("category")
        self.category = (
            category if "category" in self.filters and category in ProjectCategory.values else ""
        )
        self.overdue = "overdue" in self.filters and params.get("overdue") in ("1", True)
        return self.audit_changes()

    def audit_changes(self) -> dict:
        out = {"unit": self.unit or "", "status": self.status, "q": self.q}
        for name in self.filters:
            value = getattr(self, name)
            if name == "pilot":
                value = {True: "1", False: "0"}.get(value, "")
            out[name] = value
        return out


@register
class PairingExporter(_CocreationExporter):
    identifier = "cocreation.pairings"
    verbose_name = "包联关系及包联干部"
    description = "各单位包联的村（社区）、试点情况和包联干部"

    statuses = ("live", "ended", "all")
    default_status = "all"
    filters = ("district", "pilot")

    def queryset(self):
        return sel.pairing_list(
            self.user,
            org_id=self.unit,
            district=self.district,
            pilot=self.pilot,
            status=self.status,
            q=self.q,
        )

    def count(self) -> int:
        return self.queryset().count()

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("unit", "包联单位", width=20),
            Column("district", "县（市、区）"),
            Column("township", "乡镇（街道）"),
            Column("community", "村（社区）"),
            Column("pilot", "试点"),
            Column("started_on", "包联日期", kind="date"),
            Column("ended_on", "结束日期", kind="date"),
            Column("projects", "项目数", kind="number"),
            Column("cadre", "包联干部"),
            Column("post", "职责", width=18),
            Column("cadre_from", "任职开始", kind="date"),
            Column("cadre_to", "离任日期", kind="date"),
        ]

    def rows(self):
        pairings = list(self.queryset())
        cadres = defaultdict(list)
        for c in PairingCadre.objects.filter(
            scope_q(self.user, Cap.COCREATION_MANAGE, "org_path"),
            pairing_id__in=[p.pk for p in pairings],
        ).order_by("pairing_id", "ended_on", "started_on", "id"):
            cadres[c.pairing_id].append(c)
        seq = 0
        for p in pairings:
            for c in cadres.get(p.pk) or [None]:
                seq += 1
                yield [
                    seq,
                    p.org.name,
                    p.community.district,
                    p.community.township,
                    p.community.name,
                    p.is_pilot,
                    p.started_on,
                    p.ended_on,
                    p.project_count,
                    c.name if c else "",
                    c.post if c else "",
                    c.started_on if c else None,
                    c.ended_on if c else None,
                ]


@register
class ProjectExporter(_CocreationExporter):
    identifier = "cocreation.projects"
    verbose_name = "实事项目及目标完成情况"
    description = "各包联点的实事项目、资金、受益户数和各项目标指标的完成情况"
    statuses = tuple(ProjectStatus.values)
    filters = ("category", "district", "pilot")

    def queryset(self):
        return sel.project_list(
            self.user,
            org_id=self.unit,
            district=self.district,
            pilot=self.pilot,
            status=self.status,
            category=self.category,
            q=self.q,
        )

    def count(self) -> int:
        return self.queryset().count()

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("unit", "包联单位", width=20),
            Column("community", "村（社区）"),
            Column("title", "项目名称", width=30),
            Column("category", "类别"),
            Column("status", "状态"),
            Column("state", "进度"),
            Column("starts_on", "开始日期", kind="date"),
            Column("due_on", "计划完成", kind="date"),
            Column("finished_on", "完成日期", kind="date"),
            Column("funds_planned", "计划资金（万元）", kind="number"),
            Column("funds_raised", "到位资金（万元）", kind="number"),
            Column("households", "受益户数（未完成为计划数）", kind="number"),
            Column("people", "受益人数（未完成为计划数）", kind="number"),
            Column("metric", "目标指标"),
            Column("unit_of_measure", "单位"),
            Column("target", "目标值", kind="number"),
            Column("achieved", "完成值", kind="number"),
            Column("percent", "完成率（%）", kind="number"),
            Column("public", "对外公开"),
        ]

    def rows(self):
        today = timezone.localdate()
        projects = sel.decorate_projects(self.queryset(), today)
        seq = 0
        for p in projects:
            for m in p.metric_rows or [None]:
                seq += 1
                yield [
                    seq,
                    p.pairing.org.name,
                    str(p.pairing.community),
                    p.title,
                    p.get_category_display(),
                    p.get_status_display(),
                    p.state_label,
                    p.starts_on,
                    p.due_on,
                    p.finished_on,
                    float(p.funds_planned) if p.funds_planned is not None else None,
                    float(p.funds_raised) if p.funds_raised is not None else None,
                    p.beneficiary_households,
                    p.beneficiary_people,
                    m.name if m else "",
                    m.unit if m else "",
                    float(m.progress.target) if m else None,
                    float(m.progress.achieved) if m else None,
                    float(m.progress.percent) if m and m.progress.percent is not None else None,
                    p.is_public,
                ]


@register
class ProblemExporter(_CocreationExporter):
    identifier = "cocreation.problems"
    verbose_name = "群众问题台账"
    description = "走访发现的群众问题：责任人、办理时限、办理状态和结果"
    statuses = ("open", *ProblemStatus.values)
    filters = ("overdue",)

    def queryset(self):
        return sel.problem_list(
            self.user, org_id=self.unit, status=self.status, overdue=self.overdue, q=self.q
        )

    def count(self) -> int:
        return self.queryset().count()

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("unit", "包联单位", width=20),
            Column("community", "村（社区）"),
            Column("visited_on", "走访日期", kind="date"),
            Column("description", "问题", width=40),
            Column("raised_by", "反映人"),
            Column("owner", "责任人"),
            Column("due_on", "办理时限", kind="date"),
            Column("status", "办理状态"),
            Column("overdue", "逾期"),
            Column("resolution", "办理结果", width=40),
            Column("resolved_on", "办结日期", kind="date"),
        ]

    def rows(self):
        today = timezone.localdate()
        for seq, p in enumerate(self.queryset().iterator(chunk_size=500), 1):
            yield [
                seq,
                p.pairing.org.name,
                str(p.pairing.community),
                p.visit.visited_on,
                p.description,
                p.raised_by,
                p.owner_name,
                p.due_on,
                p.get_status_display(),
                p.status in sel.OPEN and p.due_on < today,
                p.resolution,
                p.resolved_on,
            ]
