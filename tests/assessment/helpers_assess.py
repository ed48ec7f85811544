"""Builders for the scheme tests (考核方案): meetings held through the orglife services, and a
small scheme with one indicator of each method plus a bonus category."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dangjian.assessment import services_schemes as ss
from dangjian.assessment.models import Assessment, IndicatorScore
from dangjian.orglife import services as orglife
from dangjian.orglife.models import Attendance
from dangjian.orgs.models import CommitteeSeat

TZ = timezone.get_current_timezone()
YEAR = 2025
#: "today" for the auto sources: every period of YEAR has ended
AFTER = dt.date(2026, 1, 15)


def hold(org, kind: str, day: dt.date, topic: str = "会议"):
    """A meeting of `kind` held by `org` on `day` with everyone present."""
    start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=TZ)
    meeting = orglife.meeting_plan(
        actor=None,
        org=org,
        kind=kind,
        topic=topic,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    rows = Attendance.objects.unscoped().filter(meeting=meeting)
    orglife.meeting_record(
        actor=None,
        meeting=meeting,
        attendance={r.member_id: ("present", "") for r in rows},
        minutes="学习了党章和有关文件，研究了支部工作。",
    )
    meeting.refresh_from_db()
    return meeting


def seats(org, members, started=dt.date(2024, 1, 1)):
    roles = ["secretary", "organization", "publicity", "discipline"]
    for member, role in zip(members, roles, strict=False):
        CommitteeSeat.all_objects.create(org=org, member=member, role=role, started_on=started)


def small_scheme(owner, *, target="branch", year=YEAR, name="测试方案", self_due=None):
    """基本 60 (manual 20, deduction 10 at 4 each, auto member assembly 10 at 2 each, auto
    theme day ratio 20) and 加分 10 (manual 10)."""
    scheme = ss.scheme_create(
        actor=None,
        owner=owner,
        year=year,
        name=name,
        target=target,
        self_due=self_due,
        review_due=(self_due + dt.timedelta(days=15)) if self_due else None,
    )
    base = ss.indicator_add(
        actor=None, scheme=scheme, title="基本", max_points="60", is_category=True
    )
    ss.indicator_add(
        actor=None, scheme=scheme, parent=base, title="人工项", max_points="20", method="manual"
    )
    ss.indicator_add(
        actor=None,
        scheme=scheme,
        parent=base,
        title="扣分项",
        max_points="10",
        method="deduction",
        deduction_per="4",
    )
    ss.indicator_add(
        actor=None,
        scheme=scheme,
        parent=base,
        title="党员大会",
        max_points="10",
        method="auto",
        auto_source="member_assembly_missing",
        deduction_per="2",
    )
    ss.indicator_add(
        actor=None,
        scheme=scheme,
        parent=base,
        title="主题党日",
        max_points="20",
        method="auto",
        auto_source="theme_day_compliance",
    )
    bonus = ss.indicator_add(
        actor=None, scheme=scheme, title="加分", max_points="10", is_category=True, is_bonus=True
    )
    ss.indicator_add(
        actor=None, scheme=scheme, parent=bonus, title="表彰", max_points="10", method="manual"
    )
    scheme.refresh_from_db()
    return scheme


def published(tree, **kwargs):
    """The small scheme of the 工委, published to its branches; (scheme, assessment of A)."""
    scheme = small_scheme(tree.root, **kwargs)
    ss.scheme_publish(actor=None, scheme=scheme)
    scheme.refresh_from_db()
    a = Assessment.objects.unscoped().get(scheme=scheme, org=tree.branch_a)
    return scheme, a


def score_of(assessment, title: str) -> IndicatorScore:
    return (
        IndicatorScore.objects.unscoped()
        .select_related("indicator", "assessment", "assessment__scheme")
        .get(assessment=assessment, indicator__title=title)
    )


def d(value: str) -> Decimal:
    return Decimal(value)
