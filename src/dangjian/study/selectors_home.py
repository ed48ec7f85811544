"""The hub's summary of one member: bounded, a handful of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from dangjian.study.models import PointEntry, Quiz, QuizAttempt, ReadingAssignment, ReadingProgress


def _ancestors(path: str) -> list[str]:
    """Every org path above and including the one of `path` (paths are '/1/5/9/')."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


@dataclass
class MemberSummary:
    open_quizzes: int
    readings_due: int
    points: Decimal


def member_summary(member, today: dt.date) -> MemberSummary:
    paths = _ancestors(member.org_path)
    now = timezone.now()
    # a quiz is done once submitted, or once the time ran out (an expired attempt counts 0)
    taken = QuizAttempt.objects.unscoped().filter(
        Q(submitted_at__isnull=False) | Q(deadline_at__lte=now), member=member
    )
    open_quizzes = (
        Quiz.objects.unscoped()
        .filter(org_path__in=paths, opens_at__lte=now, closes_at__gt=now)
        .exclude(pk__in=taken.values("quiz_id"))
        .count()
    )
    done = ReadingProgress.objects.unscoped().filter(member=member, completed_at__isnull=False)
    readings_due = (
        ReadingAssignment.objects.unscoped()
        .filter(Q(org_path__in=paths), material__is_active=True)
        .exclude(material_id__in=done.values("material_id"))
        .values("material_id")
        .distinct()
        .count()
    )
    points = PointEntry.objects.unscoped().filter(member=member, year=today.year).aggregate(
        s=Sum("points")
    )["s"] or Decimal("0")
    return MemberSummary(open_quizzes, readings_due, points)
