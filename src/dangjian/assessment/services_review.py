"""Write paths of 书记抓党建述职评议 (R-ORG-17): set up a sitting, its reports and voters, open
and close the vote, cast a ballot, the review's comments and the rectification list.

Anonymity is a property of the data, not of a screen: a ballot adds one to a counter per
report and grade (`BallotTally`, updated with F() so concurrent ballots never lose a count)
and flips the voter's `has_voted`, in one transaction. No row and no audit entry holds both
a voter and a grade; the audit entry of a cast says only that the voter voted in the review.

One ballot per voter is enforced by the database: the flip is a conditional UPDATE
(`has_voted=False` → True) that must touch exactly one row. Two simultaneous ballots of the
same voter serialise on that row (PostgreSQL's row lock; SQLite's single writer) and the
second one finds nothing to flip: "您已投过票", and nothing else of it is written.

Managers hold assess.manage on the review's owner; a report is filled by assess.submit on its
org (or a manager); a rectification is completed by the same people.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.assessment.models import (
    BallotTally,
    ContestStatus,
    Grade,
    Rectification,
    ReviewStatus,
    ReviewVoter,
    SecretaryContest,
    SecretaryReport,
    SecretaryReview,
    TaskStatus,
)
from dangjian.core.access import can, deny, subtree_q
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import SEPARATED_ROLES, Cap
from dangjian.members.models import Member
from dangjian.orglife import services_attachments as uploads
from dangjian.orgs.models import Org

#: report files: PDF or Word only (judged by content, core/uploads via orglife's detector)
REPORT_KINDS = ("pdf", "docx")
REPORT_WRONG_TYPE = "述职报告文件只能是PDF或Word（.docx）文档。"
TEXT_LIMIT = 50000
MAX_VOTERS = 5000


def _manage(actor, path: str) -> None:
    if actor is not None and not can(actor, Cap.ASSESS_MANAGE, path):
        raise deny()


def _locked(review: SecretaryReview) -> SecretaryReview:
    return (
        SecretaryReview.all_objects.select_for_update(of=("self",))
        .select_related("owner")
        .get(pk=review.pk)
    )


def _text(value, field: str, label: str, *, limit: int = 200, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise AppError(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise AppError(f"{label}不能超过{limit}个字。", field=field)
    return value


def _aware(value: dt.datetime | None, field: str) -> dt.datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _draft(review: SecretaryReview) -> None:
    if review.status != ReviewStatus.DRAFT:
        raise AppError("投票已经开始，不能再修改述职名单。")


def _contest(actor, owner: Org, contest: SecretaryContest | None) -> SecretaryContest | None:
    if contest is None:
        return None
    if actor is not None and not can(actor, Cap.ASSESS_MANAGE, contest.owner_path):
        raise AppError("请选择本组织举办的赛事。", field="contest")
    if not (owner.path.startswith(contest.owner_path) or contest.owner_path.startswith(owner.path)):
        raise AppError("请选择本组织举办的赛事。", field="contest")
    if contest.status == ContestStatus.PUBLISHED:
        raise AppError("该赛事结果已公布，不能再关联述职评议。", field="contest")
    return contest


# ---------------------------------------------------------------------------------------------
# The sitting


@transaction.atomic
def review_create(
    *,
    actor,
    owner: Org,
    year,
    title: str,
    held_on: dt.date | None = None,
    closes_at: dt.datetime | None = None,
    contest: SecretaryContest | None = None,
) -> SecretaryReview:
    """A new 述职评议 run by `owner` (assess.manage on it), optionally part of a contest."""
    _manage(actor, owner.path)
    if not owner.is_active:
        raise AppError("该组织已撤销，不能组织述职评议。", field="owner")
    title = _text(title, "title", "名称", required=True)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise AppError("请填写年度。", field="year") from None
    if not 2000 <= year <= 2100:
        raise AppError("年度须在2000至2100之间。", field="year")
    closes_at = _aware(closes_at, "closes_at")
    contest = _contest(actor, owner, contest)
    review = SecretaryReview.objects.create(
        owner=owner,
        owner_path=owner.path,
        year=year,
        title=title,
        held_on=held_on,
        closes_at=closes_at,
        contest=contest,
    )
    audit(
        actor,
        "assessment.review.created",
        review,
        org_path=owner.path,
        changes={
            "owner": owner.pk,
            "year": year,
            "title": title,
            "held_on": held_on,
            "closes_at": closes_at,
            "contest": contest.pk if contest else None,
        },
    )
    return review


@transaction.atomic
def review_update(
    *,
    actor,
    review: SecretaryReview,
    title: str,
    held_on: dt.date | None = None,
    closes_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> SecretaryReview:
    """Change the title, date or closing time (not once the vote has closed)."""
    _manage(actor, review.owner_path)
    review = _locked(review)
    if review.status == ReviewStatus.CLOSED:
        raise AppError("投票已结束，不能修改。")
    title = _text(title, "title", "名称", required=True)
    closes_at = _aware(closes_at, "closes_at")
    if (
        review.status == ReviewStatus.OPEN
        and closes_at is not None
        and closes_at <= (now or timezone.now())
    ):
        raise AppError("投票截止时间须晚于现在。", field="closes_at")
    before = {"title": review.title, "held_on": review.held_on, "closes_at": review.closes_at}
    review.title, review.held_on, review.closes_at = title, held_on, closes_at
    after = {"title": title, "held_on": held_on, "closes_at": closes_at}
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    if changes:
        review.save(update_fields=["title", "held_on", "closes_at"])
        audit(
            actor,
            "assessment.review.updated",
            review,
            org_path=review.owner_path,
            changes=changes,
        )
    return review


# ---------------------------------------------------------------------------------------------
# Reports


def _seat_secretary(org: Org) -> Member | None:
    from dangjian.orgs.models import SeatRole
    from dangjian.orgs.selectors import current_seats

    for seat in current_seats(org):
        if seat.role == SeatRole.SECRETARY:
            return seat.member
    return None


@transaction.atomic
def report_add(
    *,
    actor,
    review: SecretaryReview,
    org: Org,
    secretary: Member | None = None,
    secretary_name: str = "",
    order: int | None = None,
) -> SecretaryReport:
    """Put an org's secretary on the list of those who report (before the vote opens). The
    secretary defaults to the holder of the org's 书记 seat."""
    _manage(actor, review.owner_path)
    review = _locked(review)
    _draft(review)
    if org.pk == review.owner_id or not org.path.startswith(review.owner_path):
        raise AppError("述职组织须为本评议组织单位的下级组织。", field="org")
    if not org.is_active:
        raise AppError("该组织已撤销。", field="org")
    if secretary is None and not (secretary_name or "").strip():
        secretary = _seat_secretary(org)
    if secretary is not None and not secretary.org_path.startswith(review.owner_path):
        raise AppError("书记须为本评议范围内的党员。", field="secretary")
    name = _text(
        secretary_name or (secretary.name if secretary else ""),
        "secretary_name",
        "书记姓名",
        limit=50,
        required=True,
    )
    if order is None:
        top = SecretaryReport.objects.unscoped().filter(review=review).aggregate(m=Max("order"))
        order = (top["m"] or 0) + 1
    elif not 0 <= int(order) <= 999:
        raise AppError("述职顺序须在0至999之间。", field="order")
    try:
        with transaction.atomic():
            report = SecretaryReport.objects.create(
                review=review,
                org=org,
                org_path=org.path,
                secretary=secretary,
                secretary_name=name,
                order=int(order),
            )
    except IntegrityError:
        raise AppError(f"{org.name}已在述职名单中。", field="org") from None
    audit(
        actor,
        "assessment.report.added",
        report,
        org_path=review.owner_path,
        changes={"review": review.pk, "org": org.pk, "secretary_name": name, "order": order},
    )
    return report


