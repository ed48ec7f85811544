"""Reads of the 书记赛党建 contest: who may see a contest, the contest list, and its standings.

Visibility (R: nobody sees what is not theirs):
- managers (assess.manage on the contest's owner) see every contest of their subtree, drafts
  included, with the live standings;
- once a contest is published, anyone holding a business grant (org.view, not one of the three
  separated administrators, 三员分立) on the owner's subtree — inside it or above it — sees the
  published ranking. Drafts stay with the managers.

Standings (R-LOCAL-09, R-LOCAL-07): each part on a 100-point scale, combined by the contest's
weights (`rules.weighted_total`), ranked (`rules.competition_ranks`, 1, 2, 2, 4) and starred
(`rules.stars` with the contest's lines). A draft is computed live from the records (its
述职评议 part from closed votes only: an open review counts as missing); a
published contest is read from the snapshot frozen into its entries at publication. The
query count does not grow with the number of entries (one query per part, plus two per
observation meeting of the contest).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from dangjian.assessment import scoring
from dangjian.assessment.models import (
    Assessment,
    BallotTally,
    ContestEntry,
    ContestStatus,
    ObservationMeeting,
    ReviewStatus,
    SecretaryContest,
)
from dangjian.core.access import can, deny, grants_of, scope_q, subtree_q
from dangjian.core.permissions import SEPARATED_ROLES, Cap
from dangjian.orgs.models import Org
from dangjian.rules import assessment as rules

PARTS = ("routine", "observation", "review")


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


# ---------------------------------------------------------------------------------------------
# Visibility


def _viewer_paths(user) -> list[str]:
    """The paths of the user's business grants (org.view, not a separated role)."""
    return sorted(
        {
            g.path
            for g in grants_of(user)
            if Cap.ORG_VIEW in g.caps and g.role not in SEPARATED_ROLES
        }
    )


def _prefixes(path: str) -> list[str]:
    """ "/1/5/12/" → ["/1/", "/1/5/", "/1/5/12/"]."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def can_manage_contest(user, contest: SecretaryContest) -> bool:
    return can(user, Cap.ASSESS_MANAGE, contest.owner_path)


def can_view_published(user, owner_path: str) -> bool:
    """A business grant inside the owner's subtree, or above it."""
    return any(p.startswith(owner_path) or owner_path.startswith(p) for p in _viewer_paths(user))


def can_view_contest(user, contest: SecretaryContest) -> bool:
    if can_manage_contest(user, contest):
        return True
    return contest.status == ContestStatus.PUBLISHED and can_view_published(
        user, contest.owner_path
    )


def access_contest(user, contest_id, *, manage: bool = False) -> SecretaryContest:
    """The contest if the user may see it (`manage`: run it); 404 otherwise."""
    contest_id = _int(contest_id)
    if contest_id is None:
        raise deny()
    contest = (
        SecretaryContest.objects.unscoped()
        .select_related("owner", "scheme")
        .filter(pk=contest_id)
        .first()
    )
    if contest is None:
        raise deny()
    allowed = can_manage_contest(user, contest) if manage else can_view_contest(user, contest)
    if not allowed:
        raise deny()
    return contest


def access_entry(contest: SecretaryContest, entry_id) -> ContestEntry:
    """An entry of a contest the caller already accessed; 404 for another contest's."""
    entry_id = _int(entry_id)
    found = (
        ContestEntry.objects.unscoped()
        .select_related("org")
        .filter(pk=entry_id, contest=contest)
        .first()
        if entry_id is not None
        else None
    )
    if found is None:
        raise deny()
    return found


def visible_contests_q(user) -> Q:
    """Contests the user may see: managed ones, and published ones over his grants."""
    q = scope_q(user, Cap.ASSESS_MANAGE, "owner_path")
    paths = _viewer_paths(user)
    if paths:
        seen = Q(owner_path__in=sorted({pre for p in paths for pre in _prefixes(p)}))
        for p in paths:
            seen |= subtree_q("owner_path", p)
        q |= Q(status=ContestStatus.PUBLISHED) & seen
    return q


def has_any_contest_access(user) -> bool:
    """Could the user see any contest at all (a manager, or a business grant)?"""
    return bool(_viewer_paths(user)) or any(Cap.ASSESS_MANAGE in g.caps for g in grants_of(user))


