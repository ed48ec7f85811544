"""The materials library through its services and selectors: files judged by content, links,
who sees which material (his branch's and the orgs' above it), assignments and their due
dates, reading progress (idempotent, feeds the points) and the completion percentages of an
assignment per org."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.study import selectors_library as sel
from dangjian.study import services_library as svc
from dangjian.study.models import Material, ReadingAssignment, ReadingProgress
from tests.study import test_study_library_fixtures as fx
from tests.study.test_study_library_fixtures import MP4, PDF, pdf, upload, xlsx_bytes

library = fx.library


def _create(org, actor=None, **kw):
    from dangjian.study.models import Topic

    data = {
        "topic": Topic.objects.get_or_create(name="二十大精神", defaults={"sort": 1})[0],
        "title": "学习提纲",
        "description": "",
        "kind": "document",
        "file": pdf(),
    }
    data.update(kw)
    return svc.material_create(actor=actor, org=org, **data)


def test_a_document_keeps_its_name_with_the_real_extension(tree, personas, media):
    m = _create(tree.branch_a, personas.secretary_a, file=pdf("二十大学习提纲.doc"))
    assert m.file_name == "二十大学习提纲.pdf"
    assert m.file.read() == PDF
    assert m.org_path == tree.branch_a.path
    assert AuditEntry.objects.filter(action="study.material.created").count() == 1


@pytest.mark.parametrize(
    ("kind", "file", "ok"),
    [
        ("document", ("a.xlsx", xlsx_bytes([["标题"]])), True),
        ("video", ("v.mp4", MP4), True),
        ("video", ("v.mp4", PDF), False),
        ("document", ("v.pdf", MP4), False),
        ("document", ("a.exe", b"MZ\x90\x00program"), False),
        ("document", ("a.pdf", b"<html><body>page</body></html>"), False),
        ("document", ("a.pdf", b""), False),
    ],
)
def test_files_are_judged_by_content(tree, media, kind, file, ok):
    before = Material.all_objects.count()
    if ok:
        assert _create(tree.branch_a, kind=kind, file=upload(*file)).kind == kind
    else:
        with pytest.raises(AppError) as caught:
            _create(tree.branch_a, kind=kind, file=upload(*file))
        assert caught.value.field == "file"
        assert Material.all_objects.count() == before


def test_too_large_files_are_refused(tree, media, settings):
    settings.STUDY_FILE_MAX_BYTES = 10
    with pytest.raises(AppError, match="超过了"):
        _create(tree.branch_a)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "题" * 201}, "title"),
        ({"kind": "audio"}, "kind"),
        ({"file": None}, "file"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": "十"}, "minutes"),
        ({"topic": 999999}, "topic"),
        ({"kind": "link", "file": None, "url": "ftp://example.invalid/x"}, "url"),
        ({"kind": "link", "file": None, "url": ""}, "url"),
        ({"kind": "link", "url": "https://example.invalid/"}, "file"),
    ],
)
def test_bad_material_input_is_refused(tree, media, change, field):
    with pytest.raises(AppError) as caught:
        _create(tree.branch_a, **change)
    assert caught.value.field == field
    assert Material.all_objects.count() == 0


def test_a_link(tree, media):
    m = _create(tree.root, kind="link", file=None, url="https://example.invalid/study")
    assert (m.kind, m.url, bool(m.file)) == ("link", "https://example.invalid/study", False)


def test_outsiders_cannot_publish_or_change(tree, personas, library):
    for who in ("secretary_b", "member_a", "auditor", "outsider"):
        with pytest.raises(Http404):
            _create(tree.branch_a, personas.by_name(who))
        with pytest.raises(Http404):
            svc.material_retire(actor=personas.by_name(who), material=library.a_material)


def test_update_and_retire(tree, personas, library):
    m = library.a_material
    svc.material_update(actor=personas.secretary_a, material=m, title="新标题", minutes=30)
    m.refresh_from_db()
    assert (m.title, m.minutes) == ("新标题", 30)
    entry = AuditEntry.objects.filter(action="study.material.updated").get()
    assert entry.changes["title"] == ["第一党支部学习提纲", "新标题"]
    old = m.file.name
    svc.material_update(actor=personas.secretary_a, material=m, file=pdf("新.pdf"))
    m.refresh_from_db()
    assert m.file.name != old and m.file_name == "新.pdf"
    with pytest.raises(AppError, match="不能修改"):
        svc.material_update(actor=personas.secretary_a, material=m, kind="link")
    svc.material_retire(actor=personas.secretary_a, material=m)
    with pytest.raises(AppError, match="已停用"):
        svc.material_retire(actor=personas.secretary_a, material=m)


def test_a_member_sees_his_branch_and_the_orgs_above(tree, personas, library):
    member = personas.member_a
    titles = set(sel.material_list(member).values_list("title", flat=True))
    assert titles == {"工委学习提纲", "第一党支部学习提纲"}
    sel.access_material(member, library.root_material.pk)
    with pytest.raises(Http404):
        sel.access_material(member, library.b_material.pk)
    # a unit admin (no member record) sees his subtree and the 工委 above
    admin = set(sel.material_list(personas.unit_admin).values_list("title", flat=True))
    assert admin == {"工委学习提纲", "第一党支部学习提纲", "第二党支部学习提纲"}
    for who in ("auditor", "outsider", "judge", "security_admin"):
        assert not sel.material_list(personas.by_name(who)).exists()
        with pytest.raises(Http404):
            sel.access_material(personas.by_name(who), library.root_material.pk)


def test_a_retired_material_is_gone_for_members_not_for_its_managers(tree, personas, library):
    svc.material_retire(actor=None, material=library.a_material)
    with pytest.raises(Http404):
        sel.access_material(personas.member_a, library.a_material.pk)
    assert sel.access_material(personas.secretary_a, library.a_material.pk)
    retired = sel.material_list(personas.secretary_a, retired=True)
    assert [m.pk for m in retired] == [library.a_material.pk]


def test_assign_bounds(tree, personas, library):
    today = timezone.localdate()
    a = svc.material_assign(
        actor=personas.unit_admin,
        material=library.root_material,
        org=tree.party_group_a,
        due_on=today + dt.timedelta(days=30),
    )
    assert a.org_path == tree.party_group_a.path
    again = svc.material_assign(
        actor=personas.unit_admin,
        material=library.root_material,
        org=tree.party_group_a,
        due_on=today + dt.timedelta(days=40),
    )
    assert again.pk == a.pk and again.due_on == today + dt.timedelta(days=40)
    with pytest.raises(AppError, match="早于今天") as caught:
        svc.material_assign(
            actor=personas.secretary_a,
            material=library.root_material,
            org=tree.branch_a,
            due_on=today - dt.timedelta(days=1),
        )
    assert caught.value.field == "due_on"
    with pytest.raises(AppError, match="下级组织"):  # branch B's material to branch A
        svc.material_assign(
            actor=personas.unit_admin,
            material=library.b_material,
            org=tree.branch_a,
            due_on=today,
        )
    with pytest.raises(Http404):  # an org the actor does not keep
        svc.material_assign(
            actor=personas.secretary_a,
            material=library.root_material,
            org=tree.branch_b,
            due_on=today,
        )
    assert ReadingAssignment.all_objects.count() == 1


def test_reading_is_idempotent_and_feeds_points(tree, personas, library, monkeypatch):
    calls = []
    monkeypatch.setattr(svc, "points_changed", lambda ids, day: calls.append(list(ids)))
    m = library.a_material
    first = svc.reading_open(actor=personas.member_a, material=m)
    second = svc.reading_open(actor=personas.member_a, material=m)
    assert first.pk == second.pk and first.completed_at is None
    done = svc.reading_complete(actor=personas.member_a, material=m)
    assert done.completed_at is not None
    again = svc.reading_complete(actor=personas.member_a, material=m)
    assert again.completed_at == done.completed_at
    assert calls == [[personas.member_a.member_id]]
    assert ReadingProgress.all_objects.count() == 1
    with pytest.raises(Http404):
        svc.reading_open(actor=personas.member_a, material=library.b_material)
    with pytest.raises(AppError, match="未关联党员"):
        svc.reading_open(actor=personas.unit_admin, material=m)


def test_assignment_percentages(tree, personas, library):
    today = timezone.localdate()
    assignment = svc.material_assign(
        actor=None, material=library.root_material, org=tree.organ_a, due_on=today
    )
    a, b = tree.members_a, tree.members_b
    for member in a[:3]:
        svc.reading_complete(actor=None, material=library.root_material, member=member)
    svc.reading_open(actor=None, material=library.root_material, member=a[3])
    svc.reading_complete(actor=None, material=library.root_material, member=b[0])
    svc.reading_complete(actor=None, material=library.root_material, member=tree.members_c[0])

    summary = sel.assignment_summary(personas.unit_admin, assignment)
    assert (summary.total, summary.done, summary.reading, summary.not_started) == (8, 4, 1, 3)
    assert summary.percent == 50
    by_org = {
        r.org.pk: (r.total, r.done, r.percent)
        for r in sel.assignment_by_org(personas.unit_admin, assignment)
    }
    assert by_org == {tree.branch_a.pk: (5, 3, 60), tree.branch_b.pk: (3, 1, 33)}
    # a branch secretary sees his branch only
    mine = sel.assignment_summary(personas.secretary_a, assignment)
    assert (mine.total, mine.done, mine.percent) == (5, 3, 60)
    rows = {m.pk: sel.row_status(m) for m in sel.assignment_rows(personas.secretary_a, assignment)}
    assert rows[a[0].pk] == "done" and rows[a[3].pk] == "reading" and rows[a[4].pk] == "not_started"
    open_rows = sel.assignment_rows(personas.secretary_a, assignment, only_open=True)
    assert {m.pk for m in open_rows} == {a[3].pk, a[4].pk}


def test_assigned_to_a_member(tree, personas, library):
    today = timezone.localdate()
    svc.material_assign(
        actor=None, material=library.root_material, org=tree.root, due_on=today + dt.timedelta(9)
    )
    svc.material_assign(actor=None, material=library.a_material, org=tree.branch_a, due_on=today)
    svc.material_assign(actor=None, material=library.b_material, org=tree.branch_b, due_on=today)
    member = sel.member_of(personas.member_a)
    items = sel.assigned_to(member)
    assert [i.material.pk for i in items] == [library.a_material.pk, library.root_material.pk]
    svc.reading_complete(actor=personas.member_a, material=library.a_material)
    items = sel.assigned_to(member)
    assert [(i.material.pk, i.status) for i in items] == [
        (library.root_material.pk, "not_started"),
        (library.a_material.pk, "done"),
    ]
