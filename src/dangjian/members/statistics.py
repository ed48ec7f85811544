"""党内统计 basics (R-STAT-01..06) for one org subtree at a cut-off date.

Every number is a database aggregate (conditional ``Count``) over range filters built by
``dangjian.rules.stats``: no member row is loaded, and the number of queries does not depend on
the number of members (three, whatever the subtree's size).

"Members at the cut-off" are those on the roster that day: joined the Party on or before the
cut-off, and not taken off the roster (``left_on``) on or before it. A member is counted under
the branch they are assigned to **now** (``org_path``): branch history is not replayed, so a
member moved between branches after the cut-off counts under the new branch. Whether a member
was full or probationary is taken from the conversion date as of the cut-off; sex, ethnicity,
education and post are the current values of the record.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import StrIndex, Substr

from dangjian.core.access import deny, paths_for, subtree_q
from dangjian.core.permissions import Cap
from dangjian.members.models import Category, Employment, Member, Sex
from dangjian.orgs.models import Org
from dangjian.orgs.selectors import access_org
from dangjian.rules import codes
from dangjian.rules import stats as rules

RETIRED_POST = "0810"  # rules.codes.POSTS: 离退休人员 (occupation group 08)
COLLEGE_CODES = [code for code, _ in codes.EDUCATION if codes.is_college_or_above(code)]
MINORITY_Q = ~Q(ethnicity__in=[codes.HAN, ""])  # R-STAT-02: any recorded 民族 other than 汉族
WOMEN_Q = Q(sex=Sex.FEMALE)
COLLEGE_Q = Q(education__in=COLLEGE_CODES)


def default_statistics_org(user) -> Org:
    """The top-most org under which the user holds member.view (404 when there is none)."""
    paths = paths_for(user, Cap.MEMBER_VIEW)
    if not paths:
        raise deny()
    return access_org(user, paths[0].strip("/").split("/")[-1], need=Cap.MEMBER_VIEW)


def _active_org_q(cutoff: dt.date) -> Q:
    """Orgs that existed on the cut-off (an unknown founding date counts as existing)."""
    return (Q(established_on__isnull=True) | Q(established_on__lte=cutoff)) & (
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=cutoff)
    )


def _birth_q(after: dt.date | None, on_or_before: dt.date | None) -> Q:
    q = Q()
    if after is not None:
        q &= Q(birth_date__gt=after)
    if on_or_before is not None:
        q &= Q(birth_date__lte=on_or_before)
    return q


def _joined_q(start: dt.date | None, end: dt.date | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(joined_on__gte=start)
    if end is not None:
        q &= Q(joined_on__lt=end)
    return q


def child_segment(org: Org):
    """The id (as text) of the direct child of `org` under which a member is registered: the
    path segment right after `org.path` in the member's org_path; "" for members registered on
    `org` itself."""
    n = len(org.path)
    return Case(
        When(org_path=org.path, then=Value("")),
        default=Substr("org_path", n + 1, StrIndex(Substr("org_path", n + 1), Value("/")) - 1),
        output_field=CharField(),
    )


def member_statistics(user, org: Org, cutoff: dt.date, age_mode: str = "year_end") -> dict:
    """R-STAT-01..06 for `org`'s subtree on `cutoff`. The caller obtained `org` through
    ``access_org(user, …, need=Cap.MEMBER_VIEW)``; `user` is kept for the signature's sake
    (every selector starts from a user) and is not consulted again.

    Three queries whatever the subtree's size: the members' figures, grouped by direct child
    and post code (so one pass over the subtree gives the totals, the per-child table and the
    occupations; the rows returned are bounded by children × post codes, not by members), the
    organisations by kind, and the children's names."""
    reference = rules.age_reference(cutoff, age_mode)
    jan1 = rules.year_start(cutoff)
    bands = rules.age_band_bounds(reference)
    young_after = rules.young_born_after(reference)

    on_roster = Q(left_on__isnull=True) | Q(left_on__gt=cutoff)
    full_then = Q(converted_on__lte=cutoff) | Q(converted_on__isnull=True, category=Category.FULL)
    new = Q(joined_on__gte=jan1)  # joined_on <= cutoff holds for every row of the query
    left_in_year = Q(left_on__gte=jan1, left_on__lte=cutoff)

    aggregates = {
        "members": Count("id", filter=on_roster),
        "full": Count("id", filter=on_roster & full_then),
        "joined_in_year": Count("id", filter=new),
        "left_in_year": Count("id", filter=left_in_year),
        "women": Count("id", filter=on_roster & WOMEN_Q),
        "minorities": Count("id", filter=on_roster & MINORITY_Q),
        "college": Count("id", filter=on_roster & COLLEGE_Q),
        "new_women": Count("id", filter=new & WOMEN_Q),
        "new_minorities": Count("id", filter=new & MINORITY_Q),
        "new_young": Count("id", filter=new & Q(birth_date__gt=young_after)),
        "new_college": Count("id", filter=new & COLLEGE_Q),
    }
    for i, (_, after, on_or_before) in enumerate(bands):
        aggregates[f"age_{i}"] = Count("id", filter=on_roster & _birth_q(after, on_or_before))
    for i, (_, start, end) in enumerate(rules.JOINING_PERIODS):
        aggregates[f"joined_{i}"] = Count("id", filter=on_roster & _joined_q(start, end))

    rows = list(
        Member.objects.unscoped()
        .filter(subtree_q("org_path", org.path), joined_on__lte=cutoff)
        .annotate(child=child_segment(org))
        .values("child", "post", "employment")
        .annotate(**aggregates)
        .order_by()
    )
    agg = {key: sum(r[key] for r in rows) for key in aggregates}
    # R-STAT-05: counts per post code, mapped to occupation groups in Python
    by_post: dict[str, dict[str, int]] = {}
    by_child: dict[str, dict[str, int]] = {}
    for r in rows:
        # a retired member is 离退休人员 (R-STAT-05) whatever post the record still names
        post = RETIRED_POST if r["employment"] == Employment.RETIRED else r["post"]
        for bucket, key in ((by_post, post), (by_child, r["child"])):
            sums = bucket.setdefault(
                key, dict.fromkeys(("members", "joined_in_year", "women", "full"), 0)
            )
            for k in sums:
                sums[k] += r[k]
    occupations = rules.occupation_counts({p: c["members"] for p, c in by_post.items()})
    new_occupations = rules.occupation_counts({p: c["joined_in_year"] for p, c in by_post.items()})

    org_counts = (
        Org.objects.unscoped()
        .filter(subtree_q("path", org.path))
        .filter(_active_org_q(cutoff))
        .aggregate(**{kind: Count("id", filter=Q(kind=kind)) for kind, _ in rules.GRASSROOTS_KINDS})
    )

    total = agg["members"]
    new_total = agg["joined_in_year"]
    return {
        "org": org,
        "cutoff": cutoff,
        "age_mode": age_mode,
        "age_reference": reference,
        "year_start": jan1,
        "totals": {
            "members": total,
            "full": agg["full"],
            "probationary": total - agg["full"],
            "joined_in_year": new_total,
            "left_in_year": agg["left_in_year"],
            "net_change": new_total - agg["left_in_year"],
        },
        "orgs": {
            "grassroots": sum(org_counts.values()),
            **org_counts,
        },
        "composition": {
            "women": agg["women"],
            "minorities": agg["minorities"],
            "college": agg["college"],
        },
        "age_bands": [(label, agg[f"age_{i}"]) for i, (label, _, _) in enumerate(bands)],
        "joining_periods": [
            (label, agg[f"joined_{i}"]) for i, (label, _, _) in enumerate(rules.JOINING_PERIODS)
        ],
        "occupations": _labelled(occupations),
        "new_members": {
            "total": new_total,
            "women": agg["new_women"],
            "minorities": agg["new_minorities"],
            "young": agg["new_young"],
            "college": agg["new_college"],
            "occupations": _labelled(new_occupations),
        },
        "children": _child_rows(org, cutoff, by_child),
    }


