"""The audit write path. Every service that changes something calls `audit(...)` inside its
transaction, so the entry and the change commit (or roll back) together."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dangjian.core.models import AuditEntry


def _plain(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def snapshot(obj, fields: list[str]) -> dict:
    """The values of `fields` on `obj` as JSON-friendly plain values (FKs by id)."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(obj, attname))
    return out


def diff(before: dict, after: dict) -> dict:
    """{"field": [old, new]} for every field whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def audit(
    actor,
    action: str,
    obj=None,
    *,
    org_path: str = "",
    changes: dict | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Record one event. `action` is a dotted code: `<app>.<entity>.<past_tense_verb>`."""
    entry = AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "",
        action=action,
        org_path=org_path or getattr(obj, "path", "") or "",
        changes={
            k: _plain(v) if not isinstance(v, list) else [_plain(x) for x in v]
            for k, v in (changes or {}).items()
        },
        ip=ip,
    )
    if obj is not None:
        entry.object_type = f"{obj._meta.app_label}.{obj._meta.model_name}"
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save()
    return entry
