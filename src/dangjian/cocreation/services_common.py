"""Helpers shared by the 共同缔造 write paths: the capability check, input coercion and the
one way refusals are raised (every problem of a record at once, the first at its field)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dangjian.core.access import can, deny, has_cap_anywhere, paths_for
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.rules import cocreation as rules

MANAGE = Cap.COCREATION_MANAGE

#: the longest texts each field takes (TextFields too: a page must stay a page)
LIMITS = {
    "name": 100,
    "district": 50,
    "township": 50,
    "community_note": 5000,
    "note": 2000,
    "cadre_name": 50,
    "post": 100,
    "title": 200,
    "goal": 5000,
    "metric_name": 50,
    "unit": 20,
    "milestone_note": 500,
    "caption": 200,
    "resident_name": 50,
    "content": 5000,
    "reply": 2000,
    "results": 5000,
    "visitors": 500,
    "summary": 5000,
    "description": 2000,
    "raised_by": 50,
    "owner_name": 50,
    "resolution": 2000,
}


def require(actor, path: str) -> None:
    """cocreation.manage on the node (`actor=None` is the system: demo, jobs)."""
    if actor is not None and not can(actor, MANAGE, path):
        raise deny()


def require_anywhere(actor) -> None:
    if actor is not None and not has_cap_anywhere(actor, MANAGE):
        raise deny()


def user_of(actor):
    return actor if getattr(actor, "pk", None) else None


def actor_path(actor) -> str:
    """Where an entry about shared reference data (a community) sits: the actor's top-most
    managed node, so the auditors of that subtree see it."""
    if actor is None:
        return ""
    paths = paths_for(actor, MANAGE)
    return paths[0] if paths else ""


def raise_errors(errors: list) -> None:
    if errors:
        field, message = errors[0]
        raise AppError(message, field=field, errors=errors)


def text(
    value,
    field: str,
    label: str,
    errors: list,
    *,
    limit_key: str | None = None,
    required: bool = True,
) -> str:
    limit = LIMITS[limit_key or field]
    found = rules.check_text(value, field=field, label=label, limit=limit, required=required)
    errors.extend(found)
    return value.strip() if isinstance(value, str) else ""


def date(
    value,
    field: str,
    label: str,
    errors: list,
    today: dt.date,
    *,
    required: bool = True,
    not_future: bool = False,
) -> dt.date | None:
    """A date (or an ISO string: the API and the demo pass either)."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()) if value.strip() else None
        except ValueError:
            errors.append((field, f"{label}无效，应为 YYYY-MM-DD。"))
            return None
    if isinstance(value, dt.datetime):
        value = value.date()
    found = rules.check_date(
        value, field=field, label=label, today=today, required=required, not_future=not_future
    )
    errors.extend(found)
    return None if found else value


def amount(
    value, field: str, label: str, errors: list, *, required: bool = False
) -> Decimal | None:
    found = rules.check_amount(value, field=field, label=label, required=required)
    errors.extend(found)
    if found:
        return None
    number = rules.parse_decimal(value)
    return number.quantize(Decimal("0.01")) if number is not None else None


def count(value, field: str, label: str, errors: list, *, default=None):
    found = rules.check_count(value, field=field, label=label)
    errors.extend(found)
    if found or value is None or value == "":
        return default
    return int(value)


def flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes", "是")
    return bool(value)


def is_unit_top(org) -> bool:
    """The unit's top Party body (its 党组): an org with a unit whose parent belongs to no unit
    or to another one."""
    if org is None or org.unit_id is None:
        return False
    parent = org.parent
    return parent is None or parent.unit_id != org.unit_id
