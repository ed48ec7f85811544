"""Write paths of 清廉机关: risk points (create, update, retire), warning-education sessions
(create, update, delete) and the yearly commitments (a member signs his own; a manager
records them for members of his subtree, one at a time or for a whole branch; a manager
revokes a wrong one). Each is atomic, checks access itself (integrity.manage on the org;
signing one's own needs only the account's member link), refuses bad input with a Chinese
message at the field and writes an audit entry (`integrity.<entity>.<verb>`).
See docs/integrity.md."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.integrity.models import (
    Commitment,
    EducationForm,
    RiskLevel,
    RiskPoint,
    WarningSession,
)
from dangjian.integrity.selectors import YEAR_MIN, present_count, session_for_meeting
from dangjian.members.models import Member, Standing
from dangjian.orglife.models import Meeting, MeetingStatus
from dangjian.orgs.models import Org, OrgKind

MANAGE = Cap.INTEGRITY_MANAGE
LIMITS = {
    "post": 100,
    "risk": 2000,
    "measures": 5000,
    "owner_name": 50,
    "title": 200,
    "note": 5000,
    "text": 5000,
    "reason": 200,
}
ATTENDEES_MAX = 100_000
#: a bulk record takes at most this many members (a branch is far smaller)
BULK_MAX = 1000

#: the commitment text a member signs when none is given (a generic 廉洁承诺书; a unit may
#: record its own wording with the commitment)
DEFAULT_TEXT = (
    "本人郑重承诺：坚定理想信念，严守党的政治纪律和政治规矩；严格执行中央八项规定及其实施细则"
    "精神，坚决反对“四风”；秉公用权、廉洁从政，不利用职务之便为本人、亲属及身边人员谋取私利；"
    "不违规收送礼品礼金，不违规吃喝；严格落实个人有关事项报告制度；自觉接受组织和群众监督。"
    "如有违反，自愿接受组织处理。"
)

RISK_FIELDS = ["org", "year", "post", "risk", "level", "measures", "owner_name", "owner"]
SESSION_FIELDS = ["org", "held_on", "title", "form", "meeting", "attendees", "note"]


def _require(actor, path: str) -> None:
    """integrity.manage on the node (`actor=None` is the system: demo, jobs)."""
    if actor is not None and not can(actor, MANAGE, path):
        raise deny()


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _text(value, field: str, label: str, errors: list, *, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        errors.append((field, f"请填写{label}。"))
    elif len(value) > LIMITS[field]:
        errors.append((field, f"{label}不能超过{LIMITS[field]}字。"))
    return value


def _year(value, errors: list, today: dt.date, *, latest: int | None = None) -> int | None:
    latest = latest or today.year + 1
    if value in (None, ""):
        errors.append(("year", "请填写年度。"))
        return None
    try:
        year = int(value)
    except (TypeError, ValueError):
        errors.append(("year", "年度须为四位数字。"))
        return None
    if not YEAR_MIN <= year <= latest:
        errors.append(("year", f"年度须在{YEAR_MIN}年至{latest}年之间。"))
        return None
    return year


def _active_org(org, errors: list) -> None:
    if org is None:
        errors.append(("org", "请选择组织。"))
    elif org.dissolved_on is not None:
        errors.append(("org", "该组织已撤销，不能登记。"))
    elif org.kind == OrgKind.GROUP:
        errors.append(("org", "党小组不单独登记，请选择所在党支部。"))


def _raise(errors: list) -> None:
    if errors:
        field, message = errors[0]
        raise AppError(message, field=field, errors=errors)


# ---------------------------------------------------------------------------------------------
# 廉政风险点


def _check_risk(actor, values: dict, today: dt.date, *, exclude_id: int | None = None) -> dict:
    """Validate a risk point's values (all of them at once) and return them cleaned."""
    errors: list = []
    org = values.get("org")
    _active_org(org, errors)
    if org is not None:
        _require(actor, org.path)
    out = {"org": org}
    out["year"] = _year(values.get("year"), errors, today)
    out["post"] = _text(values.get("post"), "post", "岗位", errors)
    out["risk"] = _text(values.get("risk"), "risk", "风险描述", errors)
    level = values.get("level") or ""
    if level not in RiskLevel.values:
        errors.append(("level", "请选择风险等级（高、中、低）。"))
    out["level"] = level
    out["measures"] = _text(values.get("measures"), "measures", "防控措施", errors)
    owner = values.get("owner")
    if owner is not None:
        if not owner.is_active or owner.standing == Standing.SUSPENDED:
            errors.append(("owner", "责任人须为在册党员。"))
        elif actor is not None and not can(actor, Cap.MEMBER_VIEW, owner.org_path):
            errors.append(("owner", "责任人须为您管理范围内的党员。"))
        # the name comes from the member record: derived, never typed twice
        out["owner_name"] = owner.name[: LIMITS["owner_name"]]
    else:
        out["owner_name"] = _text(values.get("owner_name"), "owner_name", "责任人", errors)
    out["owner"] = owner
    _raise(errors)
    same = RiskPoint.objects.unscoped().filter(
        org=org, year=out["year"], post=out["post"], risk=out["risk"], retired_on__isnull=True
    )
    if exclude_id:
        same = same.exclude(pk=exclude_id)
    if same.exists():
        raise AppError("该组织本年度已登记相同岗位的相同风险点。", field="risk")
    return out


