"""Reads of the question banks and the self-tests, always from what the user may see.

Question banks hold the answers: only those who manage the bank's org open them, and only
they draw a test from them. A test belongs to an org (`org_path`) and is seen by whoever reads
that org's library (selectors_library.sees_path). An attempt is seen by the member who made it
and by the managers of his branch; the right answers of a review wait for the test to close
(`answers_shown`).

- access: `access_bank`, `access_question`, `access_quiz`, `access_attempt`;
- banks: `bank_list`, `banks_for_quiz`, `bank_questions`, `bank_has_attempts`;
- tests: `quiz_list`, `open_quizzes`, `attempts_of`, `quiz_summary`, `quiz_results`,
  `quiz_ranking`, `quiz_top`, `attempt_state`, `timed_out`, `answers_shown`,
  `attempt_questions`, `attempt_review`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.core.access import can, deny, scope_q, subtree_q
from dangjian.core.permissions import Cap
from dangjian.members.models import Member
from dangjian.orgs.models import Org
from dangjian.study.models import Question, QuestionBank, Quiz, QuizAttempt
from dangjian.study.selectors_library import _int, library_q, member_of, percent, sees_path

MANAGE = Cap.STUDY_MANAGE
#: an answer sheet sent this long after the deadline still counts (the network, a slow phone)
GRACE = dt.timedelta(seconds=30)
#: an attempt's state
RUNNING, SUBMITTED, EXPIRED = "running", "submitted", "expired"
ATTEMPT_LABELS = {RUNNING: "作答中", SUBMITTED: "已交卷", EXPIRED: "超时未交卷（按0分计）"}
CHOICES_MAX = 300


# ---------------------------------------------------------------------------------------------
# Access to one object


def access_bank(user, bank_id, need: Cap = MANAGE) -> QuestionBank:
    """A bank: its questions carry the answers, so only those who manage its org open it."""
    pk = _int(bank_id)
    found = QuestionBank.all_objects.select_related("org").filter(pk=pk).first() if pk else None
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


def access_question(user, question_id) -> Question:
    pk = _int(question_id)
    found = (
        Question.all_objects.select_related("bank", "bank__org").filter(pk=pk).first()
        if pk
        else None
    )
    if found is None or not can(user, MANAGE, found.bank.org_path):
        raise deny()
    return found


def access_quiz(user, quiz_id, need: Cap | None = None) -> Quiz:
    """A quiz the user sees (`need=None`) or manages (`need=MANAGE`); 404 otherwise."""
    pk = _int(quiz_id)
    found = Quiz.all_objects.select_related("org", "bank").filter(pk=pk).first() if pk else None
    if found is None:
        raise deny()
    if need is not None:
        if not can(user, need, found.org_path):
            raise deny()
    elif not sees_path(user, found.org_path):
        raise deny()
    return found


def access_attempt(user, attempt_id) -> QuizAttempt:
    """An attempt: the member who made it, or a manager of his branch."""
    pk = _int(attempt_id)
    found = (
        QuizAttempt.all_objects.select_related("quiz", "quiz__org", "member", "member__branch")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None:
        raise deny()
    member = member_of(user)
    if member is not None and member.pk == found.member_id:
        return found
    if can(user, MANAGE, found.org_path):
        return found
    raise deny()


# ---------------------------------------------------------------------------------------------
# Banks


def _count_of(queryset):
    """A correlated COUNT over `queryset` (filtered on OuterRef("pk")), 0 when none: two
    counts of one bank as joins would multiply each other."""
    counted = queryset.order_by().values("bank_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _with_counts(queryset):
    return queryset.annotate(
        active_count=_count_of(Question.all_objects.filter(bank_id=OuterRef("pk"), is_active=True)),
        quiz_count=_count_of(Quiz.all_objects.filter(bank_id=OuterRef("pk"))),
    )


def bank_list(user):
    """Banks the user keeps (study.manage on their org), with their active question counts and
    how many tests draw from them."""
    return _with_counts(
        QuestionBank.all_objects.filter(scope_q(user, MANAGE, "org_path")).select_related("org")
    ).order_by("org__path", "-created_at", "-id")


def banks_for_quiz(user) -> list[QuestionBank]:
    """Banks a test may draw from: those the user keeps. A bank above him stays hidden (it
    holds the answers): its own level's managers draw tests from it."""
    return list(
        _with_counts(
            QuestionBank.all_objects.filter(scope_q(user, MANAGE, "org_path")).select_related("org")
        ).order_by("org__path", "title", "id")[:CHOICES_MAX]
    )


def bank_questions(bank: QuestionBank, *, retired: bool = False):
    """The bank's questions (the caller checked access), in the order they were added."""
    return Question.all_objects.filter(bank=bank, is_active=not retired).order_by("id")


def bank_has_attempts(bank: QuestionBank) -> bool:
    """Has any test drawn from the bank been taken? Then its questions are history."""
    return QuizAttempt.all_objects.filter(quiz__bank=bank).exists()


