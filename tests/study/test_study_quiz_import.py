"""The question file: a good file is imported whole; a file with bad rows lists every one of
them (row, column, problem) and writes nothing; a file that is not an xlsx is refused by its
content; the template is itself a good file; and two submissions at the same moment count
once (threads on a real transaction)."""

from __future__ import annotations

import pytest

from dangjian.core.errors import AppError
from dangjian.study import quiz_import
from dangjian.study import services_quiz as svc
from dangjian.study.models import Question
from tests.study.test_study_library_fixtures import HEADER, upload, xlsx, xlsx_bytes


@pytest.fixture
def bank(tree):
    return svc.bank_create(actor=None, org=tree.organ_a, title="导入题库")


def row(kind, text, options, answer, explanation="", rule_ref=""):
    """A sheet row: the options padded to A—F."""
    return [kind, text, *options, *[""] * (6 - len(options)), answer, explanation, rule_ref]


GOOD = [
    HEADER,
    row(
        "单选题",
        "支部党员大会一般多久召开一次？",
        ["每月", "每季度", "每半年"],
        "B",
        "",
        "R-ORGLIFE-01",
    ),
    row("多选", "下列属于“三会一课”的有", ["支部党员大会", "党小组会", "党课", "座谈会"], "A,B、C"),
    row("判断题", "党员每年集中学习培训一般不少于32学时。", [], "对", "解析", "R-EDU-01"),
    row("", "", [], ""),  # an empty row is skipped
    ["判断", "预备期为一年。", None, None, None, None, None, None, "正确", None, None],
]


def test_a_good_file_is_imported(tree, personas, bank):
    count = svc.bank_import(actor=personas.unit_admin, bank=bank, uploaded_file=xlsx(GOOD))
    assert count == 4
    rows = list(Question.all_objects.filter(bank=bank).order_by("id"))
    assert [(q.kind, q.answer) for q in rows] == [
        ("single", [1]),
        ("multiple", [0, 1, 2]),
        ("judge", [0]),
        ("judge", [0]),
    ]
    assert rows[0].options == ["每月", "每季度", "每半年"] and rows[0].rule_ref == "R-ORGLIFE-01"
    assert rows[2].options == ["正确", "错误"]


BAD = [
    HEADER,
    ["单选题", "好题", "甲", "乙", "", "", "", "", "A", "", ""],  # row 2: fine
    ["单选题", "", "甲", "乙", "", "", "", "", "A", "", ""],  # row 3: no text
    ["单选题", "两个答案", "甲", "乙", "", "", "", "", "AB", "", ""],  # row 4
    ["多选题", "缺选项", "甲", "", "丙", "", "", "", "AC", "", ""],  # row 5: gap
    ["问答题", "题型不对", "甲", "乙", "", "", "", "", "A", "", ""],  # row 6
    ["判断题", "答案不对", "", "", "", "", "", "", "也许", "", ""],  # row 7
    ["单选题", "答案超出", "甲", "乙", "", "", "", "", "D", "", ""],  # row 8
]


def test_a_bad_file_lists_every_bad_row_and_writes_nothing(tree, personas, bank):
    with pytest.raises(quiz_import.QuestionImportError) as caught:
        svc.bank_import(actor=personas.unit_admin, bank=bank, uploaded_file=xlsx(BAD))
    problems = caught.value.rows
    assert sorted({p.row for p in problems}) == [3, 4, 5, 6, 7, 8]
    by_row = {p.row: p for p in problems}
    assert by_row[3].column == "题干"
    assert by_row[4].column == "答案" and "只能有一个" in by_row[4].message
    assert by_row[5].column == "选项A—F"
    assert by_row[6].column == "题型"
    assert by_row[7].column == "答案" and "正确" in by_row[7].message
    assert by_row[8].column == "答案" and "D" in by_row[8].message
    assert "第3行" in caught.value.message and "共6行有误" in caught.value.message
    assert caught.value.field == "file"
    assert Question.all_objects.filter(bank=bank).count() == 0


