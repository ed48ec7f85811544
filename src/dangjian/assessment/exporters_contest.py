"""Exports of the 书记赛党建 contest and of 述职评议 (xlsx, csv):

- `assessment.contest_ranking`: the ranking with each part (and its weight in the header),
  the total, the rank and the stars — the published snapshot, or the live standings for a
  manager of a draft;
- `assessment.review_results`: per secretary, the ballots per grade (好/较好/一般/差), the
  number of ballots and the 好 + 较好 rate (R-ORG-17) — counts only: no file ever holds a
  voter's choice, because nothing does.

Both check access again from the parameters (`access_contest`, `access_review`), so a file
holds only what its user may see; every download is audited by the export machinery."""

from __future__ import annotations

from dangjian.assessment import selectors_contest as sel
from dangjian.assessment import selectors_review as rsel
from dangjian.core.access import deny
from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap
from dangjian.rules import assessment as rules


def _fmt(value) -> str:
    return "" if value is None else str(value)


@register
class ContestRankingExporter(Exporter):
    identifier = "assessment.contest_ranking"
    verbose_name = "书记赛党建排名"
    description = "赛事排名：各部分得分、权重、综合得分、名次与星级"
    # a working tool of admins and secretaries; members read the published ranking on its page
    required_cap = Cap.ASSESS_SUBMIT

    def clean(self, params: dict) -> dict:
        self.contest = sel.access_contest(self.user, params.get("contest"))
        self.standings = sel.contest_standings(self.contest)
        return {"contest": self.contest.pk}

    def columns(self) -> list[Column]:
        w = sel.weights_of(self.contest)
        return [
            Column("rank", "名次", "number"),
            Column("org", "参赛单位", width=28),
            Column("secretary", "书记"),
            Column("routine", f"日常考核（权重{w['routine']}%）", "number"),
            Column("observation", f"现场观摩（权重{w['observation']}%）", "number"),
            Column("review", f"述职评议（权重{w['review']}%）", "number"),
            Column("total", "综合得分", "number"),
            Column("stars", "星级", "number"),
            Column("stars_text", "星级（图示）"),
            Column("missing", "缺项（按0分计）", width=24),
        ]

    def rows(self):
        for s in self.standings:
            yield [
                s.rank,
                s.org.name,
                s.secretary_name,
                None if s.routine is None else float(s.routine),
                None if s.observation is None else float(s.observation),
                None if s.review is None else float(s.review),
                float(s.total),
                s.stars,
                "★" * s.stars,
                "、".join(s.missing),
            ]

    def count(self) -> int:
        return len(self.standings)

    def title(self) -> str:
        state = "已公布" if self.contest.status == "published" else "未公布"
        return f"{self.contest}排名（{state}）"

    def audit_object(self):
        return self.contest

    def scope_path(self) -> str:
        return self.contest.owner_path

    def audit_changes(self) -> dict:
        return {"contest": self.contest.pk, "status": self.contest.status}


@register
class ReviewResultsExporter(Exporter):
    identifier = "assessment.review_results"
    verbose_name = "述职评议结果"
    description = "各书记的得票（好、较好、一般、差）与“好+较好”率"
    # a working tool of admins and secretaries; members read the published ranking on its page
    required_cap = Cap.ASSESS_SUBMIT

    def clean(self, params: dict) -> dict:
        self.review = rsel.access_review(self.user, params.get("review"))
        if not rsel.can_see_results(self.user, self.review):
            raise deny()
        self.results = rsel.results_of(self.review)
        return {"review": self.review.pk}

    def columns(self) -> list[Column]:
        return [
            Column("order", "述职顺序", "number"),
            Column("org", "述职组织", width=28),
            Column("secretary", "书记"),
            *[Column(g, rules.GRADE_LABELS[g], "number") for g in rules.GRADES],
            Column("ballots", "有效票数", "number"),
            Column("rate", "好+较好率（%）", "number"),
            Column("comment", "评议意见", width=40),
        ]

    def rows(self):
        for r in self.results:
            yield [
                r.report.order,
                r.report.org.name,
                r.report.secretary_name,
                *[r.counts.get(g, 0) for g in rules.GRADES],
                r.ballots,
                float(r.rate),
                r.report.review_comment,
            ]

    def count(self) -> int:
        return len(self.results)

    def title(self) -> str:
        return f"{self.review.title}结果"

    def audit_object(self):
        return self.review

    def scope_path(self) -> str:
        return self.review.owner_path

    def audit_changes(self) -> dict:
        return {"review": self.review.pk, "status": self.review.status}
