"""Reads of the responsibility lists (责任清单, R-ORG-12), always scoped by resp.manage: the
lists a user may see, one list with its items, quarterly reports and findings, the 工委's
unit-by-unit overview, and the roll-up shown on a secretary's yearly 述职 report. Each in a
fixed number of queries, whatever the number of lists, items or units.

Two kinds of function live here:

- selectors for request code, starting from a user (`duty_lists(user, …)`, `overview(user,
  …)`, `access_*`): they answer 404 to outsiders;
- plain reads for other code that has already decided the org may be read
  (`lists_for_report(org, year)` for the 述职 page, `list_detail(duty_list)`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from dangjian.core.access import can, deny, scope_q, subtree_q
from dangjian.core.permissions import Cap
from dangjian.members.models import Member
from dangjian.orgs.models import Org, OrgKind
from dangjian.responsibility.models import DutyItem, DutyKind, DutyList, DutyReport, ReportFile
from dangjian.rules import duties as rules
from dangjian.rules.base import Finding, Level

MANAGE = Cap.RESP_MANAGE
#: years the lists accept: from 2000 to next year
YEAR_MIN = 2000
#: the holder choices of the list form
PEOPLE_CHOICES_MAX = 500
#: the unit choices of the forms and filters
UNIT_CHOICES_MAX = 500
KINDS = [value for value, _ in DutyKind.choices]


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 < number < 2**62 else None


def parse_year(value, today: dt.date | None = None) -> int | None:
    """A year from a query string, or None when it is absent or not sensible."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError, OverflowError):
        return None
    today = today or timezone.localdate()
    return year if YEAR_MIN <= year <= today.year + 1 else None


