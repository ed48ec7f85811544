"""Reads of the retired cadres, pairings, contacts and requests for the pages, the API, the
exports and the reminders: access functions (one object; 404 whether missing or not the
user's), lists scoped by the user's veterans.manage subtrees, the serving cadre's own
pairings with what is owed next, and the states of the configurable rules — each in a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Max, Q
from django.utils import timezone

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.lookups import get_by_id as _get
from dangjian.core.lookups import parse_id  # noqa: F401 (re-exported)
from dangjian.core.permissions import Cap
from dangjian.members.pinyin import pinyin_keys
from dangjian.orgs.models import Org
from dangjian.rules import veterans as rules
from dangjian.veterans.models import (
    Contact,
    InterestGroup,
    Office,
    Pairing,
    Request,
    RequestStatus,
    Retiree,
)

MANAGE = Cap.VETERANS_MANAGE
SEARCH_MAX = 50
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LETTERS = re.compile(r"^[a-z]+$")
#: how many names a pinyin search looks through (a unit's retirees are hundreds, not millions)
PINYIN_SCAN_MAX = 5000


def clean_text(value, limit: int = SEARCH_MAX) -> str:
    if not isinstance(value, str):
        return ""
    return CONTROL.sub("", value).strip()[:limit]


def is_manager(user) -> bool:
    return has_cap_anywhere(user, MANAGE)


def _is_cadre(user, pairing: Pairing) -> bool:
    member_id = getattr(user, "member_id", None)
    return bool(member_id) and member_id == pairing.cadre_id


# ---------------------------------------------------------------------------------------------
# Access


def access_retiree(user, retiree_id) -> Retiree:
    found = _get(Retiree.objects.unscoped().select_related("org", "member"), retiree_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_pairing(user, pairing_id) -> Pairing:
    """The paired cadre himself or a manager over the retiree."""
    found = _get(
        Pairing.objects.unscoped().select_related("retiree", "retiree__org", "cadre"), pairing_id
    )
    if found is None or not (_is_cadre(user, found) or can(user, MANAGE, found.org_path)):
        raise deny()
    return found


def access_contact(user, contact_id) -> Contact:
    found = _get(
        Contact.objects.unscoped().select_related("pairing", "pairing__retiree"), contact_id
    )
    if found is None or not (_is_cadre(user, found.pairing) or can(user, MANAGE, found.org_path)):
        raise deny()
    return found


def access_request(user, request_id) -> Request:
    """A manager over the retiree, or the cadre of the pairing it was recorded on."""
    found = _get(
        Request.objects.unscoped().select_related(
            "retiree", "office", "pairing", "pairing__cadre", "answered_by"
        ),
        request_id,
    )
    if found is None:
        raise deny()
    by_cadre = found.pairing is not None and _is_cadre(user, found.pairing)
    if not (by_cadre or can(user, MANAGE, found.org_path)):
        raise deny()
    return found


def access_office(user, office_id) -> Office:
    found = _get(Office.objects.unscoped().select_related("org"), office_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_group(user, group_id) -> InterestGroup:
    found = _get(InterestGroup.objects.unscoped().select_related("org"), group_id)
    if found is None or not can(user, MANAGE, found.org_path):
        raise deny()
    return found


def access_org(user, org_id) -> Org:
    found = _get(Org.objects.unscoped(), org_id)
    if found is None or found.dissolved_on is not None or not can(user, MANAGE, found.path):
        raise deny()
    return found


# ---------------------------------------------------------------------------------------------
# Retirees


def _pinyin_ids(qs, q: str) -> list[int]:
    """Ids of the retirees whose name's pinyin (full or initials) starts with `q`."""
    ids = []
    for pk, name in qs.values_list("pk", "name")[:PINYIN_SCAN_MAX]:
        full, initials = pinyin_keys(name)
        if full.startswith(q) or initials.startswith(q):
            ids.append(pk)
    return ids


def retiree_list(user, *, q: str = "", branch: int | None = None, status: str = ""):
    """The retirees of the user's subtrees; `q` a name or its pinyin (initials: lj for 李军);
    `branch` an org id (its subtree); `status` retired / lixiu / living_alone / deceased."""
    qs = Retiree.objects.visible_to(user, MANAGE)
    if branch:
        org = Org.objects.unscoped().filter(pk=branch).first()
        qs = qs.filter(org_path__startswith=org.path) if org else qs.none()
    if status in ("retired", "lixiu"):
        qs = qs.filter(status=status, died_on__isnull=True)
    elif status == "living_alone":
        qs = qs.filter(living_alone=True, died_on__isnull=True)
    elif status == "deceased":
        qs = qs.filter(died_on__isnull=False)
    q = clean_text(q)
    if q:
        if LETTERS.match(q.lower()):
            qs = qs.filter(Q(name__icontains=q) | Q(pk__in=_pinyin_ids(qs, q.lower())))
        else:
            qs = qs.filter(name__contains=q)
    return qs.select_related("org", "member").order_by("org_path", "name", "id")


