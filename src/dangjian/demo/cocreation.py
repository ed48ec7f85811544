"""共同缔造 for the demo city (issue 9): the 老干部局's pairing with 龙泉村 (郧阳区谭家湾镇, a
pilot, as the seed report tells it) and with a community in the city, the cadres who serve
there (members of the 老干部局's branches), the three projects of the report — 户户通 (roads,
km and households reached), 户户亮 (street lights), 户户富 (mushroom and tea bases, households
with more income) — with their milestones across 2022 and some still open, funds,
beneficiaries and residents' feedback; the 大清理/大清扫/大清洗 campaign in the village and the
community; visits with problems in every state. A few other units (the 司法局 and three more)
are paired with a village or community and have one project each.

Everything goes through `dangjian.cocreation.services` with `actor=None` (the system).
Deterministic for a given day: one seeded `random.Random`; dates of 2022 are absolute, the
later ones relative to `today`. Needs a `today` after January 2023 (skipped before)."""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from dangjian.cocreation import services as cocreation
from dangjian.cocreation.models import ProblemStatus
from dangjian.demo import cocreation_data as data
from dangjian.members.models import Category, Employment, Member
from dangjian.orgs.models import Org

SEED = 20220310  # the day the 老干部局 was paired with 龙泉村 in the demo


@dataclass
class CocreationDemo:
    communities: int = 0
    pairings: int = 0
    pilots: int = 0
    cadres: int = 0
    projects: int = 0
    projects_done: int = 0
    metrics: int = 0
    milestones: int = 0
    milestones_open: int = 0
    feedback: int = 0
    campaigns: int = 0
    visits: int = 0
    problems: int = 0
    problems_open: int = 0  # open or in progress
    seconds: float = 0.0


