"""述职评议 endpoints (R-ORG-17): the reviews whose vote is open to the caller, with their
reports; one review (reports, voter counts, and the results once the vote has closed — to its
managers too: a live count per report would link a voter to his grades); casting a ballot.
There is deliberately no endpoint that returns a voter's choice: the database holds none (a
ballot only adds to counters), so none could exist."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Router, Schema, Status

from dangjian.assessment import selectors_review as sel
from dangjian.assessment import services_review as services
from dangjian.assessment.models import Grade
from dangjian.core.errors import AppError
from dangjian.members.api import ERRORS

router = Router(tags=["考核评比"])

GradeIn = Literal["good", "fairly_good", "average", "poor"]


class ReportOut(Schema):
    id: int
    order: int
    org_id: int
    org_name: str
    secretary_name: str
    submitted: bool


class ReviewOut(Schema):
    id: int
    year: int
    title: str
    owner_name: str
    status: str = Field(description="draft 准备中 / open 投票中 / closed 已结束")
    held_on: dt.date | None
    closes_at: dt.datetime | None
    has_voted: bool | None = Field(description="调用者是投票人时：是否已投票；否则为空")
    reports: list[ReportOut]


class ResultOut(Schema):
    report_id: int
    good: int
    fairly_good: int
    average: int
    poor: int
    ballots: int
    rate: Decimal = Field(description="好+较好率（%）")


class ReviewDetailOut(ReviewOut):
    voters: int
    voted: int
    results: list[ResultOut] | None = Field(
        description=(
            "各书记得票：投票结束后公开（管理员在投票中也看不到）。只有票数，没有谁投了什么。"
        )
    )


class GradeItem(Schema):
    report_id: int = Field(..., ge=1, le=2**62)
    grade: GradeIn = Field(..., description="good 好 / fairly_good 较好 / average 一般 / poor 差")


class BallotIn(Schema):
    grades: list[GradeItem] = Field(
        ..., max_length=500, description="每位述职书记一个等次，缺一不可"
    )


class BallotOut(Schema):
    detail: str
    review_id: int


def _reports(review) -> list[dict]:
    return [
        {
            "id": r.pk,
            "order": r.order,
            "org_id": r.org_id,
            "org_name": r.org.name,
            "secretary_name": r.secretary_name,
            "submitted": r.submitted_at is not None,
        }
        for r in sel.reports_of(review)
    ]


def _review(review, has_voted) -> dict:
    return {
        "id": review.pk,
        "year": review.year,
        "title": review.title,
        "owner_name": review.owner.name,
        "status": review.status,
        "held_on": review.held_on,
        "closes_at": review.closes_at,
        "has_voted": has_voted,
        "reports": _reports(review),
    }


@router.get("", response={200: list[ReviewOut], **ERRORS}, summary="我可以参加投票的述职评议")
def my_open_reviews(request):
    return [_review(review, voted) for review, voted in sel.open_reviews_for(request.user)]


@router.get(
    "/{int:review_id}",
    response={200: ReviewDetailOut, **ERRORS},
    summary="述职评议详情（票数结果在投票结束后公开）",
)
def get_review(request, review_id: int):
    user = request.user
    review = sel.access_review(user, review_id)
    voter = sel.my_voter(user, review)
    counts = sel.voter_counts(review)
    body = _review(review, voter.has_voted if voter else None)
    body.update(voters=counts.total, voted=counts.voted, results=None)
    if sel.can_see_results(user, review):
        body["results"] = [
            {
                "report_id": r.report.pk,
                **{g: r.counts.get(g, 0) for g in Grade.values},
                "ballots": r.ballots,
                "rate": r.rate,
            }
            for r in sel.results_of(review)
        ]
    return body


@router.post(
    "/{int:review_id}/ballot",
    response={201: BallotOut, **ERRORS},
    summary="投票（每位投票人一票；选票匿名，无法查询）",
)
def cast_ballot(request, review_id: int, payload: BallotIn):
    review = sel.access_review(request.user, review_id)
    grades: dict[int, str] = {}
    for item in payload.grades:
        if item.report_id in grades:
            raise AppError("同一位书记只能评定一个等次。", field="grades")
        grades[item.report_id] = item.grade
    services.ballot_cast(actor=request.user, review=review, grades=grades)
    return Status(201, {"detail": "投票成功。", "review_id": review.pk})
