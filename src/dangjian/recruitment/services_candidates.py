"""Write paths of a candidate (发展对象档案): create (with the application, step 1), update,
withdraw, and the refresh of the derived fields the board sorts on. The steps are in
services_steps.py; import everything from `dangjian.recruitment.services`."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.orgs.models import Org, OrgKind
from dangjian.recruitment import selectors as sel
from dangjian.recruitment.models import Candidate, CandidateStatus, StepEvent
from dangjian.rules.base import add_years

MANAGE = Cap.RECRUIT_MANAGE
#: R-DEV-01: 年满十八岁 on the application day (the 18th birthday itself is allowed)
ADULT_AGE = 18
SEXES = {"1": "男", "2": "女"}
LIMITS = {"name": 50, "unit_post": 50, "note": 500, "reason": 200, "education": 2}
CANDIDATE_FIELDS = [
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "education",
    "unit_post",
    "branch",
    "leaving_on",
]
#: fields `candidate_update` may change (the branch follows a transfer: not here)
UPDATABLE = ("name", "sex", "birth_date", "ethnicity", "education", "unit_post", "leaving_on")


def user_of(actor):
    return actor if getattr(actor, "pk", None) else None


def require_manage(actor, path: str) -> None:
    """recruit.manage on the branch (`actor=None` is the system: the demo, fixtures, jobs)."""
    if actor is not None and not can(actor, MANAGE, path):
        raise deny()


def locked(candidate: Candidate) -> Candidate:
    """The candidate re-read under a row lock, so two recorders never interleave."""
    return (
        Candidate.all_objects.select_for_update(of=("self",))
        .select_related("branch", "member")
        .get(pk=candidate.pk)
    )


#: steps a converted member's file still takes (R-DEV-24: the materials go to his file)
AFTER_CONVERSION = sel.AFTER_CONVERSION


def require_active(candidate: Candidate, step: str = "") -> None:
    if candidate.status == CandidateStatus.CONVERTED and step in AFTER_CONVERSION:
        return
    if candidate.status != CandidateStatus.ACTIVE:
        raise AppError(
            f"该发展对象档案状态为“{candidate.get_status_display()}”，不能再登记或修改。",
            field="step",
        )


def _d(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def as_date(value, field: str, label: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise AppError(f"请填写{label}。", field=field)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise AppError(f"{label}格式应为 YYYY-MM-DD。", field=field) from None


def _text(value, field: str, label: str, *, required: bool = False) -> str:
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise AppError(f"请填写{label}。", field=field)
    if len(value) > LIMITS[field]:
        raise AppError(f"{label}不能超过{LIMITS[field]}字。", field=field)
    return value


def _clean(values: dict, today: dt.date) -> dict:
    """Check a candidate's items (all the services' refusals are at a field)."""
    out = dict(values)
    if "name" in values:
        out["name"] = _text(values["name"], "name", "姓名", required=True)
    if "sex" in values and values["sex"] not in SEXES:
        raise AppError("请选择性别。", field="sex")
    if "birth_date" in values:
        out["birth_date"] = as_date(values["birth_date"], "birth_date", "出生日期")
        if out["birth_date"] > today or out["birth_date"].year < 1900:
            raise AppError("出生日期无效。", field="birth_date")
    if "ethnicity" in values:
        ethnicity = str(values["ethnicity"] or "").strip()
        if not (len(ethnicity) == 2 and ethnicity.isascii() and ethnicity.isdigit()):
            raise AppError("民族应为两位代码（汉族为01）。", field="ethnicity")
        out["ethnicity"] = ethnicity
    if "education" in values:
        education = str(values["education"] or "").strip()
        if education and not (len(education) == 2 and education.isascii() and education.isdigit()):
            raise AppError("学历应为两位代码。", field="education")
        out["education"] = education
    if "unit_post" in values:
        out["unit_post"] = _text(values["unit_post"], "unit_post", "单位职务")
    if "leaving_on" in values:
        out["leaving_on"] = as_date(
            values["leaving_on"], "leaving_on", "预计调离日期", required=False
        )
    return out


def check_branch(branch) -> None:
    if branch is None or branch.kind != OrgKind.BRANCH:
        raise AppError("请选择党支部：发展党员工作由党支部承担。", field="branch")
    if not branch.is_active:
        raise AppError("该党支部已撤销，不能登记。", field="branch")


@transaction.atomic
def candidate_create(
    *,
    actor,
    branch: Org,
    name: str,
    sex: str,
    birth_date: dt.date,
    application_on: dt.date,
    ethnicity: str = "01",
    education: str = "",
    unit_post: str = "",
    leaving_on: dt.date | None = None,
    note: str = "",
    document=None,
    today: dt.date | None = None,
) -> Candidate:
    """Open a candidate's file with his application (step 1) on a 党支部 (recruit.manage on
    it). Under 18 on the application day is refused (R-DEV-01, a hard rule: an application
    cannot be received), as is an application dated after today."""
    today = today or timezone.localdate()
    check_branch(branch)
    require_manage(actor, branch.path)
    values = _clean(
        {
            "name": name,
            "sex": sex,
            "birth_date": birth_date,
            "ethnicity": ethnicity,
            "education": education,
            "unit_post": unit_post,
            "leaving_on": leaving_on,
        },
        today,
    )
    application_on = as_date(application_on, "application_on", "递交入党申请书日期")
    if application_on > today:
        raise AppError("递交入党申请书日期不能晚于今天。", field="application_on")
    if application_on < values["birth_date"]:
        raise AppError("递交入党申请书日期不能早于出生日期。", field="application_on")
    adult_on = add_years(values["birth_date"], ADULT_AGE)
    if application_on < adult_on:
        raise AppError(
            f"递交入党申请书时未满{ADULT_AGE}周岁（应不早于{_d(adult_on)}），"
            "不能接收入党申请（R-DEV-01）。",
            field="application_on",
        )
    note = _text(note, "note", "说明")
    stored = None
    if document is not None:
        from dangjian.recruitment.services_steps import read_document

        stored = read_document(document)
    candidate = Candidate.objects.create(
        branch=branch,
        org_path=branch.path,
        created_by=user_of(actor),
        **values,
    )
    event = StepEvent(
        candidate=candidate,
        step="application",
        on=application_on,
        note=note,
        recorded_by=user_of(actor),
    )
    if stored is not None:
        data_file, original = stored
        event.document.save(data_file.name, data_file, save=False)
        event.document_name = original
    event.save()
    audit(
        actor,
        "recruitment.candidate.created",
        candidate,
        org_path=candidate.org_path,
        changes={**snapshot(candidate, CANDIDATE_FIELDS), "application_on": application_on},
    )
    candidate_refresh(candidate, today)
    return candidate


@transaction.atomic
def candidate_update(*, actor, candidate: Candidate, today: dt.date | None = None, **fields):
    """Correct a candidate's items (name, sex, birth date, ethnicity, education, post,
    expected leaving date). A birth date that makes the recorded application under-age is
    refused (R-DEV-01)."""
    today = today or timezone.localdate()
    require_manage(actor, candidate.org_path)
    candidate = locked(candidate)
    require_manage(actor, candidate.org_path)
    require_active(candidate)
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"unknown candidate items: {sorted(unknown)}")
    values = _clean(fields, today)
    if "birth_date" in values:
        application = (
            StepEvent.objects.unscoped()
            .filter(candidate=candidate, step="application")
            .values_list("on", flat=True)
            .first()
        )
        adult_on = add_years(values["birth_date"], ADULT_AGE)
        if application is not None and application < adult_on:
            raise AppError(
                f"按此出生日期，递交入党申请书时未满{ADULT_AGE}周岁（R-DEV-01）。",
                field="birth_date",
            )
    before = snapshot(candidate, list(UPDATABLE))
    for key, value in values.items():
        setattr(candidate, key, value)
    changes = diff(before, snapshot(candidate, list(UPDATABLE)))
    if not changes:
        return candidate
    candidate.save(update_fields=[*changes, "updated_at"])
    audit(
        actor,
        "recruitment.candidate.updated",
        candidate,
        org_path=candidate.org_path,
        changes=changes,
    )
    candidate_refresh(candidate, today)
    return candidate


@transaction.atomic
def candidate_withdraw(*, actor, candidate: Candidate, reason: str, today=None) -> Candidate:
    """Stop a candidate's file (he withdrew, moved away, was not pursued). A probationary
    member is not withdrawn: his status is ended by a 支部大会 (cancellation, R-DEV-21)."""
    today = today or timezone.localdate()
    require_manage(actor, candidate.org_path)
    candidate = locked(candidate)
    require_manage(actor, candidate.org_path)
    require_active(candidate)
    reason = _text(reason, "reason", "终止原因", required=True)
    if candidate.member_id is not None:
        raise AppError(
            "已接收为预备党员，不能终止培养；如需取消预备党员资格，请登记“取消预备党员资格”"
            "（支部大会表决，R-DEV-21）。",
            field="reason",
        )
    set_status(candidate, CandidateStatus.WITHDRAWN, reason)
    audit(
        actor,
        "recruitment.candidate.withdrawn",
        candidate,
        org_path=candidate.org_path,
        changes={"status": [CandidateStatus.ACTIVE, CandidateStatus.WITHDRAWN], "reason": reason},
    )
    candidate_refresh(candidate, today)
    return candidate


def set_status(candidate: Candidate, status: str, reason: str = "") -> None:
    candidate.status = status
    candidate.status_reason = reason[:200]
    candidate.save(update_fields=["status", "status_reason", "updated_at"])


REFRESH_FIELDS = ["stage", "next_due_on", "next_due_label", "error_count", "warning_count"]


def refreshed_values(candidate: Candidate, today: dt.date, rows=None, **kwargs) -> dict:
    """The derived fields of a candidate as the engine sees them today."""
    stage, nxt, findings = sel.derived(candidate, today, rows, **kwargs)
    return values_from(candidate, stage, nxt, findings)


def values_from(candidate: Candidate, stage, nxt, findings) -> dict:
    """The stored fields from the engine's answers. A closed file has no deadline."""
    active = candidate.status == CandidateStatus.ACTIVE
    return {
        "stage": str(stage),
        "next_due_on": nxt.due_on if (nxt is not None and active) else None,
        "next_due_label": (nxt.label[:100] if (nxt is not None and active) else ""),
        "error_count": min(sum(1 for f in findings if str(f.level) == "error"), 32767),
        "warning_count": min(sum(1 for f in findings if str(f.level) == "warning"), 32767),
    }


def candidate_refresh(candidate: Candidate, today: dt.date | None = None) -> Candidate:
    """Recompute the stored stage, next deadline and finding counts (derived; not audited)."""
    today = today or timezone.localdate()
    values = refreshed_values(candidate, today)
    changed = [k for k, v in values.items() if getattr(candidate, k) != v]
    for key in changed:
        setattr(candidate, key, values[key])
    if changed:
        candidate.save(update_fields=[*changed, "updated_at"])
    return candidate
