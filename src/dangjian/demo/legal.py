"""Legal services of the 司法局 for the demo city (issue 10): ~12 law firms and ~60 lawyers
(fictional; about half Party members), 一村(社区)一律师 over every registered village and
community but a few (the 共同缔造 demo's places are reused, more of 十堰's districts are added),
service logs, legal advisers for the city government, every 县(市、区) and most townships
(a few uncovered), ~40 legal-aid cases in every state and category (some past their time
limits), and 普法 / 好律师 / 培训 activities. The firms' Party branches are left empty: the
demo tree holds no law-firm branches.

Writes through the legal services with `actor=None` (the system); the service logs, the bulk of
the rows, with bulk_create. Deterministic for a given day (one seeded `random.Random`; dates
relative to `today`). The 共同缔造 builder runs before this one."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from dangjian.cocreation import services as cocreation
from dangjian.cocreation.models import Community
from dangjian.demo import legal_data as data
from dangjian.legal import services_aid as aid
from dangjian.legal import services_lawyers as lawyers
from dangjian.legal import services_villages as villages
from dangjian.legal.models import (
    ActivityKind,
    AidOutcome,
    ApplicantCategory,
    GovLevel,
    ServiceKind,
    ServiceLog,
)
from dangjian.orgs.models import Org

SEED = 20230115
SFJ = "十堰市司法局"
LAWYERS = 60
AID_CASES = 40


@dataclass
class LegalResult:
    firms: int = 0
    lawyers: int = 0
    party_lawyers: int = 0
    villages_covered: int = 0
    villages_total: int = 0
    adviser_posts: int = 0
    advisers_covered: int = 0
    aid_cases: int = 0
    activities: int = 0


def _sfj_top() -> Org | None:
    root = Org.all_objects.filter(parent__isnull=True).first()
    if root is None:
        return None
    return (
        Org.all_objects.filter(parent=root, unit__name=SFJ, dissolved_on=None)
        .select_related("unit", "parent")
        .first()
    )


class _Demo:
    def __init__(self, today: dt.date, top: Org):
        self.today = today
        self.top = top
        self.rng = random.Random(SEED)
        self.result = LegalResult()

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def build_lawyers(self) -> list:
        firms = [
            lawyers.firm_create(
                actor=None,
                org=self.top,
                name=name,
                district=district,
                licence_no=f"3142{n:02d}00{2000 + n * 3:04d}",
            )
            for n, (name, district) in enumerate(data.FIRMS, 1)
        ]
        self.result.firms = len(firms)
        out, used = [], set()
        for i in range(LAWYERS):
            while True:
                name = self.rng.choice(data.SURNAMES) + "".join(
                    self.rng.sample(data.GIVEN, self.rng.choice((1, 2)))
                )
                if name not in used:
                    used.add(name)
                    break
            since = self.ago(self.rng.randint(365, 365 * 25))
            gender = self.rng.choice(("M", "F"))
            party = self.rng.random() < 0.55
            lawyer = lawyers.lawyer_create(
                actor=None,
                firm=firms[i % len(firms)],
                name=name,
                licence_no=f"14203{since.year:04d}{1 if gender == 'M' else 2}{i + 1:07d}",
                gender=gender,
                is_party_member=party,
                practising_since=since,
                today=self.today,
                phone=f"13{self.rng.randint(0, 9)}{self.rng.randint(10_000_000, 99_999_999)}",
            )
            out.append(lawyer)
            self.result.party_lawyers += party
        self.result.lawyers = len(out)
        return out

    def places(self) -> list[Community]:
        existing = {(c.district, c.township, c.name): c for c in Community.objects.all()}
        for district, township, name, kind in data.PLACES:
            if (district, township, name) not in existing:
                existing[(district, township, name)] = cocreation.community_create(
                    actor=None,
                    name=name,
                    kind=kind,
                    district=district,
                    township=township,
                    households=self.rng.randint(180, 3200),
                    population=self.rng.randint(600, 9000),
                )
        return sorted(existing.values(), key=lambda c: (c.district, c.township, c.name))

    def build_villages(self, people: list) -> None:
        places = self.places()
        self.result.villages_total = len(places)
        uncovered = set(self.rng.sample(range(len(places)), data.UNCOVERED_PLACES))
        logs = []
        kinds = ServiceKind.values
        for i, place in enumerate(places):
            if i in uncovered:
                continue
            started = self.ago(self.rng.randint(120, 900))
            assignment = villages.village_lawyer_assign(
                actor=None,
                community=place,
                lawyer=people[i % len(people)],
                started_on=started,
                today=self.today,
            )
            self.result.villages_covered += 1
            span = (self.today - started).days
            for _ in range(self.rng.randint(2, 6)):
                kind = self.rng.choice(kinds)
                logs.append(
                    ServiceLog(
                        assignment=assignment,
                        org_path=assignment.org_path,
                        kind=kind,
                        served_on=started + dt.timedelta(days=self.rng.randint(0, span)),
                        count=self.rng.randint(1, 8),
                        summary=data.SERVICE_SUMMARIES[kind],
                    )
                )
        ServiceLog.all_objects.bulk_create(logs)

    def build_advisers(self, people: list) -> None:
        posts = [(data.CITY_GOVERNMENT, GovLevel.CITY, "")]
        posts += [(f"{c}人民政府", GovLevel.COUNTY, c) for c in data.COUNTIES]
        posts += [
            (f"{d}{t}{'办事处' if t.endswith('街道') else '人民政府'}", GovLevel.TOWNSHIP, d)
            for d, t in data.TOWNSHIPS
        ]
        townships = [i for i, p in enumerate(posts) if p[1] == GovLevel.TOWNSHIP]
        uncovered = set(self.rng.sample(townships, data.UNCOVERED_TOWNSHIPS))
        for i, (name, level, district) in enumerate(posts):
            post = villages.adviser_post_create(
                actor=None, org=self.top, name=name, level=level, district=district
            )
            self.result.adviser_posts += 1
            if i in uncovered:
                continue
            count = 2 if level != GovLevel.TOWNSHIP else 1
            for lawyer in self.rng.sample(people, count):
                villages.adviser_appoint(
                    actor=None,
                    post=post,
                    lawyer=lawyer,
                    started_on=self.ago(self.rng.randint(60, 700)),
                    today=self.today,
                )
            self.result.advisers_covered += 1

    def build_cases(self, people: list) -> None:
        categories = ApplicantCategory.values
        outcomes = AidOutcome.values
        # (state, how many): every state, some past their limits
        plan = (
            ["applied_new"] * 4
            + ["applied_overdue"] * 3
            + ["accepted_due"] * 3
            + ["accepted_overdue"] * 2
            + ["assigned"] * 10
            + ["closed"] * 15
            + ["refused"] * 3
        )
        for n, state in enumerate(plan[:AID_CASES], 1):
            category = categories[n % len(categories)]
            matter = self.rng.choice(data.AID_MATTERS[category])
            if state == "applied_new":
                applied = self.ago(self.rng.randint(0, 3))
            elif state == "applied_overdue":
                applied = self.ago(self.rng.randint(9, 15))
            elif state == "accepted_due":
                applied = self.ago(self.rng.randint(2, 5))
            else:
                applied = self.ago(self.rng.randint(8, 300))
            surname = self.rng.choice(data.SURNAMES)
            case = aid.aid_case_create(
                actor=None,
                org=self.top,
                case_no=f"（{applied.year}）鄂03法援{n:03d}号",
                applicant_name=surname + self.rng.choice(data.GIVEN) + self.rng.choice(data.GIVEN),
                applicant_category=category,
                matter=matter,
                applied_on=applied,
                today=self.today,
            )
            self.result.aid_cases += 1
            if state.startswith("applied"):
                continue
            decided = min(applied + dt.timedelta(days=self.rng.randint(1, 6)), self.today)
            if state == "accepted_overdue":
                decided = self.ago(self.rng.randint(5, 7))
                decided = max(decided, applied)
            if state == "refused":
                aid.aid_case_refuse(
                    actor=None,
                    case=case,
                    reason="申请人经济状况不符合法律援助条件",
                    decided_on=decided,
                    today=self.today,
                )
                continue
            case = aid.aid_case_accept(actor=None, case=case, accepted_on=decided, today=self.today)
            if state.startswith("accepted"):
                continue
            assigned = min(decided + dt.timedelta(days=self.rng.randint(0, 3)), self.today)
            case = aid.aid_case_assign(
                actor=None,
                case=case,
                lawyer=self.rng.choice(people),
                assigned_on=assigned,
                today=self.today,
            )
            if state == "closed":
                aid.aid_case_close(
                    actor=None,
                    case=case,
                    outcome=self.rng.choice(outcomes),
                    closed_on=min(
                        assigned + dt.timedelta(days=self.rng.randint(20, 90)), self.today
                    ),
                    today=self.today,
                )

    def build_activities(self, people: list) -> None:
        groups = (
            (ActivityKind.PUFA, data.PUFA, (60, 400)),
            (ActivityKind.GOOD_LAWYER, data.GOOD_LAWYER, (20, 120)),
            (ActivityKind.TRAINING, data.TRAINING, (30, 150)),
        )
        for kind, items, (low, high) in groups:
            for title, place in items:
                aid.activity_record(
                    actor=None,
                    org=self.top,
                    kind=kind,
                    title=title,
                    held_on=self.ago(self.rng.randint(3, 360)),
                    place=place,
                    lawyers=self.rng.sample(people, self.rng.randint(2, 8)),
                    participants=self.rng.randint(low, high),
                    today=self.today,
                )
                self.result.activities += 1


def build_legal(today: dt.date) -> LegalResult:
    """Build the 司法局's legal services for the demo; an empty result when the city has no
    司法局 (a trimmed tree)."""
    top = _sfj_top()
    if top is None:
        return LegalResult()
    demo = _Demo(today, top)
    people = demo.build_lawyers()
    demo.build_villages(people)
    demo.build_advisers(people)
    demo.build_cases(people)
    demo.build_activities(people)
    return demo.result
