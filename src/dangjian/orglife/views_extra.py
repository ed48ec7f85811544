"""Pages of votes (表决), attachments, 民主评议 and 谈心谈话. The meeting pages reach them from
the detail page (its sections come from `templatetags/orglife_extra.py`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.orglife import forms_extra as fx
from dangjian.orglife import (
    selectors,
    services_appraisal,
    services_attachments,
    services_talks,
    services_votes,
)
from dangjian.orglife.forms import first_error
from dangjian.orglife.models import MeetingAttachment, MeetingStatus
from dangjian.orgs.models import OrgKind
from dangjian.orgs.selectors import access_org
from dangjian.rules.orglife import MeetingKind


def _valid(form):
    if not form.is_valid():
        raise first_error(form)
    return form.cleaned_data


# --- votes ------------------------------------------------------------------------------------


@require_POST
def vote_record(request, meeting_id):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    data = _valid(fx.VoteForm(request.POST))
    vote = services_votes.vote_record(actor=request.user, meeting=meeting, **data)
    messages.success(
        request, f"表决结果已登记并写入会议记录：{'通过' if vote.passed else '未通过'}。"
    )
    return redirect("orglife:detail", meeting_id=meeting.pk)


# --- attachments ------------------------------------------------------------------------------


def _attachment(meeting, attachment_id) -> MeetingAttachment:
    attachment_id = selectors._int(attachment_id)
    found = (
        MeetingAttachment.objects.unscoped().filter(pk=attachment_id, meeting=meeting).first()
        if attachment_id is not None
        else None
    )
    if found is None:
        raise deny()
    found.meeting = meeting
    return found


@require_http_methods(["GET", "POST"])
def attachments(request, meeting_id):
    """The attachments of a meeting; with member.manage, the upload form."""
    meeting = selectors.access_meeting(request.user, meeting_id)
    can_manage = can(request.user, Cap.MEMBER_MANAGE, meeting.org_path)
    form = fx.AttachmentForm()
    if request.method == "POST":
        if not can_manage:
            raise deny()
        request.FILES  # noqa: B018 (parse now: core.uploads bounds what is read)
        too_large = getattr(request, "upload_too_large", 0)
        form = fx.AttachmentForm({}, {} if too_large else request.FILES)
        if too_large:
            form.full_clean()
            form.errors.clear()
            form.add_error("file", services_attachments.too_large_message(too_large))
        elif form.is_valid():
            done = call_service(
                form,
                services_attachments.attachment_add,
                actor=request.user,
                meeting=meeting,
                uploaded_file=form.cleaned_data["file"],
            )
            if done is not None:
                messages.success(request, f"附件“{done.original_name}”已上传。")
                return redirect("orglife:attachments", meeting_id=meeting.pk)
    return render(
        request,
        "orglife/attachments.html",
        {
            "meeting": meeting,
            "org": meeting.org,
            "attachments": services_attachments.attachments_of(meeting),
            "can_manage": can_manage,
            "can_upload": can_manage and meeting.status != MeetingStatus.ARCHIVED,
            "form": form,
            "max_size": services_attachments.megabytes(services_attachments.max_bytes()),
        },
    )


@require_GET
def attachment_download(request, meeting_id, attachment_id):
    meeting = selectors.access_meeting(request.user, meeting_id)
    attachment = _attachment(meeting, attachment_id)
    try:
        handle = services_attachments.attachment_open(actor=request.user, attachment=attachment)
    except FileNotFoundError:
        raise deny() from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def attachment_remove(request, meeting_id, attachment_id):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    attachment = _attachment(meeting, attachment_id)
    services_attachments.attachment_remove(actor=request.user, attachment=attachment)
    messages.success(request, "附件已删除。")
    return redirect("orglife:attachments", meeting_id=meeting.pk)


# --- 民主评议 -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def appraisal(request, meeting_id):
    meeting = selectors.access_meeting(request.user, meeting_id)
    if meeting.kind != MeetingKind.MEMBER_APPRAISAL:
        raise deny()
    can_manage = can(request.user, Cap.MEMBER_MANAGE, meeting.org_path)
    can_grade = can_manage and meeting.status == MeetingStatus.HELD
    rated, not_rated = services_appraisal.participants(meeting)
    existing = services_appraisal.grades_of(meeting)
    initial = {}
    for member_id, grade in existing.items():
        initial[f"grade_{member_id}"] = grade.grade
        initial[f"note_{member_id}"] = grade.note
    form = fx.AppraisalForm(
        request.POST if request.method == "POST" else None, initial=initial, members=rated
    )
    if request.method == "POST":
        if not can_grade:
            raise deny()
        if form.is_valid():
            found = call_service(
                form,
                services_appraisal.appraisal_record,
                actor=request.user,
                meeting=meeting,
                grades=form.grades(),
            )
            if found is not None:
                messages.success(request, "评议等次已保存。")
                for finding in found:
                    messages.warning(request, finding.message)
                return redirect("orglife:appraisal", meeting_id=meeting.pk)
    return render(
        request,
        "orglife/appraisal.html",
        {
            "meeting": meeting,
            "org": meeting.org,
            "form": form,
            "rows": [(m, g, n, existing.get(m.pk)) for m, g, n in form.rows()],
            "grades": existing,
            "not_rated": not_rated,
            "findings": services_appraisal.findings_of(meeting),
            "summary": services_appraisal.summary_of(meeting),
            "can_grade": can_grade,
        },
    )


# --- 谈心谈话 -----------------------------------------------------------------------------------


def _talk_year(request) -> int:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except (TypeError, ValueError):
        return this_year
    return year if 1921 <= year <= this_year else this_year


def _branch(request, org_id, need=Cap.MEMBER_VIEW):
    org = access_org(request.user, org_id, need=need)
    if org.kind != OrgKind.BRANCH:
        raise deny()
    return org


@require_http_methods(["GET", "POST"])
def talks(request, org_id):
    """The branch's talks of a year; with member.manage, the form to record one."""
    org = _branch(request, org_id)
    can_manage = can(request.user, Cap.MEMBER_MANAGE, org.path)
    year = _talk_year(request)
    today = timezone.localdate()
    people = services_talks.talk_people(org, today)
    form = fx.TalkForm(
        request.POST if request.method == "POST" else None,
        initial={"talked_on": today},
        members=people,
    )
    if request.method == "POST":
        if not can_manage:
            raise deny()
        if form.is_valid():
            data = form.cleaned_data
            # the service checks the people again on the day of the talk
            on_day = {m.pk: m for m in services_talks.talk_people(org, data["talked_on"])}
            by_id = {m.pk: m for m in people} | on_day
            talk = call_service(
                form,
                services_talks.talk_record,
                actor=request.user,
                org=org,
                talked_on=data["talked_on"],
                initiator=by_id.get(data["initiator"]),
                partner=by_id.get(data["partner"]),
                topic=data["topic"],
                note=data["note"],
            )
            if talk is not None:
                messages.success(request, "谈心谈话已登记。")
                return redirect(
                    f"{reverse('orglife:talks', kwargs={'org_id': org.pk})}"
                    f"?year={talk.talked_on.year}"
                )
    return render(
        request,
        "orglife/talks.html",
        {
            "org": org,
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "talks": services_talks.talks_of(org, year),
            "form": form,
            "can_manage": can_manage,
        },
    )


@require_GET
def talk_coverage(request, org_id):
    org = _branch(request, org_id)
    year = _talk_year(request)
    today = timezone.localdate()
    return render(
        request,
        "orglife/talk_coverage.html",
        {
            "org": org,
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "coverage": services_talks.coverage(org, year, today),
        },
    )
