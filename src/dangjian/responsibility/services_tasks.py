"""Write paths of the work points (工作要点) and their tasks: the 工委 writes the year's points,
decomposes each into tasks for the units below it and publishes it; a unit adds its own
tasks (党建 or 业务), reports progress with files and a linked meeting, closes its own tasks;
the publisher sends 督办 and closes the units' tasks with an evaluation.

Each function is atomic, checks access itself (resp.publish on the point's org for the
publisher's acts, resp.manage on the task's unit for the unit's; `actor=None` is the system:
the demo and the daily job), refuses bad input with a Chinese message at the field before
writing anything, and writes one audit entry (`responsibility.<entity>.<verb>`).
See docs/responsibility-tasks.md."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.notify.models import NotificationKind
from dangjian.notify.services import Draft, notifications_create
from dangjian.orglife.services_attachments import clean_name, read_document
from dangjian.orgs.models import Org
from dangjian.responsibility import selectors_tasks as sel
from dangjian.responsibility.models import (
    Evaluation,
    ReportFile,
    Supervision,
    Task,
    TaskKind,
    TaskReport,
    TaskStatus,
    WorkPoint,
)
from dangjian.rules import responsibility as rules

PUBLISH = sel.PUBLISH
MANAGE = sel.MANAGE
LIMITS = {
    "title": 200,
    "content": 5000,
    "evidence_asked": 200,
    "text": 5000,
    "note": 500,
}
SEQ_MAX = 999
MEETING_REFUSED = "关联的会议须为本单位或下级组织已召开的会议记录。"
#: files one report may carry
FILES_MAX = 9
POINT_FIELDS = ["org", "year", "seq", "title", "content"]
TASK_FIELDS = ["point", "org", "year", "kind", "title", "starts_on", "due_on"]


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _require(actor, cap, path: str) -> None:
    if actor is not None and not can(actor, cap, path):
        raise deny()


def _raise(errors: list) -> None:
    if errors:
        field, message = errors[0]
        raise AppError(message, field=field, errors=errors)


def _text(value, field: str, label: str, errors: list, *, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    limit = LIMITS[field] if field in LIMITS else LIMITS["content"]
    if "\x00" in value:
        # PostgreSQL cannot hold NUL in text; the middleware refuses it in requests, this
        # guards every other caller (jobs, the demo, the shell)
        errors.append((field, f"{label}含有无效字符（空字符），请删除后重试。"))
        return value.replace("\x00", "")
    if required and not value:
        errors.append((field, f"请填写{label}。"))
    elif len(value) > limit:
        errors.append((field, f"{label}不能超过{limit}字。"))
    return value


def _year(value, errors: list, today: dt.date) -> int | None:
    latest = today.year + 1
    try:
        year = int(value)
    except (TypeError, ValueError):
        errors.append(("year", "年度须为四位数字。"))
        return None
    if not sel.YEAR_MIN <= year <= latest:
        errors.append(("year", f"年度须在{sel.YEAR_MIN}年至{latest}年之间。"))
        return None
    return year


def _date(value, field: str, errors: list) -> dt.date | None:
    """A date argument: a date, its ISO text, or None (reported by the caller's check)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors.append((field, "请填写有效的日期。"))
        return None


def _dates(starts_on, due_on, year: int | None, errors: list) -> tuple:
    before = len(errors)
    starts_on = _date(starts_on, "starts_on", errors)
    due_on = _date(due_on, "due_on", errors)
    if len(errors) == before and year is not None:
        errors.extend(rules.validate_task_dates(starts_on, due_on, year))
    return starts_on, due_on


def link_to(name: str, *args) -> str:
    try:
        return reverse(f"responsibility:{name}", args=args)
    except NoReverseMatch:  # the pages are not mounted (a trimmed deployment)
        return "/responsibility/"


def topic_of(task: Task) -> str:
    return f"resp_tasks:{task.year}"


def _locked_task(task: Task) -> Task:
    return (
        Task.all_objects.select_for_update(of=("self",))
        .select_related("point", "point__org", "org", "org__parent")
        .get(pk=task.pk)
    )


def _locked_point(point: WorkPoint) -> WorkPoint:
    return (
        WorkPoint.all_objects.select_for_update(of=("self",)).select_related("org").get(pk=point.pk)
    )


# ---------------------------------------------------------------------------------------------
# Notices


def _assigned_drafts(point: WorkPoint, tasks: list[Task]) -> list[Draft]:
    """A notice to each unit's administrators: a task of a published point is theirs."""
    admins = sel.unit_admins({t.org_id for t in tasks})
    drafts = []
    for task in tasks:
        for user_id, email in admins.get(task.org_id, []):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.TASK_DUE,
                    title=f"新任务：{task.title}"[:200],
                    body=(
                        f"{point.org.name}发布{point.year}年工作要点“{point.title}”，"
                        f"分派{task.org.name}任务“{task.title}”，"
                        f"时间{task.starts_on:%Y年%m月%d日}至{task.due_on:%Y年%m月%d日}。"
                        + (f"佐证材料：{task.evidence_asked}。" if task.evidence_asked else "")
                        + "请按时推进并报告进展。"
                    ),
                    link=link_to("task", task.pk),
                    org_id=task.org_id,
                    org_path=task.org_path,
                    topic=topic_of(task),
                    dedupe_key=f"task_assigned:{task.pk}",
                    email=email,
                )
            )
    return drafts