def retiree_branches(user) -> list[Org]:
    """The orgs the user's retirees belong to (for the branch filter)."""
    ids = Retiree.objects.visible_to(user, MANAGE).values_list("org_id", flat=True).distinct()
    return list(Org.objects.unscoped().filter(pk__in=list(ids)).order_by("path"))


def retiree_extras(retirees: list[Retiree], today: dt.date) -> None:
    """Per shown retiree (one batch): live pairings count, open requests count."""
    ids = [r.pk for r in retirees]
    pairs: dict[int, int] = defaultdict(int)
    for rid in (
        Pairing.objects.unscoped()
        .filter(retiree_id__in=ids, ended_on__isnull=True)
        .values_list("retiree_id", flat=True)
    ):
        pairs[rid] += 1
    opens: dict[int, int] = defaultdict(int)
    for rid in (
        Request.objects.unscoped()
        .filter(retiree_id__in=ids, status=RequestStatus.OPEN)
        .values_list("retiree_id", flat=True)
    ):
        opens[rid] += 1
    for r in retirees:
        r.live_pairings = pairs.get(r.pk, 0)
        r.open_requests = opens.get(r.pk, 0)


# ---------------------------------------------------------------------------------------------
# Pairings: what is owed next


@dataclass
class Owed:
    kind: str  # call / visit
    label: str
    due_on: dt.date
    state: str
    state_label: str
    last_on: dt.date | None


def pairing_dues(pairings: list[Pairing], today: dt.date) -> None:
    """Sets on each pairing `last_call`, `last_visit`, `call` and `visit` (an `Owed`) and
    `next` (the one owed first) — one query for all."""
    ids = [p.pk for p in pairings]
    last: dict[tuple[int, str], dt.date] = {}
    rows = (
        Contact.objects.unscoped()
        .filter(pairing_id__in=ids)
        .values("pairing_id", "kind")
        .annotate(last=Max("contacted_on"))
    )
    for row in rows:
        last[(row["pairing_id"], row["kind"])] = row["last"]
    for p in pairings:
        p.last_visit = last.get((p.pk, "visit"))
        calls = [d for d in (last.get((p.pk, "call")), p.last_visit) if d]
        p.last_call = max(calls) if calls else None
        owed = []
        for kind, label, last_on, months in (
            ("call", "电话联系", p.last_call, settings.VETERANS_CALL_MONTHS),
            ("visit", "上门走访", p.last_visit, settings.VETERANS_VISIT_MONTHS),
        ):
            due = rules.contact_due(kind, last_on, p.started_on, months)
            state = rules.contact_state(due, today)
            owed.append(Owed(kind, label, due, state, rules.CONTACT_STATE_LABELS[state], last_on))
        p.call, p.visit = owed
        p.next = min(owed, key=lambda o: (o.due_on, o.kind))
        p.overdue = any(o.state == rules.OVERDUE for o in owed)


def my_pairing_qs(user):
    """The serving cadre's live pairings (his own member record's) with living retirees."""
    return (
        Pairing.objects.unscoped()
        .filter(
            cadre_id=getattr(user, "member_id", None) or 0,
            ended_on__isnull=True,
            retiree__died_on__isnull=True,
        )
        .select_related("retiree", "cadre")
        .order_by("started_on", "id")
    )


def my_pairings(user, today: dt.date | None = None) -> list[Pairing]:
    """The serving cadre's live pairings, each with what is owed next and its state."""
    if not getattr(user, "member_id", None):
        return []
    today = today or timezone.localdate()
    pairings = list(my_pairing_qs(user))
    pairing_dues(pairings, today)
    pairings.sort(key=lambda p: (p.next.due_on, p.pk))
    return pairings


def pairing_list(user, *, q: str = "", overdue: bool = False, today: dt.date | None = None):
    """The live pairings of the user's subtrees (managers), each with what is owed; `overdue`
    keeps those with a call or visit overdue. A list (the state is the rule's, computed with
    one aggregate for all rows: a unit's pairings are hundreds)."""
    today = today or timezone.localdate()
    qs = (
        Pairing.objects.visible_to(user, MANAGE)
        .filter(ended_on__isnull=True, retiree__died_on__isnull=True)
        .select_related("retiree", "cadre")
        .order_by("org_path", "retiree__name", "id")
    )
    q = clean_text(q)
    if q:
        qs = qs.filter(Q(retiree__name__contains=q) | Q(cadre__name__contains=q))
    if not overdue:
        return qs
    rows = list(qs)
    pairing_dues(rows, today)
    return [p for p in rows if p.overdue]


def retiree_pairings(retiree: Retiree, today: dt.date) -> list[Pairing]:
    pairings = list(
        retiree.pairings.select_related("cadre").order_by(F("ended_on").desc(nulls_first=True))
    )
    pairing_dues(pairings, today)
    return pairings


