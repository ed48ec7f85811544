"""API of the work points and tasks under /api/responsibility: the year's points with their
completion, tasks (filtered by org, point, state), one task with its reports and 督办, a
progress report (JSON; files are uploaded on the page) and a 督办 (the publisher only). The
same selectors, access functions and services as the pages; outsiders get 404."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny
from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.members.api import ERRORS
from dangjian.orgs.selectors import access_org
from dangjian.responsibility import selectors_tasks as sel
from dangjian.responsibility import services_tasks as services
from dangjian.rules import responsibility as rules

router = Router()

STATE_HELP = (
    "not_started 未开始 / on_track 推进中 / due_soon 即将到期 / overdue 已逾期 / "
    "closed 已办结 / closed_late 逾期办结"
)


class RespPointOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    seq: int
    title: str
    content: str
    published_at: dt.datetime | None
    tasks: int = Field(description="可见的任务数")
    closed: int
    overdue: int
    closed_share: float | None = Field(description="办结率（%）")
    on_time_share: float | None = Field(description="按期办结率（%）")
    average_progress: float | None = Field(description="平均进度（%）")


class RespPointFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2200, description="年度，默认今年")


class RespTaskOut(Schema):
    id: int
    point_id: int | None
    point_title: str
    org_id: int
    org_name: str
    year: int
    kind: str = Field(description="party 党建任务 / business 业务工作")
    kind_label: str
    title: str
    content: str
    evidence_asked: str
    starts_on: dt.date
    due_on: dt.date
    status: str = Field(description="open 推进中 / closed 已办结")
    state: str = Field(description=STATE_HELP)
    state_label: str
    progress: int
    last_reported_at: dt.datetime | None
    open_supervisions: int
    evaluation: str
    evaluation_note: str
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_point_title(obj) -> str:
        return obj.point.title if obj.point_id else ""

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_open_supervisions(obj) -> int:
        return getattr(obj, "open_supervisions", 0) or 0


class RespTaskFileOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int


class RespTaskReportOut(Schema):
    id: int
    progress: int
    text: str
    meeting_id: int | None
    reported_at: dt.datetime
    reported_by: str
    files: list[RespTaskFileOut]

    @staticmethod
    def resolve_reported_by(obj) -> str:
        return str(obj.reported_by) if obj.reported_by_id else ""

    @staticmethod
    def resolve_files(obj) -> list:
        return list(obj.files.all())


class RespTaskSupervisionOut(Schema):
    id: int
    note: str
    respond_by: dt.date
    escalate_after_days: int
    sent_at: dt.datetime
    escalated_at: dt.datetime | None
    resolved_at: dt.datetime | None


class RespTaskDetailOut(RespTaskOut):
    reports: list[RespTaskReportOut]
    supervisions: list[RespTaskSupervisionOut]

    @staticmethod
    def resolve_reports(obj) -> list:
        return obj.history.reports

    @staticmethod
    def resolve_supervisions(obj) -> list:
        return obj.history.supervisions


class RespTaskFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="只看该组织及其下级的任务")
    point: int | None = Field(None, ge=1, le=2**62, description="工作要点")
    state: rules.TaskState | None = Field(None, description=STATE_HELP)
    year: int | None = Field(None, ge=2000, le=2200, description="年度")
    q: str = Field("", max_length=50, description="搜索任务或单位名称")


class RespTaskReportIn(Schema):
    progress: int = Field(..., description="完成进度（0至100）")
    text: str = Field(..., max_length=5000, description="进展情况")
    meeting_id: int | None = Field(
        None, ge=1, le=2**62, description="关联会议记录（本单位或下级组织已召开的会议）"
    )


class RespTaskSupervisionIn(Schema):
    note: str = Field(..., max_length=500, description="督办意见")
    respond_by: dt.date = Field(..., description="限期反馈日期，不早于今天")


def _readable(request) -> None:
    if not sel.can_see_tasks(request.user):
        raise deny()


def _point_out(point, completion) -> dict:
    return {
        "id": point.pk,
        "org_id": point.org_id,
        "org_name": point.org.name,
        "year": point.year,
        "seq": point.seq,
        "title": point.title,
        "content": point.content,
        "published_at": point.published_at,
        "tasks": completion.total,
        "closed": completion.closed,
        "overdue": completion.overdue,
        "closed_share": float(completion.closed_share)
        if completion.closed_share is not None
        else None,
        "on_time_share": float(completion.on_time_share)
        if completion.on_time_share is not None
        else None,
        "average_progress": float(completion.average_progress)
        if completion.average_progress is not None
        else None,
    }


@router.get("/points", response={200: list[RespPointOut], **ERRORS}, summary="工作要点列表")
def list_points(request, filters: Query[RespPointFilter]):
    _readable(request)
    today = timezone.localdate()
    year = filters.year or today.year
    points = list(sel.point_list(request.user, year=year)[:500])
    completions = sel.completion_by_point(request.user, points, today)
    return [_point_out(p, completions[p.pk]) for p in points]


@router.get("/tasks", response={200: list[RespTaskOut], **ERRORS}, summary="任务列表")
@paginate(BoundedLimitOffsetPagination)
def list_tasks(request, filters: Query[RespTaskFilter]):
    _readable(request)
    org = access_org(request.user, filters.org) if filters.org else None
    point = sel.access_point(request.user, filters.point) if filters.point else None
    today = timezone.localdate()
    qs = sel.task_list(
        request.user,
        org=org,
        point=point,
        year=filters.year,
        state=filters.state or "",
        q=filters.q,
        today=today,
    )
    return _Stated(qs, today)


class _Stated:
    """A queryset whose sliced rows get their state (pagination slices, then iterates)."""

    def __init__(self, qs, today):
        self.qs, self.today = qs, today

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        return sel.with_states(self.qs[key], self.today)


@router.get(
    "/tasks/{int:task_id}",
    response={200: RespTaskDetailOut, **ERRORS},
    summary="任务详情（含进展报告和督办）",
)
def get_task(request, task_id: int):
    task = sel.access_task(request.user, task_id)
    [task] = sel.with_states([task])
    task.history = sel.history(task)
    task.open_supervisions = sum(1 for s in task.history.supervisions if s.resolved_at is None)
    return task


@router.post(
    "/tasks/{int:task_id}/reports",
    response={201: RespTaskReportOut, **ERRORS},
    summary="报告任务进展",
    description="本单位（resp.manage）报告进展；已办结的任务返回 400。佐证材料请在页面上传。",
)
def report_task(request, task_id: int, payload: RespTaskReportIn):
    task = sel.access_task(request.user, task_id)
    if not sel.can_report(request.user, task):
        raise deny()
    meeting = None
    if payload.meeting_id:
        meeting = sel.meeting_of_unit(task, payload.meeting_id)
        if meeting is None:
            raise AppError(services.MEETING_REFUSED, field="meeting_id")
    report = services.task_report(
        actor=request.user,
        task=task,
        progress=payload.progress,
        text=payload.text,
        meeting=meeting,
    )
    return Status(201, report)


@router.post(
    "/tasks/{int:task_id}/supervisions",
    response={201: RespTaskSupervisionOut, **ERRORS},
    summary="督办任务",
    description="仅工作要点的发布单位（resp.publish）；其他人返回 404。",
)
def supervise_task(request, task_id: int, payload: RespTaskSupervisionIn):
    task = sel.access_task(request.user, task_id)
    if not sel.can_publish_over(request.user, task):
        raise deny()
    supervision = services.supervision_send(
        actor=request.user, task=task, note=payload.note, respond_by=payload.respond_by
    )
    return Status(201, supervision)