def _labelled(counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(label, counts[code]) for code, label in rules.OCCUPATION_GROUPS]


@dataclass
class ChildRow:
    org: Org | None  # None: members registered on `org` itself (本级)
    members: int = 0
    women: int = 0
    probationary: int = 0

    @property
    def name(self) -> str:
        return self.org.name if self.org is not None else "本级直属"


def _child_rows(org: Org, cutoff: dt.date, by_child: dict[str, dict[str, int]]) -> list[ChildRow]:
    """Members at the cut-off per direct child of `org` (the child's whole subtree), from the
    grouped counts; children that did not exist on the cut-off are left out unless members are
    still registered under them."""

    def row(child, sums):
        if not sums:
            return ChildRow(child)
        return ChildRow(child, sums["members"], sums["women"], sums["members"] - sums["full"])

    out: list[ChildRow] = []
    for child in Org.objects.unscoped().filter(parent=org).order_by("sort", "id"):
        sums = by_child.get(str(child.pk))
        existed = (child.established_on is None or child.established_on <= cutoff) and (
            child.dissolved_on is None or child.dissolved_on > cutoff
        )
        if (sums and sums["members"]) or existed:
            out.append(row(child, sums))
    own = by_child.get("")
    if own and own["members"]:
        out.insert(0, row(None, own))
    return out


# --------------------------------------------------------------------------------------------
# Shaping: the same sections feed the page's tables and the xlsx download.


@dataclass
class Section:
    key: str
    rule_id: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    sheet: str = ""


def _share(rows: list[tuple[str, int]], total: int) -> list[list]:
    return [[label, n, rules.percent(n, total)] for label, n in rows]


