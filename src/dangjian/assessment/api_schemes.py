"""Scheme endpoints, mounted at /api/assessment/schemes: the schemes the caller may see with
their indicator trees, a scheme's ranked results (managers), the caller's assessments, one
assessment with its scores, setting a self score and submitting. Same access functions and
services as the pages: 404 for outsiders, 400 with a Chinese `detail` for refusals."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.assessment import selectors_schemes as sel
from dangjian.assessment import services_assess
from dangjian.assessment.sources import source_label
from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.core.permissions import Cap
from dangjian.members.api import ERRORS

router = Router(tags=["考核评比"])


class SchemeOut(Schema):
    id: int
    owner_id: int
    owner_name: str
    year: int
    name: str
    target: str
    target_label: str
    status: str
    status_label: str
    template_code: str
    self_due: dt.date | None
    review_due: dt.date | None

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return obj["owner_name"] if isinstance(obj, dict) else obj.owner.name

    @staticmethod
    def resolve_target_label(obj) -> str:
        return obj["target_label"] if isinstance(obj, dict) else obj.get_target_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj["status_label"] if isinstance(obj, dict) else obj.get_status_display()


class SchemeIndicatorOut(Schema):
    id: int
    parent_id: int | None
    depth: int
    code: str
    title: str
    is_category: bool
    is_bonus: bool
    max_points: Decimal
    method: str = Field(
        description="manual 人工评分 / deduction 按次扣分 / auto 系统自动计分；类别为空"
    )
    deduction_per: Decimal | None
    auto_source: str
    auto_source_label: str
    guidance: str
    evidence: str
    rule_ids: str


class SchemeDetailOut(SchemeOut):
    notes: str
    copied_from_id: int | None
    base_max: Decimal = Field(description="基本分（不含加分项）")
    bonus_max: Decimal
    indicators: list[SchemeIndicatorOut] = Field(description="按顺序的全部类别和指标（先父后子）")


class SchemeFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


class SchemeResultOut(Schema):
    assessment_id: int
    org_id: int
    org_name: str
    status: str
    rank: int | None
    self_total: Decimal | None
    final_total: Decimal | None
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None


class SchemeAssessmentOut(Schema):
    id: int
    scheme_id: int
    scheme_name: str
    year: int
    org_id: int
    org_name: str
    status: str
    status_label: str
    self_total: Decimal | None
    final_total: Decimal | None
    self_due: dt.date | None
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    review_note: str

    # a list row is the model object; a detail is the dict `_assessment` builds
    @staticmethod
    def resolve_scheme_name(obj) -> str:
        return obj["scheme_name"] if isinstance(obj, dict) else obj.scheme.name

    @staticmethod
    def resolve_year(obj) -> int:
        return obj["year"] if isinstance(obj, dict) else obj.scheme.year

    @staticmethod
    def resolve_org_name(obj) -> str:
        return obj["org_name"] if isinstance(obj, dict) else obj.org.name

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj["status_label"] if isinstance(obj, dict) else obj.get_status_display()

    @staticmethod
    def resolve_self_due(obj):
        return obj["self_due"] if isinstance(obj, dict) else obj.scheme.self_due


class SchemeScoreOut(Schema):
    indicator_id: int
    code: str
    title: str
    method: str
    max_points: Decimal
    self_points: Decimal | None
    self_occurrences: int | None
    self_note: str
    auto_points: Decimal | None
    auto_detail: str
    final_points: Decimal | None
    final_reason: str
    evidence: int


class SchemeAssessmentDetailOut(SchemeAssessmentOut):
    scores: list[SchemeScoreOut]


class SchemeScoreIn(Schema):
    points: Decimal | None = Field(
        None, ge=0, le=1000, description="自评得分（人工评分、系统自动计分的指标）"
    )
    occurrences: int | None = Field(
        None, ge=0, le=100000, description="扣分次数（按次扣分的指标，得分由系统计算）"
    )
    note: str | None = Field(None, max_length=2000, description="自评说明")


def _assessment(a) -> dict:
    return {
        "id": a.pk,
        "scheme_id": a.scheme_id,
        "scheme_name": a.scheme.name,
        "year": a.scheme.year,
        "org_id": a.org_id,
        "org_name": a.org.name,
        "status": a.status,
        "status_label": a.get_status_display(),
        "self_total": a.self_total,
        "final_total": a.final_total,
        "self_due": a.scheme.self_due,
        "submitted_at": a.submitted_at,
        "reviewed_at": a.reviewed_at,
        "review_note": a.review_note,
    }


def _detail(a) -> dict:
    out = _assessment(a)
    out["scores"] = [
        {
            "indicator_id": r.indicator.pk,
            "code": r.indicator.code,
            "title": r.indicator.title,
            "method": r.indicator.method,
            "max_points": r.indicator.max_points,
            "self_points": r.score.self_points,
            "self_occurrences": r.score.self_occurrences,
            "self_note": r.score.self_note,
            "auto_points": r.score.auto_points,
            "auto_detail": r.score.auto_detail,
            "final_points": r.score.final_points,
            "final_reason": r.score.final_reason,
            "evidence": len(r.evidence),
        }
        for r in sel.assessment_sheet(a)
        if r.score is not None
    ]
    return out


@router.get("", response={200: list[SchemeOut], **ERRORS}, summary="考核方案列表")
@paginate(BoundedLimitOffsetPagination)
def list_schemes(request, filters: Query[SchemeFilter]):
    """The schemes the caller runs (assess.manage on the owner), and the published ones with
    an assessment the caller fills."""
    return sel.visible_schemes(request.user, year=filters.year)


@router.get(
    "/assessments",
    response={200: list[SchemeAssessmentOut], **ERRORS},
    summary="我的考核（本人可填写自评的考核）",
)
@paginate(BoundedLimitOffsetPagination)
def my_assessments(request, filters: Query[SchemeFilter]):
    if not has_cap_anywhere(request.user, Cap.ASSESS_SUBMIT):
        raise deny()
    return sel.my_assessments(request.user, year=filters.year)


@router.get(
    "/assessments/{int:assessment_id}",
    response={200: SchemeAssessmentDetailOut, **ERRORS},
    summary="一个组织的考核（含逐项得分）",
)
def get_assessment(request, assessment_id: int):
    return _detail(sel.access_assessment(request.user, assessment_id))


@router.put(
    "/assessments/{int:assessment_id}/scores/{int:indicator_id}",
    response={200: SchemeScoreOut, **ERRORS},
    summary="填写一项自评得分",
    description="按次扣分的指标填写 occurrences（得分按每次扣分计算，扣完为止）；其他指标填写 "
    "points（0至分值）；系统自动计分的指标不填 points 时取系统计分。",
)
def set_score(request, assessment_id: int, indicator_id: int, payload: SchemeScoreIn):
    assessment = sel.access_assessment(request.user, assessment_id, need="submit")
    score = sel.access_score(assessment, indicator_id)
    score = services_assess.score_self_set(
        actor=request.user,
        score=score,
        points=payload.points,
        occurrences=payload.occurrences,
        note=payload.note,
    )
    ind = score.indicator
    return {
        "indicator_id": ind.pk,
        "code": ind.code,
        "title": ind.title,
        "method": ind.method,
        "max_points": ind.max_points,
        "self_points": score.self_points,
        "self_occurrences": score.self_occurrences,
        "self_note": score.self_note,
        "auto_points": score.auto_points,
        "auto_detail": score.auto_detail,
        "final_points": score.final_points,
        "final_reason": score.final_reason,
        "evidence": score.evidence.count(),
    }


@router.post(
    "/assessments/{int:assessment_id}/submit",
    response={200: SchemeAssessmentDetailOut, **ERRORS},
    summary="提交自评",
)
def submit(request, assessment_id: int):
    assessment = sel.access_assessment(request.user, assessment_id, need="submit")
    assessment = services_assess.assessment_submit(actor=request.user, assessment=assessment)
    return _detail(assessment)


@router.get(
    "/{int:scheme_id}",
    response={200: SchemeDetailOut, **ERRORS},
    summary="考核方案详情（含全部类别和指标）",
)
def get_scheme(request, scheme_id: int):
    scheme = sel.access_scheme_view(request.user, scheme_id)
    nodes = sel.scheme_tree(scheme)
    summary = sel.scheme_summary(nodes)
    indicators = []
    for node in sel.flatten(nodes):
        i = node.indicator
        indicators.append(
            {
                "id": i.pk,
                "parent_id": i.parent_id,
                "depth": node.depth,
                "code": i.code,
                "title": i.title,
                "is_category": i.is_category,
                "is_bonus": i.is_bonus,
                "max_points": i.max_points,
                "method": i.method,
                "deduction_per": i.deduction_per,
                "auto_source": i.auto_source,
                "auto_source_label": source_label(i.auto_source) if i.auto_source else "",
                "guidance": i.guidance,
                "evidence": i.evidence,
                "rule_ids": i.rule_ids,
            }
        )
    out = {name: getattr(scheme, name) for name in SchemeOut.model_fields if hasattr(scheme, name)}
    out.update(
        owner_name=scheme.owner.name,
        target_label=scheme.get_target_display(),
        status_label=scheme.get_status_display(),
        notes=scheme.notes,
        copied_from_id=scheme.copied_from_id,
        base_max=summary["base"],
        bonus_max=summary["bonus"],
        indicators=indicators,
    )
    return out


@router.get(
    "/{int:scheme_id}/results",
    response={200: list[SchemeResultOut], **ERRORS},
    summary="考核结果排名（组织单位管理员）",
)
def scheme_results(request, scheme_id: int):
    scheme = sel.access_scheme(request.user, scheme_id)
    return [
        {
            "assessment_id": r.assessment.pk,
            "org_id": r.assessment.org_id,
            "org_name": r.assessment.org.name,
            "status": r.assessment.status,
            "rank": r.rank,
            "self_total": r.assessment.self_total,
            "final_total": r.assessment.final_total,
            "submitted_at": r.assessment.submitted_at,
            "reviewed_at": r.assessment.reviewed_at,
        }
        for r in sel.scheme_results(scheme)
    ]
