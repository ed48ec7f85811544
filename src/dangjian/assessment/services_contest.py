"""Write paths of the 书记赛党建 contest: create and edit a contest (weights summing to 100,
R-LOCAL-09; star lines, R-LOCAL-07), choose its units, publish the ranking (a snapshot frozen
into the entries) and take a publication back. Each runs in one transaction, checks
assess.manage on the contest's owner and writes an audit entry."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.assessment import selectors_contest as sel
from dangjian.assessment.models import (
    ContestEntry,
    ContestStatus,
    ReviewStatus,
    Scheme,
    SchemeStatus,
    SchemeTarget,
    SecretaryContest,
    SecretaryReview,
    default_star_thresholds,
)
from dangjian.core.access import can, deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.orgs.models import Org, SeatRole
from dangjian.orgs.selectors import current_seats
from dangjian.rules import assessment as rules

WEIGHT_FIELDS = {
    "routine": "routine_weight",
    "observation": "observation_weight",
    "review": "review_weight",
}
MAX_STAR_LINES = 10
EDITABLE = ("year", "name", "scheme", *WEIGHT_FIELDS.values(), "star_thresholds")


def _manage(actor, path: str) -> None:
    if actor is not None and not can(actor, Cap.ASSESS_MANAGE, path):
        raise deny()


def _locked(contest: SecretaryContest) -> SecretaryContest:
    return (
        SecretaryContest.all_objects.select_for_update(of=("self",))
        .select_related("owner", "scheme")
        .get(pk=contest.pk)
    )


def _draft(contest: SecretaryContest) -> None:
    if contest.status == ContestStatus.PUBLISHED:
        raise AppError("赛事结果已公布，不能修改；如需修改，请先撤回公布。")


# ---------------------------------------------------------------------------------------------
# Validation


def _name(value) -> str:
    name = (value or "").strip()
    if not name:
        raise AppError("请填写赛事名称。", field="name")
    if len(name) > 100:
        raise AppError("赛事名称不能超过100个字。", field="name")
    return name


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise AppError("请填写年度。", field="year") from None
    if not 2000 <= year <= 2100:
        raise AppError("年度须在2000至2100之间。", field="year")
    return year


def _decimal(value, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise AppError(f"{label}须为数字。", field=field) from None
    if not number.is_finite():
        raise AppError(f"{label}须为数字。", field=field)
    return number


def check_weights(weights: dict) -> dict[str, Decimal]:
    """The three weights as Decimals, or AppError at the field (R-LOCAL-09: percentages that
    sum to exactly 100; `rules.check_weights` gives the message)."""
    out = {}
    for name, field in WEIGHT_FIELDS.items():
        label = f"{rules.PART_LABELS[name]}权重"
        value = weights.get(name)
        if value is None or str(value).strip() == "":
            raise AppError(f"请填写{label}。", field=field)
        number = _decimal(value, field, label)
        if number < 0:
            raise AppError(f"{label}不能为负数", field=field)
        if number > 100:
            raise AppError(f"{label}不能超过100%", field=field)
        if number != number.quantize(rules.CENT):
            raise AppError(f"{label}最多保留两位小数", field=field)
        out[name] = number
    message = rules.check_weights(out)
    if message:
        raise AppError(message, field="routine_weight")
    return out


_LINE_SPLIT = re.compile(r"[\s,，:：=分星★]+")


def parse_star_thresholds(value) -> list[list]:
    """Star lines (R-LOCAL-07) from a list of pairs or text ("95 5" per line, "95分 5星" too):
    lines between 0 and 100, strictly descending; stars between 1 and 10, more stars for a
    higher line. Stored as [["95", 5], …] (strings keep the Decimal exact). Empty: no stars.
    AppError at `star_thresholds` for anything else."""
    field = "star_thresholds"
    if value is None:
        return default_star_thresholds()
    if isinstance(value, str):
        pairs = []
        for number, raw in enumerate(value.splitlines(), 1):
            raw = raw.strip()
            if not raw:
                continue
            bits = [b for b in _LINE_SPLIT.split(raw) if b]
            if len(bits) != 2:
                raise AppError(f"星级线第{number}行应为“分数线 星数”，如“95 5”。", field=field)
            pairs.append(bits)
    else:
        pairs = list(value)
    if len(pairs) > MAX_STAR_LINES:
        raise AppError(f"星级线最多{MAX_STAR_LINES}条。", field=field)
    out: list[list] = []
    for number, pair in enumerate(pairs, 1):
        try:
            line_raw, stars_raw = pair
            line = Decimal(str(line_raw).strip())
            stars = int(str(stars_raw).strip())
        except (InvalidOperation, ValueError, TypeError):
            raise AppError(
                f"星级线第{number}条应为“分数线 星数”，如“95 5”。", field=field
            ) from None
        if not line.is_finite() or not 0 <= line <= 100:
            raise AppError(f"星级线第{number}条：分数线须在0至100之间。", field=field)
        if line != line.quantize(rules.CENT):
            raise AppError(f"星级线第{number}条：分数线最多保留两位小数。", field=field)
        if not 1 <= stars <= 10:
            raise AppError(f"星级线第{number}条：星数须在1至10之间。", field=field)
        if out:
            prev_line, prev_stars = Decimal(out[-1][0]), out[-1][1]
            if line >= prev_line:
                raise AppError("星级线须按分数从高到低排列，且不能重复。", field=field)
            if stars >= prev_stars:
                raise AppError("分数线越高，星数应越多。", field=field)
        out.append([format(line.normalize(), "f"), stars])
    return out


def star_thresholds_text(thresholds) -> str:
    return "\n".join(f"{line} {stars}" for line, stars in thresholds or [])


def _scheme(actor, owner: Org, scheme: Scheme | None) -> Scheme | None:
    """The routine scheme must belong to the owner or a body above it, and score units or
    branches (a stop sheet is not a routine assessment). A scheme the actor does not manage
    (a superior's) must have been issued: a superior's draft is not his to build on."""
    if scheme is None:
        return None
    manages = can(actor, Cap.ASSESS_MANAGE, scheme.owner_path)
    if not owner.path.startswith(scheme.owner_path) and not manages:
        raise AppError("请选择本组织或上级组织的考核方案。", field="scheme")
    if actor is not None and not manages and scheme.status == SchemeStatus.DRAFT:
        raise AppError("请选择本组织或上级组织的考核方案。", field="scheme")
    if scheme.target == SchemeTarget.STOP:
        raise AppError("现场评分表不能作为日常考核方案。", field="scheme")
    return scheme


# ---------------------------------------------------------------------------------------------
# Contest


@transaction.atomic
def contest_create(
    *,
    actor,
    owner: Org,
    year,
    name: str,
    scheme: Scheme | None = None,
    routine_weight=None,
    observation_weight=None,
    review_weight=None,
    star_thresholds=None,
) -> SecretaryContest:
    """A new contest of `owner` (assess.manage on it). Weights default to 50/30/20
    (R-LOCAL-09), star lines to R-LOCAL-07."""
    _manage(actor, owner.path)
    if not owner.is_active:
        raise AppError("该组织已撤销，不能举办赛事。", field="owner")
    name = _name(name)
    year = _year(year)
    given = {"routine": routine_weight, "observation": observation_weight, "review": review_weight}
    if all(v is None for v in given.values()):
        given = dict(rules.DEFAULT_WEIGHTS)
    weights = check_weights(given)
    thresholds = parse_star_thresholds(star_thresholds)
    scheme = _scheme(actor, owner, scheme)
    try:
        with transaction.atomic():
            contest = SecretaryContest.objects.create(
                owner=owner,
                owner_path=owner.path,
                year=year,
                name=name,
                scheme=scheme,
                routine_weight=weights["routine"],
                observation_weight=weights["observation"],
                review_weight=weights["review"],
                star_thresholds=thresholds,
            )
    except IntegrityError:
        raise AppError("本组织当年已有同名赛事。", field="name") from None
    audit(
        actor,
        "assessment.contest.created",
        contest,
        org_path=owner.path,
        changes={
            "owner": owner.pk,
            "year": year,
            "name": name,
            "scheme": scheme.pk if scheme else None,
            "weights": [str(weights[n]) for n in sel.PARTS],
            "star_thresholds": thresholds,
        },
    )
    return contest


@transaction.atomic
def contest_update(*, actor, contest: SecretaryContest, **fields) -> SecretaryContest:
    """Change name, year, scheme, weights or star lines of a contest not yet published. Only
    the fields given change; the three weights are checked together."""
    _manage(actor, contest.owner_path)
    contest = _locked(contest)
    _draft(contest)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise AppError("不能修改这些字段。")
    before = {
        "year": contest.year,
        "name": contest.name,
        "scheme": contest.scheme_id,
        **{f: str(getattr(contest, f)) for f in WEIGHT_FIELDS.values()},
        "star_thresholds": contest.star_thresholds,
    }
    if "name" in fields:
        contest.name = _name(fields["name"])
    if "year" in fields:
        contest.year = _year(fields["year"])
    if "scheme" in fields:
        contest.scheme = _scheme(actor, contest.owner, fields["scheme"])
    if any(f in fields for f in WEIGHT_FIELDS.values()):
        weights = check_weights(
            {n: fields.get(f, getattr(contest, f)) for n, f in WEIGHT_FIELDS.items()}
        )
        for n, f in WEIGHT_FIELDS.items():
            setattr(contest, f, weights[n])
    if "star_thresholds" in fields:
        contest.star_thresholds = parse_star_thresholds(fields["star_thresholds"])
    after = {
        "year": contest.year,
        "name": contest.name,
        "scheme": contest.scheme_id,
        **{f: str(getattr(contest, f)) for f in WEIGHT_FIELDS.values()},
        "star_thresholds": contest.star_thresholds,
    }
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if not changes:
        return contest
    try:
        with transaction.atomic():
            contest.save(
                update_fields=[
                    "year",
                    "name",
                    "scheme",
                    *WEIGHT_FIELDS.values(),
                    "star_thresholds",
                ]
            )
    except IntegrityError:
        raise AppError("本组织当年已有同名赛事。", field="name") from None
    audit(
        actor, "assessment.contest.updated", contest, org_path=contest.owner_path, changes=changes
    )
    return contest


# ---------------------------------------------------------------------------------------------
# Entries


def secretary_of(org: Org) -> str:
    """The name of the org's current secretary (书记 seat), or ""."""
    for seat in current_seats(org):
        if seat.role == SeatRole.SECRETARY:
            return seat.member.name
    return ""


def _check_unit(contest: SecretaryContest, org: Org) -> None:
    if org.pk == contest.owner_id or not org.path.startswith(contest.owner_path):
        raise AppError("参赛单位须为本赛事组织单位的下级组织。", field="orgs")
    if not org.is_active:
        raise AppError(f"{org.name}已撤销，不能参赛。", field="orgs")


def _secretary_name(value: str, org: Org) -> str:
    value = (value or "").strip() or secretary_of(org)
    if len(value) > 50:
        raise AppError("书记姓名不能超过50个字。", field="secretary_name")
    return value


@transaction.atomic
def entries_set(*, actor, contest: SecretaryContest, orgs: list[Org]) -> list[ContestEntry]:
    """Make `orgs` the contest's units: new ones are added (secretary from the org's current
    secretary seat), missing ones removed, the others kept as they are."""
    _manage(actor, contest.owner_path)
    contest = _locked(contest)
    _draft(contest)
    wanted = {o.pk: o for o in orgs}
    for org in wanted.values():
        _check_unit(contest, org)
    current = {e.org_id: e for e in ContestEntry.objects.unscoped().filter(contest=contest)}
    removed = [oid for oid in current if oid not in wanted]
    added = [o for oid, o in wanted.items() if oid not in current]
    if removed:
        ContestEntry.objects.unscoped().filter(contest=contest, org_id__in=removed).delete()
    ContestEntry.objects.bulk_create(
        [ContestEntry(contest=contest, org=o, secretary_name=secretary_of(o)) for o in added]
    )
    if added or removed:
        audit(
            actor,
            "assessment.contest.entries_set",
            contest,
            org_path=contest.owner_path,
            changes={"added": [o.pk for o in added], "removed": removed},
        )
    return list(ContestEntry.objects.unscoped().filter(contest=contest).select_related("org"))


@transaction.atomic
def entry_add(
    *, actor, contest: SecretaryContest, org: Org, secretary_name: str = ""
) -> ContestEntry:
    """Add one unit; the secretary's name defaults to the org's current secretary."""
    _manage(actor, contest.owner_path)
    contest = _locked(contest)
    _draft(contest)
    _check_unit(contest, org)
    name = _secretary_name(secretary_name, org)
    try:
        with transaction.atomic():
            entry = ContestEntry.objects.create(contest=contest, org=org, secretary_name=name)
    except IntegrityError:
        raise AppError(f"{org.name}已在参赛单位中。", field="orgs") from None
    audit(
        actor,
        "assessment.contest.entry_added",
        contest,
        org_path=contest.owner_path,
        changes={"org": org.pk, "secretary_name": name},
    )
    return entry


@transaction.atomic
def entry_remove(*, actor, entry: ContestEntry) -> None:
    contest = entry.contest
    _manage(actor, contest.owner_path)
    contest = _locked(contest)
    _draft(contest)
    org_id = entry.org_id
    ContestEntry.objects.unscoped().filter(pk=entry.pk, contest=contest).delete()
    audit(
        actor,
        "assessment.contest.entry_removed",
        contest,
        org_path=contest.owner_path,
        changes={"org": org_id},
    )


# ---------------------------------------------------------------------------------------------
# Publication


@transaction.atomic
def contest_publish(*, actor, contest: SecretaryContest, now=None) -> list[sel.Standing]:
    """Compute the standings now and freeze them into the entries (parts, total, rank,
    stars): later records no longer change the published ranking. The 述职评议 sittings of the
    contest must have closed their vote."""
    _manage(actor, contest.owner_path)
    contest = _locked(contest)
    if contest.status == ContestStatus.PUBLISHED:
        raise AppError("赛事结果已经公布。")
    if not ContestEntry.objects.unscoped().filter(contest=contest).exists():
        raise AppError("请先选择参赛单位。")
    open_reviews = SecretaryReview.objects.unscoped().filter(
        contest=contest, status=ReviewStatus.OPEN
    )
    if open_reviews.exists():
        raise AppError("本赛事的述职评议尚在投票中，结束投票后才能公布结果。")
    standings = sel.compute_standings(contest)
    for s in standings:
        entry = s.entry
        entry.routine_score = s.parts["routine"]
        entry.observation_score = s.parts["observation"]
        entry.review_score = s.parts["review"]
        entry.total = s.total
        entry.rank = s.rank
        entry.stars = s.stars
    ContestEntry.all_objects.bulk_update(
        [s.entry for s in standings],
        ["routine_score", "observation_score", "review_score", "total", "rank", "stars"],
    )
    contest.status = ContestStatus.PUBLISHED
    contest.published_at = now or timezone.now()
    contest.published_by = actor if getattr(actor, "pk", None) else None
    contest.save(update_fields=["status", "published_at", "published_by"])
    audit(
        actor,
        "assessment.contest.published",
        contest,
        org_path=contest.owner_path,
        changes={
            "entries": len(standings),
            "ranking": [[s.org.pk, str(s.total), s.rank, s.stars] for s in standings],
        },
    )
    return standings


@transaction.atomic
def contest_unpublish(*, actor, contest: SecretaryContest, reason: str = "") -> SecretaryContest:
    """Take the publication back: the contest is a draft again and its standings are computed
    live; the snapshot is cleared (a new publication freezes a new one)."""
    _manage(actor, contest.owner_path)
    contest = _locked(contest)
    if contest.status != ContestStatus.PUBLISHED:
        raise AppError("赛事结果尚未公布。")
    reason = (reason or "").strip()
    if not reason:
        raise AppError("请填写撤回公布的原因。", field="reason")
    if len(reason) > 500:
        raise AppError("原因不能超过500个字。", field="reason")
    ContestEntry.objects.unscoped().filter(contest=contest).update(
        routine_score=None,
        observation_score=None,
        review_score=None,
        total=None,
        rank=None,
        stars=None,
    )
    published_at = contest.published_at
    contest.status = ContestStatus.DRAFT
    contest.published_at = None
    contest.published_by = None
    contest.save(update_fields=["status", "published_at", "published_by"])
    audit(
        actor,
        "assessment.contest.unpublished",
        contest,
        org_path=contest.owner_path,
        changes={"published_at": published_at, "reason": reason},
    )
    return contest
