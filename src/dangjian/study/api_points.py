"""Endpoints of study notes (心得体会) and member points (党员积分), mounted at /api/study: the
same selectors, access functions and services as the pages. A member submits and lists his
own notes and reads his own points; study.manage lists the notes and rankings of its subtree;
points.scheme (the 工委) saves a new version of the scheme. Outsiders get 404."""

import datetime as dt
from decimal import Decimal

from django.db.models import IntegerField, Value
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.core.permissions import Cap
from dangjian.members.api import ERRORS
from dangjian.study import selectors_points as sel
from dangjian.study import services_notes, services_points
from dangjian.study.selectors_sessions import own_member

router = Router()

MANAGE = Cap.STUDY_MANAGE
Id = Field(None, ge=1, le=2**62)
Year = Field(None, ge=2000, le=2200, description="年度，默认今年")


def _year(value: int | None) -> int:
    return value or timezone.localdate().year


# ---------------------------------------------------------------------------------------------
# Notes


class NoteIn(Schema):
    title: str = Field(..., max_length=200, description="标题")
    text: str = Field(..., max_length=20000, description="正文，20至20000字")
    session_id: int | None = Field(None, ge=1, le=2**62, description="本人参加过的学习培训")
    material_id: int | None = Field(
        None, ge=1, le=2**62, description="本支部或上级组织发布的学习资料"
    )


class NoteOut(Schema):
    id: int
    member_id: int
    member_name: str
    title: str
    submitted_at: dt.datetime
    session_id: int | None
    material_id: int | None

    @staticmethod
    def resolve_member_name(obj) -> str:
        return obj["member_name"] if isinstance(obj, dict) else obj.member.name


class NoteRowOut(NoteOut):
    copy_count: int | None = Field(None, description="疑似雷同的较早文本数（仅管理者可见）")
    top_similarity: float | None = Field(None, description="最高相似度（仅管理者可见）")


class CopyOut(Schema):
    source_type: str = Field(description="study.note 心得体会 / orglife.meeting 会议记录")
    source_id: int | None = Field(description="无权查看的来源为空")
    similarity: float
    visible: bool
    title: str
    org_name: str


class NoteDetailOut(NoteOut):
    text: str
    copies: list[CopyOut] = Field(description="疑似雷同的较早文本（仅管理者可见）")


class NoteFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="组织（管理者），默认可管理的最上级")
    year: int | None = Field(None, ge=2000, le=2200, description="年度，不填为全部年度")
    copied: bool = Field(False, description="只看疑似雷同（管理者）")
    mine: bool = Field(False, description="只看本人的")
    session: int | None = Field(
        None, ge=1, le=2**62, description="只看这次学习培训的（不填组织时为所辖全部组织）"
    )


@router.post(
    "/notes",
    response={201: NoteOut, **ERRORS},
    summary="提交心得体会（党员本人）",
    description="提交后与以往的心得体会和会议记录比对，相似度达到阈值的记为疑似雷同。",
)
def create_note(request, payload: NoteIn):
    member = own_member(request.user)
    if member is None or member.left_on is not None:
        raise deny()
    note = services_notes.note_submit(
        actor=request.user,
        title=payload.title,
        text=payload.text,
        session=payload.session_id,
        material=payload.material_id,
    )
    return Status(201, note)


@router.get(
    "/notes",
    response={200: list[NoteRowOut], **ERRORS},
    summary="心得体会列表（管理者：所辖组织；党员：本人）",
)
@paginate(BoundedLimitOffsetPagination)
def list_notes(request, filters: Query[NoteFilter]):
    user = request.user
    manager = has_cap_anywhere(user, MANAGE)
    mine = filters.mine or not manager
    session = sel.note_session(user, filters.session)
    by_org = manager and not mine and (session is None or filters.org is not None)
    org = sel.points_org(user, filters.org) if by_org else None
    qs = sel.notes_for(
        user,
        org=org,
        year=filters.year,
        copied_only=filters.copied and not mine,
        mine=mine,
        session=session,
    )
    if mine:  # a member is not told which of his notes were flagged
        qs = qs.annotate(
            copy_count=Value(None, output_field=IntegerField()),
            top_similarity=Value(None, output_field=IntegerField()),
        )
    return qs


@router.get("/notes/{note_id}", response={200: NoteDetailOut, **ERRORS}, summary="一篇心得体会")
def get_note(request, note_id: int):
    note = sel.access_note(request.user, note_id)
    copies = [
        {
            "source_type": c.copy.source_type,
            "source_id": c.copy.source_id if c.visible else None,
            "similarity": c.copy.similarity,
            "visible": c.visible,
            "title": c.title if c.visible else "另一组织的文本",
            "org_name": c.org_name if c.visible else "",
        }
        for c in sel.note_copies(request.user, note)
    ]
    return {
        "id": note.pk,
        "member_id": note.member_id,
        "member_name": note.member.name,
        "title": note.title,
        "submitted_at": note.submitted_at,
        "session_id": note.session_id,
        "material_id": note.material_id,
        "text": note.text,
        "copies": copies,
    }


# ---------------------------------------------------------------------------------------------
# Points


class PointLineOut(Schema):
    occurred_on: dt.date
    action: str
    label: str
    points: Decimal
    capped_from: Decimal | None = Field(description="上限削减前的分值")
    cut: str | None = Field(description="daily 已达每日上限 / yearly 已达年度上限")
    source_type: str
    source_id: int
    source: str = Field(description="来源记录")
    scheme_version: int