def year_choices(today: dt.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(range(today.year + 1, today.year - 6, -1))


# ---------------------------------------------------------------------------------------------
# Units: a list belongs to the top Party body of a unit


def unit_top_q(prefix: str = "") -> Q:
    """Orgs that are the top node of their unit: they have a unit, and their parent does not
    belong to the same one (the 党组 under the 工委, or a unit's 机关党委 where it has none)."""
    p = prefix
    return Q(**{f"{p}unit__isnull": False}) & (
        Q(**{f"{p}parent__isnull": True})
        | Q(**{f"{p}parent__unit__isnull": True})
        | ~Q(**{f"{p}parent__unit": F(f"{p}unit")})
    )


def is_unit_top(org: Org) -> bool:
    if org.unit_id is None:
        return False
    if org.parent_id is None:
        return True
    parent = org.parent if "parent" in org._state.fields_cache else None
    if parent is None:
        parent_unit = (
            Org.objects.unscoped()
            .filter(pk=org.parent_id)
            .values_list("unit_id", flat=True)
            .first()
        )
    else:
        parent_unit = parent.unit_id
    return parent_unit != org.unit_id


def unit_orgs(user) -> list[Org]:
    """The units' top orgs on which the user holds resp.manage (the unit choices)."""
    return list(
        Org.objects.visible_to(user, MANAGE)
        .filter(unit_top_q(), dissolved_on__isnull=True)
        .select_related("unit")
        .order_by("unit__sort", "path")[:UNIT_CHOICES_MAX]
    )


def access_unit_org(user, org_id) -> Org:
    """A unit's top org on which the user holds resp.manage (404 otherwise)."""
    pk = _int(org_id)
    org = (
        Org.objects.unscoped().select_related("unit", "parent").filter(pk=pk).first()
        if pk
        else None
    )
    if org is None or not can(user, MANAGE, org.path) or not is_unit_top(org):
        raise deny()
    return org


def unit_top_of(org: Org) -> Org | None:
    """The top org of `org`'s unit (itself or an ancestor), or None outside any unit. One
    query."""
    if org.unit_id is None:
        return None
    ids = [*org.ancestor_ids(), org.pk]
    chain = {o.pk: o for o in Org.objects.unscoped().filter(pk__in=ids).select_related("unit")}
    top = None
    for pk in reversed(ids):
        node = chain.get(pk)
        if node is None or node.unit_id != org.unit_id:
            break
        top = node
    return top


# ---------------------------------------------------------------------------------------------
# One object


def access_list(user, list_id, need: Cap = MANAGE) -> DutyList:
    pk = _int(list_id)
    found = (
        DutyList.objects.unscoped()
        .select_related("org", "org__unit", "holder", "created_by")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


def access_item(user, item_id, need: Cap = MANAGE) -> DutyItem:
    pk = _int(item_id)
    found = (
        DutyItem.objects.select_related("duty_list", "duty_list__org", "duty_list__org__unit")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


def access_file(user, file_id, need: Cap = MANAGE) -> ReportFile:
    """An evidence file of a duty report (not of a task report)."""
    pk = _int(file_id)
    found = (
        ReportFile.objects.select_related("duty_report")
        .filter(pk=pk, duty_report__isnull=False)
        .first()
        if pk
        else None
    )
    if found is None or not can(user, need, found.org_path):
        raise deny()
    return found


def holder_choices(org: Org, include: Member | None = None) -> list[Member]:
    """Members on the roster of the unit's subtree (the holder choices of a list)."""
    people = list(
        Member.objects.unscoped()
        .filter(subtree_q("org_path", org.path), left_on__isnull=True)
        .order_by("name_pinyin", "id")[:PEOPLE_CHOICES_MAX]
    )
    if include is not None and include.pk not in {m.pk for m in people}:
        people.insert(0, include)
    return people


# ---------------------------------------------------------------------------------------------
# Which quarters an item owes (rules.owed_from)


def _day_start(day: dt.date) -> dt.datetime:
    """The first instant of a local day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def owes_report_q(year: int, quarter: int, prefix: str = "") -> Q:
    """Duty items (reached through `prefix`, e.g. "item__" from a report) that owe the
    quarter's report: their list was confirmed and the item added on or before the quarter's
    last day (local dates; rules.owes_quarter). Whether the quarter has ended is the caller's
    business."""
    before = _day_start(rules.quarter_end(year, quarter) + dt.timedelta(days=1))
    return Q(**{f"{prefix}duty_list__confirmed_at__lt": before, f"{prefix}created_at__lt": before})


def item_since(confirmed_at: dt.datetime | None, created_at: dt.datetime | None):
    """The day from which an item owes reports: the later of its list's confirmation and its
    addition, as local dates (rules.owed_from)."""
    return rules.owed_from(
        timezone.localdate(confirmed_at) if confirmed_at else None,
        timezone.localdate(created_at) if created_at else None,
    )


# ---------------------------------------------------------------------------------------------
# Lists of lists


def duty_lists(
    user,
    *,
    org: Org | None = None,
    year: int | None = None,
    kind: str = "",
    q: str = "",
    status: str = "",
):
    """The lists the user may see, filtered, each with `item_count`, `done_count` and
    `avg_progress`."""
    qs = DutyList.objects.visible_to(user, MANAGE).select_related("org", "org__unit")
    if org is not None:
        qs = qs.filter(org=org)
    if year:
        qs = qs.filter(year=year)
    if kind in KINDS:
        qs = qs.filter(kind=kind)
    if status == "draft":
        qs = qs.filter(confirmed_at__isnull=True)
    elif status == "confirmed":
        qs = qs.filter(confirmed_at__isnull=False)
    q = (q or "").strip()[:50]
    if q:
        qs = qs.filter(
            Q(holder_name__icontains=q)
            | Q(holder_post__icontains=q)
            | Q(remit__icontains=q)
            | Q(org__name__icontains=q)
            # a subquery, not a join: the item counts below must see every item
            | Q(pk__in=DutyItem.objects.filter(content__icontains=q).values("duty_list_id"))
        )
    return qs.annotate(
        item_count=Count("items", distinct=True),
        done_count=Count("items", filter=Q(items__progress=100), distinct=True),
        avg_progress=Avg("items__progress"),
    ).order_by("org__unit__sort", "org_path", "-year", "kind", "holder_name", "id")


@dataclass
class ListFlags:
    """Items (not findings) of a list with an error (逾期: a report overdue, or past the
    deadline), and with a warning (待报告: a report due within the grace days)."""

    errors: int = 0
    warnings: int = 0


def flags_for(lists: list[DutyList], today: dt.date | None = None) -> dict[int, ListFlags]:
    """Items with findings counted per list and level for a page of lists (confirmed ones
    only): an item missing two reports and past its deadline is one item 逾期. Two
    queries."""
    today = today or timezone.localdate()
    confirmed = {dl.pk: dl for dl in lists if dl.confirmed_at is not None}
    out = {dl.pk: ListFlags() for dl in lists}
    if not confirmed:
        return out
    items = list(
        DutyItem.objects.filter(duty_list_id__in=list(confirmed)).values_list(
            "pk", "duty_list_id", "content", "deadline", "progress", "created_at"
        )
    )
    reported: dict[int, set[int]] = defaultdict(set)
    for item_id, quarter in DutyReport.objects.filter(
        item__duty_list_id__in=list(confirmed)
    ).values_list("item_id", "quarter"):
        reported[item_id].add(quarter)
    by_list: dict[int, list[rules.ItemState]] = defaultdict(list)
    for pk, list_id, content, deadline, progress, created_at in items:
        since = item_since(confirmed[list_id].confirmed_at, created_at)
        by_list[list_id].append(
            rules.ItemState(pk, content, deadline, progress, frozenset(reported[pk]), since)
        )
    for list_id, states in by_list.items():
        errors: set = set()
        warnings: set = set()
        for f in rules.report_findings(states, confirmed[list_id].year, today):
            (errors if f.level == Level.ERROR else warnings).add(f.data["item"])
        out[list_id].errors, out[list_id].warnings = len(errors), len(warnings)
    return out


# ---------------------------------------------------------------------------------------------
# One list


@dataclass
class QuarterCell:
    quarter: int
    name: str
    report: DutyReport | None
    #: reported / missing (overdue report) / due (ended, within the grace days) / exempt
    #: (ended before the item was in force: no report owed) / open (running) / future (not
    #: started)
    state: str


@dataclass
class ItemRow:
    index: int
    item: DutyItem
    quarters: list[QuarterCell]
    findings: list[Finding]
    overdue: bool

    @property
    def reports(self) -> list[DutyReport]:
        return [c.report for c in self.quarters if c.report is not None]


@dataclass
class ListDetail:
    duty_list: DutyList
    rows: list[ItemRow]
    findings: list[Finding]
    due_quarters: list[int]
    summary: dict = field(default_factory=dict)


def _quarter_state(year: int, quarter: int, report, due: list[int], today: dt.date) -> str:
    """`due`: the ended quarters the item owes a report for."""
    if report is not None:
        return "reported"
    if quarter in due:
        return "due" if today <= rules.report_due_on(year, quarter) else "missing"
    if rules.quarter_end(year, quarter) < today:
        return "exempt"
    if rules.quarter_started(year, quarter, today):
        return "open"
    return "future"


def list_detail(duty_list: DutyList, today: dt.date | None = None) -> ListDetail:
    """The list's items in order, each with its four quarters (report and files, or state),
    its findings and whether it is overdue; findings only once the list is confirmed. Three
    queries. The caller obtained `duty_list` through an access check."""
    today = today or timezone.localdate()
    items = list(DutyItem.objects.filter(duty_list=duty_list).order_by("seq", "id"))
    reports = list(
        DutyReport.objects.filter(item__duty_list=duty_list)
        .select_related("reported_by")
        .order_by("item_id", "quarter")
    )
    files: dict[int, list[ReportFile]] = defaultdict(list)
    for f in ReportFile.objects.filter(duty_report__item__duty_list=duty_list).order_by("id"):
        files[f.duty_report_id].append(f)
    by_item: dict[int, dict[int, DutyReport]] = defaultdict(dict)
    for r in reports:
        r.file_list = files.get(r.pk, [])
        by_item[r.item_id][r.quarter] = r
    confirmed = duty_list.confirmed_at is not None
    year = duty_list.year
    due = rules.quarters_due(year, today) if confirmed else []
    states = [
        rules.ItemState(
            i.pk,
            i.content,
            i.deadline,
            i.progress,
            frozenset(by_item[i.pk]),
            item_since(duty_list.confirmed_at, i.created_at),
        )
        for i in items
    ]
    findings = rules.report_findings(states, year, today) if confirmed else []
    by_key: dict[int, list[Finding]] = defaultdict(list)
    for f in findings:
        by_key[f.data["item"]].append(f)
    rows = []
    for index, (item, state) in enumerate(zip(items, states, strict=True), 1):
        owed = rules.quarters_due(year, today, state.since) if confirmed else []
        cells = [
            QuarterCell(
                q,
                rules.QUARTER_NAMES[q],
                by_item[item.pk].get(q),
                _quarter_state(year, q, by_item[item.pk].get(q), owed, today)
                if confirmed
                else ("open" if rules.quarter_started(year, q, today) else "future"),
            )
            for q in rules.QUARTERS
        ]
        rows.append(
            ItemRow(
                index,
                item,
                cells,
                by_key.get(item.pk, []),
                confirmed and rules.is_overdue(item.deadline, item.progress, today),
            )
        )
    total = len(items)
    summary = {
        "items": total,
        "done": sum(1 for i in items if i.progress == 100),
        "avg": round(sum(i.progress for i in items) / total) if total else 0,
        "overdue": sum(1 for r in rows if r.overdue),
        "errors": sum(1 for f in findings if f.level == Level.ERROR),
        "warnings": sum(1 for f in findings if f.level == Level.WARNING),
    }
    return ListDetail(duty_list, rows, findings, due, summary)


def copy_years(duty_list: DutyList, today: dt.date | None = None) -> list[int]:
    """Years a list may be copied into (the copy form's choices): the years the lists
    accept, except its own."""
    return [y for y in year_choices(today) if y != duty_list.year]


# ---------------------------------------------------------------------------------------------
# The 工委's overview: unit by unit


def overview_quarter(year: int, today: dt.date) -> int | None:
    """The quarter whose reports the overview counts: the latest of `year` that has ended
    (the fourth for a past year), None while the year's first quarter runs."""
    due = rules.quarters_due(year, today)
    return due[-1] if due else None


@dataclass
class UnitRow:
    org: Org
    main: DutyList | None = None
    first: DutyList | None = None
    duals: int = 0
    duals_confirmed: int = 0
    lists: int = 0
    items: int = 0
    done: int = 0
    overdue: int = 0
    #: items owing the overview's quarter's report (confirmed, in force by its last day), and
    #: of those reported
    expected: int = 0
    reported: int = 0

    @property
    def share(self) -> int | None:
        """Reported this quarter, in percent (None when nothing is expected)."""
        if not self.expected:
            return None
        return round(100 * self.reported / self.expected)


def overview_units(user):
    """The units' top orgs the user may see, by the units' order (paginate this)."""
    return (
        Org.objects.visible_to(user, MANAGE)
        .filter(unit_top_q(), dissolved_on__isnull=True)
        .select_related("unit")
        .order_by("unit__sort", "path")
    )


def overview_rows(orgs: list[Org], year: int, today: dt.date | None = None) -> list[UnitRow]:
    """One row per unit top org of the page: its lists, items, share reported for the
    overview's quarter, overdue items. Three queries for any number of units. The caller
    obtained `orgs` from `overview_units(user)`."""
    today = today or timezone.localdate()
    rows = {o.pk: UnitRow(o) for o in orgs}
    if not rows:
        return []
    ids = list(rows)
    for dl in DutyList.objects.unscoped().filter(org_id__in=ids, year=year).order_by("id"):
        row = rows[dl.org_id]
        row.lists += 1
        if dl.kind == DutyKind.MAIN:
            row.main = dl
        elif dl.kind == DutyKind.FIRST:
            row.first = dl
        else:
            row.duals += 1
            row.duals_confirmed += dl.confirmed_at is not None
    quarter = overview_quarter(year, today)
    confirmed = Q(duty_list__confirmed_at__isnull=False)
    figures = {
        "n": Count("id"),
        "done": Count("id", filter=Q(progress=100)),
        "overdue": Count("id", filter=confirmed & Q(deadline__lt=today, progress__lt=100)),
    }
    if quarter:
        figures["expected"] = Count("id", filter=owes_report_q(year, quarter))
    counts = (
        DutyItem.objects.filter(duty_list__org_id__in=ids, duty_list__year=year)
        .values("duty_list__org_id")
        .annotate(**figures)
    )
    for c in counts:
        row = rows[c["duty_list__org_id"]]
        row.items, row.done, row.overdue = c["n"], c["done"], c["overdue"]
        row.expected = c.get("expected", 0)
    if quarter:
        reported = (
            DutyReport.objects.filter(
                owes_report_q(year, quarter, "item__"),
                item__duty_list__org_id__in=ids,
                item__duty_list__year=year,
                quarter=quarter,
            )
            .values("item__duty_list__org_id")
            .annotate(n=Count("item_id", distinct=True))
        )
        for c in reported:
            rows[c["item__duty_list__org_id"]].reported = c["n"]
    return list(rows.values())


def _live_unit_q(prefix: str) -> Q:
    """Rows whose org (through `prefix`) is one of `overview_units`: a unit's top org, not
    dissolved."""
    return unit_top_q(prefix) & Q(**{f"{prefix}dissolved_on__isnull": True})


def overview_totals(user, year: int, today: dt.date | None = None) -> dict:
    """The overview's totals over every unit the user may see (not only the page): lists,
    confirmed lists, items, overdue items, reported share for the quarter. The same units as
    `overview_units` (a dissolved unit's lists are not counted), so the totals are the sums
    of `overview_rows` over all of them. Three queries."""
    today = today or timezone.localdate()
    quarter = overview_quarter(year, today)
    lists = (
        DutyList.objects.visible_to(user, MANAGE).filter(year=year).filter(_live_unit_q("org__"))
    )
    list_counts = lists.aggregate(
        n=Count("id"), confirmed=Count("id", filter=Q(confirmed_at__isnull=False))
    )
    items = DutyItem.objects.filter(
        scope_q(user, MANAGE, "org_path"), _live_unit_q("duty_list__org__"), duty_list__year=year
    )
    confirmed = Q(duty_list__confirmed_at__isnull=False)
    figures = {
        "n": Count("id"),
        "overdue": Count("id", filter=confirmed & Q(deadline__lt=today, progress__lt=100)),
    }
    if quarter:
        figures["expected"] = Count("id", filter=owes_report_q(year, quarter))
    item_counts = items.aggregate(**figures)
    reported = 0
    if quarter:
        reported = (
            DutyReport.objects.filter(
                scope_q(user, MANAGE, "org_path"),
                _live_unit_q("item__duty_list__org__"),
                owes_report_q(year, quarter, "item__"),
                item__duty_list__year=year,
                quarter=quarter,
            )
            .values("item_id")
            .distinct()
            .count()
        )
    expected = item_counts.get("expected", 0)
    return {
        "quarter": quarter,
        "lists": list_counts["n"],
        "confirmed": list_counts["confirmed"],
        "items": item_counts["n"],
        "overdue": item_counts["overdue"],
        "expected": expected,
        "reported": reported,
        "share": round(100 * reported / expected) if expected else None,
    }


# ---------------------------------------------------------------------------------------------
# The 述职 roll-up


@dataclass
class RollupList:
    duty_list: DutyList
    items: list[DutyItem]
    done: int
    avg: int
    overdue: int


@dataclass
class ReportRollup:
    org: Org | None
    year: int
    lists: list[RollupList]

    def __bool__(self) -> bool:
        return bool(self.lists)


def lists_for_report(org: Org, year: int, today: dt.date | None = None) -> ReportRollup:
    """For a secretary's yearly 述职 report of `org`: the 党组's 主体责任 list and the
    secretary's 第一责任人 list of `org`'s unit for `year`, each with its items and their
    progress. Shown for the unit's top org and for a 机关党委 directly under it (whose
    secretary reports on the unit's 机关党建); any other body gets none — a branch, even one
    straight under the 党组 of a small unit, is not the 党组 and its secretary not the
    第一责任人. Three queries. The caller has decided the report may be read."""
    today = today or timezone.localdate()
    top = unit_top_of(org)
    if top is None or not (
        org.pk == top.pk or (org.parent_id == top.pk and org.kind == OrgKind.ORGAN_COMMITTEE)
    ):
        return ReportRollup(top, year, [])
    lists = list(
        DutyList.objects.unscoped()
        .filter(org=top, year=year, kind__in=[DutyKind.MAIN, DutyKind.FIRST])
        .order_by("kind")
    )
    # 主体责任 first, then 第一责任人
    lists.sort(key=lambda dl: 0 if dl.kind == DutyKind.MAIN else 1)
    items: dict[int, list[DutyItem]] = defaultdict(list)
    for item in DutyItem.objects.filter(duty_list__in=lists).order_by("seq", "id"):
        items[item.duty_list_id].append(item)
    out = []
    for dl in lists:
        rows = items[dl.pk]
        total = len(rows)
        out.append(
            RollupList(
                dl,
                rows,
                sum(1 for i in rows if i.progress == 100),
                round(sum(i.progress for i in rows) / total) if total else 0,
                sum(
                    1
                    for i in rows
                    if dl.confirmed_at is not None
                    and rules.is_overdue(i.deadline, i.progress, today)
                ),
            )
        )
    return ReportRollup(top, year, out)


def files_of_item(item: DutyItem) -> list[ReportFile]:
    """The evidence files of an item's reports (one query)."""
    return list(ReportFile.objects.filter(duty_report__item=item).order_by("id"))
