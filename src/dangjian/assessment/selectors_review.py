"""Reads of 述职评议 (R-ORG-17): who may see a review, its reports, voters (counts only), the
results (counts per grade and the 好 + 较好 rate) and the rectification list.

Who sees a review:
- its managers (assess.manage on the owner): everything but the choices — while the vote
  runs they see how many ballots were cast, never a count per report (two page loads around
  one ballot would tell that voter's grades);
- its voters: the review and every report (they must read them to vote); the review's
  comment on a report (评议意见) and the results once the vote has closed;
- those who fill the reports (assess.submit on a report's org): the review, their own reports
  with the comment on them, their rectifications, and the results once closed — not the other
  secretaries' reports.
Results (counts per grade, rates) are shown to everyone, managers included, only once the vote
is CLOSED. Nobody can see who voted what: the database has no such record (`ReviewVoter`
holds eligibility and `has_voted`; `BallotTally` holds counters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from dangjian.assessment.models import (
    BallotTally,
    Grade,
    Rectification,
    ReviewStatus,
    ReviewVoter,
    SecretaryReport,
    SecretaryReview,
    TaskStatus,
)
from dangjian.core.access import can, deny, paths_for, scope_q
from dangjian.core.permissions import Cap
from dangjian.rules import assessment as rules


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def can_manage_review(user, review: SecretaryReview) -> bool:
    return can(user, Cap.ASSESS_MANAGE, review.owner_path)


def is_voter(user, review: SecretaryReview) -> bool:
    if not getattr(user, "pk", None):
        return False
    return ReviewVoter.objects.unscoped().filter(review=review, user=user).exists()


def submits_for(user, review: SecretaryReview) -> bool:
    """Does the user fill a report of this review (assess.submit on its org)?"""
    paths = paths_for(user, Cap.ASSESS_SUBMIT)
    if not paths:
        return False
    return (
        SecretaryReport.objects.visible_to(user, Cap.ASSESS_SUBMIT).filter(review=review).exists()
    )


def _visible_q(user) -> Q:
    q = scope_q(user, Cap.ASSESS_MANAGE, "owner_path")
    if getattr(user, "pk", None):
        q |= Q(Exists(ReviewVoter.objects.unscoped().filter(review=OuterRef("pk"), user=user)))
    if paths_for(user, Cap.ASSESS_SUBMIT):
        q |= Q(
            Exists(
                SecretaryReport.objects.visible_to(user, Cap.ASSESS_SUBMIT).filter(
                    review=OuterRef("pk")
                )
            )
        )
    return q


def access_review(user, review_id, *, manage: bool = False) -> SecretaryReview:
    """The review if the user may see it (`manage`: run it); 404 otherwise."""
    review_id = _int(review_id)
    if review_id is None:
        raise deny()
    review = (
        SecretaryReview.objects.unscoped()
        .select_related("owner", "contest")
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise deny()
    if can_manage_review(user, review):
        return review
    if manage:
        raise deny()
    if is_voter(user, review) or submits_for(user, review):
        return review
    raise deny()


def review_list(user, *, year: int | None = None):
    qs = (
        SecretaryReview.objects.unscoped()
        .filter(_visible_q(user))
        .select_related("owner")
        .annotate(report_count=Count("reports", distinct=True))
        .order_by("-year", "-id")
    )
    if year:
        qs = qs.filter(year=year)
    return qs


def open_reviews_for(user):
    """The reviews whose vote is open to this user (he is a voter), with whether he voted."""
    if not getattr(user, "pk", None):
        return []
    voters = (
        ReviewVoter.objects.unscoped()
        .filter(user=user, review__status=ReviewStatus.OPEN)
        .select_related("review", "review__owner")
        .order_by("review__closes_at", "review_id")
    )
    return [(v.review, v.has_voted) for v in voters]


def reports_of(review: SecretaryReview) -> list[SecretaryReport]:
    return list(
        SecretaryReport.objects.unscoped()
        .filter(review=review)
        .select_related("org")
        .order_by("order", "id")
    )


def own_reports(user, review: SecretaryReview) -> list[SecretaryReport]:
    """The reports of this review the user may fill (his own org's)."""
    if not paths_for(user, Cap.ASSESS_SUBMIT):
        return []
    return list(
        SecretaryReport.objects.visible_to(user, Cap.ASSESS_SUBMIT)
        .filter(review=review)
        .select_related("org")
        .order_by("order", "id")
    )


def can_read_all_reports(user, review: SecretaryReview) -> bool:
    """Managers and voters read every report of the review (voters must, to vote)."""
    return can_manage_review(user, review) or is_voter(user, review)


def access_report(user, review: SecretaryReview, report_id) -> SecretaryReport:
    """A report of a review the caller already accessed: for its managers and voters, and
    otherwise only for assess.submit on the report's org (a secretary reads his own report,
    not the others'); 404 for the rest."""
    report_id = _int(report_id)
    found = (
        SecretaryReport.objects.unscoped()
        .select_related("org")
        .filter(pk=report_id, review=review)
        .first()
        if report_id is not None
        else None
    )
    if found is None:
        raise deny()
    if not (can_read_all_reports(user, review) or can(user, Cap.ASSESS_SUBMIT, found.org_path)):
        raise deny()
    found.review = review
    return found


def can_read_comment(user, report: SecretaryReport) -> bool:
    """The review's comment on a report (评议意见): its managers and the report's own side
    (assess.submit on its org) at any time; voters only once the vote has closed."""
    review = report.review
    return (
        can_manage_review(user, review)
        or can(user, Cap.ASSESS_SUBMIT, report.org_path)
        or (review.status == ReviewStatus.CLOSED and is_voter(user, review))
    )


def can_submit_report(user, report: SecretaryReport) -> bool:
    return can(user, Cap.ASSESS_SUBMIT, report.org_path) or can_manage_review(user, report.review)


@dataclass
class VoterCounts:
    total: int = 0
    voted: int = 0

    @property
    def pending(self) -> int:
        return self.total - self.voted


def voter_counts(review: SecretaryReview) -> VoterCounts:
    agg = (
        ReviewVoter.objects.unscoped()
        .filter(review=review)
        .aggregate(total=Count("id"), voted=Count("id", filter=Q(has_voted=True)))
    )
    return VoterCounts(agg["total"] or 0, agg["voted"] or 0)


def voters_of(review: SecretaryReview) -> list[ReviewVoter]:
    """The voter list (managers): names and whether each voted — never a choice."""
    return list(
        ReviewVoter.objects.unscoped()
        .filter(review=review)
        .select_related("user")
        .order_by("user__username")
    )


def my_voter(user, review: SecretaryReview) -> ReviewVoter | None:
    if not getattr(user, "pk", None):
        return None
    return ReviewVoter.objects.unscoped().filter(review=review, user=user).first()


@dataclass
class ReportResult:
    report: SecretaryReport
    counts: dict[str, int] = field(default_factory=dict)  # grade → ballots
    ballots: int = 0
    rate: Decimal = rules.ZERO  # 好 + 较好, percent (R-ORG-17)

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        return [(g, rules.GRADE_LABELS[g], self.counts.get(g, 0)) for g in rules.GRADES]


def results_of(review: SecretaryReview, reports: list[SecretaryReport] | None = None):
    """Counts per grade and the 好 + 较好 rate of each report (`rules.review_rate`). Two
    queries."""
    reports = reports if reports is not None else reports_of(review)
    counts: dict[int, dict[str, int]] = {r.pk: {} for r in reports}
    rows = BallotTally.objects.unscoped().filter(report__review=review)
    for report_id, grade, count in rows.values_list("report_id", "grade", "count"):
        counts.setdefault(report_id, {})[grade] = count
    out = []
    for report in reports:
        ballots, rate = rules.review_rate(counts[report.pk])
        out.append(ReportResult(report, counts[report.pk], ballots, rate))
    return out


def can_see_results(user, review: SecretaryReview) -> bool:
    """Counts per report and rates: to everyone who sees the review — managers included —
    and only once the vote is CLOSED. While it runs a per-report count would let a manager
    link a voter to his grades (the difference between two page loads is one ballot)."""
    return review.status == ReviewStatus.CLOSED


# ---------------------------------------------------------------------------------------------
# Rectifications (整改清单)


def rectifications_of(user, review: SecretaryReview) -> list[Rectification]:
    """The review's rectification items the user may see: all for managers, his own orgs'
    for those who fill the reports."""
    qs = Rectification.objects.unscoped().filter(report__review=review)
    if not can_manage_review(user, review):
        qs = qs.filter(scope_q(user, Cap.ASSESS_SUBMIT, "report__org_path"))
    return list(qs.select_related("report", "report__org").order_by("due_on", "id"))


def access_rectification(user, review: SecretaryReview, item_id) -> Rectification:
    item_id = _int(item_id)
    found = (
        Rectification.objects.unscoped()
        .select_related("report", "report__org")
        .filter(pk=item_id, report__review=review)
        .first()
        if item_id is not None
        else None
    )
    if found is None:
        raise deny()
    if not (can_manage_review(user, review) or can(user, Cap.ASSESS_SUBMIT, found.report.org_path)):
        raise deny()
    found.report.review = review
    return found


def rectification_progress(items: list[Rectification]) -> tuple[int, int]:
    """(done, total)."""
    return sum(1 for i in items if i.status == TaskStatus.DONE), len(items)


GRADE_CHOICES = Grade.choices
