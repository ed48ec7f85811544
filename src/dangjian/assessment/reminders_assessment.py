"""Deadline reminders of scoring schemes, for the daily job:

- `assessment_due`: a self-assessment not yet submitted (draft or returned) whose scheme's
  自评截止 falls within the next 7 days (today included) → a to-do item for the users holding
  ASSESS_SUBMIT on the assessed org: the nearest level with such grants, from the org itself
  up to (not including) the scheme's owner, so the committee that runs the scheme is not told
  to fill its units' forms;
- `assessment_review`: a submitted assessment whose 复核截止 falls within the next 7 days → a
  to-do item for the ASSESS_MANAGE holders on the owner (the nearest level with such grants,
  from the owner upwards).

Items are deduplicated per user × assessment × deadline (`dedupe_key`), so a daily run never
repeats one; moving the deadline gives a new reminder. Grants are loaded once: a fixed number
of queries whatever the number of assessments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.urls import reverse

from dangjian.assessment.models import Assessment, AssessmentStatus, SchemeStatus
from dangjian.core.audit import audit
from dangjian.core.permissions import ROLE_CAPS, Cap
from dangjian.notify.models import NotificationKind
from dangjian.notify.services import Draft, notifications_create

WINDOW_DAYS = 7


def _ids(path: str) -> list[int]:
    return [int(x) for x in path.strip("/").split("/") if x]


class _Holders:
    """Active grants by org id and capability, loaded once."""

    def __init__(self):
        from dangjian.accounts.models import RoleGrant

        roles = [
            r for r, caps in ROLE_CAPS.items() if caps & {Cap.ASSESS_SUBMIT, Cap.ASSESS_MANAGE}
        ]
        self.by_org: dict[int, dict[Cap, list[tuple[int, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        rows = RoleGrant.objects.filter(
            revoked_at__isnull=True,
            org__dissolved_on__isnull=True,
            user__is_active=True,
            role__in=roles,
        ).values_list("org_id", "role", "user_id", "user__email")
        for org_id, role, user_id, email in rows:
            for cap in ROLE_CAPS[role] & {Cap.ASSESS_SUBMIT, Cap.ASSESS_MANAGE}:
                self.by_org[org_id][cap].append((user_id, email or ""))

    def nearest(self, chain: list[int], cap: Cap) -> list[tuple[int, str]]:
        """The holders of `cap` on the first org of `chain` that has any."""
        for org_id in chain:
            found = self.by_org.get(org_id, {}).get(cap)
            if found:
                return list(dict.fromkeys(found))
        return []


@transaction.atomic
def remind_assessments(today: dt.date) -> int:
    """Create the to-do items due today; returns how many were created."""
    horizon = today + dt.timedelta(days=WINDOW_DAYS)
    due = list(
        Assessment.objects.unscoped()
        .filter(
            scheme__status=SchemeStatus.PUBLISHED,
            status__in=[AssessmentStatus.DRAFT, AssessmentStatus.RETURNED],
            scheme__self_due__gte=today,
            scheme__self_due__lte=horizon,
        )
        .select_related("scheme", "org")
    )
    review = list(
        Assessment.objects.unscoped()
        .filter(
            scheme__status=SchemeStatus.PUBLISHED,
            status=AssessmentStatus.SUBMITTED,
            scheme__review_due__gte=today,
            scheme__review_due__lte=horizon,
        )
        .select_related("scheme", "org")
    )
    if not due and not review:
        return 0
    holders = _Holders()
    drafts: list[Draft] = []
    for a in due:
        scheme = a.scheme
        owner_depth = len(_ids(scheme.owner_path))
        chain = list(reversed(_ids(a.org_path)[owner_depth:]))
        days = (scheme.self_due - today).days
        when = "今天" if days == 0 else f"{days}天后"
        for user_id, email in holders.nearest(chain, Cap.ASSESS_SUBMIT):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.ASSESSMENT_DUE,
                    title=f"{a.org.name}：{scheme.year}年{scheme.name}自评将于{when}截止",
                    body=(
                        f"自评截止日期为{scheme.self_due:%Y年%m月%d日}，"
                        f"当前状态：{a.get_status_display()}。请填写自评并提交。"
                    ),
                    link=reverse("assess:assessment", args=[a.pk]),
                    org_id=a.org_id,
                    org_path=a.org_path,
                    topic=f"assessment:{scheme.pk}",
                    dedupe_key=f"assessment_due:{a.pk}:{scheme.self_due.isoformat()}",
                    is_todo=True,
                    email=email,
                )
            )
    for a in review:
        scheme = a.scheme
        chain = list(reversed(_ids(scheme.owner_path)))
        days = (scheme.review_due - today).days
        when = "今天" if days == 0 else f"{days}天后"
        for user_id, email in holders.nearest(chain, Cap.ASSESS_MANAGE):
            drafts.append(
                Draft(
                    user_id=user_id,
                    kind=NotificationKind.ASSESSMENT_REVIEW,
                    title=f"{a.org.name}的{scheme.year}年{scheme.name}待复核，{when}截止",
                    body=f"复核截止日期为{scheme.review_due:%Y年%m月%d日}。",
                    link=reverse("assess:review", args=[a.pk]),
                    org_id=a.org_id,
                    org_path=a.org_path,
                    topic=f"assessment:{scheme.pk}",
                    dedupe_key=f"assessment_review:{a.pk}:{scheme.review_due.isoformat()}",
                    is_todo=True,
                    email=email,
                )
            )
    result = notifications_create(drafts)
    if result.created:
        audit(
            None,
            "assessment.reminders.sent",
            changes={
                "today": today,
                "due": len(due),
                "review": len(review),
                "created": result.created,
                "existing": result.existing,
            },
        )
    return result.created