@transaction.atomic
def risk_point_create(
    *,
    actor,
    org: Org,
    year: int,
    post: str,
    risk: str,
    level: str,
    measures: str,
    owner_name: str = "",
    owner: Member | None = None,
    today: dt.date | None = None,
) -> RiskPoint:
    """Register a 廉政风险点 of a post in `org` for `year` (integrity.manage on `org`)."""
    today = today or timezone.localdate()
    values = _check_risk(
        actor,
        {
            "org": org,
            "year": year,
            "post": post,
            "risk": risk,
            "level": level,
            "measures": measures,
            "owner_name": owner_name,
            "owner": owner,
        },
        today,
    )
    point = RiskPoint.objects.create(org_path=org.path, created_by=_user(actor), **values)
    audit(
        actor,
        "integrity.risk_point.created",
        point,
        org_path=org.path,
        changes=snapshot(point, RISK_FIELDS),
    )
    return point


def _locked_risk(point: RiskPoint) -> RiskPoint:
    return RiskPoint.all_objects.select_for_update().select_related("org").get(pk=point.pk)


@transaction.atomic
def risk_point_update(
    *, actor, risk_point: RiskPoint, today: dt.date | None = None, **changes
) -> RiskPoint:
    """Change a risk point's fields (any of org, year, post, risk, level, measures,
    owner_name, owner); integrity.manage on its org, and on the new org when moved."""
    unknown = set(changes) - set(RISK_FIELDS)
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    today = today or timezone.localdate()
    _require(actor, risk_point.org_path)
    point = _locked_risk(risk_point)
    if point.retired_on is not None:
        raise AppError("该风险点已停用，不能修改。")
    values = {name: getattr(point, name) for name in RISK_FIELDS}
    values.update(changes)
    if "owner" in changes and changes["owner"] is None and "owner_name" not in changes:
        values["owner_name"] = ""
    if "owner_name" in changes and "owner" not in changes:
        values["owner"] = None  # a typed name replaces the linked member
    cleaned = _check_risk(actor, values, today, exclude_id=point.pk)
    before = snapshot(point, RISK_FIELDS)
    for name, value in cleaned.items():
        setattr(point, name, value)
    point.org_path = point.org.path
    changed = diff(before, snapshot(point, RISK_FIELDS))
    if not changed:
        return point
    point.save(update_fields=[*changed, "org_path", "updated_at"])
    audit(actor, "integrity.risk_point.updated", point, org_path=point.org_path, changes=changed)
    return point


@transaction.atomic
def risk_point_retire(
    *,
    actor,
    risk_point: RiskPoint,
    retired_on: dt.date | None = None,
    reason: str = "",
    today: dt.date | None = None,
) -> RiskPoint:
    """停用 a risk point (the post was abolished, the risk is gone); it stays in the register
    as history."""
    today = today or timezone.localdate()
    _require(actor, risk_point.org_path)
    point = _locked_risk(risk_point)
    if point.retired_on is not None:
        raise AppError(f"该风险点已于{point.retired_on:%Y-%m-%d}停用。")
    retired_on = retired_on or today
    if retired_on > today:
        raise AppError("停用日期不能晚于今天。", field="retired_on")
    if retired_on < dt.date(point.year, 1, 1):
        raise AppError("停用日期不能早于风险点所属年度。", field="retired_on")
    errors: list = []
    reason = _text(reason, "reason", "停用原因", errors, required=False)
    _raise(errors)
    point.retired_on = retired_on
    point.save(update_fields=["retired_on", "updated_at"])
    audit(
        actor,
        "integrity.risk_point.retired",
        point,
        org_path=point.org_path,
        changes={"retired_on": retired_on, "reason": reason},
    )
    return point


