"""Builders for the contest and 述职评议 tests: real records (a scheme with a reviewed
assessment, an observation meeting with submitted score sheets, a review with voters), stored
the way the other parts of the assessment app store them."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.assessment import services_contest, services_review
from dangjian.assessment.models import (
    Assessment,
    AssessmentStatus,
    Indicator,
    ObservationJudge,
    ObservationMeeting,
    Scheme,
    SchemeTarget,
    ScoreSheet,
    Stop,
)

D = Decimal
TZ = timezone.get_current_timezone()
_SEQ = itertools.count(1)


def scheme(owner, *, year=2025, maxima=(60, 40), target=SchemeTarget.UNIT, name=None):
    """A scheme whose top-level categories carry `maxima`, plus a 10-point bonus item (full
    marks = their sum + 10, `scoring.scheme_max`, R-LOCAL-06)."""
    s = Scheme.all_objects.create(
        owner=owner,
        owner_path=owner.path,
        year=year,
        name=name or f"方案{next(_SEQ)}",
        target=target,
    )
    for i, points in enumerate(maxima):
        Indicator.objects.create(
            scheme=s, is_category=True, order=i, title=f"类别{i}", max_points=D(points)
        )
    Indicator.objects.create(
        scheme=s, is_category=False, order=99, title="加分", max_points=D(10), is_bonus=True
    )
    return s


def assessment(scheme_, org, final_total):
    return Assessment.all_objects.create(
        scheme=scheme_,
        org=org,
        org_path=org.path,
        status=AssessmentStatus.REVIEWED if final_total is not None else AssessmentStatus.SUBMITTED,
        self_total=D(final_total or 0),
        final_total=None if final_total is None else D(final_total),
    )


def user(name, member=None):
    return User.objects.create_user(
        username=name, password="Passw0rd2022", display_name=name, member=member
    )


def observation(owner, contest, stops, *, sheet=None, trim_min=5):
    """An observation meeting of `contest` with `stops` = [(org, [judge totals])]: one judge
    per position, each with a submitted sheet."""
    meeting = ObservationMeeting.all_objects.create(
        owner=owner,
        owner_path=owner.path,
        contest=contest,
        sheet=sheet,
        title=f"观摩会{next(_SEQ)}",
        starts_at=dt.datetime(2025, 11, 1, 9, 0, tzinfo=TZ),
        sign_in_code=f"C{next(_SEQ):06d}"[-8:],
        trim_min_judges=trim_min,
    )
    judges = []
    count = max((len(scores) for _org, scores in stops), default=0)
    for i in range(count):
        u = user(f"judge{meeting.pk}_{i}")
        judges.append(ObservationJudge.all_objects.create(meeting=meeting, user=u, name=u.username))
    for order, (org, scores) in enumerate(stops, 1):
        stop = Stop.all_objects.create(meeting=meeting, order=order, org=org, place=f"点位{order}")
        for judge, total in zip(judges, scores, strict=False):
            ScoreSheet.all_objects.create(
                stop=stop, judge=judge, total=D(total), submitted_at=timezone.now()
            )
    return meeting


def contest(actor, owner, *, weights=(50, 30, 20), scheme_=None, name="书记赛党建", **kw):
    return services_contest.contest_create(
        actor=actor,
        owner=owner,
        year=kw.pop("year", 2025),
        name=name,
        scheme=scheme_,
        routine_weight=D(weights[0]),
        observation_weight=D(weights[1]),
        review_weight=D(weights[2]),
        **kw,
    )


def review(actor, owner, orgs, voters, *, contest_=None, open_=True, closes_at=None):
    """A review with a report per org (secretary name given) and `voters`; opened."""
    r = services_review.review_create(
        actor=actor,
        owner=owner,
        year=2025,
        title="2025年度书记抓党建述职评议",
        held_on=dt.date(2025, 12, 20),
        closes_at=closes_at,
        contest=contest_,
    )
    for org in orgs:
        services_review.report_add(actor=actor, review=r, org=org, secretary_name=f"{org.name}书记")
    services_review.voters_set(actor=actor, review=r, users=voters)
    if open_:
        r = services_review.review_open(actor=actor, review=r)
    return r


def voters(n, prefix="voter", org=None):
    """`n` accounts that may vote in a review of `org` (default: the root of the tree): each
    holds a 党员 grant on it (a voter must belong to the review's owner's subtree)."""
    from dangjian.accounts.models import RoleGrant
    from dangjian.orgs.models import Org

    org = org or Org.all_objects.filter(parent__isnull=True).order_by("path").first()
    made = [user(f"{prefix}{next(_SEQ)}") for _ in range(n)]
    RoleGrant.objects.bulk_create([RoleGrant(user=u, org=org, role="member") for u in made])
    return made
