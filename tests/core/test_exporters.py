"""The exporter base classes: XLSX and CSV rendering, Word helpers, progress, the registry,
and starting an export inline or as a background job that only its owner may download."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import load_workbook

from dangjian.core.errors import AppError
from dangjian.core.exporters import (
    REGISTRY,
    Column,
    DocumentExporter,
    Exporter,
    add_paragraph,
    common_path,
    export_job_run,
    export_start,
    exporters_for,
    get_exporter,
    register,
)
from dangjian.core.models import AuditEntry, ExportJob, ExportStatus
from dangjian.core.permissions import Cap


class SampleExporter(Exporter):
    """A table with each kind of column; `boom` makes the fourth row fail."""

    identifier = "tests.sample"
    verbose_name = "测试导出"
    required_cap = Cap.ORG_VIEW
    progress_every = 2

    def clean(self, params):
        try:
            n = int(params.get("n", 5))
        except (TypeError, ValueError):
            raise AppError("行数不正确。", field="n") from None
        return {"n": n, "boom": bool(params.get("boom"))}

    def columns(self):
        return [
            Column("name", "姓名"),
            Column("id_number", "公民身份号码", kind="code"),
            Column("born", "出生日期", kind="date"),
            Column("seq", "序号", kind="number"),
            Column("ok", "是否"),
            Column("note", "备注"),
        ]

    def count(self):
        return self.params["n"]

    def rows(self):
        for i in range(self.params["n"]):
            if self.params["boom"] and i == 3:
                raise RuntimeError("boom")
            note = "=HYPERLINK(1)" if i == 0 else None
            yield ["张三", "012345198003151234", dt.date(1980, 3, 15), i, i % 2 == 0, note]


class SampleDocument(DocumentExporter):
    identifier = "tests.sample_doc"
    verbose_name = "测试文档"
    required_cap = Cap.ORG_VIEW

    def count(self):
        return 3

    def items(self):
        yield from ["甲", "乙", "丙"]

    def render_item(self, document, item):
        self.add_title(document, f"第{item}页")
        add_paragraph(document, item)


@pytest.fixture
def sample(monkeypatch):
    monkeypatch.setitem(REGISTRY, SampleExporter.identifier, SampleExporter)
    monkeypatch.setitem(REGISTRY, SampleDocument.identifier, SampleDocument)
    return SampleExporter


def _xlsx(exporter):
    out = io.BytesIO()
    exporter.write("xlsx", out)
    return load_workbook(io.BytesIO(out.getvalue())).active


def test_xlsx_bold_frozen_header_widths_real_dates_and_text_ids(personas):
    sheet = _xlsx(SampleExporter(personas.judge, {"n": 2}))
    header = [c.value for c in sheet[1]]
    assert header == ["姓名", "公民身份号码", "出生日期", "序号", "是否", "备注"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 20  # an 18-digit number fits
    assert sheet.column_dimensions["A"].width >= 6
    _, id_number, born, seq, ok, note = sheet[2]
    assert id_number.value == "012345198003151234" and id_number.data_type == "s"
    assert born.value == dt.datetime(1980, 3, 15) and born.is_date
    assert seq.value == 0 and ok.value == "是"
    # a value that looks like a formula stays text (no formula injection)
    assert note.value == "=HYPERLINK(1)" and note.data_type == "s"
    assert [c.value for c in sheet[3]][4:] == ["否", None]


def test_csv_has_bom_iso_dates_and_defused_formulas(personas):
    out = io.BytesIO()
    assert SampleExporter(personas.judge, {"n": 2}).write("csv", out) == 2
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "姓名,公民身份号码,出生日期,序号,是否,备注"
    assert lines[1] == "张三,012345198003151234,1980-03-15,0,是,'=HYPERLINK(1)"
    assert lines[2] == "张三,012345198003151234,1980-03-15,1,否,"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_progress_is_reported_every_n_rows_and_at_the_end(personas, fmt):
    calls = []
    SampleExporter(personas.judge, {"n": 5}).write(
        fmt, io.BytesIO(), lambda done, total: calls.append((done, total))
    )
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_a_format_the_exporter_lacks_is_refused(personas):
    with pytest.raises(AppError, match="不支持该导出格式"):
        SampleExporter(personas.judge, {}).write("docx", io.BytesIO())


def test_document_is_a4_with_east_asian_font_and_one_page_per_item(personas):
    out = io.BytesIO()
    assert SampleDocument(personas.judge, {}).write("docx", out) == 3
    document = Document(io.BytesIO(out.getvalue()))
    section = document.sections[0]
    assert (round(section.page_width / Mm(1)), round(section.page_height / Mm(1))) == (210, 297)
    rfonts = document.styles["Normal"].element.rPr.rFonts
    assert rfonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    title_runs = [p.runs[0] for p in document.paragraphs if p.text.startswith("第")]
    assert [r.text for r in title_runs] == ["第甲页", "第乙页", "第丙页"]
    assert title_runs[0].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    breaks = document.element.body.xpath('.//w:br[@w:type="page"]')
    assert len(breaks) == 2


def test_registry_finds_exporters_and_narrows_them_to_the_user(personas, sample):
    assert get_exporter("tests.sample") is SampleExporter
    with pytest.raises(AppError, match="没有这种导出"):
        get_exporter("nope")
    ids = lambda user: {cls.identifier for cls in exporters_for(user)}  # noqa: E731
    assert {"members.roster", "members.member_form"} <= ids(personas.secretary_a)
    assert "members.roster" not in ids(personas.member_a)  # names need member.view
    # 三员分立: the auditor exports the audit log and no business data
    assert ids(personas.auditor) == {"core.audit_log"}
    assert ids(personas.outsider) == set()


def test_register_refuses_a_nameless_or_clashing_exporter(monkeypatch):
    monkeypatch.setattr("dangjian.core.exporters.registry.REGISTRY", dict(REGISTRY))

    class Nameless(Exporter):
        pass

    with pytest.raises(ImproperlyConfigured):
        register(Nameless)

    class Clash(Exporter):
        identifier = "members.roster"
        verbose_name = "重名"

    with pytest.raises(ImproperlyConfigured, match="share the identifier"):
        register(Clash)


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ([], ""),
        (["/1/5/12/"], "/1/5/12/"),
        (["/1/5/12/", "/1/5/13/"], "/1/5/"),
        (["/1/5/", "/1/50/"], "/1/"),
        (["/1/", "/2/"], ""),
    ],
)
def test_common_path(paths, expected):
    assert common_path(paths) == expected


def test_small_export_is_rendered_at_once_and_audited(tree, personas, sample):
    outcome = export_start(actor=personas.judge, identifier="tests.sample", params={}, fmt="csv")
    assert outcome.job is None
    assert outcome.filename.startswith("测试导出-") and outcome.filename.endswith(".csv")
    assert outcome.content.startswith(b"\xef\xbb\xbf")
    entry = AuditEntry.objects.get(action="tests.sample.exported")
    assert entry.actor == personas.judge
    assert entry.changes == {"identifier": "tests.sample", "format": "csv", "rows": 5}
    assert entry.org_path == tree.root.path  # the judge's grant is on the root


def test_start_refuses_bad_input_and_users_without_the_capability(personas, sample):
    from django.http import Http404

    with pytest.raises(AppError, match="请选择导出格式"):
        export_start(actor=personas.judge, identifier="tests.sample", params={}, fmt="pdf")
    with pytest.raises(AppError, match="行数不正确"):
        export_start(actor=personas.judge, identifier="tests.sample", params={"n": "x"}, fmt="csv")
    with pytest.raises(Http404):
        export_start(actor=personas.auditor, identifier="tests.sample", params={}, fmt="csv")
    assert not AuditEntry.objects.filter(action="tests.sample.exported").exists()


def test_large_export_runs_as_a_job_only_its_owner_downloads(
    client, personas, sample, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        outcome = export_start(
            actor=personas.judge, identifier="tests.sample", params={"n": 5}, fmt="xlsx"
        )
    job = outcome.job
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and (job.done, job.total) == (5, 5)
    assert job.percent == 100 and job.size > 0
    entry = AuditEntry.objects.get(action="tests.sample.exported")
    assert entry.changes["job"] == job.pk and entry.changes["rows"] == 5

    client.force_login(personas.judge)
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert 'data-status="done"' in page and f"/exports/{job.pk}/download/" in page
    assert "every 1s" not in page  # finished: no more polling
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 6
    assert "测试导出" in client.get("/exports/").content.decode()

    for other in ("committee_admin", "secretary_a", "auditor", "outsider"):
        client.force_login(personas.by_name(other))
        for url in ("", "progress/", "download/"):
            assert client.get(f"/exports/{job.pk}/{url}").status_code == 404, (other, url)


def test_a_queued_job_polls_and_a_failing_job_says_so(client, personas, sample, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    outcome = export_start(  # on_commit callbacks are not run: the job stays queued
        actor=personas.judge, identifier="tests.sample", params={"n": 5, "boom": 1}, fmt="csv"
    )
    job = outcome.job
    client.force_login(personas.judge)
    fragment = client.get(f"/exports/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "排队中" in fragment
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404

    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and "导出失败" in job.error and not job.file_name
    fragment = client.get(f"/exports/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment and "导出失败" in fragment
    assert not AuditEntry.objects.filter(action="tests.sample.exported").exists()
    # a second run of the same job (a retried task) does nothing
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED


# the worker closes the database connection when done: a real transaction, not the
# test's wrapping one (PostgreSQL would lose the test's connection)
@pytest.mark.django_db(transaction=True)
def test_jobs_work_with_the_database_task_backend_and_a_worker(personas, sample, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django.db import transaction

    with transaction.atomic():
        job = export_start(
            actor=personas.judge, identifier="tests.sample", params={"n": 4}, fmt="xlsx"
        ).job
    # the test's own transaction holds the commit back; hand the task over explicitly
    from dangjian.core.tasks import export_run

    export_run.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.QUEUED  # nothing runs without a worker
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.done == 4


def test_export_list_is_for_users_with_exports(client, personas):
    client.force_login(personas.secretary_a)
    assert client.get("/exports/").status_code == 200
    client.force_login(personas.security_admin)
    assert client.get("/exports/").status_code == 404
    assert ExportJob.objects.unscoped().count() == 0


def test_every_file_says_who_exported_it_and_when(personas):
    """等保 数据保密性: a leaked file names its source (xlsx properties and notes sheet, the
    CSV's last line, the Word document's properties and footer)."""
    judge = personas.judge
    out = io.BytesIO()
    SampleExporter(judge, {"n": 2}).write("xlsx", out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames[0] != "导出说明" and book.sheetnames[-1] == "导出说明"
    note = book["导出说明"]["A1"].value
    assert note.startswith(f"导出人：{judge}") and "导出时间：" in note
    assert book.properties.creator == judge.username
    assert book.properties.description == note

    out = io.BytesIO()
    SampleExporter(judge, {"n": 2}).write("csv", out)
    last = out.getvalue().decode("utf-8-sig").splitlines()[-1]
    assert last.startswith(f"# 导出人：{judge}") and last.endswith("共 2 行")

    out = io.BytesIO()
    SampleDocument(judge, {"n": 1}).write("docx", out)
    document = Document(io.BytesIO(out.getvalue()))
    footer = document.sections[0].footer.paragraphs[0].text
    assert footer.startswith(f"导出人：{judge}")
    assert document.core_properties.author == judge.username
    assert document.core_properties.comments.startswith("导出人：")