# ---------------------------------------------------------------------------------------------
# 警示教育


def _check_session(actor, values: dict, today: dt.date, *, exclude_id: int | None = None) -> dict:
    errors: list = []
    org = values.get("org")
    _active_org(org, errors)
    if org is not None:
        _require(actor, org.path)
    meeting: Meeting | None = values.get("meeting")
    out: dict = {"org": org, "meeting": meeting}
    if meeting is not None and org is not None:
        if not meeting.org_path.startswith(org.path) or (
            actor is not None and not can(actor, Cap.MEMBER_VIEW, meeting.org_path)
        ):
            errors.append(("meeting", "请选择本组织或下级组织的会议。"))
            meeting = None
        elif meeting.status == MeetingStatus.PLANNED:
            errors.append(("meeting", "该会议尚未登记召开情况，不能关联。"))
            meeting = None
        elif session_for_meeting(meeting, exclude_id) is not None:
            errors.append(("meeting", "该会议已登记为一次警示教育。"))
            meeting = None
    held_on = values.get("held_on")
    if meeting is not None:
        meeting_day = timezone.localdate(meeting.starts_at)
        if held_on is None:
            held_on = meeting_day
        elif held_on != meeting_day:
            errors.append(
                ("held_on", f"日期须与关联会议一致（{meeting_day:%Y-%m-%d}），可留空自动带出。")
            )
    if held_on is None:
        errors.append(("held_on", "请填写日期。"))
    elif held_on > today:
        errors.append(("held_on", "日期不能晚于今天：请在活动开展后登记。"))
    elif held_on.year < YEAR_MIN:
        errors.append(("held_on", f"日期不能早于{YEAR_MIN}年。"))
    out["held_on"] = held_on
    title = values.get("title")
    if not (title or "").strip() and meeting is not None:
        title = meeting.topic
    out["title"] = _text(title, "title", "主题", errors)
    form = values.get("form") or ""
    if form not in EducationForm.values:
        errors.append(("form", "请选择教育形式。"))
    out["form"] = form
    attendees = values.get("attendees")
    if attendees in (None, ""):
        if meeting is not None:
            attendees = present_count(meeting)  # 实到 of the meeting: derived, not re-typed
        else:
            errors.append(("attendees", "请填写参加人次（关联会议时自动取会议实到人数）。"))
    else:
        try:
            attendees = int(attendees)
        except (TypeError, ValueError):
            errors.append(("attendees", "参加人次须为整数。"))
            attendees = None
        else:
            if not 0 < attendees <= ATTENDEES_MAX:
                errors.append(("attendees", f"参加人次须在1至{ATTENDEES_MAX}之间。"))
    out["attendees"] = attendees
    out["note"] = _text(values.get("note"), "note", "情况说明", errors, required=False)
    _raise(errors)
    return out


