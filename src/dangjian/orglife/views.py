"""Pages of organisational life: the meeting list, plan, detail (roster, counts, sign-in code
and QR code), record, archive, correct; make-up study and resolutions from the detail page;
the phone sign-in page."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.orglife import forms as f
from dangjian.orglife import selectors, services
from dangjian.orglife.models import (
    KIND_CHOICES,
    AttendanceStatus,
    MeetingStatus,
)
from dangjian.orgs.models import OrgKind
from dangjian.orgs.selectors import access_org

PAGE_SIZE = 20
KINDS = dict(KIND_CHOICES)


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 1921 <= year <= 2200 else None


@require_GET
def meeting_list(request):
    if not has_cap_anywhere(request.user, Cap.MEMBER_VIEW):
        raise deny()
    org = None
    if request.GET.get("org"):
        org = access_org(request.user, request.GET["org"], need=Cap.MEMBER_VIEW)
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    status = request.GET.get("status", "")
    status = status if status in MeetingStatus.values else ""
    year = _year(request.GET.get("year"))
    meetings = selectors.meeting_list(request.user, org=org, kind=kind, status=status, year=year)
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.attendance_counts(list(page.object_list))
    can_plan = (
        org is not None
        and org.kind in (OrgKind.BRANCH, OrgKind.GROUP)
        and can(request.user, Cap.MEMBER_MANAGE, org.path)
    )
    this_year = timezone.localdate().year
    return render(
        request,
        "orglife/list.html",
        {
            "page": page,
            "rows": [(m, counts[m.pk]) for m in page.object_list],
            "org": org,
            "params": {"kind": kind, "status": status, "year": year or ""},
            "kinds": KIND_CHOICES,
            "statuses": MeetingStatus.choices,
            "years": list(range(this_year + 1, this_year - 6, -1)),
            "can_plan": can_plan,
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_plan(request, org_id):
    org = access_org(request.user, org_id, need=Cap.MEMBER_MANAGE)
    members = selectors.branch_members(org, timezone.localdate())
    by_id = {m.pk: m for m in members}
    form = f.MeetingPlanForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = call_service(
            form,
            services.meeting_plan,
            actor=request.user,
            org=org,
            kind=data["kind"],
            topic=data["topic"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            agenda=data["agenda"],
            **f.people_from(data, by_id, ("convener", "chair", "chair_delegated_by", "recorder")),
        )
        if meeting is not None:
            messages.success(request, "会议已安排，应到人员已按组织生成。")
            return redirect("orglife:detail", meeting_id=meeting.pk)
    return render(request, "orglife/plan.html", {"form": form, "org": org})


def _qr_svg(url: str) -> str:
    # segno writes presentation attributes only (no style=), so the strict CSP holds
    return segno.make(url, error="m").svg_inline(scale=5, dark="#000", omitsize=False)


@require_GET
def meeting_detail(request, meeting_id):
    meeting = selectors.access_meeting(request.user, meeting_id)
    rows = selectors.attendance_of(meeting)
    counts = selectors.attendance_counts([meeting])[meeting.pk]
    can_manage = can(request.user, Cap.MEMBER_MANAGE, meeting.org_path)
    sign_in_url = request.build_absolute_uri(
        reverse("orglife:sign_in_code", kwargs={"code": meeting.sign_in_code})
    )
    roster = [r.member for r in rows]
    makeup_candidates = [
        r.member for r in rows if r.status in (AttendanceStatus.ABSENT, AttendanceStatus.LEAVE)
    ]
    return render(
        request,
        "orglife/detail.html",
        {
            "meeting": meeting,
            "org": meeting.org,
            "rows": rows,
            "counts": counts,
            "makeups": selectors.makeups_of(meeting),
            "resolutions": selectors.resolutions_of(meeting),
            "corrections": selectors.corrections_of(meeting),
            "can_manage": can_manage,
            "sign_in_url": sign_in_url,
            "qr_svg": _qr_svg(sign_in_url) if meeting.status != MeetingStatus.ARCHIVED else "",
            "makeup_form": f.MakeUpForm(members=makeup_candidates),
            "resolution_form": f.ResolutionForm(members=roster),
            "note_form": f.NoteForm(),
            "close_form": f.ResolutionCloseForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_record(request, meeting_id):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    if meeting.status == MeetingStatus.ARCHIVED:
        messages.error(request, "会议已归档，不能直接修改；如需改正，请办理更正。")
        return redirect("orglife:correct", meeting_id=meeting.pk)
    rows = selectors.attendance_of(meeting)
    on_roster = {r.member_id for r in rows}
    candidates = [
        m
        for m in selectors.branch_members(meeting.org, timezone.localdate())
        if m.pk not in on_roster
    ]
    initial = {
        "minutes": meeting.minutes,
        "chair": meeting.chair_id,
        "chair_delegated_by": meeting.chair_delegated_by_id,
        "recorder": meeting.recorder_id,
    }
    for r in rows:
        if r.status != AttendanceStatus.EXPECTED:
            initial[f"status_{r.member_id}"] = r.status
            initial[f"reason_{r.member_id}"] = r.reason
    form = f.RecordForm(request.POST or None, initial=initial, rows=rows, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {r.member_id: r.member for r in rows}
        done = call_service(
            form,
            services.meeting_record,
            actor=request.user,
            meeting=meeting,
            attendance=form.attendance(),
            minutes=data["minutes"],
            added=form.added(),
            **f.people_from(data, by_id, ("chair", "chair_delegated_by", "recorder")),
        )
        if done is not None:
            messages.success(request, "会议召开情况已登记。")
            return redirect("orglife:detail", meeting_id=meeting.pk)
    return render(request, "orglife/record.html", {"form": form, "meeting": meeting})


@require_POST
def meeting_archive(request, meeting_id):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    services.meeting_archive(actor=request.user, meeting=meeting)
    messages.success(request, "会议已归档；此后修改须办理更正。")
    return redirect("orglife:detail", meeting_id=meeting.pk)


@require_http_methods(["GET", "POST"])
def meeting_correct(request, meeting_id):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    if meeting.status != MeetingStatus.ARCHIVED:
        messages.info(request, "会议尚未归档，可直接修改登记内容。")
        return redirect("orglife:record", meeting_id=meeting.pk)
    rows = selectors.attendance_of(meeting)
    by_id = {r.member_id: r.member for r in rows}
    initial = {
        "topic": meeting.topic,
        "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at),
        "place": meeting.place,
        "agenda": meeting.agenda,
        "minutes": meeting.minutes,
        "chair": meeting.chair_id,
        "recorder": meeting.recorder_id,
    }
    form = f.CorrectionForm(request.POST or None, initial=initial, members=list(by_id.values()))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        data.update(f.people_from(data, by_id, ("chair", "recorder")))
        done = call_service(
            form,
            services.meeting_correct,
            actor=request.user,
            meeting=meeting,
            reason=reason,
            **data,
        )
        if not form.errors:
            messages.success(
                request, "更正已登记，原内容和更正原因已留存。" if done else "内容没有变化。"
            )
            return redirect("orglife:detail", meeting_id=meeting.pk)
    return render(
        request,
        "orglife/correct.html",
        {"form": form, "meeting": meeting, "corrections": selectors.corrections_of(meeting)},
    )


def _valid(form):
    if not form.is_valid():
        raise f.first_error(form)
    return form.cleaned_data


@require_POST
def makeup_assign(request, meeting_id):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    rows = selectors.attendance_of(meeting)
    by_id = {r.member_id: r.member for r in rows}
    data = _valid(f.MakeUpForm(request.POST, members=list(by_id.values())))
    services.makeup_assign(
        actor=request.user, meeting=meeting, member=by_id[data["member"]], due_on=data["due_on"]
    )
    messages.success(request, "补学已布置。")
    return redirect("orglife:detail", meeting_id=meeting.pk)


@require_POST
def makeup_complete(request, meeting_id, makeup_id):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    makeup = selectors.access_makeup(meeting, makeup_id)
    data = _valid(f.NoteForm(request.POST))
    services.makeup_complete(actor=request.user, makeup=makeup, note=data["note"])
    messages.success(request, "补学完成情况已登记。")
    return redirect("orglife:detail", meeting_id=meeting.pk)


@require_POST
def resolution_add(request, meeting_id):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    by_id = {r.member_id: r.member for r in selectors.attendance_of(meeting)}
    data = _valid(f.ResolutionForm(request.POST, members=list(by_id.values())))
    services.resolution_add(
        actor=request.user,
        meeting=meeting,
        text=data["text"],
        owner=by_id.get(data["owner"]),
        due_on=data["due_on"],
    )
    messages.success(request, "决议已登记。")
    return redirect("orglife:detail", meeting_id=meeting.pk)


@require_POST
def resolution_progress(request, meeting_id, resolution_id):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    resolution = selectors.access_resolution(meeting, resolution_id)
    data = _valid(f.NoteForm(request.POST))
    services.resolution_progress(actor=request.user, resolution=resolution, note=data["note"])
    messages.success(request, "进展已记录。")
    return redirect("orglife:detail", meeting_id=meeting.pk)


@require_POST
def resolution_close(request, meeting_id, resolution_id):
    meeting = selectors.access_meeting(request.user, meeting_id, need=Cap.MEMBER_MANAGE)
    resolution = selectors.access_resolution(meeting, resolution_id)
    data = _valid(f.ResolutionCloseForm(request.POST))
    services.resolution_close(
        actor=request.user, resolution=resolution, status=data["status"], note=data["note"]
    )
    messages.success(request, "决议已办结。" if data["status"] == "done" else "决议已撤销。")
    return redirect("orglife:detail", meeting_id=meeting.pk)


@require_http_methods(["GET", "POST"])
def sign_in(request, code: str = ""):
    """The phone page: enter the code, or arrive from the QR code with it filled in. Only
    accounts linked to a member have a roster place to sign in to."""
    if not getattr(request.user, "member_id", None):
        raise deny()
    form = f.SignInForm(request.POST or None, initial={"code": code[:8].upper()})
    done = None
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.sign_in,
            user=request.user,
            code=form.cleaned_data["code"],
            late_reason=form.cleaned_data["late_reason"],
        )
    meeting = None
    if done is None and code:
        meeting = selectors.meeting_by_code(code)
        if meeting is not None and selectors.my_attendance(request.user, meeting) is None:
            meeting = None  # say nothing about a meeting the member is not expected at
    return render(request, "orglife/sign_in.html", {"form": form, "done": done, "meeting": meeting})
