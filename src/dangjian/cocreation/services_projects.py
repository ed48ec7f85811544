"""Write paths of the practical projects (实事): projects, their goal metrics and milestones
(a metric's achievement is the sum of its done milestones' amounts: derived, never typed),
photos (judged by content: JPEG, PNG or WebP only) and residents' feedback. Atomic,
access-checked (cocreation.manage on the pairing's unit), refused in Chinese at the field,
audited. See docs/cocreation.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.cocreation.models import (
    Campaign,
    Feedback,
    Milestone,
    Pairing,
    Photo,
    Project,
    ProjectCategory,
    ProjectMetric,
    ProjectStatus,
    Satisfaction,
    Visit,
)
from dangjian.cocreation.services_common import (
    amount,
    count,
    date,
    flag,
    raise_errors,
    require,
    text,
    user_of,
)
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.orglife.services_attachments import clean_name, read_document
from dangjian.rules import cocreation as rules

PROJECT_FIELDS = [
    "title",
    "category",
    "goal",
    "status",
    "starts_on",
    "due_on",
    "finished_on",
    "funds_planned",
    "funds_raised",
    "beneficiary_households",
    "beneficiary_people",
    "is_public",
]
METRIC_FIELDS = ["name", "unit", "target"]
MILESTONE_FIELDS = ["title", "due_on", "done_on", "metric", "amount", "note"]
FEEDBACK_FIELDS = ["resident_name", "received_on", "satisfaction", "content", "reply", "is_public"]
PHOTO_KINDS = {"jpeg", "png", "webp"}
PHOTO_WRONG_TYPE = "只能上传照片（JPG、PNG 或 WebP 格式）。"
#: the metrics and milestones one project may have (a page must stay a page)
METRICS_MAX = 20
MILESTONES_MAX = 200

# ---------------------------------------------------------------------------------------------
# Projects


def _check_project(values: dict, today: dt.date) -> dict:
    errors: list = []
    out = {
        "title": text(values.get("title"), "title", "项目名称", errors),
        "goal": text(values.get("goal"), "goal", "目标", errors),
    }
    category = values.get("category") or ""
    if category not in ProjectCategory.values:
        errors.append(("category", "请选择项目类别。"))
    out["category"] = category
    status = values.get("status") or ProjectStatus.PLANNED
    if status not in ProjectStatus.values:
        errors.append(("status", "请选择项目状态。"))
    out["status"] = status
    out["starts_on"] = date(values.get("starts_on"), "starts_on", "开始日期", errors, today)
    out["due_on"] = date(
        values.get("due_on"), "due_on", "计划完成日期", errors, today, required=False
    )
    errors.extend(
        rules.check_order(
            out["starts_on"],
            out["due_on"],
            field="due_on",
            message="计划完成日期不能早于开始日期。",
        )
    )
    finished = values.get("finished_on")
    if status == ProjectStatus.DONE:
        finished = date(
            finished or today, "finished_on", "完成日期", errors, today, not_future=True
        )
        errors.extend(
            rules.check_order(
                out["starts_on"],
                finished,
                field="finished_on",
                message="完成日期不能早于开始日期。",
            )
        )
    else:
        finished = None  # only a done project has a completion date
    out["finished_on"] = finished
    out["funds_planned"] = amount(values.get("funds_planned"), "funds_planned", "计划资金", errors)
    out["funds_raised"] = amount(values.get("funds_raised"), "funds_raised", "协调到位资金", errors)
    out["beneficiary_households"] = count(
        values.get("beneficiary_households"), "beneficiary_households", "受益户数", errors
    )
    out["beneficiary_people"] = count(
        values.get("beneficiary_people"), "beneficiary_people", "受益人数", errors
    )
    out["is_public"] = flag(values.get("is_public"))
    raise_errors(errors)
    return out


@transaction.atomic
def project_create(
    *,
    actor,
    pairing: Pairing,
    title: str,
    category: str,
    goal: str,
    starts_on,
    due_on=None,
    status: str = "planned",
    funds_planned=None,
    funds_raised=None,
    beneficiary_households=None,
    beneficiary_people=None,
    is_public: bool = True,
    finished_on=None,
    today: dt.date | None = None,
) -> Project:
    """A practical project (实事) of a pairing. Funds in 万元; a negative amount, a planned
    completion before the start, an unknown category or status is refused at its field."""
    today = today or timezone.localdate()
    require(actor, pairing.org_path)
    if pairing.ended_on is not None:
        raise AppError("该包联关系已结束，不能新增项目。")
    values = _check_project(
        {
            "title": title,
            "category": category,
            "goal": goal,
            "status": status,
            "starts_on": starts_on,
            "due_on": due_on,
            "finished_on": finished_on,
            "funds_planned": funds_planned,
            "funds_raised": funds_raised,
            "beneficiary_households": beneficiary_households,
            "beneficiary_people": beneficiary_people,
            "is_public": is_public,
        },
        today,
    )
    project = Project.objects.create(
        pairing=pairing, org_path=pairing.org_path, created_by=user_of(actor), **values
    )
    audit(
        actor,
        "cocreation.project.created",
        project,
        org_path=project.org_path,
        changes={"pairing": pairing.pk, **snapshot(project, PROJECT_FIELDS)},
    )
    return project


@transaction.atomic
def project_update(*, actor, project: Project, today: dt.date | None = None, **fields) -> Project:
    """Change a project's fields (any of PROJECT_FIELDS). Setting 已完成 stamps today as the
    completion date unless one is given; leaving 已完成 clears it."""
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    today = today or timezone.localdate()
    require(actor, project.org_path)
    current = Project.all_objects.select_for_update().get(pk=project.pk)
    values = {name: getattr(current, name) for name in PROJECT_FIELDS}
    values.update(fields)
    cleaned = _check_project(values, today)
    before = snapshot(current, PROJECT_FIELDS)
    for name, value in cleaned.items():
        setattr(current, name, value)
    changed = diff(before, snapshot(current, PROJECT_FIELDS))
    if not changed:
        return current
    current.save(update_fields=[*changed, "updated_at"])
    audit(actor, "cocreation.project.updated", current, org_path=current.org_path, changes=changed)
    return current


# ---------------------------------------------------------------------------------------------
# Metrics


def _check_metric(project: Project, name, unit, target, errors: list, exclude_id=None):
    name = text(name, "name", "指标名称", errors, limit_key="metric_name")
    unit = text(unit, "unit", "计量单位", errors)
    errors.extend(rules.check_target(target))
    if not errors:
        same = ProjectMetric.objects.filter(project=project, name=name)
        if exclude_id:
            same = same.exclude(pk=exclude_id)
        if same.exists():
            errors.append(("name", f"该项目已有指标“{name}”。"))
    raise_errors(errors)
    return name, unit, rules.parse_decimal(target).quantize(Decimal("0.01"))


@transaction.atomic
def metric_add(*, actor, project: Project, name: str, unit: str, target) -> ProjectMetric:
    """A goal metric of a project (硬化道路 12 公里, 路灯 80 盏 …): the target must be above 0."""
    require(actor, project.org_path)
    errors: list = []
    if project.metrics.count() >= METRICS_MAX:
        raise AppError(f"一个项目最多设{METRICS_MAX}项指标。", field="name")
    name, unit, target = _check_metric(project, name, unit, target, errors)
    metric = ProjectMetric(
        project=project,
        org_path=project.org_path,
        name=name,
        unit=unit,
        target=target,
        sort=project.metrics.count(),
    )
    try:
        with transaction.atomic():
            metric.save(force_insert=True)
    except IntegrityError:
        raise AppError(f"该项目已有指标“{name}”。", field="name", code="duplicate") from None
    audit(
        actor,
        "cocreation.metric.added",
        metric,
        org_path=metric.org_path,
        changes={"project": project.pk, **snapshot(metric, METRIC_FIELDS)},
    )
    return metric


@transaction.atomic
def metric_update(
    *, actor, metric: ProjectMetric, name=None, unit=None, target=None
) -> ProjectMetric:
    """Correct a metric's name, unit or target (still above 0)."""
    require(actor, metric.org_path)
    current = ProjectMetric.objects.select_for_update().select_related("project").get(pk=metric.pk)
    errors: list = []
    name, unit, target = _check_metric(
        current.project,
        current.name if name is None else name,
        current.unit if unit is None else unit,
        current.target if target is None else target,
        errors,
        exclude_id=current.pk,
    )
    before = snapshot(current, METRIC_FIELDS)
    current.name, current.unit, current.target = name, unit, target
    changed = diff(before, snapshot(current, METRIC_FIELDS))
    if not changed:
        return current
    current.save(update_fields=list(changed))
    audit(actor, "cocreation.metric.updated", current, org_path=current.org_path, changes=changed)
    return current


