"""The library and self-test API: a member's materials with his progress, progress recorded,
open quizzes with his attempt, a test taken (the questions come without answers; the result
lists the wrong ones with the right answers), refusals as {"detail", "field"} with nothing
written; a manager's bank, question, quiz and results."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dangjian.study import services_library as lib
from dangjian.study.models import Question, Quiz, QuizAttempt, ReadingProgress
from tests.study import test_study_library_fixtures as fx
from tests.study.test_study_library_fixtures import right_answers

library = fx.library


def _post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


@pytest.fixture
def member(client, personas):
    client.force_login(personas.member_a)
    return client


def test_materials_with_progress_and_due_date(member, tree, library):
    due = timezone.localdate() + dt.timedelta(days=5)
    lib.material_assign(actor=None, material=library.a_material, org=tree.branch_a, due_on=due)
    body = member.get("/api/study/materials").json()
    assert body["count"] == 2
    rows = {r["id"]: r for r in body["items"]}
    mine = rows[library.a_material.pk]
    assert (mine["status"], mine["due_on"]) == ("not_started", due.isoformat())
    assert mine["file_url"] == f"/study/library/{library.a_material.pk}/file/"
    assert rows[library.root_material.pk]["due_on"] is None
    url = f"/api/study/materials/{library.a_material.pk}/progress"
    opened = _post(member, url, {"action": "open"}).json()
    assert opened["status"] == "reading" and opened["completed_at"] is None
    done = _post(member, url, {"action": "complete"}).json()
    assert done["status"] == "done" and done["completed_at"]
    listed = member.get("/api/study/materials?kind=document&q=第一").json()
    assert [r["status"] for r in listed["items"]] == ["done"]
    assert ReadingProgress.all_objects.count() == 1
    bad = _post(member, url, {"action": "finish"})
    assert bad.status_code == 422


def test_take_a_test_through_the_api(member, tree, personas, library):
    quizzes = member.get("/api/study/quizzes").json()
    assert [q["id"] for q in quizzes["items"]] == [library.quiz.pk]
    assert quizzes["items"][0]["my_state"] is None
    started = _post(member, f"/api/study/quizzes/{library.quiz.pk}/attempts", {})
    assert started.status_code == 201
    body = started.json()
    assert body["state"] == "running" and len(body["questions"]) == 5
    assert all("answer" not in q for q in body["questions"])
    assert 0 < body["seconds_left"] <= 15 * 60
    again = _post(member, f"/api/study/quizzes/{library.quiz.pk}/attempts", {}).json()
    assert again["id"] == body["id"]
    attempt = QuizAttempt.all_objects.get(pk=body["id"])
    key = right_answers(attempt)
    first = attempt.question_ids[0]
    answers = {str(qid): ans for qid, ans in key.items() if qid != first}
    stranger = next(q.pk for q in library.questions if q.pk not in attempt.question_ids)
    refused = _post(
        member, f"/api/study/attempts/{attempt.pk}/submit", {"answers": {str(stranger): [0]}}
    )
    assert refused.status_code == 400
    assert refused.json() == {"detail": "答案中含有本次未抽到的题目。", "field": "answers"}
    result = _post(member, f"/api/study/attempts/{attempt.pk}/submit", {"answers": answers})
    assert result.status_code == 200, result.content
    out = result.json()
    assert (out["state"], out["score"], out["passed"], out["correct_count"]) == (
        "submitted",
        "80.0",
        True,
        4,
    )
    assert [w["question_id"] for w in out["wrong"]] == [first]
    # the test is still open: the right answer and the explanation come after it closes
    assert out["wrong"][0]["given"] == [] and out["answers_shown"] is False
    assert [out["wrong"][0][k] for k in ("right", "explanation", "rule_ref")] == [None] * 3
    Quiz.all_objects.filter(pk=library.quiz.pk).update(
        closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    closed = member.get(f"/api/study/attempts/{attempt.pk}").json()
    assert closed["answers_shown"] is True and closed["wrong"][0]["right"] == key[first]
    Quiz.all_objects.filter(pk=library.quiz.pk).update(closes_at=library.quiz.closes_at)
    twice = _post(member, f"/api/study/attempts/{attempt.pk}/submit", {"answers": answers})
    assert twice.status_code == 400 and twice.json()["detail"] == "已交卷，不能重复提交。"
    listed = member.get("/api/study/quizzes").json()["items"][0]
    assert (listed["my_state"], listed["my_score"]) == ("submitted", "80.0")
    got = member.get(f"/api/study/attempts/{attempt.pk}").json()
    assert got["score"] == "80.0" and got["questions"] == []
    # the branch's secretary reads it too, without the running questions
    member.force_login(personas.secretary_a)
    assert member.get(f"/api/study/attempts/{attempt.pk}").json()["wrong"]


def test_late_submission_through_the_api(member, personas, library):
    body = _post(member, f"/api/study/quizzes/{library.quiz.pk}/attempts", {}).json()
    QuizAttempt.all_objects.filter(pk=body["id"]).update(
        deadline_at=timezone.now() - dt.timedelta(minutes=1)
    )
    late = _post(member, f"/api/study/attempts/{body['id']}/submit", {"answers": {}})
    assert late.status_code == 400 and "已超过答题时限" in late.json()["detail"]
    got = member.get(f"/api/study/attempts/{body['id']}").json()
    assert (got["state"], got["score"], got["passed"]) == ("submitted", "0.0", False)


def test_manager_writes_and_results(client, tree, personas, library):
    client.force_login(personas.unit_admin)
    bank = _post(client, "/api/study/banks", {"org_id": tree.organ_a.pk, "title": "接口题库"})
    assert bank.status_code == 201
    bank_id = bank.json()["id"]
    url = f"/api/study/banks/{bank_id}/questions"
    bad = _post(
        client, url, {"kind": "multiple", "text": "x", "options": ["a", "b"], "answer": [0]}
    )
    assert bad.status_code == 400 and bad.json()["field"] == "answer"
    for i in range(3):
        made = _post(
            client,
            url,
            {"kind": "single", "text": f"题{i}", "options": ["甲", "乙"], "answer": [1]},
        )
        assert made.status_code == 201 and made.json()["answer"] == [1]
    assert Question.all_objects.filter(bank_id=bank_id).count() == 3
    quiz = {
        "org_id": tree.branch_a.pk,
        "bank_id": bank_id,
        "title": "接口自测",
        "question_count": 4,
        "time_limit_minutes": 10,
        "opens_at": "2030-01-01T08:00:00+08:00",
        "closes_at": "2030-01-02T08:00:00+08:00",
    }
    too_many = _post(client, "/api/study/quizzes", quiz)
    assert too_many.status_code == 400 and too_many.json()["field"] == "question_count"
    created = _post(client, "/api/study/quizzes", {**quiz, "question_count": 3})
    assert created.status_code == 201 and created.json()["pass_score"] == 60
    assert Quiz.all_objects.filter(title="接口自测").count() == 1
    from dangjian.study import services_quiz

    attempt = services_quiz.quiz_start(actor=None, quiz=library.quiz, member=tree.members_a[2])
    services_quiz.quiz_submit(actor=None, attempt=attempt, answers=right_answers(attempt))
    services_quiz.quiz_start(actor=None, quiz=library.quiz, member=tree.members_a[3])
    results = client.get(f"/api/study/quizzes/{library.quiz.pk}/results").json()
    assert results["count"] == 2
    first, second = results["items"]
    assert (first["member_id"], first["score"], first["passed"]) == (
        tree.members_a[2].pk,
        "100.0",
        True,
    )
    assert (second["state"], second["score"], second["passed"]) == ("running", None, None)
