"""Attachments of a meeting (photos and documents), checked by their content, never by their
name or the browser's type: jpeg, png, webp, pdf, docx, xlsx only, at most
settings.ORGLIFE_ATTACHMENT_MAX_BYTES. Stored through Django's storage API under
orglife/<meeting id>/<random name>; downloads are audited."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.core.uploads import SNIFF_BYTES, office_kind, sniff
from dangjian.orglife.models import Meeting, MeetingAttachment, MeetingStatus
from dangjian.orglife.services import _locked, _require

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

#: kind → (MIME type, extension, label)
KINDS = {
    "jpeg": ("image/jpeg", "jpg", "JPEG图片"),
    "png": ("image/png", "png", "PNG图片"),
    "webp": ("image/webp", "webp", "WebP图片"),
    "pdf": ("application/pdf", "pdf", "PDF文档"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        "Word文档",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        "Excel工作簿",
    ),
}
WRONG_TYPE = "只能上传照片（JPG、PNG、WebP）或文档（PDF、Word .docx、Excel .xlsx）。"


def max_bytes() -> int:
    return getattr(settings, "ORGLIFE_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def too_large_message(size: int, limit: int | None = None) -> str:
    limit = max_bytes() if limit is None else limit
    return f"文件大小为{megabytes(size)}，超过了{megabytes(limit)}的上限，未上传。"


def read_document(
    uploaded_file, *, limit: int | None = None, allowed=None, wrong_type: str = WRONG_TYPE
) -> tuple[bytes, str, str]:
    """Read an uploaded photo or document whole and judge its type by content: (data, MIME
    type, extension). A missing, empty or too large file (`limit`, default this module's
    `max_bytes()`), or one whose kind is not in `allowed` (default: every kind in `KINDS`),
    is refused with an AppError at `file`; the caller stores nothing then. Meeting attachments,
    assessment evidence and 述职 reports all read their files through here."""
    limit = max_bytes() if limit is None else limit
    if uploaded_file is None:
        raise AppError("请选择要上传的文件。", field="file")
    size = getattr(uploaded_file, "size", None) or 0
    if size > limit:
        raise AppError(too_large_message(size, limit), field="file")
    data = b"".join(uploaded_file.chunks())
    if len(data) > limit:
        raise AppError(too_large_message(len(data), limit), field="file")
    if not data:
        raise AppError("文件是空的。", field="file")
    kind = detect(data)
    if kind is None or (allowed is not None and kind not in allowed):
        raise AppError(wrong_type, field="file")
    content_type, ext, _label = KINDS[kind]
    return data, content_type, ext


def detect(data: bytes) -> str | None:
    """The attachment kind of `data` by its content (a KINDS key), or None."""
    head = data[:SNIFF_BYTES]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    kind = sniff(head)
    if kind == "pdf" and head.startswith(b"%PDF-"):
        return "pdf"
    if kind == "zip":
        return office_kind(data, ("docx", "xlsx"))
    return None


def clean_name(name: str, default: str = "附件") -> str:
    """An uploaded file's name as shown: no directories, no control characters, ≤ 200."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[-200:] or default


@transaction.atomic
def attachment_add(*, actor, meeting: Meeting, uploaded_file) -> MeetingAttachment:
    """Add a photo or document to a meeting that is not archived yet. Too large or of another
    type → AppError at `file`, nothing stored."""
    _require(actor, meeting.org_path)
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.ARCHIVED:
        raise AppError("会议已归档，不能再添加附件。", field="file")
    data, content_type, ext = read_document(uploaded_file)
    attachment = MeetingAttachment(
        meeting=meeting,
        original_name=clean_name(getattr(uploaded_file, "name", "")),
        content_type=content_type,
        size=len(data),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    # the stored name is random (upload_to); only the sniffed extension is kept
    attachment.file.save(f"upload.{ext}", ContentFile(data), save=False)
    try:
        attachment.save()
        audit(
            actor,
            "orglife.attachment.added",
            meeting,
            org_path=meeting.org_path,
            changes={
                "attachment": attachment.pk,
                "name": attachment.original_name,
                "content_type": content_type,
                "size": attachment.size,
            },
        )
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: MeetingAttachment) -> None:
    """Remove an attachment while its meeting is not archived (the file goes too, after the
    commit)."""
    meeting = attachment.meeting
    _require(actor, meeting.org_path)
    meeting = _locked(meeting)
    if meeting.status == MeetingStatus.ARCHIVED:
        raise AppError("会议已归档，附件不能删除；如有错误，请办理更正。")
    storage, name = attachment.file.storage, attachment.file.name
    changes = {"attachment": attachment.pk, "name": attachment.original_name}
    attachment.delete()
    audit(actor, "orglife.attachment.removed", meeting, org_path=meeting.org_path, changes=changes)
    transaction.on_commit(lambda: storage.delete(name))


def attachment_open(*, actor, attachment: MeetingAttachment):
    """Open an attachment for download by someone who may view the meeting; audited."""
    meeting = attachment.meeting
    if actor is not None and not can(actor, Cap.MEMBER_VIEW, meeting.org_path):
        raise deny()
    handle = attachment.file.open("rb")
    audit(
        actor,
        "orglife.attachment.downloaded",
        meeting,
        org_path=meeting.org_path,
        changes={"attachment": attachment.pk, "name": attachment.original_name},
    )
    return handle


def attachments_of(meeting: Meeting) -> list[MeetingAttachment]:
    return list(MeetingAttachment.objects.unscoped().filter(meeting=meeting))
