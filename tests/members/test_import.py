"""Roster import (issue #3 item 4): real .xlsx files through real uploads, the validation and
write tasks (ImmediateBackend: they run when the request's transaction commits), the report,
duplicates, and the all-or-nothing write."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from tests.conftest import member_data
from tests.members.test_import_support import FORM_HEADERS, roster_row, upload, write_xlsx

from dangjian.core import crypto
from dangjian.core.models import AuditEntry
from dangjian.members import services
from dangjian.members.imports import files
from dangjian.members.imports.columns import HEADERS
from dangjian.members.models import (
    Employment,
    ImportJob,
    ImportStatus,
    Member,
    MemberChange,
    Source,
)
from dangjian.orgs import services as org_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, personas):
    client.force_login(personas.unit_admin)
    return client


@pytest.fixture
def send(admin, tree, django_capture_on_commit_callbacks):
    """Upload a file as the unit admin into 甲局党组 and let the validation run; returns
    (response, job or None)."""

    def run(path: Path, org=None, name: str | None = None):
        before = set(ImportJob.objects.unscoped().values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(admin, path, org or tree.party_group_a, name)
        job = ImportJob.objects.unscoped().exclude(pk__in=before).first()
        return response, job

    return run


@pytest.fixture
def confirm(admin, django_capture_on_commit_callbacks):
    def run(job, update_existing=False):
        data = {"update_existing": "on"} if update_existing else {}
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(f"/members/import/{job.pk}/confirm/", data)
        assert response.status_code == 302
        job.refresh_from_db()
        return job

    return run


def _member_count():
    return Member.objects.unscoped().count()


def _stored_files() -> list[str]:
    return sorted(p.name for p in files.import_dir().iterdir())


def _clear_id(member) -> str:
    return crypto.decrypt(member.id_number_sealed)


# ---------------------------------------------------------------------------------------------
# The happy path


def test_a_valid_roster_is_validated_then_imported_in_one_go(admin, send, confirm, tree, tmp_path):
    rows = [
        roster_row("欧阳修"),
        roster_row(
            "李清照",
            "第二党支部",
            born=1996,
            sex="female",
            **{
                "人员类别": "预备党员",
                "转为正式党员日期": None,
                "加入党组织日期": "2024.3.8",
                "出生日期": None,
                "性别": None,
            },
        ),  # 出生日期 and 性别 left empty: taken from the ID number
        roster_row("苏轼", **{"工作岗位": "离退休人员", "在职状态": None, "单位职务": None}),
        roster_row("辛弃疾", **{"是否为失联党员": "是", "失去联系日期": "2023-05"}),
        roster_row("陆游", **{"是否为流动党员": "是", "外出流向": "广东省深圳市"}),
    ]
    before = _member_count()
    response, job = send(write_xlsx(tmp_path / "roster.xlsx", rows))

    assert response.status_code == 302 and response["Location"] == f"/members/import/{job.pk}/"
    assert job.status == ImportStatus.READY, job.errors
    assert (job.total_rows, job.new_count, job.existing_count, job.error_count) == (5, 5, 0, 0)
    assert job.created_by.username == "unit_admin" and job.org == tree.party_group_a
    assert _member_count() == before  # validation writes nothing
    page = admin.get(f"/members/import/{job.pk}/").content.decode()
    assert "校验通过" in page and 'data-testid="confirm-import"' in page
    assert 'name="update_existing"' not in page  # nobody to update

    job = confirm(job)
    assert job.status == ImportStatus.DONE, job.message
    assert (job.created_count, job.updated_count) == (5, 0)
    assert _member_count() == before + 5

    ouyang = Member.objects.unscoped().get(name="欧阳修")
    clear = _clear_id(ouyang)
    assert clear == rows[0][3]
    assert rows[0][3] not in ouyang.id_number_sealed  # sealed at rest
    assert ouyang.id_number_masked == clear[:4] + "*" * 10 + clear[-4:]
    assert crypto.decrypt(ouyang.phone_sealed) == "13912345678"
    assert ouyang.branch == tree.branch_a and ouyang.org_path == tree.branch_a.path
    assert ouyang.source == Source.OTHER and ouyang.unit_post == "科员"
    assert (ouyang.ethnicity, ouyang.education, ouyang.post) == ("01", "21", "0110")
    li = Member.objects.unscoped().get(name="李清照")
    assert (li.sex, li.birth_date, li.category, li.converted_on) == (
        "female",
        dt.date(1996, 5, 20),
        "probationary",
        None,
    )
    assert li.joined_on == dt.date(2024, 3, 8) and li.branch == tree.branch_b
    assert Member.objects.unscoped().get(name="苏轼").employment == Employment.RETIRED
    xin = Member.objects.unscoped().get(name="辛弃疾")
    assert xin.is_lost_contact and xin.lost_contact_since == dt.date(2023, 5, 1)
    assert Member.objects.unscoped().get(name="陆游").mobile_destination == "广东省深圳市"

    # searchable by pinyin initials on the member list
    names = [m.name for m in admin.get("/members/?q=oyx").context["page"]]
    assert names == ["欧阳修"]

    actions = list(
        AuditEntry.objects.filter(action__startswith="members.").values_list("action", flat=True)
    )
    assert actions.count("members.member.imported") == 5
    assert {
        "members.import.uploaded",
        "members.import.confirmed",
        "members.import.completed",
    } <= set(actions)
    imported = AuditEntry.objects.get(action="members.member.imported", object_id=str(ouyang.pk))
    assert imported.org_path == tree.branch_a.path and imported.actor.username == "unit_admin"
    assert imported.changes["import_job"] == job.pk

    # the page says what happened and links to the scope's member list; the file is gone
    page = admin.get(f"/members/import/{job.pk}/").content.decode()
    assert "导入完成：新增党员5人" in page
    assert f"/members/?org={tree.party_group_a.pk}" in page
    assert job.stored_name not in _stored_files()


def test_upload_page_lists_scopes_and_recent_jobs(admin, send, tree, tmp_path):
    page = admin.get(f"/members/import/?org={tree.branch_b.pk}")
    assert page.status_code == 200
    choices = dict(page.context["scope_choices"])
    assert tree.party_group_a.pk in choices and tree.branch_a.pk in choices
    assert tree.branch_c.pk not in choices  # another unit
    assert page.context["form"].initial["org"] == tree.branch_b.pk
    send(write_xlsx(tmp_path / "名册.xlsx", [roster_row("欧阳修")]))
    page = admin.get("/members/import/").content.decode()
    assert "名册.xlsx" in page and "校验通过" in page


def test_a_branch_scope_fills_an_empty_branch_cell(send, confirm, tree, tmp_path):
    _, job = send(write_xlsx(tmp_path / "b.xlsx", [roster_row("欧阳修", None)]), org=tree.branch_b)
    assert job.status == ImportStatus.READY, job.errors
    confirm(job)
    assert Member.objects.unscoped().get(name="欧阳修").branch == tree.branch_b


def test_the_template_is_the_file_to_fill(admin, send, tree, tmp_path):
    response = admin.get(f"/members/import/template/?org={tree.party_group_a.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.content)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["党员信息", "填写说明", "民族", "学历", "工作岗位", "党支部"]
    data = workbook["党员信息"]
    assert [c.value for c in data[1]] == list(HEADERS)
    assert data.column_dimensions["D"].number_format == "@"  # ID number kept as text
    assert data.column_dimensions["L"].number_format == "@"  # phone
    assert len(data.data_validations.dataValidation) >= 8
    explained = [row[1] for row in workbook["填写说明"].iter_rows(values_only=True)]
    assert all(h in explained for h in HEADERS)
    assert ("01", "汉族") in list(workbook["民族"].iter_rows(min_row=2, values_only=True))
    branches = [r[0] for r in workbook["党支部"].iter_rows(min_row=2, values_only=True)]
    assert branches == ["第一党支部", "第二党支部"]  # under 甲局党组 only
    for sheet in workbook.worksheets:
        assert not sheet.merged_cells.ranges

    # filled in, it goes through as it is (its drop-downs and comments are no formulas)
    for row in [roster_row("欧阳修"), roster_row("苏轼", "第二党支部")]:
        data.append(row)
    workbook.save(path)
    _, job = send(path)
    assert job.status == ImportStatus.READY, (job.message, job.errors)


# ---------------------------------------------------------------------------------------------
# Files refused before a cell is read: a message at the file field, no job, nothing kept


def _zip(path: Path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def _bad_file(kind: str, tmp_path: Path) -> tuple[Path, str]:
    if kind == "text":
        path = tmp_path / "roster.txt"
        path.write_text("姓名,性别\n张三,男\n")
        return path, "只能上传Excel（.xlsx）文件"
    if kind == "renamed text":
        path = tmp_path / "roster.xlsx"
        path.write_text("姓名,性别\n张三,男\n")
        return path, "文件不是有效的Excel（.xlsx）文件"
    if kind == "zip without a workbook":
        return _zip(tmp_path / "roster.xlsx", {"a.txt": b"x"}), "文件不是有效的Excel（.xlsx）文件"
    if kind == "old xls":
        path = tmp_path / "roster.xlsx"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
        return path, "旧版Excel格式或设置了打开密码"
    if kind == "xls name":
        path = tmp_path / "roster.xls"
        path.write_bytes(b"\xd0\xcf\x11\xe0")
        return path, "不支持旧版Excel（.xls）文件"
    if kind == "empty":
        path = tmp_path / "roster.xlsx"
        path.write_bytes(b"")
        return path, "文件是空的（0字节）"
    if kind == "50 MB":
        path = tmp_path / "roster.xlsx"
        with open(path, "wb") as f:
            f.truncate(50 * 1024 * 1024)  # sparse: costs no disk
        return path, "文件大小为50.0 MB，超过了20.0 MB的上限"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    ["text", "renamed text", "zip without a workbook", "old xls", "xls name", "empty", "50 MB"],
)
def test_files_that_are_not_a_workable_xlsx_are_refused_at_upload(
    admin, send, tree, tmp_path, kind
):
    path, message = _bad_file(kind, tmp_path)
    before = _stored_files()
    response, job = send(path)
    assert response.status_code == 200
    assert job is None and ImportJob.objects.unscoped().count() == 0
    errors = response.context["form"].errors["file"]
    assert any(message in e for e in errors), errors
    assert message in response.content.decode()
    assert _stored_files() == before  # the upload was not kept


def test_a_zip_bomb_is_refused_before_it_is_unpacked(send, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024  # unpacked limit 10 MB
    path = _zip(
        tmp_path / "bomb.xlsx",
        {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (12 * 1024 * 1024)},
    )
    assert path.stat().st_size < 100 * 1024
    response, job = send(path)
    assert job is None
    assert "压缩炸弹" in response.context["form"].errors["file"][0]


def test_a_zip_member_lying_about_its_size_is_refused(tmp_path, settings):
    """A part that declares 100 bytes but unpacks to 12 MB: the declared total passes, the
    real reading does not."""
    import struct

    from dangjian.core.errors import AppError

    settings.IMPORT_MAX_BYTES = 1024 * 1024  # unpacked limit 10 MB
    path = write_xlsx(tmp_path / "liar.xlsx", [roster_row("欧阳修")])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/media/x.bin", b"\0" * (12 * 1024 * 1024))
    data = bytearray(path.read_bytes())
    name = b"xl/media/x.bin"
    central = data.rindex(b"PK\x01\x02", 0, data.rindex(name))
    local = data.rindex(b"PK\x03\x04", 0, data.index(name) + 1)
    struct.pack_into("<I", data, local + 22, 100)
    struct.pack_into("<I", data, central + 24, 100)
    path.write_bytes(bytes(data))
    assert zipfile.ZipFile(path).getinfo("xl/media/x.bin").file_size == 100
    with pytest.raises(AppError) as refused:
        files.inspect(path)
    assert refused.value.field == "file"
    assert "压缩炸弹" in refused.value.message or "不是有效的Excel" in refused.value.message


def test_too_many_rows_are_refused_at_upload(send, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 5
    path = write_xlsx(tmp_path / "r.xlsx", [roster_row(f"张{n}") for n in "一二三四五六"])
    response, job = send(path)
    assert job is None
    assert "约有6行数据，超过了每个文件5行的上限" in response.context["form"].errors["file"][0]


def test_no_file_and_no_scope_are_form_errors(admin, tree):
    response = admin.post("/members/import/", {"org": tree.party_group_a.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["请选择要上传的文件。"]
    response = admin.post(
        "/members/import/",
        {"org": tree.branch_c.pk, "file": SimpleUploadedFile("a.xlsx", b"x")},
    )
    assert response.status_code == 200
    assert "org" in response.context["form"].errors  # another unit's org is no choice


# ---------------------------------------------------------------------------------------------
# Whole-file problems found by the validation: one message, nothing written


def _formula(ws):
    ws["A3"] = "=A2"


def _merged(ws):
    ws.merge_cells("M2:M3")


@pytest.mark.parametrize(
    ("headers", "rows", "prepare", "message"),
    [
        (
            [*HEADERS[:3], "身份证号", *HEADERS[4:]],
            [roster_row("欧阳修")],
            None,
            "表头不符：第D列应为“公民身份号码”，实为“身份证号”",
        ),
        (FORM_HEADERS[::-1], [roster_row("欧阳修")], None, "第A列应为“姓名”，实为“外出流向”"),
        (HEADERS, [roster_row("欧阳修"), roster_row("苏轼")], _formula, "含有公式"),
        (HEADERS, [roster_row("欧阳修"), roster_row("苏轼")], _merged, "含有合并单元格"),
        (HEADERS, [], None, "没有数据：请从第2行起每行填写一名党员"),
        (HEADERS, [[None] * 21, [""] * 21], None, "没有数据"),
    ],
    ids=["wrong header", "columns swapped", "formula", "merged cells", "no rows", "empty rows"],
)
def test_whole_file_problems(admin, send, tmp_path, headers, rows, prepare, message):
    before = _member_count()
    path = write_xlsx(tmp_path / "r.xlsx", rows, headers=headers, prepare=prepare)
    response, job = send(path)
    assert response.status_code == 302
    assert job.status == ImportStatus.INVALID
    assert message in job.message
    assert job.errors == [] and job.error_count == 0
    assert _member_count() == before
    page = admin.get(f"/members/import/{job.pk}/").content.decode()
    assert message in page and 'data-testid="confirm-import"' not in page
    assert admin.get(f"/members/import/{job.pk}/report/").status_code == 404
    assert job.stored_name not in _stored_files()


def test_the_data_sheet_is_found_by_name(send, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active["A1"] = "=1+1"  # formulas elsewhere do not matter
    sheet = workbook.create_sheet("党员信息")
    sheet.append(list(HEADERS))
    sheet.append(roster_row("欧阳修"))
    workbook.save(tmp_path / "r.xlsx")
    _, job = send(tmp_path / "r.xlsx")
    assert job.status == ImportStatus.READY, job.message


# ---------------------------------------------------------------------------------------------
# Row errors: every bad cell, its rule, the page, the marked file


BAD_ROWS = [
    # (overrides, column, header, rule, words in the problem)
    ({"公民身份号码": "420302198505200012"}, "D", "公民身份号码", "R-INFO-03", "校验码不正确"),
    ({"加入党组织日期": "2002-07-01"}, "I", "加入党组织日期", "R-INFO-03", "入党时未满18周岁"),
    ({"人员类别": "预备党员"}, "J", "转为正式党员日期", "R-INFO-03", "预备党员不应填写"),
    ({"出生日期": "1985-02-30"}, "E", "出生日期", "R-INFO-01", "不是有效日期"),
    ({"所在党支部": "第九党支部"}, "H", "所在党支部", "R-INFO-01", "不是“甲局党组”范围内"),
    ({"民族": "火星族"}, "C", "民族", "R-INFO-01", "不是代码表中的代码或名称"),
    ({"是否为失联党员": "是"}, "P", "失去联系日期", "R-INFO-03", "失联党员必填"),
    ({"姓名": None}, "A", "姓名", "R-INFO-01", "必填"),
    ({"联系电话": "12345"}, "L", "联系电话", "R-INFO-01", "不是11位手机号码"),
    ({"党籍状态": "停止党籍"}, "S", "停止党籍原因", "R-INFO-03", "停止党籍的必须填写原因"),
]


def _bad_roster(tmp_path) -> Path:
    rows = [roster_row("欧阳修")]
    rows += [
        roster_row(f"王{'一二三四五六七八九十'[i]}", **o) for i, (o, *_) in enumerate(BAD_ROWS)
    ]
    return write_xlsx(tmp_path / "bad.xlsx", rows)


def test_every_bad_cell_is_reported_with_its_rule(admin, send, tmp_path):
    before = _member_count()
    _, job = send(_bad_roster(tmp_path))
    assert job.status == ImportStatus.INVALID
    assert job.error_count == len(BAD_ROWS) == len(job.errors)
    assert "发现10处问题" in job.message
    for number, (error, (_, column, header, rule, words)) in enumerate(
        zip(job.errors, BAD_ROWS, strict=True), start=3
    ):
        assert (error["row"], error["column"], error["header"], error["rule_id"]) == (
            number,
            column,
            header,
            rule,
        ), error
        assert words in error["problem"], error
    assert job.errors[0]["value"].startswith("4203**********")  # never in clear
    assert _member_count() == before

    page = admin.get(f"/members/import/{job.pk}/").content.decode()
    assert page.count('data-testid="error-row"') == len(BAD_ROWS)
    assert "校验码不正确" in page and "R-INFO-03" in page and "入党时未满18周岁" in page
    assert 'data-testid="confirm-import"' not in page


def test_the_report_marks_bad_cells_red_with_a_comment_and_can_be_uploaded_again(
    admin, send, tmp_path
):
    _, job = send(_bad_roster(tmp_path))
    response = admin.get(f"/members/import/{job.pk}/report/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    report = tmp_path / "report.xlsx"
    report.write_bytes(response.content)
    sheet = load_workbook(report)["党员信息"]
    assert sheet["V1"].value == "问题说明"
    bad = sheet["D3"]
    assert bad.fill.fgColor.rgb.endswith("FF0000")
    assert "校验码不正确" in bad.comment.text and "R-INFO-03" in bad.comment.text
    assert "加入党组织日期：入党时未满18周岁" in sheet["V4"].value
    assert sheet["A2"].fill.fgColor.rgb in ("00000000", None)  # the good row is untouched
    assert sheet["V2"].value is None

    # fix the cells in the report itself and upload it again: the 问题说明 column is ignored
    workbook = load_workbook(report)
    sheet = workbook["党员信息"]
    for number, (overrides, *_) in enumerate(BAD_ROWS, start=3):
        good = roster_row("好人")
        for header in overrides:
            index = HEADERS.index(header)
            sheet.cell(row=number, column=index + 1, value=good[index])
        if "公民身份号码" not in overrides:
            sheet.cell(row=number, column=4, value=good[3])  # a fresh ID for each row
        if overrides == {"姓名": None}:
            sheet.cell(row=number, column=1, value="王八")
    workbook.save(report)
    _, again = send(report)
    assert again.status == ImportStatus.READY, again.errors
    assert again.new_count == 11


def test_errors_beyond_the_stored_limit_are_counted(admin, send, tmp_path):
    rows = [
        roster_row("张" + chr(0x4E00 + i % 2000), **{"民族": "火星族", "学历": "?"})
        for i in range(1001)
    ]
    _, job = send(write_xlsx(tmp_path / "r.xlsx", rows))
    assert job.error_count == 2002 and len(job.errors) == 2000
    page = admin.get(f"/members/import/{job.pk}/").content.decode()
    assert "仅列出前2000处" in page
    assert page.count('data-testid="error-row"') == 50  # one page of the report


# ---------------------------------------------------------------------------------------------
# Duplicates


def test_duplicates_inside_the_file_report_both_rows(send, tmp_path):
    first = roster_row("欧阳修")
    rows = [first, roster_row("苏轼"), roster_row("欧阳修", **{"公民身份号码": first[3]})]
    _, job = send(write_xlsx(tmp_path / "r.xlsx", rows))
    assert job.status == ImportStatus.INVALID
    dups = [(e["row"], e["column"], e["problem"], e["rule_id"]) for e in job.errors]
    assert dups == [
        (2, "D", "与第4行的公民身份号码重复", "R-INFO-03"),
        (4, "D", "与第2行的公民身份号码重复", "R-INFO-03"),
    ]


def _row_for(member, **overrides):
    """A row that re-registers an existing member (birth date and sex from the ID)."""
    return roster_row(
        member.name,
        member.branch.name,
        **{
            "公民身份号码": _clear_id(member),
            "出生日期": None,
            "性别": None,
            "加入党组织日期": member.joined_on,
            "转为正式党员日期": member.converted_on,
            "人员类别": member.get_category_display(),
            **overrides,
        },
    )


def test_members_already_in_scope_are_updated_only_when_asked(send, confirm, tree, tmp_path):
    zhang = tree.members_a[0]
    path = write_xlsx(
        tmp_path / "r.xlsx",
        [
            _row_for(zhang, **{"联系电话": "13700001111", "在职状态": "离退休"}),
            roster_row("欧阳修"),
        ],
    )
    _, job = send(path)
    assert job.status == ImportStatus.READY, job.errors
    assert (job.new_count, job.existing_count) == (1, 1)

    job = confirm(job)  # not ticked: only the new member is written
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.updated_count) == (1, 0)
    assert "系统中已有的1人未更新" in job.message
    zhang.refresh_from_db()
    assert crypto.decrypt(zhang.phone_sealed) == "13800138000"

    _, job = send(path)  # now both are in the system
    assert (job.new_count, job.existing_count) == (0, 2)
    job = confirm(job, update_existing=True)
    assert job.status == ImportStatus.DONE, job.message
    assert job.updated_count == 1  # 欧阳修 is unchanged, 张三丰 has a new phone and status
    zhang.refresh_from_db()
    assert crypto.decrypt(zhang.phone_sealed) == "13700001111"
    assert zhang.phone_masked == "137****1111" and zhang.employment == Employment.RETIRED
    change = MemberChange.objects.unscoped().get(member=zhang)
    assert (change.item, change.old_value, change.new_value) == ("employment", "在职", "离退休")
    entry = AuditEntry.objects.get(action="members.member.updated", object_id=str(zhang.pk))
    assert entry.changes["phone"] == ["***", "***"]
    assert entry.changes["employment"] == ["in_service", "retired"]


def test_a_member_registered_outside_the_users_scope_is_an_error_without_his_name(
    admin, send, tree, tmp_path
):
    zheng = tree.members_c[0]  # 乙局's member; unit_admin manages 甲局 only
    row = _row_for(zheng, **{"所在党支部": "第一党支部", "姓名": "郑某"})
    _, job = send(write_xlsx(tmp_path / "r.xlsx", [row]))
    assert job.status == ImportStatus.INVALID
    [error] = job.errors
    assert error["column"] == "D"
    assert "已在系统其他党组织登记" in error["problem"]
    page = admin.get(f"/members/import/{job.pk}/").content.decode()
    assert "已在系统其他党组织登记" in page
    assert "郑一" not in page and "乙局党支部" not in page  # neither who nor where


# ---------------------------------------------------------------------------------------------
# All or nothing


def test_a_branch_dissolved_after_validation_fails_the_whole_write(send, confirm, tree, tmp_path):
    third = org_services.org_create(
        actor=None, parent=tree.organ_a, name="第三党支部", kind="branch"
    )
    zhang = tree.members_a[0]
    rows = [
        _row_for(zhang, **{"联系电话": "13700001111"}),  # an update, written first
        roster_row("欧阳修"),
        roster_row("苏轼", "第三党支部"),
    ]
    _, job = send(write_xlsx(tmp_path / "r.xlsx", rows))
    assert job.status == ImportStatus.READY and (job.new_count, job.existing_count) == (2, 1)
    org_services.org_dissolve(actor=None, org=third, on=timezone.localdate(), reason="机构调整")
    members_before = _member_count()
    audits_before = AuditEntry.objects.filter(action__startswith="members.member").count()

    job = confirm(job, update_existing=True)
    assert job.status == ImportStatus.FAILED
    assert "未写入任何数据" in job.message
    assert job.created_count == job.updated_count == 0
    assert [e["header"] for e in job.errors] == ["所在党支部"] and job.errors[0]["row"] == 4
    assert _member_count() == members_before
    zhang.refresh_from_db()
    assert crypto.decrypt(zhang.phone_sealed) == "13800138000"
    assert AuditEntry.objects.filter(action__startswith="members.member").count() == audits_before
    assert not MemberChange.objects.unscoped().exists()
    assert not AuditEntry.objects.filter(action="members.import.completed").exists()


def test_a_member_registered_between_validation_and_write_fails_the_write(
    send, confirm, tree, tmp_path
):
    row = roster_row("欧阳修")
    _, job = send(write_xlsx(tmp_path / "r.xlsx", [row, roster_row("苏轼")]))
    assert job.new_count == 2
    services.member_create(
        actor=None,
        branch=tree.branch_a,
        name="欧阳修",
        **member_data(id_number=row[3], birth_date=dt.date(1985, 5, 20)),
    )
    before = _member_count()
    job = confirm(job)
    assert job.status == ImportStatus.FAILED and "新增2人变为1人" in job.message
    assert _member_count() == before


def _refuse_inserts_named(name: str) -> None:
    """A database trigger that refuses to insert a member with this name: a refusal by the
    database itself in the middle of the write (like a concurrent insert hitting the unique
    ID digest), after the checks have passed. Rolled back with the test's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER import_test_refuse BEFORE INSERT ON members_member "
                f"WHEN NEW.name = '{name}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION import_test_refuse() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.name = '{name}' THEN RAISE unique_violation USING MESSAGE = 'refused'; "
                "END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER import_test_refuse BEFORE INSERT ON members_member "
                "FOR EACH ROW EXECUTE FUNCTION import_test_refuse()"
            )


