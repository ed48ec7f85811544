"""Input checks shared by the activities' write paths (services_activities.py,
services_activities_care.py): each appends (field, Chinese message) to `errors`, and
`raise_errors` refuses with all of them at once, before anything is written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from dangjian.core.access import can, deny
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.veterans.models import Retiree

MANAGE = Cap.VETERANS_MANAGE
YEAR_MIN = 1949
COUNT_MAX = 1_000_000
LIMITS = {
    "name": 100,
    "focus": 200,
    "title": 200,
    "place": 200,
    "summary": 5000,
    "note": 5000,
    "story": 10000,
    "partner": 100,
    "advisers": 200,
    "matter": 200,
    "exemplar_title": 50,
}


# ---------------------------------------------------------------------------------------------
# Shared checks (each appends (field, message) to `errors`; `raise_errors` refuses at once)


def require(actor, path: str) -> None:
    """veterans.manage on the node; a refusal is the 404 of every refusal of scope."""
    if actor is not None and not can(actor, MANAGE, path):
        raise deny()


def raise_errors(errors: list) -> None:
    if errors:
        field, message = errors[0]
        raise AppError(message, field=field, errors=errors)


def text(value, field: str, label: str, errors: list, *, limit=None, required=True) -> str:
    limit = limit or LIMITS[field]
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.append((field, f"{label}格式有误。"))
        return ""
    value = value.strip()
    if "\x00" in value:
        errors.append((field, f"{label}含有无效字符。"))
    elif required and not value:
        errors.append((field, f"请填写{label}。"))
    elif len(value) > limit:
        errors.append((field, f"{label}不能超过{limit}字。"))
    return value


def date(value, field: str, label: str, errors: list, today: dt.date, *, required=True):
    """A date of something done: present, real, from 1949, not after today."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()) if value.strip() else None
        except ValueError:
            errors.append((field, f"{label}无效，应为 YYYY-MM-DD。"))
            return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if value is None:
        if required:
            errors.append((field, f"请填写{label}。"))
        return None
    if not isinstance(value, dt.date):
        errors.append((field, f"{label}无效，应为 YYYY-MM-DD。"))
        return None
    if value.year < YEAR_MIN:
        errors.append((field, f"{label}不能早于{YEAR_MIN}年。"))
        return None
    if value > today:
        errors.append((field, f"{label}不能晚于今天。"))
        return None
    return value


def count(value, field: str, label: str, errors: list, *, default=0, minimum=0) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        errors.append((field, f"{label}须为整数。"))
        return default
    try:
        number = int(value)
        if isinstance(value, (float, Decimal)) and number != value:
            raise ValueError
    except (TypeError, ValueError):
        errors.append((field, f"{label}须为整数。"))
        return default
    if number < minimum:
        errors.append((field, f"{label}不能小于{minimum}。"))
    elif number > COUNT_MAX:
        errors.append((field, f"{label}不能超过{COUNT_MAX}。"))
    return number


def hours_of(value, errors: list) -> Decimal | None:
    """Hours per participant: more than 0, at most 24, one decimal place."""
    label = "人均服务时长"
    if value is None or value == "":
        errors.append(("hours", f"请填写{label}。"))
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.append(("hours", f"{label}须为数字（小时）。"))
        return None
    if not number.is_finite():
        errors.append(("hours", f"{label}须为数字（小时）。"))
        return None
    if number <= 0:
        errors.append(("hours", f"{label}须大于0小时。"))
        return None
    if number > 24:
        errors.append(("hours", f"{label}不能超过24小时。"))
        return None
    if number != number.quantize(Decimal("0.1")):
        errors.append(("hours", f"{label}最多保留一位小数。"))
        return None
    return number.quantize(Decimal("0.1"))


def choice(value, field: str, label: str, choices, errors: list, *, default=None) -> str:
    if (value is None or value == "") and default is not None:
        return default
    if value not in choices.values:
        errors.append((field, f"请选择有效的{label}。"))
        return ""
    return value


def in_subtree(path: str, top: str) -> bool:
    return bool(path) and path.startswith(top)


def retiree_of(value, field: str, label: str, errors: list, *, org_path: str, actor, keep_id=None):
    """A retiree of the node's subtree, alive, whom the actor manages (or None if blank).
    `keep_id`: the one already recorded, kept as he is when unchanged."""
    if value in (None, ""):
        return None
    if not isinstance(value, Retiree):
        errors.append((field, f"请选择有效的{label}。"))
        return None
    if keep_id is not None and value.pk == keep_id:
        return value
    if not in_subtree(value.org_path, org_path) or (
        actor is not None and not can(actor, MANAGE, value.org_path)
    ):
        errors.append((field, f"{value.name}不属于本单位，不能作为{label}。"))
        return None
    if value.died_on is not None:
        errors.append((field, f"{value.name}已去世，不能作为{label}。"))
        return None
    return value
