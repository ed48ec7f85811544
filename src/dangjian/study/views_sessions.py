"""Pages of study plans, sessions, credit hours, trainings and the per-unit statistics
(/study/…). Thin: parse, access check, one service or selector. A session's roster, sign-in
code, record and archive are the organisational-life meeting's pages (`orglife:detail`).
See docs/study.md."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.orglife.selectors import access_meeting, attendance_counts
from dangjian.orgs.models import Org, OrgKind
from dangjian.rules import study as rules
from dangjian.rules.orglife import MeetingKind
from dangjian.study import forms_sessions as f
from dangjian.study import selectors_sessions as sel
from dangjian.study import services_sessions as services
from dangjian.study.models import StudyForm, TrainingStatus
from dangjian.study.selectors_sessions import own_member

MANAGE = Cap.STUDY_MANAGE
PAGE_SIZE = 50
ORG_CHOICES_MAX = 300
#: kind in the URL → exporter identifier (all xlsx)
EXPORTS = {"hours": "study.hours", "stats": "study.stats"}


# ---------------------------------------------------------------------------------------------
# Helpers


def nav_flags(user) -> dict:
    return {"manage": has_cap_anywhere(user, MANAGE), "member": own_member(user) is not None}


def manage_orgs(user, current: Org | None = None) -> list[Org]:
    """The orgs whose study the user keeps (the org pickers), top-most first."""
    orgs = list(
        Org.objects.visible_to(user, MANAGE)
        .filter(dissolved_on__isnull=True)
        .exclude(kind__in=[OrgKind.GROUP, OrgKind.DISCIPLINE_COMMITTEE])
        .order_by("depth", "path")[:ORG_CHOICES_MAX]
    )
    if current is not None and all(o.pk != current.pk for o in orgs):
        orgs = sorted([*orgs, current], key=lambda o: (o.depth, o.path))
    return orgs


def _manager(request):
    """Managers go on; a member without a study role is sent to his own hours; others 404."""
    if has_cap_anywhere(request.user, MANAGE):
        return None
    if own_member(request.user) is not None:
        return redirect("study:my_hours")
    raise deny()


def org_param(request) -> Org:
    value = request.POST.get("org") if request.method == "POST" else None
    return sel.study_org(request.user, value or request.GET.get("org"))


def year_param(request, default: int | None = None) -> int:
    raw = request.POST.get("year") if request.method == "POST" else None
    try:
        year = int(raw or request.GET.get("year", ""))
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2200:
        year = default or timezone.localdate().year
    return year


def _years(today: dt.date):
    return range(today.year + 1, today.year - 9, -1)


def _day(value, default: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return default
    return day if 2000 <= day.year <= 2200 else default


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _refused(request, exc: AppError) -> None:
    messages.error(request, exc.message)


def _first_error(form) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}：{errors[0]}" if label else errors[0]
    return "请求数据有误。"


# ---------------------------------------------------------------------------------------------
# Plans


def _plans_page(request, org, year, form=None, status=200):
    user = request.user
    return render(
        request,
        "study/sessions/plans.html",
        {
            "org": org,
            "year": year,
            "years": _years(timezone.localdate()),
            "orgs": manage_orgs(user, org),
            "plans": sel.plans_for(user, year, org),
            "form": form
            or f.PlanForm(
                initial={"org": org.pk, "year": year, "title": f"{org.name}{year}年度学习计划"},
                orgs=manage_orgs(user, org),
            ),
            "nav_study": nav_flags(user),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def plans(request):
    """年度学习计划 of the visible orgs for a year; the form to make (or retitle) one."""
    if request.method == "POST" and not has_cap_anywhere(request.user, MANAGE):
        raise deny()
    sent = _manager(request)
    if sent is not None:
        return sent
    org, year = org_param(request), year_param(request)
    if request.method == "GET":
        return _plans_page(request, org, year)
    form = f.PlanForm(request.POST, orgs=manage_orgs(request.user, org))
    if form.is_valid():
        data = form.cleaned_data
        target = sel.study_org(request.user, data["org"])
        plan = call_service(
            form,
            services.plan_save,
            actor=request.user,
            org=target,
            year=data["year"],
            title=data["title"],
            note=data["note"],
        )
        if plan is not None:
            messages.success(request, f"已保存“{plan.title}”。")
            return redirect("study:plan", plan_id=plan.pk)
    return _plans_page(request, org, year, form=form, status=400)


def _plan_page(request, plan, *, edit_form=None, item_form=None, status=200):
    return render(
        request,
        "study/sessions/plan.html",
        {
            "plan": plan,
            "org": plan.org,
            "lines": sel.plan_lines(request.user, plan),
            "edit_form": edit_form
            or f.PlanEditForm(initial={"title": plan.title, "note": plan.note}),
            "item_form": item_form or f.PlanItemForm(initial={"mode": "in_person"}),
            "nav_study": nav_flags(request.user),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def plan(request, plan_id):
    """One plan: its lines by month, and per line the sessions that carried it out."""
    found = sel.access_plan(request.user, plan_id)
    if request.method == "GET":
        return _plan_page(request, found)
    if not found.can_edit:
        raise deny()
    form = f.PlanEditForm(request.POST)
    if form.is_valid():
        done = call_service(
            form,
            services.plan_save,
            actor=request.user,
            org=found.org,
            year=found.year,
            title=form.cleaned_data["title"],
            note=form.cleaned_data["note"],
        )
        if done is not None:
            messages.success(request, "学习计划已保存。")
            return redirect("study:plan", plan_id=found.pk)
    return _plan_page(request, found, edit_form=form, status=400)


@require_POST
def plan_item_add(request, plan_id):
    found = sel.access_plan(request.user, plan_id)
    if not found.can_edit:
        raise deny()
    form = f.PlanItemForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        item = call_service(
            form,
            services.plan_item_add,
            actor=request.user,
            plan=found,
            month=data["month"],
            topic=data["topic"],
            form=data["form"],
            mode=data["mode"],
            hours=data["hours"],
            note=data["note"],
        )
        if item is not None:
            messages.success(request, f"已添加{item.month}月“{item.topic}”。")
            return redirect("study:plan", plan_id=found.pk)
    return _plan_page(request, found, item_form=form, status=400)


@require_POST
def plan_item_delete(request, plan_id, item_id):
    found = sel.access_plan(request.user, plan_id)
    if not found.can_edit:
        raise deny()
    item = sel.access_plan_item(found, item_id)
    try:
        services.plan_item_delete(actor=request.user, item=item)
    except AppError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"已删除{item.month}月“{item.topic}”。")
    return redirect("study:plan", plan_id=found.pk)


# ---------------------------------------------------------------------------------------------
# Sessions


@require_GET
def sessions(request):
    """学习培训 of an org's subtree in a year (filter by form), newest first."""
    sent = _manager(request)
    if sent is not None:
        return sent
    org, year = org_param(request), year_param(request)
    form = request.GET.get("form", "")
    page = Paginator(
        sel.session_list(request.user, org=org, year=year, form=form), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    counts = attendance_counts([s.meeting for s in rows])
    for s in rows:
        s.counts = counts.get(s.meeting_id, {})
    return render(
        request,
        "study/sessions/sessions.html",
        {
            "org": org,
            "year": year,
            "years": _years(timezone.localdate()),
            "orgs": manage_orgs(request.user, org),
            "form": form,
            "forms": StudyForm.choices,
            "page": page,
            "rows": rows,
            "lessons": sel.lessons_without_session(request.user, org, year),
            "nav_study": nav_flags(request.user),
        },
    )


def _session_form_page(request, form, org, status=200):
    return render(
        request,
        "study/sessions/session_new.html",
        {"form": form, "org": org, "nav_study": nav_flags(request.user)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def session_new(request):
    """Plan a study session (the meeting, with its roster and sign-in code, and its hours)."""
    if not has_cap_anywhere(request.user, MANAGE):
        raise deny()
    org = org_param(request)
    orgs = manage_orgs(request.user, org)
    if request.method == "GET":
        today = timezone.localdate()
        year = year_param(request, today.year)
        form = f.SessionForm(
            initial={
                "org": org.pk,
                "mode": "in_person",
                "day": today,
                "start": dt.time(9, 0),
                "end": dt.time(11, 0),
                "hours": "2",
            },
            orgs=orgs,
            items=sel.plan_items_for(org, year),
        )
        return _session_form_page(request, form, org)
    raw_org = request.POST.get("org")
    target = sel.study_org(request.user, raw_org) if raw_org else org
    day = _day(request.POST.get("day"), timezone.localdate())
    items = sel.plan_items_for(target, day.year)
    form = f.SessionForm(request.POST, orgs=orgs, items=items)
    if form.is_valid():
        data = form.cleaned_data
        by_id = {i.pk: i for i in items}
        session = call_service(
            form,
            services.session_create,
            actor=request.user,
            org=target,
            form=data["form"],
            mode=data["mode"],
            topic=data["topic"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            hours=data["hours"],
            place=data["place"],
            speaker=data["speaker"],
            plan_item=by_id.get(data["plan_item"]),
            agenda=data["agenda"],
        )
        if session is not None:
            messages.success(
                request, f"已安排学习培训，签到码 {session.meeting.sign_in_code}，已通知应到人员。"
            )
            return redirect("study:session", session_id=session.pk)
    return _session_form_page(request, form, target, status=400)


def _session_page(request, session, form=None, status=200):
    meeting = session.meeting
    year = timezone.localtime(meeting.starts_at).year
    return render(
        request,
        "study/sessions/session.html",
        {
            "session": session,
            "meeting": meeting,
            "org": meeting.org,
            "counts": attendance_counts([meeting]).get(meeting.pk, {}),
            "form": form
            or f.SessionEditForm(
                initial={
                    "form": session.form,
                    "mode": session.mode,
                    "hours": session.hours,
                    "speaker": session.speaker,
                    "plan_item": session.plan_item_id,
                },
                items=sel.plan_items_for(meeting.org, year),
            ),
            "notes_url": _notes_url(session),
            "nav_study": nav_flags(request.user),
        },
        status=status,
    )


def _notes_url(session) -> str:
    """The study notes of this session (helper C's page), when it is mounted."""
    from django.urls import NoReverseMatch

    try:
        return f"{reverse('study:notes')}?session={session.pk}"
    except NoReverseMatch:
        return ""


@require_http_methods(["GET", "POST"])
def session(request, session_id):
    """A session: its form, hours and plan line (editable), the meeting's counts, and the way
    to the meeting's own page (roster, sign-in code, record, archive)."""
    found = sel.access_session(request.user, session_id)
    if request.method == "GET":
        return _session_page(request, found)
    meeting = found.meeting
    items = sel.plan_items_for(meeting.org, timezone.localtime(meeting.starts_at).year)
    form = f.SessionEditForm(request.POST, items=items)
    if form.is_valid():
        data = form.cleaned_data
        by_id = {i.pk: i for i in items}
        done = call_service(
            form,
            services.session_update,
            actor=request.user,
            session=found,
            form=data["form"],
            mode=data["mode"],
            hours=data["hours"],
            speaker=data["speaker"],
            plan_item=by_id.get(data["plan_item"]),
        )
        if done is not None:
            messages.success(request, "学习培训信息已保存。")
            return redirect("study:session", session_id=found.pk)
    return _session_page(request, found, form=form, status=400)


@require_http_methods(["GET", "POST"])
def session_attach(request, meeting_id):
    """Credit a meeting recorded in organisational life (a 党课) as a study session."""
    meeting = access_meeting(request.user, meeting_id, need=MANAGE)
    existing = getattr(meeting, "study_session", None)
    if existing is not None:
        return redirect("study:session", session_id=existing.pk)
    items = sel.plan_items_for(meeting.org, timezone.localtime(meeting.starts_at).year)
    if request.method == "GET":
        lesson = meeting.kind == MeetingKind.PARTY_LESSON
        seconds = int((meeting.ends_at - meeting.starts_at).total_seconds())
        form = f.SessionEditForm(
            initial={
                "form": StudyForm.PARTY_LESSON if lesson else "",
                "mode": "in_person",
                "hours": rules.lesson_credit(seconds) if lesson else "",
            },
            items=items,
        )
        status = 200
    else:
        form = f.SessionEditForm(request.POST, items=items)
        if form.is_valid():
            data = form.cleaned_data
            done = call_service(
                form,
                services.session_attach,
                actor=request.user,
                meeting=meeting,
                form=data["form"],
                mode=data["mode"],
                hours=data["hours"],
                speaker=data["speaker"],
                plan_item={i.pk: i for i in items}.get(data["plan_item"]),
            )
            if done is not None:
                messages.success(request, f"“{meeting.topic}”已计入学习培训。")
                return redirect("study:session", session_id=done.pk)
        status = 400
    return render(
        request,
        "study/sessions/session_attach.html",
        {
            "meeting": meeting,
            "org": meeting.org,
            "form": form,
            "nav_study": nav_flags(request.user),
        },
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# Credit hours


@require_GET
def hours(request):
    """学时 of an org's subtree for a year: who is short and by how much, shortfall first."""
    sent = _manager(request)
    if sent is not None:
        return sent
    org, year = org_param(request), year_param(request)
    only_short = request.GET.get("short") == "1"
    rows = sel.org_hours(request.user, org, year, only_short=only_short)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    summary = sel.hours_summary(request.user, org, year)
    return render(
        request,
        "study/sessions/hours.html",
        {
            "org": org,
            "year": year,
            "years": _years(timezone.localdate()),
            "orgs": manage_orgs(request.user, org),
            "only_short": only_short,
            "page": page,
            "summary": summary,
            "chart": summary.chart(),
            "committee_hours": sel.committee_hours(),
            "exemption_form": f.ExemptionForm(),
            "this_url": request.get_full_path(),
            "nav_study": nav_flags(request.user),
        },
    )


@require_POST
def exemption_grant(request):
    form = f.ExemptionForm(request.POST)
    member = sel.access_study_member(request.user, request.POST.get("member"))
    target = safe_next(request, f"{reverse('study:hours')}?org={member.branch_id}")
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(target)
    data = form.cleaned_data
    try:
        services.exemption_grant(
            actor=request.user,
            member=member,
            year=data["year"],
            reason=data["reason"],
            note=data["note"],
        )
    except AppError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"已免除{member.name}{data['year']}年的学时要求（R-EDU-03）。")
    return redirect(target)


@require_POST
def exemption_revoke(request, exemption_id):
    exemption = sel.access_exemption(request.user, exemption_id)
    target = safe_next(request, reverse("study:hours"))
    services.exemption_revoke(actor=request.user, exemption=exemption)
    messages.success(request, f"已撤销{exemption.member.name}{exemption.year}年的学时免除。")
    return redirect(target)


@require_GET
def my_hours(request):
    """A member's own hours for a year on a phone: each session, 党课 and training, what is
    still missing, his trainings and the way to submit one."""
    member = own_member(request.user)
    if member is None:
        raise deny()
    today = timezone.localdate()
    year = year_param(request, today.year)
    mine = sel.member_hours(member, year)
    return render(
        request,
        "study/sessions/my_hours.html",
        {
            "mine": mine,
            "member": member,
            "year": year,
            "years": range(today.year, today.year - 6, -1),
            "findings": mine.findings(today),
            "training_form": f.TrainingForm(initial={"kind": "party_school"}),
            "own": True,
            "nav_study": nav_flags(request.user),
        },
    )


@require_GET
def member_hours(request, member_id):
    """A member's hours as his branch sees them (the same breakdown as his own page)."""
    member = sel.access_study_member(request.user, member_id)
    today = timezone.localdate()
    year = year_param(request, today.year)
    mine = sel.member_hours(member, year)
    return render(
        request,
        "study/sessions/my_hours.html",
        {
            "mine": mine,
            "member": member,
            "year": year,
            "years": range(today.year, today.year - 6, -1),
            "findings": mine.findings(today),
            "managed": True,
            "training_form": f.TrainingForm(initial={"kind": "party_school"}),
            "own": member.pk == getattr(own_member(request.user), "pk", None),
            "nav_study": nav_flags(request.user),
        },
    )


# ---------------------------------------------------------------------------------------------
# Trainings


@require_http_methods(["GET", "POST"])
def training_new(request):
    """登记培训: a member's own (with a proof, approved by the branch), or a manager's entry for
    a member of his subtree (?member=, approved at once)."""
    raw = request.POST.get("member") or request.GET.get("member")
    if raw:
        member = sel.access_study_member(request.user, raw, need=None)
    else:
        member = own_member(request.user)
        if member is None:
            raise deny()
    own = member.pk == getattr(own_member(request.user), "pk", None)
    status = 200
    if request.method == "GET":
        form = f.TrainingForm(initial={"kind": "party_school"})
    else:
        request.FILES  # noqa: B018 (parse now: core.uploads bounds what is read)
        too_large = getattr(request, "upload_too_large", 0)
        form = f.TrainingForm(request.POST, {} if too_large else request.FILES)
        if too_large:
            from dangjian.orglife.services_attachments import too_large_message

            form.full_clean()
            form.errors.clear()
            form.add_error("proof", too_large_message(too_large))
        elif form.is_valid():
            data = form.cleaned_data
            done = call_service(
                form,
                services.training_submit,
                actor=request.user,
                member=member,
                title=data["title"],
                provider=data["provider"],
                kind=data["kind"],
                started_on=data["started_on"],
                ended_on=data["ended_on"],
                hours=data["hours"],
                is_concentrated=data["is_concentrated"],
                proof=data["proof"],
            )
            if done is not None:
                if done.status == TrainingStatus.APPROVED:
                    messages.success(
                        request, f"已登记{member.name}的培训“{done.title}”，学时已计入。"
                    )
                else:
                    messages.success(request, f"培训“{done.title}”已提交，待支部审核后计入学时。")
                if own:
                    return redirect(f"{reverse('study:my_hours')}?year={done.started_on.year}")
                return redirect(
                    f"{reverse('study:member_hours', args=[member.pk])}?year={done.started_on.year}"
                )
        status = 400
    return render(
        request,
        "study/sessions/training_new.html",
        {"form": form, "member": member, "own": own, "nav_study": nav_flags(request.user)},
        status=status,
    )


@require_GET
def trainings(request):
    """Trainings waiting for approval in the user's subtree, and the latest decisions."""
    if not has_cap_anywhere(request.user, MANAGE):
        raise deny()
    org = sel.study_org(request.user, request.GET.get("org")) if request.GET.get("org") else None
    return render(
        request,
        "study/sessions/trainings.html",
        {
            "org": org,
            "orgs": manage_orgs(request.user, org),
            "pending": sel.trainings_pending(request.user, org),
            "decided": sel.trainings_decided(request.user, org),
            "form": f.DecisionForm(),
            "nav_study": nav_flags(request.user),
        },
    )


@require_POST
def training_decide(request, training_id):
    """Approve or reject a submitted training; `decision=revoke` withdraws an approval."""
    training = sel.access_training(request.user, training_id)
    form = f.DecisionForm(request.POST)
    target = safe_next(request, reverse("study:trainings"))
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(target)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        if decision == "revoke":
            services.training_revoke(actor=request.user, training=training, reason=reason)
        else:
            done = services.training_decide(
                actor=request.user,
                training=training,
                approve=decision == "approve",
                reason=reason,
            )
    except AppError as exc:
        _refused(request, exc)
    else:
        if decision == "revoke":
            messages.success(
                request,
                f"已撤销{training.member.name}的培训“{training.title}”的认定，学时不再计入。",
            )
        else:
            messages.success(
                request,
                f"已{done.get_status_display()}{training.member.name}的培训“{training.title}”。",
            )
    return redirect(target)


@require_GET
def training_proof(request, training_id):
    training = sel.access_training(request.user, training_id, need=None)
    try:
        handle = services.training_proof_open(actor=request.user, training=training)
    except FileNotFoundError:
        raise deny() from None
    response = FileResponse(handle, as_attachment=True, filename=training.proof_name or "证明材料")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# Statistics and exports


@require_GET
def stats(request):
    """Sessions and person-times (人次) per unit for a period (the seed's "19 场、1395 人次")."""
    sent = _manager(request)
    if sent is not None:
        return sent
    org = org_param(request)
    today = timezone.localdate()
    first = _day(request.GET.get("date_from"), today.replace(month=1, day=1))
    last = _day(request.GET.get("date_to"), today.replace(month=12, day=31))
    if last < first:
        messages.warning(request, "结束日期早于开始日期，已对调。")
        first, last = last, first
    return render(
        request,
        "study/sessions/stats.html",
        {
            "org": org,
            "orgs": manage_orgs(request.user, org),
            "date_from": first,
            "date_to": last,
            "rows": sel.study_stats(request.user, org, first, last),
            "nav_study": nav_flags(request.user),
        },
    )


@require_POST
def export(request, kind):
    identifier = EXPORTS.get(kind)
    if identifier is None:
        raise deny()
    org = org_param(request)
    if not can(request.user, MANAGE, org.path):
        raise deny()
    params: dict = {"org": org.pk}
    if kind == "hours":
        params["year"] = year_param(request)
        params["short"] = request.POST.get("short") == "1"
    else:
        params["date_from"] = request.POST.get("date_from", "")
        params["date_to"] = request.POST.get("date_to", "")
    outcome = export_start(actor=request.user, identifier=identifier, params=params, fmt="xlsx")
    return outcome_response(outcome)
