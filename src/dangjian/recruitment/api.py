"""发展党员 endpoints (mounted at /api/recruitment): the same selectors, access function and
services as the pages. Reading needs recruit.manage on the candidate's branch (or
recruit.approve above it); recording a step needs what the step needs (the branch's steps
recruit.manage, the committee's recruit.approve strictly above the branch). Outsiders get 404;
refusals 400 with {"detail", "field"}."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.core.permissions import Cap
from dangjian.members.api import ERRORS
from dangjian.orgs.selectors import access_org
from dangjian.recruitment import selectors as sel
from dangjian.recruitment import services
from dangjian.rules.recruitment_steps import STAGE_LABELS, STEP_CODES, step_label

router = Router(tags=["发展党员"])

Id = Field(..., ge=1, le=2**62)
StageCode = Literal["applicant", "activist", "prospect", "probationary", "full"]
StatusCode = Literal["active", "converted", "withdrawn", "cancelled", "all"]
StepCode = Literal[STEP_CODES]  # type: ignore[valid-type]


class RecruitCandidateOut(Schema):
    id: int
    name: str
    sex: str = Field(description="1 男 / 2 女")
    birth_date: dt.date
    branch_id: int
    branch_name: str
    stage: str
    stage_label: str
    status: str
    status_label: str
    status_reason: str
    next_due_on: dt.date | None
    next_due_label: str
    error_count: int
    warning_count: int
    member_id: int | None

    @staticmethod
    def resolve_branch_name(obj) -> str:
        return obj.branch.name

    @staticmethod
    def resolve_stage_label(obj) -> str:
        return STAGE_LABELS.get(obj.stage, obj.stage)

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class RecruitEventOut(Schema):
    id: int
    step: str
    step_label: str
    on: dt.date
    end_on: dt.date | None
    days: int | None
    hours: Decimal | None
    passed: bool | None
    months: int | None
    people: list[int]
    people_text: str
    meeting_id: int | None
    vote_id: int | None
    body: str
    note: str
    override_reason: str

    @staticmethod
    def resolve_step_label(obj) -> str:
        return step_label(obj.step)

    @staticmethod
    def resolve_people(obj) -> list[int]:
        return [m.pk for m in obj.people.all()]


class RecruitFindingOut(Schema):
    rule_id: str
    level: str = Field(description="error 违规 / warning 提醒 / info 说明")
    message: str
    field: str | None = Field(None, description="所涉步骤代码")


class RecruitDeadlineOut(Schema):
    step: str
    due_on: dt.date
    rule_id: str
    label: str
    kind: str = Field(description="by 最迟 / not_before 最早")
    level: str


class RecruitCandidateDetailOut(RecruitCandidateOut):
    ethnicity: str
    education: str
    unit_post: str
    leaving_on: dt.date | None
    events: list[RecruitEventOut]
    findings: list[RecruitFindingOut]
    deadlines: list[RecruitDeadlineOut]

    # the view puts the candidate's rows and the engine's answers on the object
    @staticmethod
    def resolve_events(obj) -> list:
        return obj.api_rows

    @staticmethod
    def resolve_findings(obj) -> list[dict]:
        return obj.api_findings

    @staticmethod
    def resolve_deadlines(obj) -> list[dict]:
        return obj.api_deadlines


class RecruitCandidateFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="只看该组织及其下级")
    stage: StageCode | None = None
    status: StatusCode = Field("active", description="默认只看培养中的")
    q: str = Field("", max_length=50, description="按姓名搜索")


class RecruitCandidateIn(Schema):
    branch_id: int = Id
    name: str = Field(..., min_length=1, max_length=50)
    sex: Literal["1", "2"]
    birth_date: dt.date
    application_on: dt.date = Field(description="递交入党申请书日期")
    ethnicity: str = Field("01", max_length=2)
    education: str = Field("", max_length=2)
    unit_post: str = Field("", max_length=50)
    leaving_on: dt.date | None = None
    note: str = Field("", max_length=500)


class RecruitMemberIn(Schema):
    """The member items the file does not hold, for an approval that passes (R-INFO-01)."""

    id_number: str = Field(..., max_length=30)
    phone: str = Field(..., max_length=60)
    address: str = Field(..., max_length=200)
    post: str = Field(..., max_length=4, description="工作岗位代码")
    education: str = Field("", max_length=2)


class RecruitEventIn(Schema):
    step: StepCode
    on: dt.date
    end_on: dt.date | None = None
    days: int | None = Field(None, ge=1, le=366)
    hours: Decimal | None = Field(None, gt=0, le=9999, decimal_places=1)
    passed: bool | None = None
    months: int | None = Field(None, ge=1, le=120)
    people: list[int] = Field(default_factory=list, max_length=10, description="党员 id")
    people_text: str = Field("", max_length=200)
    meeting_id: int | None = Field(None, ge=1, le=2**62, description="支部党员大会")
    vote_counts: list[int] | None = Field(
        None, min_length=3, max_length=3, description="[赞成, 反对, 弃权]"
    )
    body: str = Field("", max_length=100)
    note: str = Field("", max_length=500)
    override_rule: str = Field("", max_length=20)
    override_reason: str = Field("", max_length=250)
    member: RecruitMemberIn | None = None


def _readable(request) -> None:
    if not has_cap_anywhere(request.user, Cap.RECRUIT_MANAGE):
        raise deny()


def _findings(findings) -> list[dict]:
    return [
        {"rule_id": f.rule_id, "level": str(f.level), "message": f.message, "field": f.field}
        for f in findings
    ]


@router.get(
    "/candidates",
    response={200: list[RecruitCandidateOut], **ERRORS},
    summary="发展对象列表",
)
@paginate(BoundedLimitOffsetPagination)
def list_candidates(request, filters: Query[RecruitCandidateFilter]):
    _readable(request)
    org = access_org(request.user, filters.org, need=Cap.RECRUIT_MANAGE) if filters.org else None
    return sel.candidate_list(
        request.user, org=org, stage=filters.stage, status=filters.status, q=filters.q
    )


@router.post(
    "/candidates",
    response={201: RecruitCandidateOut, **ERRORS},
    summary="登记入党申请人（建立发展党员档案）",
    description="申请时未满十八周岁（R-DEV-01）或申请日期晚于今天的，返回 400。",
)
def create_candidate(request, payload: RecruitCandidateIn):
    branch = access_org(request.user, payload.branch_id, need=Cap.RECRUIT_MANAGE)
    data = payload.model_dump(exclude={"branch_id"})
    candidate = services.candidate_create(actor=request.user, branch=branch, **data)
    return Status(201, candidate)


@router.get(
    "/candidates/{candidate_id}",
    response={200: RecruitCandidateDetailOut, **ERRORS},
    summary="发展对象详情：步骤、违规与提醒、期限",
)
def get_candidate(request, candidate_id: int):
    candidate = sel.access_candidate(request.user, candidate_id)
    today = timezone.localdate()
    rows = sel.events_rows(candidate)
    candidate.api_rows = rows
    candidate.api_findings = _findings(sel.candidate_findings(candidate, today, rows))
    candidate.api_deadlines = [
        {
            "step": d.step,
            "due_on": d.due_on,
            "rule_id": d.rule_id,
            "label": d.label,
            "kind": d.kind,
            "level": str(d.level),
        }
        for d in sel.candidate_deadlines(candidate, today, rows)
    ]
    return candidate


@router.post(
    "/candidates/{candidate_id}/events",
    response={201: RecruitEventOut, **ERRORS},
    summary="登记发展步骤",
    description=(
        "支部办理的步骤须有该支部的发展党员管理权限；上级党委、党组办理的步骤（预审、谈话、"
        "审批、转正审批等）须在支部以上有审批权限。表决步骤（接收、转正、延长预备期、取消资格）"
        "须给出支部党员大会 meeting_id 与 vote_counts；表决未通过返回 400，不登记。"
        "审批通过时须给出 member（身份证号、电话、住址、岗位），据此生成预备党员档案。"
    ),
)
def record_event(request, candidate_id: int, payload: RecruitEventIn):
    candidate = sel.access_candidate(request.user, candidate_id)
    people = sel.members_of_branch(candidate, payload.people)
    if len(people) != len(set(payload.people)):
        raise AppError("所选党员须为本支部党员。", field="people")
    meeting = None
    if payload.meeting_id is not None:
        meeting = sel.assembly_of(candidate, payload.meeting_id)
        if meeting is None:
            raise AppError("请选择本支部召开的支部党员大会。", field="meeting")
    event = services.step_record(
        actor=request.user,
        candidate=candidate,
        step=payload.step,
        on=payload.on,
        end_on=payload.end_on,
        days=payload.days,
        hours=payload.hours,
        passed=payload.passed,
        months=payload.months,
        people=people,
        people_text=payload.people_text,
        meeting=meeting,
        vote_counts=tuple(payload.vote_counts) if payload.vote_counts is not None else None,
        body=payload.body,
        note=payload.note,
        override_rule=payload.override_rule,
        override_reason=payload.override_reason,
        member_fields=payload.member.model_dump() if payload.member is not None else None,
    )
    return Status(201, event)


@router.get(
    "/candidates/{candidate_id}/findings",
    response={200: list[RecruitFindingOut], **ERRORS},
    summary="发展对象的违规与提醒（每项注明规则）",
)
def candidate_findings(request, candidate_id: int):
    candidate = sel.access_candidate(request.user, candidate_id)
    return _findings(sel.candidate_findings(candidate, timezone.localdate()))
