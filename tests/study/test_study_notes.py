"""Study notes (心得体会): validation (nothing written on bad input), copy detection through
the similarity index (two members with nearly the same text, a note copied from last year's,
a note copied from minutes; an original note is not flagged), withdrawal, the points a note
earns, and what the note page shows a manager who may or may not read the source."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from dangjian.core.errors import AppError
from dangjian.similarity.models import TextFingerprint
from dangjian.study import services_notes as svc
from dangjian.study.models import CopiedNote, Material, PointEntry, StudyNote, Topic
from tests.study.conftest import YEAR, at
from tests.study.test_study_points import held

ORIGINAL = (
    "通过这次集中学习，我对党的二十大报告提出的中国式现代化有了更深的认识。报告把人民放在"
    "心中最高位置，强调以人民为中心的发展思想，这让我想到自己在窗口岗位上的每一次服务。"
    "过去我有时只求把手续办完，很少站在群众的角度想一想他们还需要什么。今后我要把学习成果"
    "转化为改进作风的具体行动，主动梳理群众反映最多的三类问题，逐条提出简化流程的办法，"
    "并在支部里带头承诺限时办结，用实际工作检验学习的效果。"
)
# the same text with a few words changed and other punctuation
COPY = (
    "通过这次集中学习,我对党的二十大报告提出的中国式现代化有了更深刻的认识。报告把人民放在"
    "心中最高位置,强调以人民为中心的发展思想,这让我想到自己在业务岗位上的每一次服务。"
    "过去我有时只求把手续办完,很少站在群众的角度想一想他们还需要什么。今后我要把学习成果"
    "转化为改进作风的具体行动,主动梳理群众反映最多的三类问题,逐条提出简化流程的办法,"
    "并在支部里带头承诺限时办结,用实际工作检验学习的效果。"
)
OTHER = (
    "读完《中国共产党章程》总纲部分，我重新梳理了党员的八项义务。对照检查，我在批评和自我"
    "批评方面做得不够，开组织生活会时总是讲成绩多、谈问题少。支部书记提醒我们，红红脸、"
    "出出汗才能真正起到作用。下一步我准备每月记录一次自己工作中的差距，并在党小组会上如实"
    "汇报，请同志们监督；同时利用周末时间把党史中关于作风建设的几个专题系统地读一遍，"
    "写出读书笔记，与青年党员交流。"
)


def submit(user, text=ORIGINAL, title="学习心得", now=None, **kw):
    return svc.note_submit(actor=user, title=title, text=text, now=now or at(5, 20), **kw)


def test_two_members_with_nearly_the_same_text(tree, personas):
    first = submit(personas.secretary_a)
    second = submit(personas.member_a, text=COPY, now=at(5, 21))
    assert not first.copies.exists()
    copy = second.copies.get()
    assert (copy.source_type, copy.source_id) == ("study.note", first.pk)
    assert copy.source_path == tree.branch_a.path and copy.org_path == tree.branch_a.path
    assert copy.similarity >= 0.6


def test_copied_from_last_years_note(tree, personas):
    old = submit(personas.member_a, now=at(6, 1, year=YEAR - 1))
    new = submit(personas.secretary_b, text=COPY, now=at(6, 1))
    copy = new.copies.get()
    assert (copy.source_id, copy.source_path) == (old.pk, tree.branch_a.path)
    assert new.org_path == tree.branch_b.path


def test_original_note_is_not_flagged(tree, personas):
    submit(personas.secretary_a)
    note = submit(personas.member_a, text=OTHER, now=at(5, 21))
    assert not note.copies.exists()
    assert TextFingerprint.all_objects.filter(source_type="study.note").count() == 2


def test_copied_from_minutes(tree, personas):
    meeting = held(tree.branch_c, at(4, 1), tree.members_c)
    from dangjian.similarity import services as similarity

    similarity.index_text(
        source_type="orglife.meeting",
        source_id=meeting.pk,
        org_path=meeting.org_path,
        text=ORIGINAL,
        created=meeting.starts_at,
    )
    note = submit(personas.member_a, text=COPY)
    copy = note.copies.get()
    assert (copy.source_type, copy.source_id, copy.source_path) == (
        "orglife.meeting",
        meeting.pk,
        tree.branch_c.path,
    )


def test_note_points_and_audit(tree, personas, django_capture_on_commit_callbacks):
    from dangjian.core.models import AuditEntry

    with django_capture_on_commit_callbacks(execute=True):
        note = submit(personas.member_a, now=at(5, 20))
    entry = PointEntry.all_objects.get(member=tree.members_a[1])
    assert (entry.action, entry.source_id, entry.year) == ("note_submitted", note.pk, YEAR)
    logged = AuditEntry.objects.get(action="study.note.submitted")
    assert logged.object_id == str(note.pk) and logged.org_path == tree.branch_a.path


# ---------------------------------------------------------------------------------------------
# Validation


def _material(org, title="学习资料"):
    topic, _ = Topic.objects.get_or_create(name="测试专题")
    return Material.all_objects.create(
        org=org,
        org_path=org.path,
        topic=topic,
        title=title,
        kind="link",
        url="https://example.invalid/",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "题" * 201}, "title"),
        ({"text": ""}, "text"),
        ({"text": "学习很有收获。" * 2}, "text"),
        ({"text": "学" * 20001}, "text"),
        ({"session": 999999}, "session"),
        ({"session": "abc"}, "session"),
        ({"material": 999999}, "material"),
    ],
)
def test_bad_input_writes_nothing(tree, personas, change, field):
    data = {"title": "学习心得", "text": ORIGINAL, **change}
    with pytest.raises(AppError) as caught:
        svc.note_submit(actor=personas.member_a, **data)
    assert caught.value.field == field
    assert not StudyNote.all_objects.exists()
    assert not TextFingerprint.all_objects.exists()


def test_title_and_text_errors_together(tree, personas):
    with pytest.raises(AppError) as caught:
        svc.note_submit(actor=personas.member_a, title="", text="太短")
    assert {f for f, _ in caught.value.errors} == {"title", "text"}


@pytest.mark.parametrize("who", ["committee_admin", "outsider", "auditor"])
def test_only_a_member_submits(tree, personas, who):
    with pytest.raises(AppError):
        submit(personas.by_name(who))
    assert not StudyNote.all_objects.exists()


def test_a_member_who_left_cannot_submit(tree, personas):
    from dangjian.members.models import Member

    Member.all_objects.filter(pk=tree.members_a[1].pk).update(left_on=dt.date(YEAR, 1, 1))
    personas.member_a.refresh_from_db()
    with pytest.raises(AppError):
        submit(personas.member_a)


def test_session_must_be_attended_and_material_visible(tree, personas):
    me = tree.members_a[1]
    mine = held(tree.branch_a, at(3, 1), [me], study=True).study_session
    missed = held(tree.branch_a, at(3, 2), [tree.members_a[0]], absent=[me], study=True)
    theirs = held(tree.branch_c, at(3, 3), tree.members_c, study=True).study_session
    for session in (missed.study_session, theirs):
        with pytest.raises(AppError) as caught:
            submit(personas.member_a, session=session)
        assert caught.value.field == "session"
    above = _material(tree.party_group_a)
    elsewhere = _material(tree.party_group_b)
    below_sibling = _material(tree.branch_b)
    for material in (elsewhere, below_sibling):
        with pytest.raises(AppError) as caught:
            submit(personas.member_a, material=material.pk)
        assert caught.value.field == "material"
    note = submit(personas.member_a, session=mine.pk, material=above)
    assert (note.session_id, note.material_id) == (mine.pk, above.pk)


# ---------------------------------------------------------------------------------------------
# Withdrawal


def test_author_withdraws_the_same_day_only(tree, personas):
    note = submit(personas.member_a, now=at(5, 20, 9))
    with pytest.raises(AppError):
        svc.note_withdraw(actor=personas.member_a, note=note, now=at(5, 21, 9))
    with pytest.raises(Http404):
        svc.note_withdraw(actor=personas.secretary_b, note=note, now=at(5, 20, 10))
    svc.note_withdraw(actor=personas.member_a, note=note, now=at(5, 20, 23))
    assert not StudyNote.all_objects.exists()
    assert not TextFingerprint.all_objects.exists()


def test_manager_withdraws_and_the_copies_of_it_go(tree, personas):
    first = submit(personas.member_a, now=at(5, 1))
    second = submit(personas.secretary_b, text=COPY, now=at(5, 2))
    assert second.copies.exists()
    svc.note_withdraw(actor=personas.secretary_a, note=first, now=at(9, 1))
    assert not CopiedNote.all_objects.exists()
    assert StudyNote.all_objects.get().pk == second.pk


def test_a_separated_administrator_linked_to_a_member_is_no_author(tree, personas):
    """三员分立: the auditor's account linked to a member's record writes no note and takes
    none back, not even that member's own."""
    note = submit(personas.member_a)
    auditor = personas.auditor
    auditor.member = tree.members_a[1]
    auditor.save(update_fields=["member"])
    with pytest.raises(AppError):
        submit(auditor, now=at(5, 20, 10))
    with pytest.raises(Http404):
        svc.note_withdraw(actor=auditor, note=note, now=at(5, 20, 11))
    assert StudyNote.all_objects.get().pk == note.pk
