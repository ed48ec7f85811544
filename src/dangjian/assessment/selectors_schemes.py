"""Reads of scoring schemes and assessments, already scoped.

Who sees what:
- a scheme: ASSESS_MANAGE on its owner (`access_scheme`); a published scheme also to whoever
  fills one of its assessments (`visible_schemes`, for the API);
- an assessment: ASSESS_SUBMIT on the assessed org (the self side) or ASSESS_MANAGE on the
  scheme's owner (the reviewer);
- reviewing: ASSESS_MANAGE on the owner through a grant that is not inside the assessed org's
  own subtree, and no grant with ASSESS_SUBMIT inside it nor the submission being his own
  (`can_review`): nobody reviews his own org, not through a second grant either.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q

from dangjian.assessment.models import (
    Assessment,
    AssessmentStatus,
    Evidence,
    Indicator,
    IndicatorScore,
    Scheme,
    SchemeStatus,
    SchemeTarget,
)
from dangjian.core.access import can, deny, grants_of, has_cap_anywhere, scope_q, subtree_q
from dangjian.core.permissions import Cap
from dangjian.orgs.models import Org, OrgKind
from dangjian.rules import assessment as rules

ZERO = Decimal("0")


def _int(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise deny() from None
    if not 0 < number < 2**62:
        raise deny()
    return number


# ---------------------------------------------------------------------------------------------
# Schemes


def access_scheme(user, scheme_id, need: Cap = Cap.ASSESS_MANAGE) -> Scheme:
    scheme = Scheme.objects.unscoped().select_related("owner").filter(pk=_int(scheme_id)).first()
    if scheme is None or not can(user, need, scheme.owner_path):
        raise deny()
    return scheme


def access_scheme_view(user, scheme_id) -> Scheme:
    """A scheme a manager runs, or a published one the user fills an assessment of."""
    scheme = access_scheme_or_none(user, scheme_id)
    if scheme is None:
        raise deny()
    return scheme


def access_scheme_or_none(user, scheme_id) -> Scheme | None:
    scheme = Scheme.objects.unscoped().select_related("owner").filter(pk=_int(scheme_id)).first()
    if scheme is None:
        return None
    if can(user, Cap.ASSESS_MANAGE, scheme.owner_path):
        return scheme
    if scheme.status != SchemeStatus.DRAFT and (
        Assessment.objects.visible_to(user, Cap.ASSESS_SUBMIT).filter(scheme=scheme).exists()
    ):
        return scheme
    return None


def managed_schemes(user, *, year: int | None = None):
    """Schemes run by an org in the user's ASSESS_MANAGE subtrees, with assessment counts."""
    qs = Scheme.objects.visible_to(user, Cap.ASSESS_MANAGE).select_related("owner")
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(
        n_assessments=Count("assessments"),
        n_submitted=Count(
            "assessments",
            filter=Q(
                assessments__status__in=[AssessmentStatus.SUBMITTED, AssessmentStatus.REVIEWED]
            ),
        ),
        n_reviewed=Count("assessments", filter=Q(assessments__status=AssessmentStatus.REVIEWED)),
    ).order_by("-year", "owner_path", "name", "id")


def visible_schemes(user, *, year: int | None = None):
    """Managed schemes, and published or closed schemes with an assessment the user fills."""
    fills = Assessment.objects.unscoped().filter(
        scope_q(user, Cap.ASSESS_SUBMIT, "org_path"), scheme=OuterRef("pk")
    )
    qs = (
        Scheme.objects.unscoped()
        .filter(
            scope_q(user, Cap.ASSESS_MANAGE, "owner_path")
            | (~Q(status=SchemeStatus.DRAFT) & Q(Exists(fills)))
        )
        .select_related("owner")
    )
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "owner_path", "name", "id")


@dataclass
class Node:
    indicator: Indicator
    depth: int
    children: list[Node] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.indicator.pk


