"""Pages of 发展党员: the board (candidates by stage, next deadlines, violations, approvals
waiting for the committee), a candidate's page (the five phases and their steps, findings with
their rule and citation, deadlines, a form per step), registering an application, correcting
or deleting a step and withdrawing a candidate (views_steps.py); documents, templates and the
export (views_docs.py). Thin: parse, access check, one service or selector.
See docs/recruitment.md."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.uploads import upload_limit
from dangjian.orgs.models import Org, OrgKind
from dangjian.orgs.selectors import access_org
from dangjian.recruitment import forms as f
from dangjian.recruitment import selectors as sel
from dangjian.recruitment import services
from dangjian.recruitment.models import CandidateStatus
from dangjian.rules.base import RULES
from dangjian.rules.recruitment_steps import STAGE_LABELS, STEP_BY_CODE, Stage, step_label

MANAGE = Cap.RECRUIT_MANAGE
#: the org picker of the board lists at most this many orgs (the tree has them all)
ORG_CHOICES_LIMIT = 300
FILTER_KINDS = (
    OrgKind.WORKING_COMMITTEE,
    OrgKind.PARTY_GROUP,
    OrgKind.ORGAN_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
)


def _done(request, url: str):
    """After a write: htmx is sent to `url` with HX-Redirect, a plain form is redirected."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def refuse_oversize(request, form, field: str, what: str) -> bool:
    """An upload the bounded upload handler stopped (core/uploads.py): request.FILES is empty
    and the POST fields after the file are lost, so nothing is recorded; the form, as far as
    it arrived, gets the size error at `field` (a non-field error where it has no such
    field). True when the upload was refused."""
    if not getattr(request, "upload_too_large", 0):
        return False
    form.full_clean()
    form.errors.clear()  # fields lost with the rest of the body would be "missing"
    limit = upload_limit() / (1024 * 1024)
    message = f"{what}超过了{limit:.1f} MB的上传上限，未上传，也未保存。请压缩后重新上传。"
    form.add_error(field if field in form.fields else None, message)
    return True


def _candidate_url(candidate) -> str:
    return reverse("recruitment:candidate", args=[candidate.pk])


