"""Uploads: bounded while they arrive, and judged by their content.

`BoundedUploadHandler` stops reading a file part as soon as the request declares, or turns
out to carry, more than settings.UPLOAD_MAX_BYTES. The rest of the body is read and dropped
(never written to disk or memory), the request is marked with `upload_too_large` (the size
seen), and the view answers with the size message at the file field.

`sniff` says what a file is from its first bytes, for every upload (the roster import, meeting
attachments): a PDF or a program named .xlsx is refused as what it is."""

import re

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


def upload_limit() -> int:
    return getattr(settings, "UPLOAD_MAX_BYTES", settings.IMPORT_MAX_BYTES)


class BoundedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: refuses before Django's own handlers store anything."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.declared = content_length or 0
        self.received = 0
        return None  # the normal multipart parsing goes on

    def _refuse(self, size: int):
        if self.request is not None:
            self.request.upload_too_large = size
        raise StopUpload(connection_reset=False)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        # the multipart envelope adds a little: allow 64 KB beyond the limit for it
        if getattr(self, "declared", 0) > upload_limit() + 64 * 1024:
            self._refuse(self.declared)

    def receive_data_chunk(self, raw_data, start):
        self.received = getattr(self, "received", 0) + len(raw_data)
        if self.received > upload_limit():
            self._refuse(self.received)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers build the file


# --- what a file is, by its content (never by its name) --------------------------------------
# Shared by every upload: the roster import (members/imports/files.py) and meeting
# attachments (orglife/services_attachments.py) judge files by these first bytes.

SNIFF_BYTES = 4096
SIGNATURES = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty archive
    (b"\xd0\xcf\x11\xe0", "ole"),
    (b"%PDF", "pdf"),
    (b"\x7fELF", "program"),
    (b"MZ", "program"),
    (b"\xca\xfe\xba\xbe", "program"),
    (b"\xcf\xfa\xed\xfe", "program"),
    (b"#!", "program"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf", "archive"),
    (b"\x1f\x8b", "archive"),
)
HTML_START = re.compile(rb"^\s*<(?:!doctype\s+html|html|head|body|table|meta|\?xml)", re.IGNORECASE)
KIND_LABELS = {
    "pdf": "PDF文档",
    "program": "可执行程序或脚本",
    "image": "图片",
    "archive": "其他格式的压缩包",
    "html": "网页（HTML/XML）",
    "text": "文本（如CSV）",
    "binary": "无法识别的二进制数据",
}
#: the encodings a Chinese office's text files come in
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sniff(head: bytes) -> str:
    """What the first bytes of a file say it is: zip, ole, pdf, program, image, archive, html,
    text or binary. Text is what decodes as UTF-8 or GB18030 with no NUL or other control
    bytes (a cut at the end of `head` may split a character, so the last 3 bytes may go)."""
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if HTML_START.match(body):
        return "html"
    if is_text(body, partial=len(head) >= SNIFF_BYTES):
        return "text"
    return "binary"


def decode_text(data: bytes, *, partial: bool = False) -> str | None:
    if b"\0" in data:
        return None
    for encoding in TEXT_ENCODINGS:
        for cut in range(4 if partial else 1):
            try:
                return data[: len(data) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
    return None


def is_text(data: bytes, *, partial: bool = False) -> bool:
    text = decode_text(data, partial=partial)
    return text is not None and not CONTROL_CHARS.search(text)


# --- Office documents (a zip whose [Content_Types].xml declares one main part) ----------------
# Shared by meeting attachments (orglife/services_attachments.py) and study materials
# (study/services_library.py).

#: the main part each Office Open XML kind declares; a macro-enabled .docm/.xlsm/.pptm declares
#: another type and is refused
OFFICE_MAIN = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
#: [Content_Types].xml of an Office file is a few KB; larger is not one of ours
CONTENT_TYPES_MAX_BYTES = 256 * 1024


def office_kind(data: bytes, kinds=("docx", "xlsx")) -> str | None:
    """The one Office kind among `kinds` whose main part the zip in `data` declares, or None
    (not a zip, no or an oversized [Content_Types].xml, none or several main parts). A broken
    or exotic archive (bad CRC, an unsupported compression method, a truncated member) is
    None too, never an exception."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_MAX_BYTES:
                return None
            types = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError, EOFError):
        # NotImplementedError: a compression method zipfile does not implement
        return None
    found = [kind for kind in kinds if OFFICE_MAIN[kind] in types]
    return found[0] if len(found) == 1 else None