def contact_list(user, *, pairing: Pairing | None = None, retiree: Retiree | None = None):
    """Contacts of one pairing (obtained through access_pairing) or one retiree
    (access_retiree), or of the user's subtrees."""
    if pairing is not None:
        qs = Contact.objects.unscoped().filter(pairing=pairing)
    elif retiree is not None:
        qs = Contact.objects.unscoped().filter(pairing__retiree=retiree)
    else:
        qs = Contact.objects.visible_to(user, MANAGE)
    return qs.select_related("pairing", "pairing__cadre", "pairing__retiree").order_by(
        "-contacted_on", "-id"
    )


# ---------------------------------------------------------------------------------------------
# Requests


def with_states(requests, today: dt.date):
    """Sets `state` and `state_label` from the rule on each request."""
    escalate = settings.VETERANS_REQUEST_ESCALATE_DAYS
    for r in requests:
        r.state = rules.request_state(r.status, r.due_on, r.answered_on, today, escalate)
        r.state_label = rules.REQUEST_STATE_LABELS[r.state]
    return requests


def _state_q(state: str, today: dt.date) -> Q | None:
    escalate = dt.timedelta(days=settings.VETERANS_REQUEST_ESCALATE_DAYS)
    open_ = Q(status=RequestStatus.OPEN, answered_on__isnull=True)
    return {
        rules.OPEN: open_ & Q(due_on__gte=today),
        rules.OVERDUE: open_ & Q(due_on__lt=today) & Q(due_on__gte=today - escalate),
        rules.ESCALATE: open_ & Q(due_on__lt=today - escalate),
        rules.ANSWERED_IN_TIME: Q(answered_on__isnull=False, answered_on__lte=F("due_on")),
        # as the rule: a request no longer open without an answer date counts as late
        rules.ANSWERED_LATE: Q(answered_on__isnull=False, answered_on__gt=F("due_on"))
        | (Q(answered_on__isnull=True) & ~Q(status=RequestStatus.OPEN)),
    }.get(state)


REQUEST_STATUS_FILTERS = {s.value: s.label for s in RequestStatus}


def request_list(
    user,
    *,
    state: str = "",
    status: str = "",
    office: int | None = None,
    overdue: bool = False,
    q: str = "",
    retiree: Retiree | None = None,
    today: dt.date | None = None,
):
    """The requests of the user's subtrees, filtered by the rule's state, status, office,
    overdue (open and past due) and a search of the retiree's name or the content."""
    today = today or timezone.localdate()
    if retiree is not None:
        qs = Request.objects.unscoped().filter(retiree=retiree)
    else:
        qs = Request.objects.visible_to(user, MANAGE)
    sq = _state_q(state, today)
    if sq is not None:
        qs = qs.filter(sq)
    if status in REQUEST_STATUS_FILTERS:
        qs = qs.filter(status=status)
    if office:
        qs = qs.filter(office_id=office)
    if overdue:
        qs = qs.filter(status=RequestStatus.OPEN, due_on__lt=today)
    q = clean_text(q)
    if q:
        qs = qs.filter(Q(retiree__name__contains=q) | Q(content__contains=q))
    return qs.select_related("retiree", "office", "pairing__cadre").order_by("-raised_on", "-id")


def my_requests(user, today: dt.date | None = None, limit: int = 20) -> list[Request]:
    """The requests recorded on the cadre's pairings (newest first), with their states."""
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return []
    today = today or timezone.localdate()
    rows = list(
        Request.objects.unscoped()
        .filter(pairing__cadre_id=member_id)
        .select_related("retiree", "office")
        .order_by("-raised_on", "-id")[:limit]
    )
    return with_states(rows, today)


def ancestor_paths(path: str) -> list[str]:
    parts = [x for x in path.strip("/").split("/") if x]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def offices_for_retiree(retiree: Retiree) -> list[Office]:
    """The active offices of the units above the retiree (a request may go to any of them)."""
    return list(
        Office.objects.unscoped()
        .filter(is_active=True, org_path__in=ancestor_paths(retiree.org_path))
        .order_by("org_path", "name", "id")
    )


def office_list(user):
    return (
        Office.objects.visible_to(user, MANAGE).select_related("org").order_by("org_path", "name")
    )


def manageable_orgs(user) -> list[Org]:
    """The live orgs the user may register retirees, groups or offices in (a select's
    choices: the user's managed subtrees, at most 500)."""
    return list(
        Org.objects.visible_to(user, MANAGE)
        .filter(dissolved_on__isnull=True)
        .order_by("path")[:500]
    )


def group_list(user):
    return (
        InterestGroup.objects.visible_to(user, MANAGE)
        .select_related("org")
        .prefetch_related("members")
        .order_by("org_path", "name")
    )
