"""Pages of 述职评议 (R-ORG-17): the list, create and edit, the detail page (reports, the
number of voters and of ballots cast — never who voted what — results per report once the
vote has closed, to managers too; comments), the voter list, the phone ballot page, a
report's page (the secretary submits it there; other secretaries cannot open it), and the
rectification list tracked to completion."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.accounts.models import User
from dangjian.assessment import exporters_contest
from dangjian.assessment import selectors_review as sel
from dangjian.assessment import services_review as services
from dangjian.assessment.forms_contest import (
    BallotForm,
    CommentForm,
    CommentsForm,
    RectificationDoneForm,
    RectificationForm,
    ReportAddForm,
    ReportSubmitForm,
    ReviewForm,
    VotersForm,
)
from dangjian.assessment.models import ReviewStatus, SecretaryContest, TaskStatus
from dangjian.core.access import deny, has_cap_anywhere, subtree_q
from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.orglife.services_attachments import max_bytes, megabytes, too_large_message
from dangjian.orgs.models import Org, OrgKind
from dangjian.orgs.selectors import access_org
from dangjian.responsibility.selectors_duties import lists_for_report

PAGE_SIZE = 20
REPORT_KINDS = (
    OrgKind.PARTY_GROUP,
    OrgKind.ORGAN_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
)
MAX_ORGS = 1000


def _first_error(form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}：{errors[0]}" if label else errors[0]
    return "请求数据有误。"


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


def _may_list(user) -> bool:
    return (
        has_cap_anywhere(user, Cap.ASSESS_MANAGE)
        or has_cap_anywhere(user, Cap.ASSESS_SUBMIT)
        or bool(sel.open_reviews_for(user))
        or sel.review_list(user).exists()
    )


@require_GET
def review_list(request):
    user = request.user
    if not _may_list(user):
        raise deny()
    year = _year(request.GET.get("year"))
    page = Paginator(sel.review_list(user, year=year), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/review/list.html",
        {
            "page": page,
            "year": year or "",
            "open_to_me": sel.open_reviews_for(user),
            "can_create": has_cap_anywhere(user, Cap.ASSESS_MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
def review_create(request):
    if not has_cap_anywhere(request.user, Cap.ASSESS_MANAGE):
        raise deny()
    form = ReviewForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = access_org(request.user, data["owner"], need=Cap.ASSESS_MANAGE)
        contest = None
        if data.get("contest"):
            contest = SecretaryContest.objects.unscoped().filter(pk=data["contest"]).first()
        review = call_service(
            form,
            services.review_create,
            actor=request.user,
            owner=owner,
            year=data["year"],
            title=data["title"],
            held_on=data.get("held_on"),
            closes_at=data.get("closes_at"),
            contest=contest,
        )
        if review is not None:
            messages.success(request, "述职评议已创建，请添加述职书记和投票人。")
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "assessment/review/form.html", {"form": form, "review": None})


@require_http_methods(["GET", "POST"])
def review_edit(request, pk):
    review = sel.access_review(request.user, pk, manage=True)
    form = ReviewForm(request.POST or None, user=request.user, review=review)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.review_update,
            actor=request.user,
            review=review,
            title=data["title"],
            held_on=data.get("held_on"),
            closes_at=data.get("closes_at"),
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("reviews:detail", pk=review.pk)
    return render(request, "assessment/review/form.html", {"form": form, "review": review})


def _report_orgs(review) -> list[Org]:
    return list(
        Org.objects.unscoped()
        .filter(subtree_q("path", review.owner_path))
        .exclude(pk=review.owner_id)
        .filter(kind__in=REPORT_KINDS, dissolved_on__isnull=True)
        .order_by("path")[:MAX_ORGS]
    )


@require_GET
def review_detail(request, pk):
    user = request.user
    review = sel.access_review(user, pk)
    can_manage = sel.can_manage_review(user, review)
    reports = sel.reports_of(review)
    voter = sel.my_voter(user, review)
    own = {r.pk for r in sel.own_reports(user, review)}
    context = {
        "review": review,
        "reports": reports,
        "can_manage": can_manage,
        "counts": sel.voter_counts(review),
        "voter": voter,
        "own_reports": own,
        # managers and voters open every report; a secretary only his own
        "readable": {r.pk for r in reports} if can_manage or voter is not None else own,
        "results": sel.results_of(review, reports) if sel.can_see_results(user, review) else None,
        "vote_open": review.status == ReviewStatus.OPEN
        and (review.closes_at is None or review.closes_at > timezone.now()),
    }
    if can_manage:
        context["add_form"] = ReportAddForm(orgs=_report_orgs(review))
        context["comments_form"] = CommentsForm(initial={"comments": review.comments})
    return render(request, "assessment/review/detail.html", context)


@require_POST
def report_add(request, pk):
    review = sel.access_review(request.user, pk, manage=True)
    orgs = {o.pk: o for o in _report_orgs(review)}
    form = ReportAddForm(request.POST, orgs=orgs.values())
    if not form.is_valid():
        raise AppError(_first_error(form))
    report = services.report_add(
        actor=request.user,
        review=review,
        org=orgs[form.cleaned_data["org"]],
        secretary_name=form.cleaned_data.get("secretary_name", ""),
    )
    messages.success(request, f"已添加述职：{report.secretary_name}（{report.org.name}）。")
    return redirect("reviews:detail", pk=review.pk)


@require_POST
def report_remove(request, pk, report_id):
    review = sel.access_review(request.user, pk, manage=True)
    report = sel.access_report(request.user, review, report_id)
    services.report_remove(actor=request.user, report=report)
    messages.success(request, "已移出述职名单。")
    return redirect("reviews:detail", pk=review.pk)


@require_http_methods(["GET", "POST"])
def report_page(request, pk, report_id):
    """A report: its text and file; the secretary (or a manager) submits it here; managers
    write the review's comment on it."""
    user = request.user
    review = sel.access_review(user, pk)
    report = sel.access_report(user, review, report_id)
    can_submit = sel.can_submit_report(user, report) and review.status != ReviewStatus.CLOSED
    form = ReportSubmitForm(initial={"report": report.report})
    status = 200
    if request.method == "POST":
        if not can_submit:
            raise deny()
        request.FILES  # noqa: B018 (parse now: core.uploads bounds what is read)
        too_large = getattr(request, "upload_too_large", 0)
        form = ReportSubmitForm(request.POST, {} if too_large else request.FILES)
        if too_large:
            form.full_clean()
            form.add_error("file", too_large_message(too_large))
        elif form.is_valid():
            done = call_service(
                form,
                services.report_submit,
                actor=user,
                report=report,
                text=form.cleaned_data.get("report", ""),
                uploaded_file=form.cleaned_data.get("file"),
            )
            if done is not None:
                messages.success(request, "述职报告已提交。")
                return redirect("reviews:report", pk=review.pk, report_id=report.pk)
        status = 400
    can_manage = sel.can_manage_review(user, review)
    return render(
        request,
        "assessment/review/report.html",
        {
            "review": review,
            "report": report,
            "form": form,
            "can_submit": can_submit,
            "can_manage": can_manage,
            "show_comment": sel.can_read_comment(user, report),
            "comment_form": CommentForm(initial={"review_comment": report.review_comment}),
            "max_size": megabytes(max_bytes()),
            # the unit's 主体责任 and 第一责任人 lists of the year, with each item's progress
            # (R-ORG-12): the 述职 reports on them
            "duty_rollup": lists_for_report(report.org, review.year),
        },
        status=status,
    )


