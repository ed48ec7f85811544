"""Member write paths (minimal for the foundation; the roster issue grows them)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit, snapshot
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.members.models import Category, Employment, Member, Sex
from dangjian.members.pinyin import pinyin_keys
from dangjian.orgs.models import Org, OrgKind


@transaction.atomic
def member_create(
    *,
    actor,
    branch: Org,
    name: str,
    sex: str,
    birth_date: dt.date,
    category: str,
    joined_on: dt.date,
    converted_on: dt.date | None = None,
    employment: str = Employment.IN_SERVICE,
) -> Member:
    if actor is not None and not can(actor, Cap.MEMBER_MANAGE, branch.path):
        raise deny()
    name = (name or "").strip()
    if not name:
        raise AppError("请填写姓名。", field="name")
    if branch.kind != OrgKind.BRANCH or not branch.is_active:
        raise AppError("党员只能编入未撤销的党支部。", field="branch")
    if sex not in Sex.values:
        raise AppError("请选择性别。", field="sex")
    if category not in Category.values:
        raise AppError("请选择人员类别。", field="category")
    today = timezone.localdate()
    if birth_date > today:
        raise AppError("出生日期不能晚于今天。", field="birth_date")
    if joined_on > today:
        raise AppError("加入党组织日期不能晚于今天。", field="joined_on")
    if category == Category.PROBATIONARY and converted_on:
        raise AppError("预备党员不应有转正日期。", field="converted_on")
    if category == Category.FULL and not converted_on:
        raise AppError("正式党员须填写转为正式党员日期。", field="converted_on")
    full, initials = pinyin_keys(name)
    member = Member.objects.create(
        name=name[:50],
        name_pinyin=full,
        name_initials=initials,
        sex=sex,
        birth_date=birth_date,
        category=category,
        branch=branch,
        joined_on=joined_on,
        converted_on=converted_on,
        employment=employment,
    )
    audit(
        actor,
        "members.member.created",
        member,
        org_path=branch.path,
        changes=snapshot(member, ["name", "sex", "category", "branch", "joined_on"]),
    )
    return member
