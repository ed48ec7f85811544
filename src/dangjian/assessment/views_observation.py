"""Pages of the on-site observation meeting (现场观摩会): list, plan and edit, the detail page
(route, people, results, ranking, afterwards), the printable agenda, the QR sign-in, the
judge's phone page, the live ranking screen, the Word report and a task's page.

Who sees what: the meeting's managers (ASSESS_MANAGE on its owner) everything; a judge his
page and the live screen; a participant the agenda and the sign-in; everyone else 404.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.accounts.models import User
from dangjian.assessment import forms_observation as f
from dangjian.assessment import selectors_observation as sel
from dangjian.assessment import services_observation as services
from dangjian.assessment.models import ObservationStatus, TaskStatus
from dangjian.assessment.observation_report import observation_report_export
from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.orgs.selectors import access_org

PAGE_SIZE = 20
EVERYONE = (sel.MANAGE, sel.JUDGE, sel.PARTICIPANT)


def _valid(form) -> dict:
    if not form.is_valid():
        field, message = f.first_error_message(form)
        raise AppError(message, field=field)
    return form.cleaned_data


def _back(meeting, anchor: str = ""):
    url = reverse("observation:detail", kwargs={"pk": meeting.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2200 else None


def _qr_svg(url: str) -> str:
    # segno writes presentation attributes only (no style=), so the strict CSP holds
    return segno.make(url, error="m").svg_inline(scale=8, dark="#000", omitsize=False)


# ---------------------------------------------------------------------------------- list / plan


@require_GET
def observation_list(request):
    if not sel.may_open_list(request.user):
        raise deny()
    managing = has_cap_anywhere(request.user, Cap.ASSESS_MANAGE)
    status = request.GET.get("status", "")
    status = status if status in ObservationStatus.values else ""
    year = _year(request.GET.get("year"))
    page = None
    if managing:
        qs = sel.observation_list(request.user, status=status, year=year)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    this_year = timezone.localdate().year
    return render(
        request,
        "assessment/observation/list.html",
        {
            "page": page,
            "mine": sel.my_observations(request.user),
            "managing": managing,
            "params": {"status": status, "year": year or ""},
            "statuses": ObservationStatus.choices,
            "years": list(range(this_year + 1, this_year - 6, -1)),
        },
    )


def _pick(rows, pk):
    return next((r for r in rows if r.pk == pk), None) if pk else None


def _plan_values(data: dict, sheets, contests) -> dict:
    values = {
        "title": data["title"],
        "theme": data["theme"],
        "purpose": data["purpose"],
        "starts_at": data["starts_at"],
        "place": data["place"],
        "trim_min_judges": data["trim_min_judges"],
        "outlier_points": data["outlier_points"],
        "sheet": _pick(sheets, data.get("sheet")),
        "contest": _pick(contests, data.get("contest")),
    }
    return values


@require_http_methods(["GET", "POST"])
def observation_create(request):
    if not has_cap_anywhere(request.user, Cap.ASSESS_MANAGE):
        raise deny()
    owners = sel.owner_choices(request.user)
    sheets = sel.sheet_choices(request.user, owners)
    contests = sel.contest_choices(request.user, owners)
    form = f.ObservationForm(request.POST or None, owners=owners, sheets=sheets, contests=contests)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = access_org(request.user, data["owner"], need=Cap.ASSESS_MANAGE)
        meeting = call_service(
            form,
            services.observation_create,
            actor=request.user,
            owner=owner,
            **_plan_values(data, sheets, contests),
        )
        if meeting is not None:
            messages.success(request, "观摩会已创建，请安排观摩路线、评委和参会人员。")
            return redirect("observation:detail", pk=meeting.pk)
    return render(request, "assessment/observation/form.html", {"form": form, "meeting": None})


@require_http_methods(["GET", "POST"])
def observation_edit(request, pk):
    meeting = sel.access_observation(request.user, pk)
    owners = [meeting.owner]
    sheets = sel.sheet_choices(request.user, owners)
    contests = sel.contest_choices(request.user, owners)
    initial = {
        "title": meeting.title,
        "theme": meeting.theme,
        "purpose": meeting.purpose,
        "starts_at": timezone.localtime(meeting.starts_at),
        "place": meeting.place,
        "sheet": meeting.sheet_id,
        "contest": meeting.contest_id,
        "trim_min_judges": meeting.trim_min_judges,
        "outlier_points": meeting.outlier_points,
    }
    if meeting.sheet_id and not _pick(sheets, meeting.sheet_id):
        sheets.append(meeting.sheet)
    if meeting.contest_id and not _pick(contests, meeting.contest_id):
        contests.append(meeting.contest)
    form = f.ObservationForm(
        request.POST or None,
        initial=initial,
        sheets=sheets,
        contests=contests,
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.observation_update,
            actor=request.user,
            meeting=meeting,
            **_plan_values(form.cleaned_data, sheets, contests),
        )
        if done is not None:
            messages.success(request, "观摩会信息已保存。")
            return redirect("observation:detail", pk=meeting.pk)
    return render(request, "assessment/observation/form.html", {"form": form, "meeting": meeting})


# ---------------------------------------------------------------------------------- detail


def _detail_page(request, meeting, **forms):
    """The manager's detail page; `forms` replace the empty add-forms (a refused one, bound,
    with its errors at the fields)."""
    assigned = sel.assigned_counts(meeting)
    route = sel.route_of(meeting, assigned)
    stops = [r.stop for r in route]
    judges = sel.judges_of(meeting)
    rows = sel.results_of(meeting, judges, assigned)
    units = sel.unit_choices(meeting)
    participants = sel.participants_of(meeting)
    context = {
        "meeting": meeting,
        "route": route,
        "judges": judges,
        "participants": participants,
        "signed_in": sum(1 for p in participants if p.signed_in_at),
        "rows": rows,
        "ranking": sel.ranking_of(meeting, rows),
        "unsubmitted": sel.unsubmitted_count(rows),
        "sheet_max": sel.sheet_max(meeting),
        "speeches": sel.speeches_of(meeting),
        "tasks": sel.tasks_of(meeting),
        "closed": meeting.status == ObservationStatus.CLOSED,
        "stop_form": f.StopForm(units=units),
        "judge_form": f.JudgeForm(stops=stops),
        "participants_form": f.ParticipantsForm(),
        "speech_form": f.SpeechForm(units=units),
        "conclusions_form": f.ConclusionsForm(initial={"conclusions": meeting.conclusions}),
        "task_form": f.TaskForm(units=units),
        "stops": stops,
    }
    context.update(forms)
    return render(request, "assessment/observation/detail.html", context)


@require_GET
def observation_detail(request, pk):
    meeting = sel.access_observation(request.user, pk, allow=EVERYONE)
    if not meeting.viewer.manage:
        if meeting.viewer.judge is not None:
            return redirect("observation:judge", pk=meeting.pk)
        return redirect("observation:agenda", pk=meeting.pk)
    return _detail_page(request, meeting)


@require_POST
def observation_start(request, pk):
    meeting = sel.access_observation(request.user, pk)
    services.observation_start(actor=request.user, meeting=meeting)
    messages.success(request, "观摩会已开始，评委可以在手机上评分。")
    return _back(meeting)


@require_POST
def observation_close(request, pk):
    meeting = sel.access_observation(request.user, pk)
    services.observation_close(actor=request.user, meeting=meeting)
    messages.success(request, "观摩会已结束；未提交的评分表不计入结果。")
    return _back(meeting, "results")


# ---------------------------------------------------------------------------------- route


def _unit(units, pk):
    org = _pick(units, pk)
    if org is None:
        raise AppError("请选择展示单位。", field="org")
    return org


@require_POST
def stop_add(request, pk):
    meeting = sel.access_observation(request.user, pk)
    units = sel.unit_choices(meeting)
    data = _valid(f.StopForm(request.POST, units=units))
    stop = services.stop_add(
        actor=request.user,
        meeting=meeting,
        org=_unit(units, data["org"]),
        place=data["place"],
        show_kind=data["show_kind"],
        shows=data["shows"],
        planned_minutes=data["planned_minutes"],
    )
    messages.success(request, f"已添加第{stop.order}站：{stop.place}。")
    return _back(meeting, "route")


@require_http_methods(["GET", "POST"])
def stop_edit(request, pk, stop_id):
    meeting = sel.access_observation(request.user, pk)
    stop = sel.access_stop(meeting, stop_id)
    units = sel.unit_choices(meeting)
    initial = {
        "org": stop.org_id,
        "place": stop.place,
        "show_kind": stop.show_kind,
        "shows": stop.shows,
        "planned_minutes": stop.planned_minutes,
    }
    if not _pick(units, stop.org_id):
        units.append(stop.org)
    form = f.StopForm(request.POST or None, initial=initial, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["org"] = _pick(units, data["org"])
        done = call_service(form, services.stop_update, actor=request.user, stop=stop, **data)
        if done is not None:
            messages.success(request, "点位已保存。")
            return _back(meeting, "route")
    return render(
        request,
        "assessment/observation/edit_part.html",
        {"meeting": meeting, "form": form, "heading": f"修改第{stop.order}站"},
    )


@require_POST
def stop_remove(request, pk, stop_id):
    meeting = sel.access_observation(request.user, pk)
    stop = sel.access_stop(meeting, stop_id)
    services.stop_remove(actor=request.user, stop=stop)
    messages.success(request, "点位已删除。")
    return _back(meeting, "route")


@require_POST
def stop_move(request, pk, stop_id):
    meeting = sel.access_observation(request.user, pk)
    stop = sel.access_stop(meeting, stop_id)
    ids = [r.stop.pk for r in sel.route_of(meeting)]
    i = ids.index(stop.pk)
    j = i - 1 if request.POST.get("direction") == "up" else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
        services.stops_reorder(actor=request.user, meeting=meeting, stop_ids=ids)
    return _back(meeting, "route")


# ---------------------------------------------------------------------------------- people


def _stops_by_id(meeting):
    return {r.stop.pk: r.stop for r in sel.route_of(meeting)}


def _refused(form, exc: AppError, fields: dict[str, str]) -> None:
    """Put a service's refusal on the form's fields (`fields` maps the service's field names
    to the form's)."""
    for name, message in exc.errors:
        field = fields.get(name, name)
        field = field if field in form.fields else None
        form.add_error(field, message)
        if field and "is-invalid" not in form.fields[field].widget.attrs.get("class", ""):
            form.fields[field].widget.attrs["class"] += " is-invalid"


@require_POST
def judge_add(request, pk):
    """Add a judge by user name. A refusal (no such account, 三员分立 role, an account outside
    the meeting's organisation) shows on the detail page at the user-name field."""
    meeting = sel.access_observation(request.user, pk)
    stops = _stops_by_id(meeting)
    form = f.JudgeForm(request.POST, stops=list(stops.values()))
    if form.is_valid():
        data = form.cleaned_data
        user = User.objects.filter(username=data["username"].strip(), is_active=True).first()
        try:
            if user is None:
                raise AppError("没有该账号，请核对评委的用户名。", field="username")
            judge = services.judge_add(
                actor=request.user,
                meeting=meeting,
                user=user,
                name=data["name"],
                affiliation=data["affiliation"],
                stops=[stops[i] for i in data["stops"]] or None,
            )
        except AppError as exc:
            _refused(form, exc, {"user": "username", "name": "name", "stops": "stops"})
        else:
            messages.success(request, f"已添加评委：{judge.name}。")
            return _back(meeting, "judges")
    return _detail_page(request, meeting, judge_form=form)


@require_POST
def judge_assign(request, pk, judge_id):
    meeting = sel.access_observation(request.user, pk)
    judge = sel.access_judge(meeting, judge_id)
    stops = _stops_by_id(meeting)
    data = _valid(f.AssignForm(request.POST, stops=list(stops.values())))
    services.judge_assign(actor=request.user, judge=judge, stops=[stops[i] for i in data["stops"]])
    messages.success(request, f"已更新评委“{judge.name}”负责的点位。")
    return _back(meeting, "judges")


@require_POST
def judge_remove(request, pk, judge_id):
    meeting = sel.access_observation(request.user, pk)
    judge = sel.access_judge(meeting, judge_id)
    services.judge_remove(actor=request.user, judge=judge)
    messages.success(request, "评委已移除。")
    return _back(meeting, "judges")


@require_POST
def participants_add(request, pk):
    """Add participants by user name and/or by name. A refusal shows on the detail page at
    the field it concerns."""
    meeting = sel.access_observation(request.user, pk)
    form = f.ParticipantsForm(request.POST)
    if form.is_valid():
        usernames = form.usernames_list()
        users = list(User.objects.filter(username__in=usernames, is_active=True))
        unknown = sorted(set(usernames) - {u.username for u in users})
        try:
            if unknown:
                raise AppError(f"没有这些账号：{'、'.join(unknown[:10])}", field="usernames")
            created = services.participants_add(
                actor=request.user, meeting=meeting, users=users, names=form.names_list()
            )
        except AppError as exc:
            _refused(form, exc, {"users": "usernames", "name": "names", "affiliation": "names"})
        else:
            messages.success(request, f"已添加参会人员 {len(created)} 人。")
            return _back(meeting, "participants")
    return _detail_page(request, meeting, participants_form=form)


@require_POST
def participant_remove(request, pk, participant_id):
    meeting = sel.access_observation(request.user, pk)
    participant = sel.access_participant(meeting, participant_id)
    services.participant_remove(actor=request.user, participant=participant)
    messages.success(request, "参会人员已移除。")
    return _back(meeting, "participants")


@require_POST
def sheet_reopen(request, pk, stop_id, judge_id):
    meeting = sel.access_observation(request.user, pk)
    sheet = sel.access_sheet(meeting, stop_id, judge_id)
    services.sheet_reopen(actor=request.user, sheet=sheet)
    messages.success(request, "评分表已退回评委修改。")
    return _back(meeting, "results")


# ---------------------------------------------------------------------------------- afterwards


@require_POST
def speech_add(request, pk):
    meeting = sel.access_observation(request.user, pk)
    units = sel.unit_choices(meeting)
    data = _valid(f.SpeechForm(request.POST, units=units))
    services.speech_add(
        actor=request.user,
        meeting=meeting,
        speaker=data["speaker"],
        org=_pick(units, data["org"]),
        title=data["title"],
        notes=data["notes"],
    )
    messages.success(request, "交流发言已登记。")
    return _back(meeting, "speeches")


@require_http_methods(["GET", "POST"])
def speech_edit(request, pk, speech_id):
    meeting = sel.access_observation(request.user, pk)
    speech = sel.access_speech(meeting, speech_id)
    units = sel.unit_choices(meeting)
    if speech.org_id and not _pick(units, speech.org_id):
        units.append(speech.org)
    initial = {
        "speaker": speech.speaker,
        "org": speech.org_id,
        "title": speech.title,
        "notes": speech.notes,
    }
    form = f.SpeechForm(request.POST or None, initial=initial, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["org"] = _pick(units, data["org"])
        done = call_service(form, services.speech_update, actor=request.user, speech=speech, **data)
        if done is not None:
            messages.success(request, "交流发言已保存。")
            return _back(meeting, "speeches")
    return render(
        request,
        "assessment/observation/edit_part.html",
        {"meeting": meeting, "form": form, "heading": f"修改交流发言：{speech.speaker}"},
    )


@require_POST
def conclusions_set(request, pk):
    meeting = sel.access_observation(request.user, pk)
    data = _valid(f.ConclusionsForm(request.POST))
    services.conclusions_set(actor=request.user, meeting=meeting, conclusions=data["conclusions"])
    messages.success(request, "会议明确的工作重点已保存。")
    return _back(meeting, "conclusions")


@require_POST
def task_add(request, pk):
    meeting = sel.access_observation(request.user, pk)
    units = sel.unit_choices(meeting)
    data = _valid(f.TaskForm(request.POST, units=units))
    services.task_add(
        actor=request.user,
        meeting=meeting,
        org=_pick(units, data["org"]),
        title=data["title"],
        detail=data["detail"],
        due_on=data["due_on"],
    )
    messages.success(request, "任务已登记。")
    return _back(meeting, "tasks")


@require_http_methods(["GET", "POST"])
def task_detail(request, task_id):
    """A task of a meeting: its managers and the responsible unit see it and mark it done."""
    task = sel.access_task(request.user, task_id)
    form = f.TaskDoneForm(request.POST or None)
    if request.method == "POST":
        if task.status == TaskStatus.DONE:
            raise AppError("该任务已完成。")
        if form.is_valid():
            done = call_service(
                form,
                services.task_done,
                actor=request.user,
                task=task,
                note=form.cleaned_data["note"],
                done_on=form.cleaned_data["done_on"],
            )
            if done is not None:
                messages.success(request, "任务已标记完成。")
                return redirect("observation:task", task_id=task.pk)
    return render(
        request,
        "assessment/observation/task.html",
        {
            "task": task,
            "form": form,
            "manages": can(request.user, Cap.ASSESS_MANAGE, task.meeting.owner_path),
        },
    )


# ---------------------------------------------------------------------------------- the day


@require_GET
def agenda(request, pk):
    """The printable agenda (议程): route with the clock, judges, speeches."""
    meeting = sel.access_observation(request.user, pk, allow=EVERYONE)
    return render(
        request,
        "assessment/observation/agenda.html",
        {
            "meeting": meeting,
            "route": sel.route_of(meeting),
            "judges": sel.judges_of(meeting),
            "speeches": sel.speeches_of(meeting),
            "counts": sel.participant_counts(meeting),
        },
    )


def _sign_in_url(request, meeting) -> str:
    return request.build_absolute_uri(
        reverse("observation:sign_in", kwargs={"code": meeting.sign_in_code})
    )


@require_GET
def qr(request, pk):
    """The QR code to show at the gathering place: it opens the sign-in URL."""
    meeting = sel.access_observation(request.user, pk)
    url = _sign_in_url(request, meeting)
    return render(
        request,
        "assessment/observation/qr.html",
        {
            "meeting": meeting,
            "sign_in_url": url,
            "qr_svg": _qr_svg(url),
            "counts": sel.participant_counts(meeting),
        },
    )


@require_http_methods(["GET", "POST"])
def sign_in(request, code):
    """The QR code's URL. GET shows the meeting and a big “确认签到” button (signed-in users
    only; the login page brings him back here) and writes nothing; the button POSTs (with the
    CSRF token) and that signs the participant in. Idempotent: it only ever marks the caller's
    own row."""
    error, row, done = "", None, False
    try:
        if request.method == "POST":
            row = services.participant_sign_in(actor=request.user, code=code)
            done = True
        else:
            row = sel.sign_in_row(request.user, code)
    except AppError as exc:
        error = exc.message
    return render(
        request,
        "assessment/observation/sign_in.html",
        {
            "row": row,
            "meeting": row.meeting if row else None,
            "error": error,
            "done": done,
            "code": code,
        },
        status=400 if error else 200,
    )


@require_GET
def judge_page(request, pk):
    """The judge's phone page: one card per assigned stop, in route order."""
    meeting = sel.access_observation(request.user, pk, allow=(sel.MANAGE, sel.JUDGE))
    judge = meeting.viewer.judge
    cards = sel.judge_cards(judge) if judge is not None else []
    lines = sel.sheet_lines(meeting.sheet_id)
    for card in cards:
        card.lines = [(line, card.points.get(line.indicator.pk)) for line in lines]
    return render(
        request,
        "assessment/observation/judge.html",
        {
            "meeting": meeting,
            "judge": judge,
            "cards": cards,
            "has_sheet": meeting.sheet_id is not None,
            "sheet_max": sel.sheet_max(meeting),
            "api_base": f"/api/assessment/observations/{meeting.pk}",
            "live": meeting.status == ObservationStatus.LIVE,
        },
    )


def _board_context(meeting) -> dict:
    rows = sel.results_of(meeting)
    return {
        "meeting": meeting,
        "rows": rows,
        "ranking": sel.ranking_of(meeting, rows),
        "unsubmitted": sel.unsubmitted_count(rows),
        "now": timezone.localtime(),
    }


@require_GET
def live(request, pk):
    """The big screen: units ranked by their mean stop score, refreshed every few seconds."""
    meeting = sel.access_observation(request.user, pk, allow=(sel.MANAGE, sel.JUDGE))
    return render(request, "assessment/observation/live.html", _board_context(meeting))


@require_GET
def live_board(request, pk):
    meeting = sel.access_observation(request.user, pk, allow=(sel.MANAGE, sel.JUDGE))
    return render(request, "assessment/observation/_board.html", _board_context(meeting))


@require_GET
def report(request, pk):
    meeting = sel.access_observation(request.user, pk)
    return outcome_response(observation_report_export(actor=request.user, meeting=meeting))
