"""The write of a validated roster: all rows in one transaction, or none.

Called by `services.import_write` inside `transaction.atomic()` with the rows `check_file`
has just re-validated. Re-checks inside the transaction what the database could have changed
since (branches still active, members still where they were, ID numbers still free), then
writes new members with one bulk insert, updates existing ones, and writes their history and
audit entries in bulk. Any refusal raises AppError and the caller's transaction rolls back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from dangjian.core.access import can
from dangjian.core.audit import append as append_audit
from dangjian.core.audit import audit
from dangjian.core.bulk import insert_objects
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.core.permissions import Cap
from dangjian.members import services as member_services
from dangjian.members.imports.checking import Row
from dangjian.members.models import Employment, Member, MemberChange, Source
from dangjian.orgs.models import Org, OrgKind

BATCH = 500
RETIRED_POST = "0810"  # 离退休人员 in the 工作岗位 table

#: the model columns a record item is stored in, where they are not just the item's name
COLUMNS_OF = {
    "id_number": ["id_number_sealed", "id_number_masked", "id_tail", "id_digest"],
    "phone": ["phone_sealed", "phone_masked"],
    "address": ["address_sealed", "address_masked"],
    "name": ["name", "name_pinyin", "name_initials"],
    "lost_contact": ["is_lost_contact"],
    "mobile": ["is_mobile"],
}
#: columns apply_record may clear as a consequence of another item (standing, lost, mobile)
DEPENDENT_COLUMNS = [
    "standing_reason",
    "suspension_ground",
    "suspended_on",
    "lost_contact_since",
    "mobile_destination",
]


def _update_fields(changed: set[str], moved: bool) -> list[str]:
    fields = set(DEPENDENT_COLUMNS) | {"updated_at"}
    for key in changed:
        fields.update(COLUMNS_OF.get(key, [key]))
    if moved:
        fields.update(("branch", "org_path"))
    return sorted(fields)


@dataclass
class Written:
    created: int = 0
    updated: int = 0  # existing members whose record changed
    unchanged: int = 0  # existing members whose record was already the same
    skipped: int = 0  # existing members left alone (update not chosen)


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _actor_fields(actor) -> dict:
    return {
        "actor": actor if getattr(actor, "pk", None) else None,
        "actor_name": getattr(actor, "username", "") or "",
    }


def _entry(actor, action: str, member: Member, changes: dict) -> AuditEntry:
    return AuditEntry(
        **_actor_fields(actor),
        action=action,
        object_type="members.member",
        object_id=str(member.pk),
        object_repr=str(member)[:200],
        org_path=member.org_path,
        changes=changes,
    )


def _change(member, item, old, new, *, actor, on, reason) -> MemberChange:
    label_map = member_services.TRACKED.get(item, (item, {}))[1]
    return MemberChange(
        member=member,
        item=item,
        old_value=str(label_map.get(old, old if old is not None else ""))[:200],
        new_value=str(label_map.get(new, new if new is not None else ""))[:200],
        effective_on=on,
        reason=reason[:200],
        actor=_actor_fields(actor)["actor"],
        actor_name=(getattr(actor, "display_name", "") or getattr(actor, "username", "") or "")[
            :50
        ],
    )


def _branches(rows: list[Row], job) -> dict[int, Org]:
    ids = {r.branch_id for r in rows}
    branches = Org.objects.unscoped().in_bulk(ids)
    for row in rows:
        branch = branches.get(row.branch_id)
        if (
            branch is None
            or branch.kind != OrgKind.BRANCH
            or not branch.is_active
            or not branch.path.startswith(job.org_path)
        ):
            raise AppError(f"第{row.number}行的所在党支部已撤销或已移出导入范围，未写入任何数据。")
    return branches


def _still_free(rows: list[Row]) -> None:
    new = {r.digest: r for r in rows if r.member_id is None}
    digests = list(new)
    for start in range(0, len(digests), BATCH):
        taken = list(
            Member.objects.unscoped()
            .filter(id_digest__in=digests[start : start + BATCH])
            # no ordering: "the first by the default order" made PostgreSQL walk the whole
            # roster in that order (3 s a batch at a million members) instead of the index
            .order_by()
            .values_list("id_digest", flat=True)[:1]
        )
        if taken:
            raise AppError(
                f"第{new[taken[0]].number}行的党员已在校验后被登记到系统中，未写入任何数据。"
            )


def write_rows(*, actor, job, rows: list[Row], update_existing: bool) -> Written:
    """Write the rows (inside the caller's transaction). Raises AppError to refuse."""
    today = timezone.localdate()
    reason = f"批量导入（{job.original_name}）"
    branches = _branches(rows, job)
    _still_free(rows)
    result = Written()
    entries: list[AuditEntry] = []
    history: list[MemberChange] = []

    existing = [r for r in rows if r.member_id is not None]
    if update_existing and existing:
        members = (
            Member.objects.unscoped()
            .select_related("branch")
            .in_bulk([r.member_id for r in existing])
        )
        for row in existing:
            member = members.get(row.member_id)
            if member is None or member.left_on is not None:
                raise AppError(f"第{row.number}行的党员已在校验后减少或删除，未写入任何数据。")
            if actor is not None and not can(actor, Cap.MEMBER_MANAGE, member.org_path):
                raise AppError(
                    f"第{row.number}行的党员已在校验后转出您的管理范围，未写入任何数据。"
                )
            changes = _update(member, row, branches[row.branch_id], actor, today, reason, history)
            if changes:
                member.save(
                    update_fields=_update_fields(set(changes) - {"branch"}, "branch" in changes)
                )
                entries.append(_entry(actor, "members.member.updated", member, changes))
                result.updated += 1
            else:
                result.unchanged += 1
    else:
        result.skipped = len(existing)

    new_members = []
    for row in rows:
        if row.member_id is not None:
            continue
        branch = branches[row.branch_id]
        member = Member(branch=branch, org_path=branch.path, source=Source.OTHER)
        record = dict(row.record)
        if not record.get("employment"):
            retired = record.get("post") == RETIRED_POST
            record["employment"] = Employment.RETIRED if retired else Employment.IN_SERVICE
        member_services.apply_record(member, record)
        new_members.append(member)
    insert_objects(Member, new_members, batch=BATCH)
    result.created = len(new_members)
    for member in new_members:
        entries.append(
            _entry(
                actor,
                "members.member.imported",
                member,
                {
                    "name": member.name,
                    "branch": member.branch_id,
                    "category": member.category,
                    "joined_on": _plain(member.joined_on),
                    "source": member.source,
                    "import_job": job.pk,
                },
            )
        )
    insert_objects(MemberChange, history, batch=BATCH)
    append_audit(entries)
    audit(
        actor,
        "members.import.completed",
        job,
        org_path=job.org_path,
        changes={
            "file": job.original_name,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": result.skipped,
        },
    )
    return result


def _update(member: Member, row: Row, branch: Org, actor, today, reason, history) -> dict:
    """Apply the row to an existing member; returns the audit changes ({} when none)."""
    before = member_services.record_of(member)
    record = row.record
    changed = {k for k, v in record.items() if before.get(k) != v}
    changes = {
        k: ["***", "***"]
        if k in member_services.SENSITIVE
        else [_plain(before.get(k)), _plain(record[k])]
        for k in sorted(changed)
    }
    for key in member_services.TRACKED:
        if key in changed:
            history.append(
                _change(
                    member, key, before.get(key), record[key], actor=actor, on=today, reason=reason
                )
            )
    if member.branch_id != branch.pk:
        history.append(
            _change(
                member,
                "branch",
                member.branch.name,
                branch.name,
                actor=actor,
                on=today,
                reason=reason,
            )
        )
        changes["branch"] = [member.branch_id, branch.pk]
        member.branch = branch
        member.org_path = branch.path
    if changed:
        member_services.apply_record(member, {k: record[k] for k in changed})
        if "standing" in changed and member.standing == "suspended" and not member.suspended_on:
            member.suspended_on = today  # as member_update does: suspended from this day
    return changes