def scheme_tree(scheme: Scheme) -> list[Node]:
    """The top-level nodes with their children, in order (one query)."""
    rows = list(Indicator.objects.filter(scheme=scheme).order_by("order", "id"))
    by_parent: dict[int | None, list[Indicator]] = defaultdict(list)
    for row in rows:
        by_parent[row.parent_id].append(row)

    def build(parent_id, depth):
        return [Node(r, depth, build(r.pk, depth + 1)) for r in by_parent.get(parent_id, [])]

    return build(None, 0)


def flatten(nodes: list[Node]) -> list[Node]:
    out = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


def scheme_summary(nodes: list[Node]) -> dict:
    """The base maximum (bonus excluded), the bonus maximum and the number of scored items."""
    base = sum((n.indicator.max_points for n in nodes if not n.indicator.is_bonus), ZERO)
    bonus = sum((n.indicator.max_points for n in nodes if n.indicator.is_bonus), ZERO)
    scored = sum(1 for n in flatten(nodes) if not n.indicator.is_category)
    return {"base": base, "bonus": bonus, "scored": scored}


def categories_of(scheme: Scheme) -> list[Indicator]:
    return list(Indicator.objects.filter(scheme=scheme, is_category=True).order_by("order", "id"))


def access_indicator(scheme: Scheme, indicator_id) -> Indicator:
    indicator = (
        Indicator.objects.filter(scheme=scheme, pk=_int(indicator_id))
        .select_related("parent", "scheme")
        .first()
    )
    if indicator is None:
        raise deny()
    return indicator


def target_orgs(scheme: Scheme) -> list[Org]:
    """The orgs a scheme assesses by default: active orgs strictly below the owner — for a
    branch scheme the 党支部; for a unit scheme each unit's top Party body (its 党组, or the
    机关党委 where a unit has no 党组 in the tree)."""
    qs = (
        Org.objects.unscoped()
        .filter(subtree_q("path", scheme.owner_path), dissolved_on__isnull=True)
        .exclude(path=scheme.owner_path)
    )
    if scheme.target == SchemeTarget.BRANCH:
        return list(qs.filter(kind=OrgKind.BRANCH).order_by("path"))
    if scheme.target == SchemeTarget.UNIT:
        rows = list(
            qs.filter(
                unit__isnull=False,
                kind__in=[OrgKind.PARTY_GROUP, OrgKind.ORGAN_COMMITTEE, OrgKind.GENERAL_BRANCH],
            ).order_by("depth", "path")
        )
        top: dict[int, Org] = {}
        for org in rows:
            top.setdefault(org.unit_id, org)
        return sorted(top.values(), key=lambda o: o.path)
    return []


# ---------------------------------------------------------------------------------------------
# Assessments


def can_submit(user, assessment: Assessment) -> bool:
    return user is None or can(user, Cap.ASSESS_SUBMIT, assessment.org_path)


def can_manage(user, assessment: Assessment) -> bool:
    return user is None or can(user, Cap.ASSESS_MANAGE, assessment.scheme.owner_path)


#: why a scheme's manager may not review an assessment he sits on the self side of
SELF_REVIEW = "不能复核本组织的考核。"


def _review_grant(user, assessment: Assessment) -> bool:
    """ASSESS_MANAGE on the scheme's owner through a grant outside the assessed org's subtree."""
    owner_path = assessment.scheme.owner_path
    return any(
        Cap.ASSESS_MANAGE in g.caps
        and owner_path.startswith(g.path)
        and not g.path.startswith(assessment.org_path)
        for g in grants_of(user)
    )


def self_side(user, assessment: Assessment) -> bool:
    """The user is on the self side of the assessment: he submitted it, or he holds a grant
    with ASSESS_SUBMIT inside the assessed org's own subtree (its secretary, the admin of a
    unit below it...), whatever other grant he also holds. (ASSESS_SUBMIT on the org through a
    grant above it is every superior admin's and does not count.)"""
    if user is None:
        return False
    if assessment.submitted_by_id is not None and assessment.submitted_by_id == user.pk:
        return True
    return any(
        Cap.ASSESS_SUBMIT in g.caps and g.path.startswith(assessment.org_path)
        for g in grants_of(user)
    )


