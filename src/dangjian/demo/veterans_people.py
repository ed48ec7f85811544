"""老干部服务 people for the demo city (issue 10): the 老干部局's responsible offices (离休干部处,
退休干部处, 活动中心), about 60 fictional retirees of its retiree branches — the branches'
members linked to their Party records, others not Party members, and the two the seed report
names (李军 “诗奶奶”, 程培长 “剪报爷爷”) —, interest groups 诗词 / 书画 / 花鼓船歌 in the township
retiree branch (the first retiree branch when the demo has no 竹山县宝丰镇 one), serving cadres
of the 老干部局 paired with retirees, calls and visits over the last months (some cadres
overdue), and requests in every state: open, overdue, escalated, answered in time and late,
fed back with each satisfaction, closed.

Through the services with `actor=None` (the system); deterministic for a given day (one
seeded `random.Random`, dates relative to `today`)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.conf import settings

from dangjian.demo import veterans_people_data as data
from dangjian.members.models import Category, Employment, Member
from dangjian.orgs.models import Org
from dangjian.veterans import services_pairings as sp
from dangjian.veterans import services_people as s
from dangjian.veterans import services_requests as sr

SEED = 20230901
LGB = "中共十堰市委老干部局"
RETIREES = 60
CADRES = 20
PER_CADRE = 2


@dataclass
class PeopleResult:
    retirees: int = 0
    pairings: int = 0
    contacts: int = 0
    requests: int = 0
    offices: int = 0
    groups: int = 0


class _Demo:
    def __init__(self, today: dt.date):
        self.today = today
        self.rng = random.Random(SEED)
        self.result = PeopleResult()
        self.top = (
            Org.all_objects.filter(
                parent__parent__isnull=True, unit__name=LGB, dissolved_on__isnull=True
            )
            .order_by("path")
            .first()
        )
        self.offices = []
        self.retirees = []

    def days_ago(self, n: int) -> dt.date:
        return self.today - dt.timedelta(days=n)

    def phone(self) -> str:
        return "13" + "".join(str(self.rng.randint(0, 9)) for _ in range(9))

    def address(self) -> str:
        return f"{self.rng.choice(data.STREETS)}{self.rng.randint(1, 120)}号"

    # --- offices, retirees, groups -----------------------------------------------------------

    def build_offices(self) -> None:
        for name in data.OFFICES:
            self.offices.append(sp.office_create(actor=None, org=self.top, name=name))
        self.result.offices = len(self.offices)

    def build_retirees(self, branches: list[Org]) -> None:
        members = list(
            Member.all_objects.filter(
                branch__in=branches, left_on__isnull=True, retiree__isnull=True
            )
            .select_related("branch")
            .order_by("pk")
        )
        linked = sorted(
            self.rng.sample(members, min(len(members), RETIREES * 3 // 5)), key=lambda m: m.pk
        )
        rng = self.rng
        for m in linked:
            self.retirees.append(
                s.retiree_create(
                    actor=None,
                    today=self.today,
                    org=m.branch,
                    member=m,
                    name=m.name,
                    gender="F" if m.sex == "female" else "M",
                    birth_date=m.birth_date,
                    former_unit=rng.choice(data.FORMER_UNITS),
                    former_post=rng.choice(data.FORMER_POSTS),
                    phone=self.phone(),
                    address=self.address(),
                    health_note=rng.choice(data.HEALTH) if rng.random() < 0.3 else "",
                    living_alone=rng.random() < 0.15,
                )
            )
        for i, spec in enumerate(data.NAMED):
            self.retirees.append(
                s.retiree_create(
                    actor=None,
                    today=self.today,
                    org=branches[i % len(branches)],
                    name=spec["name"],
                    gender=spec["gender"],
                    birth_date=dt.date(*spec["birth"]),
                    former_unit=spec["former_unit"],
                    former_post=spec["former_post"],
                    retired_on=dt.date(spec["birth"][0] + 60, 1, 1),
                    phone=self.phone(),
                    address=self.address(),
                    note=spec["note"],
                )
            )
        n = 0
        while len(self.retirees) < RETIREES:
            surname = data.SURNAMES[n % len(data.SURNAMES)]
            given = data.GIVEN[(n * 7) % len(data.GIVEN)]
            born = rng.randint(1928, 1960)
            lixiu = born < 1932
            self.retirees.append(
                s.retiree_create(
                    actor=None,
                    today=self.today,
                    org=branches[n % len(branches)],
                    name=surname + given,
                    gender="F"
                    if given in ("桂兰", "秀英", "玉珍", "凤英", "淑芬", "美兰")
                    else "M",
                    birth_date=dt.date(born, rng.randint(1, 12), rng.randint(1, 28)),
                    status="lixiu" if lixiu else "retired",
                    former_unit=rng.choice(data.FORMER_UNITS),
                    former_post=rng.choice(data.FORMER_POSTS),
                    retired_on=dt.date(born + 60, rng.randint(1, 12), 1),
                    phone=self.phone(),
                    address=self.address(),
                    health_note=rng.choice(data.HEALTH) if rng.random() < 0.4 else "",
                    living_alone=rng.random() < 0.2,
                    note="非中共党员" if n % 4 == 0 else "",
                )
            )
            n += 1
        self.result.retirees = len(self.retirees)

    def build_groups(self, branches: list[Org]) -> None:
        branch = next((b for b in branches if b.name == data.GROUP_BRANCH), None)
        branch = (
            branch
            or Org.all_objects.filter(name=data.GROUP_BRANCH, dissolved_on__isnull=True).first()
        )
        branch = branch or branches[0]
        pool = [r for r in self.retirees if r.org_id == branch.pk] or self.retirees[:15]
        for i, (name, note) in enumerate(data.GROUPS):
            group = s.interest_group_create(actor=None, org=branch, name=name, note=note)
            for r in pool[i::3][:8]:
                s.interest_group_join(actor=None, group=group, retiree=r)
            self.result.groups += 1

    # --- pairings and contacts -------------------------------------------------------------

    def build_pairings(self) -> list:
        cadres = list(
            Member.all_objects.filter(
                org_path__startswith=self.top.path,
                employment=Employment.IN_SERVICE,
                category=Category.FULL,
                left_on__isnull=True,
            )
            .only("pk", "name", "org_path")
            .order_by("pk")[:200]
        )
        cadres = sorted(self.rng.sample(cadres, min(CADRES, len(cadres))), key=lambda m: m.pk)
        pairings = []
        for i, cadre in enumerate(cadres):
            for j in range(PER_CADRE):
                k = i * PER_CADRE + j
                if k >= len(self.retirees):
                    break
                started = self.days_ago(self.rng.randint(130, 420))
                pairing = sp.pairing_create(
                    actor=None,
                    today=self.today,
                    retiree=self.retirees[k],
                    cadre=cadre,
                    started_on=started,
                )
                pairing.late = i % 5 == 0  # every fifth cadre has let his contacts lapse
                pairings.append(pairing)
        self.result.pairings = len(pairings)
        return pairings

    def build_contacts(self, pairings) -> None:
        rng = self.rng
        window = self.days_ago(240)
        for p in pairings:
            stop = self.days_ago(rng.randint(100, 130) if p.late else rng.randint(2, 20))
            for kind, step in (("call", 28), ("visit", 84)):
                day = max(p.started_on, window) + dt.timedelta(days=rng.randint(0, 10))
                while day <= stop:
                    sp.contact_record(
                        actor=None,
                        today=self.today,
                        pairing=p,
                        kind=kind,
                        contacted_on=day,
                        thoughts=rng.choice(data.THOUGHTS),
                        living=rng.choice(data.LIVING),
                    )
                    self.result.contacts += 1
                    day += dt.timedelta(days=step + rng.randint(-3, 3))

    # --- requests in every state -----------------------------------------------------------

    def build_requests(self, pairings) -> None:
        days = settings.VETERANS_REQUEST_DAYS
        escalate = settings.VETERANS_REQUEST_ESCALATE_DAYS
        # (raised days ago, answered after, satisfaction, closed after answer, escalate)
        plans = [
            (3, None, "", None, False),
            (5, None, "", None, False),
            (8, None, "", None, False),
            (days + 2, None, "", None, False),
            (days + 3, None, "", None, False),
            (days + escalate + 6, None, "", None, True),
            (days + escalate + 12, None, "", None, True),
            (20, 6, "", None, False),
            (25, 10, "", None, False),
            (45, days + 4, "", None, False),
            (50, days + 9, "", None, False),
            (60, 9, "satisfied", None, False),
            (65, 12, "fairly", None, False),
            (70, days + 6, "dissatisfied", None, False),
            (75, 5, "satisfied", None, False),
            (90, 8, "satisfied", 6, False),
            (100, 11, "fairly", 7, False),
            (120, days + 8, "fairly", 5, False),
            (150, 4, "satisfied", 3, False),
        ]
        live = list(pairings)
        for n, (ago, answer_after, satisfaction, close_after, escalated) in enumerate(plans):
            kind, source, content, office = data.REQUESTS[n % len(data.REQUESTS)]
            pairing = live[(n * 3) % len(live)] if live else None
            retiree = pairing.retiree if pairing else self.retirees[n % len(self.retirees)]
            raised = self.days_ago(ago)
            if pairing is not None and raised < pairing.started_on:
                pairing = None
            req = sr.request_record(
                actor=None,
                today=self.today,
                retiree=retiree,
                pairing=pairing,
                kind=kind,
                source=source,
                family_name=data.FAMILY[n % len(data.FAMILY)] if source == "family" else "",
                content=content,
                office=self.offices[office],
                raised_on=raised,
            )
            self.result.requests += 1
            if escalated:
                sr.request_escalate(request=req)
            if answer_after is None:
                continue
            answered = min(raised + dt.timedelta(days=answer_after), self.today)
            req = sr.request_answer(
                actor=None,
                request=req,
                answer=data.ANSWERS[n % len(data.ANSWERS)],
                answered_on=answered,
                today=self.today,
            )
            if satisfaction:
                fed = min(answered + dt.timedelta(days=2), self.today)
                req = sr.request_feedback(
                    actor=None,
                    request=req,
                    satisfaction=satisfaction,
                    fed_back_on=fed,
                    today=self.today,
                )
                if close_after is not None:
                    sr.request_close(
                        actor=None,
                        request=req,
                        closed_on=min(fed + dt.timedelta(days=close_after), self.today),
                        today=self.today,
                    )


def build_veterans_people(today: dt.date) -> PeopleResult:
    """Build the people part of the 老干部局's services (see the module docstring). Returns the
    counts; an empty result when the demo has no 老干部局 or it has no retiree branch."""
    demo = _Demo(today)
    if demo.top is None:
        return demo.result
    branches = list(
        Org.all_objects.filter(
            path__startswith=demo.top.path, is_retiree_branch=True, dissolved_on__isnull=True
        ).order_by("path")
    )
    if not branches:
        return demo.result
    demo.build_offices()
    demo.build_retirees(branches)
    demo.build_groups(branches)
    pairings = demo.build_pairings()
    demo.build_contacts(pairings)
    demo.build_requests(pairings)
    return demo.result


__all__ = ["PeopleResult", "build_veterans_people"]
