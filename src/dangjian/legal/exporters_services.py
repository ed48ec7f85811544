"""Exports of the 司法局's legal services (xlsx/csv, registered with the core exporter registry,
audited like every export), each from the scoped selectors with the exporting user
(legal.manage), so a file holds exactly what the user may see:

- `legal.lawyers`: 律师名册 (firm, licence, Party membership, the masked phone only);
- `legal.villages`: 一村（社区）一律师 — every place, its lawyer and service totals, the
  uncovered marked 未覆盖;
- `legal.advisers`: 法律顾问 — every government with its advisers, the uncovered marked;
- `legal.aid_cases`: 法律援助案件 with their time-limit state (applicants masked);
- `legal.activities`: 普法与好律师活动.

Parameters: the list's filters (`q`, and `status`/`state`/`category`, `kind`/`year`, `level`,
`covered`/`district`, `party`/`firm`/`active` — "1" by default, "0" or "all" — where the list
has them); junk is ignored like on the list."""

from __future__ import annotations

from django.utils import timezone

from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap
from dangjian.legal import selectors_services as sel
from dangjian.legal.models import ActivityKind, AidStatus, ApplicantCategory, GovLevel


def _flag(value):
    return {"1": True, "0": False}.get(value if isinstance(value, str) else "")


class _LegalExporter(Exporter):
    required_cap = Cap.LEGAL_MANAGE
    formats = ("xlsx", "csv")

    def clean(self, params: dict) -> dict:
        def pick(name, allowed):
            value = params.get(name)
            return value if isinstance(value, str) and value in allowed else ""

        self.q = sel.clean_q(params.get("q"))
        self.status = pick("status", AidStatus.values)
        self.state = pick("state", ("pending", "due_soon", "overdue"))
        self.category = pick("category", ApplicantCategory.values)
        self.kind = pick("kind", ActivityKind.values)
        self.level = pick("level", GovLevel.values)
        self.covered = _flag(params.get("covered"))
        self.party = _flag(params.get("party"))
        # the lists' other filters, so a file holds what the page showed
        self.firm = sel.parse_id(params.get("firm"))
        active = params.get("active")
        self.active = {"1": True, "0": False, "all": None}.get(
            active if isinstance(active, str) else "1", True
        )
        self.district = sel.clean_q(params.get("district"))
        year = sel.parse_id(params.get("year"))
        self.year = year if year and 2000 <= year <= 2100 else None
        return {
            "q": self.q,
            "status": self.status,
            "state": self.state,
            "category": self.category,
            "kind": self.kind,
            "level": self.level,
            "covered": {True: "1", False: "0"}.get(self.covered, ""),
            "party": {True: "1", False: "0"}.get(self.party, ""),
            "firm": self.firm or "",
            "active": {True: "1", False: "0"}.get(self.active, "all"),
            "district": self.district,
            "year": self.year or "",
        }

    def count(self) -> int:
        return self.queryset().count()


@register
class LawyerExporter(_LegalExporter):
    identifier = "legal.lawyers"
    verbose_name = "律师名册"
    description = "律师事务所、执业证号、党员情况（联系电话仅掩码）"

    def queryset(self):
        return sel.lawyer_list(
            self.user, q=self.q, firm=self.firm, party=self.party, active=self.active
        )

    def columns(self):
        return [
            Column("seq", "序号", kind="number"),
            Column("firm", "律师事务所", width=24),
            Column("name", "姓名"),
            Column("gender", "性别"),
            Column("licence", "执业证号", width=20),
            Column("party", "中共党员"),
            Column("since", "执业时间", kind="date"),
            Column("phone", "联系电话（掩码）"),
            Column("active", "执业中"),
        ]

    def rows(self):
        for seq, x in enumerate(self.queryset().iterator(chunk_size=500), 1):
            yield [
                seq,
                x.firm.name,
                x.name,
                x.get_gender_display(),
                x.licence_no,
                x.is_party_member,
                x.practising_since,
                x.phone_masked,
                x.is_active,
            ]


