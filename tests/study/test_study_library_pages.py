"""The library and self-test pages: a member's library (assigned first, his progress), the
material page (opening starts the reading, "标记为已学完" by htmx, the download under its
original name), the managers' progress report and export, the forms, the bank page with its
import and per-row errors, a test taken on the page (start, answer, submit, result with the
wrong answers explained; late answers refused), the results and rankings, and the query
counts of the list pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from dangjian.study import services_library as lib
from dangjian.study import services_quiz as quizzes
from dangjian.study.models import (
    Material,
    Question,
    QuestionBank,
    Quiz,
    QuizAttempt,
    ReadingAssignment,
    ReadingProgress,
)
from tests.study import test_study_library_fixtures as fx
from tests.study.test_study_library_fixtures import HEADER, pdf, right_answers, upload, xlsx

library = fx.library


@pytest.fixture
def assigned(tree, library):
    today = timezone.localdate()
    return lib.material_assign(
        actor=None,
        material=library.root_material,
        org=tree.party_group_a,
        due_on=today + dt.timedelta(days=7),
    )


def _login(client, personas, who):
    client.force_login(personas.by_name(who))
    return client


# ---------------------------------------------------------------------------------------------
# The library


def test_a_members_library_lists_his_assigned_first(client, personas, library, assigned):
    _login(client, personas, "member_a")
    page = client.get("/study/library/").content.decode()
    assert 'data-testid="assigned-item"' in page and "完成期限" in page
    assert page.index("工委学习提纲") < page.index("第一党支部学习提纲")
    assert "第二党支部学习提纲" not in page
    filtered = client.get("/study/library/?q=第一").content.decode()
    assert "第一党支部学习提纲" in filtered and 'data-testid="assigned"' not in filtered


def test_opening_a_material_starts_reading_and_htmx_marks_it_done(
    client, personas, library, assigned
):
    _login(client, personas, "member_a")
    url = f"/study/library/{library.root_material.pk}/"
    page = client.get(url).content.decode()
    assert 'data-status="reading"' in page and 'data-testid="mark-done"' in page
    assert 'data-testid="progress-report"' not in page  # managers only
    progress = ReadingProgress.all_objects.get(member=personas.member_a.member)
    assert progress.completed_at is None
    response = client.post(f"{url}complete/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-status="done"' in response.content.decode()
    progress.refresh_from_db()
    assert progress.completed_at is not None
    # a plain post goes back to the page
    assert client.post(f"{url}complete/").status_code == 302


def test_the_file_is_downloaded_under_its_original_name(client, personas, library):
    _login(client, personas, "member_a")
    response = client.get(f"/study/library/{library.a_material.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_managers_see_the_progress_report_and_export_it(client, tree, personas, library, assigned):
    lib.reading_complete(actor=None, material=library.root_material, member=tree.members_a[0])
    lib.reading_open(actor=None, material=library.root_material, member=tree.members_a[1])
    _login(client, personas, "unit_admin")
    page = client.get(f"/study/library/{library.root_material.pk}/").content.decode()
    assert 'data-testid="progress-report"' in page
    assert 'data-testid="total">8<' in page and 'data-testid="percent">13%<' in page
    only_open = client.get(
        f"/study/library/{library.root_material.pk}/?assignment={assigned.pk}&open=1"
    ).content.decode()
    assert only_open.count('data-testid="progress-row"') == 7
    response = client.post(f"/study/library/assignments/{assigned.pk}/export/")
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "所在党支部", "学习进度")
    assert len(rows) == 9
    assert sorted(r[2] for r in rows[1:]).count("已完成") == 1


def test_publish_a_material_through_the_form(client, tree, personas, library):
    _login(client, personas, "secretary_a")
    form = client.get("/study/library/new/").content.decode()
    assert 'name="file"' in form
    data = {
        "org": tree.branch_a.pk,
        "topic": library.topic.pk,
        "title": "新资料",
        "description": "",
        "kind": "document",
        "minutes": "20",
        "file": pdf("提纲.pdf"),
    }
    response = client.post("/study/library/new/", data)
    assert response.status_code == 302
    created = Material.all_objects.get(title="新资料")
    assert created.file_name == "提纲.pdf" and created.org_path == tree.branch_a.path
    bad = client.post("/study/library/new/", {**data, "file": upload("a.pdf", b"MZ\x90 not a pdf")})
    assert bad.status_code == 400
    assert 'data-testid="error-file"' in bad.content.decode()
    # an org outside his subtree is not offered
    other = client.post("/study/library/new/", {**data, "org": tree.branch_b.pk})
    assert other.status_code == 400 and 'data-testid="error-org"' in other.content.decode()


def test_assign_through_the_form(client, tree, personas, library):
    _login(client, personas, "secretary_a")
    url = f"/study/library/{library.root_material.pk}/assign/"
    past = client.post(url, {"org": tree.branch_a.pk, "due_on": "2000-01-01"})
    assert past.status_code == 400 and "早于今天" in past.content.decode()
    due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert client.post(url, {"org": tree.branch_a.pk, "due_on": due}).status_code == 302
    assert ReadingAssignment.all_objects.get().org_id == tree.branch_a.pk


# ---------------------------------------------------------------------------------------------
# Banks


def test_bank_pages(client, tree, personas, library):
    _login(client, personas, "unit_admin")
    response = client.post("/study/banks/", {"org": tree.organ_a.pk, "title": "新题库"})
    bank = QuestionBank.all_objects.get(title="新题库")
    assert response.status_code == 302 and response["Location"].endswith(f"/banks/{bank.pk}/")
    url = f"/study/banks/{bank.pk}/"
    added = client.post(
        f"{url}questions/",
        {"kind": "single", "text": "题干", "option_a": "甲", "option_b": "乙", "answer": "B"},
    )
    assert added.status_code == 302
    assert Question.all_objects.get(bank=bank).answer == [1]
    bad = client.post(
        f"{url}questions/",
        {"kind": "multiple", "text": "题干", "option_a": "甲", "option_b": "乙", "answer": "A"},
    )
    assert bad.status_code == 400 and "至少应有两个正确答案" in bad.content.decode()
    page = client.get(url).content.decode()
    assert page.count('data-testid="question"') == 1 and 'data-testid="answer">B<' in page


def test_import_on_the_page_lists_bad_rows(client, tree, personas, library):
    _login(client, personas, "unit_admin")
    url = f"/study/banks/{library.bank.pk}/import/"
    rows = [
        HEADER,
        ["单选题", "", "甲", "乙", "", "", "", "", "A", "", ""],
        ["判断题", "好", "", "", "", "", "", "", "也许", "", ""],
    ]
    response = client.post(url, {"file": xlsx(rows)})
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count('data-testid="import-error"') == 2 and "第2行" in page
    assert Question.all_objects.filter(bank=library.bank).count() == 10
    not_xlsx = client.post(url, {"file": upload("试题.xlsx", b"%PDF-1.4 hello")})
    assert not_xlsx.status_code == 400 and "PDF" in not_xlsx.content.decode()
    good = [HEADER, ["判断题", "预备期为一年。", "", "", "", "", "", "", "正确", "", ""]]
    assert client.post(url, {"file": xlsx(good)}).status_code == 302
    assert Question.all_objects.filter(bank=library.bank).count() == 11
    template = client.get("/study/banks/template/")
    assert template.content[:2] == b"PK" and "xlsx" in template["Content-Disposition"]


def test_publish_a_quiz_through_the_form(client, tree, personas, library):
    _login(client, personas, "unit_admin")
    form = client.get(f"/study/quizzes/new/?bank={library.bank.pk}").content.decode()
    assert "组织生活知识题库" in form
    data = {
        "org": tree.branch_a.pk,
        "bank": library.bank.pk,
        "title": "支部自测",
        "question_count": "20",
        "time_limit_minutes": "10",
        "pass_score": "60",
        "opens_at": "2030-01-01T08:00",
        "closes_at": "2030-01-05T08:00",
    }
    too_many = client.post("/study/quizzes/new/", data)
    assert too_many.status_code == 400 and "只有10道" in too_many.content.decode()
    assert client.post("/study/quizzes/new/", {**data, "question_count": "4"}).status_code == 302
    assert Quiz.all_objects.get(title="支部自测").org_path == tree.branch_a.path


# ---------------------------------------------------------------------------------------------
# Taking a test on the page


def test_take_a_test_on_the_page(client, tree, personas, library):
    _login(client, personas, "member_a")
    quiz_page = client.get(f"/study/quizzes/{library.quiz.pk}/").content.decode()
    assert 'data-testid="start"' in quiz_page
    response = client.post(f"/study/quizzes/{library.quiz.pk}/start/")
    attempt = QuizAttempt.all_objects.get()
    assert response["Location"] == f"/study/attempts/{attempt.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert page.count('data-testid="question-card"') == 5
    assert "data-seconds-left=" in page and "study/quiz.js" in page
    assert "<script>" not in page and "style=" not in page
    key = right_answers(attempt)
    wrong_one = attempt.question_ids[0]
    post = {f"q{qid}": [str(i) for i in answer] for qid, answer in key.items()}
    post[f"q{wrong_one}"] = [str((key[wrong_one][0] + 1) % 2)]
    done = client.post(f"/study/attempts/{attempt.pk}/", post)
    assert done["Location"] == f"/study/attempts/{attempt.pk}/result/"
    attempt.refresh_from_db()
    assert attempt.score == 80 and attempt.passed
    result = client.get(done["Location"]).content.decode()
    assert 'data-testid="score">80.0' in result
    assert result.count('data-testid="wrong-item"') == 1
    # the test is still open: right or wrong only, the right answer after it closes
    assert 'data-testid="right"' not in result and 'data-testid="explanation"' not in result
    assert "测试截止后公布正确答案" in result
    Quiz.all_objects.filter(pk=library.quiz.pk).update(
        closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    result = client.get(done["Location"]).content.decode()
    assert 'data-testid="right"' in result and "测试截止后公布正确答案" not in result
    Quiz.all_objects.filter(pk=library.quiz.pk).update(closes_at=library.quiz.closes_at)
    # submitting again is refused with a message, nothing changes
    again = client.post(f"/study/attempts/{attempt.pk}/", post, follow=True)
    assert "已交卷，不能重复提交" in again.content.decode()
    # the take page sends a finished attempt to its result
    assert client.get(f"/study/attempts/{attempt.pk}/").status_code == 302


def test_late_answers_on_the_page_are_refused(client, tree, personas, library):
    _login(client, personas, "member_a")
    attempt = quizzes.quiz_start(actor=personas.member_a, quiz=library.quiz)
    QuizAttempt.all_objects.filter(pk=attempt.pk).update(
        deadline_at=timezone.now() - dt.timedelta(minutes=2)
    )
    key = right_answers(attempt)
    post = {f"q{qid}": [str(i) for i in answer] for qid, answer in key.items()}
    response = client.post(f"/study/attempts/{attempt.pk}/", post, follow=True)
    page = response.content.decode()
    assert "已超过答题时限，本次作答未被接受" in page
    assert 'data-testid="expired-note"' in page
    attempt.refresh_from_db()
    assert attempt.score == 0 and attempt.answers == {}


def test_managers_see_results_and_rankings(client, tree, personas, library):
    for member, right in ((tree.members_a[0], True), (tree.members_a[2], False)):
        attempt = quizzes.quiz_start(actor=None, quiz=library.quiz, member=member)
        quizzes.quiz_submit(
            actor=None, attempt=attempt, answers=right_answers(attempt) if right else {}
        )
    attempt = quizzes.quiz_start(actor=None, quiz=library.quiz, member=tree.members_b[0])
    quizzes.quiz_submit(actor=None, attempt=attempt, answers=right_answers(attempt))
    _login(client, personas, "unit_admin")
    page = client.get(f"/study/quizzes/{library.quiz.pk}/").content.decode()
    assert page.count('data-testid="result-row"') == 3
    assert page.count('data-testid="rank-row"') == 2
    assert page.index("第二党支部") < page.index("第一党支部")  # 100 before 50
    assert 'data-testid="average">66.7<' in page
    results = page.split('data-testid="results"')[1]
    assert "—</td>" not in results  # a score of 0 is a score
    response = client.post(f"/study/quizzes/{library.quiz.pk}/export/")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    assert rows[0][0] == "姓名" and len(rows) == 4
    # a branch secretary sees his own branch only
    _login(client, personas, "secretary_b")
    page = client.get(f"/study/quizzes/{library.quiz.pk}/").content.decode()
    assert page.count('data-testid="result-row"') == 1


# ---------------------------------------------------------------------------------------------
# Query counts


def _more_materials(tree, library, n):
    for i in range(n):
        lib.material_create(
            actor=None,
            org=tree.root,
            topic=library.topic,
            title=f"资料{i}",
            description="",
            kind="link",
            url="https://example.invalid/",
        )


def test_query_counts_do_not_grow_with_rows(
    client, tree, personas, library, assigned, django_assert_max_num_queries
):
    _login(client, personas, "member_a")
    urls = ["/study/library/", "/study/quizzes/"]
    for url in urls:
        client.get(url)  # warm the session
    with django_assert_max_num_queries(16):
        assert client.get("/study/library/").status_code == 200
    _more_materials(tree, library, 12)
    for i in range(6):
        quizzes.quiz_create(
            actor=None,
            org=tree.root,
            bank=library.bank,
            title=f"自测{i}",
            question_count=3,
            time_limit_minutes=5,
            pass_score=60,
            opens_at=library.quiz.opens_at,
            closes_at=library.quiz.closes_at,
        )
    with django_assert_max_num_queries(16):
        assert client.get("/study/library/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/study/quizzes/").status_code == 200


def test_manager_pages_query_counts(
    client, tree, personas, library, assigned, django_assert_max_num_queries
):
    for member in [*tree.members_a, *tree.members_b]:
        lib.reading_complete(actor=None, material=library.root_material, member=member)
        attempt = quizzes.quiz_start(actor=None, quiz=library.quiz, member=member)
        quizzes.quiz_submit(actor=None, attempt=attempt, answers=right_answers(attempt))
    _login(client, personas, "unit_admin")
    client.get("/study/banks/")
    with django_assert_max_num_queries(14):
        assert client.get("/study/banks/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/study/quizzes/{library.quiz.pk}/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/study/library/{library.root_material.pk}/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/study/banks/{library.bank.pk}/").status_code == 200
