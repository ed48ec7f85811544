"""Study notes (心得体会): a member submits his own note (`note_submit`); the similarity
index (the copied-minutes detector of orglife, docs/similarity.md) compares it with every
note and every set of minutes indexed before it, of this year or any other, and each match
at or above STUDY_NOTE_MIN_SIMILARITY is kept as a `CopiedNote` for the managers to look
at. The author takes a note back on the day he wrote it, a manager at any time
(`note_withdraw`)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.orglife.models import Attendance, AttendanceStatus
from dangjian.rules import study as rules
from dangjian.similarity import services as similarity
from dangjian.study.models import CopiedNote, Material, StudyNote, StudySession
from dangjian.study.points_hooks import points_changed
from dangjian.study.selectors_points import NOTE_SOURCE, ancestor_paths
from dangjian.study.selectors_sessions import own_member

MANAGE = Cap.STUDY_MANAGE


def _pk(value) -> int | None:
    if value is None or value == "":
        return None
    if hasattr(value, "pk"):
        return value.pk
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if 0 < number < 2**62 else -1


def _session(member, value) -> StudySession | None:
    pk = _pk(value)
    if pk is None:
        return None
    session = StudySession.all_objects.select_related("meeting").filter(pk=pk).first()
    present = (
        session is not None
        and Attendance.all_objects.filter(
            meeting_id=session.meeting_id, member=member, status=AttendanceStatus.PRESENT
        ).exists()
    )
    if not present:
        # the same answer for a session that does not exist: nothing is confirmed
        raise AppError("请选择您本人参加过的学习培训。", field="session")
    return session


def _material(member, value) -> Material | None:
    pk = _pk(value)
    if pk is None:
        return None
    material = Material.all_objects.filter(
        pk=pk, is_active=True, org_path__in=ancestor_paths(member.org_path)
    ).first()
    if material is None:
        raise AppError("请选择本支部或上级组织发布的学习资料。", field="material")
    return material


def _text(title, text) -> tuple[str, str]:
    title = (title or "").strip() if isinstance(title, str) or title is None else str(title)
    text = (text or "").strip() if isinstance(text, str) or text is None else str(text)
    errors = []
    if not title:
        errors.append(("title", "请填写标题。"))
    elif len(title) > rules.NOTE_TITLE_MAX:
        errors.append(("title", f"标题不能超过{rules.NOTE_TITLE_MAX}字。"))
    if not text:
        errors.append(("text", "请填写心得体会正文。"))
    elif len(text) < rules.NOTE_TEXT_MIN:
        errors.append(("text", f"正文太短：至少{rules.NOTE_TEXT_MIN}字（现有{len(text)}字）。"))
    elif len(text) > rules.NOTE_TEXT_MAX:
        errors.append(("text", f"正文不能超过{rules.NOTE_TEXT_MAX}字（现有{len(text)}字）。"))
    if errors:
        raise AppError(errors[0][1], field=errors[0][0], errors=errors)
    return title, text


def min_similarity() -> float:
    return float(getattr(settings, "STUDY_NOTE_MIN_SIMILARITY", 0.6))


@transaction.atomic
def note_submit(
    *, actor, title, text, session=None, material=None, now: dt.datetime | None = None
) -> StudyNote:
    """The actor's own note (his account must be a member's on the roster). `session` (a
    StudySession or its id) must be one he was present at; `material` (or its id) one of his
    branch's or an org's above it. A separated administrator's account (三员分立) is no
    member's here. The note is indexed and compared with every note and every
    set of minutes indexed before it (any org, any year, the author's own too); each match at
    or above STUDY_NOTE_MIN_SIMILARITY becomes a CopiedNote."""
    member = own_member(actor)  # never one of the separated administrators (三员分立)
    if member is None or member.left_on is not None:
        raise AppError("只有在册党员本人可以提交心得体会。", code="forbidden")
    title, text = _text(title, text)
    session = _session(member, session)
    material = _material(member, material)
    now = now or timezone.now()
    note = StudyNote.all_objects.create(
        member=member,
        org_path=member.org_path,
        title=title,
        text=text,
        session=session,
        material=material,
        submitted_at=now,
        submitted_by=actor if getattr(actor, "pk", None) else None,
    )
    matches = similarity.index_text(
        source_type=NOTE_SOURCE,
        source_id=note.pk,
        org_path=note.org_path,
        text=text,
        created=now,
        same_org=True,  # two members of one branch copying each other count too
        min_similarity=min_similarity(),
    )
    copies = [
        CopiedNote(
            note=note,
            org_path=note.org_path,
            source_type=m.source_type,
            source_id=m.source_id,
            source_path=m.org_path,
            similarity=m.similarity,
        )
        for m in matches
        if m.similarity >= min_similarity()
        and not (m.source_type == NOTE_SOURCE and m.source_id == note.pk)
    ]
    CopiedNote.all_objects.bulk_create(copies)
    audit(
        actor,
        "study.note.submitted",
        note,
        org_path=note.org_path,
        changes={
            "member": member.pk,
            "title": title,
            "chars": len(text),
            "session": session.pk if session else None,
            "material": material.pk if material else None,
            "copies": [f"{c.source_type}:{c.source_id}:{c.similarity}" for c in copies],
        },
    )
    points_changed([member.pk], timezone.localtime(now).date())  # the local year
    return note


@transaction.atomic
def note_withdraw(*, actor, note: StudyNote, now: dt.datetime | None = None) -> None:
    """Take a note back: its author on the day he submitted it, or a holder of study.manage
    on its org at any time. It leaves the similarity index, and the suspected copies it was
    the source of go with it (their text can no longer be shown)."""
    now = now or timezone.now()
    manager = actor is None or can(actor, MANAGE, note.org_path)
    author = getattr(own_member(actor), "pk", None) == note.member_id
    if not manager:
        if not author:
            raise deny()
        if timezone.localtime(note.submitted_at).date() != timezone.localtime(now).date():
            raise AppError("心得体会只能在提交当天撤回；如需撤回，请联系党支部。")
    pk, member_id, submitted_at = note.pk, note.member_id, note.submitted_at
    similarity.remove_text(NOTE_SOURCE, pk)
    dropped = CopiedNote.all_objects.filter(source_type=NOTE_SOURCE, source_id=pk).delete()[0]
    audit(
        actor,
        "study.note.withdrawn",
        note,
        org_path=note.org_path,
        changes={
            "member": member_id,
            "title": note.title,
            "submitted_at": submitted_at,
            "by": "manager" if manager and not author else "author",
            "copies_of_it_dropped": dropped,
        },
    )
    StudyNote.all_objects.filter(pk=pk).delete()
    points_changed([member_id], timezone.localtime(submitted_at).date())
