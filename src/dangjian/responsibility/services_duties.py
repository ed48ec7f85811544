"""Write paths of the responsibility lists (责任清单, R-ORG-12): a unit's lists for a year (the
党组's 主体责任, the secretary's 第一责任人, each leadership member's 一岗双责), their items, the
confirmation (确认发布), the copy of last year's list, and the quarterly progress reports with
their evidence files.

Each is atomic, checks resp.manage on the list's unit itself (`actor=None` is the system: the
demo and jobs), refuses bad input with a Chinese message at the field before writing anything,
and writes one audit entry (`responsibility.duty_<entity>.<verb>`).

Editing after confirmation: the list's header and the wording (content, category) of its
items are fixed; the unit may still add items, and may adjust an item's measures, owner,
deadline and evidence asked with a reason, which the audit entry keeps with the diff. Items of
a confirmed list are never deleted. See docs/responsibility-duties.md."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.members.models import Member
from dangjian.orglife.services_attachments import clean_name, max_bytes, read_document
from dangjian.orgs.models import Org
from dangjian.responsibility.models import (
    DutyCategory,
    DutyItem,
    DutyKind,
    DutyList,
    DutyReport,
    ReportFile,
)
from dangjian.responsibility.selectors_duties import YEAR_MIN, is_unit_top
from dangjian.rules import duties as rules

MANAGE = Cap.RESP_MANAGE
LIMITS = {
    "holder_name": 50,
    "holder_post": 100,
    "remit": 500,
    "content": 2000,
    "measures": 5000,
    "owner_name": 50,
    "evidence_asked": 200,
    "text": 5000,
    "reason": 200,
}
#: items a list may hold (a real list has 5–30)
ITEMS_MAX = 200
#: evidence files one submission may carry, and one quarter's report in all
FILES_PER_SUBMIT = 9
FILES_PER_REPORT = 20

LIST_FIELDS = ["org", "year", "kind", "holder_name", "holder", "holder_post", "remit"]
HEADER_FIELDS = ["holder_name", "holder", "holder_post", "remit"]
ITEM_FIELDS = ["content", "category", "measures", "owner_name", "deadline", "evidence_asked"]
#: what may still change on an item of a confirmed list (with a reason)
AFTER_CONFIRM_FIELDS = ["measures", "owner_name", "deadline", "evidence_asked"]
REPORT_FIELDS = ["progress", "text"]


def _require(actor, path: str) -> None:
    """resp.manage on the list's unit (`actor=None` is the system)."""
    if actor is not None and not can(actor, MANAGE, path):
        raise deny()


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _text(value, field: str, label: str, errors: list, *, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if "\x00" in value:
        # PostgreSQL cannot hold NUL in text; the middleware refuses it in requests, this
        # guards every other caller (the API's schemas, jobs, the shell)
        errors.append((field, f"{label}含有无效字符（空字符），请删除后重试。"))
        return value.replace("\x00", "")
    if required and not value:
        errors.append((field, f"请填写{label}。"))
    elif len(value) > LIMITS[field]:
        errors.append((field, f"{label}不能超过{LIMITS[field]}字。"))
    return value


def _raise(errors: list) -> None:
    if errors:
        field, message = errors[0]
        raise AppError(message, field=field, errors=errors)


def _year(value, errors: list, today: dt.date) -> int | None:
    latest = today.year + 1
    if value in (None, ""):
        errors.append(("year", "请填写年度。"))
        return None
    try:
        year = int(value)
    except (TypeError, ValueError, OverflowError):
        errors.append(("year", "年度须为四位数字。"))
        return None
    if not YEAR_MIN <= year <= latest:
        errors.append(("year", f"年度须在{YEAR_MIN}年至{latest}年之间。"))
        return None
    return year


def _unit_org(org, errors: list) -> None:
    if org is None:
        errors.append(("org", "请选择单位。"))
    elif org.dissolved_on is not None:
        errors.append(("org", "该组织已撤销，不能建立责任清单。"))
    elif not is_unit_top(org):
        errors.append(("org", "责任清单按单位建立，请选择单位的党组（党委）。"))


def _holder(org: Org | None, holder: Member | None, errors: list) -> None:
    if holder is None or org is None:
        return
    if not holder.org_path.startswith(org.path):
        errors.append(("holder", "责任人须为本单位的党员。"))
    elif not holder.is_active:
        errors.append(("holder", "责任人已不在党员名册中。"))


def _exists(org, year, kind, holder_name, exclude_id=None) -> bool:
    qs = DutyList.objects.unscoped().filter(org=org, year=year, kind=kind)
    if kind == DutyKind.DUAL:
        qs = qs.filter(holder_name=holder_name)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.exists()


def _duplicate_error(org, year, kind, holder_name) -> AppError:
    if kind == DutyKind.DUAL:
        return AppError(f"{org.name}{year}年已有{holder_name}的一岗双责清单。", field="holder_name")
    return AppError(f"{org.name}{year}年已有{DutyKind(kind).label}清单。", field="kind")


def _check_header(values: dict, errors: list) -> dict:
    """holder_name, holder, holder_post, remit, cleaned (the holder's name is taken from the
    member record when one is linked and no name is typed)."""
    org, kind = values.get("org"), values.get("kind")
    holder = values.get("holder")
    _holder(org, holder, errors)
    name = values.get("holder_name")
    if not (name or "").strip():
        if holder is not None:
            name = holder.name
        elif kind == DutyKind.MAIN and org is not None:
            name = org.name  # the 党组 itself carries the 主体责任
    return {
        "holder_name": _text(name, "holder_name", "责任主体", errors),
        "holder": holder,
        "holder_post": _text(
            values.get("holder_post"), "holder_post", "职务", errors, required=False
        ),
        "remit": _text(values.get("remit"), "remit", "分管领域", errors, required=False),
    }


def _insert_list(duty_list: DutyList) -> DutyList:
    """Insert under a savepoint: a concurrent list of the same kind hits the unique
    constraint and is refused like the one found before."""
    try:
        with transaction.atomic():
            duty_list.save(force_insert=True)
    except IntegrityError:
        raise _duplicate_error(
            duty_list.org, duty_list.year, duty_list.kind, duty_list.holder_name
        ) from None
    return duty_list


def _locked_list(duty_list: DutyList) -> DutyList:
    return DutyList.all_objects.select_for_update().select_related("org").get(pk=duty_list.pk)


# ---------------------------------------------------------------------------------------------
# Lists


@transaction.atomic
def duty_list_create(
    *,
    actor,
    org: Org,
    year: int,
    kind: str,
    holder_name: str,
    holder: Member | None = None,
    holder_post: str = "",
    remit: str = "",
    today: dt.date | None = None,
) -> DutyList:
    """A new list (a draft) of a unit for a year: the 党组's 主体责任 (one a year), the
    secretary's 第一责任人 (one a year) or a leadership member's 一岗双责 (one per holder a
    year). `org` is the unit's top Party body."""
    today = today or timezone.localdate()
    errors: list = []
    _unit_org(org, errors)
    if org is not None:
        _require(actor, org.path)
    year = _year(year, errors, today)
    if kind not in DutyKind.values:
        errors.append(("kind", "请选择清单类别。"))
    header = _check_header(
        {
            "org": org,
            "kind": kind,
            "holder_name": holder_name,
            "holder": holder,
            "holder_post": holder_post,
            "remit": remit,
        },
        errors,
    )
    _raise(errors)
    if _exists(org, year, kind, header["holder_name"]):
        raise _duplicate_error(org, year, kind, header["holder_name"])
    duty_list = _insert_list(
        DutyList(
            org=org,
            org_path=org.path,
            year=year,
            kind=kind,
            created_by=_user(actor),
            **header,
        )
    )
    audit(
        actor,
        "responsibility.duty_list.created",
        duty_list,
        org_path=org.path,
        changes=snapshot(duty_list, LIST_FIELDS),
    )
    return duty_list


@transaction.atomic
def duty_list_update(*, actor, duty_list: DutyList, **changes) -> DutyList:
    """Change a draft list's header (holder_name, holder, holder_post, remit)."""
    unknown = set(changes) - set(HEADER_FIELDS)
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    _require(actor, duty_list.org_path)
    current = _locked_list(duty_list)
    if current.confirmed_at is not None:
        raise AppError("清单已确认发布，责任主体等信息不能再修改。")
    values = {name: getattr(current, name) for name in ["org", "kind", *HEADER_FIELDS]}
    if "holder" in changes and "holder_name" not in changes:
        values["holder_name"] = ""  # a newly linked member brings his name
    values.update(changes)
    errors: list = []
    cleaned = _check_header(values, errors)
    _raise(errors)
    if current.kind == DutyKind.DUAL and _exists(
        current.org, current.year, current.kind, cleaned["holder_name"], exclude_id=current.pk
    ):
        raise _duplicate_error(current.org, current.year, current.kind, cleaned["holder_name"])
    before = snapshot(current, HEADER_FIELDS)
    for name, value in cleaned.items():
        setattr(current, name, value)
    changed = diff(before, snapshot(current, HEADER_FIELDS))
    if not changed:
        return current
    try:
        with transaction.atomic():
            current.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:
        raise _duplicate_error(
            current.org, current.year, current.kind, current.holder_name
        ) from None
    audit(
        actor,
        "responsibility.duty_list.updated",
        current,
        org_path=current.org_path,
        changes=changed,
    )
    return current


@transaction.atomic
def duty_list_delete(*, actor, duty_list: DutyList) -> None:
    """Remove a draft list (made by mistake) with its items; a confirmed list is kept."""
    _require(actor, duty_list.org_path)
    current = DutyList.all_objects.select_for_update().filter(pk=duty_list.pk).first()
    if current is None:
        raise AppError("该清单已删除。")
    if current.confirmed_at is not None:
        raise AppError("清单已确认发布，不能删除。")
    kept = snapshot(current, LIST_FIELDS)
    kept["items"] = [
        c for c in DutyItem.objects.filter(duty_list=current).values_list("content", flat=True)
    ]
    audit(
        actor,
        "responsibility.duty_list.deleted",
        current,
        org_path=current.org_path,
        changes=kept,
    )
    current.delete()


@transaction.atomic
def duty_list_confirm(*, actor, duty_list: DutyList, now: dt.datetime | None = None) -> DutyList:
    """确认发布: the list is in force from now; its header and the wording of its items are
    fixed, quarterly reports may be written and are expected."""
    _require(actor, duty_list.org_path)
    current = _locked_list(duty_list)
    if current.confirmed_at is not None:
        local = timezone.localtime(current.confirmed_at)
        raise AppError(f"该清单已于{local:%Y-%m-%d}确认发布。")
    count = DutyItem.objects.filter(duty_list=current).count()
    if not count:
        raise AppError("清单还没有责任事项，不能确认发布。")
    current.confirmed_at = now or timezone.now()
    current.save(update_fields=["confirmed_at", "updated_at"])
    audit(
        actor,
        "responsibility.duty_list.confirmed",
        current,
        org_path=current.org_path,
        changes={"confirmed_at": current.confirmed_at, "items": count},
    )
    return current


@transaction.atomic
def duty_list_copy(*, actor, source: DutyList, year: int, today: dt.date | None = None) -> DutyList:
    """Copy a list (usually last year's) into `year` as a draft: the same unit, kind, holder
    and items; deadlines move to the same day of the new year; progress starts at 0."""
    today = today or timezone.localdate()
    _require(actor, source.org_path)
    errors: list = []
    year = _year(year, errors, today)
    if year is not None and year == source.year:
        errors.append(("year", "请选择另一个年度：清单不能复制到本年度。"))
    org = Org.objects.unscoped().filter(pk=source.org_id).first()
    _unit_org(org, errors)
    _raise(errors)
    if _exists(org, year, source.kind, source.holder_name):
        raise _duplicate_error(org, year, source.kind, source.holder_name)
    holder = source.holder if source.holder_id and source.holder.is_active else None
    target = _insert_list(
        DutyList(
            org=org,
            org_path=org.path,
            year=year,
            kind=source.kind,
            holder_name=source.holder_name,
            holder=holder,
            holder_post=source.holder_post,
            remit=source.remit,
            created_by=_user(actor),
        )
    )
    items = [
        DutyItem(
            duty_list=target,
            org_path=org.path,
            seq=seq,
            category=item.category,
            content=item.content,
            measures=item.measures,
            owner_name=item.owner_name,
            deadline=rules.shift_year(item.deadline, year),
            evidence_asked=item.evidence_asked,
        )
        for seq, item in enumerate(
            DutyItem.objects.filter(duty_list=source).order_by("seq", "id"), 1
        )
    ]
    DutyItem.objects.bulk_create(items)
    audit(
        actor,
        "responsibility.duty_list.copied",
        target,
        org_path=org.path,
        changes={
            **snapshot(target, LIST_FIELDS),
            "source": source.pk,
            "source_year": source.year,
            "items": len(items),
        },
    )
    return target


# ---------------------------------------------------------------------------------------------
# Items


def _check_item(values: dict, year: int, errors: list) -> dict:
    out = {
        "content": _text(values.get("content"), "content", "责任内容", errors),
        "measures": _text(values.get("measures"), "measures", "工作措施", errors, required=False),
        "owner_name": _text(values.get("owner_name"), "owner_name", "责任人", errors),
        "evidence_asked": _text(
            values.get("evidence_asked"), "evidence_asked", "佐证材料", errors, required=False
        ),
    }
    category = values.get("category") or ""
    if category not in DutyCategory.values:
        errors.append(("category", "请选择类别。"))
    out["category"] = category
    deadline = values.get("deadline")
    if deadline is not None and not isinstance(deadline, dt.date):
        errors.append(("deadline", "请填写有效的完成时限。"))
        deadline = None
    message = rules.check_deadline(deadline, year)
    if message:
        errors.append(("deadline", message))
    out["deadline"] = deadline
    return out


@transaction.atomic
def duty_item_add(
    *,
    actor,
    duty_list: DutyList,
    content: str,
    owner_name: str,
    category: str = DutyCategory.POLITICAL,
    measures: str = "",
    deadline: dt.date | None = None,
    evidence_asked: str = "",
    now: dt.datetime | None = None,
) -> DutyItem:
    """Add a duty to a list (also after confirmation: the audit entry says so). The item owes
    quarterly reports from the later of the list's confirmation and its addition (`now`, by
    default the present: the demo passes past instants)."""
    _require(actor, duty_list.org_path)
    current = _locked_list(duty_list)
    errors: list = []
    values = _check_item(
        {
            "content": content,
            "owner_name": owner_name,
            "category": category,
            "measures": measures,
            "deadline": deadline,
            "evidence_asked": evidence_asked,
        },
        current.year,
        errors,
    )
    _raise(errors)
    stats = DutyItem.objects.filter(duty_list=current).aggregate(n=Max("seq"))
    count = DutyItem.objects.filter(duty_list=current).count()
    if count >= ITEMS_MAX:
        raise AppError(f"一份清单最多{ITEMS_MAX}项责任事项。")
    item = DutyItem.objects.create(
        duty_list=current,
        org_path=current.org_path,
        seq=(stats["n"] or 0) + 1,
        created_at=now or timezone.now(),
        **values,
    )
    changes = snapshot(item, ["seq", *ITEM_FIELDS])
    if current.confirmed_at is not None:
        changes["after_confirm"] = True
    audit(
        actor,
        "responsibility.duty_item.added",
        item,
        org_path=current.org_path,
        changes={"list": current.pk, **changes},
    )
    return item


def _locked_item(item: DutyItem) -> DutyItem:
    return (
        DutyItem.objects.select_for_update()
        .select_related("duty_list", "duty_list__org")
        .filter(pk=item.pk)
        .first()
    )


@transaction.atomic
def duty_item_update(*, actor, item: DutyItem, **fields) -> DutyItem:
    """Change an item's fields (content, category, measures, owner_name, deadline,
    evidence_asked). On a confirmed list only measures, owner_name, deadline and
    evidence_asked may change, and `reason` is required (kept in the audit entry)."""
    reason = fields.pop("reason", "")
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    _require(actor, item.org_path)
    current = _locked_item(item)
    if current is None:
        raise AppError("该责任事项已删除。")
    confirmed = current.duty_list.confirmed_at is not None
    before = snapshot(current, ITEM_FIELDS)
    values = dict(before)
    values["deadline"] = current.deadline
    values.update(fields)
    errors: list = []
    cleaned = _check_item(values, current.duty_list.year, errors)
    reason = _text(reason, "reason", "调整原因", errors, required=False)
    _raise(errors)
    for name, value in cleaned.items():
        setattr(current, name, value)
    changed = diff(before, snapshot(current, ITEM_FIELDS))
    if not changed:
        return current
    if confirmed:
        fixed = [name for name in changed if name not in AFTER_CONFIRM_FIELDS]
        if fixed:
            raise AppError(
                "清单已确认发布，责任内容和类别不能修改；如需调整，请增补新的责任事项。",
                field=fixed[0],
            )
        if not reason:
            raise AppError("清单已确认发布，调整责任事项须填写调整原因。", field="reason")
    current.save(update_fields=list(changed))
    extra = {"reason": reason, "after_confirm": True} if confirmed else {}
    audit(
        actor,
        "responsibility.duty_item.updated",
        current,
        org_path=current.org_path,
        changes={**changed, **extra},
    )
    return current


@transaction.atomic
def duty_item_delete(*, actor, item: DutyItem) -> None:
    """Remove an item of a draft list; the audit entry keeps what it said."""
    _require(actor, item.org_path)
    current = _locked_item(item)
    if current is None:
        raise AppError("该责任事项已删除。")
    if current.duty_list.confirmed_at is not None:
        raise AppError("清单已确认发布，责任事项不能删除；如有调整，请修改工作措施并说明原因。")
    audit(
        actor,
        "responsibility.duty_item.deleted",
        current,
        org_path=current.org_path,
        changes={"list": current.duty_list_id, **snapshot(current, ["seq", *ITEM_FIELDS])},
    )
    current.delete()


# ---------------------------------------------------------------------------------------------
# Quarterly reports


def _quarter(value, errors: list) -> int | None:
    try:
        quarter = int(value)
    except (TypeError, ValueError, OverflowError):
        quarter = None
    if quarter not in rules.QUARTERS:
        errors.append(("quarter", "请选择季度（1至4）。"))
        return None
    return quarter


def _read_files(files, errors: list) -> list[tuple[str, bytes, str, str]]:
    """(name, data, content type, extension) of each uploaded file, judged by content."""
    files = [f for f in (files or ()) if f is not None]
    if len(files) > FILES_PER_SUBMIT:
        errors.append(("files", f"一次最多上传{FILES_PER_SUBMIT}个文件。"))
        return []
    out = []
    for uploaded in files:
        name = clean_name(getattr(uploaded, "name", ""), "佐证材料")
        try:
            data, content_type, ext = read_document(uploaded, limit=max_bytes())
        except AppError as exc:
            errors.append(("files", f"{name}：{exc.message}"))
            continue
        out.append((name, data, content_type, ext))
    return out


def _reported_at(today: dt.date) -> dt.datetime:
    """Now; for a report the system dates in the past (the demo), noon of that day."""
    if today == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(today, dt.time(12, 0)))


