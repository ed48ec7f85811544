"""The audit write path. Every service that changes something calls `audit(...)` inside its
transaction, so the entry and the change commit (or roll back) together."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from cryptography.hazmat.primitives import hashes
from django.db import transaction
from django.utils import timezone

from dangjian.core.bulk import insert_objects
from dangjian.core.models import AuditChainHead, AuditEntry


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
    append([entry])
    return entry


# --- the chain ------------------------------------------------------------------------------


def canonical(entry: AuditEntry) -> bytes:
    """The content an entry's digest covers, in a fixed form (the database hands the same
    values back: microsecond timestamps in UTC, JSON with sorted keys)."""
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    fields = [
        at,
        str(entry.actor_id or ""),
        entry.actor_name,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.org_path,
        json.dumps(entry.changes, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        str(entry.ip or ""),
    ]
    return json.dumps(fields, ensure_ascii=False).encode()


def entry_digest(prev_hash: str, entry: AuditEntry) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(prev_hash.encode() + b"\n" + canonical(entry))
    return h.finalize().hex()


def append(entries: list[AuditEntry]) -> None:
    """Write entries at the end of the chain: the one way audit entries are stored (`audit`
    for one event, bulk writers such as the import for many)."""
    if not entries:
        return
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # a new or flushed database
            head = AuditChainHead.objects.create(pk=1)
        prev = head.last_hash
        now = timezone.now()
        for entry in entries:
            entry.at = entry.at or now
            entry.prev_hash = prev
            entry.entry_hash = prev = entry_digest(prev, entry)
        if len(entries) == 1:
            entries[0].save()
        else:
            insert_objects(AuditEntry, entries)
        head.last_hash = prev
        head.last_id = max((e.pk or 0) for e in entries) or None
        head.save(update_fields=["last_hash", "last_id"])


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def verify_chain(*, chunk: int = 2000) -> ChainReport:
    """Walk the log in order: every entry must name the previous entry's digest and match its
    own; the head must name the last entry. Reports the first broken link."""
    prev, checked, last_id = "", 0, None
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk):
        if entry.prev_hash != prev:
            return ChainReport(False, checked, entry.pk, "前一条摘要不符：其前的日志被删除或改动")
        if entry_digest(prev, entry) != entry.entry_hash:
            return ChainReport(False, checked, entry.pk, "本条内容与摘要不符：该条日志被改动")
        prev, last_id, checked = entry.entry_hash, entry.pk, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_hash = head.last_hash if head else ""
    if head_hash != prev:
        return ChainReport(False, checked, last_id, "链尾摘要不符：最后的日志被删除")
    return ChainReport(True, checked)