@require_GET
def report_file(request, pk, report_id):
    review = sel.access_review(request.user, pk)
    report = sel.access_report(request.user, review, report_id)
    if not report.file:
        raise deny()
    try:
        handle = services.report_file_open(actor=request.user, report=report)
    except FileNotFoundError:
        raise deny() from None
    ext = report.file.name.rsplit(".", 1)[-1].lower()
    content_type = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }.get(ext, "application/octet-stream")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"述职报告-{report.secretary_name}.{ext}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def report_comment(request, pk, report_id):
    review = sel.access_review(request.user, pk, manage=True)
    report = sel.access_report(request.user, review, report_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise AppError(_first_error(form))
    services.review_comment_set(
        actor=request.user, report=report, comment=form.cleaned_data["review_comment"]
    )
    messages.success(request, "评议意见已保存。")
    return redirect("reviews:report", pk=review.pk, report_id=report.pk)


@require_POST
def review_comments(request, pk):
    review = sel.access_review(request.user, pk, manage=True)
    form = CommentsForm(request.POST)
    if not form.is_valid():
        raise AppError(_first_error(form))
    services.comments_set(actor=request.user, review=review, comments=form.cleaned_data["comments"])
    messages.success(request, "评议总体意见已保存。")
    return redirect("reviews:detail", pk=review.pk)


def _usernames(text: str) -> tuple[list[User], list[str]]:
    names = [n.strip() for n in (text or "").splitlines() if n.strip()]
    found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    return [found[n] for n in names if n in found], [n for n in names if n not in found]


@require_http_methods(["GET", "POST"])
def review_voters(request, pk):
    """The voter list (names only; whether each voted is not shown here either) and, for a
    manager, choosing voters from the accounts of the members of some orgs."""
    review = sel.access_review(request.user, pk, manage=True)
    orgs = _report_orgs(review)
    owner = review.owner
    choices = [owner, *orgs]
    by_id = {o.pk: o for o in choices}
    form = VotersForm(request.POST or None, orgs=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            picked = [by_id[i] for i in form.cleaned_data["orgs"]]
            users = services.users_of_orgs(picked)
            extra, unknown = _usernames(form.cleaned_data.get("usernames", ""))
            existing = [v.user for v in sel.voters_of(review)]
            current = {u.pk for u in existing}
            refusals = services.voter_refusals(
                review.owner_path, [u for u in extra if u.pk not in current]
            )
            if unknown:
                form.add_error("usernames", f"找不到可用的账号：{'、'.join(unknown[:10])}")
            elif refusals:
                for message in refusals:
                    form.add_error("usernames", message)
            else:
                # while the vote runs the list only grows (the service refuses any removal)
                if request.POST.get("mode") == "add" or review.status != ReviewStatus.DRAFT:
                    users = existing + users
                users = list({u.pk: u for u in [*users, *extra]}.values())
                done = call_service(
                    form, services.voters_set, actor=request.user, review=review, users=users
                )
                if done is not None:
                    messages.success(
                        request,
                        f"投票人已确定：共{done['total']}人（新增{done['added']}人，"
                        f"移出{done['removed']}人）。",
                    )
                    return redirect("reviews:voters", pk=review.pk)
        status = 400
    return render(
        request,
        "assessment/review/voters.html",
        {
            "review": review,
            "form": form,
            "voters": sel.voters_of(review),
            "counts": sel.voter_counts(review),
            "editable": review.status != ReviewStatus.CLOSED,
        },
        status=status,
    )


@require_POST
def review_open(request, pk):
    review = sel.access_review(request.user, pk, manage=True)
    services.review_open(actor=request.user, review=review)
    messages.success(request, "投票已开始。投票人可在手机上打开“投票”页面投票。")
    return redirect("reviews:detail", pk=review.pk)


@require_POST
def review_close(request, pk):
    review = sel.access_review(request.user, pk, manage=True)
    services.review_close(actor=request.user, review=review)
    messages.success(request, "投票已结束，结果已向投票人和述职书记公开。")
    return redirect("reviews:detail", pk=review.pk)


@require_http_methods(["GET", "POST"])
def ballot(request, pk):
    """The phone ballot page: one big radio group per secretary, all required."""
    user = request.user
    review = sel.access_review(user, pk)
    voter = sel.my_voter(user, review)
    if voter is None:
        raise deny()
    reports = sel.reports_of(review)
    form = BallotForm(request.POST or None, reports=reports)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.ballot_cast(actor=user, review=review, grades=form.grades())
            except AppError as exc:
                for field, message in exc.errors:
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, "投票成功，谢谢！您的选择不与您的账号关联保存。")
                return redirect("reviews:detail", pk=review.pk)
        status = 400
    closed = review.status == ReviewStatus.CLOSED or (
        review.closes_at is not None and review.closes_at <= timezone.now()
    )
    return render(
        request,
        "assessment/review/ballot.html",
        {
            "review": review,
            "form": form,
            "rows": form.rows(),
            "has_voted": sel.my_voter(user, review).has_voted,
            "not_open": review.status == ReviewStatus.DRAFT,
            "closed": closed,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def rectifications(request, pk):
    user = request.user
    review = sel.access_review(user, pk)
    can_manage = sel.can_manage_review(user, review)
    items = sel.rectifications_of(user, review)
    if not can_manage and not items and not sel.own_reports(user, review):
        raise deny()
    reports = sel.reports_of(review) if can_manage else []
    form = RectificationForm(request.POST or None, reports=reports)
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise deny()
        if form.is_valid():
            report = next(r for r in reports if r.pk == form.cleaned_data["report"])
            report.review = review
            done = call_service(
                form,
                services.rectification_add,
                actor=user,
                report=report,
                problem=form.cleaned_data["problem"],
                measure=form.cleaned_data.get("measure", ""),
                due_on=form.cleaned_data["due_on"],
            )
            if done is not None:
                messages.success(request, "整改事项已添加。")
                return redirect("reviews:rectifications", pk=review.pk)
        status = 400
    done_count, total = sel.rectification_progress(items)
    today = timezone.localdate()
    return render(
        request,
        "assessment/review/rectifications.html",
        {
            "review": review,
            "items": items,
            "form": form,
            "can_manage": can_manage,
            "done_count": done_count,
            "total": total,
            "today": today,
            "done_form": RectificationDoneForm(),
            "DONE": TaskStatus.DONE,
        },
        status=status,
    )


@require_POST
def rectification_done(request, pk, item_id):
    review = sel.access_review(request.user, pk)
    item = sel.access_rectification(request.user, review, item_id)
    form = RectificationDoneForm(request.POST)
    if not form.is_valid():
        raise AppError(_first_error(form))
    services.rectification_done(
        actor=request.user,
        rectification=item,
        note=form.cleaned_data["done_note"],
        done_on=form.cleaned_data.get("done_on"),
    )
    messages.success(request, "已标记整改完成。")
    return redirect("reviews:rectifications", pk=review.pk)


@require_GET
def review_export(request, pk):
    review = sel.access_review(request.user, pk)
    if not sel.can_see_results(request.user, review):
        raise deny()
    outcome = export_start(
        actor=request.user,
        identifier=exporters_contest.ReviewResultsExporter.identifier,
        params={"review": review.pk},
        fmt="xlsx",
    )
    return outcome_response(outcome)