def contest_list(user, *, year: int | None = None):
    """The contests the user may see, newest year first (a queryset: the page paginates)."""
    qs = (
        SecretaryContest.objects.unscoped()
        .filter(visible_contests_q(user))
        .select_related("owner")
        .order_by("-year", "name", "id")
    )
    if year:
        qs = qs.filter(year=year)
    return qs


# ---------------------------------------------------------------------------------------------
# Standings


@dataclass
class Standing:
    entry: ContestEntry
    org: Org
    secretary_name: str
    parts: dict[str, Decimal | None] = field(default_factory=dict)
    total: Decimal = rules.ZERO
    rank: int | None = None
    stars: int = 0
    #: labels of the parts (with a weight) that have no score: they counted zero
    missing: list[str] = field(default_factory=list)

    @property
    def routine(self):
        return self.parts.get("routine")

    @property
    def observation(self):
        return self.parts.get("observation")

    @property
    def review(self):
        return self.parts.get("review")

    @property
    def star_range(self) -> range:
        return range(self.stars)


def weights_of(contest: SecretaryContest) -> dict[str, Decimal]:
    return {
        "routine": Decimal(contest.routine_weight),
        "observation": Decimal(contest.observation_weight),
        "review": Decimal(contest.review_weight),
    }


def thresholds_of(contest: SecretaryContest) -> list[tuple[Decimal, int]]:
    """The contest's star lines as (Decimal, int), highest first (R-LOCAL-07 by default)."""
    out = []
    for line, count in contest.star_thresholds or []:
        out.append((Decimal(str(line)), int(count)))
    return sorted(out, key=lambda lc: lc[0], reverse=True)


def _entries(contest: SecretaryContest) -> list[ContestEntry]:
    return list(
        ContestEntry.objects.unscoped()
        .filter(contest=contest)
        .select_related("org")
        .order_by("rank", "org__path", "id")
    )


def routine_scores(contest: SecretaryContest, orgs: list[Org]) -> dict[int, Decimal]:
    """The routine part (日常考核) per org: the reviewed `final_total` of the org's assessment
    under the contest's scheme, on a 100-point scale (`scoring.on_hundred`: over the full
    marks, bonus included, at most 100)."""
    if contest.scheme_id is None or not orgs:
        return {}
    rows = (
        Assessment.objects.unscoped()
        .filter(scheme_id=contest.scheme_id, org__in=orgs, final_total__isnull=False)
        .values_list("org_id", "final_total")
    )
    rows = list(rows)
    if not rows:
        return {}
    top = scoring.scheme_max(contest.scheme)
    return {org_id: scoring.on_hundred(total, None, full=top) for org_id, total in rows}


def _owner_entry(path: str, entry_paths: list[tuple[str, int]]) -> int | None:
    """The entry org that is the org with this path or its nearest ancestor."""
    best = None
    for entry_path, org_id in entry_paths:
        if path.startswith(entry_path) and (best is None or len(entry_path) > len(best[0])):
            best = (entry_path, org_id)
    return best[1] if best else None


def observation_scores(contest: SecretaryContest, orgs: list[Org]) -> dict[int, Decimal]:
    """The observation part (现场观摩) per entry org: `scoring.unit_observation_scores` over the
    contest's observation meetings (keyed by the stop's org), each stop org counted for the
    entry whose org is it or its nearest ancestor; several shown orgs of one entry are
    averaged, each counting once."""
    if not orgs:
        return {}
    meetings = list(
        ObservationMeeting.objects.unscoped().filter(contest=contest).select_related("sheet")
    )
    if not meetings:
        return {}
    by_org = scoring.unit_observation_scores(meetings)
    if not by_org:
        return {}
    paths = dict(Org.all_objects.filter(pk__in=list(by_org)).values_list("pk", "path"))
    entry_paths = [(o.path, o.pk) for o in orgs]
    collected: dict[int, list[Decimal]] = defaultdict(list)
    for org_id, score in by_org.items():
        owner = _owner_entry(paths.get(org_id, ""), entry_paths)
        if owner is not None:
            collected[owner].append(score)
    return {org_id: rules.q(sum(v) / len(v)) for org_id, v in collected.items()}