def _refresh_item(item: DutyItem, today: dt.date) -> None:
    """The item's progress is the latest quarter's report's; `done_on` is set when that
    report says 100% (and cleared when a resubmission takes it back)."""
    latest = DutyReport.objects.filter(item=item).order_by("-quarter").first()
    progress = latest.progress if latest is not None else 0
    done_on = item.done_on if progress == 100 else None
    if progress == 100 and done_on is None:
        done_on = today
    if (progress, done_on) != (item.progress, item.done_on):
        item.progress, item.done_on = progress, done_on
        item.save(update_fields=["progress", "done_on"])


@transaction.atomic
def duty_report_submit(
    *,
    actor,
    item: DutyItem,
    quarter: int,
    progress: int,
    text: str,
    files=(),
    today: dt.date | None = None,
) -> DutyReport:
    """The quarter's progress report on an item of a confirmed list: one per item and quarter
    (a resubmission updates it, audited with the diff), progress 0–100, text, evidence files
    (photos or documents, judged by content; added to those already there). A quarter that
    has not started is refused; a quarter of a past year is always open."""
    today = today or timezone.localdate()
    _require(actor, item.org_path)
    current = _locked_item(item)
    if current is None:
        raise AppError("该责任事项已删除。")
    duty_list = current.duty_list
    if duty_list.confirmed_at is None:
        raise AppError("清单尚未确认发布，确认发布后再报告进展。")
    errors: list = []
    quarter = _quarter(quarter, errors)
    if quarter is not None and not rules.quarter_started(duty_list.year, quarter, today):
        errors.append(
            ("quarter", f"{duty_list.year}年{rules.QUARTER_NAMES[quarter]}尚未开始，不能报告进展。")
        )
    progress, message = rules.check_progress(progress)
    if message:
        errors.append(("progress", message))
    text = _text(text, "text", "进展情况", errors)
    stored = _read_files(files, errors)
    _raise(errors)
    report = DutyReport.objects.select_for_update().filter(item=current, quarter=quarter).first()
    if report is not None and stored:
        have = ReportFile.objects.filter(duty_report=report).count()
        if have + len(stored) > FILES_PER_REPORT:
            raise AppError(
                f"每个季度的进展最多保存{FILES_PER_REPORT}个佐证材料（已有{have}个）。",
                field="files",
            )
    when = _reported_at(today)
    if report is None:
        report = DutyReport(
            item=current,
            org_path=current.org_path,
            quarter=quarter,
            progress=progress,
            text=text,
            reported_by=_user(actor),
            reported_at=when,
        )
        try:
            with transaction.atomic():
                report.save(force_insert=True)
        except IntegrityError:
            raise AppError(
                "该季度的进展刚刚已由他人报告，请刷新后重试。", field="quarter"
            ) from None
        action = "responsibility.duty_report.submitted"
        changes = {"item": current.pk, "quarter": quarter, "progress": progress, "text": text}
    else:
        before = snapshot(report, REPORT_FIELDS)
        report.progress, report.text = progress, text
        changes = diff(before, snapshot(report, REPORT_FIELDS))
        if not changes and not stored:
            return report
        report.reported_by, report.reported_at = _user(actor), when
        report.save(update_fields=[*changes, "reported_by", "reported_at"])
        action = "responsibility.duty_report.updated"
        changes = {"item": current.pk, "quarter": quarter, **changes}
    saved: list[ReportFile] = []
    try:
        for name, data, content_type, ext in stored:
            evidence = ReportFile(
                duty_report=report,
                org_path=current.org_path,
                original_name=name,
                content_type=content_type,
                size=len(data),
                uploaded_by=_user(actor),
            )
            # the stored name is random (upload_to); only the sniffed extension is kept
            evidence.file.save(f"upload.{ext}", ContentFile(data), save=False)
            saved.append(evidence)
            evidence.save()
        if saved:
            changes["files"] = [f.original_name for f in saved]
        _refresh_item(current, today)
        audit(actor, action, report, org_path=current.org_path, changes=changes)
    except BaseException:
        for evidence in saved:
            evidence.file.delete(save=False)
        raise
    return report


def report_file_open(*, actor, evidence: ReportFile):
    """Open an evidence file for download by someone who may manage the list; audited."""
    if actor is not None and not can(actor, MANAGE, evidence.org_path):
        raise deny()
    handle = evidence.file.open("rb")
    audit(
        actor,
        "responsibility.duty_file.downloaded",
        evidence,
        org_path=evidence.org_path,
        changes={"report": evidence.duty_report_id, "name": evidence.original_name},
    )
    return handle