# ---------------------------------------------------------------------------------------------
# Milestones


def _metric_and_amount(project: Project, metric, value, errors: list):
    if metric is not None and metric.project_id != project.pk:
        errors.append(("metric", "请选择本项目的指标。"))
        metric = None
    number = amount(value, "amount", "完成量", errors)
    if number is not None and metric is None and not any(f == "metric" for f, _ in errors):
        errors.append(("metric", "填写完成量时请选择对应的指标。"))
    return metric, number


@transaction.atomic
def milestone_add(
    *,
    actor,
    project: Project,
    title: str,
    due_on,
    metric: ProjectMetric | None = None,
    amount=None,
    note: str = "",
    done_on=None,
    today: dt.date | None = None,
) -> Milestone:
    """A step of a project, planned on `due_on`; with `done_on` it is recorded as done. When
    it achieves part of a metric it names the metric and the amount (not negative)."""
    today = today or timezone.localdate()
    require(actor, project.org_path)
    errors: list = []
    if project.milestones.count() >= MILESTONES_MAX:
        raise AppError(f"一个项目最多设{MILESTONES_MAX}个节点。", field="title")
    title = text(title, "title", "节点名称", errors)
    due_on = date(due_on, "due_on", "计划日期", errors, today)
    done_on = date(done_on, "done_on", "完成日期", errors, today, required=False, not_future=True)
    note = text(note, "note", "说明", errors, limit_key="milestone_note", required=False)
    metric, number = _metric_and_amount(project, metric, amount, errors)
    raise_errors(errors)
    milestone = Milestone.objects.create(
        project=project,
        org_path=project.org_path,
        title=title,
        due_on=due_on,
        done_on=done_on,
        metric=metric,
        amount=number,
        note=note,
    )
    audit(
        actor,
        "cocreation.milestone.added",
        milestone,
        org_path=milestone.org_path,
        changes={"project": project.pk, **snapshot(milestone, MILESTONE_FIELDS)},
    )
    return milestone