# ---------------------------------------------------------------------------------------------
# Quizzes and attempts


def timed_out(attempt: QuizAttempt, now: dt.datetime | None = None) -> bool:
    """Did the attempt end by its time running out (closed with no answers, or about to be)?"""
    state = attempt_state(attempt, now)
    if state == EXPIRED:
        return True
    return (
        state == SUBMITTED and attempt.submitted_at == attempt.deadline_at and not attempt.answers
    )


def attempt_state(attempt: QuizAttempt | None, now: dt.datetime | None = None) -> str | None:
    if attempt is None:
        return None
    if attempt.submitted_at is not None:
        return SUBMITTED
    now = now or timezone.now()
    return EXPIRED if now > attempt.deadline_at + GRACE else RUNNING


def quiz_state(quiz: Quiz, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if now < quiz.opens_at:
        return "upcoming"
    return "open" if now < quiz.closes_at else "closed"


QUIZ_STATE_LABELS = {"upcoming": "未开始", "open": "进行中", "closed": "已截止"}


def quiz_list(user, *, state: str = "", now: dt.datetime | None = None):
    """The quizzes of the user's library, newest first."""
    now = now or timezone.now()
    qs = Quiz.all_objects.filter(library_q(user)).select_related("org", "bank")
    if state == "open":
        qs = qs.filter(opens_at__lte=now, closes_at__gt=now)
    elif state == "upcoming":
        qs = qs.filter(opens_at__gt=now)
    elif state == "closed":
        qs = qs.filter(closes_at__lte=now)
    return qs.order_by("-opens_at", "-id")


def open_quizzes(user, now: dt.datetime | None = None):
    return quiz_list(user, state="open", now=now)


def attempts_of(member: Member | None, quiz_ids) -> dict[int, QuizAttempt]:
    """{quiz id: the member's attempt}: one query."""
    if member is None:
        return {}
    rows = QuizAttempt.all_objects.filter(member=member, quiz_id__in=list(quiz_ids))
    return {a.quiz_id: a for a in rows}


def _effective_score(now: dt.datetime):
    """The score an attempt counts with: its score once submitted, 0 once its time ran out
    unsubmitted, else none yet."""
    return Case(
        When(submitted_at__isnull=False, then=F("score")),
        When(deadline_at__lt=now - GRACE, then=Value(Decimal("0"))),
        default=None,
        output_field=DecimalField(max_digits=5, decimal_places=1),
    )


def _finished_q(now: dt.datetime) -> Q:
    return Q(submitted_at__isnull=False) | Q(deadline_at__lt=now - GRACE)


def _results_base(user, quiz: Quiz, org: Org | None = None):
    qs = QuizAttempt.all_objects.filter(quiz=quiz).filter(scope_q(user, MANAGE, "org_path"))
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    return qs


@dataclass
class QuizSummary:
    started: int
    finished: int
    passed: int
    average: Decimal | None

    @property
    def pass_rate(self) -> int:
        return percent(self.passed, self.finished)


def quiz_summary(user, quiz: Quiz, org: Org | None = None, now=None) -> QuizSummary:
    """The attempts of the members the user manages: one query."""
    now = now or timezone.now()
    row = (
        _results_base(user, quiz, org)
        .annotate(effective=_effective_score(now))
        .aggregate(
            started=Count("pk"),
            finished=Count("pk", filter=_finished_q(now)),
            passed=Count("pk", filter=Q(passed=True)),
            average=Avg("effective"),
        )
    )
    avg = row["average"]
    return QuizSummary(
        row["started"],
        row["finished"],
        row["passed"],
        Decimal(str(avg)).quantize(Decimal("0.1")) if avg is not None else None,
    )


def quiz_results(user, quiz: Quiz, org: Org | None = None, now=None):
    """Every attempt of the members the user manages, best first (unfinished last): a
    queryset with `effective` (the score it counts with) for a paginator or an export."""
    now = now or timezone.now()
    return (
        _results_base(user, quiz, org)
        .select_related("member", "member__branch")
        .annotate(effective=_effective_score(now))
        .order_by(F("effective").desc(nulls_last=True), "submitted_at", "id")
    )


@dataclass
class OrgRank:
    org: Org | None
    path: str
    finished: int
    passed: int
    average: Decimal

    @property
    def pass_rate(self) -> int:
        return percent(self.passed, self.finished)


def quiz_ranking(user, quiz: Quiz, org: Org | None = None, now=None) -> list[OrgRank]:
    """Per branch (the members' org when they started): the average score of the finished
    attempts, best first. Two queries."""
    now = now or timezone.now()
    grouped = (
        _results_base(user, quiz, org)
        .filter(_finished_q(now))
        .annotate(effective=_effective_score(now))
        .values("org_path")
        .annotate(
            finished=Count("pk"),
            passed=Count("pk", filter=Q(passed=True)),
            average=Avg("effective"),
        )
        .order_by("org_path")
    )
    rows = list(grouped)
    orgs = {o.path: o for o in Org.all_objects.filter(path__in=[r["org_path"] for r in rows])}
    out = [
        OrgRank(
            orgs.get(r["org_path"]),
            r["org_path"],
            r["finished"],
            r["passed"],
            Decimal(str(r["average"] or 0)).quantize(Decimal("0.1")),
        )
        for r in rows
    ]
    out.sort(key=lambda r: (-r.average, -r.pass_rate, r.path))
    return out


def quiz_top(user, quiz: Quiz, org: Org | None = None, now=None, limit: int = 10) -> list:
    """The best submitted attempts (highest score, then the earliest), with their member."""
    return list(
        _results_base(user, quiz, org)
        .filter(submitted_at__isnull=False)
        .select_related("member", "member__branch")
        .order_by("-score", "submitted_at", "id")[:limit]
    )


#: how much of an attempt's review a viewer sees (`review_level`)
REVIEW_FULL, REVIEW_MARKS, REVIEW_NONE = "full", "marks", "none"
#: shown where the right answers are held back
ANSWERS_LATER = "测试截止后公布正确答案。"


def answers_public_at(quiz: Quiz) -> dt.datetime:
    """When the right answers become public: the test has closed and no answer sheet can
    still arrive (the last deadline is the closing time, plus the grace)."""
    return quiz.closes_at + GRACE


def has_running_attempt(member: Member | None, quiz_id: int, now: dt.datetime) -> bool:
    """Can the member still hand in an answer sheet for this test?"""
    if member is None:
        return False
    return QuizAttempt.all_objects.filter(
        quiz_id=quiz_id, member=member, submitted_at__isnull=True, deadline_at__gte=now - GRACE
    ).exists()


def review_level(user, attempt: QuizAttempt, now: dt.datetime | None = None) -> str:
    """What `user` sees of the attempt's review.

    - REVIEW_FULL: the right options, the explanation and the rule: for everyone once the
      test has closed; before, for those who manage the test's org;
    - REVIEW_MARKS: each question, the answer given and whether it was right: the member
      himself, and the managers of his branch, until the test closes;
    - REVIEW_NONE: a viewer who can still hand in his own answer sheet for this test sees
      nothing of another's answers (whatever he manages)."""
    now = now or timezone.now()
    quiz = attempt.quiz
    if now >= answers_public_at(quiz):
        return REVIEW_FULL
    viewer = member_of(user)
    own = viewer is not None and viewer.pk == attempt.member_id
    if not own and has_running_attempt(viewer, attempt.quiz_id, now):
        return REVIEW_NONE
    if can(user, MANAGE, quiz.org_path):
        return REVIEW_FULL
    return REVIEW_MARKS


@dataclass
class ReviewItem:
    number: int
    question: Question
    given: list[int]
    right: list[int]
    correct: bool
    #: are the right options, the explanation and the rule shown?
    shown: bool = True

    @property
    def lettered(self) -> list[tuple[str, str]]:
        return list(zip("ABCDEF", self.question.options, strict=False))

    @property
    def given_letters(self) -> str:
        return letters(self.given, self.question)

    @property
    def right_letters(self) -> str:
        return letters(self.right, self.question) if self.shown else ""


def letters(indexes, question: Question | None = None) -> str:
    """Chosen options as letters ("ACD"), or the option's word for a 判断题 ("正确")."""
    if not indexes:
        return "未作答"
    if question is not None and question.kind == "judge":
        return "、".join(question.options[i] for i in indexes if 0 <= i < len(question.options))
    return "".join(chr(ord("A") + i) for i in sorted(indexes))


def attempt_questions(attempt: QuizAttempt) -> list[Question]:
    """The drawn questions in the order drawn (retired ones included: they are history)."""
    by_id = {q.pk: q for q in Question.all_objects.filter(pk__in=attempt.question_ids)}
    return [by_id[i] for i in attempt.question_ids if i in by_id]


def attempt_review(attempt: QuizAttempt, level: str = REVIEW_FULL) -> list[ReviewItem]:
    """Every drawn question with the answer given and whether it was right, and at
    REVIEW_FULL the right one: one query (none at REVIEW_NONE). Below REVIEW_FULL the
    questions handed out lose their answer, explanation and rule, so no page or API body can
    show them by mistake."""
    if level == REVIEW_NONE:
        return []
    shown = level == REVIEW_FULL
    answers = {int(k): list(v) for k, v in (attempt.answers or {}).items()}
    items = []
    for n, q in enumerate(attempt_questions(attempt), start=1):
        given = answers.get(q.pk, [])
        right = list(q.answer)
        correct = sorted(set(given)) == sorted(set(right))
        if not shown:
            q.answer, q.explanation, q.rule_ref = [], "", ""
        items.append(ReviewItem(n, q, given, right if shown else [], correct, shown))
    return items
