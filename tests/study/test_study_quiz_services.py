"""Self-tests through the services: scoring (single, multiple, judge; a partly right multiple
choice is wrong), the time limit and its grace, one attempt and one submission per member,
the random draw (different between members, stable for one), the bounds of a test and of a
question, and the history a taken question keeps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry
from dangjian.study import services_quiz as svc
from dangjian.study.models import Question, Quiz, QuizAttempt
from tests.study import test_study_library_fixtures as fx
from tests.study.test_study_library_fixtures import add_questions, now, right_answers

library = fx.library


def _start(personas, lib, who="member_a", at=None):
    return svc.quiz_start(actor=personas.by_name(who), quiz=lib.quiz, now=at)


def test_all_right_scores_100_and_passes(tree, personas, library):
    attempt = _start(personas, library)
    assert len(attempt.question_ids) == 5
    assert attempt.deadline_at - attempt.started_at == dt.timedelta(minutes=15)
    done = svc.quiz_submit(actor=personas.member_a, attempt=attempt, answers=right_answers(attempt))
    assert (done.score, done.passed, done.correct_count) == (Decimal("100.0"), True, 5)
    assert done.submitted_at is not None
    assert AuditEntry.objects.filter(action="study.attempt.submitted").count() == 1


def test_scoring_by_kind_partial_multiple_is_wrong(tree, personas, library):
    bank = library.bank
    only = svc.bank_create(actor=None, org=tree.organ_a, title="三题")
    single, multiple, judge = (
        add_questions(only, singles=1, multiples=0, judges=0)[0],
        add_questions(only, singles=0, multiples=1, judges=0)[0],
        add_questions(only, singles=0, multiples=0, judges=1)[0],
    )
    assert bank.pk != only.pk
    quiz = svc.quiz_create(
        actor=None,
        org=tree.branch_a,
        bank=only,
        title="三种题型",
        question_count=3,
        time_limit_minutes=10,
        pass_score=60,
        opens_at=library.quiz.opens_at,
        closes_at=library.quiz.closes_at,
    )
    attempt = svc.quiz_start(actor=personas.member_a, quiz=quiz)
    answers = {single.pk: [1], multiple.pk: [0, 1], judge.pk: [0]}  # the multiple lacks C
    done = svc.quiz_submit(actor=personas.member_a, attempt=attempt, answers=answers)
    assert (done.correct_count, done.score, done.passed) == (2, Decimal("66.7"), True)
    assert done.answers == {str(single.pk): [1], str(multiple.pk): [0, 1], str(judge.pk): [0]}
    other = svc.quiz_start(actor=personas.secretary_a, quiz=quiz)
    done = svc.quiz_submit(
        actor=personas.secretary_a,
        attempt=other,
        answers={single.pk: [0], multiple.pk: [0, 1, 2, 3], judge.pk: [1]},
    )
    assert (done.correct_count, done.score, done.passed) == (0, Decimal("0.0"), False)


def test_unanswered_questions_are_wrong(tree, personas, library):
    attempt = _start(personas, library)
    key = right_answers(attempt)
    first = attempt.question_ids[0]
    done = svc.quiz_submit(actor=personas.member_a, attempt=attempt, answers={first: key[first]})
    assert (done.correct_count, done.score, done.passed) == (1, Decimal("20.0"), False)


def test_submitted_within_the_grace_is_accepted(tree, personas, library):
    start = now()
    attempt = _start(personas, library, at=start)
    late_but_graced = attempt.deadline_at + dt.timedelta(seconds=29)
    done = svc.quiz_submit(
        actor=personas.member_a,
        attempt=attempt,
        answers=right_answers(attempt),
        now=late_but_graced,
    )
    assert done.score == Decimal("100.0")


def test_submitted_after_the_deadline_is_refused_and_counts_as_zero(tree, personas, library):
    attempt = _start(personas, library, at=now())
    too_late = attempt.deadline_at + dt.timedelta(seconds=31)
    with pytest.raises(AppError, match="已超过答题时限，本次作答未被接受"):
        svc.quiz_submit(
            actor=personas.member_a, attempt=attempt, answers=right_answers(attempt), now=too_late
        )
    attempt.refresh_from_db()
    # closed with no answers and 0, so it does not stay open for ever
    assert (attempt.score, attempt.passed, attempt.answers) == (Decimal("0.0"), False, {})
    assert attempt.submitted_at == attempt.deadline_at
    with pytest.raises(AppError, match="已交卷"):
        svc.quiz_submit(actor=personas.member_a, attempt=attempt, answers={}, now=too_late)
    with pytest.raises(AppError, match="您已完成本次测试"):
        _start(personas, library, at=too_late)


def test_the_deadline_is_cut_by_the_closing_time(tree, personas, library):
    quiz = library.quiz
    start = quiz.closes_at - dt.timedelta(minutes=5)
    attempt = _start(personas, library, at=start)
    assert attempt.deadline_at == quiz.closes_at


def test_an_expired_running_attempt_is_closed_when_started_again(tree, personas, library):
    attempt = _start(personas, library, at=now())
    later = attempt.deadline_at + dt.timedelta(minutes=1)
    with pytest.raises(AppError, match="按0分计"):
        _start(personas, library, at=later)
    attempt.refresh_from_db()
    assert attempt.score == 0 and attempt.submitted_at == attempt.deadline_at


def test_attempts_close_expired(tree, personas, library):
    attempt = _start(personas, library, at=now())
    running = _start(personas, library, who="secretary_a", at=now() + dt.timedelta(minutes=10))
    closed = svc.attempts_close_expired(now=attempt.deadline_at + dt.timedelta(minutes=1))
    assert closed == 1
    attempt.refresh_from_db()
    running.refresh_from_db()
    assert attempt.score == 0 and running.submitted_at is None


def test_second_submission_is_refused(tree, personas, library):
    attempt = _start(personas, library)
    svc.quiz_submit(actor=personas.member_a, attempt=attempt, answers={})
    with pytest.raises(AppError, match="已交卷，不能重复提交"):
        svc.quiz_submit(actor=personas.member_a, attempt=attempt, answers=right_answers(attempt))
    attempt.refresh_from_db()
    assert attempt.score == 0


def test_one_attempt_per_member(tree, personas, library):
    first = _start(personas, library)
    again = _start(personas, library)
    assert again.pk == first.pk and again.question_ids == first.question_ids
    svc.quiz_submit(actor=personas.member_a, attempt=first, answers={})
    with pytest.raises(AppError, match="您已完成本次测试"):
        _start(personas, library)
    assert QuizAttempt.all_objects.filter(quiz=library.quiz).count() == 1


def test_the_draw_differs_between_members_and_is_stable_for_one(tree, personas, library):
    from dangjian.rules.study import draw_questions

    ids = [q.pk for q in library.questions]
    draws = {
        m.pk: draw_questions(ids, 5, seed=f"{library.quiz.pk}:{m.pk}")
        for m in [*tree.members_a, *tree.members_b]
    }
    assert len({tuple(d) for d in draws.values()}) > 1
    attempt = _start(personas, library)
    assert attempt.question_ids == draws[personas.member_a.member_id]
    assert len(set(attempt.question_ids)) == 5


def test_answers_for_questions_not_drawn_are_refused(tree, personas, library):
    attempt = _start(personas, library)
    stranger = next(q for q in library.questions if q.pk not in attempt.question_ids)
    for answers, text in [
        ({stranger.pk: [0]}, "未抽到"),
        ({attempt.question_ids[0]: [9]}, "不存在的选项"),
        ({"abc": [0]}, "格式"),
    ]:
        with pytest.raises(AppError, match=text):
            svc.quiz_submit(actor=personas.member_a, attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_two_choices_on_a_single_choice_are_refused(tree, personas, library):
    attempt = _start(personas, library)
    single = Question.all_objects.filter(pk__in=attempt.question_ids, kind="single").first()
    if single is None:
        pytest.skip("no single-choice question drawn")
    with pytest.raises(AppError, match="只能选一个"):
        svc.quiz_submit(actor=personas.member_a, attempt=attempt, answers={single.pk: [0, 1]})


def test_only_the_attempts_member_submits(tree, personas, library):
    from django.http import Http404

    attempt = _start(personas, library)
    for who in ("secretary_a", "unit_admin", "committee_admin"):
        with pytest.raises(Http404):
            svc.quiz_submit(actor=personas.by_name(who), attempt=attempt, answers={})


def test_a_quiz_outside_ones_library_is_404(tree, personas, library):
    from django.http import Http404

    quiz_b = svc.quiz_create(
        actor=None,
        org=tree.branch_b,
        bank=library.bank,
        title="第二支部自测",
        question_count=3,
        time_limit_minutes=10,
        pass_score=60,
        opens_at=library.quiz.opens_at,
        closes_at=library.quiz.closes_at,
    )
    with pytest.raises(Http404):
        svc.quiz_start(actor=personas.member_a, quiz=quiz_b)
    with pytest.raises(AppError, match="未关联党员"):
        svc.quiz_start(actor=personas.unit_admin, quiz=library.quiz)


def test_start_outside_the_window_is_refused(tree, personas, library):
    quiz = library.quiz
    with pytest.raises(AppError, match="尚未开始"):
        _start(personas, library, at=quiz.opens_at - dt.timedelta(minutes=1))
    with pytest.raises(AppError, match="已截止"):
        _start(personas, library, at=quiz.closes_at)


def test_a_pass_feeds_the_points(tree, personas, library, monkeypatch):
    calls = []
    monkeypatch.setattr(svc, "points_changed", lambda ids, day: calls.append((list(ids), day)))
    attempt = _start(personas, library)
    svc.quiz_submit(actor=personas.member_a, attempt=attempt, answers=right_answers(attempt))
    other = _start(personas, library, who="secretary_a")
    svc.quiz_submit(actor=personas.secretary_a, attempt=other, answers={})
    assert [c[0] for c in calls] == [[personas.member_a.member_id]]


BOUNDS = [
    ({"question_count": 11}, "question_count", "只有10道"),
    ({"question_count": 0}, "question_count", "1到100"),
    ({"time_limit_minutes": 0}, "time_limit_minutes", "1到180"),
    ({"time_limit_minutes": 181}, "time_limit_minutes", "1到180"),
    ({"pass_score": 0}, "pass_score", "1到100"),
    ({"pass_score": 101}, "pass_score", "1到100"),
    ({"title": " "}, "title", "测试名称"),
    ({"closes_at": "OPENS"}, "closes_at", "晚于开始时间"),
]


def test_quiz_bounds(tree, personas, library):
    for change, field, text in BOUNDS:
        _refused_quiz(tree, personas, library, change, field, text)


def _refused_quiz(tree, personas, library, change, field, text):
    moment = now()
    kwargs = {
        "actor": personas.unit_admin,
        "org": tree.party_group_a,
        "bank": library.bank,
        "title": "测试",
        "question_count": 5,
        "time_limit_minutes": 10,
        "pass_score": 60,
        "opens_at": moment,
        "closes_at": moment + dt.timedelta(days=1),
    }
    kwargs.update(change)
    if kwargs["closes_at"] == "OPENS":
        kwargs["closes_at"] = moment
    before = Quiz.all_objects.count()
    with pytest.raises(AppError) as caught:
        svc.quiz_create(**kwargs)
    assert caught.value.field == field and text in caught.value.message, change
    assert Quiz.all_objects.count() == before


def test_a_bank_of_another_subtree_is_404(tree, personas, library):
    from django.http import Http404

    bank_c = svc.bank_create(actor=None, org=tree.branch_c, title="乙局题库")
    add_questions(bank_c, singles=3, multiples=0, judges=0)
    moment = now()
    with pytest.raises(Http404):
        svc.quiz_create(
            actor=personas.secretary_a,
            org=tree.branch_a,
            bank=bank_c,
            title="借用乙局题库",
            question_count=2,
            time_limit_minutes=10,
            pass_score=60,
            opens_at=moment,
            closes_at=moment + dt.timedelta(days=1),
        )
    # a bank above the org holds the answers: not its secretary's (finding 1), but its own
    # level's managers draw a test of the branch from it
    with pytest.raises(Http404):
        svc.quiz_create(
            actor=personas.secretary_a,
            org=tree.branch_a,
            bank=library.bank,
            title="用机关党委题库",
            question_count=2,
            time_limit_minutes=1,
            pass_score=60,
            opens_at=moment,
            closes_at=moment + dt.timedelta(days=1),
        )
    quiz = svc.quiz_create(
        actor=personas.unit_admin,
        org=tree.branch_a,
        bank=library.bank,
        title="用机关党委题库",
        question_count=2,
        time_limit_minutes=10,
        pass_score=60,
        opens_at=moment,
        closes_at=moment + dt.timedelta(days=1),
    )
    assert quiz.org_path == tree.branch_a.path


QUESTIONS = [
    ({"kind": "single", "options": ["甲"], "answer": [0]}, "options", "至少应有两个选项"),
    ({"kind": "single", "options": ["甲", "乙"], "answer": [0, 1]}, "answer", "只能有一个"),
    ({"kind": "multiple", "options": ["甲", "乙", "丙"], "answer": [0]}, "answer", "至少应有两个"),
    ({"kind": "single", "options": ["甲", "", "丙"], "answer": [0]}, "options", "不能空缺"),
    ({"kind": "single", "options": ["甲", "乙"], "answer": [2]}, "answer", "已填写的选项"),
    ({"kind": "judge", "options": [], "answer": [0, 1]}, "answer", "只能有一个"),
    ({"kind": "essay", "options": ["甲", "乙"], "answer": [0]}, "kind", "题型"),
    ({"text": ""}, "text", "题干"),
    ({"rule_ref": "R" * 21}, "rule_ref", "依据规则"),
]


def test_question_bounds(tree, personas, library):
    for change, field, text in QUESTIONS:
        _refused_question(personas, library, change, field, text)


def _refused_question(personas, library, change, field, text):
    kwargs = {
        "kind": "single",
        "text": "题干",
        "options": ["甲", "乙"],
        "answer": [0],
        "explanation": "",
        "rule_ref": "",
    }
    kwargs.update(change)
    before = Question.all_objects.count()
    with pytest.raises(AppError) as caught:
        svc.question_add(actor=personas.unit_admin, bank=library.bank, **kwargs)
    assert caught.value.field == field and text in caught.value.message, change
    assert Question.all_objects.count() == before


def test_judge_options_are_forced(tree, library):
    q = svc.question_add(
        actor=None, bank=library.bank, kind="judge", text="判断", options=["x"], answer=[1]
    )
    assert (q.options, q.answer) == (["正确", "错误"], [1])


def test_a_taken_question_keeps_its_history(tree, personas, library):
    q = library.questions[0]
    svc.question_update(actor=personas.unit_admin, question=q, text="改过的题干")
    attempt = _start(personas, library)
    svc.quiz_submit(actor=personas.member_a, attempt=attempt, answers={})
    with pytest.raises(AppError, match="不能再修改"):
        svc.question_update(actor=personas.unit_admin, question=q, answer=[0])
    done = svc.question_update(actor=personas.unit_admin, question=q, explanation="新的解析")
    assert done.explanation == "新的解析" and done.answer == [1]


def test_retiring_below_an_open_quiz_is_refused(tree, personas, library):
    for q in library.questions[:5]:
        svc.question_retire(actor=personas.unit_admin, question=q)
    with pytest.raises(AppError, match="不够抽取"):
        svc.question_retire(actor=personas.unit_admin, question=library.questions[5])
    assert Question.all_objects.filter(bank=library.bank, is_active=True).count() == 5


def test_writes_by_outsiders_are_404(tree, personas, library):
    from django.http import Http404

    for who in ("secretary_b", "member_a", "auditor"):
        actor = personas.by_name(who)
        with pytest.raises(Http404):
            svc.bank_create(actor=actor, org=tree.organ_a, title="题库")
        with pytest.raises(Http404):
            svc.question_add(
                actor=actor, bank=library.bank, kind="judge", text="x", options=[], answer=[0]
            )
        with pytest.raises(Http404):
            svc.question_retire(actor=actor, question=library.questions[0])
