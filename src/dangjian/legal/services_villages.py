"""Write paths of 一村(社区)一律师 (a lawyer in each village and community, the service log)
and of the legal advisers of the governments at 市 / 县 / 乡 level. Atomic, checked
(legal.manage; `actor=None` is the system), refused in Chinese at the field with nothing
written, audited. See docs/legal-services.md."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from dangjian.cocreation.models import Community
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.legal.models import (
    AdviserPost,
    GovLevel,
    Lawyer,
    LegalAdviser,
    ServiceKind,
    ServiceLog,
    VillageLawyer,
)
from dangjian.legal.services_lawyers import (
    _today,
    check_unit,
    choice,
    date,
    number_of,
    raise_errors,
    require,
    text,
)
from dangjian.orgs.models import Org

# ---------------------------------------------------------------------------------------------
# 一村(社区)一律师


@transaction.atomic
def village_lawyer_assign(
    *, actor, community: Community, lawyer: Lawyer, started_on=None, today: dt.date | None = None
) -> VillageLawyer:
    """Put a lawyer in a village or community. One live lawyer per place: the same lawyer
    twice is refused, another lawyer while one serves is refused with the advice to end the
    first."""
    require(actor, lawyer.org_path)
    today = _today(today)
    errors: list = []
    if not isinstance(community, Community):
        raise AppError("请选择有效的村（社区）。", field="community")
    started_on = date(started_on or today, "started_on", "开始日期", errors, today, not_future=True)
    if not lawyer.is_active:
        errors.append(("lawyer", "该律师已不在执业，不能指派。"))
    # lock the place: two assignments at once must not both pass the check
    Community.objects.select_for_update().filter(pk=community.pk).first()
    live = (
        VillageLawyer.all_objects.select_related("lawyer")
        .filter(community=community, ended_on__isnull=True)
        .first()
    )
    last_end = (
        VillageLawyer.all_objects.filter(community=community, ended_on__isnull=False)
        .order_by("-ended_on")
        .values_list("ended_on", flat=True)
        .first()
    )
    if started_on is not None and last_end is not None and started_on < last_end:
        # one lawyer a place at a time: the new term starts when the last one ended
        errors.append(
            ("started_on", f"开始日期不能早于该村（社区）上一任驻点律师的结束日期（{last_end}）。")
        )
    if live is not None:
        if live.lawyer_id == lawyer.pk:
            errors.append(("lawyer", "该律师已是该村（社区）的驻点律师。"))
        else:
            errors.append(
                ("lawyer", "该村（社区）已有驻点律师，请先结束现任律师的驻点，再指派新的律师。")
            )
    raise_errors(errors)
    try:
        with transaction.atomic():
            assignment = VillageLawyer.objects.create(
                community=community, lawyer=lawyer, org_path=lawyer.org_path, started_on=started_on
            )
    except IntegrityError:
        raise AppError(
            "该村（社区）已有驻点律师，请先结束现任律师的驻点。", field="lawyer"
        ) from None
    audit(
        actor,
        "legal.village_lawyer.assigned",
        assignment,
        org_path=assignment.org_path,
        changes={"community": community.pk, "lawyer": lawyer.pk, "started_on": started_on},
    )
    return assignment


@transaction.atomic
def village_lawyer_end(
    *, actor, assignment: VillageLawyer, ended_on=None, today: dt.date | None = None
) -> VillageLawyer:
    require(actor, assignment.org_path)
    today = _today(today)
    current = VillageLawyer.all_objects.select_for_update().get(pk=assignment.pk)
    if current.ended_on is not None:
        raise AppError("该驻点已结束。", field="ended_on")
    errors: list = []
    ended_on = date(ended_on or today, "ended_on", "结束日期", errors, today, not_future=True)
    if ended_on is not None and ended_on < current.started_on:
        errors.append(("ended_on", "结束日期不能早于开始日期。"))
    elif ended_on is not None:
        last_log = (
            ServiceLog.all_objects.filter(assignment=current)
            .order_by("-served_on")
            .values_list("served_on", flat=True)
            .first()
        )
        if last_log is not None and ended_on < last_log:
            errors.append(("ended_on", f"结束日期不能早于最近一次服务记录的日期（{last_log}）。"))
    raise_errors(errors)
    current.ended_on = ended_on
    current.save(update_fields=["ended_on"])
    audit(
        actor,
        "legal.village_lawyer.ended",
        current,
        org_path=current.org_path,
        changes={"ended_on": ended_on},
    )
    return current


@transaction.atomic
def service_log_record(
    *,
    actor,
    assignment: VillageLawyer,
    kind: str,
    served_on,
    count=1,
    summary: str = "",
    today: dt.date | None = None,
) -> ServiceLog:
    """What the lawyer did in the place: kind, date (not in the future, not before the
    assignment, not after it ended), how many times or people (≥ 1)."""
    require(actor, assignment.org_path)
    today = _today(today)
    errors: list = []
    kind = choice(kind, ServiceKind.values, "kind", "服务类别", errors)
    served_on = date(served_on, "served_on", "服务日期", errors, today, not_future=True)
    if served_on is not None and served_on < assignment.started_on:
        errors.append(("served_on", "服务日期不能早于该律师驻点的开始日期。"))
    if served_on is not None and assignment.ended_on and served_on > assignment.ended_on:
        errors.append(("served_on", "服务日期不能晚于该律师驻点的结束日期。"))
    number = number_of(count, "count", "件（人）次", errors, default=None, minimum=1)
    if number is None and not any(f == "count" for f, _ in errors):
        errors.append(("count", "请填写件（人）次。"))
    summary = text(summary, "summary", "服务内容", errors, 2000, required=False)
    raise_errors(errors)
    log = ServiceLog.objects.create(
        assignment=assignment,
        org_path=assignment.org_path,
        kind=kind,
        served_on=served_on,
        count=number,
        summary=summary,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor,
        "legal.service_log.recorded",
        log,
        org_path=log.org_path,
        changes={
            "assignment": assignment.pk,
            "kind": kind,
            "served_on": served_on,
            "count": number,
        },
    )
    return log


# ---------------------------------------------------------------------------------------------
# Legal advisers of the governments


@transaction.atomic
def adviser_post_create(
    *, actor, org: Org, name: str, level: str, district: str = ""
) -> AdviserPost:
    """A government (市 / 县 / 乡) that should have a legal adviser."""
    require(actor, org.path if org else "")
    check_unit(org)
    errors: list = []
    name = text(name, "name", "党委政府名称", errors, 100)
    level = choice(level, GovLevel.values, "level", "层级", errors)
    district = text(district, "district", "所在县（市、区）", errors, 50, required=False)
    if name and AdviserPost.all_objects.filter(org=org, name=name).exists():
        errors.append(("name", "该党委政府已登记。"))
    raise_errors(errors)
    post = AdviserPost.objects.create(
        org=org, org_path=org.path, name=name, level=level, district=district
    )
    audit(
        actor,
        "legal.adviser_post.created",
        post,
        org_path=post.org_path,
        changes={"name": name, "level": level, "district": district},
    )
    return post


@transaction.atomic
def adviser_appoint(
    *, actor, post: AdviserPost, lawyer: Lawyer, started_on=None, today: dt.date | None = None
) -> LegalAdviser:
    require(actor, post.org_path)
    today = _today(today)
    errors: list = []
    if lawyer.org_path != post.org_path:
        errors.append(("lawyer", "请选择本单位登记的律师。"))
    elif not lawyer.is_active:
        errors.append(("lawyer", "该律师已不在执业，不能聘任。"))
    started_on = date(started_on or today, "started_on", "聘任日期", errors, today, not_future=True)
    AdviserPost.all_objects.select_for_update().filter(pk=post.pk).first()
    if LegalAdviser.all_objects.filter(post=post, lawyer=lawyer, ended_on__isnull=True).exists():
        errors.append(("lawyer", "该律师已是该党委政府的法律顾问。"))
    raise_errors(errors)
    adviser = LegalAdviser.objects.create(
        post=post, lawyer=lawyer, org_path=post.org_path, started_on=started_on
    )
    audit(
        actor,
        "legal.adviser.appointed",
        adviser,
        org_path=adviser.org_path,
        changes={"post": post.pk, "lawyer": lawyer.pk, "started_on": started_on},
    )
    return adviser


@transaction.atomic
def adviser_end(
    *, actor, adviser: LegalAdviser, ended_on=None, today: dt.date | None = None
) -> LegalAdviser:
    require(actor, adviser.org_path)
    today = _today(today)
    current = LegalAdviser.all_objects.select_for_update().get(pk=adviser.pk)
    if current.ended_on is not None:
        raise AppError("该法律顾问已解聘。", field="ended_on")
    errors: list = []
    ended_on = date(ended_on or today, "ended_on", "解聘日期", errors, today, not_future=True)
    if ended_on is not None and ended_on < current.started_on:
        errors.append(("ended_on", "解聘日期不能早于聘任日期。"))
    raise_errors(errors)
    current.ended_on = ended_on
    current.save(update_fields=["ended_on"])
    audit(
        actor,
        "legal.adviser.ended",
        current,
        org_path=current.org_path,
        changes={"ended_on": ended_on},
    )
    return current
