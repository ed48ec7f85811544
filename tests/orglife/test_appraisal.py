"""民主评议: grades for the full members of a held member_appraisal meeting; probationary
members take part without a grade; 优秀 over a third is a warning, not a refusal."""

from __future__ import annotations

import pytest
from django.http import Http404
from tests.orglife.helpers_extra import held

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.orglife import services, services_appraisal
from dangjian.orglife.models import AppraisalGrade


def _grade(meeting, grades, actor=None):
    return services_appraisal.appraisal_record(actor=actor, meeting=meeting, grades=grades)


def test_full_members_are_rated_probationary_take_part(tree):
    meeting = held(tree, kind="member_appraisal")
    rated, not_rated = services_appraisal.participants(meeting)
    assert {m.pk for m in rated} == {m.pk for m in tree.members_a[:4]}
    assert not_rated == [tree.members_a[4]]


def test_grades_are_stored_audited_and_one_third_excellent_is_fine(tree, personas):
    a = tree.members_a
    meeting = held(tree, kind="member_appraisal")
    found = _grade(
        meeting,
        {
            a[0].pk: ("excellent", "表现突出"),
            a[1].pk: ("qualified", ""),
            a[2].pk: ("qualified", ""),
        },
        personas.secretary_a,
    )
    assert found == []  # 1 of 3 rated: exactly a third
    grades = dict(
        AppraisalGrade.objects.unscoped().filter(meeting=meeting).values_list("member_id", "grade")
    )
    assert grades == {a[0].pk: "excellent", a[1].pk: "qualified", a[2].pk: "qualified"}
    entry = AuditEntry.objects.get(action="orglife.appraisal.graded")
    assert entry.actor == personas.secretary_a
    assert entry.changes["grades"][str(a[0].pk)] == [None, "excellent"]
    # regrading: more than a third excellent is a warning, the grades are kept
    found = _grade(meeting, {a[1].pk: ("excellent", ""), a[3].pk: ("basically_qualified", "")})
    assert len(found) == 1 and "R-ORGLIFE-11" in found[0].message
    assert "超过参评党员4人的三分之一" in found[0].message
    assert AppraisalGrade.objects.unscoped().filter(grade="excellent").count() == 2
    # an empty grade takes a grade back
    _grade(meeting, {a[3].pk: ("", "")})
    assert AppraisalGrade.objects.unscoped().filter(meeting=meeting).count() == 3


def test_probationary_member_is_not_graded_and_nothing_is_written(tree):
    a = tree.members_a
    meeting = held(tree, kind="member_appraisal")
    with pytest.raises(AppError) as exc:
        _grade(meeting, {a[0].pk: ("qualified", ""), a[4].pk: ("qualified", "")})
    assert exc.value.field == f"grade_{a[4].pk}" and "预备党员" in exc.value.message
    assert "R-ORGLIFE-11" in exc.value.message
    with pytest.raises(AppError):
        _grade(meeting, {a[0].pk: ("great", "")})
    with pytest.raises(AppError):
        _grade(meeting, {tree.members_b[0].pk: ("qualified", "")})
    assert not AppraisalGrade.objects.unscoped().exists()
    assert not AuditEntry.objects.filter(action="orglife.appraisal.graded").exists()


def test_only_held_appraisal_meetings_by_managers(tree, personas):
    a = tree.members_a
    assembly = held(tree, kind="member_assembly")
    with pytest.raises(AppError, match="只有民主评议"):
        _grade(assembly, {a[0].pk: ("qualified", "")})
    meeting = held(tree, kind="member_appraisal")
    with pytest.raises(Http404):
        _grade(meeting, {a[0].pk: ("qualified", "")}, personas.secretary_b)
    services.meeting_archive(actor=None, meeting=meeting)
    with pytest.raises(AppError, match="已归档"):
        _grade(meeting, {a[0].pk: ("qualified", "")})
    assert not AppraisalGrade.objects.unscoped().exists()


def test_appraisal_page(client, tree, personas):
    a = tree.members_a
    meeting = held(tree, kind="member_appraisal")
    url = f"/orglife/meetings/{meeting.pk}/appraisal/"
    client.force_login(personas.secretary_a)
    page = client.get(url).content.decode()
    assert page.count('data-testid="appraisal-row"') == 4
    assert "钱七" in page and 'data-testid="appraisal-not-rated"' in page
    data = {f"grade_{m.pk}": "excellent" for m in a[:2]}
    data.update({f"grade_{a[2].pk}": "qualified", f"grade_{a[3].pk}": "qualified"})
    response = client.post(url, data, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "超过参评党员4人的三分之一" in body
    assert AppraisalGrade.objects.unscoped().count() == 4
    detail = client.get(f"/orglife/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="appraisal-warning"' in detail and "优秀 2人" in detail
    client.force_login(personas.unit_admin)
    assert client.get(url).status_code == 200
    client.force_login(personas.member_a)
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    client.force_login(personas.secretary_a)
    assembly = held(tree, kind="member_assembly")
    assert client.get(f"/orglife/meetings/{assembly.pk}/appraisal/").status_code == 404