@pytest.mark.parametrize(
    ("name", "data", "text"),
    [
        ("试题.xlsx", b"%PDF-1.4 not a workbook", "PDF"),
        ("试题.xlsx", "题型,题干\n单选,题\n".encode(), "文本"),
        ("试题.xlsx", b"", "空的"),
        ("试题.xlsx", b"PK\x03\x04broken", "Excel"),
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused(tree, personas, bank, name, data, text):
    with pytest.raises(AppError) as caught:
        svc.bank_import(actor=personas.unit_admin, bank=bank, uploaded_file=upload(name, data))
    assert caught.value.field == "file" and text in caught.value.message
    assert Question.all_objects.filter(bank=bank).count() == 0


def test_missing_columns_and_empty_sheets_are_refused(tree, personas, bank):
    with pytest.raises(AppError, match="缺少“答案”"):
        svc.bank_import(
            actor=personas.unit_admin,
            bank=bank,
            uploaded_file=xlsx([["题型", "题干", "选项A", "选项B"], ["单选题", "x", "a", "b"]]),
        )
    with pytest.raises(AppError, match="没有试题"):
        svc.bank_import(actor=personas.unit_admin, bank=bank, uploaded_file=xlsx([HEADER]))


def test_formulas_are_refused(tree, personas, bank):
    rows = [HEADER, ["单选题", "=1+1", "甲", "乙", "", "", "", "", "A", "", ""]]
    with pytest.raises(AppError, match="公式"):
        svc.bank_import(actor=personas.unit_admin, bank=bank, uploaded_file=xlsx(rows))


def test_the_template_imports_as_is(tree, personas, bank):
    data = quiz_import.template_bytes()
    count = svc.bank_import(
        actor=personas.unit_admin, bank=bank, uploaded_file=upload("模板.xlsx", data)
    )
    assert count == 3
    assert xlsx_bytes([HEADER])[:2] == b"PK"


def test_an_outsider_cannot_import(tree, personas, bank):
    from django.http import Http404

    with pytest.raises(Http404):
        svc.bank_import(actor=personas.secretary_b, bank=bank, uploaded_file=xlsx(GOOD))


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_count_once(tree, media):
    import datetime as dt
    import threading
    import time

    from django.db import OperationalError, connection

    from dangjian.core.models import AuditEntry
    from dangjian.study.models import QuizAttempt
    from tests.study.test_study_library_fixtures import add_questions, now, right_answers

    bank = svc.bank_create(actor=None, org=tree.organ_a, title="并发题库")
    add_questions(bank, singles=3, multiples=0, judges=0)
    moment = now()
    quiz = svc.quiz_create(
        actor=None,
        org=tree.branch_a,
        bank=bank,
        title="并发",
        question_count=3,
        time_limit_minutes=10,
        pass_score=60,
        opens_at=moment - dt.timedelta(hours=1),
        closes_at=moment + dt.timedelta(hours=1),
    )
    member = tree.members_a[1]
    attempt = svc.quiz_start(actor=None, quiz=quiz, member=member)
    answers = right_answers(attempt)
    threads_n = 4
    gate = threading.Barrier(threads_n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit():
        result = "?"
        try:
            gate.wait(timeout=30)
            for _ in range(400):
                try:
                    svc.quiz_submit(actor=None, attempt=attempt, answers=answers)
                    result = "ok"
                    break
                except OperationalError as exc:  # SQLite: the database is busy; try again
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.005)
        except AppError as exc:
            result = "refused" if "不能重复提交" in exc.message else exc.message
        except BaseException as exc:  # reported below
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok"] + ["refused"] * (threads_n - 1), outcomes
    attempt = QuizAttempt.all_objects.get(pk=attempt.pk)
    assert attempt.score == 100 and attempt.passed
    assert AuditEntry.objects.filter(action="study.attempt.submitted").count() == 1
