"""Write paths of the 四张清单 (lenient lists): a list per org, domain and kind, its items
(conduct, legal basis, conditions, measure), publication and an xlsx import of items. Every
function is atomic, checks `legal.manage` on the list's org (`actor=None` is the system: the
demo), refuses bad input in Chinese at its field before writing anything, and is audited
(`legal.lenient_list.*`, `legal.lenient_item.*`). See docs/legal-lenient-lists.md."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit, diff, snapshot
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.legal.models import LenientItem, LenientKind, LenientList

MANAGE = Cap.LEGAL_MANAGE
LIST_FIELDS = ["domain", "kind", "title", "issued_by", "effective_from", "effective_to"]
ITEM_FIELDS = [
    "seq",
    "conduct",
    "legal_basis",
    "conditions",
    "measure",
    "effective_from",
    "effective_to",
]
LIMITS = {
    "domain": 50,
    "title": 200,
    "issued_by": 100,
    "conduct": 300,
    "legal_basis": 5000,
    "conditions": 5000,
    "measure": 2000,
}
LABELS = {
    "domain": "领域",
    "title": "清单名称",
    "issued_by": "制定部门",
    "conduct": "违法行为",
    "legal_basis": "法律依据",
    "conditions": "适用条件（情形）",
    "measure": "处理方式",
}
#: items one list may hold (a page must stay a page)
ITEMS_MAX = 500
SEQ_MAX = 99_999
YEAR_MIN = 2000
YEAR_MAX = 2100
BASIS_MISSING = "请填写法律依据"


def require(actor, path: str) -> None:
    """legal.manage on the node (`actor=None` is the system: demo, jobs)."""
    if actor is not None and not can(actor, MANAGE, path):
        raise deny()


def _raise(errors: list) -> None:
    if errors:
        field, message = errors[0]
        raise AppError(message, field=field, errors=errors)


def _text(values: dict, field: str, errors: list, *, required: bool = True) -> str:
    value = values.get(field)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.append((field, f"{LABELS[field]}应为文字。"))
        return ""
    value = value.strip()
    if "\x00" in value:
        errors.append((field, f"{LABELS[field]}含有无效字符。"))
    elif required and not value:
        if field == "legal_basis":
            errors.append((field, BASIS_MISSING))
        else:
            errors.append((field, f"请填写{LABELS[field]}。"))
    elif len(value) > LIMITS[field]:
        errors.append((field, f"{LABELS[field]}最多{LIMITS[field]}个字。"))
    return value


def _date(value, field: str, label: str, errors: list, *, required: bool) -> dt.date | None:
    """A date, an ISO string (the API and the demo pass either) or nothing."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            value = None
        else:
            try:
                value = dt.date.fromisoformat(text)
            except ValueError:
                errors.append((field, f"{label}无效，应为 YYYY-MM-DD。"))
                return None
    if value is None:
        if required:
            errors.append((field, f"请填写{label}。"))
        return None
    if not isinstance(value, dt.date):
        errors.append((field, f"{label}无效，应为 YYYY-MM-DD。"))
        return None
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        errors.append((field, f"{label}应在{YEAR_MIN}年至{YEAR_MAX}年之间。"))
        return None
    return value


def _dates(values: dict, errors: list, *, required: bool) -> tuple:
    start = _date(
        values.get("effective_from"), "effective_from", "施行日期", errors, required=required
    )
    end = _date(values.get("effective_to"), "effective_to", "失效日期", errors, required=False)
    if start and end and end < start:
        errors.append(("effective_to", "失效日期不能早于施行日期。"))
    return start, end


def _seq(value, errors: list) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors.append(("seq", "序号应为正整数。"))
        return None
    if not 1 <= number <= SEQ_MAX:
        errors.append(("seq", f"序号应在1至{SEQ_MAX}之间。"))
        return None
    return number


# ---------------------------------------------------------------------------------------------
# Lists


def _check_list(values: dict) -> dict:
    errors: list = []
    out = {
        "domain": _text(values, "domain", errors),
        "title": _text(values, "title", errors, required=False),
        "issued_by": _text(values, "issued_by", errors, required=False),
    }
    kind = values.get("kind") or ""
    if kind not in LenientKind.values:
        errors.append(("kind", "请选择清单类别。"))
    out["kind"] = kind
    out["effective_from"], out["effective_to"] = _dates(values, errors, required=True)
    _raise(errors)
    if not out["title"]:
        out["title"] = f"{out['domain']}领域{LenientKind(kind).label}清单"
    return out