class _Demo:
    def __init__(self, today: dt.date):
        self.today = today
        self.rng = random.Random(SEED)
        self.result = CocreationDemo()
        root = Org.all_objects.get(parent__isnull=True)
        self.top_of = {
            o.unit.name: o
            for o in Org.all_objects.filter(parent=root, unit__isnull=False, dissolved_on=None)
            .select_related("unit")
            .order_by("path")
        }
        self.communities = {}
        self.pairings = {}  # (unit, community key) → Pairing
        self.cadre_names: dict[tuple[str, str], list[str]] = {}
        self.projects = {}

    def day(self, when) -> dt.date | None:
        """A date of the data: a (y, m, d) tuple, days relative to today, or None."""
        if when is None:
            return None
        if isinstance(when, int):
            return self.today + dt.timedelta(days=when)
        return dt.date(*when)

    def people(self, top: Org, count: int) -> list[Member]:
        """`count` in-service full members of the unit, the same ones for the same day."""
        pool = list(
            Member.all_objects.filter(
                org_path__startswith=top.path,
                employment=Employment.IN_SERVICE,
                category=Category.FULL,
                left_on__isnull=True,
            )
            .only("pk", "name")
            .order_by("pk")[:200]
        )
        return self.rng.sample(pool, min(count, len(pool)))

    # --- the places and the pairings ------------------------------------------------------------

    def build_communities(self) -> None:
        for spec in data.COMMUNITIES:
            self.communities[spec.key] = cocreation.community_create(
                actor=None,
                name=spec.name,
                kind=spec.kind,
                district=spec.district,
                township=spec.township,
                households=spec.households,
                population=spec.population,
                note=spec.note,
            )
            self.result.communities += 1

    def build_pairings(self) -> None:
        for spec in data.PAIRINGS:
            top = self.top_of.get(spec.unit)
            if top is None:
                continue
            started = dt.date(*spec.started)
            pairing = cocreation.pairing_create(
                actor=None,
                today=self.today,
                org=top,
                community=self.communities[spec.community],
                started_on=started,
                is_pilot=spec.pilot,
                note=spec.note,
            )
            self.pairings[(spec.unit, spec.community)] = pairing
            self.result.pairings += 1
            self.result.pilots += spec.pilot
            names = []
            for member, post in zip(self.people(top, len(spec.cadres)), spec.cadres, strict=False):
                cocreation.cadre_add(
                    actor=None,
                    today=self.today,
                    pairing=pairing,
                    name=member.name,
                    started_on=started,
                    post=post,
                    member=member,
                )
                names.append(member.name)
                self.result.cadres += 1
            self.cadre_names[(spec.unit, spec.community)] = names

    # --- projects -------------------------------------------------------------------------------

    def build_projects(self) -> None:
        for spec in data.PROJECTS:
            pairing = self.pairings.get((spec.unit, spec.community))
            if pairing is None:
                continue
            project = cocreation.project_create(
                actor=None,
                today=self.today,
                pairing=pairing,
                title=spec.title,
                category=spec.category,
                goal=spec.goal,
                starts_on=dt.date(*spec.starts),
                due_on=self.day(spec.due),
                status="ongoing",
                funds_planned=Decimal(spec.funds_planned),
                funds_raised=Decimal(spec.funds_raised),
                beneficiary_households=spec.households,
                beneficiary_people=spec.people,
            )
            self.projects[spec.key] = project
            self.result.projects += 1
            metrics = []
            for metric in spec.metrics:
                metrics.append(
                    cocreation.metric_add(
                        actor=None,
                        project=project,
                        name=metric.name,
                        unit=metric.unit,
                        target=Decimal(metric.target),
                    )
                )
                self.result.metrics += 1
            for step in spec.milestones:
                done = self.day(step.done)
                relative = isinstance(step.done, int)
                milestone = cocreation.milestone_add(
                    actor=None,
                    today=self.today,
                    project=project,
                    title=step.title,
                    due_on=self.day(step.due),
                    metric=metrics[step.metric] if step.metric is not None else None,
                    amount=Decimal(step.amount) if step.amount is not None else None,
                    note=step.note,
                    # this year's steps are planned first and marked done when they are
                    done_on=None if relative else done,
                )
                if relative and done is not None:
                    cocreation.milestone_done(
                        actor=None, today=self.today, milestone=milestone, done_on=done
                    )
                self.result.milestones += 1
                self.result.milestones_open += done is None
            if spec.finished is not None:
                cocreation.project_update(
                    actor=None,
                    today=self.today,
                    project=project,
                    status="done",
                    finished_on=dt.date(*spec.finished),
                )
                self.result.projects_done += 1

    def build_feedback(self) -> None:
        for key, when, satisfaction, content, resident, reply, public in data.FEEDBACK:
            project = self.projects.get(key)
            if project is None:
                continue
            cocreation.feedback_add(
                actor=None,
                today=self.today,
                project=project,
                received_on=self.day(when),
                satisfaction=satisfaction,
                content=content,
                resident_name=resident,
                reply=reply,
                is_public=public,
            )
            self.result.feedback += 1

    # --- campaigns and visits -------------------------------------------------------------------

    def build_campaigns(self) -> None:
        for spec in data.CAMPAIGNS:
            top = self.top_of.get(spec["unit"])
            if top is None:
                continue
            cocreation.campaign_create(
                actor=None,
                today=self.today,
                org=top,
                title=spec["title"],
                starts_on=self.day(spec["starts"]),
                ends_on=self.day(spec["ends"]),
                communities=[self.communities[k] for k in spec["communities"]],
                content=spec["content"],
                cadres=spec["cadres"],
                residents=spec["residents"],
                results=spec["results"],
            )
            self.result.campaigns += 1

    def build_visits(self) -> None:
        for spec in data.VISITS:
            pairing = self.pairings.get((spec["unit"], spec["community"]))
            if pairing is None:
                continue
            names = self.cadre_names.get((spec["unit"], spec["community"])) or ["包联干部"]
            visit = cocreation.visit_record(
                actor=None,
                today=self.today,
                pairing=pairing,
                visited_on=self.day(spec["on"]),
                visitors="、".join(names[:3]),
                summary=spec["summary"],
                households=spec["households"],
                problems=[
                    {
                        "description": description,
                        "owner_name": owner,
                        "due_on": self.day(due),
                        "raised_by": raised_by,
                    }
                    for description, raised_by, owner, due, *_ in spec["problems"]
                ],
            )
            self.result.visits += 1
            problems = list(visit.problems.order_by("pk"))
            for problem, row in zip(problems, spec["problems"], strict=True):
                self.result.problems += 1
                status, resolution, resolved = row[4], row[5], self.day(row[6])
                if status == ProblemStatus.OPEN:
                    self.result.problems_open += 1
                    continue
                if status == ProblemStatus.IN_PROGRESS:
                    self.result.problems_open += 1
                cocreation.problem_update(
                    actor=None,
                    today=self.today,
                    problem=problem,
                    status=status,
                    resolution=resolution,
                    resolved_on=resolved,
                )


def build_cocreation(today: dt.date) -> CocreationDemo:
    started = time.perf_counter()
    demo = _Demo(today)
    if today < dt.date(2023, 2, 1) or data.LGB not in demo.top_of:
        return demo.result
    demo.build_communities()
    demo.build_pairings()
    demo.build_projects()
    demo.build_feedback()
    demo.build_campaigns()
    demo.build_visits()
    demo.result.seconds = round(time.perf_counter() - started, 2)
    return demo.result


__all__ = ["CocreationDemo", "build_cocreation"]
