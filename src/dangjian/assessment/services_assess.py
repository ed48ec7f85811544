"""Write paths of self-assessment (自评) and review (复核) of one org under a scheme.

- The self side (ASSESS_SUBMIT on the assessed org) sets points per indicator — or, for a
  deduction indicator, the number of occurrences, from which the points follow (R-LOCAL-05/06/
  10) — attaches evidence (uploaded files checked by content, meetings of the org's subtree,
  internal links), refreshes the auto indicators and submits. A late submission is accepted
  and marked late in the audit entry.
- The reviewer (ASSESS_MANAGE on the scheme's owner, not through a grant inside the assessed
  org: `selectors_schemes.can_review`) returns it with a reason, or sets the final points;
  a final that differs from the self score needs a reason. Totals cap each category at its
  maximum and add the bonus on top.

Every write is atomic and audited (`assessment.score.*`, `assessment.evidence.*`,
`assessment.assessment.*`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from dangjian.assessment import selectors_schemes as sel
from dangjian.assessment.models import (
    Assessment,
    AssessmentStatus,
    Evidence,
    EvidenceKind,
    IndicatorScore,
    Method,
    Scheme,
    SchemeStatus,
)
from dangjian.assessment.services_schemes import parse_points
from dangjian.assessment.sources import SourceCache, compute
from dangjian.core.access import deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.uploads import upload_limit
from dangjian.orglife import services_attachments as attachments
from dangjian.rules import assessment as rules

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_PER_SCORE = 50
MAX_OCCURRENCES = 100000
NOTE_LIMIT = 2000


def max_bytes() -> int:
    return min(
        getattr(settings, "ASSESSMENT_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES), upload_limit()
    )


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def too_large_message(size: int) -> str:
    return attachments.too_large_message(size, max_bytes())


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _locked(assessment: Assessment) -> Assessment:
    return (
        Assessment.all_objects.select_for_update(of=("self",))
        .select_related("scheme", "org")
        .get(pk=assessment.pk)
    )


def _require_submit(actor, assessment: Assessment) -> None:
    if not sel.can_submit(actor, assessment):
        raise deny()


def _require_review(actor, assessment: Assessment) -> None:
    refusal = sel.review_refusal(actor, assessment)
    if refusal:
        # a manager of the scheme on the assessment's self side (a second grant inside the
        # assessed org, or his own submission): he knows it exists, so say why
        raise AppError(refusal)
    if refusal is not None:
        raise deny()


def _self_editable(assessment: Assessment) -> None:
    if assessment.scheme.status == SchemeStatus.CLOSED:
        raise AppError("考核已结束，不能再修改。")
    if assessment.scheme.status != SchemeStatus.PUBLISHED:
        raise AppError("方案尚未发布。")
    if assessment.status == AssessmentStatus.SUBMITTED:
        raise AppError("自评已提交，等待复核；如需修改，请联系上级党组织退回。")
    if assessment.status == AssessmentStatus.REVIEWED:
        raise AppError("考核已复核，不能再修改自评。")


def _audit(actor, action: str, assessment: Assessment, **changes) -> None:
    audit(
        actor,
        f"assessment.{action}",
        assessment,
        org_path=assessment.org_path,
        changes={"scheme": assessment.scheme_id, **changes},
    )


def _occurrences(value, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise AppError("扣分次数须为整数。", field=field)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise AppError("扣分次数须为整数。", field=field) from None
    if number < 0:
        raise AppError("扣分次数不能为负数。", field=field)
    if number > MAX_OCCURRENCES:
        raise AppError("扣分次数过大。", field=field)
    return number


def _points_for(score: IndicatorScore, points, occurrences, *, fields=("points", "occurrences")):
    """(points, occurrences) for one indicator from the input: a deduction indicator takes the
    occurrences and computes the points (R-LOCAL-05/06/10); the others take points within
    0..max (rules.check_points)."""
    ind = score.indicator
    points_field, occ_field = fields
    if ind.method == Method.DEDUCTION:
        occ = _occurrences(occurrences, occ_field)
        if occ is None:
            raise AppError("按次扣分的指标请填写扣分次数（没有扣分填0）。", field=occ_field)
        return rules.deduction_score(ind.max_points, ind.deduction_per, occ), occ
    value = parse_points(points, points_field, "得分")
    if value is None:
        raise AppError("请填写得分。", field=points_field)
    message = rules.check_points(value, ind.max_points)
    if message:
        raise AppError(message, field=points_field)
    return value, None


def _store_self_total(assessment: Assessment) -> Decimal:
    total = sel.assessment_totals(assessment, "self").total
    assessment.self_total = total
    assessment.save(update_fields=["self_total"])
    return total


@transaction.atomic
def score_self_set(
    *, actor, score: IndicatorScore, points=None, occurrences=None, note: str | None = None
) -> IndicatorScore:
    """Set the self score of one indicator. An auto indicator without points takes its
    computed value (refresh first)."""
    assessment = score.assessment
    _require_submit(actor, assessment)
    assessment = _locked(assessment)
    _self_editable(assessment)
    score = (
        IndicatorScore.all_objects.select_for_update(of=("self",))
        .select_related("indicator")
        .get(pk=score.pk, assessment=assessment)
    )
    ind = score.indicator
    if ind.method == Method.AUTO and parse_points(points, "points", "得分") is None:
        if score.auto_points is None:
            raise AppError("尚无系统计分，请先更新系统计分，或直接填写得分。", field="points")
        points = score.auto_points
    value, occ = _points_for(score, points, occurrences)
    note = (note if note is not None else score.self_note) or ""
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise AppError(f"自评说明过长（最多{NOTE_LIMIT}字）。", field="note")
    before = (score.self_points, score.self_occurrences)
    score.self_points, score.self_occurrences, score.self_note = value, occ, note
    score.save(update_fields=["self_points", "self_occurrences", "self_note"])
    total = _store_self_total(assessment)
    _audit(
        actor,
        "score.self_scored",
        assessment,
        indicator=ind.pk,
        points=[before[0], value],
        occurrences=[before[1], occ],
        self_total=total,
    )
    return score


# ---------------------------------------------------------------------------------------------
# Evidence


def _clean_link(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise AppError("请填写系统内链接。", field="url")
    if (
        not url.startswith("/")
        or url.startswith("//")
        or len(url) > 300
        or not url_has_allowed_host_and_scheme(url, allowed_hosts=None)
        or any(ch.isspace() for ch in url)
    ):
        raise AppError("链接须为本系统内的页面路径（以“/”开头）。", field="url")
    return url


@transaction.atomic
def evidence_add(
    *,
    actor,
    score: IndicatorScore,
    kind: str,
    title: str = "",
    uploaded_file=None,
    meeting=None,
    url: str = "",
) -> Evidence:
    """Attach evidence to one indicator's score: an uploaded file (photo, PDF, Word, Excel —
    judged by content, at most `max_bytes()`), a held meeting of the assessed org's subtree, or
    a link to a page of this system."""

    assessment = score.assessment
    _require_submit(actor, assessment)
    assessment = _locked(assessment)
    _self_editable(assessment)
    if Evidence.objects.unscoped().filter(score=score).count() >= MAX_EVIDENCE_PER_SCORE:
        raise AppError(f"每项指标最多{MAX_EVIDENCE_PER_SCORE}份佐证材料。")
    title = (title or "").strip()
    if len(title) > 200:
        raise AppError("名称过长（最多200字）。", field="title")
    evidence = Evidence(score=score, kind=kind, added_by=_actor(actor))
    data = b""
    if kind == EvidenceKind.FILE:
        data, content_type, ext = attachments.read_document(uploaded_file, limit=max_bytes())
        evidence.title = title or attachments.clean_name(
            getattr(uploaded_file, "name", ""), "佐证材料"
        )
        evidence.content_type = content_type
        evidence.size = len(data)
        evidence.file.save(f"upload.{ext}", ContentFile(data), save=False)
    elif kind == EvidenceKind.MEETING:
        if (
            meeting is None
            or not meeting.org_path.startswith(assessment.org_path)
            or meeting.status not in ("held", "archived")
        ):
            raise AppError("只能选择本组织及下级已召开的会议。", field="meeting")
        evidence.meeting = meeting
        day = timezone.localtime(meeting.starts_at)
        evidence.title = title or f"{day:%Y-%m-%d} {meeting.get_kind_display()}：{meeting.topic}"
        evidence.title = evidence.title[:200]
    elif kind == EvidenceKind.LINK:
        evidence.url = _clean_link(url)
        evidence.title = title or evidence.url[:200]
    else:
        raise AppError("请选择佐证材料类型。", field="kind")
    try:
        evidence.save()
        _audit(
            actor,
            "evidence.added",
            assessment,
            evidence=evidence.pk,
            indicator=score.indicator_id,
            kind=kind,
            title=evidence.title,
            meeting=evidence.meeting_id,
            url=evidence.url,
            size=evidence.size,
        )
    except BaseException:
        if evidence.file:
            evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def evidence_remove(*, actor, evidence: Evidence) -> None:
    assessment = evidence.score.assessment
    _require_submit(actor, assessment)
    assessment = _locked(assessment)
    _self_editable(assessment)
    changes = {
        "evidence": evidence.pk,
        "indicator": evidence.score.indicator_id,
        "title": evidence.title,
    }
    storage, name = (evidence.file.storage, evidence.file.name) if evidence.file else (None, "")
    evidence.delete()
    _audit(actor, "evidence.removed", assessment, **changes)
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def evidence_open(*, actor, evidence: Evidence):
    """Open an uploaded evidence file for someone who may see the assessment; audited."""
    assessment = evidence.score.assessment
    if not sel.can_view(actor, assessment):
        raise deny()
    if evidence.kind != EvidenceKind.FILE or not evidence.file:
        raise deny()
    handle = evidence.file.open("rb")
    _audit(actor, "evidence.downloaded", assessment, evidence=evidence.pk, title=evidence.title)
    return handle


# ---------------------------------------------------------------------------------------------
# Auto indicators


def _refresh(assessment: Assessment, cache: SourceCache) -> int:
    scores = list(
        IndicatorScore.objects.unscoped()
        .filter(assessment=assessment, indicator__method=Method.AUTO)
        .select_related("indicator")
    )
    now = timezone.now()
    for score in scores:
        result = compute(
            score.indicator.auto_source,
            assessment.org,
            assessment.scheme.year,
            score.indicator,
            cache,
        )
        score.auto_points = result.points
        score.auto_detail = result.detail
        score.auto_at = now
    IndicatorScore.all_objects.bulk_update(scores, ["auto_points", "auto_detail", "auto_at"])
    return len(scores)


def _auto_refreshable(assessment: Assessment) -> None:
    if assessment.scheme.status != SchemeStatus.PUBLISHED:
        raise AppError("方案未发布或已结束，不能更新系统计分。")
    if assessment.status == AssessmentStatus.REVIEWED:
        raise AppError("考核已复核，系统计分不再更新。")


@transaction.atomic
def assessment_refresh_auto(*, actor, assessment: Assessment, today: dt.date | None = None) -> int:
    """Compute every auto indicator from its data source (sources.py) and store the points
    and the detail; returns how many. The self side or the reviewer may do it."""
    if not sel.can_view(actor, assessment):
        raise deny()
    assessment = _locked(assessment)
    _auto_refreshable(assessment)
    count = _refresh(assessment, SourceCache(today))
    _audit(actor, "assessment.auto_refreshed", assessment, indicators=count)
    return count


@transaction.atomic
def scheme_refresh_auto(*, actor, scheme: Scheme, today: dt.date | None = None) -> int:
    """Refresh the auto indicators of all open assessments of a scheme, reading one compliance
    grid for the owner's whole subtree. Returns the number of assessments refreshed."""
    from dangjian.assessment.services_schemes import _require

    _require(actor, scheme.owner_path)
    if scheme.status != SchemeStatus.PUBLISHED:
        raise AppError("方案未发布或已结束，不能更新系统计分。")
    cache = SourceCache(today)
    cache.prime(scheme.owner, scheme.year)
    assessments = list(
        Assessment.objects.unscoped()
        .filter(scheme=scheme)
        .exclude(status=AssessmentStatus.REVIEWED)
        .select_related("scheme", "org")
    )
    for assessment in assessments:
        _refresh(assessment, cache)
    audit(
        actor,
        "assessment.scheme.auto_refreshed",
        scheme,
        org_path=scheme.owner_path,
        changes={"assessments": len(assessments)},
    )
    return len(assessments)


