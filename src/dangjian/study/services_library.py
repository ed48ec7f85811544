"""Write paths of the materials library: materials (`material_create`, `material_update`,
`material_retire`), who must read what by when (`material_assign`, `assignment_remove`) and a
member's reading (`reading_open`, `reading_complete`). Each is atomic, checks study.manage on
the org itself (404 to outsiders), refuses bad input with a Chinese message at the field, and
writes an audit entry `study.<thing>.<verb>`. Finishing a reading feeds the member's points
(points_hooks.points_changed).

Files are judged by their content, never their name or the browser's type: a document is a
PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx) file or a JPG/PNG picture, a video an
MP4; each at most settings.STUDY_FILE_MAX_BYTES. The stored name is random; the original name
is kept (with the extension of what the file really is) for the download."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.core.uploads import SNIFF_BYTES, office_kind, sniff
from dangjian.members.models import Member
from dangjian.orgs.models import Org, OrgKind
from dangjian.study.models import (
    Material,
    MaterialKind,
    ReadingAssignment,
    ReadingProgress,
    Topic,
)
from dangjian.study.points_hooks import points_changed
from dangjian.study.selectors_library import ancestor_paths, may_change_assignment, member_of

MANAGE = Cap.STUDY_MANAGE
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
URL_MAX = 500
MINUTES_MAX = 600
#: dates and times outside these years are typing mistakes (and year 1 or 9999 overflows
#: when moved between time zones)
YEAR_MIN, YEAR_MAX = 2000, 2100
NUL_MESSAGE = "{label}中含有空字符，无法保存，请删除后重新填写。"
#: orgs that hold no members of their own (pickers leave them out: manage_orgs)
NOT_PUBLISHERS = (OrgKind.GROUP, OrgKind.DISCIPLINE_COMMITTEE)

#: what a material file may be: extension → (MIME type, label)
FILE_TYPES = {
    "pdf": ("application/pdf", "PDF文档"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word文档",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel工作簿"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint演示文稿",
    ),
    "jpg": ("image/jpeg", "JPG图片"),
    "png": ("image/png", "PNG图片"),
    "mp4": ("video/mp4", "MP4视频"),
}
KIND_FILES = {
    MaterialKind.DOCUMENT: ("pdf", "docx", "xlsx", "pptx", "jpg", "png"),
    MaterialKind.VIDEO: ("mp4",),
}
WRONG_FILE = {
    MaterialKind.DOCUMENT: "文档只能是PDF、Word（.docx）、Excel（.xlsx）、PowerPoint（.pptx）文件"
    "或JPG、PNG图片。",
    MaterialKind.VIDEO: "视频只能是MP4格式。",
}
#: ISO base media brands of an MP4 (a QuickTime .mov says "qt  " and is refused)
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"dash",
    b"MSNV",
}


# ---------------------------------------------------------------------------------------------
# Shared by the library and the quiz services


def require(actor, cap: Cap, path: str) -> None:
    """`cap` on the node, else 404 (`actor=None` is the system: the demo, jobs)."""
    if actor is not None and not can(actor, cap, path):
        raise deny()


def user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def clean_text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    value = value.strip() if isinstance(value, str) else str(value).strip()
    if "\x00" in value:  # PostgreSQL refuses NUL in text
        raise AppError(NUL_MESSAGE.format(label=label), field=field)
    if required and not value:
        raise AppError(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise AppError(f"{label}不能超过{limit}字。", field=field)
    return value


def clean_int(value, field: str, label: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise AppError(f"{label}应为整数。", field=field) from None
    if isinstance(number, bool) or not low <= number <= high:
        raise AppError(f"{label}应在{low}到{high}之间。", field=field)
    return number


def check_year(value: dt.date, field: str, label: str) -> None:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise AppError(f"{label}应在{YEAR_MIN}年到{YEAR_MAX}年之间。", field=field)


def clean_date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        check_year(value, field, label)  # before a time zone moves it
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        found = dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise AppError(f"请填写有效的{label}（YYYY-MM-DD）。", field=field) from None
    check_year(found, field, label)
    return found


def active_org(org: Org, field: str = "org") -> Org:
    if org is None:
        raise AppError("请选择组织。", field=field)
    if org.dissolved_on is not None:
        raise AppError("该组织已撤销。", field=field)
    return org


def publishing_org(org: Org, field: str = "org") -> Org:
    """An org that publishes materials, banks and tests, or is assigned reading: a 党小组 or a
    纪委 holds no members of its own, so no member would ever see what it published."""
    active_org(org, field)
    if org.kind in NOT_PUBLISHERS:
        raise AppError(
            f"{OrgKind(org.kind).label}不能发布或布置学习内容，请选择党委、党总支或党支部。",
            field=field,
        )
    return org


def acting_member(actor, member: Member | None = None) -> Member:
    """The member who reads or takes the test: the actor's own record; the system (`actor` is
    None: the demo) names him."""
    if actor is None:
        if member is None:
            raise AppError("未指定党员。")
        return member
    found = member_of(actor)
    if found is None:
        raise AppError("您的账号未关联党员信息，不能进行学习和自测。请联系本支部管理员。")
    return found


def in_library_of(member: Member, path: str) -> bool:
    """A member's library: what his branch and the orgs above it own."""
    return path in ancestor_paths(member.org_path)


