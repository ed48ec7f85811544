"""老干部服务 activities for the demo city (issue 10): the 老干部局 with 53 银龄志愿服务队 (named
by district and focus), their members (the retirees of the people demo, which runs first, and
plain fictional retirees of the 老干部局's retiree branches when those are too few) and a
year of activities; the studios “诗奶奶”李军工作室 and “剪报爷爷”程培长工作室 (led by the
retirees the people demo made; without a leader when absent) and the first 老党员之家 in
茅箭区五堰街道北街社区, each with monthly activities; health-adviser sessions with 市太和医院
and 智慧助老 sessions every month; the exemplars “普法爷爷” and “金牌调解员” with mediation cases.

Teams, studios, sessions, exemplars and cases go through the services with `actor=None` (the
system); the memberships and the year of team activities (about a thousand rows) are bulk
inserted. Deterministic for a given day: one seeded `random.Random`, dates relative to
`today`."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from dangjian.core.access import subtree_q
from dangjian.demo import veterans_activities_data as data
from dangjian.orgs.models import Org
from dangjian.veterans import services_activities as sa
from dangjian.veterans import services_activities_care as sc
from dangjian.veterans.models import Retiree, TeamMembership, VolunteerActivity

SEED = 20240315
LGB = "中共十堰市委老干部局"
TEAMS = 53
MEMBERS = (4, 8)  # members per team, inclusive
FEMALE = ("桂兰", "秀英", "玉珍", "凤英", "淑芬", "美兰")
HOURS = (Decimal("1.0"), Decimal("1.5"), Decimal("2.0"), Decimal("2.5"), Decimal("3.0"))


@dataclass
class ActivitiesResult:
    teams: int = 0
    activities: int = 0
    studios: int = 0
    homes: int = 0
    care_sessions: int = 0
    exemplars: int = 0
    cases: int = 0
    retirees_added: int = 0


class _Demo:
    def __init__(self, today: dt.date):
        self.today = today
        self.rng = random.Random(SEED)
        self.result = ActivitiesResult()
        self.top = (
            Org.all_objects.filter(
                parent__parent__isnull=True, unit__name=LGB, dissolved_on__isnull=True
            )
            .order_by("path")
            .first()
        )

    def days_ago(self, n: int) -> dt.date:
        return self.today - dt.timedelta(days=n)

    def branches(self) -> list[Org]:
        found = list(
            Org.all_objects.filter(
                subtree_q("path", self.top.path), is_retiree_branch=True, dissolved_on=None
            ).order_by("path")
        )
        return found or [self.top]

    def retirees(self, needed: int) -> list[Retiree]:
        """The living retirees of the 老干部局's subtree, topped up with plain fictional ones."""
        pool = list(
            Retiree.all_objects.filter(subtree_q("org_path", self.top.path), died_on=None).order_by(
                "pk"
            )
        )
        if len(pool) < needed:
            branches = self.branches()
            taken = {r.name for r in pool}
            new = []
            n = 0
            while len(pool) + len(new) < needed:
                name = (
                    data.SURNAMES[n % len(data.SURNAMES)]
                    + data.GIVEN[(n // len(data.SURNAMES)) % len(data.GIVEN)]
                )
                if n >= len(data.SURNAMES) * len(data.GIVEN):
                    name += str(n)
                n += 1
                if name in taken:
                    continue
                taken.add(name)
                branch = branches[len(new) % len(branches)]
                born = self.rng.randint(1940, 1962)
                new.append(
                    Retiree(
                        org=branch,
                        org_path=branch.path,
                        name=name,
                        gender="F"
                        if name[1:] in ("桂兰", "秀英", "玉珍", "凤英", "淑芬", "美兰")
                        else "M",
                        birth_date=dt.date(born, self.rng.randint(1, 12), self.rng.randint(1, 28)),
                        retired_on=dt.date(born + 60, 1, 1),
                    )
                )
            Retiree.all_objects.bulk_create(new)
            self.result.retirees_added = len(new)
            pool = list(
                Retiree.all_objects.filter(
                    subtree_q("org_path", self.top.path), died_on=None
                ).order_by("pk")
            )
        return pool

    # --- teams, members, activities ---------------------------------------------------------

    def build_teams(self) -> None:
        rng = self.rng
        sizes = [rng.randint(*MEMBERS) for _ in range(TEAMS)]
        pool = self.retirees(sum(sizes))
        rng.shuffle(pool)
        combos = [(d, f) for f in data.FOCUSES for d in data.DISTRICTS][:TEAMS]
        memberships, activities, participants = [], [], []
        cursor = 0
        for (district, (focus, short, resource, titles)), size in zip(combos, sizes, strict=True):
            members = pool[cursor : cursor + size]
            cursor += size
            if len(members) < size:  # a pool shorter than planned: reuse from the start
                members += pool[: size - len(members)]
            founded = self.days_ago(rng.randint(400, 1200))
            team = sa.team_create(
                actor=None,
                org=self.top,
                name=f"{district}{short}银龄志愿服务队",
                focus=focus,
                founded_on=founded,
                leader=members[0],
                today=self.today,
            )
            self.result.teams += 1
            memberships += [
                TeamMembership(team=team, retiree=r, joined_on=founded) for r in members[1:]
            ]
            for _ in range(rng.randint(12, 24)):
                held = self.days_ago(rng.randint(0, 364))
                act = VolunteerActivity(
                    team=team,
                    org_path=team.org_path,
                    title=rng.choice(titles),
                    held_on=held,
                    place=f"{district}{rng.choice(data.PLACES)}",
                    resource=resource,
                    hours=rng.choice(HOURS),
                    beneficiaries=rng.randint(8, 120),
                    summary="",
                )
                who = rng.sample(members, rng.randint(2, len(members)))
                activities.append((act, who))
        TeamMembership.objects.bulk_create(memberships)
        VolunteerActivity.all_objects.bulk_create([a for a, _ in activities], batch_size=500)
        through = VolunteerActivity.participants.through
        for act, who in activities:
            participants += [through(volunteeractivity_id=act.pk, retiree_id=r.pk) for r in who]
        through.objects.bulk_create(participants, batch_size=1000)
        self.result.activities = len(activities)

    # --- studios and the home ---------------------------------------------------------------

    def build_studios(self) -> None:
        for spec in data.STUDIOS:
            leader = None
            if spec["leader"]:
                leader = (
                    Retiree.all_objects.filter(
                        subtree_q("org_path", self.top.path), name=spec["leader"], died_on=None
                    )
                    .order_by("pk")
                    .first()
                )
            opened = self.days_ago(spec["opened"])
            studio = sc.studio_create(
                actor=None,
                org=self.top,
                kind=spec["kind"],
                name=spec["name"],
                leader=leader,
                place=spec["place"],
                opened_on=opened,
                note=spec["note"],
                today=self.today,
            )
            if spec["kind"] == "home":
                self.result.homes += 1
            else:
                self.result.studios += 1
            for month in range(12):
                held = self.days_ago(month * 30 + self.rng.randint(0, 20))
                if held < opened:
                    continue
                sc.studio_activity_record(
                    actor=None,
                    studio=studio,
                    title=self.rng.choice(spec["titles"]),
                    held_on=held,
                    resource="red" if spec["kind"] == "studio" else "silver",
                    attendance=self.rng.randint(15, 80),
                    today=self.today,
                )

    # --- care sessions ----------------------------------------------------------------------

    def build_care(self) -> None:
        rng = self.rng
        for month in range(12):
            sc.care_session_record(
                actor=None,
                org=self.top,
                kind="health",
                title=rng.choice(data.HEALTH_TOPICS),
                held_on=self.days_ago(month * 30 + rng.randint(0, 15)),
                partner="十堰市太和医院",
                advisers=rng.choice(data.HEALTH_ADVISERS),
                place=rng.choice(data.PLACES),
                served=rng.randint(20, 90),
                today=self.today,
            )
            sc.care_session_record(
                actor=None,
                org=self.top,
                kind="smart",
                title=rng.choice(data.SMART_TOPICS),
                held_on=self.days_ago(month * 30 + rng.randint(0, 15)),
                advisers=rng.choice(data.SMART_ADVISERS),
                place=rng.choice(data.PLACES),
                served=rng.randint(10, 50),
                today=self.today,
            )
            self.result.care_sessions += 2

    # --- exemplars and cases ----------------------------------------------------------------

    def build_exemplars(self) -> None:
        rng = self.rng
        named = {s["leader"] for s in data.STUDIOS if s["leader"]}
        pool = list(
            Retiree.all_objects.filter(subtree_q("org_path", self.top.path), died_on=None)
            .exclude(name__in=named)
            .order_by("pk")[:40]
        )
        people = rng.sample(pool, min(len(data.EXEMPLARS), len(pool)))
        for spec, retiree in zip(data.EXEMPLARS, people, strict=False):
            exemplar = sc.exemplar_create(
                actor=None,
                retiree=retiree,
                title=spec["title"],
                named_on=self.days_ago(spec["named"]),
                story=spec["story"],
                today=self.today,
            )
            self.result.exemplars += 1
            for i in range(rng.randint(8, 14)):
                outcome = (
                    "ongoing"
                    if i == 0
                    else rng.choice(("resolved", "resolved", "resolved", "partly", "failed"))
                )
                sc.mediation_case_record(
                    actor=None,
                    exemplar=exemplar,
                    handled_on=self.days_ago(rng.randint(0, 360)),
                    matter=rng.choice(data.CASE_MATTERS),
                    outcome=outcome,
                    place=rng.choice(data.PLACES),
                    parties=rng.randint(2, 5),
                    today=self.today,
                )
                self.result.cases += 1


def build_veterans_activities(today: dt.date) -> ActivitiesResult:
    """Build the activities of the 老干部局 (nothing when the demo city has no 老干部局)."""
    demo = _Demo(today)
    if demo.top is None:
        return demo.result
    demo.build_teams()
    demo.build_studios()
    demo.build_care()
    demo.build_exemplars()
    return demo.result