def finding_rows(findings) -> list[dict]:
    """Findings as the pages show them: level, rule id and its citation, message, step."""
    rows = []
    for finding in findings:
        rule = RULES.get(finding.rule_id)
        rows.append(
            {
                "level": str(finding.level),
                "rule_id": finding.rule_id,
                "citation": rule.citation if rule else "",
                "title": rule.title if rule else "",
                "message": finding.message,
                "step": step_label(finding.field) if finding.field in STEP_BY_CODE else "",
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Board


def _filter_orgs(user, current: Org | None = None) -> list[tuple[int, str]]:
    """The board's org picker: the first ORG_CHOICES_LIMIT orgs the user manages, and the
    chosen one where it is not among them (else nothing is selected and the next 筛选 jumps
    to another org)."""
    orgs = list(
        Org.objects.visible_to(user, MANAGE)
        .filter(dissolved_on__isnull=True, kind__in=FILTER_KINDS)
        .order_by("path")[:ORG_CHOICES_LIMIT]
    )
    if current is not None and all(o.pk != current.pk for o in orgs):
        orgs = sorted([*orgs, current], key=lambda o: o.path)
    return [(o.pk, f.org_label(o)) for o in orgs]


@require_GET
def board(request):
    """发展党员看板: the active candidates of the chosen org by stage (columns on a wide screen,
    sections on a phone), each with the next step, its deadline and days left, and the
    error/warning counts; the steps waiting for the user's approval above. The filters (name,
    due within 14 days, with errors) are applied by the selector, in SQL, before the cap per
    stage."""
    user = request.user
    if not has_cap_anywhere(user, MANAGE):
        raise deny()
    today = timezone.localdate()
    g = request.GET
    org = access_org(user, g["org"], need=MANAGE) if g.get("org") else None
    filters = f.BoardFilterForm(g)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {})
    stage = data.get("stage") or ""
    due, errors, q = bool(data.get("due")), bool(data.get("errors")), data.get("q") or ""
    result = sel.board(user, org, today, stage=stage or None, q=q, due=due, errors=errors)
    columns = [
        {"column": column, "cards": column.cards, "filtered": result.filtered}
        for column in result.columns
    ]
    pending = sel.approvals_pending_for(user, today)
    branch = org if org is not None and org.kind == OrgKind.BRANCH else None
    return render(
        request,
        "recruitment/board.html",
        {
            "org": org,
            "orgs": _filter_orgs(user, org),
            "board": result,
            "columns": columns,
            "stages": [(s.value, STAGE_LABELS[s]) for s in Stage if s != Stage.FULL],
            "params": {"stage": stage, "due": due, "errors": errors, "q": q},
            "pending": pending[:50],
            "pending_total": len(pending),
            "today": today,
            "branch": branch,
            "can_create": sel.branch_choices(user).exists(),
            "can_templates": has_cap_anywhere(user, Cap.RECRUIT_APPROVE),
        },
    )


# ---------------------------------------------------------------------------------------------
# A candidate


#: optional branch decisions a 预备党员's file may take at any time (R-DEV-21)
DECISIONS = ("extension", "cancellation")


def _recordable(user, candidate, timeline) -> set[str]:
    """The steps the user may record now on this candidate: not yet taken (or repeatable, or
    due again: the 党组's second review, R-ORG-14; a refused approval may be recorded again),
    applicable, and his to take (the branch's or, above it, the committee's). A converted
    member's file still takes the archiving (R-DEV-24)."""
    converted = candidate.status == CandidateStatus.CONVERTED
    if candidate.status != CandidateStatus.ACTIVE and not converted:
        return set()
    out = set()
    for phase in timeline.phases:
        for row in phase.rows:
            step = row.step
            if converted and step.code not in sel.AFTER_CONVERSION:
                continue
            if row.state == sel.StepState.DONE and not step.repeatable:
                continue
            if row.state == sel.StepState.NOT_APPLICABLE and not (
                step.code in DECISIONS and candidate.stage == Stage.PROBATIONARY
            ):
                continue
            if sel.may_record(user, candidate, step):
                out.add(step.code)
    return out


def _correctable(user, candidate, timeline) -> set[int]:
    """The recorded steps the user may correct or delete: those he could record (a branch
    secretary not the committee's or the 党组's, R-DEV-12/17/22, R-ORG-14), on an active file
    or one closed by a refused approval. step_correct / step_delete check the same."""
    if candidate.status != CandidateStatus.ACTIVE and not _reopenable(timeline):
        return set()
    out = set()
    for phase in timeline.phases:
        for row in phase.rows:
            for e in row.events:
                step = STEP_BY_CODE.get(e.step)
                if step is not None and sel.may_record(user, candidate, step):
                    out.add(e.pk)
    return out


def _reopenable(timeline) -> bool:
    """A file closed by a refused approval (step 17): that record may still be corrected or
    deleted (deleting it reopens the file)."""
    return any(
        e.step == "approval" and e.passed is False
        for phase in timeline.phases
        for row in phase.rows
        for e in row.events
    )


@require_GET
def candidate(request, candidate_id):
    user = request.user
    c = sel.access_candidate(user, candidate_id)
    today = timezone.localdate()
    timeline = sel.timeline(c, today)
    recordable = _recordable(user, c, timeline)
    deadlines = [
        {"deadline": d, "days_left": (d.due_on - today).days, "step": step_label(d.step)}
        for d in timeline.deadlines
    ]
    return render(
        request,
        "recruitment/candidate.html",
        {
            "candidate": c,
            "org": c.branch,
            "timeline": timeline,
            "stage_label": STAGE_LABELS.get(timeline.stage, ""),
            "errors": finding_rows(timeline.errors),
            "warnings": finding_rows(timeline.warnings),
            "infos": finding_rows(
                [x for x in timeline.findings if str(x.level) not in ("error", "warning")]
            ),
            "deadlines": deadlines,
            "recordable": recordable,
            "can_manage": can(user, MANAGE, c.org_path),
            "correctable": _correctable(user, c, timeline),
            "documents": f.DOCUMENT_KINDS,
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
def candidate_create(request):
    """登记入党申请: a new candidate with the day his application was received."""
    user = request.user
    branches = list(sel.branch_choices(user))
    if not branches:
        raise deny()
    by_id = {b.pk: b for b in branches}
    if request.method == "POST":
        form = f.CandidateForm(request.POST, branches=branches)
        if form.is_valid():
            data = form.cleaned_data
            if data["branch"] is None:
                form.add_error("branch", "请选择党支部。")
            else:
                created = call_service(
                    form,
                    services.candidate_create,
                    actor=user,
                    branch=by_id[data["branch"]],
                    name=data["name"],
                    sex=data["sex"],
                    birth_date=data["birth_date"],
                    application_on=data["application_on"],
                    ethnicity=data["ethnicity"] or "01",
                    education=data["education"],
                    unit_post=data["unit_post"],
                    leaving_on=data["leaving_on"],
                    note=data["note"],
                )
                if created is not None:
                    messages.success(request, f"已登记{created.name}的入党申请。")
                    return redirect(_candidate_url(created))
        status = 400
    else:
        chosen = request.GET.get("branch", "")
        number = int(chosen) if chosen.isascii() and chosen.isdigit() else None  # not "²"
        initial = {"branch": number if number in by_id else None}
        if initial["branch"] is None and len(branches) == 1:
            initial["branch"] = branches[0].pk
        form = f.CandidateForm(initial={**initial, "ethnicity": "01"}, branches=branches)
        status = 200
    return render(request, "recruitment/candidate_form.html", {"form": form}, status=status)
