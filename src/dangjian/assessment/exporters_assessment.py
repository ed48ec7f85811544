"""Exports of scoring schemes (registered with the core exporter registry, audited like every
export):

- `assessment.scheme_results` (xlsx/csv): a scheme's results over all assessed orgs, ranked by
  the reviewed total (standard competition ranking), self and final totals side by side;
- `assessment.score_sheet` (xlsx/csv): one assessment's score sheet, indicator by indicator,
  with the auto value and its basis, self and final points and the reviewer's reasons.

Both take their object through the same access functions as the pages (404 for outsiders).
"""

from __future__ import annotations

from django.utils import timezone

from dangjian.assessment import selectors_schemes as sel
from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap


def _local(value):
    return timezone.localtime(value) if value else None


@register
class SchemeResultsExporter(Exporter):
    identifier = "assessment.scheme_results"
    verbose_name = "考核结果"
    description = "一个考核方案下全部被考核组织的自评与复核得分、名次"
    required_cap = Cap.ASSESS_MANAGE
    formats = ("xlsx", "csv")

    def clean(self, params: dict) -> dict:
        self.scheme = sel.access_scheme(self.user, params.get("scheme"))
        return {"scheme": self.scheme.pk}

    def title(self) -> str:
        return f"{self.scheme.year}年{self.scheme.name}-考核结果"

    def audit_object(self):
        return self.scheme

    def scope_path(self) -> str:
        return self.scheme.owner_path

    def audit_changes(self) -> dict:
        return {"scheme": self.scheme.pk}

    def count(self) -> int:
        return len(self._rows())

    def _rows(self):
        if not hasattr(self, "_cache"):
            self._cache = sel.scheme_results(self.scheme)
        return self._cache

    def columns(self) -> list[Column]:
        return [
            Column("rank", "名次", kind="number"),
            Column("org", "被考核组织", width=28),
            Column("status", "状态", width=12),
            Column("self_total", "自评总分", kind="number"),
            Column("final_total", "复核总分", kind="number"),
            Column("submitted_at", "提交时间", kind="date", width=18),
            Column("reviewed_at", "复核时间", kind="date", width=18),
            Column("note", "复核意见", width=40),
        ]

    def rows(self):
        for row in self._rows():
            a = row.assessment
            yield [
                row.rank,
                a.org.name,
                a.get_status_display(),
                float(a.self_total) if a.self_total is not None else None,
                float(a.final_total) if a.final_total is not None else None,
                _local(a.submitted_at),
                _local(a.reviewed_at),
                a.review_note,
            ]


@register
class ScoreSheetExporter(Exporter):
    identifier = "assessment.score_sheet"
    verbose_name = "考核评分表"
    description = "一个组织的考核评分表：逐项系统计分、自评、复核得分和理由"
    required_cap = Cap.ASSESS_SUBMIT
    formats = ("xlsx", "csv")

    def clean(self, params: dict) -> dict:
        self.assessment = sel.access_assessment(self.user, params.get("assessment"))
        return {"assessment": self.assessment.pk}

    @classmethod
    def available_to(cls, user) -> bool:
        from dangjian.core.access import has_cap_anywhere

        return has_cap_anywhere(user, Cap.ASSESS_SUBMIT) or has_cap_anywhere(
            user, Cap.ASSESS_MANAGE
        )

    def title(self) -> str:
        a = self.assessment
        return f"{a.scheme.year}年{a.scheme.name}-{a.org.name}-评分表"

    def audit_object(self):
        return self.assessment

    def scope_path(self) -> str:
        return self.assessment.org_path

    def audit_changes(self) -> dict:
        return {"assessment": self.assessment.pk, "scheme": self.assessment.scheme_id}

    def _sheet(self):
        if not hasattr(self, "_cache"):
            self._cache = sel.assessment_sheet(self.assessment)
        return self._cache

    def count(self) -> int:
        return len(self._sheet()) + 1

    def columns(self) -> list[Column]:
        return [
            Column("code", "编号", kind="code", width=8),
            Column("title", "类别/指标", width=36),
            Column("method", "计分方式", width=12),
            Column("max", "分值", kind="number"),
            Column("auto", "系统计分", kind="number"),
            Column("auto_detail", "计分依据", width=50),
            Column("self_occ", "自查扣分次数", kind="number"),
            Column("self", "自评得分", kind="number"),
            Column("final", "复核得分", kind="number"),
            Column("reason", "调整理由", width=30),
            Column("evidence", "佐证材料（份）", kind="number"),
        ]

    def rows(self):
        def num(value):
            return float(value) if value is not None else None

        for row in self._sheet():
            ind = row.indicator
            indent = "　" * row.node.depth
            if ind.is_category:
                yield [
                    ind.code,
                    f"{indent}{ind.title}",
                    "加分类别" if ind.is_bonus else "类别",
                    num(ind.max_points),
                ]
                continue
            s = row.score
            yield [
                ind.code,
                f"{indent}{ind.title}",
                ind.get_method_display(),
                num(ind.max_points),
                num(s.auto_points) if s else None,
                s.auto_detail if s else "",
                s.self_occurrences if s else None,
                num(s.self_points) if s else None,
                num(s.final_points) if s else None,
                s.final_reason if s else "",
                len(row.evidence),
            ]
        a = self.assessment
        yield [
            "",
            "合计",
            a.get_status_display(),
            None,
            None,
            "",
            None,
            num(a.self_total),
            num(a.final_total),
            a.review_note,
            None,
        ]
