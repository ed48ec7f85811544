"""The uploaded file: where it is kept, what is refused before its cells are read, and the
reading itself.

An .xlsx file is a zip archive of XML parts. Before python-calamine reads a cell we look at
the archive only: that it is one, that it holds a workbook, that it does not unpack into far
more than it weighs (a "zip bomb"), how many rows the data sheet has, and whether the data
sheet holds formulas or merged cells (both refused: a formula's cached value may be stale and
a merged cell belongs to several rows at once).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings

from dangjian.core import crypto, uploads
from dangjian.core.errors import AppError
from dangjian.members.imports.columns import SHEET_DATA

#: the archive may unpack to at most this many times the upload limit
UNZIPPED_FACTOR = 10
#: more members than this in one archive is not a workbook anyone filled by hand
MAX_ARCHIVE_MEMBERS = 5_000
#: the small XML parts we parse (workbook, its relations) stay below this
MAX_SMALL_PART = 5 * 1024 * 1024
CHUNK = 1024 * 1024

NOT_XLSX = (
    "文件不是有效的Excel（.xlsx）文件。请用导入模板填写，并在Excel或WPS中"
    "“另存为”“Excel工作簿（*.xlsx）”后再上传。"
)

_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?(/?)>")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGED = re.compile(rb"<(?:\w+:)?mergeCell[\s>/]")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def import_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_path(stored_name: str) -> Path:
    # stored names are ours (random hex + .xlsx); anything else is not a file of ours
    if not re.fullmatch(r"[0-9a-f]{32}\.xlsx", stored_name or ""):
        raise FileNotFoundError(stored_name)
    return import_dir() / stored_name


def store(uploaded_file) -> str:
    """Seal the upload (it holds every ID number, phone and address in clear) and write it
    under DATA_DIR/imports with a random name; returns the name. Readers go through
    `opened()`, which gives them a clear copy for as long as they read."""
    from dangjian.core.retention import purge_expired

    purge_expired(import_dir())
    name = f"{secrets.token_hex(16)}.xlsx"
    path = import_dir() / name
    sealed = crypto.seal_bytes(b"".join(uploaded_file.chunks()))  # ≤ IMPORT_MAX_BYTES
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(sealed)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return name


@contextlib.contextmanager
def opened(stored_name: str):
    """A clear copy of a stored upload in a private temporary file, removed on exit.
    Raises FileNotFoundError when the file is gone (expired, or never ours)."""
    path = stored_path(stored_name)
    sealed = path.read_bytes()  # FileNotFoundError when gone
    try:
        data = crypto.open_bytes(sealed)
    except crypto.DecryptionError:
        raise FileNotFoundError(stored_name) from None
    # beside the sealed files, so a copy left by a killed process is swept by retention
    fd, clear = tempfile.mkstemp(suffix=".xlsx", prefix="tmp-", dir=import_dir())
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        yield Path(clear)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(clear)


def remove(stored_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):  # not one of our names: nothing to do
        stored_path(stored_name).unlink(missing_ok=True)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def check_upload(name: str, size: int) -> None:
    """Refusals that need neither the content nor the disk: name and size."""
    if not (name or "").lower().endswith(".xlsx"):
        if (name or "").lower().endswith(".xls"):
            raise AppError(
                "不支持旧版Excel（.xls）文件，请在Excel或WPS中另存为“Excel工作簿（*.xlsx）”后上传。",
                field="file",
            )
        raise AppError("只能上传Excel（.xlsx）文件，请使用导入模板填写。", field="file")
    if not size:
        raise AppError("文件是空的（0字节），请检查后重新上传。", field="file")
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise AppError(
            f"文件大小为{_megabytes(size)}，超过了{_megabytes(limit)}的上限。"
            "请删除空行、图片和无关的工作表，或分成几个文件分批导入。",
            field="file",
        )


@dataclass(frozen=True)
class SheetFacts:
    sheet_name: str  # the name of the data sheet in the workbook
    part: str  # its XML part in the archive, e.g. xl/worksheets/sheet1.xml
    rows: int  # rows holding at least one cell, header included
    has_formula: bool
    has_merged: bool


def _read_small(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_SMALL_PART:
        raise AppError(NOT_XLSX, field="file")
    return archive.read(name)


def _data_sheet(archive: zipfile.ZipFile) -> tuple[str, str]:
    """(sheet name, archive part) of the sheet named 党员信息, or of the first sheet."""
    try:
        workbook = ElementTree.fromstring(_read_small(archive, "xl/workbook.xml"))
        rels = ElementTree.fromstring(_read_small(archive, "xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        raise AppError(NOT_XLSX, field="file") from None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG_REL}Relationship")}
    sheets = [
        (s.get("name", ""), targets.get(s.get(f"{_NS_REL}id"), ""))
        for s in workbook.iter(f"{_NS_MAIN}sheet")
    ]
    if not sheets:
        raise AppError("文件中没有工作表。", field="file")
    name, target = next((s for s in sheets if s[0] == SHEET_DATA), sheets[0])
    part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    part = os.path.normpath(part).replace(os.sep, "/")
    if part not in archive.namelist():
        raise AppError(NOT_XLSX, field="file")
    return name, part


def _scan(archive: zipfile.ZipFile, part: str, budget: int) -> tuple[int, bool, bool, int]:
    """Stream one XML part: (rows with cells, formulas?, merged cells?, bytes read). Stops
    with a refusal when the part unpacks to more than `budget` bytes, whatever its header
    claims (zipfile checks the real size and the CRC as it reads)."""
    rows = 0
    formula = merged = False
    read = 0
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            read += len(chunk)
            if read > budget:
                raise AppError(_bomb_message(), field="file")
            buffer = tail + chunk
            rows += sum(1 for m in _ROW.finditer(buffer) if m.end() > len(tail) and not m.group(1))
            formula = formula or bool(_FORMULA.search(buffer))
            merged = merged or bool(_MERGED.search(buffer))
            tail = buffer[-256:]
    return rows, formula, merged, read


def _unpacked_size(archive: zipfile.ZipFile, name: str, budget: int) -> int:
    read = 0
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            read += len(chunk)
            if read > budget:
                raise AppError(_bomb_message(), field="file")
    return read


def _bomb_message() -> str:
    return (
        "文件解压后的内容异常庞大（可能是“压缩炸弹”或包含大量空白格式），已拒绝。"
        "请用导入模板重新填写。"
    )


# --- what a file is, by its content (never by its name) --------------------------------------

# the sniffing itself is shared by every upload (core/uploads.py); these names stay here for
# the importer and its tests
SNIFF_BYTES = uploads.SNIFF_BYTES
TEXT_ENCODINGS = uploads.TEXT_ENCODINGS
sniff = uploads.sniff
_decode = uploads.decode_text
_CONTROL = uploads.CONTROL_CHARS
_KIND_LABELS = uploads.KIND_LABELS


def _not_xlsx(kind: str) -> AppError:
    if kind == "ole":
        # an OLE compound file: an old .xls renamed, or a workbook with an open password
        return AppError(
            "文件是旧版Excel格式或设置了打开密码。请取消密码，另存为“Excel工作簿（*.xlsx）”后上传。",
            field="file",
        )
    label = _KIND_LABELS.get(kind)
    if label is None:
        return AppError(NOT_XLSX, field="file")
    return AppError(
        NOT_XLSX.replace("文件。", f"文件：其内容是{label}，与文件名不符。", 1), field="file"
    )


def read_text_upload(uploaded_file, *, limit: int | None = None) -> str:
    """A text upload (CSV and the like) checked by its content, not its name: refused when
    larger than `limit` (default IMPORT_MAX_BYTES) before it is read, when it holds NUL or
    other control bytes, or when it decodes neither as UTF-8 nor as GB18030. For importers of
    text files; the roster import takes .xlsx only."""
    limit = settings.IMPORT_MAX_BYTES if limit is None else limit
    size = getattr(uploaded_file, "size", None) or 0
    if size > limit:
        raise AppError(
            f"文件大小为{_megabytes(size)}，超过了{_megabytes(limit)}的上限。", field="file"
        )
    data = bytearray()
    for chunk in uploaded_file.chunks():
        data += chunk
        if len(data) > limit:  # the declared size was wrong: stop reading at once
            raise AppError(f"文件超过了{_megabytes(limit)}的上限。", field="file")
    if not data:
        raise AppError("文件是空的（0字节），请检查后重新上传。", field="file")
    kind = sniff(bytes(data[:SNIFF_BYTES]))
    if kind not in ("text", "html"):
        label = "Excel等压缩格式" if kind == "zip" else _KIND_LABELS.get(kind, "二进制数据")
        raise AppError(
            f"文件不是文本文件（如CSV）：其内容是{label}，与文件名不符。"
            "请另存为“CSV UTF-8（逗号分隔）”后上传。",
            field="file",
        )
    text = _decode(bytes(data))
    if text is None or _CONTROL.search(text):
        raise AppError(
            "文件不是文本文件（如CSV）：含有无法识别的字符或二进制数据。"
            "请另存为“CSV UTF-8（逗号分隔）”后上传。",
            field="file",
        )
    return text


def inspect(path: Path) -> SheetFacts:
    """Everything refused before the cells are read (see the module's docstring). What the
    file is comes from its content: a PDF, a web page or a CSV named .xlsx is refused as such."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    kind = sniff(head)
    if kind != "zip" or not zipfile.is_zipfile(path):
        raise _not_xlsx(kind)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise AppError(NOT_XLSX, field="file")
            budget = settings.IMPORT_MAX_BYTES * UNZIPPED_FACTOR
            if len(infos) > MAX_ARCHIVE_MEMBERS or sum(i.file_size for i in infos) > budget:
                raise AppError(_bomb_message(), field="file")
            sheet_name, part = _data_sheet(archive)
            rows, formula, merged, used = _scan(archive, part, budget)
            # every other part is unpacked once too, so a header that lies about its size
            # cannot hand python-calamine more than the budget
            for info in infos:
                if info.filename != part and not info.is_dir():
                    used += _unpacked_size(archive, info.filename, budget - used)
    # NotImplementedError: zipfile's answer to a compression method it does not support;
    # zlib.error: a damaged deflate stream (found by tests/members/test_import_fuzz.py)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
        zlib.error,
    ):
        raise AppError(NOT_XLSX, field="file") from None
    return SheetFacts(sheet_name, part, rows, formula, merged)


def check_rows(facts: SheetFacts) -> None:
    limit = settings.IMPORT_MAX_ROWS
    if facts.rows - 1 > limit:
        raise AppError(
            f"“{facts.sheet_name}”表约有{facts.rows - 1}行数据，超过了每个文件{limit}行的上限，"
            "请分成几个文件分批导入。",
            field="file",
        )


def read_rows(path: Path, sheet_name: str) -> list[list]:
    """All rows of the data sheet from A1, as python-calamine gives them ("" when empty)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    try:
        return workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    finally:
        workbook.close()
