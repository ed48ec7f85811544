"""Write paths of question banks and self-tests: banks and their questions (`bank_create`,
`question_add`, `question_update`, `question_retire`, `bank_import` from an .xlsx), tests
(`quiz_create`) and a member's one attempt (`quiz_start`, `quiz_submit`,
`attempts_close_expired`).

A test draws `question_count` questions at random for each member (rules.study.draw_questions,
seeded with the quiz and the member, so a member gets the same draw again and members get
different ones) and scores all or nothing per question (rules.study.score_quiz). The answer
sheet must arrive by the attempt's deadline (the time limit, cut by the test's closing time)
plus 30 seconds of grace; a later one is refused, and the attempt is closed with no answers and
a score of 0, so no attempt stays open for ever. A question once drawn into an attempt is
history: its text, options and answer no longer change (retire it and add a new one)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.rules import study as rules
from dangjian.study.models import Question, QuestionBank, Quiz, QuizAttempt
from dangjian.study.points_hooks import points_changed
from dangjian.study.quiz_import import check_question, read_questions
from dangjian.study.selectors_library import member_of
from dangjian.study.selectors_quiz import GRACE, bank_has_attempts
from dangjian.study.services_library import (
    acting_member,
    check_year,
    clean_int,
    clean_text,
    in_library_of,
    publishing_org,
    require,
    user_or_none,
)

MANAGE = Cap.STUDY_MANAGE
TITLE_MAX = 200
DESCRIPTION_MAX = 2000
QUESTIONS_MAX = 100
LIMIT_MAX = 180
LATE = "已超过答题时限，本次作答未被接受。"
TWICE = "已交卷，不能重复提交。"
DONE = "您已完成本次测试。"


def _raise_all(errors: list[tuple[str, str]]) -> None:
    if errors:
        field, message = errors[0]
        raise AppError(message, field=field, errors=errors)


# ---------------------------------------------------------------------------------------------
# Banks and questions


@transaction.atomic
def bank_create(*, actor, org: Org, title, description="") -> QuestionBank:
    require(actor, MANAGE, getattr(org, "path", ""))
    publishing_org(org)
    title = clean_text(title, "title", "题库名称", TITLE_MAX, required=True)
    description = clean_text(description, "description", "说明", DESCRIPTION_MAX)
    bank = QuestionBank.all_objects.create(
        org=org,
        org_path=org.path,
        title=title,
        description=description,
        created_by=user_or_none(actor),
    )
    audit(actor, "study.bank.created", bank, org_path=bank.org_path, changes={"title": title})
    return bank


@transaction.atomic
def question_add(
    *, actor, bank: QuestionBank, kind, text, options, answer, explanation="", rule_ref=""
) -> Question:
    """单选: ≥2 options, exactly 1 answer; 多选: ≥2 options, ≥2 answers; 判断: the options are
    正确/错误, 1 answer. Answers are option indexes (0 = A)."""
    require(actor, MANAGE, bank.org_path)
    clean, errors = check_question(kind, text, options, answer, explanation, rule_ref)
    _raise_all(errors)
    question = Question.all_objects.create(bank=bank, **clean)
    audit(
        actor,
        "study.question.added",
        bank,
        org_path=bank.org_path,
        changes={"question": question.pk, "kind": clean["kind"], "text": clean["text"][:100]},
    )
    return question


QUESTION_FIELDS = ("kind", "text", "options", "answer", "explanation", "rule_ref")
#: what a taken question may still change: the review shows the explanation and the rule
HISTORY_FIELDS = ("kind", "text", "options", "answer")


@transaction.atomic
def question_update(*, actor, question: Question, **changes) -> Question:
    """Correct a question. Once a test drawn from its bank has been taken, only the
    explanation and the rule may change (the attempts' review must keep showing what was
    asked): retire the question and add a new one instead."""
    bank = question.bank
    require(actor, MANAGE, bank.org_path)
    unknown = sorted(set(changes) - set(QUESTION_FIELDS))
    if unknown:
        raise AppError(f"不能修改这些内容：{'、'.join(unknown)}。")
    question = Question.all_objects.select_for_update().get(pk=question.pk)
    current = {name: getattr(question, name) for name in QUESTION_FIELDS}
    merged = {**current, **changes}
    clean, errors = check_question(**merged)
    _raise_all(errors)
    diff = {k: [current[k], v] for k, v in clean.items() if current[k] != v}
    if not diff:
        return question
    frozen = [k for k in diff if k in HISTORY_FIELDS]
    if frozen and bank_has_attempts(bank):
        raise AppError(
            "已有党员作答过该题库的测试，题型、题干、选项和答案不能再修改（以免改变已有的"
            "作答记录）；请停用此题后新增一道。",
            field=frozen[0],
        )
    for name, value in clean.items():
        setattr(question, name, value)
    question.save(update_fields=list(diff))
    audit(
        actor,
        "study.question.updated",
        bank,
        org_path=bank.org_path,
        changes={"question": question.pk, **diff},
    )
    return question


@transaction.atomic
def question_retire(*, actor, question: Question) -> Question:
    """停用: the question is no longer drawn; attempts that drew it keep it for their review.
    Refused while a test not yet closed needs more questions than would be left."""
    bank = question.bank
    require(actor, MANAGE, bank.org_path)
    if not Question.all_objects.filter(pk=question.pk, is_active=True).update(is_active=False):
        raise AppError("该题已停用。")
    left = Question.all_objects.filter(bank=bank, is_active=True).count()
    needing = (
        Quiz.all_objects.filter(bank=bank, closes_at__gt=timezone.now(), question_count__gt=left)
        .order_by("-question_count")
        .first()
    )
    if needing is not None:
        raise AppError(
            f"测试“{needing.title}”每人抽取{needing.question_count}道题，停用后题库只剩"
            f"{left}道在用题目，不够抽取。请先补充题目。"
        )
    question.is_active = False
    audit(
        actor,
        "study.question.retired",
        bank,
        org_path=bank.org_path,
        changes={"question": question.pk},
    )
    return question


@transaction.atomic
def bank_import(*, actor, bank: QuestionBank, uploaded_file) -> int:
    """Add the questions of an .xlsx (quiz_import's columns) to the bank: all or nothing. A
    file with bad rows raises QuestionImportError (`.rows`: every row's problem) and nothing
    is written. Returns how many questions were added."""
    require(actor, MANAGE, bank.org_path)
    rows = read_questions(uploaded_file)
    Question.all_objects.bulk_create(
        [
            Question(
                bank=bank,
                kind=r.kind,
                text=r.text,
                options=r.options,
                answer=r.answer,
                explanation=r.explanation,
                rule_ref=r.rule_ref,
            )
            for r in rows
        ],
        batch_size=500,
    )
    audit(
        actor,
        "study.bank.imported",
        bank,
        org_path=bank.org_path,
        changes={"questions": len(rows), "file": getattr(uploaded_file, "name", "")[:200]},
    )
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Quizzes


def _moment(value, field: str, label: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise AppError(f"请填写有效的{label}。", field=field) from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min)
    if not isinstance(value, dt.datetime):
        raise AppError(f"请填写{label}。", field=field)
    check_year(value, field, label)  # before a time zone moves it past year 1 or 9999
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@transaction.atomic
def quiz_create(
    *,
    actor,
    org: Org,
    bank: QuestionBank,
    title,
    question_count,
    time_limit_minutes,
    pass_score,
    opens_at,
    closes_at,
) -> Quiz:
    """A self-test of `org`'s members, drawn from `bank`. The bank holds the answers: only
    those who manage the bank's org draw a test from it (a branch does not use the bank of the
    level above: its managers publish the test), 404 to the others."""
    require(actor, MANAGE, getattr(org, "path", ""))
    publishing_org(org)
    if bank is None:
        raise AppError("请选择题库。", field="bank")
    if actor is not None and not can(actor, MANAGE, bank.org_path):
        raise deny()
    title = clean_text(title, "title", "测试名称", TITLE_MAX, required=True)
    active = Question.all_objects.filter(bank=bank, is_active=True).count()
    count = clean_int(question_count, "question_count", "题目数", 1, QUESTIONS_MAX)
    if count > active:
        raise AppError(
            f"题库“{bank.title}”只有{active}道在用题目，不足{count}道。", field="question_count"
        )
    minutes = clean_int(time_limit_minutes, "time_limit_minutes", "限时（分钟）", 1, LIMIT_MAX)
    passing = clean_int(pass_score, "pass_score", "及格分", 1, 100)
    opens = _moment(opens_at, "opens_at", "开始时间")
    closes = _moment(closes_at, "closes_at", "截止时间")
    if closes <= opens:
        raise AppError("截止时间应晚于开始时间。", field="closes_at")
    if closes - opens > dt.timedelta(days=366):
        raise AppError("一次测试的开放时间不能超过一年。", field="closes_at")
    quiz = Quiz.all_objects.create(
        org=org,
        org_path=org.path,
        bank=bank,
        title=title,
        question_count=count,
        time_limit_minutes=minutes,
        pass_score=passing,
        opens_at=opens,
        closes_at=closes,
        created_by=user_or_none(actor),
    )
    audit(
        actor,
        "study.quiz.created",
        quiz,
        org_path=quiz.org_path,
        changes={
            "title": title,
            "bank": bank.pk,
            "question_count": count,
            "time_limit_minutes": minutes,
            "pass_score": passing,
            "opens_at": opens,
            "closes_at": closes,
        },
    )
    return quiz


# ---------------------------------------------------------------------------------------------
# Attempts


def _expire(attempt_id: int, deadline: dt.datetime) -> bool:
    """Close an unsubmitted attempt whose time ran out: no answers, 0 points. True when this
    call closed it."""
    return bool(
        QuizAttempt.all_objects.filter(pk=attempt_id, submitted_at__isnull=True).update(
            submitted_at=deadline, answers={}, correct_count=0, score=0, passed=False
        )
    )


def _audit_expired(actor, attempt: QuizAttempt) -> None:
    audit(
        actor,
        "study.attempt.expired",
        attempt.quiz,
        org_path=attempt.org_path,
        changes={"attempt": attempt.pk, "member": attempt.member_id, "score": 0},
    )


def attempts_close_expired(
    *,
    quiz: Quiz | None = None,
    member: Member | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Close every attempt whose time (and grace) ran out unsubmitted, as 0: a job, or a page
    about to show the results of a test (`quiz`) or a member's tests (`member`). One query
    when there is none; each one closed is audited. Returns how many were closed."""
    now = now or timezone.now()
    qs = QuizAttempt.all_objects.filter(submitted_at__isnull=True, deadline_at__lt=now - GRACE)
    if quiz is not None:
        qs = qs.filter(quiz=quiz)
    if member is not None:
        qs = qs.filter(member=member)
    due = list(qs.order_by("id").values_list("pk", flat=True)[:1000])
    if not due:
        return 0
    closed = 0
    for attempt in QuizAttempt.all_objects.filter(pk__in=due).select_related("quiz"):
        with transaction.atomic():
            if _expire(attempt.pk, attempt.deadline_at):
                _audit_expired(None, attempt)
                closed += 1
    return closed


def quiz_start(
    *, actor, quiz: Quiz, now: dt.datetime | None = None, member: Member | None = None
) -> QuizAttempt:
    """The member's one attempt: started once (starting again returns the running attempt),
    with the questions drawn for him and a deadline of the time limit, cut by the closing
    time. After he submitted, or after his time ran out, AppError."""
    member = acting_member(actor, member)
    if not in_library_of(member, quiz.org_path):
        raise deny()
    now = now or timezone.now()
    expired = None
    with transaction.atomic():
        existing = (
            QuizAttempt.all_objects.select_for_update().filter(quiz=quiz, member=member).first()
        )
        if existing is not None:
            if existing.submitted_at is not None:
                raise AppError(DONE)
            if now <= existing.deadline_at + GRACE:
                return existing
            if _expire(existing.pk, existing.deadline_at):
                _audit_expired(actor, existing)
            expired = existing
        else:
            if now < quiz.opens_at:
                raise AppError(
                    f"测试尚未开始，开始时间为{timezone.localtime(quiz.opens_at):%Y-%m-%d %H:%M}。"
                )
            if now >= quiz.closes_at:
                raise AppError("测试已截止。")
            attempt = _create_attempt(actor, quiz, member, now)
            if attempt is not None:
                return attempt
    if expired is not None:
        raise AppError("您本次测试的答题时间已过，未交卷按0分计。" + DONE)
    # another device started it at the same moment: that attempt is his
    return QuizAttempt.all_objects.get(quiz=quiz, member=member)


def _create_attempt(actor, quiz: Quiz, member: Member, now: dt.datetime) -> QuizAttempt | None:
    pool = list(
        Question.all_objects.filter(bank_id=quiz.bank_id, is_active=True).values_list(
            "pk", flat=True
        )
    )
    try:
        drawn = rules.draw_questions(pool, quiz.question_count, seed=f"{quiz.pk}:{member.pk}")
    except ValueError as exc:
        raise AppError(f"{exc}请联系测试的发布组织。") from None
    deadline = min(now + dt.timedelta(minutes=quiz.time_limit_minutes), quiz.closes_at)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.all_objects.create(
                quiz=quiz,
                member=member,
                org_path=member.org_path,
                started_at=now,
                deadline_at=deadline,
                question_ids=drawn,
            )
    except IntegrityError:
        return None
    audit(
        actor,
        "study.attempt.started",
        quiz,
        org_path=member.org_path,
        changes={"attempt": attempt.pk, "member": member.pk, "deadline_at": deadline},
    )
    return attempt


def _clean_answers(answers, questions: dict[int, Question]) -> dict[int, list[int]]:
    """{question id: chosen indexes} from what the page or the API sent; a question not drawn,
    an option that does not exist or two choices on a 单选/判断 is refused."""
    if answers is None:
        return {}
    if not isinstance(answers, dict):
        raise AppError("答案格式不正确。", field="answers")
    clean: dict[int, list[int]] = {}
    for key, value in answers.items():
        try:
            qid = int(key)
        except (TypeError, ValueError):
            raise AppError("答案格式不正确。", field="answers") from None
        question = questions.get(qid)
        if question is None:
            raise AppError("答案中含有本次未抽到的题目。", field="answers")
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple, set)) else [value]
        try:
            chosen = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise AppError("答案格式不正确。", field="answers") from None
        if any(i < 0 or i >= len(question.options) for i in chosen):
            raise AppError("答案中含有不存在的选项。", field="answers")
        if question.kind != "multiple" and len(chosen) > 1:
            raise AppError("单选题和判断题只能选一个答案。", field="answers")
        if chosen:
            clean[qid] = chosen
    return clean