def _refuse_duplicate(org_id: int, domain: str, kind: str, exclude: int | None = None) -> None:
    qs = LenientList.objects.unscoped().filter(org_id=org_id, domain=domain, kind=kind)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise AppError(
            f"本单位已有{domain}领域的{LenientKind(kind).label}清单，请在原清单中增加事项。",
            field="kind",
        )


@transaction.atomic
def list_create(
    *,
    actor,
    org,
    domain: str,
    kind: str,
    effective_from,
    title: str = "",
    issued_by: str = "",
    effective_to=None,
) -> LenientList:
    """A new list (unpublished) of `org` for one domain and kind; one list per org, domain and
    kind. A blank title becomes “<领域>领域<类别>清单”."""
    require(actor, org.path)
    values = _check_list(
        {
            "domain": domain,
            "kind": kind,
            "title": title,
            "issued_by": issued_by,
            "effective_from": effective_from,
            "effective_to": effective_to,
        }
    )
    _refuse_duplicate(org.pk, values["domain"], values["kind"])
    lenient_list = LenientList.objects.create(org=org, org_path=org.path, **values)
    audit(
        actor,
        "legal.lenient_list.created",
        lenient_list,
        org_path=lenient_list.org_path,
        changes=snapshot(lenient_list, LIST_FIELDS),
    )
    return lenient_list


def locked_list(lenient_list: LenientList) -> LenientList:
    return LenientList.all_objects.select_for_update().select_related("org").get(pk=lenient_list.pk)


@transaction.atomic
def list_update(*, actor, lenient_list: LenientList, **fields) -> LenientList:
    """Change a list's fields (any of LIST_FIELDS)."""
    unknown = set(fields) - set(LIST_FIELDS)
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    require(actor, lenient_list.org_path)
    current = locked_list(lenient_list)
    values = {name: getattr(current, name) for name in LIST_FIELDS}
    values.update(fields)
    cleaned = _check_list(values)
    _refuse_duplicate(current.org_id, cleaned["domain"], cleaned["kind"], exclude=current.pk)
    before = snapshot(current, LIST_FIELDS)
    for name, value in cleaned.items():
        setattr(current, name, value)
    changed = diff(before, snapshot(current, LIST_FIELDS))
    if changed:
        current.save(update_fields=[*changed, "updated_at"])
        audit(
            actor,
            "legal.lenient_list.updated",
            current,
            org_path=current.org_path,
            changes=changed,
        )
    return current


@transaction.atomic
def list_publish(*, actor, lenient_list: LenientList) -> LenientList:
    """Publish a list: its items then appear on the public page and the public API while they
    are in effect. A list without items is refused."""
    require(actor, lenient_list.org_path)
    current = locked_list(lenient_list)
    if current.is_published:
        raise AppError("该清单已发布。")
    if not current.items.exists():
        raise AppError("清单还没有事项，不能发布。")
    current.is_published = True
    current.published_at = timezone.now()
    current.save(update_fields=["is_published", "published_at", "updated_at"])
    audit(
        actor,
        "legal.lenient_list.published",
        current,
        org_path=current.org_path,
        changes={"items": current.items.count()},
    )
    return current


@transaction.atomic
def list_unpublish(*, actor, lenient_list: LenientList) -> LenientList:
    """Withdraw a list from the public page (its items are kept)."""
    require(actor, lenient_list.org_path)
    current = locked_list(lenient_list)
    if not current.is_published:
        raise AppError("该清单尚未发布。")
    current.is_published = False
    current.save(update_fields=["is_published", "updated_at"])
    audit(actor, "legal.lenient_list.unpublished", current, org_path=current.org_path)
    return current


# ---------------------------------------------------------------------------------------------
# Items


def check_item(values: dict) -> dict:
    errors: list = []
    out = {
        "seq": _seq(values.get("seq"), errors),
        "conduct": _text(values, "conduct", errors),
        "legal_basis": _text(values, "legal_basis", errors),
        "conditions": _text(values, "conditions", errors),
        "measure": _text(values, "measure", errors, required=False),
    }
    out["effective_from"], out["effective_to"] = _dates(values, errors, required=False)
    _raise(errors)
    return out


def _next_seq(lenient_list: LenientList) -> int:
    top = LenientItem.objects.unscoped().filter(lenient_list=lenient_list).aggregate(m=Max("seq"))
    return (top["m"] or 0) + 1


def _refuse_seq(lenient_list: LenientList, seq: int, exclude: int | None = None) -> None:
    qs = LenientItem.objects.unscoped().filter(lenient_list=lenient_list, seq=seq)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if qs.exists():
        raise AppError(f"序号{seq}已被本清单的其他事项使用。", field="seq")


