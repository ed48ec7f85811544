"""Daily reminders of 述职评议 (for the daily job, next to `dangjian remind`):

- a review whose vote is open (and not past its closing time): each voter who has not voted
  gets a "review_vote" to-do, linked to the phone ballot page — one per voter and review;
- a rectification item still open whose deadline is within 7 days, or passed: a
  "rectification_due" to-do to those who fill the report's org (assess.submit granted on the
  org itself; without one, on the nearest body above it that has one) — one when it comes due
  and one more once it is overdue.

Items are deduplicated per user and key (`notify`'s `dedupe_key`), so the job can run any
number of times a day. Who voted is read (`has_voted`) but never what: the reminder says
nothing of any ballot. A fixed number of queries plus the inserts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from dangjian.assessment.models import (
    Rectification,
    ReviewStatus,
    ReviewVoter,
    TaskStatus,
)
from dangjian.core.audit import audit
from dangjian.core.permissions import ROLE_CAPS, Cap
from dangjian.notify.models import NotificationKind
from dangjian.notify.services import Draft, notifications_create

#: a rectification is reminded of this many days before its deadline
DUE_SOON_DAYS = 7
SUBMIT_ROLES = sorted(role for role, caps in ROLE_CAPS.items() if Cap.ASSESS_SUBMIT in caps)


def _vote_drafts(today: dt.date) -> list[Draft]:
    now = timezone.now()
    rows = (
        ReviewVoter.objects.unscoped()
        .filter(
            has_voted=False,
            user__is_active=True,
            review__status=ReviewStatus.OPEN,
        )
        .filter(Q(review__closes_at__isnull=True) | Q(review__closes_at__gt=now))
        .select_related("review", "user")
        .order_by("review_id", "user_id")
    )
    drafts = []
    for voter in rows:
        review = voter.review
        closes = (
            f"，{timezone.localtime(review.closes_at):%m月%d日 %H:%M}截止"
            if review.closes_at
            else ""
        )
        drafts.append(
            Draft(
                user_id=voter.user_id,
                kind=NotificationKind.REVIEW_VOTE,
                title=f"请参加述职评议投票：{review.title}{closes}",
                body=(
                    f"{review.title}正在投票{closes}。请对每位书记的抓党建述职评定等次"
                    "（好、较好、一般、差）。投票匿名，系统不记录您的选择（R-ORG-17）。"
                ),
                link=reverse("reviews:ballot", kwargs={"pk": review.pk}),
                rule_id="R-ORG-17",
                org_id=review.owner_id,
                org_path=review.owner_path,
                topic=f"review:{review.pk}",
                dedupe_key=f"{NotificationKind.REVIEW_VOTE}:{review.pk}",
                is_todo=True,
                email=voter.user.email or "",
            )
        )
    return drafts


class _Submitters:
    """Holders of assess.submit per org, loaded once."""

    def __init__(self):
        from dangjian.accounts.models import RoleGrant

        self.by_org: dict[int, list[tuple[int, str]]] = defaultdict(list)
        rows = RoleGrant.objects.filter(
            revoked_at__isnull=True,
            org__dissolved_on__isnull=True,
            user__is_active=True,
            role__in=SUBMIT_ROLES,
        ).values_list("org_id", "user_id", "user__email")
        for org_id, user_id, email in rows:
            self.by_org[org_id].append((user_id, email or ""))

    def of(self, path: str) -> list[tuple[int, str]]:
        """The holders on the org itself, else on the nearest body above that has some."""
        ids = [int(x) for x in path.strip("/").split("/") if x]
        for org_id in reversed(ids):
            found = self.by_org.get(org_id)
            if found:
                return list(dict.fromkeys(found))
        return []


def _rectification_drafts(today: dt.date) -> list[Draft]:
    items = list(
        Rectification.objects.unscoped()
        .filter(status=TaskStatus.OPEN, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        .select_related("report", "report__review", "report__org")
        .order_by("due_on", "id")
    )
    if not items:
        return []
    who = _Submitters()
    drafts = []
    for item in items:
        report = item.report
        overdue = item.due_on < today
        state = "overdue" if overdue else "due_soon"
        when = f"{item.due_on:%Y-%m-%d}"
        title = (
            f"整改事项已逾期：{report.org.name}（{when}到期）"
            if overdue
            else f"整改事项即将到期：{report.org.name}（{when}到期）"
        )
        body = (
            f"{report.review.title}提出的整改事项“{item.problem[:60]}”"
            f"{'已于' + when + '到期，尚未完成' if overdue else '将于' + when + '到期'}。"
            "请抓紧整改，完成后在整改清单中登记整改情况。"
        )
        link = reverse("reviews:rectifications", kwargs={"pk": report.review_id})
        for user_id, email in who.of(report.org_path):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.RECTIFICATION_DUE,
                    title=title,
                    body=body,
                    link=link,
                    rule_id="R-ORG-17",
                    org_id=report.org_id,
                    org_path=report.org_path,
                    topic=f"rectification:{item.pk}",
                    dedupe_key=f"{NotificationKind.RECTIFICATION_DUE}:{item.pk}:{state}",
                    is_todo=True,
                    email=email,
                )
            )
    return drafts


def remind_reviews(today: dt.date | None = None) -> int:
    """Create the to-do items of 述职评议 for `today`; returns how many were created (items
    already sent are not counted)."""
    today = today or timezone.localdate()
    drafts = _vote_drafts(today) + _rectification_drafts(today)
    with transaction.atomic():
        created = notifications_create(drafts)
        if created.created:
            audit(
                None,
                "assessment.review_reminders.created",
                changes={"today": today, "created": created.created},
            )
    return created.created
