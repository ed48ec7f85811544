"""Library and self-test endpoints under /api/study: the same selectors, access functions and
services as the pages; outsiders get 404, bad input 400 with the Chinese message.

A member: GET /materials (his library, with his progress and due date), POST
/materials/{id}/progress (open / complete), GET /quizzes (open ones, with his attempt), POST
/quizzes/{id}/attempts (start: the drawn questions, never their answers), POST
/attempts/{id}/submit (answers → score and the wrong ones; their right answers once the test has
closed), GET /attempts/{id}. A manager (study.manage): POST /banks, POST /banks/{id}/questions, POST
/quizzes, GET /quizzes/{id}/results."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.db.models import OuterRef, Subquery, Value
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny
from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.members.api import ERRORS
from dangjian.orgs.selectors import access_org
from dangjian.study import selectors_library as sel
from dangjian.study import selectors_quiz as qsel
from dangjian.study import services_library as lib
from dangjian.study import services_quiz as quizzes
from dangjian.study.models import (
    QuizAttempt,
    ReadingAssignment,
    ReadingProgress,
    Topic,
)

router = Router(tags=["学习培训"])
MANAGE = sel.MANAGE
Id = Field(..., ge=1, le=2**62)


class _Lazy:
    """A queryset shaped one page at a time: `len()` is one COUNT, a slice loads its rows and
    hands them to `shape` (for the paginator)."""

    def __init__(self, queryset, shape):
        self.queryset = queryset
        self.shape = shape

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, key):
        return self.shape(list(self.queryset[key]))


def _tenth(value) -> Decimal | None:
    """A score as the model keeps it, to 0.1 ("80.0"), whatever the database hands back."""
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


def _library(request) -> None:
    if not sel.uses_library(request.user):
        raise deny()


def _manager(request) -> None:
    if not sel.manages_any(request.user):
        raise deny()


# ---------------------------------------------------------------------------------------------
# Materials


class MaterialFilter(Schema):
    topic: int | None = Field(None, ge=1, le=2**62, description="专题")
    kind: Literal["document", "video", "link"] | None = Field(
        None, description="document 文档 / video 视频 / link 链接"
    )
    q: str = Field("", max_length=50, description="标题包含")


class MaterialOut(Schema):
    id: int
    title: str
    description: str
    topic_id: int
    topic: str = Field(description="专题名称")
    kind: str
    org_id: int
    org_name: str
    minutes: int = Field(description="预计学习时长（分钟）")
    url: str
    file_name: str
    file_url: str | None = Field(description="文件下载地址（经权限检查）")
    due_on: dt.date | None = Field(None, description="本人的必学完成期限")
    status: str | None = Field(
        None, description="本人的学习进度：not_started 未开始 / reading 学习中 / done 已完成"
    )
    opened_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None

    @staticmethod
    def resolve_topic(obj) -> str:
        return obj.topic.name

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name

    @staticmethod
    def resolve_file_url(obj) -> str | None:
        return reverse("study:material_file", args=[obj.pk]) if obj.file else None

    @staticmethod
    def resolve_status(obj) -> str | None:
        if not getattr(obj, "is_member", False):
            return None
        if obj.completed_at:
            return sel.DONE
        return sel.READING if obj.opened_at else sel.NOT_STARTED


@router.get(
    "/materials",
    response={200: list[MaterialOut], **ERRORS},
    summary="学习资料（本人可见的资料库，含本人进度和必学期限）",
)
@paginate(BoundedLimitOffsetPagination)
def list_materials(request, filters: Query[MaterialFilter]):
    _library(request)
    user = request.user
    topic = Topic.objects.filter(pk=filters.topic).first() if filters.topic else None
    if filters.topic and topic is None:
        return sel.material_list(user).none()
    q = filters.q.replace("\x00", "").strip()
    qs = sel.material_list(user, topic=topic, kind=filters.kind or "", q=q)
    member = sel.member_of(user)
    if member is None:
        return qs
    progress = ReadingProgress.all_objects.filter(material_id=OuterRef("pk"), member=member)
    due = ReadingAssignment.all_objects.filter(
        material_id=OuterRef("pk"), org_path__in=sel.ancestor_paths(member.org_path)
    ).order_by("due_on")
    return qs.annotate(
        due_on=Subquery(due.values("due_on")[:1]),
        opened_at=Subquery(progress.values("opened_at")[:1]),
        completed_at=Subquery(progress.values("completed_at")[:1]),
        is_member=Value(True),
    )


class ProgressIn(Schema):
    action: Literal["open", "complete"] = Field(
        description="open 开始学习（重复调用不变）/ complete 标记为已学完"
    )


class ProgressOut(Schema):
    material_id: int
    status: str = Field(description="reading 学习中 / done 已完成")
    opened_at: dt.datetime
    completed_at: dt.datetime | None


@router.post(
    "/materials/{int:material_id}/progress",
    response={200: ProgressOut, **ERRORS},
    summary="记录本人的学习进度",
)
def material_progress(request, material_id: int, payload: ProgressIn):
    material = sel.access_material(request.user, material_id)
    service = lib.reading_complete if payload.action == "complete" else lib.reading_open
    progress = service(actor=request.user, material=material)
    return {
        "material_id": material.pk,
        "status": sel.progress_status(progress),
        "opened_at": progress.opened_at,
        "completed_at": progress.completed_at,
    }


# ---------------------------------------------------------------------------------------------
# Quizzes and attempts


class QuizFilter(Schema):
    state: Literal["open", "upcoming", "closed", "all"] = Field(
        "open", description="open 进行中（默认）/ upcoming 未开始 / closed 已截止 / all 全部"
    )


class QuizOut(Schema):
    id: int
    title: str
    org_id: int
    org_name: str
    bank_id: int
    question_count: int
    time_limit_minutes: int
    pass_score: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    my_attempt_id: int | None = Field(None, description="本人的作答记录")
    my_state: str | None = Field(
        None, description="running 作答中 / submitted 已交卷 / expired 超时未交卷（0分）"
    )
    my_score: Decimal | None = None

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj.org.name


@router.get(
    "/quizzes",
    response={200: list[QuizOut], **ERRORS},
    summary="自测（默认为本人可参加、正在进行的）",
)
@paginate(BoundedLimitOffsetPagination)
def list_quizzes(request, filters: Query[QuizFilter]):
    _library(request)
    user = request.user
    qs = qsel.quiz_list(user, state="" if filters.state == "all" else filters.state)
    member = sel.member_of(user)
    if member is None:
        return qs
    quizzes.attempts_close_expired(member=member)
    mine = QuizAttempt.all_objects.filter(quiz_id=OuterRef("pk"), member=member)
    now = timezone.now()

    def shape(rows):
        for quiz in rows:
            quiz.my_attempt_id = quiz.attempt_pk
            if quiz.attempt_pk:
                state = qsel.SUBMITTED if quiz.attempt_submitted else qsel.RUNNING
                if state == qsel.RUNNING and now > quiz.attempt_deadline + qsel.GRACE:
                    state = qsel.EXPIRED
                quiz.my_state = state
                quiz.my_score = _tenth(
                    {qsel.SUBMITTED: quiz.attempt_score, qsel.EXPIRED: 0}.get(state)
                )
        return rows

    annotated = qs.annotate(
        attempt_pk=Subquery(mine.values("pk")[:1]),
        attempt_submitted=Subquery(mine.values("submitted_at")[:1]),
        attempt_deadline=Subquery(mine.values("deadline_at")[:1]),
        attempt_score=Subquery(mine.values("score")[:1]),
    )
    return _Lazy(annotated, shape)


class QuestionOut(Schema):
    id: int
    number: int
    kind: str = Field(description="single 单选题 / multiple 多选题 / judge 判断题")
    text: str
    options: list[str]


class WrongOut(Schema):
    question_id: int
    number: int
    kind: str
    text: str
    options: list[str]
    given: list[int] = Field(description="所选选项（0 为 A）")
    right: list[int] | None = Field(description="正确选项；测试截止前为 null（截止后公布）")
    explanation: str | None = Field(description="解析；测试截止前为 null")
    rule_ref: str | None = Field(description="依据规则；测试截止前为 null")


class AttemptOut(Schema):
    id: int
    quiz_id: int
    member_id: int
    state: str = Field(description="running 作答中 / submitted 已交卷 / expired 超时未交卷（0分）")
    started_at: dt.datetime
    deadline_at: dt.datetime = Field(description="交卷期限（另有30秒宽限）")
    seconds_left: int
    submitted_at: dt.datetime | None
    questions: list[QuestionOut] = Field(description="作答中时为抽到的题目（不含答案）")
    score: Decimal | None
    passed: bool | None
    correct_count: int
    total: int
    wrong: list[WrongOut] = Field(
        description="交卷后为答错和未答的题目；正确答案和解析在测试截止后公布"
        "（发布组织的管理者随时可见）。查看者本人尚在作答同一测试时为空"
    )
    answers_shown: bool = Field(description="是否已给出正确答案和解析")
    answers_public_at: dt.datetime = Field(description="公布正确答案的时间（测试截止）")


def _attempt_out(request, attempt: QuizAttempt, *, own: bool) -> dict:
    now = timezone.now()
    state = qsel.attempt_state(attempt, now)
    level = qsel.review_level(request.user, attempt, now) if state != qsel.RUNNING else None
    body = {
        "id": attempt.pk,
        "quiz_id": attempt.quiz_id,
        "member_id": attempt.member_id,
        "state": state,
        "started_at": attempt.started_at,
        "deadline_at": attempt.deadline_at,
        "seconds_left": max(int((attempt.deadline_at - now).total_seconds()), 0)
        if state == qsel.RUNNING
        else 0,
        "submitted_at": attempt.submitted_at,
        "questions": [],
        "score": _tenth({qsel.SUBMITTED: attempt.score, qsel.EXPIRED: 0}.get(state)),
        "passed": attempt.passed
        if state == qsel.SUBMITTED
        else (False if state == qsel.EXPIRED else None),
        "correct_count": attempt.correct_count,
        "total": len(attempt.question_ids),
        "wrong": [],
        "answers_shown": level == qsel.REVIEW_FULL,
        "answers_public_at": qsel.answers_public_at(attempt.quiz),
    }
    if state == qsel.RUNNING:
        if own:
            body["questions"] = [
                {"id": q.pk, "number": n, "kind": q.kind, "text": q.text, "options": q.options}
                for n, q in enumerate(qsel.attempt_questions(attempt), start=1)
            ]
    else:
        body["wrong"] = [
            {
                "question_id": r.question.pk,
                "number": r.number,
                "kind": r.question.kind,
                "text": r.question.text,
                "options": r.question.options,
                "given": r.given,
                "right": r.right if r.shown else None,
                "explanation": r.question.explanation if r.shown else None,
                "rule_ref": r.question.rule_ref if r.shown else None,
            }
            for r in qsel.attempt_review(attempt, level)
            if not r.correct
        ]
    return body


@router.post(
    "/quizzes/{int:quiz_id}/attempts",
    response={201: AttemptOut, **ERRORS},
    summary="开始自测（返回抽到的题目，不含答案；再次调用返回同一次作答）",
)
def start_attempt(request, quiz_id: int):
    quiz = qsel.access_quiz(request.user, quiz_id)
    attempt = quizzes.quiz_start(actor=request.user, quiz=quiz)
    return Status(201, _attempt_out(request, attempt, own=True))


class SubmitIn(Schema):
    answers: dict[int, list[int]] = Field(
        default_factory=dict,
        description="题目编号 → 所选选项（0 为 A）；未作答的题可不填",
    )


@router.post(
    "/attempts/{int:attempt_id}/submit",
    response={200: AttemptOut, **ERRORS},
    summary="交卷（限时内，另有30秒宽限；只能一次）",
)
def submit_attempt(request, attempt_id: int, payload: SubmitIn):
    attempt = qsel.access_attempt(request.user, attempt_id)
    member = sel.member_of(request.user)
    if member is None or member.pk != attempt.member_id:
        raise deny()
    if len(payload.answers) > quizzes.QUESTIONS_MAX:
        raise AppError("答案中含有本次未抽到的题目。", field="answers")
    done = quizzes.quiz_submit(actor=request.user, attempt=attempt, answers=payload.answers)
    return _attempt_out(request, done, own=True)


@router.get(
    "/attempts/{int:attempt_id}",
    response={200: AttemptOut, **ERRORS},
    summary="一次作答（本人或其党支部的管理者）",
)
def get_attempt(request, attempt_id: int):
    attempt = qsel.access_attempt(request.user, attempt_id)
    own = getattr(sel.member_of(request.user), "pk", None) == attempt.member_id
    return _attempt_out(request, attempt, own=own)


# ---------------------------------------------------------------------------------------------
# Managers: banks, questions, quizzes, results


class BankIn(Schema):
    org_id: int = Id
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=2000)


class BankOut(Schema):
    id: int
    org_id: int
    title: str
    description: str


@router.post("/banks", response={201: BankOut, **ERRORS}, summary="新建题库")
def create_bank(request, payload: BankIn):
    _manager(request)
    org = access_org(request.user, payload.org_id, need=MANAGE)
    bank = quizzes.bank_create(
        actor=request.user, org=org, title=payload.title, description=payload.description
    )
    return Status(201, bank)


class QuestionIn(Schema):
    kind: Literal["single", "multiple", "judge"] = Field(
        description="single 单选题 / multiple 多选题 / judge 判断题"
    )
    text: str = Field(..., max_length=2000)
    options: list[str] = Field(
        default_factory=list, max_length=6, description="选项（判断题不填，固定为 正确/错误）"
    )
    answer: list[int] = Field(
        ..., max_length=6, description="正确选项（0 为 A；判断题 0 正确 1 错误）"
    )
    explanation: str = Field("", max_length=2000)
    rule_ref: str = Field("", max_length=20)


class BankQuestionOut(Schema):
    id: int
    bank_id: int
    kind: str
    text: str
    options: list[str]
    answer: list[int]
    explanation: str
    rule_ref: str
    is_active: bool


@router.post(
    "/banks/{int:bank_id}/questions",
    response={201: BankQuestionOut, **ERRORS},
    summary="向题库添加试题",
)
def add_question(request, bank_id: int, payload: QuestionIn):
    bank = qsel.access_bank(request.user, bank_id)
    question = quizzes.question_add(actor=request.user, bank=bank, **payload.dict())
    return Status(201, question)


class QuizIn(Schema):
    org_id: int = Id
    bank_id: int = Id
    title: str = Field(..., max_length=200)
    question_count: int = Field(..., ge=1, le=100)
    time_limit_minutes: int = Field(..., ge=1, le=180)
    pass_score: int = Field(60, ge=1, le=100)
    opens_at: dt.datetime
    closes_at: dt.datetime


@router.post("/quizzes", response={201: QuizOut, **ERRORS}, summary="发布自测")
def create_quiz(request, payload: QuizIn):
    _manager(request)
    org = access_org(request.user, payload.org_id, need=MANAGE)
    bank = qsel.access_bank(request.user, payload.bank_id)  # it holds the answers
    quiz = quizzes.quiz_create(
        actor=request.user,
        org=org,
        bank=bank,
        title=payload.title,
        question_count=payload.question_count,
        time_limit_minutes=payload.time_limit_minutes,
        pass_score=payload.pass_score,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
    )
    return Status(201, quiz)


class QuizResultOut(Schema):
    attempt_id: int
    member_id: int
    member_name: str
    branch_id: int
    branch_name: str
    state: str
    started_at: dt.datetime
    submitted_at: dt.datetime | None
    correct_count: int
    total: int
    score: Decimal | None = Field(description="计分（超时未交卷为0）")
    passed: bool | None


@router.get(
    "/quizzes/{int:quiz_id}/results",
    response={200: list[QuizResultOut], **ERRORS},
    summary="自测成绩（本人管理范围内的党员，高分在前）",
)
@paginate(BoundedLimitOffsetPagination)
def quiz_results(request, quiz_id: int):
    _manager(request)
    quiz = qsel.access_quiz(request.user, quiz_id)
    now = timezone.now()
    quizzes.attempts_close_expired(quiz=quiz, now=now)

    def shape(attempts):
        out = []
        for a in attempts:
            state = qsel.attempt_state(a, now)
            out.append(
                {
                    "attempt_id": a.pk,
                    "member_id": a.member_id,
                    "member_name": a.member.name,
                    "branch_id": a.member.branch_id,
                    "branch_name": a.member.branch.name,
                    "state": state,
                    "started_at": a.started_at,
                    "submitted_at": a.submitted_at,
                    "correct_count": a.correct_count,
                    "total": len(a.question_ids),
                    "score": _tenth(a.effective),
                    "passed": None if state == qsel.RUNNING else bool(a.passed),
                }
            )
        return out

    return _Lazy(qsel.quiz_results(request.user, quiz, now=now), shape)
