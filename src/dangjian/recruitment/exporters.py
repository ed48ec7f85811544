"""Exports of 发展党员 (registered with the core exporter registry, audited like every export):

- `recruitment.candidates` (xlsx/csv): 发展党员工作台账 — the candidates of an org's subtree
  (optionally one stage; active ones and those converted, withdrawn or cancelled), with the
  dates of the main steps, the next deadline and the error/warning counts.

Rows start from `selectors.candidate_list` with the exporting user (recruit.manage); the step
dates are read per chunk of candidates, in one query each."""

from __future__ import annotations

from dangjian.core.errors import AppError
from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap
from dangjian.orgs.selectors import access_org
from dangjian.recruitment import selectors as sel
from dangjian.recruitment.models import StepEvent
from dangjian.rules.codes import EDUCATION, label_for
from dangjian.rules.recruitment_steps import STAGE_LABELS

CHUNK = 500
#: the steps whose first date is a column of the ledger, in flow order
DATE_STEPS = (
    ("application", "递交申请"),
    ("activist", "确定积极分子"),
    ("prospect", "确定发展对象"),
    ("acceptance", "支部大会接收"),
    ("approval", "上级党委审批"),
    ("conversion_meeting", "支部大会讨论转正"),
    ("conversion_approval", "审批转正"),
)


@register
class CandidateListExporter(Exporter):
    """发展党员工作台账: one row per candidate of the subtree, by branch and name."""

    identifier = "recruitment.candidates"
    verbose_name = "发展党员工作台账"
    description = "组织及下级党支部的入党申请人、积极分子、发展对象和预备党员及各步骤日期"
    required_cap = Cap.RECRUIT_MANAGE
    formats = ("xlsx", "csv")

    def clean(self, params: dict) -> dict:
        raw = params.get("org")
        self.org = access_org(self.user, raw, need=Cap.RECRUIT_MANAGE) if raw else None
        stage = params.get("stage") or ""
        if stage and stage not in STAGE_LABELS:
            raise AppError("阶段无效。", field="stage")
        self.stage = stage
        return {"org": self.org.pk if self.org else "", "stage": stage}

    def queryset(self):
        return sel.candidate_list(self.user, org=self.org, stage=self.stage or None, status="all")

    def count(self) -> int:
        return self.queryset().count()

    def title(self) -> str:
        parts = [self.verbose_name]
        if self.org is not None:
            parts.append(self.org.name)
        if self.stage:
            parts.append(STAGE_LABELS[self.stage])
        return "-".join(parts)

    def audit_object(self):
        return self.org

    def scope_path(self) -> str:
        return self.org.path if self.org is not None else super().scope_path()

    def audit_changes(self) -> dict:
        return {"org": self.org.pk if self.org else None, "stage": self.stage}

    def columns(self) -> list[Column]:
        return [
            Column("seq", "序号", kind="number"),
            Column("unit", "单位", width=14),
            Column("branch", "党支部", width=20),
            Column("name", "姓名"),
            Column("sex", "性别"),
            Column("birth_date", "出生日期", kind="date"),
            Column("education", "学历", width=14),
            Column("unit_post", "单位职务", width=16),
            Column("stage", "阶段", width=12),
            Column("status", "状态"),
            *[Column(code, label, kind="date") for code, label in DATE_STEPS],
            Column("next_due_label", "下一期限事项", width=30),
            Column("next_due_on", "下一期限", kind="date"),
            Column("errors", "违规项", kind="number"),
            Column("warnings", "提醒项", kind="number"),
        ]

    def _dates(self, ids: list[int]) -> dict[int, dict[str, object]]:
        out: dict[int, dict[str, object]] = {i: {} for i in ids}
        rows = (
            StepEvent.objects.unscoped()
            .filter(candidate_id__in=ids, step__in=[code for code, _ in DATE_STEPS])
            .exclude(step__in=sel.RESULT_STEPS, passed=False)
            .order_by("on", "id")
            .values_list("candidate_id", "step", "on")
        )
        for candidate_id, step, on in rows:
            out[candidate_id].setdefault(step, on)
        return out

    def rows(self):
        chunk: list = []
        seq = 0
        for candidate in self.queryset().select_related("branch__unit").iterator(chunk_size=CHUNK):
            chunk.append(candidate)
            if len(chunk) >= CHUNK:
                yield from self._chunk_rows(chunk, seq)
                seq += len(chunk)
                chunk = []
        if chunk:
            yield from self._chunk_rows(chunk, seq)

    def _chunk_rows(self, chunk: list, seq: int):
        dates = self._dates([c.pk for c in chunk])
        for i, c in enumerate(chunk, seq + 1):
            unit = c.branch.unit
            done = dates[c.pk]
            yield [
                i,
                (unit.short_name or unit.name) if unit else "",
                c.branch.name,
                c.name,
                {"1": "男", "2": "女"}.get(c.sex, ""),
                c.birth_date,
                label_for(EDUCATION, c.education) if c.education else "",
                c.unit_post,
                STAGE_LABELS.get(c.stage, c.stage),
                c.get_status_display(),
                *[done.get(code) for code, _ in DATE_STEPS],
                c.next_due_label,
                c.next_due_on,
                c.error_count,
                c.warning_count,
            ]
