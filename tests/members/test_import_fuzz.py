"""Fuzzing the roster import (issue #4 item 6): whatever is uploaded, the import answers with
a Chinese refusal at upload or a job that ends INVALID (or READY), never an exception, and a
malformed archive is refused by `files.inspect` before a cell is read.

(a) arbitrary bytes under an .xlsx or .csv name, and bytes that begin like a zip archive;
(b) real workbooks written with openpyxl from hypothesis strategies: headers in any subset
    and order, cells of every type (numbers, dates, booleans, formulas, very long text,
    control and invisible characters), empty rows;
(c) malformed archives: a zip bomb, a huge declared sheet, too many rows, no workbook, a
    truncated file.

Budget (this module stays well under a minute on two cores): MAX_BYTES_EXAMPLES arbitrary
files, MAX_DAMAGED_EXAMPLES damaged real workbooks (cut short and with a byte changed) and
MAX_WORKBOOK_EXAMPLES generated workbooks, derandomized so CI repeats the same
cases; the malformed archives are fixed examples.

The hypothesis tests run inside one pytest test each and share its function-scoped fixtures
(the `db` transaction, the org tree, the user): each example creates its own job and leaves
the tree as it was, so sharing them is safe, and the function_scoped_fixture health check is
suppressed on purpose.
"""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from tests.members.test_import_support import roster_row, write_xlsx

from dangjian.core.errors import AppError
from dangjian.members.imports import files, import_start, import_validate
from dangjian.members.imports.columns import HEADERS
from dangjian.members.models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db

MAX_BYTES_EXAMPLES = 500
MAX_WORKBOOK_EXAMPLES = 300
MAX_DAMAGED_EXAMPLES = 100

FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _run(actor, org, name: str, content: bytes):
    """Upload and validate as the pages and the task do; returns the refusal or the job."""
    try:
        job = import_start(actor=actor, org=org, uploaded_file=SimpleUploadedFile(name, content))
    except AppError as refusal:
        assert refusal.field == "file" and _has_cjk(refusal.message), refusal.message
        return refusal
    job = import_validate(job_id=job.pk)
    # FAILED is what import_validate makes of an unexpected exception: a bug, not an answer
    assert job.status in (ImportStatus.INVALID, ImportStatus.READY), (job.status, job.message)
    assert _has_cjk(job.message)
    return job


@pytest.fixture
def actor(personas):
    return personas.unit_admin


# ---------------------------------------------------------------------------------------------
# (a) arbitrary bytes

ZIP_HEAD = b"PK\x03\x04"


@settings(FUZZ, max_examples=MAX_BYTES_EXAMPLES)
@given(
    content=st.one_of(
        st.binary(min_size=0, max_size=2048),
        st.binary(max_size=2048).map(lambda b: ZIP_HEAD + b),
        st.binary(max_size=512).map(lambda b: b"\xd0\xcf\x11\xe0" + b),
        st.text(max_size=500).map(lambda t: t.encode("utf-8")),
    ),
    suffix=st.sampled_from([".xlsx", ".csv", ".XLSX", ".xls", ""]),
)
@example(content=b"PK\x05\x06" + b"\0" * 18, suffix=".xlsx")  # an empty zip archive
@example(content="姓名,性别\n张三,男\n".encode("gb18030"), suffix=".csv")
def test_arbitrary_bytes_end_in_a_chinese_answer(actor, tree, content, suffix):
    result = _run(actor, tree.party_group_a, f"名单{suffix}", content)
    assert isinstance(result, AppError) or result.status == ImportStatus.INVALID


@settings(FUZZ, max_examples=MAX_DAMAGED_EXAMPLES)
@given(cut=st.integers(min_value=1, max_value=10_000), flip=st.integers(0, 255))
@example(cut=74, flip=1)  # a damaged deflate stream: zlib.error escaped files.inspect (fixed)
def test_damaged_workbooks_end_in_a_chinese_answer(actor, tree, tmp_path_factory, cut, flip):
    """A real workbook cut short or with one byte changed."""
    folder = tmp_path_factory.mktemp("damaged")
    data = bytearray(write_xlsx(folder / "ok.xlsx", [roster_row("欧阳修", seq=1)]).read_bytes())
    position = cut % len(data)
    truncated = bytes(data[:position])
    _run(actor, tree.party_group_a, "名单.xlsx", truncated)
    data[position] ^= flip or 1
    _run(actor, tree.party_group_a, "名单.xlsx", bytes(data))