def statistics_sections(stats: dict) -> list[Section]:
    t, o, c, nm = stats["totals"], stats["orgs"], stats["composition"], stats["new_members"]
    total, new_total = t["members"], nm["total"]
    year = stats["cutoff"].year
    pct = "占党员总数（%）"
    return [
        Section(
            "totals",
            "R-STAT-01",
            "党员总量",
            ["项目", "数量"],
            [
                ["党员总数", total],
                ["其中：正式党员", t["full"]],
                ["其中：预备党员", t["probationary"]],
                [f"{year}年入党（截至统计截止日）", t["joined_in_year"]],
                [f"{year}年减少（截至统计截止日）", t["left_in_year"]],
                [f"{year}年净增", t["net_change"]],
            ],
            sheet="党员总量",
        ),
        Section(
            "orgs",
            "R-STAT-01",
            "基层党组织",
            ["项目", "数量"],
            [
                ["基层党组织合计", o["grassroots"]],
                *[[label, o[kind]] for kind, label in rules.GRASSROOTS_KINDS],
            ],
            sheet="基层党组织",
        ),
        Section(
            "composition",
            "R-STAT-02",
            "性别、民族、学历",
            ["项目", "人数", pct],
            _share(
                [
                    ("女党员", c["women"]),
                    ("少数民族党员", c["minorities"]),
                    ("大专及以上学历党员", c["college"]),
                ],
                total,
            ),
            sheet="性别民族学历",
        ),
        Section(
            "age",
            "R-STAT-03",
            "年龄",
            ["年龄段", "人数", pct],
            _share(stats["age_bands"], total),
            sheet="年龄",
        ),
        Section(
            "joining",
            "R-STAT-04",
            "入党时间",
            ["入党时间", "人数", pct],
            _share(stats["joining_periods"], total),
            sheet="入党时间",
        ),
        Section(
            "occupation",
            "R-STAT-05",
            "职业",
            ["职业", "人数", pct],
            _share(stats["occupations"], total),
            sheet="职业",
        ),
        Section(
            "new_members",
            "R-STAT-06",
            f"{year}年发展党员",
            ["项目", "人数", "占发展党员数（%）"],
            _share(
                [
                    ("发展党员总数", new_total),
                    ("其中：女性", nm["women"]),
                    ("其中：少数民族", nm["minorities"]),
                    (f"其中：{rules.YOUNG_MAX_AGE}岁及以下", nm["young"]),
                    ("其中：大专及以上学历", nm["college"]),
                ],
                new_total,
            ),
            sheet="发展党员",
        ),
        Section(
            "new_occupation",
            "R-STAT-06",
            f"{year}年发展党员职业",
            ["职业", "人数", "占发展党员数（%）"],
            _share(nm["occupations"], new_total),
            sheet="发展党员职业",
        ),
        Section(
            "children",
            "R-STAT-01",
            "下级组织党员人数",
            ["组织", "党员数", "女党员", "预备党员"],
            [[r.name, r.members, r.women, r.probationary] for r in stats["children"]],
            sheet="下级组织",
        ),
    ]


PIE_COLORS = [
    "#c62828",
    "#f9a825",
    "#1565c0",
    "#2e7d32",
    "#6a1b9a",
    "#ef6c00",
    "#00838f",
    "#8d6e63",
    "#546e7a",
]


def chart_data(stats: dict) -> dict:
    """Data for the page's charts in the shapes core/static/core/app.js reads:
    pie → {"categories": [{"name", "value"}]}, bar → {"units": [...], "counts": [...]}."""

    def pie(rows):
        # "colors": app.js's pie has a two-colour palette; it can take this one (see the docs)
        return {
            "categories": [{"name": label, "value": n} for label, n in rows if n],
            "colors": PIE_COLORS,
        }

    def bar(rows):
        return {"units": [label for label, _ in rows], "counts": [n for _, n in rows]}

    return {
        "age": pie(stats["age_bands"]),
        "occupation": pie(stats["occupations"]),
        "joining": bar(stats["joining_periods"]),
        "children": bar([(r.name, r.members) for r in stats["children"]]),
    }


AGE_MODE_LABELS = dict(rules.AGE_MODES)


def statistics_xlsx(stats: dict) -> bytes:
    """One sheet per section, each headed by the org, the cut-off and the rule it follows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    org, cutoff = stats["org"], stats["cutoff"]
    bold = Font(bold=True)
    for section in statistics_sections(stats):
        ws = wb.create_sheet(section.sheet)
        ws.append([f"{org.name} · {section.title}（{section.rule_id}）"])
        ws["A1"].font = bold
        ws.append(
            [
                f"统计截止日：{cutoff:%Y-%m-%d}；年龄：{AGE_MODE_LABELS[stats['age_mode']]}"
                f"（{stats['age_reference']:%Y-%m-%d}）；党员按当前所在党支部计入"
            ]
        )
        ws.append([])
        ws.append(section.header)
        for cell in ws[4]:
            cell.font = bold
        for row in section.rows:
            ws.append(row)
        ws.column_dimensions["A"].width = 44
        for col in "BCD":
            ws.column_dimensions[col].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