# ---------------------------------------------------------------------------------------------
# Files


def detect_file(data: bytes) -> str | None:
    """What a material file is, by its content: a FILE_TYPES key, or None."""
    head = data[:SNIFF_BYTES]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "mp4"
    kind = sniff(head)
    if kind == "pdf" and head.startswith(b"%PDF-"):
        return "pdf"
    if kind == "zip":
        return office_kind(data, ("docx", "xlsx", "pptx"))
    return None


def max_bytes() -> int:
    return settings.STUDY_FILE_MAX_BYTES


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def too_large_message(size: int) -> str:
    return f"文件大小为{megabytes(size)}，超过了{megabytes(max_bytes())}的上限，未上传。"


def read_material_file(uploaded_file, kind: str) -> tuple[bytes, str]:
    """(the bytes, the extension of what they are) or AppError at `file`."""
    if uploaded_file is None:
        raise AppError("请选择要上传的文件。", field="file")
    limit = max_bytes()
    size = getattr(uploaded_file, "size", None) or 0
    if size > limit:
        raise AppError(too_large_message(size), field="file")
    data = bytearray()
    for chunk in uploaded_file.chunks():
        data += chunk
        if len(data) > limit:
            raise AppError(too_large_message(len(data)), field="file")
    if not data:
        raise AppError("文件是空的。", field="file")
    ext = detect_file(bytes(data))
    if ext is None or ext not in KIND_FILES[kind]:
        raise AppError(WRONG_FILE[kind], field="file")
    return bytes(data), ext


