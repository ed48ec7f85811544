"""Write paths of study plans, sessions, trainings and exemptions (issue 8, items 1 and 2).

Each is atomic, checks study.manage on the org or member concerned (404 to outsiders;
`actor=None` is the system: the demo, jobs), writes an audit entry `study.<thing>.<verb>` and
refuses bad input with an AppError at its field, writing nothing. A study session is an
organisational-life meeting (planned through `orglife.services.meeting_plan`, so roster,
sign-in, record and archive stay orglife's) plus its StudySession row. Writes that change what
credit hours and points derive from call `points_hooks.points_changed`. See docs/study.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.members.models import Member
from dangjian.orglife.models import Attendance, AttendanceStatus, Meeting
from dangjian.orglife.services import meeting_plan
from dangjian.orglife.services_attachments import clean_name, read_document
from dangjian.orgs.models import Org, OrgKind
from dangjian.rules import study as rules
from dangjian.rules.orglife import MeetingKind
from dangjian.study.models import (
    ExemptionReason,
    PlanItem,
    StudyExemption,
    StudyForm,
    StudyMode,
    StudyPlan,
    StudySession,
    Training,
    TrainingKind,
    TrainingStatus,
)
from dangjian.study.points_hooks import points_changed

MANAGE = Cap.STUDY_MANAGE
YEAR_MIN, YEAR_MAX = 2000, 2200
#: what a training's proof may be, judged by its content (orglife's attachment sniffing)
PROOF_KINDS = frozenset({"jpeg", "png", "pdf", "docx", "xlsx"})
PROOF_WRONG_TYPE = "证明材料只能是 PDF、JPG、PNG、Word（.docx）或 Excel（.xlsx）文件。"
PROOF_EXTENSIONS = {
    "jpg": ("jpg", "jpeg"),
    "png": ("png",),
    "pdf": ("pdf",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
}
SESSION_FIELDS = ("form", "mode", "hours", "speaker", "plan_item")


def _require(actor, path: str) -> None:
    if actor is not None and not can(actor, MANAGE, path):
        raise deny()


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    value = ("" if value is None else str(value)).strip()
    if required and not value:
        raise AppError(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise AppError(f"{label}不能超过{limit}字。", field=field)
    return value


def _choice(value, choices, field: str, label: str) -> str:
    if value not in choices:
        raise AppError(f"请选择{label}。", field=field)
    return value


def _year(value, field: str = "year") -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise AppError("年度无效，应为四位数字。", field=field) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise AppError("年度无效。", field=field)
    return year


def _decimal(value, field: str, message: str) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise AppError(message, field=field) from None
    if not amount.is_finite():
        raise AppError(message, field=field)
    return amount


def _length_hours(starts_at: dt.datetime, ends_at: dt.datetime) -> Decimal:
    return Decimal(int((ends_at - starts_at).total_seconds())) / 3600


def _session_hours(value, starts_at: dt.datetime, ends_at: dt.datetime) -> Decimal:
    """Hours credited by a session: more than 0, one decimal, not more than its length."""
    if value is None or value == "":
        raise AppError("请填写学时。", field="hours")
    why = rules.check_session_hours(value, _length_hours(starts_at, ends_at))
    if why:
        raise AppError(why, field="hours")
    return rules.hours(value)


def _check_times(starts_at, ends_at) -> None:
    if not isinstance(starts_at, dt.datetime) or timezone.is_naive(starts_at):
        raise AppError("请填写开始时间。", field="starts_at")
    if not isinstance(ends_at, dt.datetime) or timezone.is_naive(ends_at):
        raise AppError("请填写结束时间。", field="ends_at")
    for field, moment, label in (("starts_at", starts_at, "开始"), ("ends_at", ends_at, "结束")):
        if not YEAR_MIN <= moment.year <= YEAR_MAX:  # also keeps localtime() from overflowing
            raise AppError(f"{label}时间无效，应在{YEAR_MIN}年至{YEAR_MAX}年之间。", field=field)
    if ends_at <= starts_at:
        raise AppError("结束时间须晚于开始时间。", field="ends_at")


def _plan_item(item: PlanItem | None, org_path: str, starts_at: dt.datetime) -> PlanItem | None:
    """A plan line a session of the org at `org_path` may carry out: a line of the plan of
    that org or of an org above it, for the session's year."""
    if item is None:
        return None
    plan = item.plan
    if not org_path.startswith(plan.org_path):
        raise AppError("只能选择本组织或上级组织学习计划中的条目。", field="plan_item")
    if plan.year != timezone.localtime(starts_at).year:
        raise AppError(f"所选计划条目属于{plan.year}年的计划，与学习日期不符。", field="plan_item")
    return item


