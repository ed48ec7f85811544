"""Export of 党员积分排名 (xlsx/csv): the members of an org's subtree for a year with their
total, rank and whether they reached the baseline. Registered with the core exporter
registry; starts from selectors_points.ranking with the exporting user (study.manage on the
org). study/exporters.py imports this module so that a worker finds it too."""

from __future__ import annotations

from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap
from dangjian.study import selectors_points as sel

IDENTIFIER = "study.points_ranking"


@register
class PointsRankingExporter(Exporter):
    identifier = IDENTIFIER
    verbose_name = "党员积分排名"
    description = "组织及下级党支部党员某年的积分、名次和是否达到年度合格分"
    required_cap = Cap.STUDY_MANAGE
    formats = ("xlsx", "csv")

    def clean(self, params: dict) -> dict:
        self.org = sel.points_org(self.user, params.get("org"))
        raw = params.get("year")
        try:
            year = int(raw) if raw not in (None, "") else timezone.localdate().year
        except (TypeError, ValueError):
            year = 0
        if not 2000 <= year <= 2200:
            raise AppError("年度无效。", field="year")
        self.year = year
        met = str(params.get("met", ""))
        self.met = {"1": True, "0": False}.get(met)
        self.ranking = sel.ranking(self.user, self.org, year, met=self.met)
        return {"org": self.org.pk, "year": year, "met": met if self.met is not None else ""}

    def audit_object(self):
        return self.org

    def scope_path(self) -> str:
        return self.org.path

    def audit_changes(self) -> dict:
        return {"org": self.org.pk, "year": self.year, "met": self.params["met"]}

    def title(self) -> str:
        return f"{self.verbose_name}-{self.org.name}-{self.year}年"

    def count(self) -> int:
        return self.ranking.rows.count()

    def columns(self) -> list[Column]:
        return [
            Column("rank", "名次", kind="number"),
            Column("name", "姓名"),
            Column("branch", "党支部", width=24),
            Column("total", "积分", kind="number"),
            Column("baseline", "年度合格分", kind="number"),
            Column("met", "是否达标"),
        ]

    def rows(self):
        baseline = self.ranking.baseline
        for m in self.ranking.rows.iterator(chunk_size=1000):
            yield [
                m.rank,
                m.name,
                m.branch.name,
                float(m.total),
                baseline,
                "达标" if m.total >= baseline else "未达标",
            ]
