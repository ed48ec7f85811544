"""Exports of the library and the self-tests (xlsx/csv): the reading progress of an assignment
(必学完成情况) and the results of a test (自测成绩). Registered with the core exporter registry;
rows come from selectors_library with the exporting user, so they hold only the members he
manages. study/exporters.py imports this module so that a worker finds it too."""

from __future__ import annotations

from dangjian.core.access import deny
from dangjian.core.exporters import Column, Exporter, register
from dangjian.core.permissions import Cap
from dangjian.study import selectors_library as sel
from dangjian.study import selectors_quiz as qsel
from dangjian.study import services_quiz as quizzes
from dangjian.study.models import ReadingAssignment


def _assignment(user, value) -> ReadingAssignment:
    pk = sel._int(value)
    found = (
        ReadingAssignment.all_objects.select_related("material", "org").filter(pk=pk).first()
        if pk
        else None
    )
    if found is None or not sel.manages_any(user) or not sel.sees_path(user, found.org_path):
        raise deny()
    return found


@register
class ReadingProgressExporter(Exporter):
    identifier = "study.reading_progress"
    verbose_name = "必学资料完成情况"
    description = "一项必学安排所覆盖党员的学习进度：开始学习时间、完成时间"
    required_cap = Cap.STUDY_MANAGE

    def clean(self, params: dict) -> dict:
        self.assignment = _assignment(self.user, params.get("assignment"))
        return {"assignment": self.assignment.pk}

    def title(self) -> str:
        return f"必学完成情况-{self.assignment.material.title[:40]}-{self.assignment.org.name}"

    def columns(self) -> list[Column]:
        return [
            Column("name", "姓名"),
            Column("branch", "所在党支部", width=24),
            Column("status", "学习进度"),
            Column("opened_at", "开始学习时间", "date", width=18),
            Column("completed_at", "完成时间", "date", width=18),
        ]

    def _rows(self):
        return sel.assignment_rows(self.user, self.assignment)

    def rows(self):
        for m in self._rows().iterator(chunk_size=1000):
            yield [
                m.name,
                m.branch.name,
                sel.PROGRESS_LABELS[sel.row_status(m)],
                m.opened_at,
                m.completed_at,
            ]

    def count(self) -> int:
        return self._rows().count()

    def audit_object(self):
        return self.assignment.material


@register
class QuizResultsExporter(Exporter):
    identifier = "study.quiz_results"
    verbose_name = "自测成绩"
    description = "一次自测中所管理党员的成绩：得分、答对题数、是否及格"
    required_cap = Cap.STUDY_MANAGE

    def clean(self, params: dict) -> dict:
        self.quiz = qsel.access_quiz(self.user, params.get("quiz"))
        if not sel.manages_any(self.user):
            raise deny()
        quizzes.attempts_close_expired(quiz=self.quiz)  # the run-out ones count as 0
        return {"quiz": self.quiz.pk}

    def title(self) -> str:
        return f"自测成绩-{self.quiz.title[:60]}"

    def columns(self) -> list[Column]:
        return [
            Column("name", "姓名"),
            Column("branch", "所在党支部", width=24),
            Column("started_at", "开始时间", "date", width=18),
            Column("submitted_at", "交卷时间", "date", width=18),
            Column("correct", "答对题数", "number"),
            Column("total", "题目数", "number"),
            Column("score", "得分", "number"),
            Column("passed", "是否及格"),
            Column("state", "状态", width=18),
        ]

    def _rows(self):
        return qsel.quiz_results(self.user, self.quiz)

    def rows(self):
        for a in self._rows().iterator(chunk_size=1000):
            state = qsel.attempt_state(a)
            yield [
                a.member.name,
                a.member.branch.name,
                a.started_at,
                a.submitted_at,
                a.correct_count,
                len(a.question_ids),
                float(a.effective) if a.effective is not None else "",
                "" if state == qsel.RUNNING else bool(a.passed),
                qsel.ATTEMPT_LABELS[state],
            ]

    def count(self) -> int:
        return self._rows().count()

    def audit_object(self):
        return self.quiz