@transaction.atomic
def milestone_done(
    *, actor, milestone: Milestone, done_on, amount=None, today: dt.date | None = None
) -> Milestone:
    """Record a milestone as done on `done_on` (not in the future), with the amount of its
    metric it achieved (kept when not given)."""
    today = today or timezone.localdate()
    require(actor, milestone.org_path)
    current = (
        # lock the milestone row only: PostgreSQL refuses FOR UPDATE on the nullable side of
        # the outer join to its (optional) metric
        Milestone.objects.select_for_update(of=("self",))
        .select_related("project", "metric")
        .get(pk=milestone.pk)
    )
    if current.done_on is not None:
        raise AppError(f"该节点已于{current.done_on:%Y-%m-%d}完成。", field="done_on")
    errors: list = []
    done_on = date(done_on, "done_on", "完成日期", errors, today, not_future=True)
    value = current.amount if amount in (None, "") else amount
    _metric, number = _metric_and_amount(current.project, current.metric, value, errors)
    raise_errors(errors)
    before = snapshot(current, MILESTONE_FIELDS)
    current.done_on, current.amount = done_on, number
    changed = diff(before, snapshot(current, MILESTONE_FIELDS))
    current.save(update_fields=["done_on", "amount"])
    audit(
        actor,
        "cocreation.milestone.done",
        current,
        org_path=current.org_path,
        changes={"project": current.project_id, **changed},
    )
    return current


# ---------------------------------------------------------------------------------------------
# Photos


def _photo_owner(project, campaign, visit):
    given = [o for o in (project, campaign, visit) if o is not None]
    if len(given) != 1:
        raise AppError("照片须属于一个项目、专项行动或走访记录。", field="file")
    return given[0]


def photo_add(
    *,
    actor,
    uploaded_file,
    project: Project | None = None,
    campaign: Campaign | None = None,
    visit: Visit | None = None,
    caption: str = "",
    taken_on=None,
    today: dt.date | None = None,
) -> Photo:
    """A photo of a project, a campaign or a visit (exactly one). Judged by its content:
    JPEG, PNG or WebP up to COCREATION_PHOTO_MAX_BYTES; anything else is refused at `file`
    and nothing is stored.

    The file is stored before its row is written; whatever fails after that — the row, the
    audit entry, the commit of the transaction — removes the stored file again before the
    error goes on, so a failed upload leaves neither a row nor a file. (Called inside a
    caller's own transaction that rolls back later, after this returned, the file stays: no
    caller does that; Django has no rollback hook.)"""
    stored: list[Photo] = []
    try:
        with transaction.atomic():
            return _photo_add(
                stored,
                actor=actor,
                uploaded_file=uploaded_file,
                project=project,
                campaign=campaign,
                visit=visit,
                caption=caption,
                taken_on=taken_on,
                today=today,
            )
    except BaseException:
        for photo in stored:
            photo.file.delete(save=False)  # nothing written: not even the file
        raise