def review_refusal(user, assessment: Assessment) -> str | None:
    """None when the user may review; SELF_REVIEW when he manages the scheme from outside the
    assessed org but sits on its self side through a second grant or submitted it; "" for
    everybody else (an outsider: a 404)."""
    if user is None:
        return None
    if not _review_grant(user, assessment):
        return ""
    if self_side(user, assessment):
        return SELF_REVIEW
    return None


def can_review(user, assessment: Assessment) -> bool:
    """ASSESS_MANAGE on the scheme's owner through a grant outside the assessed org's own
    subtree (a unit admin never reviews his own unit), and not on the assessment's self side
    (`self_side`): nobody reviews his own org, not through a second grant either."""
    return review_refusal(user, assessment) is None


def can_view(user, assessment: Assessment) -> bool:
    return can_submit(user, assessment) or can_manage(user, assessment)


def access_assessment(user, assessment_id, need: str = "view") -> Assessment:
    """An assessment for the self side ("submit"), the reviewer ("review") or either
    ("view"); 404 otherwise. Drafts of schemes are never assessed, so none exist."""
    assessment = (
        Assessment.objects.unscoped()
        .select_related("scheme", "scheme__owner", "org", "submitted_by", "reviewed_by")
        .filter(pk=_int(assessment_id))
        .first()
    )
    if assessment is None:
        raise deny()
    allowed = {"view": can_view, "submit": can_submit, "review": can_review}[need]
    if not allowed(user, assessment):
        raise deny()
    return assessment


def access_score(assessment: Assessment, indicator_id) -> IndicatorScore:
    score = (
        IndicatorScore.objects.unscoped()
        .select_related("indicator", "assessment", "assessment__scheme")
        .filter(assessment=assessment, indicator_id=_int(indicator_id))
        .first()
    )
    if score is None:
        raise deny()
    return score


def access_evidence(assessment: Assessment, evidence_id) -> Evidence:
    evidence = (
        Evidence.objects.unscoped()
        .select_related("score", "score__indicator", "score__assessment__scheme", "meeting")
        .filter(pk=_int(evidence_id), score__assessment=assessment)
        .first()
    )
    if evidence is None:
        raise deny()
    return evidence


def my_assessments(user, *, year: int | None = None):
    """The assessments the user fills (ASSESS_SUBMIT on the org), published schemes first."""
    qs = (
        Assessment.objects.visible_to(user, Cap.ASSESS_SUBMIT)
        .exclude(scheme__status=SchemeStatus.DRAFT)
        .select_related("scheme", "org")
    )
    if year:
        qs = qs.filter(scheme__year=year)
    return qs.order_by("-scheme__year", "scheme__status", "scheme__self_due", "org_path", "id")


def to_review(user, *, year: int | None = None) -> list[Assessment]:
    """Submitted assessments of schemes the user manages and may review."""
    if not has_cap_anywhere(user, Cap.ASSESS_MANAGE):
        return []
    qs = (
        Assessment.objects.unscoped()
        .filter(
            scope_q(user, Cap.ASSESS_MANAGE, "scheme__owner_path"),
            status=AssessmentStatus.SUBMITTED,
            scheme__status=SchemeStatus.PUBLISHED,
        )
        .select_related("scheme", "org")
        .order_by("scheme__review_due", "submitted_at", "id")
    )
    if year:
        qs = qs.filter(scheme__year=year)
    return [a for a in qs[:200] if can_review(user, a)]


@dataclass
class SheetRow:
    node: Node
    score: IndicatorScore | None
    evidence: list[Evidence]

    @property
    def indicator(self) -> Indicator:
        return self.node.indicator