@transaction.atomic
def item_create(
    *,
    actor,
    lenient_list: LenientList,
    conduct: str,
    legal_basis: str,
    conditions: str,
    measure: str = "",
    seq=None,
    effective_from=None,
    effective_to=None,
) -> LenientItem:
    """An item of a list. Without a legal basis (blank or only spaces) it is refused:
    “请填写法律依据”. Without `seq` it goes to the end."""
    require(actor, lenient_list.org_path)
    current = locked_list(lenient_list)
    values = check_item(
        {
            "seq": seq,
            "conduct": conduct,
            "legal_basis": legal_basis,
            "conditions": conditions,
            "measure": measure,
            "effective_from": effective_from,
            "effective_to": effective_to,
        }
    )
    if current.items.count() >= ITEMS_MAX:
        raise AppError(f"一张清单最多{ITEMS_MAX}项。")
    if values["seq"] is None:
        values["seq"] = _next_seq(current)
    else:
        _refuse_seq(current, values["seq"])
    item = LenientItem.objects.create(lenient_list=current, org_path=current.org_path, **values)
    audit(
        actor,
        "legal.lenient_item.added",
        item,
        org_path=item.org_path,
        changes={"list": current.pk, **snapshot(item, ITEM_FIELDS)},
    )
    return item


@transaction.atomic
def item_update(*, actor, item: LenientItem, **fields) -> LenientItem:
    """Change an item's fields (any of ITEM_FIELDS); the legal basis stays required."""
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise AppError("不能修改这些字段：" + "、".join(sorted(unknown)))
    require(actor, item.org_path)
    locked_list(item.lenient_list)
    current = LenientItem.all_objects.select_for_update().get(pk=item.pk)
    values = {name: getattr(current, name) for name in ITEM_FIELDS}
    values.update(fields)
    cleaned = check_item(values)
    if cleaned["seq"] is None:
        cleaned["seq"] = current.seq
    elif cleaned["seq"] != current.seq:
        _refuse_seq(current.lenient_list, cleaned["seq"], exclude=current.pk)
    before = snapshot(current, ITEM_FIELDS)
    for name, value in cleaned.items():
        setattr(current, name, value)
    changed = diff(before, snapshot(current, ITEM_FIELDS))
    if changed:
        current.save(update_fields=[*changed, "updated_at"])
        audit(
            actor,
            "legal.lenient_item.updated",
            current,
            org_path=current.org_path,
            changes=changed,
        )
    return current


@transaction.atomic
def item_delete(*, actor, item: LenientItem) -> None:
    """Remove an item. The last item of a published list stays: withdraw the list first."""
    require(actor, item.org_path)
    lenient_list = locked_list(item.lenient_list)
    if lenient_list.is_published and lenient_list.items.count() <= 1:
        raise AppError("已发布的清单至少要保留一项；如需清空，请先撤回发布。")
    changes = {"list": lenient_list.pk, **snapshot(item, ITEM_FIELDS)}
    audit(actor, "legal.lenient_item.deleted", item, org_path=item.org_path, changes=changes)
    LenientItem.all_objects.filter(pk=item.pk).delete()


@transaction.atomic
def item_move(*, actor, item: LenientItem, direction: str) -> LenientItem:
    """Swap an item with its neighbour ("up" or "down"): the two exchange their numbers."""
    if direction not in ("up", "down"):
        raise AppError("移动方向无效。", field="direction")
    require(actor, item.org_path)
    lenient_list = locked_list(item.lenient_list)
    current = LenientItem.all_objects.get(pk=item.pk)
    siblings = LenientItem.all_objects.filter(lenient_list=lenient_list)
    if direction == "up":
        other = siblings.filter(seq__lt=current.seq).order_by("-seq").first()
    else:
        other = siblings.filter(seq__gt=current.seq).order_by("seq").first()
    if other is None:
        raise AppError("已经在最前面了。" if direction == "up" else "已经在最后面了。")
    mine, theirs = current.seq, other.seq
    # the seq is unique per list: park one row on 0 (never a real number) while swapping
    LenientItem.all_objects.filter(pk=current.pk).update(seq=0)
    LenientItem.all_objects.filter(pk=other.pk).update(seq=mine, updated_at=timezone.now())
    LenientItem.all_objects.filter(pk=current.pk).update(seq=theirs, updated_at=timezone.now())
    current.seq = theirs
    audit(
        actor,
        "legal.lenient_item.moved",
        current,
        org_path=current.org_path,
        changes={"seq": [mine, theirs], "swapped_with": other.pk},
    )
    return current
