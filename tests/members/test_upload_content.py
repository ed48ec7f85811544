"""Uploads are judged by their content, not their name (issue #4 item 6): a file named .xlsx
that is a CSV, a web page, a PDF or a program is refused as what it is; a text (CSV) upload
must be text in UTF-8 or GB18030 with no NUL or control bytes; sizes are refused before the
file is read."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.members.test_import_support import roster_row, write_xlsx

from dangjian.core.errors import AppError
from dangjian.members.imports import files, import_start
from dangjian.members.models import ImportJob

pytestmark = pytest.mark.django_db

DISGUISED = {
    "csv": ("姓名,性别,民族\n张三,男,汉族\n".encode("gb18030"), "文本（如CSV）"),
    "csv utf-8": ("\ufeff姓名,性别\n张三,男\n".encode(), "文本（如CSV）"),
    "html": (
        b"<!DOCTYPE html><html><body><table><tr><td>x</td></tr></table></body></html>",
        "网页",
    ),
    "html table export": (b"  <table border=1><tr><td>\xe5\xa7\x93</td></tr></table>", "网页"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF文档"),
    "elf": (b"\x7fELF\x02\x01\x01" + b"\0" * 200, "可执行程序"),
    "windows exe": (b"MZ\x90\x00\x03" + b"\0" * 200, "可执行程序"),
    "script": (b"#!/bin/sh\necho hi\n", "可执行程序"),
    "png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "图片"),
    "random binary": (bytes(range(256)) * 4, "二进制数据"),
}


@pytest.mark.parametrize("kind", list(DISGUISED))
def test_a_disguised_xlsx_is_refused_by_its_content(personas, tree, kind):
    content, said = DISGUISED[kind]
    before = set(files.import_dir().iterdir())
    with pytest.raises(AppError) as refused:
        import_start(
            actor=personas.unit_admin,
            org=tree.party_group_a,
            uploaded_file=SimpleUploadedFile("党员名单.xlsx", content),
        )
    assert refused.value.field == "file"
    assert "不是有效的Excel" in refused.value.message and said in refused.value.message
    assert not ImportJob.objects.unscoped().exists()
    assert set(files.import_dir().iterdir()) == before  # nothing kept


def test_the_page_shows_the_content_refusal(client, personas, tree):
    client.force_login(personas.unit_admin)
    response = client.post(
        "/members/import/",
        {
            "org": tree.party_group_a.pk,
            "file": SimpleUploadedFile("名单.xlsx", DISGUISED["pdf"][0]),
        },
    )
    assert response.status_code == 200
    assert "其内容是PDF文档" in response.content.decode()


def test_a_real_workbook_under_any_name_case_passes_the_content_check(tmp_path):
    path = write_xlsx(tmp_path / "名单.XLSX", [roster_row("欧阳修")])
    assert files.sniff(path.read_bytes()[: files.SNIFF_BYTES]) == "zip"
    assert files.inspect(path).rows == 2


# --- text uploads (CSV) ----------------------------------------------------------------------


def _upload(content: bytes, name: str = "流水.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    "content",
    [
        "日期,金额\n2024-01-01,12.50\n".encode(),
        "\ufeff日期,金额\n2024-01-01,12.50\n".encode(),
        "日期,金额\r\n2024-01-01,12.50\r\n".encode("gb18030"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gb18030"],
)
def test_text_in_utf8_or_gb18030_is_read(content):
    text = files.read_text_upload(_upload(content))
    assert text.replace("\r", "").startswith("日期,金额\n2024-01-01")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"PK\x03\x04" + b"\0" * 100, "Excel等压缩格式"),
        (b"%PDF-1.4\n", "PDF文档"),
        (b"\x7fELF\x02\x01", "可执行程序"),
        (b"a,b\n1,\x002\n", "二进制数据"),
        (b"a,b\n1,\x07\n", "二进制数据"),
        (b"\xff\xfe\x00a\x00,\x00b", "二进制数据"),  # UTF-16: NUL bytes
    ],
    ids=["xlsx named csv", "pdf", "elf", "nul byte", "control byte", "utf-16"],
)
def test_a_csv_that_is_not_text_is_refused(content, said):
    with pytest.raises(AppError) as refused:
        files.read_text_upload(_upload(content))
    assert refused.value.field == "file" and "不是文本文件" in refused.value.message
    assert said in refused.value.message


def test_undecodable_text_is_refused():
    # \x80 and \xff are no character in UTF-8 or GB18030
    with pytest.raises(AppError) as refused:
        files.read_text_upload(_upload(b"a,b\n" + b"\x80\xff" * 3000))
    assert "不是文本文件" in refused.value.message


class _Upload:
    """An upload whose declared size and content disagree, counting what is read of it."""

    def __init__(self, size: int, chunk: bytes, chunks: int):
        self.size = size
        self.chunk = chunk
        self.total = chunks
        self.read = 0

    def chunks(self):
        for _ in range(self.total):
            self.read += 1
            yield self.chunk


def test_text_size_is_refused_before_reading():
    upload = _Upload(size=2_000, chunk=b"a,b\n" * 100, chunks=5)
    with pytest.raises(AppError) as refused:
        files.read_text_upload(upload, limit=1_000)
    assert "超过了" in refused.value.message and upload.read == 0


def test_text_reading_stops_at_the_limit_whatever_the_declared_size():
    upload = _Upload(size=10, chunk=b"a,b\n" * 100, chunks=1_000)  # 400 kB, declares 10 B
    with pytest.raises(AppError) as refused:
        files.read_text_upload(upload, limit=1_000)
    assert "超过了" in refused.value.message and upload.read == 3


def test_an_empty_text_upload_is_refused():
    with pytest.raises(AppError) as refused:
        files.read_text_upload(_upload(b""))
    assert "0字节" in refused.value.message


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(content=st.binary(max_size=600))
def test_any_bytes_are_text_or_a_chinese_refusal(content):
    try:
        text = files.read_text_upload(_upload(content))
    except AppError as refused:
        assert refused.field == "file" and "文件" in refused.message
    else:
        assert "\0" not in text and isinstance(text, str)


def test_an_oversized_upload_is_refused_while_it_arrives(client, personas, tree, settings):
    """core.uploads stops reading a file part past UPLOAD_MAX_BYTES: nothing is stored, no
    job is made, and the size message stands at the file field."""
    # below the importer's own limit: only the upload handler can refuse this file
    settings.IMPORT_MAX_BYTES, settings.UPLOAD_MAX_BYTES = 1_000_000, 100_000
    import_dir = files.import_dir()
    before = set(import_dir.iterdir()) if import_dir.exists() else set()
    client.force_login(personas.unit_admin)
    big = SimpleUploadedFile("名册.xlsx", b"PK\x03\x04" + b"\0" * 400_000)
    response = client.post("/members/import/", {"org": tree.party_group_a.pk, "file": big})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="field-error-file"' in html and "0.1 MB的上传上限，未上传" in html
    assert not ImportJob.objects.unscoped().exists()
    after = set(import_dir.iterdir()) if import_dir.exists() else set()
    assert after == before