def quiz_submit(
    *,
    actor,
    attempt: QuizAttempt,
    answers: dict[int, list[int]],
    now: dt.datetime | None = None,
) -> QuizAttempt:
    """交卷: only the attempt's member, once, by the deadline (+30 s). Scored at once; a pass
    feeds the member's points. Two submissions at the same moment count once: the row is
    locked and the write is conditional on the attempt still being open."""
    if actor is not None:
        member = member_of(actor)
        if member is None or member.pk != attempt.member_id:
            raise deny()
    now = now or timezone.now()
    late = False
    with transaction.atomic():
        locked = (
            QuizAttempt.all_objects.select_for_update()
            .select_related("quiz")
            .filter(pk=attempt.pk)
            .first()
        )
        if locked is None:
            raise deny()
        if locked.submitted_at is not None:
            raise AppError(TWICE)
        if now > locked.deadline_at + GRACE:
            if _expire(locked.pk, locked.deadline_at):
                _audit_expired(actor, locked)
            late = True
        else:
            result = _score(actor, locked, answers, now)
    if late:
        raise AppError(LATE + "超时未交卷按0分计。")
    return result


def _score(actor, attempt: QuizAttempt, answers, now: dt.datetime) -> QuizAttempt:
    questions = {
        q.pk: q
        for q in Question.all_objects.filter(pk__in=attempt.question_ids).only(
            "pk", "kind", "options", "answer"
        )
    }
    chosen = _clean_answers(answers, questions)
    key = {qid: questions[qid].answer for qid in attempt.question_ids if qid in questions}
    result = rules.score_quiz(key, chosen)
    passed = result.score >= attempt.quiz.pass_score
    stored = {str(qid): v for qid, v in chosen.items()}
    updated = QuizAttempt.all_objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
        submitted_at=now,
        answers=stored,
        correct_count=result.correct,
        score=result.score,
        passed=passed,
    )
    if not updated:
        raise AppError(TWICE)
    audit(
        actor,
        "study.attempt.submitted",
        attempt.quiz,
        org_path=attempt.org_path,
        changes={
            "attempt": attempt.pk,
            "member": attempt.member_id,
            "score": result.score,
            "passed": passed,
        },
    )
    if passed:
        points_changed([attempt.member_id], timezone.localtime(now))
    attempt.refresh_from_db()
    return attempt