# ---------------------------------------------------------------------------------------------
# Submit, return, review


@transaction.atomic
def assessment_submit(*, actor, assessment: Assessment, now: dt.datetime | None = None):
    """Submit the self-assessment: the auto indicators are refreshed, those without a self
    score take the computed points, every other indicator must be scored. After the deadline
    it is accepted and marked late."""
    _require_submit(actor, assessment)
    assessment = _locked(assessment)
    _self_editable(assessment)
    now = now or timezone.now()
    _refresh(assessment, SourceCache(timezone.localdate(now)))
    scores = list(
        IndicatorScore.objects.unscoped()
        .filter(assessment=assessment)
        .select_related("indicator")
        .order_by("indicator__order", "indicator_id")
    )
    filled = []
    for score in scores:
        if score.self_points is None and score.indicator.method == Method.AUTO:
            score.self_points = score.auto_points
            filled.append(score)
    IndicatorScore.all_objects.bulk_update(filled, ["self_points"])
    missing = [s.indicator for s in scores if s.self_points is None]
    if missing:
        names = "、".join(f"{i.code} {i.title}".strip() for i in missing[:5])
        more = f"等{len(missing)}项" if len(missing) > 5 else ""
        raise AppError(f"以下指标尚未自评：{names}{more}。")
    due = assessment.scheme.self_due
    late = bool(due and timezone.localdate(now) > due)
    was = assessment.status
    assessment.self_total = sel.assessment_totals(assessment, "self").total
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = now
    assessment.submitted_by = _actor(actor)
    assessment.save(update_fields=["self_total", "status", "submitted_at", "submitted_by"])
    changes = {"status": [was, AssessmentStatus.SUBMITTED], "self_total": assessment.self_total}
    changes["late"] = late
    if late:
        changes["self_due"] = due
    _audit(actor, "assessment.submitted", assessment, **changes)
    return assessment


