"""A small data set for the overview tests, written with the ORM (the services are written in
parallel) with each row's `org_path` filled as the services would. Every figure the tests
expect is computed by hand in the docstrings of `build` and the tests.

Year `Y` is last year, so every quarter of it has ended (the report share looks at Q4) and
every open task of it is overdue; a few rows of other years check the year filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from dangjian.cocreation.models import (
    Campaign,
    Community,
    Milestone,
    Pairing,
    Problem,
    Project,
    ProjectMetric,
    Visit,
)
from dangjian.responsibility.models import (
    DutyItem,
    DutyList,
    DutyReport,
    Task,
    WorkPoint,
)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A local (Asia/Shanghai) instant on `day`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def point(org, year, seq, title, published=True):
    return WorkPoint.objects.create(
        org=org,
        org_path=org.path,
        year=year,
        seq=seq,
        title=title,
        published_at=at(dt.date(year, 1, 10)) if published else None,
    )


def task(org, year, due_on, *, point=None, progress=0, closed_at=None, kind="party", title=""):
    return Task.objects.create(
        point=point,
        org=org,
        org_path=org.path,
        year=year,
        kind=kind,
        title=title or (point.title if point else "单位自定任务"),
        starts_on=min(dt.date(year, 1, 15), due_on),
        due_on=due_on,
        status="closed" if closed_at else "open",
        progress=progress,
        closed_at=closed_at,
        evaluation="good" if closed_at else "",
    )


def duty_list(org, year, kind, holder="党组", confirmed=True):
    return DutyList.objects.create(
        org=org,
        org_path=org.path,
        year=year,
        kind=kind,
        holder_name=holder,
        confirmed_at=at(dt.date(year, 1, 20)) if confirmed else None,
    )


def item(duty_list_, seq=1, quarters=(), progress=50, added=None):
    """An item added on 10 January of its list's year (or on `added`): it owes every quarter
    of the year ending after its list's confirmation (20 January)."""
    it = DutyItem.objects.create(
        duty_list=duty_list_,
        org_path=duty_list_.org_path,
        seq=seq,
        content=f"责任事项{seq}",
        owner_name="张三丰",
        created_at=at(added or dt.date(duty_list_.year, 1, 10)),
    )
    for quarter in quarters:
        DutyReport.objects.create(
            item=it,
            org_path=it.org_path,
            quarter=quarter,
            progress=progress,
            text="按计划推进",
            reported_at=at(dt.date(duty_list_.year, quarter * 3, 20)),
        )
    return it


def community(name, kind="village"):
    return Community.objects.create(name=name, kind=kind, district="郧阳区", township="谭家湾镇")


def pairing(org, place, started_on, *, ended_on=None, pilot=False):
    return Pairing.objects.create(
        org=org,
        org_path=org.path,
        community=place,
        started_on=started_on,
        ended_on=ended_on,
        is_pilot=pilot,
    )


def project(pair, title, category, starts_on, *, status="ongoing", finished_on=None, **kw):
    return Project.objects.create(
        pairing=pair,
        org_path=pair.org_path,
        title=title,
        category=category,
        goal=title,
        status=status,
        starts_on=starts_on,
        finished_on=finished_on,
        **kw,
    )


def metric(proj, name, unit, target):
    return ProjectMetric.objects.create(
        project=proj, org_path=proj.org_path, name=name, unit=unit, target=Decimal(target)
    )


def milestone(proj, met, amount, due_on, done_on=None):
    return Milestone.objects.create(
        project=proj,
        org_path=proj.org_path,
        title=f"完成{amount}",
        due_on=due_on,
        done_on=done_on,
        metric=met,
        amount=Decimal(amount),
    )


def visit(pair, visited_on, households, problems=()):
    v = Visit.objects.create(
        pairing=pair,
        org_path=pair.org_path,
        visited_on=visited_on,
        visitors="李四、王五",
        households=households,
        summary="入户走访",
    )
    for status, due_on in problems:
        Problem.objects.create(
            visit=v,
            pairing=pair,
            org_path=pair.org_path,
            description="路灯不亮",
            owner_name="王五",
            due_on=due_on,
            status=status,
            resolved_on=due_on if status in ("resolved", "explained") else None,
        )
    return v


def campaign(org, starts_on, cadres, residents, places=()):
    c = Campaign.objects.create(
        org=org,
        org_path=org.path,
        title="大清理大清扫大清洗",
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=10),
        cadres=cadres,
        residents=residents,
    )
    c.communities.set(places)
    return c