# ---------------------------------------------------------------------------------------------
# (b) generated workbooks

# text that a person (or a hostile file) may put in a cell; openpyxl itself refuses the XML
# control characters, and so does the XML an .xlsx is made of
safe_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t))
odd_text = st.sampled_from(
    [
        "\t\n\r",
        "\u200b",  # zero width space
        "\u202e张三",  # right-to-left override
        "\ufeff",
        "\u3000\u3000",  # full-width spaces
        "２００１－０７－０１",
        "2001年7月1日",
        "2001.13.45",
        "0",
        "-1",
        "1e308",
        "NaN",
        "是",
        "Ｘ",
        "11010519491231002X",
        "110105194912310021",
        "=1+1",
        '=HYPERLINK("http://example.invalid","点击")',
        "@SUM(A1)",
        "+86 138 0013 8000",
        "第一党支部",
        "x" * 5000,
        "长" * 32767,  # Excel's longest cell
    ]
)
cell = st.one_of(
    st.none(),
    safe_text,
    odd_text,
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
)


@st.composite
def workbooks(draw):
    """(headers, rows): usually the template's headers (so the cells are checked), sometimes
    a shuffled subset or strange headers (so the header check is exercised)."""
    kind = draw(st.sampled_from(["template", "template", "template", "subset", "odd"]))
    if kind == "template":
        headers = list(HEADERS[: draw(st.integers(18, len(HEADERS)))])
    elif kind == "subset":
        headers = draw(st.permutations(HEADERS))[: draw(st.integers(0, len(HEADERS)))]
    else:
        headers = draw(st.lists(st.one_of(safe_text, odd_text, st.integers()), max_size=25))
    width = max(len(headers), 1)
    valid = st.builds(lambda n: roster_row(n)[:width], st.sampled_from(["欧阳修", "苏轼"]))
    fuzzed = st.lists(cell, min_size=0, max_size=width + 2)
    mixed = st.builds(
        lambda row, patch: [patch.get(i, v) for i, v in enumerate(row)],
        valid,
        st.dictionaries(st.integers(0, width - 1), cell, max_size=4),
    )
    empty = st.just([])
    rows = draw(st.lists(st.one_of(valid, fuzzed, mixed, empty), max_size=6))
    return headers, rows