def assessment_sheet(assessment: Assessment) -> list[SheetRow]:
    """Every node of the scheme in order, with the assessment's score and evidence (three
    queries whatever the size)."""
    nodes = flatten(scheme_tree(assessment.scheme))
    scores = {
        s.indicator_id: s for s in IndicatorScore.objects.unscoped().filter(assessment=assessment)
    }
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for e in (
        Evidence.objects.unscoped()
        .filter(score__assessment=assessment)
        .select_related("meeting")
        .order_by("added_at", "id")
    ):
        evidence[e.score_id].append(e)
    rows = []
    for node in nodes:
        score = scores.get(node.pk)
        rows.append(SheetRow(node, score, evidence.get(score.pk, []) if score else []))
    return rows


@dataclass
class Totals:
    base: Decimal
    bonus: Decimal
    total: Decimal
    subtotals: dict[int, Decimal]
    missing: int  # scored indicators without points


def totals(nodes: list[Node], points: dict[int, Decimal | None]) -> Totals:
    """The total of a tree for points per indicator id: a category's subtotal is the sum of its
    children capped at its maximum; bonus categories add on top (R-LOCAL-06's 加分)."""
    subtotals: dict[int, Decimal] = {}
    missing = 0

    def sub(node: Node) -> Decimal:
        nonlocal missing
        ind = node.indicator
        if not ind.is_category:
            value = points.get(ind.pk)
            if value is None:
                missing += 1
                return ZERO
            return min(Decimal(value), ind.max_points)
        value = min(sum((sub(c) for c in node.children), ZERO), ind.max_points)
        subtotals[ind.pk] = value
        return value

    base = bonus = ZERO
    for node in nodes:
        value = sub(node)
        if node.indicator.is_bonus:
            bonus += value
        else:
            base += value
    return Totals(rules.q(base), rules.q(bonus), rules.q(base + bonus), subtotals, missing)


def assessment_totals(assessment: Assessment, which: str = "self") -> Totals:
    nodes = scheme_tree(assessment.scheme)
    column = "self_points" if which == "self" else "final_points"
    points = dict(
        IndicatorScore.objects.unscoped()
        .filter(assessment=assessment)
        .values_list("indicator_id", column)
    )
    return totals(nodes, points)


@dataclass
class ResultRow:
    assessment: Assessment
    rank: int | None


def scheme_results(scheme: Scheme) -> list[ResultRow]:
    """All assessments of a scheme, ranked by the reviewed total (standard competition
    ranking); not yet reviewed ones follow, by self total. One query."""
    rows = list(
        Assessment.objects.unscoped()
        .filter(scheme=scheme)
        .select_related("org")
        .order_by("org_path", "id")
    )
    finals = {a.pk: a.final_total for a in rows if a.final_total is not None}
    ranks = rules.competition_ranks(finals)
    rows.sort(
        key=lambda a: (
            ranks.get(a.pk, 10**9),
            -(a.self_total if a.self_total is not None else Decimal("-1")),
            a.org_path,
        )
    )
    return [ResultRow(a, ranks.get(a.pk)) for a in rows]


def status_counts(scheme: Scheme) -> dict[str, int]:
    counts = {s: 0 for s in AssessmentStatus.values}
    for status, n in (
        Assessment.objects.unscoped()
        .filter(scheme=scheme)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    ):
        counts[status] = n
    return counts


def evidence_meetings(assessment: Assessment, limit: int = 200):
    """Held meetings of the assessed org's subtree in the scheme's year, newest first, for
    "pick a meeting" as evidence."""
    from dangjian.orglife.models import Meeting

    return list(
        Meeting.objects.unscoped()
        .filter(
            subtree_q("org_path", assessment.org_path),
            status__in=("held", "archived"),
            starts_at__year=assessment.scheme.year,
        )
        .select_related("org")
        .order_by("-starts_at", "id")[:limit]
    )