def test_a_database_refusal_inside_the_write_rolls_everything_back(send, confirm, tree, tmp_path):
    zhang = tree.members_a[0]
    rows = [
        _row_for(zhang, **{"联系电话": "13700001111"}),  # an update, written first
        roster_row("欧阳修"),
        roster_row("苏轼"),
    ]
    _, job = send(write_xlsx(tmp_path / "r.xlsx", rows))
    assert job.status == ImportStatus.READY
    _refuse_inserts_named("苏轼")
    members_before = _member_count()
    written = AuditEntry.objects.exclude(action="members.import.confirmed")
    audits_before = written.count()

    job = confirm(job, update_existing=True)
    assert job.status == ImportStatus.FAILED
    assert "冲突" in job.message and "未写入任何数据" in job.message
    assert _member_count() == members_before
    zhang.refresh_from_db()
    assert crypto.decrypt(zhang.phone_sealed) == "13800138000"  # the update was undone
    assert not MemberChange.objects.unscoped().exists()
    assert written.count() == audits_before
    assert job.stored_name in _stored_files()  # kept: the user may fix and retry


# ---------------------------------------------------------------------------------------------
# Confirmation, progress, background worker


def test_a_job_is_confirmed_once(admin, send, confirm, tmp_path):
    _, job = send(write_xlsx(tmp_path / "r.xlsx", [roster_row("欧阳修")]))
    confirm(job)
    response = admin.post(
        f"/members/import/{job.pk}/confirm/", HTTP_REFERER=f"/members/import/{job.pk}/"
    )
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["该导入当前不能确认：它已在导入、已完成或未通过校验。"]
    assert Member.objects.unscoped().filter(name="欧阳修").count() == 1


