"""The guards of the library found in review: a branch does not change or withdraw what the
level above required of it; NUL characters are refused in what is saved and dropped from a
search; due dates outside 2000–2100 are refused; 党小组 and 纪委 publish no materials."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.orgs.services import org_create
from dangjian.study import services_library as lib
from dangjian.study import services_quiz as quizzes
from dangjian.study.models import Material, Question, ReadingAssignment
from tests.study import test_study_library_fixtures as fx
from tests.study.test_study_library_fixtures import pdf

library = fx.library


def _assign(actor, material, org, days=10):
    return lib.material_assign(
        actor=actor,
        material=material,
        org=org,
        due_on=timezone.localdate() + dt.timedelta(days=days),
    )


# ---------------------------------------------------------------------------------------------
# 6. Assignments made above


def test_a_secretary_keeps_what_the_level_above_assigned(client, tree, personas, library):
    above = _assign(personas.committee_admin, library.root_material, tree.branch_a)
    secretary = personas.secretary_a
    with pytest.raises(Http404):
        lib.assignment_remove(actor=secretary, assignment=above)
    with pytest.raises(AppError) as caught:
        _assign(secretary, library.root_material, tree.branch_a, days=400)
    assert caught.value.field == "due_on" and "上级" in caught.value.message
    client.force_login(secretary)
    page = client.get(f"/study/library/{library.root_material.pk}/").content.decode()
    assert 'data-testid="assignment-remove"' not in page
    removed = client.post(f"/study/library/assignments/{above.pk}/remove/")
    assert removed.status_code == 404
    form = client.post(
        f"/study/library/{library.root_material.pk}/assign/",
        {"org": tree.branch_a.pk, "due_on": (timezone.localdate() + dt.timedelta(days=3))},
    )
    assert form.status_code == 400 and "只能由上级修改" in form.content.decode()
    above.refresh_from_db()
    assert above.due_on == timezone.localdate() + dt.timedelta(days=10)
    assert not AuditEntry.objects.filter(
        action__in=["study.assignment.removed", "study.assignment.updated"]
    ).exists()
    # nor does 甲局党组 (between them, not keeping the 工委's material); the 工委 still may
    with pytest.raises(Http404):
        lib.assignment_remove(actor=personas.unit_admin, assignment=above)
    again = _assign(personas.committee_admin, library.root_material, tree.branch_a, days=20)
    assert again.pk == above.pk and again.due_on > above.due_on
    lib.assignment_remove(actor=personas.committee_admin, assignment=above)
    assert not ReadingAssignment.all_objects.filter(pk=above.pk).exists()


def test_a_secretary_changes_what_he_assigned(client, tree, personas, library):
    secretary = personas.secretary_a
    own = _assign(secretary, library.a_material, tree.branch_a)
    upper = _assign(secretary, library.root_material, tree.branch_a)  # his own doing
    assert _assign(secretary, library.root_material, tree.branch_a, days=30).due_on == (
        timezone.localdate() + dt.timedelta(days=30)
    )
    client.force_login(secretary)
    page = client.get(f"/study/library/{library.root_material.pk}/").content.decode()
    assert 'data-testid="assignment-remove"' in page
    assert client.post(f"/study/library/assignments/{upper.pk}/remove/").status_code == 302
    lib.assignment_remove(actor=secretary, assignment=own)
    assert not ReadingAssignment.all_objects.exists()


# ---------------------------------------------------------------------------------------------
# 7. NUL characters


def test_nul_is_refused_in_what_is_saved(tree, personas, library):
    with pytest.raises(AppError) as caught:
        lib.material_create(
            actor=None,
            org=tree.branch_a,
            topic=library.topic,
            title="学习\x00提纲",
            description="",
            kind="document",
            file=pdf(),
        )
    assert caught.value.field == "title" and "空字符" in caught.value.message
    with pytest.raises(AppError) as caught:
        lib.material_update(actor=None, material=library.a_material, description="a\x00")
    assert caught.value.field == "description"
    base = {
        "kind": "single",
        "text": "题干",
        "options": ["甲", "乙"],
        "answer": [0],
        "explanation": "",
        "rule_ref": "",
    }
    for field, value in (
        ("text", "题\x00干"),
        ("options", ["甲\x00", "乙"]),
        ("explanation", "解\x00析"),
        ("rule_ref", "R-\x00"),
    ):
        with pytest.raises(AppError) as caught:
            quizzes.question_add(actor=None, bank=library.bank, **{**base, field: value})
        assert caught.value.field == field and "空字符" in caught.value.message, field
    with pytest.raises(AppError):
        quizzes.bank_create(actor=None, org=tree.branch_a, title="题库\x00")
    assert Material.all_objects.count() == 3 and Question.all_objects.count() == 10


def test_nul_through_the_api_and_the_search(client, tree, personas, library):
    client.force_login(personas.unit_admin)
    response = client.post(
        f"/api/study/banks/{library.bank.pk}/questions",
        {"kind": "judge", "text": "预备期\u0000为一年", "answer": [0]},
        content_type="application/json",
    )
    # refused before the API runs (core.middleware.NullCharacterMiddleware); the services
    # refuse it at the field too (above)
    assert response.status_code == 400 and "无效字符" in response.json()["detail"]
    assert Question.all_objects.count() == 10
    client.force_login(personas.member_a)
    page = client.get("/study/library/", {"q": "第一\x00"})
    assert page.status_code == 400 and "无效字符" in page.content.decode()
    response = client.get("/api/study/materials", {"q": "\x00第一"})
    assert response.status_code == 400


# ---------------------------------------------------------------------------------------------
# 5. Due dates far out; 10. no materials of a 党小组 or a 纪委


@pytest.mark.parametrize("due_on", [dt.date(1, 1, 1), dt.date(9999, 12, 31), "9999-12-31"])
def test_extreme_due_dates_are_refused(tree, library, due_on):
    with pytest.raises(AppError) as caught:
        lib.material_assign(
            actor=None, material=library.root_material, org=tree.branch_a, due_on=due_on
        )
    assert caught.value.field == "due_on" and "2000年到2100年" in caught.value.message


def test_groups_and_discipline_committees_publish_no_materials(tree, library):
    group = org_create(actor=None, parent=tree.branch_a, name="第一党小组", kind="group")
    for org in (group, tree.discipline_a):
        with pytest.raises(AppError) as caught:
            lib.material_create(
                actor=None,
                org=org,
                topic=library.topic,
                title="小组学习提纲",
                description="",
                kind="link",
                url="https://www.12371.cn/",
            )
        assert caught.value.field == "org" and "党支部" in caught.value.message
        with pytest.raises(AppError):
            _assign(None, library.root_material, org)
    assert Material.all_objects.count() == 3
