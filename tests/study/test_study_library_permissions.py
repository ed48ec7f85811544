"""Who may open which library and self-test page and call which endpoint: one table per
persona (outsiders get 404, never 403: the library of a member is his branch's and that of
the orgs above it; banks hold the answers and open only to those who keep them), and the
writes refused to outsiders with nothing written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dangjian.core.models import AuditEntry
from dangjian.study import services_library as lib
from dangjian.study import services_quiz as quizzes
from dangjian.study.models import Material, Question, Quiz, QuizAttempt, ReadingProgress
from tests.conftest import PERSONA_NAMES
from tests.study import test_study_library_fixtures as fx
from tests.study.test_study_library_fixtures import HEADER, xlsx

library = fx.library

MEMBERS = {"secretary_a": 200, "member_a": 200, "secretary_b": 200}
MANAGERS = {"committee_admin": 200, "unit_admin": 200, "secretary_a": 200, "secretary_b": 200}
ALL = {**MANAGERS, **MEMBERS}
ABOVE_A = {"committee_admin": 200, "unit_admin": 200}
BRANCH_A = {**ABOVE_A, "secretary_a": 200}


@pytest.fixture
def objects(tree, personas, library):
    assignment = lib.material_assign(
        actor=None,
        material=library.root_material,
        org=tree.party_group_a,
        due_on=timezone.localdate(),
    )
    # required of branch A by the 工委: not the branch's to withdraw
    above = lib.material_assign(
        actor=personas.committee_admin,
        material=library.root_material,
        org=tree.branch_a,
        due_on=timezone.localdate(),
    )
    attempt = quizzes.quiz_start(actor=personas.member_a, quiz=library.quiz)
    return {
        "above": above.pk,
        "root": library.root_material.pk,
        "ma": library.a_material.pk,
        "mb": library.b_material.pk,
        "assignment": assignment.pk,
        "bank": library.bank.pk,
        "question": library.questions[0].pk,
        "quiz": library.quiz.pk,
        "attempt": attempt.pk,
    }


# (name, url, {persona: status}); a persona not named answers 404
PAGES = [
    ("library", "/study/library/", ALL),
    ("library filtered", "/study/library/?kind=document&q=提纲&topic=1", ALL),
    ("material of the 工委", "/study/library/{root}/", ALL),
    ("material of A", "/study/library/{ma}/", {**BRANCH_A, "member_a": 200}),
    # the same page; the progress report is only for managers (test_study_library_pages)
    ("material with its progress", "/study/library/{root}/?assignment={assignment}", ALL),
    ("material of B", "/study/library/{mb}/", {**ABOVE_A, "secretary_b": 200}),
    ("file of A", "/study/library/{ma}/file/", {**BRANCH_A, "member_a": 200}),
    ("file of B", "/study/library/{mb}/file/", {**ABOVE_A, "secretary_b": 200}),
    ("new material", "/study/library/new/", MANAGERS),
    ("assign 工委's", "/study/library/{root}/assign/", MANAGERS),
    ("assign A's", "/study/library/{ma}/assign/", BRANCH_A),
    ("banks", "/study/banks/", MANAGERS),
    ("bank of 甲局机关党委", "/study/banks/{bank}/", ABOVE_A),
    ("bank template", "/study/banks/template/", MANAGERS),
    ("quizzes", "/study/quizzes/", ALL),
    ("open quizzes", "/study/quizzes/?state=open", ALL),
    ("new quiz", "/study/quizzes/new/", MANAGERS),
    ("quiz of unit A", "/study/quizzes/{quiz}/", ALL),
    ("take (member_a's)", "/study/attempts/{attempt}/", {"member_a": 200}),
    ("result (member_a's)", "/study/attempts/{attempt}/result/", {**BRANCH_A, "member_a": 200}),
]

API = [
    ("materials", "/api/study/materials", ALL),
    ("quizzes", "/api/study/quizzes", ALL),
    ("attempt", "/api/study/attempts/{attempt}", {**BRANCH_A, "member_a": 200}),
    ("results", "/api/study/quizzes/{quiz}/results", MANAGERS),
]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_page_table(client, personas, objects, persona):
    client.force_login(personas.by_name(persona))
    for name, url, table in PAGES:
        response = client.get(url.format(**objects))
        assert response.status_code == table.get(persona, 404), (name, persona)


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_api_table(client, personas, objects, persona):
    client.force_login(personas.by_name(persona))
    for name, url, table in API:
        response = client.get(url.format(**objects))
        assert response.status_code == table.get(persona, 404), (name, persona)
        if response.status_code == 404:
            assert response.json() == {"detail": "未找到"}


def _counts():
    return (
        Material.all_objects.filter(is_active=True).count(),
        ReadingProgress.all_objects.count(),
        Question.all_objects.filter(is_active=True).count(),
        Quiz.all_objects.count(),
        QuizAttempt.all_objects.filter(submitted_at__isnull=False).count(),
        QuizAttempt.all_objects.count(),
    )


# (name, persona, url, data): each answers 404 and writes nothing
WRITES = [
    ("complete B's material", "member_a", "/study/library/{mb}/complete/", {}),
    ("retire A's material", "secretary_b", "/study/library/{ma}/retire/", {}),
    ("retire as a member", "member_a", "/study/library/{ma}/retire/", {}),
    ("add a question", "secretary_a", "/study/banks/{bank}/questions/", {"kind": "judge"}),
    ("retire a question", "secretary_a", "/study/questions/{question}/retire/", {}),
    ("start as the auditor", "auditor", "/study/quizzes/{quiz}/start/", {}),
    ("start as an outsider", "outsider", "/study/quizzes/{quiz}/start/", {}),
    ("submit another's", "secretary_a", "/study/attempts/{attempt}/", {}),
    ("new bank", "member_a", "/study/banks/", {"title": "x"}),
    ("remove an assignment", "secretary_a", "/study/library/assignments/{assignment}/remove/", {}),
    ("remove the 工委's", "secretary_a", "/study/library/assignments/{above}/remove/", {}),
    ("remove the 工委's", "unit_admin", "/study/library/assignments/{above}/remove/", {}),
    ("export progress", "member_a", "/study/library/assignments/{assignment}/export/", {}),
    ("export results", "auditor", "/study/quizzes/{quiz}/export/", {}),
]


def test_writes_by_outsiders_are_404(client, personas, objects):
    before, audits = _counts(), AuditEntry.objects.count()
    for name, persona, url, data in WRITES:
        client.force_login(personas.by_name(persona))
        response = client.post(url.format(**objects), data)
        assert response.status_code == 404, name
        assert _counts() == before and AuditEntry.objects.count() == audits, name


def test_import_by_an_outsider_is_404(client, personas, objects):
    client.force_login(personas.secretary_b)
    rows = [HEADER, ["判断题", "x", "", "", "", "", "", "", "正确", "", ""]]
    response = client.post(f"/study/banks/{objects['bank']}/import/", {"file": xlsx(rows)})
    assert response.status_code == 404
    assert Question.all_objects.count() == 10


API_WRITES = [
    ("question", "secretary_b", "/api/study/banks/{bank}/questions", {
        "kind": "judge", "text": "x", "answer": [0]}),
    ("bank", "member_a", "/api/study/banks", {"org_id": "{A}", "title": "x"}),
    ("quiz", "member_a", "/api/study/quizzes", {
        "org_id": "{A}", "bank_id": "{bank}", "title": "x", "question_count": 1,
        "time_limit_minutes": 5, "opens_at": "2030-01-01T08:00:00+08:00",
        "closes_at": "2030-01-02T08:00:00+08:00"}),
    ("quiz from the bank above", "secretary_a", "/api/study/quizzes", {
        "org_id": "{A}", "bank_id": "{bank}", "title": "x", "question_count": 1,
        "time_limit_minutes": 1, "opens_at": "2030-01-01T08:00:00+08:00",
        "closes_at": "2030-01-02T08:00:00+08:00"}),
    ("submit another's", "secretary_a", "/api/study/attempts/{attempt}/submit", {"answers": {}}),
    ("progress on B's", "member_a", "/api/study/materials/{mb}/progress", {"action": "open"}),
    ("start as auditor", "auditor", "/api/study/quizzes/{quiz}/attempts", {}),
]  # fmt: skip


def test_api_writes_by_outsiders_are_404(client, tree, personas, objects):
    values = {**objects, "A": tree.branch_a.pk}
    before = _counts()
    for name, persona, url, data in API_WRITES:
        client.force_login(personas.by_name(persona))
        body = {
            k: (int(v.format(**values)) if isinstance(v, str) and v.startswith("{") else v)
            for k, v in data.items()
        }
        response = client.post(url.format(**values), body, content_type="application/json")
        assert response.status_code == 404, (name, response.content)
        assert _counts() == before, name


def test_bad_ids_are_404(client, personas, objects):
    client.force_login(personas.committee_admin)
    for url in (
        "/study/library/999999/",
        "/study/library/999999/file/",
        "/study/banks/999999/",
        "/study/quizzes/999999/",
        "/study/attempts/999999/result/",
        "/api/study/attempts/999999",
    ):
        assert client.get(url).status_code == 404, url