def _photo_add(
    stored: list,
    *,
    actor,
    uploaded_file,
    project,
    campaign,
    visit,
    caption,
    taken_on,
    today,
) -> Photo:
    today = today or timezone.localdate()
    owner = _photo_owner(project, campaign, visit)
    require(actor, owner.org_path)
    errors: list = []
    caption = text(caption, "caption", "说明", errors, required=False)
    taken_on = date(
        taken_on, "taken_on", "拍摄日期", errors, today, required=False, not_future=True
    )
    raise_errors(errors)
    data, content_type, ext = read_document(
        uploaded_file,
        limit=settings.COCREATION_PHOTO_MAX_BYTES,
        allowed=PHOTO_KINDS,
        wrong_type=PHOTO_WRONG_TYPE,
    )
    name = clean_name(getattr(uploaded_file, "name", ""), default=f"照片.{ext}")
    photo = Photo(
        project=project,
        campaign=campaign,
        visit=visit,
        org_path=owner.org_path,
        original_name=name[-200:],
        content_type=content_type,
        size=len(data),
        caption=caption,
        taken_on=taken_on,
        uploaded_by=user_of(actor),
    )
    photo.file.save(f"photo.{ext}", ContentFile(data), save=False)
    stored.append(photo)
    photo.save(force_insert=True)
    audit(
        actor,
        "cocreation.photo.added",
        photo,
        org_path=photo.org_path,
        changes={
            "project": photo.project_id,
            "campaign": photo.campaign_id,
            "visit": photo.visit_id,
            "name": photo.original_name,
            "size": photo.size,
            "content_type": content_type,
        },
    )
    return photo


@transaction.atomic
def photo_remove(*, actor, photo: Photo) -> None:
    """Remove a photo (posted to the wrong record); the audit entry keeps its name."""
    require(actor, photo.org_path)
    current = Photo.objects.select_for_update().filter(pk=photo.pk).first()
    if current is None:
        raise AppError("该照片已删除。")
    audit(
        actor,
        "cocreation.photo.removed",
        current,
        org_path=current.org_path,
        changes={"name": current.original_name, "caption": current.caption},
    )
    name = current.file.name
    storage = current.file.storage
    current.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)


def photo_open(photo: Photo):
    """The stored file of a photo, opened for reading (the caller decided who may see it)."""
    return photo.file.open("rb")


# ---------------------------------------------------------------------------------------------
# Residents' feedback


def _check_feedback(values: dict, today: dt.date) -> dict:
    errors: list = []
    out = {
        "resident_name": text(
            values.get("resident_name"), "resident_name", "群众姓名", errors, required=False
        ),
        "content": text(values.get("content"), "content", "反馈内容", errors),
        "reply": text(values.get("reply"), "reply", "回复", errors, required=False),
    }
    out["received_on"] = date(
        values.get("received_on"), "received_on", "反馈日期", errors, today, not_future=True
    )
    satisfaction = values.get("satisfaction") or ""
    if satisfaction not in Satisfaction.values:
        errors.append(("satisfaction", "请选择满意度。"))
    out["satisfaction"] = satisfaction
    out["is_public"] = flag(values.get("is_public"))
    raise_errors(errors)
    return out


@transaction.atomic
def feedback_add(
    *,
    actor,
    project: Project,
    received_on,
    satisfaction: str,
    content: str,
    resident_name: str = "",
    reply: str = "",
    is_public: bool = False,
    today: dt.date | None = None,
) -> Feedback:
    """A resident's feedback on a project. The name is seen only inside the pairing unit and
    by the 工委; `is_public` lets the content (never the name) show on the community page."""
    today = today or timezone.localdate()
    require(actor, project.org_path)
    values = _check_feedback(
        {
            "resident_name": resident_name,
            "received_on": received_on,
            "satisfaction": satisfaction,
            "content": content,
            "reply": reply,
            "is_public": is_public,
        },
        today,
    )
    feedback = Feedback.objects.create(project=project, org_path=project.org_path, **values)
    audit(
        actor,
        "cocreation.feedback.added",
        feedback,
        org_path=feedback.org_path,
        changes={"project": project.pk, **snapshot(feedback, FEEDBACK_FIELDS)},
    )
    return feedback


@transaction.atomic
def feedback_reply(*, actor, feedback: Feedback, reply: str, is_public=None) -> Feedback:
    """Answer a resident's feedback (and decide whether its content is shown publicly)."""
    require(actor, feedback.org_path)
    current = Feedback.objects.select_for_update().get(pk=feedback.pk)
    errors: list = []
    reply = text(reply, "reply", "回复", errors)
    raise_errors(errors)
    before = snapshot(current, FEEDBACK_FIELDS)
    current.reply = reply
    if is_public is not None:
        current.is_public = flag(is_public)
    changed = diff(before, snapshot(current, FEEDBACK_FIELDS))
    if not changed:
        return current
    current.save(update_fields=list(changed))
    audit(actor, "cocreation.feedback.replied", current, org_path=current.org_path, changes=changed)
    return current
