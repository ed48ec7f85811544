"""谈心谈话 (R-ORGLIFE-12): talks recorded per branch, and the yearly coverage check
(`rules.orglife.talk_coverage`): every two committee members talked with each other, every
other member talked with a committee member."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.members.models import Member, Standing
from dangjian.orglife.models import HeartTalk
from dangjian.orglife.services import _require
from dangjian.orgs.models import CommitteeSeat, Org, OrgKind
from dangjian.rules.base import Finding
from dangjian.rules.orglife import talk_coverage

TOPIC_LIMIT = 200
NOTE_LIMIT = 5000


def committee_on(org: Org, day: dt.date) -> list[Member]:
    """The holders of the branch committee's seats on `day`."""
    ids = set(
        CommitteeSeat.objects.unscoped()
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day), org=org, started_on__lte=day)
        .values_list("member_id", flat=True)
    )
    return list(Member.objects.unscoped().filter(pk__in=ids).order_by("name_pinyin", "id"))


def members_on(org: Org, day: dt.date) -> list[Member]:
    """The branch's members on `day` (registered on it, joined, not left, not suspended)."""
    return list(
        Member.objects.unscoped()
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day), branch=org, joined_on__lte=day)
        .exclude(standing=Standing.SUSPENDED)
        .order_by("name_pinyin", "id")
    )


def talk_people(org: Org, day: dt.date) -> list[Member]:
    """Who can be on either side of a talk of the branch: its members and committee."""
    people = {m.pk: m for m in members_on(org, day)}
    for m in committee_on(org, day):
        people.setdefault(m.pk, m)
    return sorted(people.values(), key=lambda m: (m.name_pinyin, m.pk))


@transaction.atomic
def talk_record(
    *,
    actor,
    org: Org,
    talked_on: dt.date,
    initiator: Member | None,
    partner: Member | None,
    topic: str,
    note: str = "",
    today: dt.date | None = None,
) -> HeartTalk:
    _require(actor, org.path)
    if org.kind != OrgKind.BRANCH:
        raise AppError("谈心谈话按党支部登记，请选择党支部。", field="org")
    today = today or timezone.localdate()
    if talked_on is None:
        raise AppError("请填写谈话日期。", field="talked_on")
    if talked_on > today:
        raise AppError("谈话日期不能晚于今天。", field="talked_on")
    if initiator is None:
        raise AppError("请选择谈话人。", field="initiator")
    if partner is None:
        raise AppError("请选择谈话对象。", field="partner")
    if initiator.pk == partner.pk:
        raise AppError("谈话人与谈话对象不能是同一人。", field="partner")
    people = {m.pk for m in talk_people(org, talked_on)}
    if initiator.pk not in people:
        raise AppError("谈话人须为本支部党员或支部委员（谈话当日）。", field="initiator")
    if partner.pk not in people:
        raise AppError("谈话对象须为本支部党员或支部委员（谈话当日）。", field="partner")
    topic = (topic or "").strip()
    if not topic:
        raise AppError("请填写谈话主题。", field="topic")
    if len(topic) > TOPIC_LIMIT:
        raise AppError("谈话主题过长。", field="topic")
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise AppError("谈话情况过长。", field="note")
    talk = HeartTalk.objects.create(
        org=org,
        org_path=org.path,
        talked_on=talked_on,
        initiator=initiator,
        partner=partner,
        topic=topic,
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor,
        "orglife.talk.recorded",
        talk,
        org_path=org.path,
        changes={
            "org": org.pk,
            "talked_on": talked_on,
            "initiator": initiator.pk,
            "partner": partner.pk,
            "topic": topic,
        },
    )
    return talk


def talks_of(org: Org, year: int) -> list[HeartTalk]:
    return list(
        HeartTalk.objects.unscoped()
        .filter(org=org, talked_on__year=year)
        .select_related("initiator", "partner")
    )


@dataclass
class Coverage:
    year: int
    committee: list[Member]
    members: list[Member]
    findings: list[Finding]
    missing_pairs: list[tuple[Member, Member]] = field(default_factory=list)
    missing_members: list[Member] = field(default_factory=list)
    talks: int = 0


def coverage(org: Org, year: int, today: dt.date | None = None) -> Coverage:
    """R-ORGLIFE-12 for `org` in `year`: the committee and the members as of the year's end
    (or today, in the current year), against that year's talks."""
    today = today or timezone.localdate()
    day = min(dt.date(year, 12, 31), today)
    committee = committee_on(org, day)
    members = members_on(org, day)
    talks = talks_of(org, year)
    found = talk_coverage(
        {m.pk for m in committee},
        {m.pk for m in members},
        [(t.initiator_id, t.partner_id) for t in talks],
    )
    people = {m.pk: m for m in [*committee, *members]}
    result = Coverage(year, committee, members, found, talks=len(talks))
    for finding in found:
        for a, b in finding.data.get("pairs", []):
            result.missing_pairs.append((people[a], people[b]))
        result.missing_members.extend(people[m] for m in finding.data.get("members", []))
    return result