def _unit_level(org: Org) -> None:
    """A session's roster is every member of the org's subtree: it is held by a unit's
    bodies (its 党组 and below) or by a branch, never by the working committee for the whole
    city."""
    if org.unit_id is None and org.kind not in (
        OrgKind.GENERAL_BRANCH,
        OrgKind.BRANCH,
        OrgKind.GROUP,
    ):
        raise AppError(
            "学习培训由单位党组（党委）及以下党组织举办，应到人员为该组织的全体党员；"
            "请选择具体单位的党组织或党支部。",
            field="org",
        )


def _present_ids(meeting: Meeting) -> list[int]:
    return list(
        Attendance.all_objects.filter(meeting=meeting, status=AttendanceStatus.PRESENT).values_list(
            "member_id", flat=True
        )
    )


# ---------------------------------------------------------------------------------------------
# Plans


@transaction.atomic
def plan_save(*, actor, org: Org, year, title: str, note: str = "") -> StudyPlan:
    """Create the org's plan for the year, or change its title and note."""
    _require(actor, org.path)
    year = _year(year)
    title = _text(title, "title", "计划名称", 200, required=True)
    note = _text(note, "note", "说明", 5000)
    plan = StudyPlan.all_objects.select_for_update().filter(org=org, year=year).first()
    if plan is None:
        if not org.is_active:
            raise AppError("该组织已撤销，不能制定学习计划。", field="org")
        try:
            with transaction.atomic():
                plan = StudyPlan.all_objects.create(
                    org=org,
                    org_path=org.path,
                    year=year,
                    title=title,
                    note=note,
                    created_by=_user(actor),
                )
        except IntegrityError:  # saved at the same moment by someone else
            raise AppError("该组织本年度的学习计划刚刚已被创建，请刷新后再修改。") from None
        audit(
            actor,
            "study.plan.created",
            plan,
            org_path=plan.org_path,
            changes={"org": org.pk, "year": year, "title": title},
        )
        return plan
    changes = {
        k: [getattr(plan, k), v]
        for k, v in (("title", title), ("note", note))
        if getattr(plan, k) != v
    }
    if changes:
        plan.title, plan.note = title, note
        plan.save(update_fields=["title", "note", "updated_at"])
        audit(actor, "study.plan.updated", plan, org_path=plan.org_path, changes=changes)
    return plan


@transaction.atomic
def plan_item_add(
    *, actor, plan: StudyPlan, month, topic: str, form: str, mode: str, hours, note: str = ""
) -> PlanItem:
    _require(actor, plan.org_path)
    try:
        month = int(month)
    except (TypeError, ValueError):
        month = 0
    if not 1 <= month <= 12:
        raise AppError("请选择月份（1—12月）。", field="month")
    topic = _text(topic, "topic", "学习主题", 200, required=True)
    form = _choice(form, StudyForm.values, "form", "学习形式")
    mode = _choice(mode, StudyMode.values, "mode", "线上或线下")
    if hours is None or hours == "":
        raise AppError("请填写计划学时。", field="hours")
    why = rules.check_plan_hours(hours)
    if why:
        raise AppError(why, field="hours")
    note = _text(note, "note", "备注", 200)
    item = PlanItem.all_objects.create(
        plan=plan,
        month=month,
        topic=topic,
        form=form,
        mode=mode,
        hours=rules.hours(hours),
        note=note,
    )
    audit(
        actor,
        "study.plan_item.added",
        plan,
        org_path=plan.org_path,
        changes={
            "item": item.pk,
            "month": month,
            "topic": topic,
            "form": form,
            "hours": item.hours,
        },
    )
    return item


@transaction.atomic
def plan_item_delete(*, actor, item: PlanItem) -> None:
    """Remove a line nobody has carried out yet (a line with sessions stays: they cite it)."""
    plan = item.plan
    _require(actor, plan.org_path)
    if StudySession.all_objects.filter(plan_item=item).exists():
        raise AppError("已有学习培训按此条目开展，不能删除；可修改这些学习培训的计划条目后再删。")
    changes = {"item": item.pk, "month": item.month, "topic": item.topic}
    item.delete()
    audit(actor, "study.plan_item.deleted", plan, org_path=plan.org_path, changes=changes)


# ---------------------------------------------------------------------------------------------
# Sessions