def review_scores(
    contest: SecretaryContest, orgs: list[Org], *, closed_only: bool = True
) -> dict[int, Decimal]:
    """The review part (述职评议) per org: the 好 + 较好 rate in percent (`rules.review_rate`,
    R-ORG-17) of the org's secretary report in the contest's reviews (tallies of several
    reviews add up). An org without ballots has no review part. Only reviews whose vote has
    CLOSED count (`closed_only`, the default): a review still open counts as missing, or the
    contest page would show its managers a live rate per secretary while the vote runs."""
    if not orgs:
        return {}
    rows = BallotTally.objects.unscoped().filter(
        report__review__contest=contest, report__org__in=orgs
    )
    if closed_only:
        rows = rows.filter(report__review__status=ReviewStatus.CLOSED)
    tallies: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for org_id, grade, count in rows.values_list("report__org_id", "grade", "count"):
        tallies[org_id][grade] += count
    out = {}
    for org_id, counts in tallies.items():
        ballots, rate = rules.review_rate(counts)
        if ballots:
            out[org_id] = rate
    return out


def compute_standings(contest: SecretaryContest) -> list[Standing]:
    """The standings computed now from the records (what publication freezes)."""
    entries = _entries(contest)
    orgs = [e.org for e in entries]
    weights = weights_of(contest)
    found = {
        "routine": routine_scores(contest, orgs) if weights["routine"] else {},
        "observation": observation_scores(contest, orgs) if weights["observation"] else {},
        # closed votes only: a live rate would link a ballot to its voter (R-ORG-17 anonymity)
        "review": review_scores(contest, orgs, closed_only=True) if weights["review"] else {},
    }
    standings = []
    for entry in entries:
        parts = {name: found[name].get(entry.org_id) for name in PARTS}
        standing = Standing(entry, entry.org, entry.secretary_name, parts)
        standing.total = rules.weighted_total(parts, weights)
        standing.missing = [rules.PART_LABELS[n] for n in PARTS if weights[n] and parts[n] is None]
        standings.append(standing)
    _rank(standings, thresholds_of(contest))
    return standings


def _rank(standings: list[Standing], thresholds) -> None:
    ranks = rules.competition_ranks({s.entry.pk: s.total for s in standings})
    for s in standings:
        s.rank = ranks[s.entry.pk]
        s.stars = rules.stars(s.total, thresholds)
    standings.sort(key=lambda s: (s.rank, s.org.path, s.entry.pk))


def snapshot_standings(contest: SecretaryContest) -> list[Standing]:
    """The standings frozen at publication (the entries' score columns)."""
    weights = weights_of(contest)
    standings = []
    for entry in _entries(contest):
        parts = {
            "routine": entry.routine_score,
            "observation": entry.observation_score,
            "review": entry.review_score,
        }
        standing = Standing(
            entry,
            entry.org,
            entry.secretary_name,
            parts,
            total=entry.total if entry.total is not None else rules.ZERO,
            rank=entry.rank,
            stars=entry.stars or 0,
            missing=[rules.PART_LABELS[n] for n in PARTS if weights[n] and parts[n] is None],
        )
        standings.append(standing)
    standings.sort(key=lambda s: (s.rank or 10**9, s.org.path, s.entry.pk))
    return standings


def contest_standings(contest: SecretaryContest) -> list[Standing]:
    """The standings: from the snapshot once published, computed live while a draft."""
    if contest.status == ContestStatus.PUBLISHED:
        return snapshot_standings(contest)
    return compute_standings(contest)


def missing_summary(standings: list[Standing]) -> dict[str, int]:
    """How many entries lack each part (the page says which are missing)."""
    counts: dict[str, int] = defaultdict(int)
    for s in standings:
        for label in s.missing:
            counts[label] += 1
    return dict(counts)


def contest_reviews(contest: SecretaryContest):
    """The 述职评议 sittings linked to the contest (for its page)."""
    from dangjian.assessment.models import SecretaryReview

    return list(SecretaryReview.objects.unscoped().filter(contest=contest).order_by("id"))


def contest_observations(contest: SecretaryContest):
    return list(
        ObservationMeeting.objects.unscoped().filter(contest=contest).order_by("starts_at", "id")
    )
