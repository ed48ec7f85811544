"""考核评比 hub: what waits for the user (assessments to fill or review, stops to score,
ballots to cast) and the latest schemes, observation meetings, contests and reviews he may
see. Read-only; a constant number of queries."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangjian.assessment.models import (
    Assessment,
    AssessmentStatus,
    ObservationJudge,
    ObservationMeeting,
    ObservationStatus,
    ReviewStatus,
    ReviewVoter,
    Scheme,
    SchemeStatus,
    SecretaryReview,
)
from dangjian.assessment.selectors_contest import contest_list
from dangjian.core.access import deny, grants_of, has_cap_anywhere
from dangjian.core.permissions import SEPARATED_ROLES, Cap

RECENT = 5


@require_GET
def hub(request):
    user = request.user
    grants = grants_of(user)
    # 三员分立: the system, security and audit administrators see no business data
    if not grants or any(g.role in SEPARATED_ROLES for g in grants):
        raise deny()
    manage = has_cap_anywhere(user, Cap.ASSESS_MANAGE)
    submit = has_cap_anywhere(user, Cap.ASSESS_SUBMIT)

    to_fill = []
    if submit:
        to_fill = list(
            Assessment.objects.visible_to(user, Cap.ASSESS_SUBMIT)
            .filter(
                scheme__status=SchemeStatus.PUBLISHED,
                status__in=[AssessmentStatus.DRAFT, AssessmentStatus.RETURNED],
            )
            .select_related("scheme", "org")
            .order_by("scheme__self_due", "org_path")[:20]
        )
    to_review = []
    if manage:
        owned = Scheme.objects.visible_to(user, Cap.ASSESS_MANAGE).values("pk")
        to_review = list(
            Assessment.objects.unscoped()
            .filter(scheme__in=owned, status=AssessmentStatus.SUBMITTED)
            .select_related("scheme", "org")
            .order_by("scheme__review_due", "org_path")[:20]
        )
    judging = list(
        ObservationJudge.objects.unscoped()
        .filter(user=user)
        .exclude(meeting__status=ObservationStatus.CLOSED)
        .select_related("meeting")
        .order_by("meeting__starts_at")
    )
    ballots = list(
        ReviewVoter.objects.unscoped()
        .filter(user=user, has_voted=False, review__status=ReviewStatus.OPEN)
        .select_related("review")
    )

    schemes = meetings = reviews = []
    if manage:
        schemes = list(Scheme.objects.visible_to(user, Cap.ASSESS_MANAGE)[:RECENT])
        meetings = list(ObservationMeeting.objects.visible_to(user, Cap.ASSESS_MANAGE)[:RECENT])
        reviews = list(SecretaryReview.objects.visible_to(user, Cap.ASSESS_MANAGE)[:RECENT])
    contests = list(contest_list(user)[:RECENT])
    return render(
        request,
        "assessment/hub.html",
        {
            "manage": manage,
            "submit": submit,
            "to_fill": to_fill,
            "to_review": to_review,
            "judging": judging,
            "ballots": ballots,
            "schemes": schemes,
            "meetings": meetings,
            "contests": contests,
            "reviews": reviews,
            "integrity": has_cap_anywhere(user, Cap.INTEGRITY_MANAGE)
            or has_cap_anywhere(user, Cap.MEMBER_VIEW),
            "my_commitment": bool(user.member_id),
        },
    )