def _xlsx(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党员信息"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@settings(FUZZ, max_examples=MAX_WORKBOOK_EXAMPLES)
@given(book=workbooks())
@example(book=(list(HEADERS), [[None] * 21, roster_row("欧阳修"), []]))
@example(book=(list(HEADERS), [roster_row("欧阳修", **{"出生日期": 1e308})]))
@example(book=(list(HEADERS), [roster_row("欧阳修", **{"失去联系日期": -0.5})]))
@example(book=(list(HEADERS), [roster_row("欧阳修", **{"加入党组织日期": 2958466})]))
@example(book=(list(HEADERS), [roster_row("欧阳修", **{"公民身份号码": "长" * 32767})]))
@example(book=(["长" * 32767], [["张三"]]))  # quoted back: over the job message's 500 (fixed)
@example(book=([*HEADERS, "x" * 5000], [roster_row("欧阳修")]))
def test_generated_workbooks_are_checked_cell_by_cell(actor, tree, book):
    headers, rows = book
    result = _run(actor, tree.party_group_a, "名单.xlsx", _xlsx(headers, rows))
    if isinstance(result, AppError):
        return
    for error in result.errors:
        # every problem names its row and where it is: the column letter, or the item
        assert isinstance(error["row"], int) and error["row"] >= 2, error
        assert error["problem"] and error["rule_id"], error
        assert error["column"] or error["header"], error
        assert len(error["value"]) <= 50
    if result.status == ImportStatus.INVALID and not result.errors:
        assert result.message  # a whole-file problem: one message


# ---------------------------------------------------------------------------------------------
# (c) malformed archives: refused by files.inspect, before any cell is read


def _zip(path: Path, parts: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return path


def _refused_by_inspect(path: Path) -> AppError:
    """The refusal comes from inspect (or check_rows right after it), which is all that
    import_start and the validation run before files.read_rows."""
    with pytest.raises(AppError) as refused:
        files.check_rows(files.inspect(path))
    assert refused.value.field == "file" and _has_cjk(refused.value.message)
    return refused.value


def _minimal_parts(sheet_xml: bytes) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": (
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="\xe5\x85\x9a\xe5\x91\x98\xe4\xbf\xa1\xe6\x81\xaf" '
            b'sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
            b"</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }


def test_zip_bomb_is_refused_with_bounded_memory(actor, tree, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 256 * 1024  # the archive may unpack to 2.5 MB
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>0</t></is></c></row>'
    sheet = b"<worksheet><sheetData>" + row * 3_000_000 + b"</sheetData></worksheet>"  # ~200 MB
    path = _zip(tmp_path / "bomb.xlsx", _minimal_parts(sheet))
    del sheet
    assert path.stat().st_size < 1024 * 1024
    tracemalloc.start()
    try:
        refusal = _refused_by_inspect(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "压缩炸弹" in refusal.message
    # inspect streamed at most the budget and a chunk: nothing like the 200 MB it unpacks to
    assert peak < 16 * 1024 * 1024, peak
    assert isinstance(_run(actor, tree.party_group_a, "名单.xlsx", path.read_bytes()), AppError)


def test_zip_bomb_hidden_in_another_part_is_refused(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 256 * 1024
    parts = _minimal_parts(b"<worksheet><sheetData/></worksheet>")
    parts["xl/media/image1.png"] = b"\0" * (8 * 1024 * 1024)
    assert "压缩炸弹" in _refused_by_inspect(_zip(tmp_path / "b.xlsx", parts)).message


def test_huge_declared_sheet_is_not_believed(actor, tree, tmp_path):
    """A sheet that declares the whole grid (A1:XFD1048576) but holds a header and one row:
    rows are counted from what is there, never allocated from the declaration."""
    path = write_xlsx(tmp_path / "huge.xlsx", [roster_row("欧阳修")])
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    start = sheet.index(b"<dimension")
    end = sheet.index(b"/>", start) + 2
    parts["xl/worksheets/sheet1.xml"] = (
        sheet[:start] + b'<dimension ref="A1:XFD1048576"/>' + sheet[end:]
    )
    path = _zip(tmp_path / "huge2.xlsx", parts)
    facts = files.inspect(path)
    assert facts.rows == 2
    tracemalloc.start()
    try:
        job = _run(actor, tree.party_group_a, "名单.xlsx", path.read_bytes())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(job, ImportJob) and job.total_rows == 1
    assert peak < 64 * 1024 * 1024, peak


def test_huge_row_numbers_are_refused_or_bounded(actor, tree, tmp_path):
    """A single cell far down and right (XFD1048576): the sheet is sparse, the import must
    not turn it into a million rows of sixteen thousand cells."""
    sheet = (
        b"<worksheet><sheetData>"
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    path = _zip(tmp_path / "far.xlsx", _minimal_parts(sheet))
    tracemalloc.start()
    try:
        result = _run(actor, tree.party_group_a, "名单.xlsx", path.read_bytes())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(result, AppError) or result.status == ImportStatus.INVALID
    assert peak < 64 * 1024 * 1024, peak


def test_too_many_rows_are_refused_before_reading(actor, tree, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 3
    path = write_xlsx(tmp_path / "rows.xlsx", [roster_row(f"张{n}") for n in "一二三四"])
    assert "超过了每个文件3行的上限" in _refused_by_inspect(path).message
    assert isinstance(_run(actor, tree.party_group_a, "名单.xlsx", path.read_bytes()), AppError)
    assert not ImportJob.objects.unscoped().exists()


@pytest.mark.parametrize(
    "parts",
    [
        {"a.txt": b"x"},
        {"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"},
        {"xl/workbook.xml": b"<workbook/>"},  # a workbook without sheets or relations
        {"xl/workbook.xml": b"not xml", "xl/_rels/workbook.xml.rels": b"<"},
    ],
    ids=["no workbook", "a word document", "no sheets", "broken xml"],
)
def test_archives_without_a_usable_workbook_are_refused(actor, tree, tmp_path, parts):
    path = _zip(tmp_path / "x.xlsx", parts)
    _refused_by_inspect(path)
    assert isinstance(_run(actor, tree.party_group_a, "名单.xlsx", path.read_bytes()), AppError)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_truncated_workbook_is_refused(actor, tree, tmp_path, keep):
    data = write_xlsx(tmp_path / "ok.xlsx", [roster_row("欧阳修")]).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: int(len(data) * keep)])
    refusal = _refused_by_inspect(path)
    assert "不是有效的Excel" in refusal.message