@transaction.atomic
def session_create(
    *,
    actor,
    org: Org,
    form: str,
    mode: str,
    topic: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    hours,
    place: str = "",
    speaker: str = "",
    plan_item: PlanItem | None = None,
    agenda: str = "",
) -> StudySession:
    """Plan a study session: the meeting (kind 党课 when a branch holds a 专题党课, so it also
    counts for 三会一课; else 学习培训, whose roster is every member of the org's subtree) and
    its study row. Hours may not exceed the meeting's length."""
    _require(actor, org.path)
    _unit_level(org)
    form = _choice(form, StudyForm.values, "form", "学习形式")
    mode = _choice(mode, StudyMode.values, "mode", "线上或线下")
    speaker = _text(speaker, "speaker", "主讲人", 100)
    _check_times(starts_at, ends_at)
    credited = _session_hours(hours, starts_at, ends_at)
    plan_item = _plan_item(plan_item, org.path, starts_at)
    kind = (
        MeetingKind.PARTY_LESSON
        if form == StudyForm.PARTY_LESSON and org.kind == OrgKind.BRANCH
        else MeetingKind.STUDY_SESSION
    )
    meeting = meeting_plan(
        actor=actor,
        org=org,
        kind=kind,
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        agenda=agenda,
    )
    session = StudySession.all_objects.create(
        meeting=meeting,
        org_path=meeting.org_path,
        plan_item=plan_item,
        form=form,
        mode=mode,
        hours=credited,
        speaker=speaker,
        created_by=_user(actor),
    )
    audit(
        actor,
        "study.session.created",
        session,
        org_path=session.org_path,
        changes={
            "meeting": meeting.pk,
            "kind": kind,
            "form": form,
            "mode": mode,
            "hours": credited,
            "plan_item": plan_item,
        },
    )
    return session


@transaction.atomic
def session_attach(
    *,
    actor,
    meeting: Meeting,
    form: str,
    mode: str,
    hours,
    speaker: str = "",
    plan_item: PlanItem | None = None,
) -> StudySession:
    """Credit an existing meeting (a 党课 recorded in orglife, say) as a study session."""
    _require(actor, meeting.org_path)
    meeting = Meeting.all_objects.select_for_update().get(pk=meeting.pk)
    _require(actor, meeting.org_path)
    if StudySession.all_objects.filter(meeting=meeting).exists():
        raise AppError("该会议已计入学习培训。")
    if meeting.kind == MeetingKind.COMMITTEE_MEETING:
        raise AppError("委员会会议不计入学习培训。", field="meeting")
    form = _choice(form, StudyForm.values, "form", "学习形式")
    mode = _choice(mode, StudyMode.values, "mode", "线上或线下")
    speaker = _text(speaker, "speaker", "主讲人", 100)
    credited = _session_hours(hours, meeting.starts_at, meeting.ends_at)
    plan_item = _plan_item(plan_item, meeting.org_path, meeting.starts_at)
    session = StudySession.all_objects.create(
        meeting=meeting,
        org_path=meeting.org_path,
        plan_item=plan_item,
        form=form,
        mode=mode,
        hours=credited,
        speaker=speaker,
        created_by=_user(actor),
    )
    audit(
        actor,
        "study.session.attached",
        session,
        org_path=session.org_path,
        changes={"meeting": meeting.pk, "form": form, "mode": mode, "hours": credited},
    )
    points_changed(_present_ids(meeting), meeting.starts_at)
    return session


@transaction.atomic
def session_update(*, actor, session: StudySession, **changes) -> StudySession:
    """Change a session's form, mode, hours (checked against the meeting's length again),
    speaker or plan line; the diff is audited and the attendees' points are rebuilt."""
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"session_update: unknown fields {sorted(unknown)}")
    _require(actor, session.org_path)
    session = (
        StudySession.all_objects.select_for_update(of=("self",))
        .select_related("meeting", "plan_item", "plan_item__plan")
        .get(pk=session.pk)
    )
    meeting = session.meeting
    values = {}
    if "form" in changes:
        values["form"] = _choice(changes["form"], StudyForm.values, "form", "学习形式")
    if "mode" in changes:
        values["mode"] = _choice(changes["mode"], StudyMode.values, "mode", "线上或线下")
    if "hours" in changes:
        values["hours"] = _session_hours(changes["hours"], meeting.starts_at, meeting.ends_at)
    if "speaker" in changes:
        values["speaker"] = _text(changes["speaker"], "speaker", "主讲人", 100)
    if "plan_item" in changes:
        values["plan_item"] = _plan_item(changes["plan_item"], session.org_path, meeting.starts_at)
    diff = {}
    for name, value in values.items():
        old = getattr(session, name)
        if old != value:
            diff[name] = [old, value]
            setattr(session, name, value)
    if not diff:
        return session
    session.save(update_fields=list(diff))
    audit(actor, "study.session.updated", session, org_path=session.org_path, changes=diff)
    points_changed(_present_ids(meeting), meeting.starts_at)
    return session


