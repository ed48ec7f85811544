"""书记赛党建 endpoints: the contests the caller may see and one contest with its standings.
The same access functions and selectors as the pages: a draft (with its live standings) only
for the contest's managers; a published ranking for anyone with a business grant over the
owner's subtree; 404 for everyone else."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dangjian.assessment import selectors_contest as sel
from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.pagination import BoundedLimitOffsetPagination
from dangjian.core.permissions import Cap
from dangjian.members.api import ERRORS

router = Router(tags=["考核评比"])


class ContestOut(Schema):
    id: int
    year: int
    name: str
    owner_id: int
    owner_name: str
    status: str = Field(description="draft 进行中（未公布）/ published 已公布")
    published_at: dt.datetime | None
    routine_weight: Decimal
    observation_weight: Decimal
    review_weight: Decimal

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return obj["owner_name"] if isinstance(obj, dict) else obj.owner.name


class StandingOut(Schema):
    rank: int | None
    org_id: int
    org_name: str
    secretary_name: str
    routine: Decimal | None = Field(description="日常考核（百分制）")
    observation: Decimal | None = Field(description="现场观摩（百分制）")
    review: Decimal | None = Field(description="述职评议：好+较好率（%）")
    total: Decimal = Field(description="综合得分：各部分×权重÷100（R-LOCAL-09）")
    stars: int = Field(description="星级（R-LOCAL-07，按赛事星级线）")
    missing: list[str] = Field(description="尚无得分、按0分计的部分")


class StarLineOut(Schema):
    line: Decimal
    stars: int


class ContestDetailOut(ContestOut):
    scheme_id: int | None
    star_thresholds: list[StarLineOut]
    standings: list[StandingOut]


class ContestFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


def _standing(s: sel.Standing) -> dict:
    return {
        "rank": s.rank,
        "org_id": s.org.pk,
        "org_name": s.org.name,
        "secretary_name": s.secretary_name,
        "routine": s.routine,
        "observation": s.observation,
        "review": s.review,
        "total": s.total,
        "stars": s.stars,
        "missing": s.missing,
    }


@router.get("", response={200: list[ContestOut], **ERRORS}, summary="书记赛党建赛事列表")
@paginate(BoundedLimitOffsetPagination)
def list_contests(request, filters: Query[ContestFilter]):
    user = request.user
    if not (has_cap_anywhere(user, Cap.ASSESS_MANAGE) or sel.has_any_contest_access(user)):
        raise deny()
    return sel.contest_list(user, year=filters.year)


@router.get(
    "/{int:contest_id}",
    response={200: ContestDetailOut, **ERRORS},
    summary="赛事详情与排名（未公布的赛事仅管理员可见）",
)
def get_contest(request, contest_id: int):
    contest = sel.access_contest(request.user, contest_id)
    return {
        "id": contest.pk,
        "year": contest.year,
        "name": contest.name,
        "owner_id": contest.owner_id,
        "owner_name": contest.owner.name,
        "status": contest.status,
        "published_at": contest.published_at,
        "routine_weight": contest.routine_weight,
        "observation_weight": contest.observation_weight,
        "review_weight": contest.review_weight,
        "scheme_id": contest.scheme_id,
        "star_thresholds": [
            {"line": line, "stars": count} for line, count in sel.thresholds_of(contest)
        ],
        "standings": [_standing(s) for s in sel.contest_standings(contest)],
    }