@transaction.atomic
def assessment_return(*, actor, assessment: Assessment, reason: str) -> Assessment:
    """Send a submitted self-assessment back for changes, with the reason."""
    _require_review(actor, assessment)
    assessment = _locked(assessment)
    if assessment.scheme.status != SchemeStatus.PUBLISHED:
        raise AppError("方案未发布或已结束。")
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise AppError("只有已提交待复核的自评可以退回。")
    reason = (reason or "").strip()
    if not reason:
        raise AppError("请填写退回原因。", field="reason")
    if len(reason) > NOTE_LIMIT:
        raise AppError(f"退回原因过长（最多{NOTE_LIMIT}字）。", field="reason")
    assessment.status = AssessmentStatus.RETURNED
    assessment.review_note = reason
    assessment.save(update_fields=["status", "review_note"])
    _audit(
        actor,
        "assessment.returned",
        assessment,
        status=[AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED],
        reason=reason,
    )
    return assessment


@transaction.atomic
def assessment_review(
    *,
    actor,
    assessment: Assessment,
    finals: dict[int, dict] | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Assessment:
    """Set the final points of a submitted (or re-review a reviewed) assessment. `finals` maps
    indicator id → {"points", "occurrences", "reason"}; an indicator left out keeps its self
    score. Where the final differs from the self score a reason is required. The final total
    caps each category at its maximum and adds the bonus on top. All refusals are reported
    together (field `final_<id>`, `reason_<id>`), and nothing is written."""
    _require_review(actor, assessment)
    assessment = _locked(assessment)
    if assessment.scheme.status != SchemeStatus.PUBLISHED:
        raise AppError("方案未发布或已结束，不能复核。")
    if assessment.status not in (AssessmentStatus.SUBMITTED, AssessmentStatus.REVIEWED):
        raise AppError("自评尚未提交，不能复核。")
    finals = finals or {}
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise AppError(f"复核意见过长（最多{NOTE_LIMIT}字）。", field="note")
    scores = list(
        IndicatorScore.objects.unscoped()
        .filter(assessment=assessment)
        .select_related("indicator")
        .order_by("indicator__order", "indicator_id")
    )
    known = {s.indicator_id for s in scores}
    errors: list[tuple[str | None, str]] = []
    for key in finals:
        if key not in known:
            errors.append((None, "复核的指标不属于本考核。"))
            break
    changed = []
    for score in scores:
        ind = score.indicator
        given = finals.get(ind.pk) or {}
        points, occ = given.get("points"), given.get("occurrences")
        reason = (given.get("reason") or "").strip()
        fields = (f"final_{ind.pk}", f"occ_{ind.pk}")
        try:
            if ind.method == Method.DEDUCTION:
                if _occurrences(occ, fields[1]) is None:
                    occ = score.self_occurrences
                value, occ = _points_for(score, None, occ, fields=fields)
            else:
                if parse_points(points, fields[0], "复核得分") is None:
                    points = score.self_points
                value, occ = _points_for(score, points, None, fields=fields)
        except AppError as exc:
            errors.extend(exc.errors)
            continue
        if len(reason) > NOTE_LIMIT:
            errors.append((f"reason_{ind.pk}", "调整理由过长。"))
            continue
        if value != score.self_points and not reason:
            errors.append(
                (
                    f"reason_{ind.pk}",
                    f"“{ind.title}”复核得分{value}与自评得分{score.self_points}不同，请填写调整理由。",
                )
            )
            continue
        before = score.final_points
        score.final_points, score.final_occurrences, score.final_reason = value, occ, reason
        if before != value:
            changed.append({"indicator": ind.pk, "self": score.self_points, "final": value})
    if errors:
        raise AppError(errors[0][1], field=errors[0][0], errors=errors)
    IndicatorScore.all_objects.bulk_update(
        scores, ["final_points", "final_occurrences", "final_reason"]
    )
    nodes = sel.scheme_tree(assessment.scheme)
    result = sel.totals(nodes, {s.indicator_id: s.final_points for s in scores})
    was = assessment.status
    assessment.final_total = result.total
    assessment.status = AssessmentStatus.REVIEWED
    assessment.reviewed_at = now or timezone.now()
    assessment.reviewed_by = _actor(actor)
    assessment.review_note = note
    assessment.save(
        update_fields=["final_total", "status", "reviewed_at", "reviewed_by", "review_note"]
    )
    _audit(
        actor,
        "assessment.reviewed",
        assessment,
        status=[was, AssessmentStatus.REVIEWED],
        self_total=assessment.self_total,
        final_total=result.total,
        adjusted=[
            f"{c['indicator']}:{c['self']}→{c['final']}" for c in changed if c["self"] != c["final"]
        ][:100],
    )
    return assessment