class MyPointsOut(Schema):
    member_id: int
    year: int
    total: Decimal
    baseline: int
    met: bool
    excluded: str | None = Field(
        description="retired 退休 / mobile 长期外出流动 / suspended 停止党籍：不参加积分"
    )
    scheme_version: int
    entries: list[PointLineOut] = Field(description="由新到旧")


class PointsYearFilter(Schema):
    year: int | None = Year


@router.get("/points/me", response={200: MyPointsOut, **ERRORS}, summary="我的积分")
def my_points(request, filters: Query[PointsYearFilter]):
    mine = sel.my_points(request.user, _year(filters.year))
    if mine is None:
        raise deny()
    return {
        "member_id": mine.member.pk,
        "year": mine.year,
        "total": mine.total,
        "baseline": mine.baseline,
        "met": mine.met,
        "excluded": mine.excluded,
        "scheme_version": mine.scheme.version,
        "entries": [
            {
                "occurred_on": line.entry.occurred_on,
                "action": line.entry.action,
                "label": line.label,
                "points": line.entry.points,
                "capped_from": line.entry.capped_from,
                "cut": line.cut,
                "source_type": line.entry.source_type,
                "source_id": line.entry.source_id,
                "source": line.source,
                "scheme_version": line.entry.scheme_version,
            }
            for line in mine.lines
        ],
    }


class RankingFilter(Schema):
    org: int | None = Field(None, ge=1, le=2**62, description="组织，默认可管理的最上级")
    year: int | None = Year
    met: bool | None = Field(None, description="true 只看达标 / false 只看未达标")


class RankingRowOut(Schema):
    member_id: int = Field(..., alias="pk")
    name: str
    branch_id: int
    branch_name: str = Field(..., alias="branch.name")
    total: Decimal
    rank: int
    baseline: int
    met: bool

    @staticmethod
    def resolve_met(obj) -> bool:
        return obj.total >= obj.baseline


@router.get(
    "/points",
    response={200: list[RankingRowOut], **ERRORS},
    summary="党员积分排名（组织、年度）",
)
@paginate(BoundedLimitOffsetPagination)
def ranking(request, filters: Query[RankingFilter]):
    user = request.user
    if not has_cap_anywhere(user, MANAGE):
        raise deny()
    org = sel.points_org(user, filters.org)
    found = sel.ranking(user, org, _year(filters.year), met=filters.met)
    return found.rows.annotate(baseline=Value(found.baseline, output_field=IntegerField()))


class RuleOut(Schema):
    action: str
    label: str
    points: Decimal
    daily_cap: Decimal = Field(description="0 表示不设上限")
    yearly_cap: Decimal = Field(description="0 表示不设上限")


class PointSchemeOut(Schema):
    version: int = Field(description="0 为示例方案（尚未保存版本时适用）")
    name: str
    effective_from: dt.date
    baseline: int
    note: str
    rules: list[RuleOut]


def _scheme_out(data, note: str = "") -> dict:
    return {
        "version": data.version,
        "name": data.name,
        "effective_from": data.effective_from,
        "baseline": data.baseline,
        "note": note,
        "rules": [
            {
                "action": r.action,
                "label": sel.rules.POINT_ACTIONS.get(r.action, r.action),
                "points": r.points,
                "daily_cap": r.daily_cap,
                "yearly_cap": r.yearly_cap,
            }
            for r in data.rules
        ],
    }


@router.get(
    "/point-schemes",
    response={200: list[PointSchemeOut], **ERRORS},
    summary="积分方案的各版本（最新在前；最后是示例方案）",
)
def list_schemes(request):
    user = request.user
    if not (has_cap_anywhere(user, MANAGE) or services_points.can_edit_scheme(user)):
        raise deny()
    versions = sel.scheme_versions()
    data = sel.schemes_data(versions)
    out = [_scheme_out(d, v.note) for v, d in zip(versions, data, strict=True)]
    out.append(_scheme_out(sel.rules.DEFAULT_POINT_SCHEME, "尚未保存版本时适用"))
    return out


class RuleIn(Schema):
    action: str = Field(..., max_length=30, description="积分事项")
    points: Decimal = Field(..., max_digits=5, decimal_places=1)
    daily_cap: Decimal = Field(Decimal("0"), max_digits=6, decimal_places=1)
    yearly_cap: Decimal = Field(Decimal("0"), max_digits=6, decimal_places=1)


class SchemeIn(Schema):
    name: str = Field(..., max_length=100)
    effective_from: dt.date
    baseline: int = Field(..., ge=1, le=1000)
    note: str = Field("", max_length=2000)
    rules: list[RuleIn] = Field(..., min_length=1, max_length=20)


@router.post(
    "/point-schemes",
    response={201: PointSchemeOut, **ERRORS},
    summary="保存积分方案的新版本（工委）",
    description="版本号自动递增；生效日期不能早于最新版本的生效日期；保存后重新计算受影响年度的积分。",
)
def create_scheme(request, payload: SchemeIn):
    if not services_points.can_edit_scheme(request.user):
        raise deny()
    scheme = services_points.point_scheme_save(
        actor=request.user,
        name=payload.name,
        effective_from=payload.effective_from,
        baseline=payload.baseline,
        rules=[r.dict() for r in payload.rules],
        note=payload.note,
    )
    scheme = next(v for v in sel.scheme_versions() if v.pk == scheme.pk)
    return Status(201, _scheme_out(sel.as_data(scheme), scheme.note))
