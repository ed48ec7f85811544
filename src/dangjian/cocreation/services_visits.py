"""Write paths of the campaigns (专项行动) a unit runs in its paired places, the visits
(下基层察民情解民忧暖民心) and the problems found on them, each tracked to resolution
(待办理 → 办理中 → 已解决 / 暂不能解决（已解释）). Atomic, access-checked, refused in Chinese at
the field, audited. See docs/cocreation.md."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dangjian.cocreation.models import (
    Campaign,
    Community,
    Pairing,
    Problem,
    ProblemStatus,
    Visit,
)
from dangjian.cocreation.services_common import (
    count,
    date,
    flag,
    is_unit_top,
    raise_errors,
    require,
    text,
    user_of,
)
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.orgs.models import Org
from dangjian.rules import cocreation as rules

CAMPAIGN_FIELDS = [
    "title",
    "content",
    "starts_on",
    "ends_on",
    "cadres",
    "residents",
    "results",
    "is_public",
]
VISIT_FIELDS = ["pairing", "visited_on", "visitors", "households", "summary", "is_public"]
PROBLEM_FIELDS = [
    "description",
    "raised_by",
    "owner_name",
    "due_on",
    "status",
    "resolution",
    "resolved_on",
]
#: the problems one visit may record at once
PROBLEMS_MAX = 50

# ---------------------------------------------------------------------------------------------
# Campaigns


def _paired_ids(org: Org) -> set[int]:
    """The communities the unit is or was paired with."""
    return set(Pairing.objects.unscoped().filter(org=org).values_list("community_id", flat=True))


def _check_campaign(org: Org, values: dict, today: dt.date) -> tuple[dict, list]:
    errors: list = []
    out = {
        "title": text(values.get("title"), "title", "行动名称", errors),
        "content": text(values.get("content"), "content", "内容", errors, required=False),
        "results": text(values.get("results"), "results", "成效", errors, required=False),
    }
    out["starts_on"] = date(values.get("starts_on"), "starts_on", "开始日期", errors, today)
    out["ends_on"] = date(values.get("ends_on"), "ends_on", "结束日期", errors, today)
    errors.extend(
        rules.check_order(
            out["starts_on"],
            out["ends_on"],
            field="ends_on",
            message="结束日期不能早于开始日期。",
        )
    )
    out["cadres"] = count(values.get("cadres"), "cadres", "参与干部人次", errors, default=0)
    out["residents"] = count(
        values.get("residents"), "residents", "参与群众人次", errors, default=0
    )
    out["is_public"] = flag(values.get("is_public"))
    communities = list(values.get("communities") or [])
    paired = _paired_ids(org)
    if any(not isinstance(c, Community) or c.pk not in paired for c in communities):
        errors.append(("communities", "只能选择本单位包联的村（社区）。"))
    raise_errors(errors)
    return out, communities


@transaction.atomic
def campaign_create(
    *,
    actor,
    org: Org,
    title: str,
    starts_on,
    ends_on,
    communities=(),
    content: str = "",
    cadres=0,
    residents=0,
    results: str = "",
    is_public: bool = True,
    today: dt.date | None = None,
) -> Campaign:
    """专项行动 of a unit (its top Party body) in some of its paired places, with dates,
    content, participation (person-times) and results."""
    today = today or timezone.localdate()
    if org is None:
        raise AppError("请选择组织单位。", field="org")
    require(actor, org.path)
    if not is_unit_top(org) or org.dissolved_on is not None:
        raise AppError("专项行动以单位登记，请选择单位的党组（党委）。", field="org")
    values, places = _check_campaign(
        org,
        {
            "title": title,
            "content": content,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "cadres": cadres,
            "residents": residents,
            "results": results,
            "is_public": is_public,
            "communities": communities,
        },
        today,
    )
    campaign = Campaign.objects.create(
        org=org, org_path=org.path, created_by=user_of(actor), **values
    )
    if places:
        campaign.communities.set(places)
    audit(
        actor,
        "cocreation.campaign.created",
        campaign,
        org_path=campaign.org_path,
        changes={
            **snapshot(campaign, CAMPAIGN_FIELDS),
            "communities": sorted(c.pk for c in places),
        },
    )
    return campaign


@transaction.atomic
def campaign_update(
    *, actor, campaign: Campaign, communities=None, today: dt.date | None = None, **fields
) -> Campaign:
    """Change a campaign (its results and participation are often known only afterwards)."""
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    today = today or timezone.localdate()
    require(actor, campaign.org_path)
    current = Campaign.all_objects.select_for_update().select_related("org").get(pk=campaign.pk)
    values = {name: getattr(current, name) for name in CAMPAIGN_FIELDS}
    values.update(fields)
    old_places = list(current.communities.all())
    values["communities"] = old_places if communities is None else communities
    cleaned, places = _check_campaign(current.org, values, today)
    before = snapshot(current, CAMPAIGN_FIELDS)
    for name, value in cleaned.items():
        setattr(current, name, value)
    changed = diff(before, snapshot(current, CAMPAIGN_FIELDS))
    old_ids, new_ids = sorted(c.pk for c in old_places), sorted(c.pk for c in places)
    if changed:
        current.save(update_fields=list(changed))
    if old_ids != new_ids:
        current.communities.set(places)
        changed["communities"] = [old_ids, new_ids]
    if changed:
        audit(
            actor,
            "cocreation.campaign.updated",
            current,
            org_path=current.org_path,
            changes=changed,
        )
    return current


# ---------------------------------------------------------------------------------------------
# Visits and problems


def _check_problem(item, index: int | None, visited_on, today: dt.date, errors: list) -> dict:
    """One problem (a dict with description, owner_name, due_on, raised_by)."""
    where = f"第{index}个问题：" if index is not None else ""
    found: list = []
    if not isinstance(item, dict):
        errors.append(("problems", f"{where}格式有误。"))
        return {}
    out = {
        "description": text(item.get("description"), "description", "问题描述", found),
        "owner_name": text(item.get("owner_name"), "owner_name", "责任人", found),
        "raised_by": text(item.get("raised_by"), "raised_by", "反映人", found, required=False),
    }
    out["due_on"] = date(item.get("due_on"), "due_on", "办理时限", found, today)
    if visited_on is not None:
        found.extend(
            rules.check_order(
                visited_on,
                out["due_on"],
                field="due_on",
                message="办理时限不能早于走访日期。",
            )
        )
    field = "problems" if index is not None else None
    errors.extend((field or f, f"{where}{m}") for f, m in found)
    return out


@transaction.atomic
def visit_record(
    *,
    actor,
    pairing: Pairing,
    visited_on,
    visitors: str,
    summary: str,
    households=0,
    is_public: bool = False,
    problems=(),
    today: dt.date | None = None,
) -> Visit:
    """A visit to a paired place (下基层察民情解民忧暖民心): who went, how many households,
    what was heard, and the problems found (each dict: description, owner_name, due_on,
    raised_by), every one tracked to resolution."""
    today = today or timezone.localdate()
    require(actor, pairing.org_path)
    errors: list = []
    visited_on = date(visited_on, "visited_on", "走访日期", errors, today, not_future=True)
    if visited_on is not None and visited_on < pairing.started_on:
        errors.append(("visited_on", "走访日期不能早于包联日期。"))
    if pairing.ended_on is not None and visited_on is not None and visited_on > pairing.ended_on:
        errors.append(("visited_on", "走访日期不能晚于包联结束日期。"))
    visitors = text(visitors, "visitors", "走访人员", errors)
    summary = text(summary, "summary", "走访情况", errors)
    households = count(households, "households", "走访户数", errors, default=0)
    problems = list(problems or [])
    if len(problems) > PROBLEMS_MAX:
        errors.append(("problems", f"一次走访最多登记{PROBLEMS_MAX}个问题。"))
        problems = []
    cleaned = [
        _check_problem(item, i, visited_on, today, errors) for i, item in enumerate(problems, 1)
    ]
    raise_errors(errors)
    visit = Visit.objects.create(
        pairing=pairing,
        org_path=pairing.org_path,
        visited_on=visited_on,
        visitors=visitors,
        households=households,
        summary=summary,
        is_public=flag(is_public),
        created_by=user_of(actor),
    )
    rows = Problem.objects.bulk_create(
        [
            Problem(visit=visit, pairing=pairing, org_path=pairing.org_path, **values)
            for values in cleaned
        ]
    )
    audit(
        actor,
        "cocreation.visit.recorded",
        visit,
        org_path=visit.org_path,
        changes={
            **snapshot(visit, VISIT_FIELDS),
            "problems": [p.description[:50] for p in rows],
        },
    )
    return visit


@transaction.atomic
def problem_add(
    *,
    actor,
    visit: Visit,
    description: str,
    owner_name: str,
    due_on,
    raised_by: str = "",
    today: dt.date | None = None,
) -> Problem:
    """A problem found on a visit, added afterwards."""
    today = today or timezone.localdate()
    require(actor, visit.org_path)
    errors: list = []
    values = _check_problem(
        {
            "description": description,
            "owner_name": owner_name,
            "due_on": due_on,
            "raised_by": raised_by,
        },
        None,
        visit.visited_on,
        today,
        errors,
    )
    raise_errors(errors)
    problem = Problem.objects.create(
        visit=visit, pairing_id=visit.pairing_id, org_path=visit.org_path, **values
    )
    audit(
        actor,
        "cocreation.problem.added",
        problem,
        org_path=problem.org_path,
        changes={"visit": visit.pk, **snapshot(problem, PROBLEM_FIELDS)},
    )
    return problem


@transaction.atomic
def problem_update(
    *,
    actor,
    problem: Problem,
    status: str,
    resolution: str = "",
    resolved_on=None,
    today: dt.date | None = None,
) -> Problem:
    """Move a problem on: 办理中, 已解决 (with the result) or 暂不能解决 (with what residents
    were told), with the date it was closed (default today); a closed one may be reopened."""
    today = today or timezone.localdate()
    require(actor, problem.org_path)
    current = Problem.all_objects.select_for_update().select_related("visit").get(pk=problem.pk)
    errors: list = []
    resolution_text = text(resolution, "resolution", "办理结果", errors, required=False)
    closing = status in rules.CLOSED_STATUSES
    day = date(
        resolved_on or (today if closing else None),
        "resolved_on",
        "办结日期",
        errors,
        today,
        required=False,
    )
    if not errors:
        errors.extend(
            rules.check_problem_change(
                current=current.status,
                new=status,
                resolution=resolution_text,
                resolved_on=day,
                visited_on=current.visit.visited_on,
                today=today,
            )
        )
    raise_errors(errors)
    before = snapshot(current, PROBLEM_FIELDS)
    current.status = status
    if resolution_text or closing:
        current.resolution = resolution_text
    current.resolved_on = day if closing else None
    changed = diff(before, snapshot(current, PROBLEM_FIELDS))
    current.save(update_fields=[*changed, "updated_at"])
    audit(actor, "cocreation.problem.updated", current, org_path=current.org_path, changes=changed)
    return current


__all__ = [
    "ProblemStatus",
    "campaign_create",
    "campaign_update",
    "problem_add",
    "problem_update",
    "visit_record",
]
