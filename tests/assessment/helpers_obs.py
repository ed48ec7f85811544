"""Builders for the observation meeting tests (现场观摩会): a score sheet, a meeting with its
route, judges (each a user account) and participants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from dangjian.assessment import services_observation as obs
from dangjian.assessment.models import Indicator, Scheme

TZ = timezone.get_current_timezone()
START = dt.datetime(2022, 11, 1, 9, 0, tzinfo=TZ)

#: (code, title, max points) of the sheet's items, under one category worth their sum
ITEMS = (("1", "展板内容", "10"), ("2", "现场讲解", "10"), ("3", "特色亮点", "20"))


def make_sheet(owner, items=ITEMS, name="现场观摩评分表", status="published") -> Scheme:
    """A score sheet for stops, published (a meeting may only use a published one) unless
    `status` says otherwise."""
    scheme = Scheme.all_objects.create(
        owner=owner, owner_path=owner.path, year=2022, name=name, target="stop", status=status
    )
    total = sum(Decimal(m) for _, _, m in items)
    category = Indicator.objects.create(
        scheme=scheme, is_category=True, order=1, code="一", title="现场观摩", max_points=total
    )
    for n, (code, title, max_points) in enumerate(items, 1):
        Indicator.objects.create(
            scheme=scheme,
            parent=category,
            order=n,
            code=code,
            title=title,
            max_points=Decimal(max_points),
            method="manual",
            guidance=f"{title}：优秀满分，较好八成，一般六成",
        )
    return scheme


def items_of(scheme) -> list[Indicator]:
    return list(Indicator.objects.filter(scheme=scheme, is_category=False).order_by("order"))


def make_users(prefix: str, n: int) -> list:
    from dangjian.accounts.models import User

    return [
        User.objects.create_user(
            username=f"{prefix}{i}", password="Passw0rd2022", display_name=f"评委{prefix}{i}"
        )
        for i in range(1, n + 1)
    ]


def make_meeting(
    tree,
    *,
    owner=None,
    sheet=None,
    stops=None,
    judges=(),
    live=False,
    start=START,
    **kwargs,
):
    """A meeting owned by `owner` (default the root) with stops at the two units' bodies
    and the given judge accounts (all stops each)."""
    owner = owner or tree.root
    meeting = obs.observation_create(
        actor=None,
        owner=owner,
        title=kwargs.pop("title", "2022年第三次现场观摩会"),
        theme=kwargs.pop("theme", "赛党建、创清廉、推进共同缔造"),
        starts_at=start,
        place=kwargs.pop("place", "市老年大学门口"),
        sheet=sheet,
        **kwargs,
    )
    if stops is None:
        stops = [
            (tree.party_group_a, "市老年大学门口展板", "board", 15),
            (tree.party_group_b, "三楼书法室", "room", 20),
        ]
    for org, place, kind, minutes in stops:
        obs.stop_add(
            actor=None,
            meeting=meeting,
            org=org,
            place=place,
            show_kind=kind,
            planned_minutes=minutes,
        )
    for user in judges:
        obs.judge_add(actor=None, meeting=meeting, user=user)
    if live:
        meeting = obs.observation_start(actor=None, meeting=meeting)
    return meeting


def stops_of(meeting):
    from dangjian.assessment.models import Stop

    return list(Stop.objects.unscoped().filter(meeting=meeting).order_by("order"))


def score_all(meeting, user, stop, points_by_item, *, submit=True):
    """The judge `user` scores every item of the stop (a list of points in item order) and
    submits."""
    for indicator, points in zip(items_of(meeting.sheet), points_by_item, strict=True):
        obs.score_item_save(actor=user, stop=stop, indicator=indicator, points=Decimal(points))
    if submit:
        return obs.sheet_submit(actor=user, stop=stop)
    return None


def overall(meeting, user, stop, points, *, submit=True):
    obs.score_overall_save(actor=user, stop=stop, points=Decimal(points))
    if submit:
        return obs.sheet_submit(actor=user, stop=stop)
    return None


def make_contest(owner, *, year=2022, name="书记赛党建", status="draft"):
    """A contest (书记赛党建) of `owner`, written directly (its own services are tested
    elsewhere)."""
    from dangjian.assessment.models import SecretaryContest

    return SecretaryContest.all_objects.create(
        owner=owner,
        owner_path=owner.path,
        year=year,
        name=name,
        routine_weight=Decimal("50"),
        observation_weight=Decimal("30"),
        review_weight=Decimal("20"),
        status=status,
    )