@transaction.atomic
def warning_session_create(
    *,
    actor,
    org: Org,
    form: str,
    title: str = "",
    held_on: dt.date | None = None,
    meeting: Meeting | None = None,
    attendees: int | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> WarningSession:
    """Register a 警示教育 session of `org` (integrity.manage). Linked to a held meeting of the
    org's subtree, its date, topic and 参加人次 (the meeting's 实到) are taken from the meeting
    unless given."""
    today = today or timezone.localdate()
    values = _check_session(
        actor,
        {
            "org": org,
            "form": form,
            "title": title,
            "held_on": held_on,
            "meeting": meeting,
            "attendees": attendees,
            "note": note,
        },
        today,
    )
    session = WarningSession.objects.create(org_path=org.path, created_by=_user(actor), **values)
    audit(
        actor,
        "integrity.warning_session.created",
        session,
        org_path=org.path,
        changes=snapshot(session, SESSION_FIELDS),
    )
    return session


@transaction.atomic
def warning_session_update(
    *, actor, session: WarningSession, today: dt.date | None = None, **changes
) -> WarningSession:
    """Change a session (any of org, held_on, title, form, meeting, attendees, note).
    `attendees=None` with a linked meeting takes the meeting's 实到 again."""
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    today = today or timezone.localdate()
    _require(actor, session.org_path)
    current = WarningSession.all_objects.select_for_update().get(pk=session.pk)
    values = {name: getattr(current, name) for name in SESSION_FIELDS}
    if "meeting" in changes and changes["meeting"] != current.meeting:
        # a new meeting brings its own date and count unless they are given
        values["held_on"] = None
        values["attendees"] = None
    values.update(changes)
    cleaned = _check_session(actor, values, today, exclude_id=current.pk)
    before = snapshot(current, SESSION_FIELDS)
    for name, value in cleaned.items():
        setattr(current, name, value)
    current.org_path = current.org.path
    changed = diff(before, snapshot(current, SESSION_FIELDS))
    if not changed:
        return current
    current.save(update_fields=[*changed, "org_path"])
    audit(
        actor,
        "integrity.warning_session.updated",
        current,
        org_path=current.org_path,
        changes=changed,
    )
    return current


@transaction.atomic
def warning_session_delete(*, actor, session: WarningSession) -> None:
    """Remove a session registered by mistake; the audit entry keeps what it said."""
    _require(actor, session.org_path)
    current = WarningSession.all_objects.select_for_update().filter(pk=session.pk).first()
    if current is None:
        raise AppError("该警示教育记录已删除。")
    kept = snapshot(current, SESSION_FIELDS)
    audit(
        actor,
        "integrity.warning_session.deleted",
        current,
        org_path=current.org_path,
        changes=kept,
    )
    current.delete()


# ---------------------------------------------------------------------------------------------
# 廉洁承诺


def _duplicate(member: Member, existing: Commitment) -> AppError:
    return AppError(
        f"{member.name}{existing.year}年度的廉洁承诺已于{existing.signed_on:%Y-%m-%d}签订，"
        "每人每年只签订一次。",
        field="member",
        code="duplicate",
    )


def _signable(member: Member, on: dt.date, errors: list, field: str = "member") -> None:
    if member.standing == Standing.SUSPENDED:
        errors.append((field, f"{member.name}已停止党籍，不能签订廉洁承诺。"))
    elif member.left_on is not None and member.left_on <= on:
        errors.append((field, f"{member.name}已不在党员名册中，不能签订廉洁承诺。"))


def _signed_on(signed_on, year: int | None, errors: list, today: dt.date) -> dt.date | None:
    signed_on = signed_on or today
    if signed_on > today:
        errors.append(("signed_on", "签订日期不能晚于今天。"))
    elif year is not None and signed_on.year not in (year - 1, year):
        errors.append(("signed_on", f"签订日期须在{year - 1}年或{year}年内。"))
    return signed_on


def _insert(commitments: list[Commitment]) -> list[Commitment]:
    """Insert under a savepoint: a concurrent signature of the same member and year hits the
    unique constraint, and is refused like the one found before."""
    try:
        with transaction.atomic():
            if len(commitments) == 1:
                commitments[0].save(force_insert=True)
                return commitments
            return Commitment.objects.bulk_create(commitments)
    except IntegrityError:
        raise AppError(
            "所选党员中有人本年度已签订廉洁承诺，每人每年只签订一次。请刷新后重试。",
            field="member",
            code="duplicate",
        ) from None


@transaction.atomic
def commitment_sign(
    *,
    actor,
    member: Member | None = None,
    year: int | None = None,
    signed_on: dt.date | None = None,
    text: str | None = None,
    today: dt.date | None = None,
) -> Commitment:
    """A member signs his own 廉洁承诺 for this year (`member` None or his own: the account's
    member link, signed today); or a manager (integrity.manage on the member's branch)
    records a member's signed commitment for `year` on `signed_on`. One per member and
    year: a second is refused. The commitment belongs to the member's branch at signing."""
    today = today or timezone.localdate()
    own_id = getattr(actor, "member_id", None)
    errors: list = []
    if member is None or (
        own_id and member.pk == own_id and not can(actor, MANAGE, member.org_path)
    ):
        if not own_id:
            raise AppError("您的账号未关联党员，不能签订廉洁承诺。")
        member = Member.objects.unscoped().select_related("branch").get(pk=own_id)
        own = True
        if year not in (None, today.year):
            raise AppError(f"只能签订本年度（{today.year}年）的廉洁承诺。", field="year")
        year, signed_on = today.year, today
    else:
        own = False
        _require(actor, member.org_path)
        year = _year(year if year is not None else today.year, errors, today)
        signed_on = _signed_on(signed_on, year, errors, today)
    _signable(member, signed_on or today, errors)
    text = _text(text if text is not None else DEFAULT_TEXT, "text", "承诺内容", errors)
    _raise(errors)
    existing = Commitment.objects.unscoped().filter(member=member, year=year).first()
    if existing is not None:
        raise _duplicate(member, existing)
    commitment = Commitment(
        member=member,
        org_id=member.branch_id,
        org_path=member.org_path,
        year=year,
        signed_on=signed_on,
        text=text,
        recorded_by=_user(actor),
    )
    _insert([commitment])
    audit(
        actor,
        "integrity.commitment.signed" if own else "integrity.commitment.recorded",
        commitment,
        org_path=commitment.org_path,
        changes={
            "member": member.pk,
            "org": member.branch_id,
            "year": year,
            "signed_on": signed_on,
        },
    )
    return commitment


@transaction.atomic
def commitment_sign_bulk(
    *,
    actor,
    branch: Org,
    members: list[Member],
    year: int,
    signed_on: dt.date | None,
    text: str | None = None,
    today: dt.date | None = None,
) -> list[Commitment]:
    """A manager records the signed commitments of several members of one branch at once,
    all signed on one day (a branch's 集中签订). All or nothing: a member already signed
    for the year, or not on the branch's roster, refuses the whole record."""
    today = today or timezone.localdate()
    _require(actor, branch.path)
    errors: list = []
    if branch.kind != OrgKind.BRANCH:
        raise AppError("廉洁承诺按党支部集中登记，请选择党支部。", field="org")
    year = _year(year, errors, today)
    signed_on = _signed_on(signed_on, year, errors, today)
    members = list({m.pk: m for m in members or []}.values())
    if not members:
        errors.append(("members", "请选择已签订的党员。"))
    elif len(members) > BULK_MAX:
        errors.append(("members", f"一次最多登记{BULK_MAX}人。"))
    for m in members:
        if m.branch_id != branch.pk:
            errors.append(("members", f"{m.name}不是{branch.name}的党员。"))
        else:
            _signable(m, signed_on or today, errors, field="members")
    text = _text(text if text is not None else DEFAULT_TEXT, "text", "承诺内容", errors)
    _raise(errors)
    existing = list(
        Commitment.objects.unscoped()
        .filter(member__in=[m.pk for m in members], year=year)
        .select_related("member")
    )
    if existing:
        names = "、".join(c.member.name for c in existing)
        raise AppError(
            f"以下党员{year}年度已签订廉洁承诺，每人每年只签订一次：{names}。",
            field="members",
            code="duplicate",
        )
    created = _insert(
        [
            Commitment(
                member=m,
                org=branch,
                org_path=branch.path,
                year=year,
                signed_on=signed_on,
                text=text,
                recorded_by=_user(actor),
            )
            for m in members
        ]
    )
    audit(
        actor,
        "integrity.commitment.recorded",
        branch,
        org_path=branch.path,
        changes={
            "year": year,
            "signed_on": signed_on,
            "members": [m.pk for m in members],
            "count": len(created),
        },
    )
    return created


@transaction.atomic
def commitment_revoke(*, actor, commitment: Commitment, reason: str) -> None:
    """A manager removes a commitment recorded by mistake (wrong member or year); the audit
    entry keeps what it said and why it went."""
    _require(actor, commitment.org_path)
    errors: list = []
    reason = _text(reason, "reason", "撤销原因", errors)
    _raise(errors)
    current = Commitment.all_objects.select_for_update().filter(pk=commitment.pk).first()
    if current is None:
        raise AppError("该廉洁承诺已撤销。")
    audit(
        actor,
        "integrity.commitment.revoked",
        current,
        org_path=current.org_path,
        changes={
            "member": current.member_id,
            "year": current.year,
            "signed_on": current.signed_on,
            "reason": reason,
        },
    )
    current.delete()