@transaction.atomic
def report_remove(*, actor, report: SecretaryReport) -> None:
    review = report.review
    _manage(actor, review.owner_path)
    review = _locked(review)
    _draft(review)
    changes = {"review": review.pk, "org": report.org_id, "secretary_name": report.secretary_name}
    storage, name = report.file.storage, report.file.name
    SecretaryReport.objects.unscoped().filter(pk=report.pk, review=review).delete()
    audit(actor, "assessment.report.removed", review, org_path=review.owner_path, changes=changes)
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _report_file(uploaded_file) -> tuple[bytes, str, str]:
    return uploads.read_document(uploaded_file, allowed=REPORT_KINDS, wrong_type=REPORT_WRONG_TYPE)


@transaction.atomic
def report_submit(
    *, actor, report: SecretaryReport, text: str = "", uploaded_file=None, now=None
) -> SecretaryReport:
    """The secretary's report: its text and/or a PDF/Word file (checked by content). By
    assess.submit on the report's org, or a manager; until the vote closes."""
    review = report.review
    if actor is not None and not (
        can(actor, Cap.ASSESS_SUBMIT, report.org_path)
        or can(actor, Cap.ASSESS_MANAGE, review.owner_path)
    ):
        raise deny()
    review = _locked(review)
    if review.status == ReviewStatus.CLOSED:
        raise AppError("评议已结束，不能再提交述职报告。")
    text = _text(text, "report", "述职报告", limit=TEXT_LIMIT)
    if not text and uploaded_file is None and not report.file:
        raise AppError("请填写述职报告或上传报告文件。", field="report")
    report = SecretaryReport.all_objects.select_for_update().get(pk=report.pk)
    old_storage, old_name = report.file.storage, report.file.name
    changes = {"report_chars": [len(report.report), len(text)]}
    report.report = text
    report.submitted_at = now or timezone.now()
    fields = ["report", "submitted_at"]
    stored = None
    if uploaded_file is not None:
        data, _content_type, ext = _report_file(uploaded_file)
        report.file.save(f"report-{report.pk}.{ext}", ContentFile(data), save=False)
        stored = report.file.name
        fields.append("file")
        changes["file"] = {"type": ext, "size": len(data)}
    try:
        report.save(update_fields=fields)
        audit(
            actor,
            "assessment.report.submitted",
            report,
            org_path=report.org_path,
            changes=changes,
        )
    except BaseException:
        if stored:
            report.file.storage.delete(stored)
        raise
    if stored and old_name and old_name != stored:
        transaction.on_commit(lambda: old_storage.delete(old_name))
    report.review = review
    return report