def test_progress_is_polled_while_running_and_reloads_the_page_when_done(admin, tree, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [roster_row("欧阳修")])
    upload(admin, path, tree.party_group_a)  # the test's transaction holds the task back
    job = ImportJob.objects.unscoped().get()
    assert job.status == ImportStatus.UPLOADED and job.total_rows == 1
    page = admin.get(f"/members/import/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    fragment = admin.get(f"/members/import/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    assert "HX-Refresh" not in fragment

    from dangjian.members.imports import import_validate

    import_validate(job_id=job.pk)
    fragment = admin.get(f"/members/import/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"
    assert "hx-trigger" not in fragment.content.decode()
    import_validate(job_id=job.pk)  # a retried task does nothing
    job.refresh_from_db()
    assert job.status == ImportStatus.READY


# the worker closes the database connection when done: a real transaction, not the
# test's wrapping one (PostgreSQL would lose the test's connection)
@pytest.mark.django_db(transaction=True)
def test_the_import_works_with_the_database_task_backend_and_a_worker(
    admin, confirm, tree, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        upload(admin, write_xlsx(tmp_path / "r.xlsx", [roster_row("欧阳修")]), tree.party_group_a)
    job = ImportJob.objects.unscoped().get()
    assert job.status == ImportStatus.UPLOADED  # nothing runs without a worker
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
    job = confirm(job)
    assert job.status == ImportStatus.IMPORTING
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Member.objects.unscoped().filter(name="欧阳修").exists()


# ---------------------------------------------------------------------------------------------
# Query counts


def test_job_page_queries_do_not_grow_with_the_errors(admin, send, tmp_path):
    def queries(job):
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get(f"/members/import/{job.pk}/").status_code == 200
        return len(ctx)

    _, small = send(write_xlsx(tmp_path / "a.xlsx", [roster_row("张三", **{"民族": "?"})]))
    rows = [roster_row("张" + chr(0x4E00 + i), **{"民族": "?", "学历": "?"}) for i in range(60)]
    _, large = send(write_xlsx(tmp_path / "b.xlsx", rows))
    assert large.error_count == 120
    assert queries(small) == queries(large) <= 8


def test_upload_page_queries_do_not_grow_with_the_jobs(admin, send, tmp_path):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get("/members/import/").status_code == 200
        return len(ctx)

    send(write_xlsx(tmp_path / "a.xlsx", [roster_row("张三")]))
    small = queries()
    for i in range(4):
        send(write_xlsx(tmp_path / f"b{i}.xlsx", [roster_row("李" + chr(0x4E00 + i))]))
    assert queries() == small <= 10


def test_report_of_an_unknown_or_vanished_file_is_not_found(admin, send, tmp_path):
    _, job = send(write_xlsx(tmp_path / "a.xlsx", [roster_row("张三", **{"民族": "?"})]))
    files.remove(job.stored_name)
    response = admin.get(f"/members/import/{job.pk}/report/")
    assert response.status_code == 400 and "超过保留期限" in response.content.decode()
    assert admin.get("/members/import/999999/report/").status_code == 404


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/members/import/?org=abc", 404),
        ("/members/import/?org=99999999", 404),
        ("/members/import/template/?org=%00", 400),  # the NUL middleware
        ("/members/import/{job}/?page=zzz", 200),
        ("/members/import/{job}/?page=-1", 200),
        ("/members/import/{job}/progress/?x=%ff", 200),
    ],
)
def test_garbage_in_query_strings_gets_a_clear_answer(admin, send, tmp_path, url, status):
    _, job = send(write_xlsx(tmp_path / "a.xlsx", [roster_row("张三", **{"民族": "?"})]))
    assert admin.get(url.format(job=job.pk)).status_code == status


def test_confirm_needs_a_post(admin, send, tmp_path):
    _, job = send(write_xlsx(tmp_path / "a.xlsx", [roster_row("张三")]))
    assert admin.get(f"/members/import/{job.pk}/confirm/").status_code == 405
    job.refresh_from_db()
    assert job.status == ImportStatus.READY
