"""Exports of the retired cadres' activities (xlsx/csv, registered with the core exporter
registry, audited like every export as `<identifier>.exported`), each from the scoped
selectors with the exporting user (veterans.manage):

- `veterans.teams`: 银龄志愿服务队 — one row per team with its members, activities, hours
  (Σ hours × participants) and people served; params `status` (live/disbanded/all), `q`;
- `veterans.activities`: 志愿服务活动 — one row per activity with its participants; params
  `resource`, `year`, `q`;
- `veterans.studios`: 老党员工作室（之家） — one row per studio; params `kind`, `q`;
- `veterans.care_sessions`: 健康顾问与智慧助老 — one row per session; `kind`, `year`, `q`;
- `veterans.exemplars`: 先进典型及调解案例 — one row per case (an exemplar without cases
  takes one row); `q`;
- `veterans.overview`: 老干部工作总览 — one row per unit and the total; `unit`, `year`.

Junk parameters are ignored the way the lists ignore them."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap
from dangjian.veterans import selectors_activities as sel
from dangjian.veterans import selectors_overview as ov
from dangjian.veterans.models import CareKind, MediationCase, Resource, StudioKind


class _VeteransExporter(Exporter):
    required_cap = Cap.VETERANS_MANAGE
    formats = ("xlsx", "csv")

    def clean(self, params: dict) -> dict:
        today = timezone.localdate()
        self.q = sel.clean_q(params.get("q"))
        status = params.get("status")
        self.status = status if status in ("live", "disbanded", "all") else "all"
        resource = params.get("resource")
        self.resource = resource if resource in Resource.values else ""
        kind = params.get("kind")
        self.kind = kind if kind in (*StudioKind.values, *CareKind.values) else ""
        year = sel.parse_id(params.get("year"))
        self.year = year if year and 2000 <= year <= today.year else None
        self.unit = sel.parse_id(params.get("unit"))
        return {
            "q": self.q,
            "status": self.status,
            "resource": self.resource,
            "kind": self.kind,
            "year": self.year or "",
            "unit": self.unit or "",
        }

    def audit_changes(self) -> dict:
        return dict(self.params)


@register
class TeamExporter(_VeteransExporter):
    identifier = "veterans.teams"
    verbose_name = "银龄志愿服务队"
    description = "服务队、队员数、活动数、服务时长和服务对象"

    def queryset(self):
        return sel.team_list(self.user, status=self.status, q=self.q)

    def count(self) -> int:
        return self.queryset().count()

    def columns(self):
        return [
            Column("seq", "序号", kind="number"),
            Column("org", "所属组织", width=20),
            Column("name", "队名", width=24),
            Column("focus", "服务内容", width=24),
            Column("founded_on", "成立日期", kind="date"),
            Column("leader", "队长"),
            Column("members", "队员数", kind="number"),
            Column("activities", "活动数", kind="number"),
            Column("hours", "服务时长（小时）", kind="number"),
            Column("beneficiaries", "服务对象（人次）", kind="number"),
            Column("disbanded_on", "撤销日期", kind="date"),
        ]

    def rows(self):
        teams = list(self.queryset())
        figures = sel.team_figures(teams)
        for seq, t in enumerate(teams, 1):
            f = figures[t.pk]
            yield [
                seq,
                t.org.name,
                t.name,
                t.focus,
                t.founded_on,
                t.leader.name if t.leader else "",
                t.member_count,
                t.activity_count,
                float(f["hours"]),
                f["beneficiaries"],
                t.disbanded_on,
            ]


@register
class ActivityExporter(_VeteransExporter):
    identifier = "veterans.activities"
    verbose_name = "志愿服务活动"
    description = "各服务队的活动、参与队员、人均时长和服务对象"

    def queryset(self):
        return sel.activity_list(self.user, resource=self.resource, year=self.year, q=self.q)

    def count(self) -> int:
        return self.queryset().count()

    def columns(self):
        return [
            Column("seq", "序号", kind="number"),
            Column("team", "服务队", width=24),
            Column("title", "活动名称", width=24),
            Column("held_on", "活动日期", kind="date"),
            Column("place", "地点"),
            Column("resource", "资源类别", width=18),
            Column("hours", "人均时长（小时）", kind="number"),
            Column("participants", "参与人数", kind="number"),
            Column("total", "服务时长合计（小时）", kind="number"),
            Column("beneficiaries", "服务对象（人次）", kind="number"),
            Column("names", "参与队员", width=30),
        ]

    def rows(self):
        activities = list(self.queryset())
        names = sel.participants_for(activities)
        for seq, a in enumerate(activities, 1):
            yield [
                seq,
                a.team.name,
                a.title,
                a.held_on,
                a.place,
                a.get_resource_display(),
                float(a.hours),
                a.participant_count,
                float(a.hours * a.participant_count),
                a.beneficiaries,
                "、".join(names.get(a.pk, [])),
            ]


@register
class StudioExporter(_VeteransExporter):
    identifier = "veterans.studios"
    verbose_name = "老党员工作室（之家）"
    description = "工作室和老党员之家及其活动次数、参加人次"

    def queryset(self):
        kind = self.kind if self.kind in StudioKind.values else ""
        return sel.studio_list(self.user, kind=kind, q=self.q)

    def count(self) -> int:
        return self.queryset().count()

    def columns(self):
        return [
            Column("seq", "序号", kind="number"),
            Column("org", "所属组织", width=20),
            Column("kind", "类别"),
            Column("name", "名称", width=24),
            Column("leader", "领衔老党员"),
            Column("place", "地址", width=24),
            Column("opened_on", "授牌（成立）日期", kind="date"),
            Column("activities", "活动次数", kind="number"),
            Column("attendance", "参加人次", kind="number"),
        ]

    def rows(self):
        for seq, s in enumerate(self.queryset(), 1):
            yield [
                seq,
                s.org.name,
                s.get_kind_display(),
                s.name,
                s.leader.name if s.leader else "",
                s.place,
                s.opened_on,
                s.activity_count,
                s.attendance or 0,
            ]


@register
class CareExporter(_VeteransExporter):
    identifier = "veterans.care_sessions"
    verbose_name = "健康顾问与智慧助老"
    description = "健康顾问志愿服务和智慧助老活动及服务人次"

    def queryset(self):
        kind = self.kind if self.kind in CareKind.values else ""
        return sel.care_list(self.user, kind=kind, year=self.year, q=self.q)

    def count(self) -> int:
        return self.queryset().count()

    def columns(self):
        return [
            Column("seq", "序号", kind="number"),
            Column("org", "组织单位", width=20),
            Column("kind", "类别", width=16),
            Column("title", "主题", width=24),
            Column("held_on", "日期", kind="date"),
            Column("partner", "合作单位"),
            Column("advisers", "顾问（志愿者）", width=20),
            Column("place", "地点"),
            Column("served", "服务老干部（人次）", kind="number"),
        ]

    def rows(self):
        for seq, c in enumerate(self.queryset(), 1):
            yield [
                seq,
                c.org.name,
                c.get_kind_display(),
                c.title,
                c.held_on,
                c.partner,
                c.advisers,
                c.place,
                c.served,
            ]


@register
class ExemplarExporter(_VeteransExporter):
    identifier = "veterans.exemplars"
    verbose_name = "先进典型及调解案例"
    description = "典型、事迹和参与调解的案例"

    def queryset(self):
        return sel.exemplar_list(self.user, q=self.q)

    def count(self) -> int:
        return self.queryset().count()

    def columns(self):
        return [
            Column("seq", "序号", kind="number"),
            Column("name", "姓名"),
            Column("title", "称号"),
            Column("named_on", "评树日期", kind="date"),
            Column("cases", "调解案例数", kind="number"),
            Column("resolved", "调解成功数", kind="number"),
            Column("handled_on", "调解日期", kind="date"),
            Column("place", "地点"),
            Column("matter", "纠纷事项", width=24),
            Column("parties", "当事人数", kind="number"),
            Column("outcome", "结果"),
        ]

    def rows(self):
        exemplars = list(self.queryset())
        cases = defaultdict(list)
        for c in (
            MediationCase.objects.visible_to(self.user, Cap.VETERANS_MANAGE)
            .filter(exemplar_id__in=[e.pk for e in exemplars])
            .order_by("exemplar_id", "handled_on", "id")
        ):
            cases[c.exemplar_id].append(c)
        seq = 0
        for e in exemplars:
            head = [e.retiree.name, e.title, e.named_on, e.case_count, e.resolved]
            for c in cases.get(e.pk) or [None]:
                seq += 1
                if c is None:
                    yield [seq, *head, None, "", "", None, ""]
                else:
                    tail = [c.handled_on, c.place, c.matter, c.parties, c.get_outcome_display()]
                    yield [seq, *head, *tail]


OVERVIEW_COLUMNS = [
    ("teams", "服务队（支）"),
    ("team_members", "队员（人）"),
    ("activities", "志愿服务活动（次）"),
    ("hours", "服务时长（小时）"),
    ("beneficiaries", "服务对象（人次）"),
    ("studios", "老党员工作室（个）"),
    ("homes", "老党员之家（个）"),
    ("studio_activities", "工作室活动（次）"),
    ("care_health", "健康顾问（次）"),
    ("care_health_served", "健康顾问服务（人次）"),
    ("care_smart", "智慧助老（次）"),
    ("care_smart_served", "智慧助老服务（人次）"),
    ("exemplars", "先进典型（人）"),
    ("cases", "调解案例（件）"),
    ("cases_resolved", "调解成功（件）"),
    ("red", "红色资源活动"),
    ("silver", "银色资源活动"),
    ("gold", "金色资源活动"),
    ("requests", "诉求（件）"),
    ("requests_in_time", "按期答复"),
    ("requests_late", "超期答复"),
    ("requests_overdue", "超期未答复"),
    ("requests_open", "办理中"),
    ("pairings", "结对联系（对）"),
    ("contacts", "本年联系（次）"),
]


@register
class OverviewExporter(_VeteransExporter):
    identifier = "veterans.overview"
    verbose_name = "老干部工作总览"
    description = "各单位服务队、工作室、健康顾问与智慧助老、典型、诉求办理等统计"

    def result(self):
        if not hasattr(self, "_result"):
            tops = ov.unit_tops(self.user)
            org = next((t for t in tops if t.pk == self.unit), None)
            self._result = ov.overview(self.user, timezone.localdate(), org=org, year=self.year)
        return self._result

    def count(self) -> int:
        return len(self.result().rows) + 1

    def columns(self):
        return [Column("unit", "单位", width=24)] + [
            Column(key, label, kind="number") for key, label in OVERVIEW_COLUMNS
        ]

    def rows(self):
        result = self.result()
        for name, figures in [(r.name, r.figures) for r in result.rows] + [("合计", result.total)]:
            yield [name] + [
                float(getattr(figures, key)) if key == "hours" else getattr(figures, key)
                for key, _ in OVERVIEW_COLUMNS
            ]