def report_file_open(*, actor, report: SecretaryReport):
    """Open a report's file for someone who may see the review (the caller checked); the
    download is audited."""
    handle = report.file.open("rb")
    audit(
        actor,
        "assessment.report.downloaded",
        report,
        org_path=report.org_path,
        changes={"review": report.review_id},
    )
    return handle


@transaction.atomic
def review_comment_set(*, actor, report: SecretaryReport, comment: str) -> SecretaryReport:
    """The review's comment (评议意见) on one secretary's report (managers)."""
    review = report.review
    _manage(actor, review.owner_path)
    comment = _text(comment, "review_comment", "评议意见", limit=5000)
    report = SecretaryReport.all_objects.select_for_update().get(pk=report.pk)
    if report.review_comment != comment:
        before = report.review_comment
        report.review_comment = comment
        report.save(update_fields=["review_comment"])
        audit(
            actor,
            "assessment.report.commented",
            report,
            org_path=review.owner_path,
            changes={"review_comment": [before, comment]},
        )
    report.review = review
    return report


@transaction.atomic
def comments_set(*, actor, review: SecretaryReview, comments: str) -> SecretaryReview:
    """The review's overall comments (评议总体意见)."""
    _manage(actor, review.owner_path)
    review = _locked(review)
    comments = _text(comments, "comments", "评议总体意见", limit=10000)
    if review.comments != comments:
        before = review.comments
        review.comments = comments
        review.save(update_fields=["comments"])
        audit(
            actor,
            "assessment.review.commented",
            review,
            org_path=review.owner_path,
            changes={"comments": [before, comments]},
        )
    return review


# ---------------------------------------------------------------------------------------------
# Voters