# ---------------------------------------------------------------------------------------------
# Trainings


def _date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise AppError(f"{label}无效，应为 YYYY-MM-DD。", field=field) from None
    if not isinstance(value, dt.date):
        raise AppError(f"请填写{label}。", field=field)
    if value.year < YEAR_MIN:
        raise AppError(f"{label}无效，应在{YEAR_MIN}年以后。", field=field)
    return value


def _read_proof(proof) -> tuple[bytes, str, str]:
    try:
        data, _content_type, ext = read_document(
            proof,
            limit=settings.STUDY_FILE_MAX_BYTES,
            allowed=PROOF_KINDS,
            wrong_type=PROOF_WRONG_TYPE,
        )
    except AppError as exc:
        raise AppError(
            exc.message.replace("请选择要上传的文件", "请上传证明材料"), field="proof"
        ) from None
    # the name shown keeps the extension of what the file is (a download is served by it)
    name = clean_name(getattr(proof, "name", ""), default="证明材料")
    if name.lower().rsplit(".", 1)[-1] not in PROOF_EXTENSIONS[ext]:
        name = f"{name}.{ext}"
    return data, ext, name[-255:]


@transaction.atomic
def training_submit(
    *,
    actor,
    member: Member,
    title: str,
    provider: str,
    kind: str,
    started_on,
    ended_on,
    hours,
    is_concentrated: bool = False,
    proof=None,
) -> Training:
    """An external training: the member's own entry (with a proof) waits for approval; a
    holder of study.manage on the member's branch records it approved at once."""
    own = actor is not None and getattr(actor, "member_id", None) == member.pk
    if not own:
        _require(actor, member.org_path)
    # the member's row is the lock two entries of the same training queue on
    member = Member.all_objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise AppError("该党员已不在册，不能登记培训。", field="member")
    title = _text(title, "title", "培训名称", 200, required=True)
    provider = _text(provider, "provider", "举办单位", 200, required=True)
    kind = _choice(kind, TrainingKind.values, "kind", "培训类型")
    started_on = _date(started_on, "started_on", "开始日期")
    ended_on = _date(ended_on, "ended_on", "结束日期")
    if hours is None or hours == "":
        raise AppError("请填写学时。", field="hours")
    errors = rules.check_training(started_on, ended_on, hours, today=timezone.localdate())
    if errors:
        raise AppError(
            next(iter(errors.values())),
            field=next(iter(errors)),
            errors=list(errors.items()),
        )
    duplicate = (
        Training.all_objects.filter(
            member=member, title=title, started_on=started_on, ended_on=ended_on
        )
        .exclude(status=TrainingStatus.REJECTED)
        .first()
    )
    if duplicate is not None:
        raise AppError(
            f"该培训已登记（{duplicate.get_status_display()}），不能重复登记。", field="title"
        )
    if own and proof is None:
        raise AppError("请上传证明材料（结业证书、学时证明或截图）。", field="proof")
    proof_data = _read_proof(proof) if proof is not None else None
    now = timezone.now()
    training = Training(
        member=member,
        org_path=member.org_path,
        title=title,
        provider=provider,
        kind=kind,
        started_on=started_on,
        ended_on=ended_on,
        hours=rules.hours(hours),
        is_concentrated=bool(is_concentrated),
        submitted_by=_user(actor),
    )
    if not own:
        training.status = TrainingStatus.APPROVED
        training.decided_by = _user(actor)
        training.decided_at = now
    if proof_data is not None:
        data, ext, name = proof_data
        training.proof_name = name
        training.proof.save(f"proof.{ext}", ContentFile(data), save=False)
    try:
        training.save()
        audit(
            actor,
            "study.training.submitted" if own else "study.training.recorded",
            training,
            org_path=training.org_path,
            changes={
                "member": member.pk,
                "title": title,
                "kind": kind,
                "started_on": started_on,
                "ended_on": ended_on,
                "hours": training.hours,
                "is_concentrated": training.is_concentrated,
                "status": training.status,
                "proof": training.proof_name,
            },
        )
    except BaseException:
        if training.proof:
            training.proof.delete(save=False)
        raise
    if training.status == TrainingStatus.APPROVED:
        points_changed([member.pk], started_on)
    return training


