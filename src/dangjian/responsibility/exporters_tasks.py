"""Exports of the work points and tasks (工作要点、任务), registered through
responsibility/exporters.py (and on import of the task pages):

- `responsibility.point_tasks` (xlsx/csv): a point's tasks, unit by unit, with state, progress,
  the last report, open 督办 and the evaluation;
- `responsibility.overdue_tasks` (xlsx/csv): the overdue open tasks, optionally of one point or
  one unit;
- `responsibility.unit_plan` (xlsx/csv): a unit's annual plan, 党建 and 业务 tasks of a year.

Each starts from the scoped task selectors with the exporting user (what his pages show)."""

from __future__ import annotations

from django.utils import timezone

from dangjian.core.access import deny
from dangjian.core.errors import AppError
from dangjian.core.exporters import Column, Exporter, register
from dangjian.orgs.selectors import access_org
from dangjian.responsibility import selectors_tasks as sel


def _unit(user, value):
    if value in (None, ""):
        return None
    unit = access_org(user, value, need=sel.MANAGE)
    if not sel.is_unit_top(unit):
        raise deny()
    return unit


def _point(user, value, *, required: bool):
    if value in (None, ""):
        if required:
            raise AppError("请选择工作要点。", field="point")
        return None
    return sel.access_point(user, value)


def _date_time(value):
    return timezone.localtime(value) if value else None


TASK_COLUMNS = [
    Column("seq", "序号", kind="number"),
    Column("unit", "责任单位", width=22),
    Column("point", "工作要点", width=30),
    Column("kind", "类别"),
    Column("title", "任务", width=36),
    Column("starts_on", "开始日期", kind="date"),
    Column("due_on", "完成时限", kind="date"),
    Column("state", "状态"),
    Column("progress", "完成进度（%）", kind="number"),
    Column("last_reported_at", "最近报告", kind="date", width=17),
    Column("last_text", "最近进展", width=40),
    Column("supervisions", "未解除督办", kind="number"),
    Column("evaluation", "评价"),
    Column("evaluation_note", "评价意见", width=30),
    Column("closed_at", "办结时间", kind="date", width=17),
]


def task_row(seq: int, task) -> list:
    return [
        seq,
        task.org.name,
        task.point.title if task.point_id else "（本单位自定）",
        task.get_kind_display(),
        task.title,
        task.starts_on,
        task.due_on,
        task.state_label,
        task.progress,
        _date_time(task.last_reported_at),
        getattr(task, "last_text", "") or "",
        getattr(task, "open_supervisions", 0) or 0,
        task.get_evaluation_display() if task.evaluation else "",
        task.evaluation_note,
        _date_time(task.closed_at),
    ]


class _TaskExporter(Exporter):
    required_cap = sel.MANAGE
    formats = ("xlsx", "csv")

    def tasks(self) -> list:
        """The tasks this export lists: each of the three exports below says which (a point's,
        the overdue ones, a unit's plan); the base class is never registered on its own."""
        raise NotImplementedError

    def _rows(self) -> list:
        cached = getattr(self, "_cached", None)
        if cached is None:
            cached = self._cached = sel.with_states(self.tasks(), timezone.localdate())
        return cached

    def count(self) -> int:
        return len(self._rows())

    def columns(self) -> list[Column]:
        return TASK_COLUMNS

    def rows(self):
        for seq, task in enumerate(self._rows(), 1):
            yield task_row(seq, task)


@register
class PointTasksExporter(_TaskExporter):
    """A point's tasks, unit by unit."""

    identifier = "responsibility.point_tasks"
    verbose_name = "工作要点任务完成情况"
    description = "一项工作要点分解到各单位的任务：状态、进度、最近进展、督办、评价"

    def clean(self, params: dict) -> dict:
        self.point = _point(self.user, params.get("point"), required=True)
        return {"point": self.point.pk}

    def tasks(self) -> list:
        return sel.point_tasks(self.user, self.point)

    def title(self) -> str:
        return f"{self.point.year}年工作要点任务-{self.point.title[:30]}"

    def audit_object(self):
        return self.point

    def scope_path(self) -> str:
        return self.point.org_path

    def audit_changes(self) -> dict:
        return {"point": self.point.pk}


@register
class OverdueTasksExporter(_TaskExporter):
    """The overdue open tasks the user may read."""

    identifier = "responsibility.overdue_tasks"
    verbose_name = "逾期任务清单"
    description = "已过完成时限仍未办结的任务，可按工作要点、单位筛选"

    def clean(self, params: dict) -> dict:
        self.point = _point(self.user, params.get("point"), required=False)
        self.unit = _unit(self.user, params.get("unit"))
        self.q = str(params.get("q") or "").strip()[:50]
        return {
            "point": self.point.pk if self.point else "",
            "unit": self.unit.pk if self.unit else "",
            "q": self.q,
        }

    def tasks(self) -> list:
        return list(sel.overdue_list(self.user, point=self.point, unit=self.unit, q=self.q))

    def title(self) -> str:
        return self.verbose_name + (f"-{self.unit.name}" if self.unit else "")

    def audit_changes(self) -> dict:
        return dict(self.params)


@register
class UnitPlanExporter(_TaskExporter):
    """A unit's annual plan."""

    identifier = "responsibility.unit_plan"
    verbose_name = "单位年度工作计划"
    description = "单位本年度的党建任务和业务工作（含工作要点分派的任务）"

    def clean(self, params: dict) -> dict:
        self.unit = _unit(self.user, params.get("org") or params.get("unit"))
        if self.unit is None:
            raise AppError("请选择单位。", field="org")
        raw = params.get("year")
        self.year = sel.parse_year(raw) if raw not in (None, "") else timezone.localdate().year
        if self.year is None:
            raise AppError("年度无效。", field="year")
        return {"org": self.unit.pk, "year": self.year}

    def tasks(self) -> list:
        return list(sel.plan_tasks(self.user, self.unit, self.year))

    def title(self) -> str:
        return f"{self.verbose_name}-{self.unit.name}-{self.year}年"

    def audit_object(self):
        return self.unit

    def scope_path(self) -> str:
        return self.unit.path

    def audit_changes(self) -> dict:
        return {"org": self.unit.pk, "year": self.year}