def users_of_orgs(orgs: list[Org]) -> list[User]:
    """Active accounts linked to a current member of these orgs' subtrees; accounts of the
    three separated administrators (三员分立) are left out: they cannot vote."""
    from django.db.models import Q

    if not orgs:
        return []
    q = Q()
    for org in orgs:
        q |= Q(member__org_path__startswith=org.path)
    separated = RoleGrant.objects.filter(role__in=SEPARATED_ROLES, revoked_at__isnull=True)
    return list(
        User.objects.filter(q, is_active=True, member__left_on__isnull=True)
        .exclude(pk__in=separated.values("user_id"))
        .select_related("member")
        .order_by("username")
    )


def _names(users: list[User]) -> str:
    shown = "、".join(u.username for u in users[:10])
    return shown + (f"等{len(users)}个账号" if len(users) > 10 else "")


def voter_refusals(owner_path: str, users: list[User]) -> list[str]:
    """Why some of these accounts cannot be voters of a review run by the org at `owner_path`
    (empty: all may). Refused: the three separated administrators (三员分立: system, security
    and audit administrators see no business data and take no part in it), and accounts that
    do not belong to the owner's subtree — neither a current grant on an org in it nor a
    current member record in it. Three queries whatever the number of accounts."""
    ids = [u.pk for u in users]
    if not ids:
        return []
    separated = set(
        RoleGrant.objects.filter(
            user_id__in=ids, role__in=SEPARATED_ROLES, revoked_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    granted = set(
        RoleGrant.objects.filter(
            subtree_q("org__path", owner_path),
            user_id__in=ids,
            revoked_at__isnull=True,
            org__dissolved_on__isnull=True,
        ).values_list("user_id", flat=True)
    )
    members = set(
        User.objects.filter(
            subtree_q("member__org_path", owner_path),
            pk__in=ids,
            member__left_on__isnull=True,
        ).values_list("pk", flat=True)
    )
    out = []
    refused = [u for u in users if u.pk in separated]
    if refused:
        out.append(
            f"系统管理员、安全管理员、审计员的账号（三员分立）不能作为投票人：{_names(refused)}。"
        )
    belong = granted | members
    outside = [u for u in users if u.pk not in separated and u.pk not in belong]
    if outside:
        out.append(f"该账号不属于本组织：{_names(outside)}。")
    return out


#: the one answer to any removal while the vote runs: it must not depend on whether that voter
#: has voted (or the manager would learn who voted, and with the counts, how)
VOTERS_OPEN_NO_REMOVAL = "投票已经开始，只能增加投票人，不能移出名单。"


@transaction.atomic
def voters_set(*, actor, review: SecretaryReview, users: list[User]) -> dict:
    """Make `users` the voters. Before the vote: the list is replaced. While it runs: voters
    may only be added — any removal is refused with one message, whoever it concerns, so the
    answer never tells whether someone has voted. Active accounts of the owner's subtree only,
    never one of the three separated administrators (`voter_refusals`)."""
    _manage(actor, review.owner_path)
    review = _locked(review)
    if review.status == ReviewStatus.CLOSED:
        raise AppError("投票已结束，不能修改投票人。")
    wanted = {u.pk: u for u in users}
    if len(wanted) > MAX_VOTERS:
        raise AppError(f"投票人最多{MAX_VOTERS}人。", field="voters")
    inactive = [u for u in wanted.values() if not u.is_active]
    if inactive:
        raise AppError(f"账号{inactive[0]}已停用，不能作为投票人。", field="voters")
    current = set(
        ReviewVoter.objects.unscoped().filter(review=review).values_list("user_id", flat=True)
    )
    removed = [uid for uid in current if uid not in wanted]
    if removed and review.status != ReviewStatus.DRAFT:
        raise AppError(VOTERS_OPEN_NO_REMOVAL, field="voters")
    added = [uid for uid in wanted if uid not in current]
    refusals = voter_refusals(review.owner_path, [wanted[uid] for uid in added])
    if refusals:
        raise AppError(refusals[0], field="voters", errors=[("voters", m) for m in refusals])
    if removed:
        ReviewVoter.objects.unscoped().filter(review=review, user_id__in=removed).delete()
    ReviewVoter.objects.bulk_create([ReviewVoter(review=review, user_id=uid) for uid in added])
    if added or removed:
        audit(
            actor,
            "assessment.review.voters_set",
            review,
            org_path=review.owner_path,
            changes={"added": sorted(added), "removed": sorted(removed), "total": len(wanted)},
        )
    return {"added": len(added), "removed": len(removed), "total": len(wanted)}


# ---------------------------------------------------------------------------------------------
# The vote


@transaction.atomic
def review_open(*, actor, review: SecretaryReview, now: dt.datetime | None = None):
    """Open the vote: the list of reports is fixed and each report's counters start at 0."""
    _manage(actor, review.owner_path)
    review = _locked(review)
    now = now or timezone.now()
    if review.status != ReviewStatus.DRAFT:
        raise AppError("投票已经开始或已结束。")
    report_ids = list(
        SecretaryReport.objects.unscoped().filter(review=review).values_list("pk", flat=True)
    )
    if not report_ids:
        raise AppError("请先添加述职书记。")
    if not ReviewVoter.objects.unscoped().filter(review=review).exists():
        raise AppError("请先确定投票人。")
    if review.closes_at is not None and review.closes_at <= now:
        raise AppError("投票截止时间已过，请先修改截止时间。", field="closes_at")
    BallotTally.objects.bulk_create(
        [BallotTally(report_id=rid, grade=g, count=0) for rid in report_ids for g in Grade.values],
        ignore_conflicts=True,
    )
    review.status = ReviewStatus.OPEN
    review.opened_at = now
    review.save(update_fields=["status", "opened_at"])
    audit(
        actor,
        "assessment.review.opened",
        review,
        org_path=review.owner_path,
        changes={"reports": len(report_ids), "closes_at": review.closes_at},
    )
    return review


@transaction.atomic
def review_close(*, actor, review: SecretaryReview, now: dt.datetime | None = None):
    """Close the vote; the results become visible to voters and secretaries."""
    _manage(actor, review.owner_path)
    review = _locked(review)
    if review.status != ReviewStatus.OPEN:
        raise AppError("投票尚未开始或已经结束。")
    review.status = ReviewStatus.CLOSED
    review.closed_at = now or timezone.now()
    review.save(update_fields=["status", "closed_at"])
    voted = ReviewVoter.objects.unscoped().filter(review=review, has_voted=True).count()
    audit(
        actor,
        "assessment.review.closed",
        review,
        org_path=review.owner_path,
        changes={"voted": voted},
    )
    return review


def _vote_state(review: SecretaryReview, now: dt.datetime) -> None:
    if review.status == ReviewStatus.DRAFT:
        raise AppError("投票尚未开始。")
    if review.status == ReviewStatus.CLOSED:
        raise AppError("投票已截止。")
    if review.closes_at is not None and review.closes_at <= now:
        raise AppError("投票已截止。")


@transaction.atomic
def ballot_cast(
    *, actor, review: SecretaryReview, grades: dict[int, str], now: dt.datetime | None = None
) -> None:
    """Cast the actor's one ballot: a grade (好/较好/一般/差) for every report of the review
    (R-ORG-17). Refused, with nothing written, when the vote is not open or past its closing
    time ("投票已截止"), when the actor is not a voter, when a grade is missing or unknown, and
    when the actor has voted ("您已投过票") — also when two of his ballots arrive at once."""
    if actor is None or not getattr(actor, "pk", None):
        raise deny()
    now = now or timezone.now()
    # no row lock on the review: ballots must not queue behind each other on PostgreSQL;
    # closing in the middle is harmless (the ballot was cast before the close committed)
    review = SecretaryReview.objects.unscoped().filter(pk=review.pk).first()
    if review is None:
        raise deny()
    _vote_state(review, now)
    voted = (
        ReviewVoter.objects.unscoped()
        .filter(review=review, user=actor)
        .values_list("has_voted", flat=True)
        .first()
    )
    if voted is None:
        raise AppError("您不是本次评议的投票人。")
    if voted:
        raise AppError("您已投过票。")
    report_ids = list(
        SecretaryReport.objects.unscoped()
        .filter(review=review)
        .order_by("order", "id")
        .values_list("pk", flat=True)
    )
    clean: dict[int, str] = {}
    given = {}
    for key, grade in (grades or {}).items():
        try:
            given[int(key)] = grade
        except (TypeError, ValueError):
            raise AppError("选票中有不属于本次评议的述职。") from None
    unknown = set(given) - set(report_ids)
    if unknown:
        raise AppError("选票中有不属于本次评议的述职。")
    errors = []
    for rid in report_ids:
        grade = given.get(rid)
        if not grade:
            errors.append((f"grade_{rid}", "请评定等次。"))
        elif grade not in Grade.values:
            errors.append((f"grade_{rid}", "等次只能是好、较好、一般或差。"))
        else:
            clean[rid] = grade
    if errors:
        raise AppError("请对每位述职书记评定等次（好、较好、一般、差）。", errors=errors)
    # one ballot per voter: exactly one row flips, or this voter has voted already
    flipped = (
        ReviewVoter.objects.unscoped()
        .filter(review=review, user=actor, has_voted=False)
        .update(has_voted=True)
    )
    if flipped != 1:
        raise AppError("您已投过票。")
    for rid, grade in clean.items():
        updated = (
            BallotTally.objects.unscoped()
            .filter(report_id=rid, grade=grade)
            .update(count=F("count") + 1)
        )
        if updated != 1:  # counters are made when the vote opens; a missing one now
            BallotTally.all_objects.get_or_create(report_id=rid, grade=grade)
            BallotTally.objects.unscoped().filter(report_id=rid, grade=grade).update(
                count=F("count") + 1
            )
    # the entry says that this voter voted in this review, and nothing of the choice
    audit(actor, "assessment.ballot.cast", review, org_path=review.owner_path)


# ---------------------------------------------------------------------------------------------
# Rectifications (整改清单)


@transaction.atomic
def rectification_add(
    *, actor, report: SecretaryReport, problem: str, due_on: dt.date, measure: str = ""
) -> Rectification:
    """An item the review asks a secretary to fix, with a deadline (managers)."""
    review = report.review
    _manage(actor, review.owner_path)
    problem = _text(problem, "problem", "问题", limit=2000, required=True)
    measure = _text(measure, "measure", "整改措施", limit=2000)
    if due_on is None:
        raise AppError("请填写整改时限。", field="due_on")
    item = Rectification.objects.create(
        report=report, problem=problem, measure=measure, due_on=due_on
    )
    audit(
        actor,
        "assessment.rectification.added",
        item,
        org_path=report.org_path,
        changes={"report": report.pk, "problem": problem, "due_on": due_on},
    )
    return item


@transaction.atomic
def rectification_done(
    *, actor, rectification: Rectification, note: str, done_on: dt.date | None = None
) -> Rectification:
    """Mark an item done with what was done (assess.submit on the report's org, or a
    manager)."""
    report = rectification.report
    review = report.review
    if actor is not None and not (
        can(actor, Cap.ASSESS_SUBMIT, report.org_path)
        or can(actor, Cap.ASSESS_MANAGE, review.owner_path)
    ):
        raise deny()
    item = Rectification.all_objects.select_for_update().get(pk=rectification.pk)
    if item.status == TaskStatus.DONE:
        raise AppError("该整改事项已经完成。")
    note = _text(note, "done_note", "整改情况", limit=5000, required=True)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise AppError("完成日期不能晚于今天。", field="done_on")
    item.status = TaskStatus.DONE
    item.done_on = done_on
    item.done_note = note
    item.save(update_fields=["status", "done_on", "done_note"])
    audit(
        actor,
        "assessment.rectification.done",
        item,
        org_path=report.org_path,
        changes={"done_on": done_on, "done_note": note},
    )
    item.report = report
    return item
