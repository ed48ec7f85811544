"""The guards of the self-tests found in review: a bank above the quiz's org is not the
secretary's to draw from; the right answers wait for the test to close (managers of the test's
org see them at once, unless they are taking the same test); a damaged question file is a
message, not a 500; the bank list counts each question once; dates outside 2000–2100 are
refused at the field; run-out attempts are closed before results are shown; 党小组 and 纪委
publish no banks or tests."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.http import Http404
from django.utils import timezone

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.members.imports.files import NOT_XLSX
from dangjian.orgs.services import org_create
from dangjian.study import selectors_quiz as qsel
from dangjian.study import services_quiz as svc
from dangjian.study.models import Question, QuestionBank, Quiz, QuizAttempt
from dangjian.study.quiz_import import read_questions
from tests.study import test_study_library_fixtures as fx
from tests.study.test_study_library_fixtures import (
    HEADER,
    add_questions,
    now,
    right_answers,
    upload,
    xlsx_bytes,
)

library = fx.library


def _post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def _quiz_body(org, bank, **change):
    body = {
        "org_id": org.pk,
        "bank_id": bank.pk,
        "title": "上级题库的自测",
        "question_count": 10,
        "time_limit_minutes": 1,
        "opens_at": "2030-01-01T08:00:00+08:00",
        "closes_at": "2030-01-02T08:00:00+08:00",
    }
    return {**body, **change}


# ---------------------------------------------------------------------------------------------
# 1. The bank of the level above


def test_a_secretary_cannot_draw_a_test_from_the_bank_above(client, tree, personas, library):
    client.force_login(personas.secretary_a)
    before = Quiz.all_objects.count()
    refused = _post(client, "/api/study/quizzes", _quiz_body(tree.branch_a, library.bank))
    assert refused.status_code == 404 and refused.json() == {"detail": "未找到"}
    form = client.get("/study/quizzes/new/").content.decode()
    assert library.bank.title not in form
    page = client.post(
        "/study/quizzes/new/",
        {
            "org": tree.branch_a.pk,
            "bank": library.bank.pk,
            "title": "上级题库的自测",
            "question_count": "10",
            "time_limit_minutes": "1",
            "pass_score": "60",
            "opens_at": "2030-01-01T08:00",
            "closes_at": "2030-01-02T08:00",
        },
    )
    assert page.status_code == 400 and "请选择有效的题库" in page.content.decode()
    assert Quiz.all_objects.count() == before
    # the bank's own level publishes a test of the branch from it
    client.force_login(personas.unit_admin)
    made = _post(client, "/api/study/quizzes", _quiz_body(tree.branch_a, library.bank))
    assert made.status_code == 201, made.content
    assert library.bank.title in client.get("/study/quizzes/new/").content.decode()


# ---------------------------------------------------------------------------------------------
# 2. The right answers after the test closes


def _close(quiz):
    Quiz.all_objects.filter(pk=quiz.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))


def _one_wrong(member, quiz):
    attempt = svc.quiz_start(actor=None, quiz=quiz, member=member)
    answers = right_answers(attempt)
    answers.pop(attempt.question_ids[0])
    return svc.quiz_submit(actor=None, attempt=attempt, answers=answers)


def _result(client, attempt) -> str:
    response = client.get(f"/study/attempts/{attempt.pk}/result/")
    assert response.status_code == 200
    return response.content.decode()


def test_right_answers_wait_for_the_close(client, tree, personas, library):
    attempt = _one_wrong(tree.members_a[1], library.quiz)  # member_a's
    # the member and his branch's secretary (who does not manage the test's org): marks only
    for who in ("member_a", "secretary_a"):
        client.force_login(personas.by_name(who))
        page = _result(client, attempt)
        assert page.count('data-testid="wrong-item"') == 1 and 'data-testid="mark"' in page
        assert 'data-testid="right"' not in page and "测试截止后公布正确答案" in page
        assert "支部党员大会一般每季度召开一次" not in page  # the explanation
        body = client.get(f"/api/study/attempts/{attempt.pk}").json()
        assert body["answers_shown"] is False and len(body["wrong"]) == 1
        assert body["wrong"][0]["right"] is None and body["wrong"][0]["explanation"] is None
    # the managers of the test's org (甲局党组) see them at once
    client.force_login(personas.unit_admin)
    assert 'data-testid="right"' in _result(client, attempt)
    body = client.get(f"/api/study/attempts/{attempt.pk}").json()
    first = attempt.question_ids[0]
    assert body["answers_shown"] is True
    assert body["wrong"][0]["right"] == Question.all_objects.get(pk=first).answer
    # once it has closed (and its grace passed), everyone who sees the attempt sees them
    _close(library.quiz)
    client.force_login(personas.member_a)
    page = _result(client, attempt)
    assert 'data-testid="right"' in page and "测试截止后公布正确答案" not in page
    assert client.get(f"/api/study/attempts/{attempt.pk}").json()["wrong"][0]["right"]


def test_a_manager_taking_the_same_test_sees_nothing_of_others(client, tree, personas, library):
    bank = svc.bank_create(actor=None, org=tree.branch_a, title="支部题库")
    add_questions(bank, singles=3, multiples=0, judges=0)
    moment = now()
    quiz = svc.quiz_create(
        actor=personas.secretary_a,  # he manages the test's org
        org=tree.branch_a,
        bank=bank,
        title="支部自测",
        question_count=3,
        time_limit_minutes=10,
        pass_score=60,
        opens_at=moment - dt.timedelta(hours=1),
        closes_at=moment + dt.timedelta(days=1),
    )
    attempt = _one_wrong(tree.members_a[1], quiz)
    client.force_login(personas.secretary_a)
    assert 'data-testid="right"' in _result(client, attempt)
    mine = svc.quiz_start(actor=personas.secretary_a, quiz=quiz)
    page = _result(client, attempt)
    assert 'data-testid="review-hidden"' in page and 'data-testid="wrong-item"' not in page
    body = client.get(f"/api/study/attempts/{attempt.pk}").json()
    assert body["wrong"] == [] and body["answers_shown"] is False
    svc.quiz_submit(actor=personas.secretary_a, attempt=mine, answers={})
    assert 'data-testid="right"' in _result(client, attempt)


# ---------------------------------------------------------------------------------------------
# 3. A damaged question file


def _inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def _damaged(second_row: str, *, cut: bool = False) -> bytes:
    """A workbook of openpyxl's whose sheet is replaced: the template's header (inline
    strings), then `second_row`'s cells (`cut`: the XML ends inside that row)."""
    header = "".join(_inline(h) for h in HEADER)
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        # the dimension, as Excel writes it: openpyxl then reads the cells only when asked
        '<dimension ref="A1:K2"/>'
        f'<sheetData><row r="1">{header}</row><row r="2">{second_row}</row></sheetData>'
        "</worksheet>"
    )
    if cut:
        sheet = sheet[: sheet.index('<row r="2">') + 40]
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER, ["判断题", "x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            target.writestr(info.filename, data)
    return out.getvalue()


JUDGE = _inline("判断题") + _inline("预备期为一年。")
DAMAGED = {
    "a number that is not one": '<c t="n"><v>abc</v></c>',
    "XML cut short": JUDGE + _inline("正确"),
    "a shared string that does not exist": JUDGE + '<c t="s"><v>9999</v></c>',
    "a date that is not one": JUDGE + '<c t="d"><v>zzz</v></c>',
    "a NUL character reference": _inline("判断题") + _inline("预备期&#0;为一年"),
}


@pytest.mark.parametrize("name", DAMAGED)
def test_a_damaged_question_file_is_refused_at_the_field(db, name):
    data = _damaged(DAMAGED[name], cut=name == "XML cut short")
    with pytest.raises(AppError) as caught:
        read_questions(upload("试题.xlsx", data))
    assert caught.value.field == "file", name
    assert caught.value.message == NOT_XLSX or "空字符" in caught.value.message, name


def test_a_damaged_question_file_on_the_page_and_nothing_written(client, personas, library):
    client.force_login(personas.unit_admin)
    before = Question.all_objects.count()
    data = _damaged(DAMAGED["a shared string that does not exist"])
    response = client.post(
        f"/study/banks/{library.bank.pk}/import/", {"file": upload("试题.xlsx", data)}
    )
    assert response.status_code == 400
    assert "不是有效的Excel" in response.content.decode()
    assert Question.all_objects.count() == before


# ---------------------------------------------------------------------------------------------
# 4. The bank list's counts


def test_bank_list_counts_each_question_once(tree, personas, library):
    for title in ("第二次自测", "第三次自测"):
        svc.quiz_create(
            actor=None,
            org=tree.organ_a,
            bank=library.bank,
            title=title,
            question_count=2,
            time_limit_minutes=5,
            pass_score=60,
            opens_at=library.quiz.opens_at,
            closes_at=library.quiz.closes_at,
        )
    svc.question_retire(actor=None, question=library.questions[0])
    (bank,) = qsel.bank_list(personas.unit_admin)
    assert (bank.active_count, bank.quiz_count) == (9, 3)
    (offered,) = qsel.banks_for_quiz(personas.unit_admin)
    assert offered.active_count == 9
    empty = svc.bank_create(actor=None, org=tree.organ_a, title="空题库")
    counts = {b.pk: (b.active_count, b.quiz_count) for b in qsel.bank_list(personas.unit_admin)}
    assert counts[empty.pk] == (0, 0)


# ---------------------------------------------------------------------------------------------
# 5. Dates far out


@pytest.mark.parametrize(
    "opens, closes",
    [
        ("0001-01-01T00:00:00+08:00", "0001-01-02T00:00:00+08:00"),
        ("9999-12-30T00:00:00+08:00", "9999-12-31T23:00:00+08:00"),
        ("1999-12-30T00:00:00Z", "2000-01-02T00:00:00Z"),
    ],
)
def test_extreme_quiz_dates_are_refused_through_the_api(
    client, tree, personas, library, opens, closes
):
    client.force_login(personas.unit_admin)
    body = _quiz_body(tree.branch_a, library.bank, opens_at=opens, closes_at=closes)
    response = _post(client, "/api/study/quizzes", body)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "opens_at"
    assert "2000年到2100年" in response.json()["detail"]


def test_extreme_quiz_dates_are_refused_on_the_page(client, tree, personas, library):
    client.force_login(personas.unit_admin)
    before = Quiz.all_objects.count()
    data = {
        "org": tree.branch_a.pk,
        "bank": library.bank.pk,
        "title": "远古自测",
        "question_count": "2",
        "time_limit_minutes": "5",
        "pass_score": "60",
        "opens_at": "0001-01-01T00:00",
        "closes_at": "0001-01-02T00:00",
    }
    response = client.post("/study/quizzes/new/", data)
    assert response.status_code == 400 and "2000年到2100年" in response.content.decode()
    late = client.post("/study/quizzes/new/", {**data, "opens_at": "2099-01-01T00:00",
                                               "closes_at": "2101-01-01T00:00"})  # fmt: skip
    assert late.status_code == 400 and "截止时间应在2000年到2100年之间" in late.content.decode()
    assert Quiz.all_objects.count() == before


# ---------------------------------------------------------------------------------------------
# 8. Run-out attempts are closed before the results are shown


def _run_out(quiz, member):
    attempt = svc.quiz_start(actor=None, quiz=quiz, member=member)
    QuizAttempt.all_objects.filter(pk=attempt.pk).update(
        deadline_at=timezone.now() - dt.timedelta(minutes=5)
    )
    return attempt


def _closed(attempt) -> bool:
    attempt.refresh_from_db()
    return attempt.submitted_at == attempt.deadline_at and attempt.score == 0


@pytest.mark.parametrize(
    "persona, url",
    [
        ("unit_admin", "/study/quizzes/{quiz}/"),
        ("unit_admin", "/api/study/quizzes/{quiz}/results"),
        ("member_a", "/study/quizzes/"),
        ("member_a", "/api/study/quizzes"),
    ],
)
def test_run_out_attempts_are_closed_before_a_page(client, tree, personas, library, persona, url):
    attempt = _run_out(library.quiz, tree.members_a[1])
    client.force_login(personas.by_name(persona))
    assert client.get(url.format(quiz=library.quiz.pk)).status_code == 200
    assert _closed(attempt)
    assert AuditEntry.objects.filter(action="study.attempt.expired").count() == 1


def test_run_out_attempts_are_closed_before_the_export(client, tree, personas, library):
    attempt = _run_out(library.quiz, tree.members_a[1])
    running = svc.quiz_start(actor=None, quiz=library.quiz, member=tree.members_a[2])
    client.force_login(personas.unit_admin)
    assert client.post(f"/study/quizzes/{library.quiz.pk}/export/").status_code == 200
    assert _closed(attempt)
    running.refresh_from_db()
    assert running.submitted_at is None  # still within its time


def test_closing_is_for_the_member_or_the_quiz_asked(tree, personas, library):
    mine = _run_out(library.quiz, tree.members_a[1])
    other = _run_out(library.quiz, tree.members_a[2])
    assert svc.attempts_close_expired(member=tree.members_a[1]) == 1
    assert _closed(mine) and not _closed(other)
    assert svc.attempts_close_expired(quiz=library.quiz) == 1
    assert svc.attempts_close_expired(quiz=library.quiz) == 0


# ---------------------------------------------------------------------------------------------
# 10. 党小组 and 纪委 publish no banks or tests


def test_groups_and_discipline_committees_publish_nothing(client, tree, personas, library):
    group = org_create(actor=None, parent=tree.branch_a, name="第一党小组", kind="group")
    client.force_login(personas.unit_admin)
    banks, quizzes = QuestionBank.all_objects.count(), Quiz.all_objects.count()
    for org in (group, tree.discipline_a):
        bank = _post(client, "/api/study/banks", {"org_id": org.pk, "title": "小组题库"})
        assert bank.status_code == 400 and bank.json()["field"] == "org", bank.content
        quiz = _post(client, "/api/study/quizzes", _quiz_body(org, library.bank))
        assert quiz.status_code == 400 and quiz.json()["field"] == "org", quiz.content
        assert "请选择党委、党总支或党支部" in quiz.json()["detail"]
        with pytest.raises(AppError):
            svc.bank_create(actor=None, org=org, title="小组题库")
    assert (QuestionBank.all_objects.count(), Quiz.all_objects.count()) == (banks, quizzes)
    with pytest.raises(Http404):  # and an outsider still learns nothing
        svc.bank_create(actor=personas.secretary_b, org=group, title="小组题库")
