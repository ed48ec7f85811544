"""Meeting attachments: photos and documents checked by content and size (nothing stored on
a refusal), stored through the storage API, downloaded as attachments (audited, scoped),
removed only before archiving."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from tests.orglife.helpers_extra import held

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.orglife import services, services_attachments
from dangjian.orglife.models import MeetingAttachment

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def office(main: str | None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if main:
            archive.writestr(
                "[Content_Types].xml",
                f'<?xml version="1.0"?><Types><Override PartName="/x" ContentType="{main}"/>'
                "</Types>",
            )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"

GOOD = [
    ("合影.jpg", JPEG, "image/jpeg"),
    ("签到表.png", PNG, "image/png"),
    ("现场.webp", WEBP, "image/webp"),
    ("会议通知.pdf", PDF, "application/pdf"),
    ("发言稿.docx", office(DOCX_MAIN), DOCX_MAIN.removesuffix(".main+xml")),
    ("统计表.xlsx", office(XLSX_MAIN), XLSX_MAIN.removesuffix(".main+xml")),
]
BAD = [
    ("照片.jpg", b"MZ\x90\x00" + b"\x00" * 100),  # a program named as a photo
    ("通知.pdf", b"<html><body>hi</body></html>"),
    ("发言稿.docx", office(None)),  # a zip without [Content_Types].xml
    ("宏.docx", office(DOCM_MAIN)),  # macro-enabled
    ("动图.gif", b"GIF89a" + b"\x00" * 100),
    ("说明.txt", "会议说明".encode()),
    ("压缩包.docx", b"PK\x03\x04garbage-not-a-zip"),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _add(meeting, name, data, actor=None):
    return services_attachments.attachment_add(
        actor=actor, meeting=meeting, uploaded_file=upload(name, data)
    )


def _stored_files(tmp_path):
    root = tmp_path / "media"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(("name", "data", "content_type"), GOOD)
def test_photos_and_documents_are_stored_by_their_content(tree, personas, name, data, content_type):
    meeting = held(tree)
    attachment = _add(meeting, name, data, personas.secretary_a)
    assert attachment.content_type == content_type
    assert attachment.original_name == name and attachment.size == len(data)
    stored = attachment.file.name
    assert stored.startswith(f"orglife/{meeting.pk}/") and name not in stored
    assert default_storage.open(stored).read() == data
    entry = AuditEntry.objects.get(action="orglife.attachment.added")
    assert entry.actor == personas.secretary_a and entry.changes["size"] == len(data)


@pytest.mark.parametrize(("name", "data"), BAD)
def test_wrong_types_are_refused_and_nothing_is_stored(tree, tmp_path, name, data):
    meeting = held(tree)
    with pytest.raises(AppError) as exc:
        _add(meeting, name, data)
    assert exc.value.field == "file" and "只能上传照片" in exc.value.message
    assert not MeetingAttachment.objects.unscoped().exists()
    assert _stored_files(tmp_path) == []
    assert not AuditEntry.objects.filter(action__startswith="orglife.attachment").exists()


def test_too_large_is_refused_at_the_field(tree, settings, tmp_path):
    settings.ORGLIFE_ATTACHMENT_MAX_BYTES = 1000
    meeting = held(tree)
    with pytest.raises(AppError) as exc:
        _add(meeting, "大.jpg", JPEG + b"\x00" * 1000)
    assert exc.value.field == "file" and "超过了" in exc.value.message
    _add(meeting, "小.jpg", JPEG[:1000])  # exactly the limit is fine
    assert MeetingAttachment.objects.unscoped().count() == 1
    assert len(_stored_files(tmp_path)) == 1


def test_only_managers_add_and_archived_meetings_refuse(tree, personas):
    meeting = held(tree)
    with pytest.raises(Http404):
        _add(meeting, "a.jpg", JPEG, personas.secretary_b)
    attachment = _add(meeting, "a.jpg", JPEG)
    services.meeting_archive(actor=None, meeting=meeting)
    with pytest.raises(AppError, match="已归档"):
        _add(meeting, "b.jpg", JPEG)
    with pytest.raises(AppError, match="已归档"):
        services_attachments.attachment_remove(actor=None, attachment=attachment)
    assert MeetingAttachment.objects.unscoped().count() == 1


def test_remove_before_archive_deletes_the_file(tree, personas, django_capture_on_commit_callbacks):
    meeting = held(tree)
    attachment = _add(meeting, "a.pdf", PDF)
    name = attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services_attachments.attachment_remove(actor=personas.secretary_a, attachment=attachment)
    assert not MeetingAttachment.objects.unscoped().exists()
    assert not default_storage.exists(name)
    assert AuditEntry.objects.filter(action="orglife.attachment.removed").count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("committee_admin", 200),
        ("unit_admin", 200),
        ("secretary_a", 200),
        ("member_a", 404),
        ("secretary_b", 404),
        ("auditor", 404),
        ("outsider", 404),
    ],
)
def test_download_is_scoped_audited_and_an_attachment(client, tree, personas, persona, status):
    meeting = held(tree)
    attachment = _add(meeting, "会议通知.pdf", PDF)
    client.force_login(personas.by_name(persona))
    url = f"/orglife/meetings/{meeting.pk}/attachments/{attachment.pk}/"
    response = client.get(url)
    assert response.status_code == status
    downloads = AuditEntry.objects.filter(action="orglife.attachment.downloaded")
    if status != 200:
        assert not downloads.exists()
        return
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert downloads.get().actor == personas.by_name(persona)


def test_attachment_of_another_meeting_is_404(client, tree, personas):
    one, two = held(tree), held(tree, kind="theme_day")
    attachment = _add(one, "a.jpg", JPEG)
    client.force_login(personas.secretary_a)
    assert client.get(f"/orglife/meetings/{two.pk}/attachments/{attachment.pk}/").status_code == 404


def test_upload_page(client, tree, personas, settings, tmp_path):
    meeting = held(tree)
    url = f"/orglife/meetings/{meeting.pk}/attachments/"
    client.force_login(personas.secretary_a)
    assert 'data-testid="attachment-form"' in client.get(url).content.decode()
    response = client.post(url, {"file": upload("合影.jpg", JPEG)})
    assert response.status_code == 302
    detail = client.get(f"/orglife/meetings/{meeting.pk}/").content.decode()
    assert "合影.jpg" in detail and 'data-testid="attachment"' in detail
    # wrong type: the message at the field, nothing stored
    response = client.post(url, {"file": upload("照片.jpg", b"MZ\x90\x00" * 10)})
    assert response.status_code == 200 and "只能上传照片" in response.content.decode()
    assert MeetingAttachment.objects.unscoped().count() == 1
    # larger than the upload handler's bound: refused while it arrives
    settings.UPLOAD_MAX_BYTES = 500
    response = client.post(url, {"file": upload("大.jpg", JPEG + b"\x00" * 2000)})
    assert response.status_code == 200 and "超过了" in response.content.decode()
    assert MeetingAttachment.objects.unscoped().count() == 1
    assert len(_stored_files(tmp_path)) == 1
    # remove from the page
    attachment = MeetingAttachment.objects.unscoped().get()
    response = client.post(f"{url}{attachment.pk}/remove/")
    assert response.status_code == 302 and not MeetingAttachment.objects.unscoped().exists()
    # a viewer without manage rights sees the list, not the form, and cannot post
    client.force_login(personas.unit_admin)
    page = client.get(url)
    assert page.status_code == 200
    client.force_login(personas.member_a)
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": upload("a.jpg", JPEG)}).status_code == 404
