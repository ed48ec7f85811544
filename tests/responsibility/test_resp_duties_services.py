"""The responsibility lists' write paths: lists (one of a kind a year, the unit's top org,
holders of the unit), items (deadlines within the year), confirmation and what may change
after it, the copy into another year, and quarterly reports (progress 0–100, quarters
already started, one per item and quarter, evidence judged by content) — each refusal with
its Chinese message at the field and nothing written, each change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.responsibility import services_duties as services
from dangjian.responsibility.models import DutyItem, DutyList, DutyReport, ReportFile
from tests.responsibility.resp_duties_support import (
    AFTER,
    YEAR,
    add_item,
    confirmed_list,
    fake_photo,
    make_list,
    photo,
    report,
)


def _actions(prefix="responsibility.duty"):
    return list(
        AuditEntry.objects.filter(action__startswith=prefix)
        .order_by("id")
        .values_list("action", flat=True)
    )


def _refused(field, fn, **kwargs) -> AppError:
    with pytest.raises(AppError) as exc:
        fn(**kwargs)
    assert exc.value.field == field, exc.value.errors
    return exc.value


# ---------------------------------------------------------------------------------------------
# Lists


def test_main_list_is_the_party_groups_and_audited(tree):
    duty_list = make_list(tree.party_group_a)
    assert duty_list.holder_name == "甲局党组"  # the 党组 itself carries the 主体责任
    assert duty_list.org_path == tree.party_group_a.path
    assert duty_list.confirmed_at is None
    entry = AuditEntry.objects.get(action="responsibility.duty_list.created")
    assert entry.org_path == tree.party_group_a.path
    assert entry.changes["kind"] == "main" and entry.changes["year"] == YEAR


def test_one_main_and_one_first_list_a_year(tree):
    make_list(tree.party_group_a)
    make_list(tree.party_group_a, kind="first", holder_name="张三丰")
    error = _refused(
        "kind", services.duty_list_create, actor=None, org=tree.party_group_a, year=YEAR,
        kind="main", holder_name="",
    )  # fmt: skip
    assert "已有党组主体责任清单" in error.message
    _refused(
        "kind", services.duty_list_create, actor=None, org=tree.party_group_a, year=YEAR,
        kind="first", holder_name="李四",
    )  # fmt: skip
    assert DutyList.all_objects.count() == 2
    make_list(tree.party_group_a, year=YEAR + 1)  # another year is fine


def test_one_dual_list_per_holder_a_year(tree):
    make_list(tree.party_group_a, kind="dual", holder_name="李四", remit="机关党建、人事")
    make_list(tree.party_group_a, kind="dual", holder_name="王五")
    error = _refused(
        "holder_name", services.duty_list_create, actor=None, org=tree.party_group_a,
        year=YEAR, kind="dual", holder_name="李四",
    )  # fmt: skip
    assert "李四的一岗双责清单" in error.message
    _refused(
        "holder_name", services.duty_list_create, actor=None, org=tree.party_group_a,
        year=YEAR, kind="dual", holder_name="  ",
    )  # fmt: skip
    assert DutyList.all_objects.count() == 2


def test_holder_is_a_member_of_the_unit_and_brings_his_name(tree):
    zhang = tree.members_a[0]
    duty_list = make_list(tree.party_group_a, kind="first", holder=zhang, holder_post="党组书记")
    assert duty_list.holder_name == zhang.name and duty_list.holder_id == zhang.pk
    outsider = tree.members_c[0]
    error = _refused(
        "holder", services.duty_list_create, actor=None, org=tree.party_group_a, year=YEAR,
        kind="dual", holder_name="", holder=outsider,
    )  # fmt: skip
    assert error.message == "责任人须为本单位的党员。"


@pytest.mark.parametrize("org_name", ["branch_a", "organ_a", "root"])
def test_lists_belong_to_a_units_top_org(tree, org_name):
    error = _refused(
        "org", services.duty_list_create, actor=None, org=getattr(tree, org_name), year=YEAR,
        kind="main", holder_name="",
    )  # fmt: skip
    assert "党组（党委）" in error.message
    assert not DutyList.all_objects.exists()


@pytest.mark.parametrize(
    ("year", "message"), [(1999, "年度须在"), ("abc", "四位数字"), (None, "请填写")]
)
def test_bad_years_are_refused(tree, year, message):
    error = _refused(
        "year", services.duty_list_create, actor=None, org=tree.party_group_a, year=year,
        kind="main", holder_name="",
    )  # fmt: skip
    assert message in error.message


def test_bad_kind_and_too_long_text(tree):
    _refused(
        "kind", services.duty_list_create, actor=None, org=tree.party_group_a, year=YEAR,
        kind="boss", holder_name="x",
    )  # fmt: skip
    _refused(
        "remit", services.duty_list_create, actor=None, org=tree.party_group_a, year=YEAR,
        kind="dual", holder_name="李四", remit="x" * 501,
    )  # fmt: skip
    assert not DutyList.all_objects.exists()


@pytest.mark.parametrize("persona", ["unit_admin", "secretary_a", "member_a", "judge", "outsider"])
def test_only_managers_of_the_unit_write(tree, personas, persona):
    with pytest.raises(Http404):
        services.duty_list_create(
            actor=personas.by_name(persona), org=tree.party_group_b, year=YEAR, kind="main",
            holder_name="",
        )  # fmt: skip
    duty_list = make_list(tree.party_group_b)
    with pytest.raises(Http404):
        add_item_as(personas.by_name(persona), duty_list)
    assert not DutyItem.objects.exists()


def add_item_as(actor, duty_list):
    return services.duty_item_add(actor=actor, duty_list=duty_list, content="x", owner_name="y")


def test_unit_admin_and_committee_admin_write_for_the_unit(tree, personas):
    mine = services.duty_list_create(
        actor=personas.unit_admin, org=tree.party_group_a, year=YEAR, kind="main", holder_name=""
    )
    add_item_as(personas.unit_admin, mine)
    theirs = services.duty_list_create(
        actor=personas.committee_admin, org=tree.party_group_b, year=YEAR, kind="main",
        holder_name="",
    )  # fmt: skip
    add_item_as(personas.committee_admin, theirs)
    assert DutyItem.objects.count() == 2
    entry = AuditEntry.objects.filter(action="responsibility.duty_list.created").order_by("id")[0]
    assert entry.actor_id == personas.unit_admin.pk


def test_draft_header_can_change_and_draft_can_go(tree):
    duty_list = make_list(tree.party_group_a, kind="dual", holder_name="李四")
    add_item(duty_list)
    services.duty_list_update(actor=None, duty_list=duty_list, remit="财务、后勤")
    duty_list.refresh_from_db()
    assert duty_list.remit == "财务、后勤"
    updated = AuditEntry.objects.get(action="responsibility.duty_list.updated")
    assert updated.changes == {"remit": ["", "财务、后勤"]}
    services.duty_list_delete(actor=None, duty_list=duty_list)
    assert not DutyList.all_objects.exists() and not DutyItem.objects.exists()
    deleted = AuditEntry.objects.get(action="responsibility.duty_list.deleted")
    assert deleted.changes["items"] == ["每季度专题研究党建工作"]


# ---------------------------------------------------------------------------------------------
# Items and confirmation


def test_items_are_numbered_and_checked(tree):
    duty_list = make_list(tree.party_group_a)
    first = add_item(duty_list, category="ideological", deadline=dt.date(YEAR, 12, 31))
    second = add_item(duty_list, content="落实意识形态工作责任制")
    assert (first.seq, second.seq) == (1, 2)
    assert first.org_path == tree.party_group_a.path
    error = _refused(
        "deadline", services.duty_item_add, actor=None, duty_list=duty_list, content="x",
        owner_name="y", deadline=dt.date(YEAR + 1, 1, 1),
    )  # fmt: skip
    assert error.message == f"完成时限须在{YEAR}年内。"
    _refused(
        "content", services.duty_item_add, actor=None, duty_list=duty_list, content=" ",
        owner_name="y",
    )  # fmt: skip
    _refused(
        "category", services.duty_item_add, actor=None, duty_list=duty_list, content="x",
        owner_name="y", category="nonsense",
    )  # fmt: skip
    _refused(
        "owner_name", services.duty_item_add, actor=None, duty_list=duty_list, content="x",
        owner_name="",
    )  # fmt: skip
    assert DutyItem.objects.count() == 2
    assert _actions("responsibility.duty_item") == ["responsibility.duty_item.added"] * 2


def test_confirm_needs_items_and_happens_once(tree):
    duty_list = make_list(tree.party_group_a)
    error = _refused(None, services.duty_list_confirm, actor=None, duty_list=duty_list)
    assert error.message == "清单还没有责任事项，不能确认发布。"
    add_item(duty_list)
    services.duty_list_confirm(actor=None, duty_list=duty_list)
    duty_list.refresh_from_db()
    assert duty_list.confirmed_at is not None
    again = _refused(None, services.duty_list_confirm, actor=None, duty_list=duty_list)
    assert "已于" in again.message and "确认发布" in again.message
    entry = AuditEntry.objects.get(action="responsibility.duty_list.confirmed")
    assert entry.changes["items"] == 1


def test_after_confirming_the_wording_is_fixed_and_changes_need_a_reason(tree):
    duty_list, (item, _other) = confirmed_list(tree.party_group_a)
    error = _refused(
        "content", services.duty_item_update, actor=None, item=item, content="改写的内容",
        reason="调整",
    )  # fmt: skip
    assert "责任内容和类别不能修改" in error.message
    _refused("category", services.duty_item_update, actor=None, item=item, category="conduct")
    error = _refused(
        "reason", services.duty_item_update, actor=None, item=item, measures="新的措施"
    )
    assert error.message == "清单已确认发布，调整责任事项须填写调整原因。"
    services.duty_item_update(
        actor=None, item=item, measures="新的措施", deadline=dt.date(YEAR, 9, 30),
        reason="上级部署调整",
    )  # fmt: skip
    item.refresh_from_db()
    assert item.measures == "新的措施" and item.deadline == dt.date(YEAR, 9, 30)
    entry = AuditEntry.objects.get(action="responsibility.duty_item.updated")
    assert entry.changes["reason"] == "上级部署调整" and entry.changes["after_confirm"] is True
    assert entry.changes["measures"] == ["", "新的措施"]
    assert entry.changes["deadline"] == [f"{YEAR}-06-30", f"{YEAR}-09-30"]
    # items stay; the header is fixed; the list is kept
    _refused(None, services.duty_item_delete, actor=None, item=item)
    _refused(None, services.duty_list_update, actor=None, duty_list=duty_list, remit="x")
    _refused(None, services.duty_list_delete, actor=None, duty_list=duty_list)
    assert DutyItem.objects.count() == 2 and DutyList.all_objects.count() == 1


def test_items_may_be_added_after_confirming_and_the_audit_says_so(tree):
    duty_list, _items = confirmed_list(tree.party_group_a)
    extra = add_item(duty_list, content="增补：开展警示教育")
    assert extra.seq == 3
    entry = AuditEntry.objects.filter(action="responsibility.duty_item.added").order_by("id").last()
    assert entry.changes["after_confirm"] is True


def test_a_draft_item_changes_freely_and_can_be_deleted(tree):
    duty_list = make_list(tree.party_group_a)
    item = add_item(duty_list)
    services.duty_item_update(actor=None, item=item, content="新内容", category="conduct")
    item.refresh_from_db()
    assert (item.content, item.category) == ("新内容", "conduct")
    unchanged = services.duty_item_update(actor=None, item=item, content="新内容")
    assert unchanged.pk == item.pk
    assert AuditEntry.objects.filter(action="responsibility.duty_item.updated").count() == 1
    with pytest.raises(AppError):
        services.duty_item_update(actor=None, item=item, progress=100)  # derived, never typed
    services.duty_item_delete(actor=None, item=item)
    assert not DutyItem.objects.exists()
    assert (
        AuditEntry.objects.get(action="responsibility.duty_item.deleted").changes["content"]
        == "新内容"
    )


def test_copy_makes_a_draft_of_the_next_year_with_shifted_deadlines(tree):
    source, (item, _other) = confirmed_list(tree.party_group_a, year=YEAR)
    report(item, quarter=1, progress=100)
    copy = services.duty_list_copy(actor=None, source=source, year=YEAR + 1)
    assert copy.year == YEAR + 1 and copy.confirmed_at is None and copy.kind == "main"
    items = list(DutyItem.objects.filter(duty_list=copy).order_by("seq"))
    assert [i.content for i in items] == ["第1项责任", "第2项责任"]
    assert items[0].deadline == dt.date(YEAR + 1, 6, 30)
    assert all(i.progress == 0 and i.done_on is None for i in items)
    entry = AuditEntry.objects.get(action="responsibility.duty_list.copied")
    assert entry.changes["source"] == source.pk and entry.changes["items"] == 2
    again = _refused("kind", services.duty_list_copy, actor=None, source=source, year=YEAR + 1)
    assert "已有" in again.message
    _refused("year", services.duty_list_copy, actor=None, source=source, year=YEAR)
    assert DutyList.all_objects.count() == 2


# ---------------------------------------------------------------------------------------------
# Quarterly reports


def test_a_report_needs_a_confirmed_list(tree):
    duty_list = make_list(tree.party_group_a)
    item = add_item(duty_list)
    error = _refused(None, report, item=item)
    assert "尚未确认发布" in error.message
    assert not DutyReport.objects.exists()


@pytest.mark.parametrize("progress", [101, -1, 1000])
def test_progress_outside_0_to_100_is_refused_at_progress(tree, progress):
    _list, (item, _other) = confirmed_list(tree.party_group_a)
    error = _refused("progress", report, item=item, progress=progress)
    assert error.message == "完成进度应在0到100之间。"
    assert not DutyReport.objects.exists()
    item.refresh_from_db()
    assert item.progress == 0


def test_a_quarter_not_started_is_refused(tree):
    year = AFTER.year
    _list, (item, _other) = confirmed_list(tree.party_group_a, year=year)
    today = dt.date(year, 3, 31)
    error = _refused("quarter", report, item=item, quarter=2, today=today)
    assert error.message == f"{year}年第二季度尚未开始，不能报告进展。"
    _refused("quarter", report, item=item, quarter=5, today=today)
    _refused("quarter", report, item=item, quarter="x", today=today)
    assert not DutyReport.objects.exists()
    report(item, quarter=1, today=today)  # the running quarter may be reported
    report(item, quarter=2, today=dt.date(year, 4, 1))  # from its first day


def test_a_past_years_quarter_is_always_allowed(tree):
    _list, (item, _other) = confirmed_list(tree.party_group_a, year=2022)
    done = report(item, quarter=4, progress=100, today=dt.date(2022, 12, 20))
    assert done.quarter == 4
    late = report(item, quarter=3, progress=70, today=AFTER)  # years later, still accepted
    assert late.pk != done.pk


def test_resubmitting_a_quarter_updates_it_with_the_diff(tree):
    _list, (item, _other) = confirmed_list(tree.party_group_a)
    first = report(item, quarter=1, progress=30, text="制定方案")
    second = report(item, quarter=1, progress=40, text="制定方案")
    assert first.pk == second.pk and DutyReport.objects.count() == 1
    assert second.progress == 40
    assert _actions("responsibility.duty_report") == [
        "responsibility.duty_report.submitted",
        "responsibility.duty_report.updated",
    ]
    updated = AuditEntry.objects.get(action="responsibility.duty_report.updated")
    assert updated.changes == {"item": item.pk, "quarter": 1, "progress": [30, 40]}
    # the same again changes nothing and writes nothing
    report(item, quarter=1, progress=40, text="制定方案")
    assert AuditEntry.objects.filter(action__startswith="responsibility.duty_report").count() == 2


def test_item_progress_follows_the_latest_quarter_and_done_on_the_100(tree):
    _list, (item, _other) = confirmed_list(tree.party_group_a)
    report(item, quarter=2, progress=60, today=dt.date(2025, 1, 10))
    report(item, quarter=1, progress=90, today=dt.date(2025, 1, 11))  # an earlier quarter
    item.refresh_from_db()
    assert item.progress == 60 and item.done_on is None
    report(item, quarter=3, progress=100, today=dt.date(2025, 1, 12))
    item.refresh_from_db()
    assert item.progress == 100 and item.done_on == dt.date(2025, 1, 12)
    report(item, quarter=3, progress=95, today=dt.date(2025, 1, 13))  # taken back
    item.refresh_from_db()
    assert item.progress == 95 and item.done_on is None


def test_text_is_required(tree):
    _list, (item, _other) = confirmed_list(tree.party_group_a)
    error = _refused("text", report, item=item, text="  ")
    assert error.message == "请填写进展情况。"


def test_evidence_photos_are_stored_with_the_report(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _list, (item, _other) = confirmed_list(tree.party_group_a)
    done = report(item, files=[photo("会议.png")])
    (evidence,) = ReportFile.objects.filter(duty_report=done)
    assert evidence.original_name == "会议.png" and evidence.content_type == "image/png"
    assert evidence.task_report_id is None and evidence.org_path == item.org_path
    assert evidence.file.name.endswith(".png") and "会议" not in evidence.file.name
    # a second submission adds to the files
    report(item, progress=60, files=[photo("第二张.png")])
    assert ReportFile.objects.filter(duty_report=done).count() == 2
    entry = AuditEntry.objects.filter(action="responsibility.duty_report.updated").get()
    assert entry.changes["files"] == ["第二张.png"]


def test_a_file_that_is_not_a_photo_or_document_writes_nothing(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _list, (item, _other) = confirmed_list(tree.party_group_a)
    error = _refused("files", report, item=item, files=[photo(), fake_photo()])
    assert "伪装.png" in error.message and "只能上传" in error.message
    assert not DutyReport.objects.exists() and not ReportFile.objects.exists()
    assert not list(tmp_path.rglob("*.png"))


def test_too_many_files_at_once(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _list, (item, _other) = confirmed_list(tree.party_group_a)
    error = _refused("files", report, item=item, files=[photo() for _ in range(10)])
    assert "一次最多上传9个文件" in error.message
    assert not DutyReport.objects.exists()


def test_reports_are_written_by_the_units_managers_only(tree, personas):
    _list, (item, _other) = confirmed_list(tree.party_group_a)
    for name in ("secretary_a", "member_a", "judge", "auditor", "outsider"):
        with pytest.raises(Http404):
            services.duty_report_submit(
                actor=personas.by_name(name), item=item, quarter=1, progress=10, text="x",
                today=AFTER,
            )  # fmt: skip
    done = services.duty_report_submit(
        actor=personas.unit_admin, item=item, quarter=1, progress=10, text="x", today=AFTER
    )
    assert done.reported_by_id == personas.unit_admin.pk


# ---------------------------------------------------------------------------------------------
# NUL and the day an item is added


@pytest.mark.parametrize(
    ("field", "fn_name", "kwargs"),
    [
        ("holder_name", "duty_list_create", {"kind": "dual", "holder_name": "李\x00四"}),
        ("remit", "duty_list_create", {"kind": "dual", "holder_name": "李四", "remit": "党\x00建"}),
    ],
)
def test_nul_in_a_list_field_is_refused_at_the_field(tree, field, fn_name, kwargs):
    error = _refused(
        field, getattr(services, fn_name), actor=None, org=tree.party_group_a, year=YEAR, **kwargs
    )
    assert "无效字符" in error.message
    assert not DutyList.all_objects.exists()


@pytest.mark.parametrize("field", ["content", "measures", "owner_name", "evidence_asked"])
def test_nul_in_an_item_field_is_refused_at_the_field(tree, field):
    duty_list = make_list(tree.party_group_a)
    values = {"content": "研究党建", "owner_name": "张三丰", field: "第一\x00第二"}
    error = _refused(field, services.duty_item_add, actor=None, duty_list=duty_list, **values)
    assert "无效字符" in error.message
    assert not DutyItem.objects.exists()


def test_nul_in_a_report_is_refused_at_text(tree):
    _list, (item, _b) = confirmed_list(tree.party_group_a)
    error = _refused(
        "text", services.duty_report_submit, actor=None, item=item, quarter=1, progress=10,
        text="已\x00召开", today=AFTER,
    )  # fmt: skip
    assert "无效字符" in error.message
    assert not DutyReport.objects.exists()


def test_an_item_is_dated_when_added(tree):
    from django.utils import timezone

    duty_list = make_list(tree.party_group_a)
    before = timezone.now()
    item = services.duty_item_add(
        actor=None, duty_list=duty_list, content="研究党建", owner_name="张三丰"
    )
    assert before <= item.created_at <= timezone.now()
    when = timezone.make_aware(dt.datetime(YEAR, 11, 3, 9, 0))
    late = services.duty_item_add(
        actor=None, duty_list=duty_list, content="增补", owner_name="张三丰", now=when
    )
    assert DutyItem.objects.get(pk=late.pk).created_at == when