@register
class VillageExporter(_LegalExporter):
    identifier = "legal.villages"
    verbose_name = "一村（社区）一律师覆盖情况"
    description = "每个村（社区）的驻点律师和服务记录，未覆盖的标明"

    def queryset(self):
        return sel.village_list(self.user, q=self.q, district=self.district, covered=self.covered)

    def columns(self):
        return [
            Column("seq", "序号", kind="number"),
            Column("district", "县（市、区）"),
            Column("township", "乡镇（街道）"),
            Column("name", "村（社区）"),
            Column("kind", "类别"),
            Column("covered", "覆盖情况"),
            Column("lawyer", "驻点律师"),
            Column("firm", "律师事务所", width=24),
            Column("since", "开始日期", kind="date"),
            Column("entries", "服务记录（条）", kind="number"),
            Column("count", "服务件（人）次", kind="number"),
            Column("last", "最近服务", kind="date"),
        ]

    def rows(self):
        places = sel.decorate_villages(self.user, list(self.queryset()))
        for seq, c in enumerate(places, 1):
            a = c.assignment
            yield [
                seq,
                c.district,
                c.township,
                c.name,
                c.get_kind_display(),
                "已覆盖" if a else "未覆盖",
                a.lawyer.name if a else "",
                a.lawyer.firm.name if a else "",
                a.started_on if a else None,
                c.logs.entries,
                c.logs.count,
                c.logs.last_on,
            ]


@register
class AdviserExporter(_LegalExporter):
    identifier = "legal.advisers"
    verbose_name = "党委政府法律顾问"
    description = "市、县、乡三级党委政府的法律顾问，未覆盖的标明"

    def queryset(self):
        return sel.post_list(self.user, level=self.level, covered=self.covered, q=self.q)

    def columns(self):
        return [
            Column("seq", "序号", kind="number"),
            Column("level", "层级"),
            Column("district", "县（市、区）"),
            Column("name", "党委政府", width=24),
            Column("covered", "覆盖情况"),
            Column("advisers", "法律顾问", width=30),
        ]

    def rows(self):
        posts = sel.decorate_posts(self.user, list(self.queryset()))
        for seq, p in enumerate(posts, 1):
            yield [
                seq,
                p.get_level_display(),
                p.district,
                p.name,
                "已覆盖" if p.live_advisers else "未覆盖",
                "、".join(f"{a.lawyer.name}（{a.lawyer.firm.name}）" for a in p.live_advisers),
            ]


@register
class AidCaseExporter(_LegalExporter):
    identifier = "legal.aid_cases"
    verbose_name = "法律援助案件"
    description = "法律援助案件的申请人类别、事项、承办律师、状态、结果和时限情况"

    def queryset(self):
        return sel.case_list(
            self.user,
            status=self.status,
            state=self.state,
            category=self.category,
            q=self.q,
        )

    def columns(self):
        return [
            Column("seq", "序号", kind="number"),
            Column("case_no", "案号", width=22),
            Column("applicant", "申请人"),
            Column("category", "申请人类别"),
            Column("matter", "援助事项", width=30),
            Column("applied_on", "申请日期", kind="date"),
            Column("accepted_on", "审查决定日期", kind="date"),
            Column("lawyer", "承办律师"),
            Column("assigned_on", "指派日期", kind="date"),
            Column("status", "状态"),
            Column("limit", "时限情况"),
            Column("outcome", "结果"),
            Column("closed_on", "结案日期", kind="date"),
        ]

    def rows(self):
        cases = sel.decorate_cases(self.queryset(), timezone.localdate())
        for seq, c in enumerate(cases, 1):
            yield [
                seq,
                c.case_no,
                c.applicant_masked,
                c.get_applicant_category_display(),
                c.matter,
                c.applied_on,
                c.accepted_on,
                c.lawyer.name if c.lawyer else "",
                c.assigned_on,
                c.get_status_display(),
                c.limit.label,
                c.get_outcome_display() if c.outcome else "",
                c.closed_on,
            ]


@register
class ActivityExporter(_LegalExporter):
    identifier = "legal.activities"
    verbose_name = "普法与好律师活动"
    description = "普法宣传、好律师活动和律师培训：日期、地点、参加律师和人次"

    def queryset(self):
        return sel.activity_list(self.user, kind=self.kind, q=self.q, year=self.year)

    def columns(self):
        return [
            Column("seq", "序号", kind="number"),
            Column("kind", "类别", width=20),
            Column("title", "主题", width=30),
            Column("held_on", "日期", kind="date"),
            Column("place", "地点"),
            Column("lawyers", "参加律师", width=30),
            Column("participants", "参加（受众）人次", kind="number"),
        ]

    def rows(self):
        activities = list(self.queryset())
        names = sel.activity_lawyers(activities)
        for seq, a in enumerate(activities, 1):
            yield [
                seq,
                a.get_kind_display(),
                a.title,
                a.held_on,
                a.place,
                "、".join(names.get(a.pk, [])),
                a.participants,
            ]