@dataclass
class Built:
    year: int
    today: dt.date


def build(tree, today: dt.date) -> Built:
    """The hand-computed data set (Y = last year; A = 甲局党组, B = 乙局党组).

    Work points of Y: P1 (2 tasks: A closed on time, B closed a day late at 00:30 local),
    P2 (A open 40 %, B open 60 %: both overdue), P3 unpublished (A's task never counts); a
    point of Y-1 with an open task of A (not in Y's figures; open and overdue for the hub);
    own tasks: A open 10 % overdue, B closed; this year an own task of A due in 30 days.

    Lists of Y: A main confirmed (item reported in Q4, item reported only in Q3), A first
    unconfirmed (its reported item does not count), A dual ×2 (one confirmed with an item
    reported in Q4, one draft); B main unconfirmed. A main of Y-1 (not counted). This year:
    A main confirmed with one item reported for the last ended quarter (in the first quarter,
    when none of this year has ended, for the running one) and one not, B main confirmed with
    one item not reported. Lists are confirmed on 20 January, items added on 10 January.

    Co-creation of Y: A paired with 龙泉村 (pilot) and 北街社区, B with 北街社区 (B's pairing
    with 龙泉村 ended before Y). Projects: A 户户通 done (120 households, 50.50 万元, road 10 km,
    4 + 5 km done in Y, 1 km not done), A 户户亮 ongoing (80 households, 12 万元, 100 lamps, 60 + 50
    done); B road ongoing (30 households, 5 km, 2 km done in Y, 1 km done in Y+1); a project
    finished in Y-2 and one starting in Y+1 do not count. Visits: A 10 and 5 households, B 8;
    problems of A: resolved, explained, open overdue, in progress overdue, open due in 10 days;
    of B: open overdue. A campaign of A in Y (20 cadres, 150 residents), one in Y-1."""
    y = today.year - 1
    a, b, root = tree.party_group_a, tree.party_group_b, tree.root

    p1 = point(root, y, 1, "学习贯彻党的二十大精神")
    p2 = point(root, y, 2, "深化共同缔造活动")
    p3 = point(root, y, 3, "清廉机关建设", published=False)
    p_old = point(root, y - 1, 1, "上年度要点")
    due1, due2 = dt.date(y, 6, 30), dt.date(y, 9, 30)
    task(a, y, due1, point=p1, progress=100, closed_at=at(due1, 23, 30))
    task(b, y, due1, point=p1, progress=90, closed_at=at(due1 + dt.timedelta(days=1), 0, 30))
    task(a, y, due2, point=p2, progress=40)
    task(b, y, due2, point=p2, progress=60)
    task(a, y, dt.date(y, 3, 31), point=p3)
    task(a, y, dt.date(y, 5, 31), progress=10)
    task(b, y, dt.date(y, 5, 31), kind="business", progress=100, closed_at=at(dt.date(y, 5, 2)))
    task(a, y - 1, dt.date(y - 1, 6, 30), point=p_old, progress=20)
    Task.objects.create(
        org=a,
        org_path=a.path,
        year=today.year,
        title="本年度自定任务",
        starts_on=today,
        due_on=today + dt.timedelta(days=30),
    )

    main_a = duty_list(a, y, "main")
    item(main_a, 1, quarters=(1, 2, 3, 4))
    item(main_a, 2, quarters=(3,))
    first_a = duty_list(a, y, "first", holder="书记", confirmed=False)
    item(first_a, 1, quarters=(4,))
    dual_a1 = duty_list(a, y, "dual", holder="副局长甲")
    item(dual_a1, 1, quarters=(4,))
    dual_a2 = duty_list(a, y, "dual", holder="副局长乙", confirmed=False)
    item(dual_a2, 1)
    duty_list(b, y, "main", confirmed=False)
    old = duty_list(a, y - 1, "main")
    item(old, 1, quarters=(4,))
    this_quarter = (today.month - 1) // 3 + 1
    now_a = duty_list(a, today.year, "main")
    item(now_a, 1, quarters=(this_quarter - 1 or this_quarter,))
    item(now_a, 2)
    now_b = duty_list(b, today.year, "main")
    item(now_b, 1)

    village, street = community("龙泉村"), community("北街社区", kind="community")
    pa1 = pairing(a, village, dt.date(y - 1, 3, 1), pilot=True)
    pa2 = pairing(a, street, dt.date(y, 5, 1))
    pb1 = pairing(b, village, dt.date(y - 2, 1, 1), ended_on=dt.date(y - 1, 12, 31))
    pb2 = pairing(b, street, dt.date(y, 2, 1))

    road = project(
        pa1,
        "户户通",
        "roads",
        dt.date(y, 3, 1),
        status="done",
        finished_on=dt.date(y, 10, 1),
        beneficiary_households=120,
        beneficiary_people=400,
        funds_raised=Decimal("50.50"),
    )
    km = metric(road, "硬化道路", "公里", "10")
    milestone(road, km, "4", dt.date(y, 5, 20), dt.date(y, 5, 20))
    milestone(road, km, "5", dt.date(y, 9, 15), dt.date(y, 9, 15))
    milestone(road, km, "1", dt.date(y, 12, 1))
    lights = project(
        pa1,
        "户户亮",
        "lighting",
        dt.date(y, 4, 1),
        beneficiary_households=80,
        funds_raised=Decimal("12.00"),
    )
    lamps = metric(lights, "路灯", "盏", "100")
    milestone(lights, lamps, "60", dt.date(y, 6, 1), dt.date(y, 6, 1))
    milestone(lights, lamps, "50", dt.date(y, 11, 1), dt.date(y, 11, 1))
    b_road = project(pb2, "社区道路", "roads", dt.date(y, 3, 1), beneficiary_households=30)
    b_km = metric(b_road, "硬化道路", "公里", "5")
    milestone(b_road, b_km, "2", dt.date(y, 8, 1), dt.date(y, 8, 1))
    milestone(b_road, b_km, "1", dt.date(y + 1, 1, 10), dt.date(y + 1, 1, 10))
    old_project = project(
        pb1,
        "旧项目",
        "other",
        dt.date(y - 2, 3, 1),
        status="done",
        finished_on=dt.date(y - 2, 12, 1),
        beneficiary_households=999,
    )
    metric(old_project, "硬化道路", "公里", "99")
    project(
        pa2,
        "明年项目",
        "services",
        dt.date(y + 1, 3, 1),
        status="planned",
        beneficiary_households=50,
    )

    visit(
        pa1,
        dt.date(y, 4, 10),
        10,
        problems=[
            ("resolved", dt.date(y, 5, 1)),
            ("explained", dt.date(y, 5, 1)),
            ("open", dt.date(y, 5, 1)),
            ("in_progress", dt.date(y, 12, 1)),
        ],
    )
    visit(pa2, dt.date(y, 6, 10), 5, problems=[("open", today + dt.timedelta(days=10))])
    visit(pb2, dt.date(y, 7, 1), 8, problems=[("open", dt.date(y, 8, 1))])
    visit(pa1, dt.date(y - 1, 12, 1), 99, problems=[("open", dt.date(y - 1, 12, 31))])
    campaign(a, dt.date(y, 4, 1), 20, 150, places=[village])
    campaign(a, dt.date(y - 1, 4, 1), 99, 999)
    return Built(year=y, today=today)