# ---------------------------------------------------------------------------------------------
# Work points


def _next_seq(org: Org, year: int) -> int:
    last = (
        WorkPoint.objects.unscoped()
        .filter(org=org, year=year)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return min((last or 0) + 1, SEQ_MAX)


def _seq(value, errors: list) -> int | None:
    if value in (None, ""):
        return None
    try:
        seq = int(value)
    except (TypeError, ValueError):
        errors.append(("seq", "序号须为整数。"))
        return None
    if not 1 <= seq <= SEQ_MAX:
        errors.append(("seq", f"序号须在1至{SEQ_MAX}之间。"))
        return None
    return seq


@transaction.atomic
def work_point_create(
    *, actor, org: Org, year: int, title: str, content: str = "", seq: int | None = None
) -> WorkPoint:
    """Write a draft work point of `org` (the 工委) for `year` (resp.publish on `org`). The
    units see it only once it is published. `seq` defaults to the next number of the year."""
    if org is None:
        raise AppError("请选择发布组织。", field="org")
    _require(actor, PUBLISH, org.path)
    today = timezone.localdate()
    errors: list = []
    if org.dissolved_on is not None:
        errors.append(("org", "该组织已撤销，不能发布工作要点。"))
    year = _year(year, errors, today)
    seq = _seq(seq, errors)
    title = _text(title, "title", "要点", errors)
    content = _text(content, "content", "主要内容", errors, required=False)
    _raise(errors)
    point = WorkPoint.objects.create(
        org=org,
        org_path=org.path,
        year=year,
        seq=seq if seq is not None else _next_seq(org, year),
        title=title,
        content=content,
        created_by=_user(actor),
    )
    audit(
        actor,
        "responsibility.work_point.created",
        point,
        org_path=org.path,
        changes=snapshot(point, POINT_FIELDS),
    )
    return point


@transaction.atomic
def work_point_update(
    *, actor, point: WorkPoint, title: str, content: str = "", seq: int | None = None
) -> WorkPoint:
    """Correct a point's number, title or content (resp.publish on its org); the year and
    the publisher stay."""
    _require(actor, PUBLISH, point.org_path)
    current = _locked_point(point)
    errors: list = []
    seq = _seq(seq, errors)
    title = _text(title, "title", "要点", errors)
    content = _text(content, "content", "主要内容", errors, required=False)
    _raise(errors)
    before = snapshot(current, POINT_FIELDS)
    current.title, current.content = title, content
    if seq is not None:
        current.seq = seq
    changed = diff(before, snapshot(current, POINT_FIELDS))
    if not changed:
        return current
    current.save(update_fields=[*changed, "updated_at"])
    audit(
        actor,
        "responsibility.work_point.updated",
        current,
        org_path=current.org_path,
        changes=changed,
    )
    return current


@transaction.atomic
def work_point_publish(*, actor, point: WorkPoint, now: dt.datetime | None = None) -> WorkPoint:
    """Publish a draft point: its tasks become visible to their units, whose administrators
    get a notice each (kind task_due, a notice, not a to-do)."""
    now = now or timezone.now()
    _require(actor, PUBLISH, point.org_path)
    current = _locked_point(point)
    if current.published_at is not None:
        raise AppError(f"该工作要点已于{timezone.localtime(current.published_at):%Y-%m-%d}发布。")
    current.published_at = now
    current.save(update_fields=["published_at", "updated_at"])
    tasks = list(Task.objects.unscoped().filter(point=current).select_related("org"))
    sent = notifications_create(_assigned_drafts(current, tasks)) if tasks else None
    audit(
        actor,
        "responsibility.work_point.published",
        current,
        org_path=current.org_path,
        changes={
            "published_at": now,
            "tasks": len(tasks),
            "notified": sent.created if sent else 0,
        },
    )
    return current


# ---------------------------------------------------------------------------------------------
# Tasks


def _insert(tasks: list[Task]) -> list[Task]:
    """Insert under a savepoint: a concurrent assignment of the same point to the same unit
    hits the unique constraint and is refused like the one found before."""
    try:
        with transaction.atomic():
            if len(tasks) == 1:
                tasks[0].save(force_insert=True)
                return tasks
            return Task.objects.bulk_create(tasks)
    except IntegrityError:
        raise AppError(
            "所选单位中已有该要点的任务，每个单位每项要点只分派一项任务。请刷新后重试。",
            field="units",
        ) from None


@transaction.atomic
def tasks_assign(
    *,
    actor,
    point: WorkPoint,
    units: list[Org] | None = None,
    all_units: bool = False,
    title: str,
    starts_on: dt.date,
    due_on: dt.date,
    content: str = "",
    evidence_asked: str = "",
) -> list[Task]:
    """Decompose `point` into one task per unit: the chosen `units`, or with `all_units`
    every active unit below the publisher that has no task of this point yet. A unit is the
    top Party body of a 单位 (its 党组) strictly below the point's org; one task per point
    and unit. On a published point the tasks are visible at once and the units are told."""
    _require(actor, PUBLISH, point.org_path)
    point = _locked_point(point)
    errors: list = []
    below = {o.pk: o for o in sel.units_below(point.org)}
    existing = set(Task.objects.unscoped().filter(point=point).values_list("org_id", flat=True))
    if all_units:
        chosen = [o for o in below.values() if o.pk not in existing]
        if not below:
            errors.append(("units", "本级以下没有可分派任务的单位。"))
        elif not chosen:
            errors.append(("units", "本级以下各单位均已分派该要点的任务。"))
    else:
        picked = list({u.pk: u for u in (units or []) if u is not None}.values())
        chosen = []
        if not picked:
            errors.append(("units", "请选择责任单位，或选择“全部单位”。"))
        for unit in picked:
            if unit.pk not in below:
                errors.append(("units", f"{unit.name}不是本级以下的单位，不能分派任务。"))
            elif unit.pk in existing:
                errors.append(("units", f"{unit.name}已有该要点的任务。"))
            else:
                chosen.append(below[unit.pk])
    title = _text(title, "title", "任务", errors)
    content = _text(content, "content", "任务要求", errors, required=False)
    evidence_asked = _text(evidence_asked, "evidence_asked", "佐证材料要求", errors, required=False)
    starts_on, due_on = _dates(starts_on, due_on, point.year, errors)
    _raise(errors)
    created = _insert(
        [
            Task(
                point=point,
                org=unit,
                org_path=unit.path,
                year=point.year,
                kind=TaskKind.PARTY,
                title=title,
                content=content,
                evidence_asked=evidence_asked,
                starts_on=starts_on,
                due_on=due_on,
                created_by=_user(actor),
            )
            for unit in chosen
        ]
    )
    notified = 0
    if point.published_at is not None:
        notified = notifications_create(_assigned_drafts(point, created)).created
    audit(
        actor,
        "responsibility.task.assigned",
        point,
        org_path=point.org_path,
        changes={
            "tasks": [t.pk for t in created],
            "units": [t.org_id for t in created],
            "all_units": bool(all_units),
            "title": title,
            "starts_on": starts_on,
            "due_on": due_on,
            "notified": notified,
        },
    )
    return created


@transaction.atomic
def task_create(
    *,
    actor,
    org: Org,
    year: int,
    kind: str,
    title: str,
    starts_on: dt.date,
    due_on: dt.date,
    content: str = "",
    evidence_asked: str = "",
) -> Task:
    """A unit's own task (党建 or 业务, no point) on its annual plan (resp.manage on the
    unit). `org` is the unit's top Party body."""
    if org is None:
        raise AppError("请选择单位。", field="org")
    _require(actor, MANAGE, org.path)
    today = timezone.localdate()
    errors: list = []
    if org.dissolved_on is not None:
        errors.append(("org", "该组织已撤销，不能登记任务。"))
    elif not sel.is_unit_top(org):
        errors.append(("org", "单位任务须登记在单位党组（党委）上，请选择单位。"))
    year = _year(year, errors, today)
    if kind not in TaskKind.values:
        errors.append(("kind", "请选择任务类别（党建任务或业务工作）。"))
    title = _text(title, "title", "任务", errors)
    content = _text(content, "content", "任务要求", errors, required=False)
    evidence_asked = _text(evidence_asked, "evidence_asked", "佐证材料要求", errors, required=False)
    starts_on, due_on = _dates(starts_on, due_on, year, errors)
    _raise(errors)
    task = Task.objects.create(
        point=None,
        org=org,
        org_path=org.path,
        year=year,
        kind=kind,
        title=title,
        content=content,
        evidence_asked=evidence_asked,
        starts_on=starts_on,
        due_on=due_on,
        created_by=_user(actor),
    )
    audit(
        actor,
        "responsibility.task.created",
        task,
        org_path=task.org_path,
        changes=snapshot(task, TASK_FIELDS),
    )
    return task


def _read_files(files, errors: list) -> list[tuple[bytes, str, str, str]]:
    """Read every file first (type judged by content): (data, MIME type, ext, name)."""
    files = [f for f in (files or []) if f is not None]
    if len(files) > FILES_MAX:
        errors.append(("files", f"一次最多上传{FILES_MAX}个文件。"))
        return []
    out = []
    for uploaded in files:
        name = clean_name(getattr(uploaded, "name", ""), "佐证材料")
        try:
            data, content_type, ext = read_document(uploaded)
        except AppError as exc:
            errors.append(("files", f"{name}：{exc.message}"))
            continue
        out.append((data, content_type, ext, name))
    return out


def _resolve(task: Task, now: dt.datetime) -> int:
    """Resolve the task's open 督办 sent up to `now`."""
    return Supervision.objects.filter(task=task, resolved_at__isnull=True, sent_at__lte=now).update(
        resolved_at=now
    )


@transaction.atomic
def task_report(
    *,
    actor,
    task: Task,
    progress: int,
    text: str,
    meeting=None,
    files=(),
    now: dt.datetime | None = None,
) -> TaskReport:
    """A unit reports progress on its task (resp.manage on the unit): a percentage, what was
    done, optionally a meeting of its subtree and photos or documents. The task's progress
    follows the latest report, and the report resolves the task's open 督办."""
    now = now or timezone.now()
    _require(actor, MANAGE, task.org_path)
    task = _locked_task(task)
    if task.point_id and task.point.published_at is None:
        if actor is not None and not can(actor, PUBLISH, task.point.org_path):
            raise deny()  # the unit does not see a draft's tasks
        raise AppError("该任务所属工作要点尚未发布，不能报告进展。")
    if task.status == TaskStatus.CLOSED:
        raise AppError("任务已办结，不能再报告进展。")
    errors: list = []
    try:
        progress = rules.validate_progress(progress)
    except ValueError as exc:
        errors.append(("progress", str(exc)))
    text = _text(text, "text", "进展情况", errors)
    if meeting is not None and (
        not meeting.org_path.startswith(task.org_path)
        or meeting.status not in sel.REPORTABLE_MEETINGS
    ):
        errors.append(("meeting", MEETING_REFUSED))
    read = _read_files(files, errors)
    _raise(errors)
    report = TaskReport.objects.create(
        task=task,
        org_path=task.org_path,
        progress=progress,
        text=text,
        meeting=meeting,
        reported_by=_user(actor),
        reported_at=now,
    )
    stored: list[ReportFile] = []
    try:
        for data, content_type, ext, name in read:
            item = ReportFile(
                task_report=report,
                org_path=task.org_path,
                original_name=name,
                content_type=content_type,
                size=len(data),
                uploaded_by=_user(actor),
            )
            # the stored name is random (upload_to); only the sniffed extension is kept
            item.file.save(f"upload.{ext}", ContentFile(data), save=False)
            stored.append(item)
            item.save()
        fields = []
        if task.last_reported_at is None or now >= task.last_reported_at:
            task.progress, task.last_reported_at = progress, now
            fields = ["progress", "last_reported_at", "updated_at"]
            task.save(update_fields=fields)
        resolved = _resolve(task, now)
        audit(
            actor,
            "responsibility.task.reported",
            task,
            org_path=task.org_path,
            changes={
                "report": report.pk,
                "progress": progress,
                "meeting": meeting.pk if meeting is not None else None,
                "files": [f.original_name for f in stored],
                "supervisions_resolved": resolved,
            },
        )
    except BaseException:
        for item in stored:
            item.file.delete(save=False)
        raise
    return report


@transaction.atomic
def supervision_send(
    *, actor, task: Task, note: str, respond_by: dt.date, now: dt.datetime | None = None
) -> Supervision:
    """督办: the publisher asks the unit to act on an open task (overdue or lagging) by
    `respond_by`. The unit's administrators get a to-do; if no report comes and the task is
    not closed within RESPONSIBILITY_ESCALATE_DAYS (copied onto the 督办), the daily job
    escalates it to the unit's secretary."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    task = _locked_task(task)
    if actor is not None and not sel.can_publish_over(actor, task):
        raise deny()
    if task.point_id and task.point.published_at is None:
        raise AppError("该任务所属工作要点尚未发布，不能督办。")
    if task.status == TaskStatus.CLOSED:
        raise AppError("任务已办结，不能督办。")
    errors: list = []
    note = _text(note, "note", "督办意见", errors)
    respond_by = _date(respond_by, "respond_by", errors)
    if respond_by is None:
        if not any(f == "respond_by" for f, _ in errors):
            errors.append(("respond_by", "请填写限期反馈日期。"))
    elif respond_by < today:
        errors.append(("respond_by", "限期反馈日期不能早于今天。"))
    elif respond_by.year > today.year + 1:
        errors.append(("respond_by", "限期反馈日期过远，请重新填写。"))
    _raise(errors)
    supervision = Supervision.objects.create(
        task=task,
        org_path=task.org_path,
        note=note,
        respond_by=respond_by,
        escalate_after_days=settings.RESPONSIBILITY_ESCALATE_DAYS,
        sent_by=_user(actor),
        sent_at=now,
    )
    admins = sel.unit_admins([task.org_id]).get(task.org_id, [])
    sender = task.point.org.name if task.point_id else "上级党组织"
    drafts = [
        Draft(
            user_id=user_id,
            kind=NotificationKind.TASK_SUPERVISION,
            title=f"督办：{task.title}"[:200],
            body=(
                f"{sender}对{task.org.name}的任务“{task.title}”（完成时限"
                f"{task.due_on:%Y年%m月%d日}，当前进度{task.progress}%）发出督办：{note}。"
                f"请于{respond_by:%Y年%m月%d日}前报告进展；"
                f"{supervision.escalate_after_days}天内未报告的，将提请单位书记督促落实。"
            ),
            link=link_to("task", task.pk),
            org_id=task.org_id,
            org_path=task.org_path,
            topic=topic_of(task),
            dedupe_key=f"task_supervision:{supervision.pk}",
            is_todo=True,
            email=email,
        )
        for user_id, email in admins
    ]
    sent = notifications_create(drafts)
    audit(
        actor,
        "responsibility.supervision.sent",
        task,
        org_path=task.org_path,
        changes={
            "supervision": supervision.pk,
            "note": note,
            "respond_by": respond_by,
            "escalate_after_days": supervision.escalate_after_days,
            "notified": sent.created,
        },
    )
    return supervision


@transaction.atomic
def task_close(
    *, actor, task: Task, evaluation: str, note: str = "", now: dt.datetime | None = None
) -> Task:
    """Close a task: a point's task by its publisher, with an evaluation (优秀/良好/合格/
    不合格) and a note; a unit's own task by the unit (the evaluation is optional then).
    Open 督办 are resolved; no report is taken afterwards."""
    now = now or timezone.now()
    task = _locked_task(task)
    if actor is not None and not sel.can_close(actor, task):
        raise deny()
    if task.status == TaskStatus.CLOSED:
        raise AppError("任务已办结。")
    if task.point_id and task.point.published_at is None:
        raise AppError("该任务所属工作要点尚未发布，不能办结。")
    errors: list = []
    evaluation = evaluation or ""
    if evaluation not in Evaluation.values and (task.point_id or evaluation):
        errors.append(("evaluation", "请选择评价（优秀、良好、合格、不合格）。"))
    note = _text(note, "note", "评价意见", errors, required=False)
    _raise(errors)
    task.status = TaskStatus.CLOSED
    task.closed_at = now
    task.closed_by = _user(actor)
    task.evaluation = evaluation
    task.evaluation_note = note
    task.save(
        update_fields=[
            "status",
            "closed_at",
            "closed_by",
            "evaluation",
            "evaluation_note",
            "updated_at",
        ]
    )
    resolved = _resolve(task, now)
    audit(
        actor,
        "responsibility.task.closed",
        task,
        org_path=task.org_path,
        changes={
            "evaluation": evaluation,
            "note": note,
            "closed_at": now,
            "late": timezone.localdate(now) > task.due_on,
            "supervisions_resolved": resolved,
        },
    )
    return task
