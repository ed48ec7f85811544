"""Member reads, always from the user's visible subtree."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from dangjian.core import crypto
from dangjian.core.access import can, deny, subtree_q
from dangjian.core.permissions import Cap
from dangjian.members.models import Category, Member, MemberChange, Sex, Transfer, TransferStatus
from dangjian.orgs.selectors import access_org
from dangjian.rules import codes
from dangjian.rules import members as member_rules
from dangjian.rules.base import add_months, add_years

ID_FULL = re.compile(r"^\d{17}[\dX]$")
ID_TAIL = re.compile(r"^\d{3}[\dX]$")
LETTERS = re.compile(r"^[a-z]+$")

SORTS = {
    "pinyin": ("name_pinyin", "id"),
    "-pinyin": ("-name_pinyin", "-id"),
    "joined": ("joined_on", "id"),
    "-joined": ("-joined_on", "-id"),
    "birth": ("birth_date", "id"),
    "-birth": ("-birth_date", "-id"),
}

STATUS_FILTERS = {
    "active": Q(left_on__isnull=True),
    "mobile": Q(left_on__isnull=True, is_mobile=True),
    "lost": Q(left_on__isnull=True, is_lost_contact=True),
    "suspended": Q(left_on__isnull=True, standing="suspended"),
    "retired": Q(left_on__isnull=True, employment="retired"),
    "left": Q(left_on__isnull=False),
    "all": Q(),
    "attention": Q(left_on__isnull=True),  # narrowed further by attention_q()
}


def access_member(user, member_id, need: Cap = Cap.MEMBER_VIEW) -> Member:
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        raise deny() from None
    member = (
        Member.objects.unscoped()
        .select_related("branch", "branch__unit")
        .filter(pk=member_id)
        .first()
    )
    if member is None or not can(user, need, member.org_path):
        raise deny()
    return member


def prefix_q(field: str, prefix: str, *, letters: bool = False) -> Q:
    """Rows whose `field` starts with `prefix`, served by the field's index on both databases.

    A range on SQLite (its LIKE ignores indexes on ordinary columns). On PostgreSQL a prefix
    LIKE, served by the pattern-ops index Django adds to single-column indexes — except for
    `letters` columns (pinyin keys: lowercase a–z only, where every collation orders like
    plain ASCII): a range there, which the ordinary index serves together with the sort."""
    if letters:
        # the next a–z string after every string starting with `prefix` ("zsz" → "zt"; none
        # after "z…"): no punctuation in the bound, which locale collations would ignore
        stem = prefix.rstrip("z")
        if not stem:
            return Q(**{f"{field}__gte": prefix})
        upper = stem[:-1] + chr(ord(stem[-1]) + 1)
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
    if connection.vendor == "sqlite":
        following = ord(prefix[-1]) + 1
        if 0xD800 <= following <= 0xDFFF:
            following = 0xE000  # surrogates are not characters: skip them
        if following <= 0x10FFFF:
            upper = prefix[:-1] + chr(following)
            return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
    return Q(**{f"{field}__startswith": prefix})


def search_q(q: str) -> Q:
    """What a search box means: a full ID number (its keyed digest), the last four characters
    of one, pinyin or initials (`zsf` finds 张三丰), or the start of a name."""
    q = (q or "").strip()
    if not q:
        return Q()
    normal = member_rules.normalize_id_number(q)
    if ID_FULL.match(normal):
        return Q(id_digest=crypto.digest(normal))
    if ID_TAIL.match(normal):
        return Q(id_tail=normal)
    lowered = q.lower().replace(" ", "")
    if LETTERS.match(lowered):
        if len(lowered) == 1:
            # one letter: pinyin and initials prefixes mean the same rows, and the pinyin
            # index serves the search and the sort at once
            return prefix_q("name_pinyin", lowered, letters=True)
        return prefix_q("name_initials", lowered, letters=True) | prefix_q(
            "name_pinyin", lowered, letters=True
        )
    return prefix_q("name", q)


def _sorted_after_search(q: str) -> bool:
    """Whether a search's rows should be collected first and sorted afterwards (see below);
    not for a one-letter search, which the pinyin index serves in order."""
    q = (q or "").strip().lower()
    return bool(q) and not (len(q) == 1 and LETTERS.match(q))


def member_list(
    user,
    *,
    q: str = "",
    category: str = "",
    status: str = "active",
    org=None,
    sort: str = "pinyin",
    education: str = "",
    sex: str = "",
    indexed_scope: bool | None = None,
):
    """The roster the user may see, searched, filtered and sorted (indexes serve each).

    `indexed_scope`: whether SQLite should start from the subtree's path range (right for a
    small subtree) or from the search / ordering index (right for a search, or for a subtree
    holding most of the roster); by default the path range unless there is a search term.
    See `roster_page`, which decides from a capped count."""
    if indexed_scope is None:
        indexed_scope = not (q or "").strip()
    qs = Member.objects.visible_to(user, Cap.MEMBER_VIEW, indexed=indexed_scope)
    qs = qs.select_related("branch", "branch__unit")
    qs = qs.filter(STATUS_FILTERS.get(status, STATUS_FILTERS["active"]))
    if org is not None:
        qs = qs.filter(
            subtree_q("org_path", org.path) if indexed_scope else Q(org_path__startswith=org.path)
        )
    qs = qs.filter(search_q(q))
    if status == "attention":
        qs = qs.filter(attention_q(timezone.localdate()))
    if category:
        qs = qs.filter(category=category)
    if sex:
        qs = qs.filter(sex=sex)
    if education:
        qs = qs.filter(education=education)
    order = SORTS.get(sort, SORTS["pinyin"])
    if _sorted_after_search(q) and order[0].lstrip("-") == "name_pinyin":
        # With a search, the rows come from the search's index and are sorted afterwards: an
        # expression the pinyin index cannot serve keeps both planners from walking that
        # index in order and filtering (the search and the order are correlated — 王… sorts
        # under "wang" — which neither planner knows; PostgreSQL took 1.7 s at 1,000,000).
        key = Lower("name_pinyin")
        order = (key.desc(), "-id") if order[0].startswith("-") else (key.asc(), "id")
    return qs.order_by(*order)


#: a list counts its rows up to this many; beyond, it says "more than" and asks to narrow
LIST_COUNT_CAP = 10_000
#: past this offset in a large subtree, a subtree of up to SORT_CAP rows is sorted instead
DEEP_PAGE_OFFSET = 600
SORT_CAP = 100_000


class _CountedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@dataclass
class RosterPage:
    page: Page
    total: int  # exact up to LIST_COUNT_CAP
    capped: bool  # more rows than LIST_COUNT_CAP: only the first LIST_COUNT_CAP are paged


def roster_page(user, *, number=1, per_page: int = 30, **filters) -> RosterPage:
    """One page of the roster at any size. Rows are counted up to a cap (a bounded probe).
    Which index SQLite should start from is decided here from two capped probes — the
    subtree's size and the search's size — because its planner, without histograms, always
    starts from the subtree's path range, which is slow when the subtree holds most of a
    1,000,000-member roster (see bench/run_search.py)."""
    searching = bool((filters.get("q") or "").strip())
    scope_size = _capped(member_list(user, indexed_scope=True, **{**filters, "q": ""}))
    indexed = scope_size <= LIST_COUNT_CAP
    if searching:
        search_size = _capped(
            Member.objects.unscoped().filter(search_q(filters["q"]), left_on__isnull=True)
        )
        # equal sizes at the cap say nothing: then the search's own index is the safer start
        indexed = scope_size < search_size or scope_size == search_size <= LIST_COUNT_CAP
    if not indexed and not searching and _page_offset(number, per_page) > DEEP_PAGE_OFFSET:
        # deep in a large subtree, walking the sort index costs offset ÷ density rows;
        # a subtree of moderate size is cheaper to collect and sort
        indexed = _capped(member_list(user, indexed_scope=True, **filters), SORT_CAP) <= SORT_CAP
    qs = member_list(user, indexed_scope=indexed, **filters)
    probe = _capped(qs)
    paginator = _CountedPaginator(qs, per_page, count=min(probe, LIST_COUNT_CAP))
    return RosterPage(
        paginator.get_page(number), min(probe, LIST_COUNT_CAP), probe > LIST_COUNT_CAP
    )


def _capped(qs, cap: int | None = None) -> int:
    """How many rows, counting no further than cap + 1 (default LIST_COUNT_CAP)."""
    cap = LIST_COUNT_CAP if cap is None else cap
    return qs.order_by().values("pk")[: cap + 1].count()


def _page_offset(number, per_page: int) -> int:
    try:
        return max(0, int(number) - 1) * per_page
    except (TypeError, ValueError):
        return 0


def _latest(f, bound: dt.date, guess: dt.date) -> dt.date:
    """The latest day d with f(d) <= bound, for a non-decreasing f (calendar-month arithmetic
    clamps month ends, so it has no exact inverse); `guess` is within a few days of it."""
    day = guess
    while f(day) > bound:
        day -= dt.timedelta(days=1)
    while f(day + dt.timedelta(days=1)) <= bound:
        day += dt.timedelta(days=1)
    return day


def attention_q(today: dt.date) -> Q:
    """Members with a deadline near or past, exactly as the member page's warnings say, as one
    database filter: lost contact reaching 6 months (R-EDU-06, from one month before),
    suspension for lost contact reaching 2 years (R-EDU-06), contact with a mobile member
    due within 30 days or overdue (R-EDU-13/14), probation ending within a month or over
    without a decision (R-DEV-21), settled abroad or studying abroad over 5 years while in
    normal standing (R-EDU-05). Being away 6 months (R-EDU-12) is a note, not a deadline."""
    rules = member_rules
    months = rules.LOST_CONTACT_SUSPEND_MONTHS
    lost_by = _latest(
        lambda d: add_months(add_months(d, months), -rules.NOTICE_MONTHS),
        today,
        add_months(today, -(months - rules.NOTICE_MONTHS)),
    )
    years = rules.LOST_CONTACT_REMOVE_YEARS
    removal_by = _latest(lambda d: add_years(d, years), today, add_years(today, -years))
    soon = today + dt.timedelta(days=rules.MOBILE_CONTACT_NOTICE_DAYS)
    contact_by = _latest(
        lambda d: add_months(d, rules.MOBILE_CONTACT_MONTHS),
        soon,
        add_months(soon, -rules.MOBILE_CONTACT_MONTHS),
    )
    lost = Q(is_lost_contact=True, standing="normal", lost_contact_since__lte=lost_by)
    suspended = Q(is_lost_contact=True, standing="suspended", suspension_ground="lost_contact") & (
        Q(suspended_on__isnull=True) | Q(suspended_on__lte=removal_by)
    )
    mobile = (
        Q(is_mobile=True)
        & ~Q(mobile_last_contact_on__isnull=True, mobile_since__isnull=True)
        & (Q(mobile_last_contact_on__isnull=True) | Q(mobile_last_contact_on__lte=contact_by))
        & (Q(mobile_since__isnull=True) | Q(mobile_since__lte=contact_by))
    )
    probation = Q()
    for ext in (0, *range(rules.EXTENSION_MIN_MONTHS, rules.EXTENSION_MAX_MONTHS + 1)):
        end = rules.PROBATION_MONTHS + ext
        joined_by = _latest(
            lambda d, end=end: add_months(add_months(d, end), -rules.NOTICE_MONTHS),
            today,
            add_months(today, -(end - rules.NOTICE_MONTHS)),
        )
        probation |= Q(probation_extension_months=ext, joined_on__lte=joined_by)
    probation &= Q(category="probationary")
    abroad_years = rules.ABROAD_STUDY_YEARS
    studied_by = _latest(
        lambda d: add_years(d, abroad_years) + dt.timedelta(days=1),
        today,
        add_years(today, -abroad_years),
    )
    abroad = Q(standing="normal") & (
        Q(abroad_purpose="settle") | Q(abroad_purpose="study", abroad_since__lte=studied_by)
    )
    return Q(left_on__isnull=True) & (lost | suspended | mobile | probation | abroad)


def members_in_subtree(org, limit: int = 1000) -> list[Member]:
    """Active members registered in the org's subtree, by pinyin (for choosing committee
    members). The caller has already checked access to `org`."""
    return list(
        Member.objects.unscoped()
        .filter(subtree_q("org_path", org.path), left_on__isnull=True)
        .select_related("branch")
        .order_by("name_pinyin", "id")[:limit]
    )


def member_history(member: Member) -> list[MemberChange]:
    """Effective-dated changes of one member, newest first (the caller checked access)."""
    return list(MemberChange.objects.unscoped().filter(member=member).select_related("actor"))


def member_transfers(member: Member) -> list[Transfer]:
    return list(
        Transfer.objects.unscoped()
        .filter(member=member)
        .select_related("from_org", "to_org")
        .order_by("-started_on", "-id")
    )


def pending_transfer(member: Member) -> Transfer | None:
    return (
        Transfer.objects.unscoped()
        .filter(member=member, status=TransferStatus.PENDING)
        .select_related("to_org")
        .first()
    )


def member_findings(member: Member, today) -> list:
    """Standing and follow-up warnings for one member (R-EDU-05/06/12/13/14, R-DEV-21)."""
    out = []
    if member.is_lost_contact and member.lost_contact_since:
        out += member_rules.lost_contact_findings(
            member.lost_contact_since,
            member.standing,
            member.suspended_on,
            member.suspension_ground,
            today,
        )
    if member.abroad_since or member.abroad_purpose:
        out += member_rules.abroad_findings(
            member.abroad_since, member.abroad_purpose, member.standing, today
        )
    out += member_rules.probation_findings(
        member.category, member.joined_on, member.probation_extension_months, today
    )
    if member.is_mobile:
        out += member_rules.mobile_contact_findings(
            member.mobile_last_contact_on, member.mobile_since, today
        )
        if member.mobile_since:
            out += member_rules.transfer_due_findings(member.mobile_since, today)
    return out


def roster_filters(user, raw: dict) -> tuple[dict, object]:
    """The member list's filters, checked like the list page does; the org (if any) through
    `access_org` with member.view, so a foreign org is a 404. Returns (filters, org)."""

    def text(key: str, default: str = "") -> str:
        value = raw.get(key)
        return str(value).strip() if value not in (None, "") else default

    q = text("q")[:50]
    if not q and raw.get("q_sealed"):  # a stored job's sealed ID-number search
        q = crypto.decrypt(str(raw["q_sealed"]))
    category, status, sex = text("category"), text("status", "active"), text("sex")
    education, sort = text("education"), text("sort", "pinyin")
    org = None
    if raw.get("org"):
        org = access_org(user, raw["org"], need=Cap.MEMBER_VIEW)
    filters = {
        "q": q,
        "category": category if category in Category.values else "",
        "status": status if status in STATUS_FILTERS else "active",
        "org": org.pk if org else None,
        "sex": sex if sex in Sex.values else "",
        "education": education if codes.is_code(codes.EDUCATION, education) else "",
        "sort": sort if sort in SORTS else "pinyin",
    }
    return filters, org
