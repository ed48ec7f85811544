"""Exports of 清廉机关 (registered with the core exporter registry, audited like every export):

- `integrity.risk_register` (xlsx/csv): 廉政风险点台账 of an org's subtree, optionally one year;
- `integrity.commitments` (xlsx/csv): 廉洁承诺签订名单 of an org's subtree for a year — every
  member on the year's roster, signed or not, with the signing date.

Both start from the scoped selectors with the exporting user (member.view)."""

from __future__ import annotations

from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap
from dangjian.integrity import selectors as sel
from dangjian.orgs.selectors import access_org


def _org_and_year(user, params: dict, *, required_year: bool):
    org = access_org(user, params.get("org"), need=Cap.MEMBER_VIEW)
    raw = params.get("year")
    year = sel.parse_year(raw)
    if raw not in (None, "") and year is None:
        raise AppError("年度无效。", field="year")
    if year is None and required_year:
        year = timezone.localdate().year
    return org, year


@register
class RiskRegisterExporter(Exporter):
    """廉政风险点台账: one row per risk point (retired ones marked), by org and post."""

    identifier = "integrity.risk_register"
    verbose_name = "廉政风险点台账"
    description = "组织及下级单位的廉政风险点（岗位、风险、等级、防控措施、责任人）"
    required_cap = Cap.MEMBER_VIEW
    formats = ("xlsx", "csv")

    def clean(self, params: dict) -> dict:
        self.org, self.year = _org_and_year(self.user, params, required_year=False)
        return {"org": self.org.pk, "year": self.year or ""}

    def queryset(self):
        return sel.risk_point_list(self.user, org=self.org, year=self.year, status="")

    def count(self) -> int:
        return self.queryset().count()

    def title(self) -> str:
        return f"{self.verbose_name}-{self.org.name}" + (f"-{self.year}年" if self.year else "")

    def audit_object(self):
        return self.org

    def scope_path(self) -> str:
        return self.org.path

    def audit_changes(self) -> dict:
        return {"org": self.org.pk, "year": self.year}

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("year", "年度", kind="number"),
            Column("unit", "单位", width=16),
            Column("org", "组织", width=20),
            Column("post", "岗位", width=18),
            Column("risk", "风险描述", width=40),
            Column("level", "风险等级"),
            Column("measures", "防控措施", width=48),
            Column("owner", "责任人"),
            Column("status", "状态"),
            Column("retired_on", "停用日期", kind="date"),
        ]

    def rows(self):
        for seq, p in enumerate(self.queryset().iterator(chunk_size=500), 1):
            unit = p.org.unit
            yield [
                seq,
                p.year,
                (unit.short_name or unit.name) if unit else "",
                p.org.name,
                p.post,
                p.risk,
                p.get_level_display(),
                p.measures,
                p.owner_name,
                "已停用" if p.retired_on else "在用",
                p.retired_on,
            ]


@register
class CommitmentListExporter(Exporter):
    """廉洁承诺签订名单: every member on the year's roster of the subtree, signed or not."""

    identifier = "integrity.commitments"
    verbose_name = "廉洁承诺签订名单"
    description = "组织及下级党支部在册党员本年度廉洁承诺的签订情况"
    required_cap = Cap.MEMBER_VIEW
    formats = ("xlsx", "csv")

    def clean(self, params: dict) -> dict:
        self.org, self.year = _org_and_year(self.user, params, required_year=True)
        return {"org": self.org.pk, "year": self.year}

    def queryset(self):
        return sel.roster_with_commitments(self.user, self.org, self.year)

    def count(self) -> int:
        return self.queryset().count()

    def title(self) -> str:
        return f"{self.verbose_name}-{self.org.name}-{self.year}年"

    def audit_object(self):
        return self.org

    def scope_path(self) -> str:
        return self.org.path

    def audit_changes(self) -> dict:
        return {"org": self.org.pk, "year": self.year}

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("unit", "单位", width=16),
            Column("branch", "党支部", width=20),
            Column("name", "姓名"),
            Column("status", "签订情况"),
            Column("signed_on", "签订日期", kind="date"),
        ]

    def rows(self):
        for seq, m in enumerate(self.queryset().iterator(chunk_size=500), 1):
            unit = m.branch.unit
            yield [
                seq,
                (unit.short_name or unit.name) if unit else "",
                m.branch.name,
                m.name,
                "已签订" if m.signed_on else "未签订",
                m.signed_on,
            ]