def clean_file_name(name: str, ext: str) -> str:
    """The uploaded name as shown and downloaded: no folders, no control characters, at most
    200 characters, ending with the extension of what the file really is."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip(" .")[:190] or "学习资料"
    return f"{stem}.{ext}"


def content_type_of(file_name: str) -> str:
    ext = (file_name or "").rsplit(".", 1)[-1].lower()
    return FILE_TYPES.get(ext, ("application/octet-stream", ""))[0]


def clean_url(value, *, required: bool) -> str:
    url = clean_text(value, "url", "链接", URL_MAX, required=required)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise AppError("链接应为以 http:// 或 https:// 开头的网址。", field="url") from None
    return url


def _topic(topic) -> Topic:
    if isinstance(topic, Topic):
        return topic
    try:
        pk = int(topic)
    except (TypeError, ValueError):
        pk = None
    found = Topic.objects.filter(pk=pk).first() if pk else None
    if found is None:
        raise AppError("请选择专题。", field="topic")
    return found


def _store(material: Material, data: bytes | None, ext: str, original: str) -> None:
    if data is None:
        return
    material.file.save(f"upload.{ext}", ContentFile(data), save=False)
    material.file_name = clean_file_name(original, ext)


# ---------------------------------------------------------------------------------------------
# Materials


@transaction.atomic
def material_create(
    *,
    actor,
    org: Org,
    topic,
    title,
    description,
    kind,
    file=None,
    url="",
    minutes=10,
) -> Material:
    """A document, video or link in `org`'s library. A document or video needs its file; a
    link needs an http(s) address."""
    require(actor, MANAGE, getattr(org, "path", ""))
    publishing_org(org)
    topic = _topic(topic)
    title = clean_text(title, "title", "标题", TITLE_MAX, required=True)
    description = clean_text(description, "description", "简介", DESCRIPTION_MAX)
    if kind not in MaterialKind.values:
        raise AppError("请选择资料类型。", field="kind")
    minutes = clean_int(minutes, "minutes", "预计学习时长（分钟）", 1, MINUTES_MAX)
    data, ext = None, ""
    if kind == MaterialKind.LINK:
        if file is not None:
            raise AppError(
                "链接类资料不需要上传文件；如有文件，请选择“文档”或“视频”。", field="file"
            )
        url = clean_url(url, required=True)
    else:
        url = clean_url(url, required=False)
        data, ext = read_material_file(file, kind)
    material = Material(
        org=org,
        org_path=org.path,
        topic=topic,
        title=title,
        description=description,
        kind=kind,
        url=url,
        minutes=minutes,
        created_by=user_or_none(actor),
    )
    _store(material, data, ext, getattr(file, "name", ""))
    try:
        material.save()
        audit(
            actor,
            "study.material.created",
            material,
            org_path=material.org_path,
            changes={
                "title": title,
                "kind": kind,
                "topic": topic.pk,
                "file_name": material.file_name,
                "url": url,
            },
        )
    except BaseException:
        if material.file:
            material.file.delete(save=False)
        raise
    return material


UPDATABLE = ("title", "description", "topic", "minutes", "url", "file")


@transaction.atomic
def material_update(*, actor, material: Material, **changes) -> Material:
    """Change a material's title, description, topic, minutes, link or file (its kind
    stays). A replaced file is removed after the commit."""
    require(actor, MANAGE, material.org_path)
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise AppError(f"不能修改这些内容：{'、'.join(unknown)}。")
    material = Material.all_objects.select_for_update().get(pk=material.pk)
    if not material.is_active:
        raise AppError("该资料已停用，不能修改。")
    before = {
        "title": material.title,
        "description": material.description,
        "topic": material.topic_id,
        "minutes": material.minutes,
        "url": material.url,
        "file_name": material.file_name,
    }
    if "title" in changes:
        material.title = clean_text(changes["title"], "title", "标题", TITLE_MAX, required=True)
    if "description" in changes:
        material.description = clean_text(
            changes["description"], "description", "简介", DESCRIPTION_MAX
        )
    if "topic" in changes:
        material.topic = _topic(changes["topic"])
    if "minutes" in changes:
        material.minutes = clean_int(
            changes["minutes"], "minutes", "预计学习时长（分钟）", 1, MINUTES_MAX
        )
    if "url" in changes:
        material.url = clean_url(changes["url"], required=material.kind == MaterialKind.LINK)
    old_name = material.file.name if material.file else ""
    replaced = False
    if changes.get("file") is not None:
        if material.kind == MaterialKind.LINK:
            raise AppError("链接类资料不需要上传文件。", field="file")
        data, ext = read_material_file(changes["file"], material.kind)
        _store(material, data, ext, getattr(changes["file"], "name", ""))
        replaced = True
    after = {
        "title": material.title,
        "description": material.description,
        "topic": material.topic_id,
        "minutes": material.minutes,
        "url": material.url,
        "file_name": material.file_name,
    }
    diff = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if replaced:  # a new file under the same name is a change too
        diff["file_name"] = [before["file_name"], material.file_name]
    if not diff:
        return material
    try:
        material.save(
            update_fields=["title", "description", "topic", "minutes", "url", "file", "file_name"]
        )
        audit(actor, "study.material.updated", material, org_path=material.org_path, changes=diff)
    except BaseException:
        if replaced:
            material.file.delete(save=False)
        raise
    if replaced and old_name:
        storage = material.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return material


@transaction.atomic
def material_retire(*, actor, material: Material) -> Material:
    """停用: the material leaves the library (members no longer see it); its progress and
    assignments stay as history."""
    require(actor, MANAGE, material.org_path)
    updated = Material.all_objects.filter(pk=material.pk, is_active=True).update(is_active=False)
    if not updated:
        raise AppError("该资料已停用。")
    material.is_active = False
    audit(actor, "study.material.retired", material, org_path=material.org_path)
    return material


def material_open_file(*, actor, material: Material):
    """The stored file of a material the caller may read (checked by the caller's access
    function), opened for reading; FileNotFoundError when it is gone."""
    if not material.file:
        raise FileNotFoundError(material.pk)
    return material.file.open("rb")


# ---------------------------------------------------------------------------------------------
# Assignments (必学)


@transaction.atomic
def material_assign(
    *, actor, material: Material, org: Org, due_on, today: dt.date | None = None
) -> ReadingAssignment:
    """必学: the members of `org`'s subtree must finish `material` by `due_on`. `org` is the
    material's own org or one below it, and one the actor manages. Assigning again to the same
    org changes the due date."""
    require(actor, MANAGE, getattr(org, "path", ""))
    publishing_org(org)
    if not org.path.startswith(material.org_path):
        raise AppError("只能布置给发布该资料的组织或其下级组织。", field="org")
    if not material.is_active:
        raise AppError("该资料已停用，不能布置。")
    today = today or timezone.localdate()
    due_on = clean_date(due_on, "due_on", "完成期限")
    if due_on < today:
        raise AppError("完成期限不能早于今天。", field="due_on")
    if due_on > today + dt.timedelta(days=3 * 366):
        raise AppError("完成期限不能晚于三年以后。", field="due_on")
    existing = (
        ReadingAssignment.all_objects.select_for_update()
        .select_related("material")
        .filter(material=material, org=org)
        .first()
    )
    if existing is not None:
        if existing.due_on != due_on:
            if not may_change_assignment(actor, existing):
                raise AppError(
                    "上级已将该资料布置给这个组织，完成期限只能由上级修改。", field="due_on"
                )
            before = existing.due_on
            existing.due_on = due_on
            existing.save(update_fields=["due_on"])
            audit(
                actor,
                "study.assignment.updated",
                material,
                org_path=org.path,
                changes={"org": org.pk, "due_on": [before, due_on]},
            )
        return existing
    try:
        with transaction.atomic():
            assignment = ReadingAssignment.all_objects.create(
                material=material,
                org=org,
                org_path=org.path,
                due_on=due_on,
                assigned_by=user_or_none(actor),
            )
    except IntegrityError:
        raise AppError("该资料刚被布置给这个组织，请刷新后查看。", field="org") from None
    audit(
        actor,
        "study.assignment.created",
        material,
        org_path=org.path,
        changes={"org": org.pk, "due_on": due_on},
    )
    return assignment


@transaction.atomic
def assignment_remove(*, actor, assignment: ReadingAssignment) -> None:
    """Withdraw an assignment (the reading progress stays): those who manage the material's
    org, or the one who made it (selectors_library.may_change_assignment)."""
    if not may_change_assignment(actor, assignment):
        raise deny()
    material = assignment.material
    changes = {"org": assignment.org_id, "due_on": assignment.due_on}
    ReadingAssignment.all_objects.filter(pk=assignment.pk).delete()
    audit(
        actor, "study.assignment.removed", material, org_path=assignment.org_path, changes=changes
    )


# ---------------------------------------------------------------------------------------------
# Reading


def _readable(member: Member, material: Material) -> None:
    if not material.is_active or not in_library_of(member, material.org_path):
        raise deny()


@transaction.atomic
def reading_open(
    *, actor, material: Material, now: dt.datetime | None = None, member: Member | None = None
) -> ReadingProgress:
    """The member starts reading: his progress row, once (opening again changes nothing)."""
    member = acting_member(actor, member)
    _readable(member, material)
    now = now or timezone.now()
    found = ReadingProgress.all_objects.filter(material=material, member=member).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            progress = ReadingProgress.all_objects.create(
                material=material, member=member, org_path=member.org_path, opened_at=now
            )
    except IntegrityError:  # opened at the same moment from another device
        return ReadingProgress.all_objects.get(material=material, member=member)
    audit(
        actor,
        "study.reading.opened",
        material,
        org_path=member.org_path,
        changes={"member": member.pk},
    )
    return progress


@transaction.atomic
def reading_complete(
    *, actor, material: Material, now: dt.datetime | None = None, member: Member | None = None
) -> ReadingProgress:
    """标记为已学完: sets the completion time once (a second mark changes nothing) and feeds
    the member's points."""
    member = acting_member(actor, member)
    _readable(member, material)
    now = now or timezone.now()
    progress = reading_open(actor=actor, material=material, now=now, member=member)
    updated = ReadingProgress.all_objects.filter(pk=progress.pk, completed_at__isnull=True).update(
        completed_at=now
    )
    if updated:
        audit(
            actor,
            "study.reading.completed",
            material,
            org_path=member.org_path,
            changes={"member": member.pk, "completed_at": now},
        )
        points_changed([member.pk], timezone.localtime(now))
    progress.refresh_from_db()
    return progress