@transaction.atomic
def training_decide(*, actor, training: Training, approve: bool, reason: str = "") -> Training:
    """Approve (the hours count) or reject (with a reason) a member's own entry. Nobody
    decides his own training. The managers are those of the member's branch now."""
    training = _locked_training(actor, training)
    if actor is not None and getattr(actor, "member_id", None) == training.member_id:
        raise AppError("不能审核本人的培训记录，请由其他管理人员审核。")
    if training.status != TrainingStatus.SUBMITTED:
        raise AppError(f"该培训已{training.get_status_display()}，不能再审核。")
    reason = _text(reason, "reason", "未认定原因", 200, required=not approve)
    training.status = TrainingStatus.APPROVED if approve else TrainingStatus.REJECTED
    training.reject_reason = "" if approve else reason
    training.decided_by = _user(actor)
    training.decided_at = timezone.now()
    training.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
    audit(
        actor,
        "study.training.approved" if approve else "study.training.rejected",
        training,
        org_path=training.member.org_path,
        changes={"status": [TrainingStatus.SUBMITTED, training.status], "reason": reason},
    )
    if approve:
        points_changed([training.member_id], training.started_on)
    return training


def _locked_training(actor, training: Training) -> Training:
    """The training re-read under a row lock, after checking study.manage on the member's
    current branch (before and after the lock: the member may have moved meanwhile)."""
    _require(actor, training.member.org_path)
    training = (
        Training.all_objects.select_for_update(of=("self",))
        .select_related("member")
        .get(pk=training.pk)
    )
    _require(actor, training.member.org_path)
    return training


@transaction.atomic
def training_revoke(*, actor, training: Training, reason: str) -> Training:
    """Withdraw an approval (a proof found false, a training entered twice): approved →
    rejected with the reason; the hours and points it gave are taken back. Not by the member
    himself."""
    training = _locked_training(actor, training)
    if actor is not None and getattr(actor, "member_id", None) == training.member_id:
        raise AppError("不能撤销本人的培训认定，请由其他管理人员办理。")
    if training.status != TrainingStatus.APPROVED:
        raise AppError(f"该培训{training.get_status_display()}，只能撤销已认定的培训。")
    reason = _text(reason, "reason", "撤销原因", 200, required=True)
    training.status = TrainingStatus.REJECTED
    training.reject_reason = reason
    training.decided_by = _user(actor)
    training.decided_at = timezone.now()
    training.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
    audit(
        actor,
        "study.training.revoked",
        training,
        org_path=training.member.org_path,
        changes={"status": [TrainingStatus.APPROVED, TrainingStatus.REJECTED], "reason": reason},
    )
    points_changed([training.member_id], training.started_on)
    return training


def training_proof_open(*, actor, training: Training):
    """Open a training's proof for someone who may read the training; audited."""
    own = actor is not None and getattr(actor, "member_id", None) == training.member_id
    if not own:
        _require(actor, training.member.org_path)
    if not training.proof:
        raise deny()
    handle = training.proof.open("rb")
    audit(
        actor,
        "study.training.proof_downloaded",
        training,
        org_path=training.member.org_path,
        changes={"name": training.proof_name},
    )
    return handle


# ---------------------------------------------------------------------------------------------
# Exemptions (R-EDU-03)


@transaction.atomic
def exemption_grant(*, actor, member: Member, year, reason: str, note: str = "") -> StudyExemption:
    """R-EDU-03: the member is not held to the year's hours (and leaves the denominators)."""
    _require(actor, member.org_path)
    year = _year(year)
    reason = _choice(reason, ExemptionReason.values, "reason", "免除原因")
    note = _text(note, "note", "说明", 200)
    if StudyExemption.all_objects.filter(member=member, year=year).exists():
        raise AppError(f"{member.name}{year}年已免除学时要求。", field="reason")
    try:
        with transaction.atomic():
            exemption = StudyExemption.all_objects.create(
                member=member,
                org_path=member.org_path,
                year=year,
                reason=reason,
                note=note,
                granted_by=_user(actor),
            )
    except IntegrityError:
        raise AppError(f"{member.name}{year}年已免除学时要求。", field="reason") from None
    audit(
        actor,
        "study.exemption.granted",
        exemption,
        org_path=exemption.org_path,
        changes={"member": member.pk, "year": year, "reason": reason, "note": note},
    )
    return exemption


@transaction.atomic
def exemption_revoke(*, actor, exemption: StudyExemption) -> None:
    """Revoke an exemption: by the managers of the member's branch now."""
    _require(actor, exemption.member.org_path)
    changes = {"member": exemption.member_id, "year": exemption.year, "reason": exemption.reason}
    audit(
        actor,
        "study.exemption.revoked",
        exemption,
        org_path=exemption.member.org_path,
        changes=changes,
    )
    exemption.delete()