def hub_unreported(today: dt.date) -> tuple[int, int]:
    """The hub's unreported items in the data set (committee, unit admin of 甲局): the last
    ended quarter's. From April, this year's: A's second item and B's item (A's first reported
    it); in January–March, Q4 of last year (Y): A main's second item (reported Q3 only)."""
    return (2, 1) if today.month > 3 else (1, 1)


def populate_unit(org, year: int, n: int, shared_point) -> None:
    """Rows of every kind for one more unit (the query-count tests)."""
    place = community(f"村{n}")
    task(org, year, dt.date(year, 6, 30), point=shared_point, progress=30)
    task(org, year, dt.date(year, 6, 30), progress=100, closed_at=at(dt.date(year, 6, 1)))
    lst = duty_list(org, year, "main")
    item(lst, 1, quarters=(4,))
    item(lst, 2)
    duty_list(org, year, "dual", holder=f"班子成员{n}")
    pair = pairing(org, place, dt.date(year, 1, 1), pilot=n % 2 == 0)
    proj = project(pair, f"项目{n}", "roads", dt.date(year, 2, 1), beneficiary_households=n)
    met = metric(proj, "硬化道路", "公里", "3")
    milestone(proj, met, "1", dt.date(year, 5, 1), dt.date(year, 5, 1))
    visit(pair, dt.date(year, 3, 1), 3, problems=[("open", dt.date(year, 4, 1))])
    campaign(org, dt.date(year, 4, 1), 5, 20, places=[place])
