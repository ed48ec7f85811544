"""Write paths of the 银龄志愿服务队: teams, their members and their activities. Atomic,
access-checked (veterans.manage on the row's node; `actor=None` is the system), refused in
Chinese at the field before anything is written, audited (`veterans.<entity>.<verb>`).
Studios, care sessions, exemplars and mediation cases are in services_activities_care.py;
the shared input checks in services_activities_common.py. See docs/veterans-activities.md."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.veterans.models import (
    Resource,
    Retiree,
    TeamMembership,
    VolunteerActivity,
    VolunteerTeam,
)
from dangjian.veterans.services_activities_common import (  # noqa: F401  (re-exported)
    LIMITS,
    MANAGE,
    choice,
    count,
    date,
    hours_of,
    in_subtree,
    raise_errors,
    require,
    retiree_of,
    text,
)

TEAM_FIELDS = ["org", "name", "focus", "founded_on", "leader", "disbanded_on"]
ACTIVITY_FIELDS = ["team", "title", "held_on", "place", "resource", "hours", "beneficiaries"]

# ---------------------------------------------------------------------------------------------
# Teams


def _check_team(
    values: dict, today: dt.date, actor, org_path: str, exclude_id=None, keep_id=None
) -> dict:
    errors: list = []
    out = {
        "name": text(values.get("name"), "name", "队名", errors),
        "focus": text(values.get("focus"), "focus", "服务内容", errors, required=False),
        "founded_on": date(values.get("founded_on"), "founded_on", "成立日期", errors, today),
        "leader": retiree_of(
            values.get("leader"),
            "leader",
            "队长",
            errors,
            org_path=org_path,
            actor=actor,
            keep_id=keep_id,
        ),
    }
    raise_errors(errors)
    same = VolunteerTeam.objects.unscoped().filter(org_id=values["org"].pk, name=out["name"])
    if exclude_id:
        same = same.exclude(pk=exclude_id)
    if same.exists():
        raise AppError(f"本单位已有“{out['name']}”。", field="name", code="duplicate")
    return out


def _save_new(obj, message: str, field: str):
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError:
        raise AppError(message, field=field, code="duplicate") from None
    return obj


@transaction.atomic
def team_create(
    *, actor, org, name, founded_on, focus: str = "", leader=None, today=None
) -> VolunteerTeam:
    """A 银龄志愿服务队 of `org` (the unit's Party body or one of its retiree branches)."""
    today = today or timezone.localdate()
    if org is None:
        raise AppError("请选择所属组织。", field="org")
    require(actor, org.path)
    values = {"org": org, "name": name, "focus": focus, "founded_on": founded_on}
    values["leader"] = leader
    cleaned = _check_team(values, today, actor, org.path)
    team = _save_new(
        VolunteerTeam(org=org, org_path=org.path, **cleaned), "本单位已有同名服务队。", "name"
    )
    if team.leader is not None:
        TeamMembership.objects.create(team=team, retiree=team.leader, joined_on=team.founded_on)
    audit(
        actor,
        "veterans.team.created",
        team,
        org_path=team.org_path,
        changes=snapshot(team, TEAM_FIELDS),
    )
    return team


@transaction.atomic
def team_update(*, actor, team: VolunteerTeam, today=None, **changes) -> VolunteerTeam:
    """Correct a team's name, focus, founding date or leader (a new leader joins the team)."""
    today = today or timezone.localdate()
    unknown = set(changes) - {"name", "focus", "founded_on", "leader"}
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    require(actor, team.org_path)
    current = VolunteerTeam.objects.unscoped().select_for_update().get(pk=team.pk)
    if current.disbanded_on is not None:
        raise AppError("该服务队已撤销，不能修改。")
    values = {n: getattr(current, n) for n in ("name", "focus", "founded_on", "leader")}
    values.update(changes)
    values["org"] = current.org
    cleaned = _check_team(
        values, today, actor, current.org_path, exclude_id=current.pk, keep_id=current.leader_id
    )
    before = snapshot(current, TEAM_FIELDS)
    for key, value in cleaned.items():
        setattr(current, key, value)
    changed = diff(before, snapshot(current, TEAM_FIELDS))
    if not changed:
        return current
    fields = ["leader_id" if k == "leader" else k for k in changed]
    try:
        with transaction.atomic():
            current.save(update_fields=fields)
    except IntegrityError:
        raise AppError("本单位已有同名服务队。", field="name", code="duplicate") from None
    leader = current.leader
    if "leader" in changed and leader is not None:
        live = TeamMembership.objects.filter(team=current, retiree=leader, left_on__isnull=True)
        if not live.exists():
            TeamMembership.objects.create(
                team=current, retiree=leader, joined_on=max(today, current.founded_on)
            )
    audit(actor, "veterans.team.updated", current, org_path=current.org_path, changes=changed)
    return current


@transaction.atomic
def team_disband(*, actor, team: VolunteerTeam, disbanded_on, today=None) -> VolunteerTeam:
    """撤销: the team stays on record; its live members leave on the same day."""
    today = today or timezone.localdate()
    require(actor, team.org_path)
    current = VolunteerTeam.objects.unscoped().select_for_update().get(pk=team.pk)
    errors: list = []
    on = date(disbanded_on, "disbanded_on", "撤销日期", errors, today)
    raise_errors(errors)
    if current.disbanded_on is not None:
        raise AppError("该服务队已撤销。", field="disbanded_on")
    if on < current.founded_on:
        raise AppError("撤销日期不能早于成立日期。", field="disbanded_on")
    current.disbanded_on = on
    current.save(update_fields=["disbanded_on"])
    live = TeamMembership.objects.filter(team=current, left_on__isnull=True)
    # one who joined after the day the team was disbanded on leaves the day he joined
    left = live.filter(joined_on__lte=on).update(left_on=on)
    left += live.filter(joined_on__gt=on).update(left_on=F("joined_on"))
    audit(
        actor,
        "veterans.team.disbanded",
        current,
        org_path=current.org_path,
        changes={"disbanded_on": on, "members_left": left},
    )
    return current


# ---------------------------------------------------------------------------------------------
# Members


@transaction.atomic
def team_member_add(
    *, actor, team: VolunteerTeam, retiree, joined_on, today=None
) -> TeamMembership:
    """A retiree joins the team; once per live membership."""
    today = today or timezone.localdate()
    require(actor, team.org_path)
    team = VolunteerTeam.objects.unscoped().select_for_update().get(pk=team.pk)
    errors: list = []
    who = retiree_of(retiree, "retiree", "队员", errors, org_path=team.org_path, actor=actor)
    if who is None and not errors:
        errors.append(("retiree", "请选择队员。"))
    on = date(joined_on, "joined_on", "加入日期", errors, today)
    raise_errors(errors)
    if team.disbanded_on is not None:
        raise AppError("该服务队已撤销，不能加入新队员。", field="retiree")
    if on < team.founded_on:
        raise AppError("加入日期不能早于服务队成立日期。", field="joined_on")
    live = TeamMembership.objects.filter(team=team, retiree=who, left_on__isnull=True)
    if live.exists():
        raise AppError(f"{who.name}已是本队队员。", field="retiree", code="duplicate")
    membership = _save_new(
        TeamMembership(team=team, retiree=who, joined_on=on),
        f"{who.name}已是本队队员。",
        "retiree",
    )
    audit(
        actor,
        "veterans.team_member.added",
        team,
        org_path=team.org_path,
        changes={"retiree": who.pk, "name": who.name, "joined_on": on},
    )
    return membership


@transaction.atomic
def team_member_leave(*, actor, membership: TeamMembership, left_on, today=None):
    today = today or timezone.localdate()
    team = membership.team
    require(actor, team.org_path)
    current = TeamMembership.objects.select_for_update().get(pk=membership.pk)
    errors: list = []
    on = date(left_on, "left_on", "退出日期", errors, today)
    raise_errors(errors)
    if current.left_on is not None:
        raise AppError("该队员已退出。", field="left_on")
    if on < current.joined_on:
        raise AppError("退出日期不能早于加入日期。", field="left_on")
    current.left_on = on
    current.save(update_fields=["left_on"])
    audit(
        actor,
        "veterans.team_member.left",
        team,
        org_path=team.org_path,
        changes={"retiree": current.retiree_id, "left_on": on},
    )
    return current


# ---------------------------------------------------------------------------------------------
# Activities


def members_on(team: VolunteerTeam, on: dt.date) -> dict[int, Retiree]:
    """The team's members on a day (joined by then, not left before), by retiree id."""
    rows = (
        TeamMembership.objects.filter(team=team, joined_on__lte=on)
        .exclude(left_on__lt=on)
        .select_related("retiree")
    )
    return {m.retiree_id: m.retiree for m in rows}


@transaction.atomic
def volunteer_activity_record(
    *,
    actor,
    team: VolunteerTeam,
    title,
    held_on,
    hours,
    participants,
    beneficiaries=0,
    place: str = "",
    resource: str = Resource.SILVER,
    summary: str = "",
    today=None,
) -> VolunteerActivity:
    """One activity of the team: the participants (the team's members on that day), the
    hours each gave (0 < h ≤ 24), the people served."""
    today = today or timezone.localdate()
    require(actor, team.org_path)
    team = VolunteerTeam.objects.unscoped().get(pk=team.pk)
    errors: list = []
    values = {
        "title": text(title, "title", "活动名称", errors),
        "held_on": date(held_on, "held_on", "活动日期", errors, today),
        "place": text(place, "place", "地点", errors, limit=100, required=False),
        "resource": choice(resource, "resource", "资源类别", Resource, errors, default="silver"),
        "hours": hours_of(hours, errors),
        "beneficiaries": count(beneficiaries, "beneficiaries", "服务对象人次", errors),
        "summary": text(summary, "summary", "活动情况", errors, required=False),
    }
    people = list(participants or [])
    if not people:
        errors.append(("participants", "请选择参与队员。"))
    held = values["held_on"]
    if held is not None and held < team.founded_on:
        errors.append(("held_on", "活动日期不能早于服务队成立日期。"))
    if held is not None and team.disbanded_on is not None and held > team.disbanded_on:
        errors.append(("held_on", "服务队已于该日期前撤销。"))
    if held is not None and people:
        members = members_on(team, held)
        outside = [p for p in people if getattr(p, "pk", None) not in members]
        if outside:
            names = "、".join(getattr(p, "name", str(p)) for p in outside[:5])
            errors.append(("participants", f"{names}不是本队队员（活动当日），不能作为参与队员。"))
    raise_errors(errors)
    activity = VolunteerActivity.objects.create(team=team, org_path=team.org_path, **values)
    ids = sorted({p.pk for p in people})
    activity.participants.set(ids)
    audit(
        actor,
        "veterans.volunteer_activity.recorded",
        activity,
        org_path=activity.org_path,
        changes={**snapshot(activity, ACTIVITY_FIELDS), "participants": ids},
    )
    return activity
