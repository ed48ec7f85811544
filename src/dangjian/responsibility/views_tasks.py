"""Pages of the work points and tasks: the 工委's points with their tasks by unit, the
points × units matrix, the overdue view with 督办 from the row, a unit's task list, a task
page with the phone-friendly report form and the history, the unit's annual plan (党建 and
业务 side by side), file downloads and the xlsx exports. Thin: parse, access check, one
service or selector. See docs/responsibility-tasks.md."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.views_export import outcome_response
from dangjian.orgs.selectors import access_org
from dangjian.responsibility import exporters_tasks  # noqa: F401  (registers the exports)
from dangjian.responsibility import forms_tasks as f
from dangjian.responsibility import selectors_tasks as sel
from dangjian.responsibility import services_tasks as services
from dangjian.responsibility.models import TaskKind
from dangjian.rules import responsibility as rules

PAGE_SIZE = 20
EXPORTS = {
    "point": "responsibility.point_tasks",
    "overdue": "responsibility.overdue_tasks",
    "plan": "responsibility.unit_plan",
}


def _require_tasks(request) -> None:
    if not sel.can_see_tasks(request.user):
        raise deny()


def _year(request, default: int | None = None) -> int | None:
    return sel.parse_year(request.GET.get("year")) or default


def _q(request) -> str:
    return (request.GET.get("q") or "").strip()[:50]


def _unit_filter(request, units):
    unit_id = sel._int(request.GET.get("unit"))
    return next((u for u in units if u.pk == unit_id), None)


def _point_filter(request, points):
    point_id = sel._int(request.GET.get("point"))
    return next((p for p in points if p.pk == point_id), None)


def _publisher(request):
    return has_cap_anywhere(request.user, sel.PUBLISH)


# ---------------------------------------------------------------------------------------------
# Work points


@require_GET
def points(request):
    """The year's work points with their completion."""
    _require_tasks(request)
    today = timezone.localdate()
    year = _year(request, today.year)
    page = Paginator(sel.point_list(request.user, year=year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    completions = sel.completion_by_point(request.user, shown, today)
    rows = [(p, completions[p.pk]) for p in shown]
    return render(
        request,
        "responsibility/tasks/points.html",
        {
            "page": page,
            "rows": rows,
            "year": year,
            "years": sel.year_choices(today),
            "can_publish": _publisher(request),
        },
    )


def _point_form_page(request, *, point=None):
    publishers = sel.publisher_orgs(request.user)
    if not publishers:
        raise deny()
    org = point.org if point is not None else publishers[0]
    editing = point is not None
    if point is None:
        initial = {"year": timezone.localdate().year}
    else:
        initial = {"seq": point.seq, "title": point.title, "content": point.content}
    form = f.PointForm(request.POST or None, initial=initial, editing=editing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if point is None:
            done = call_service(
                form,
                services.work_point_create,
                actor=request.user,
                org=org,
                year=data["year"],
                title=data["title"],
                content=data["content"],
                seq=data["seq"],
            )
        else:
            done = call_service(
                form,
                services.work_point_update,
                actor=request.user,
                point=point,
                title=data["title"],
                content=data["content"],
                seq=data["seq"],
            )
        if done is not None:
            messages.success(request, "工作要点已保存。")
            return redirect("responsibility:point", point_id=done.pk)
    return render(
        request,
        "responsibility/tasks/point_form.html",
        {"form": form, "point": point, "publisher": org},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def point_create(request):
    return _point_form_page(request)


@require_http_methods(["GET", "POST"])
def point_edit(request, point_id):
    point = sel.access_point(request.user, point_id, manage=True)
    return _point_form_page(request, point=point)


@require_GET
def point_detail(request, point_id):
    """A point: its tasks unit by unit with state, progress, last report and 督办."""
    point = sel.access_point(request.user, point_id)
    today = timezone.localdate()
    tasks = sel.point_tasks(request.user, point, today)
    manage = sel.can_manage_point(request.user, point)
    return render(
        request,
        "responsibility/tasks/point.html",
        {
            "point": point,
            "tasks": tasks,
            "completion": rules.completion([sel.facts(t) for t in tasks], today),
            "can_manage": manage,
            "can_supervise": manage and point.published_at is not None,
        },
    )


@require_POST
def point_publish(request, point_id):
    point = sel.access_point(request.user, point_id, manage=True)
    try:
        services.work_point_publish(actor=request.user, point=point)
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "工作要点已发布，各单位已收到任务通知。")
    return redirect("responsibility:point", point_id=point.pk)


@require_http_methods(["GET", "POST"])
def point_assign(request, point_id):
    """Decompose a point into tasks for chosen units or all of them."""
    point = sel.access_point(request.user, point_id, manage=True)
    units = sel.units_below(point.org)
    by_id = {u.pk: u for u in units}
    year = point.year
    form = f.AssignForm(
        request.POST or None,
        units=units,
        initial={"title": point.title},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.tasks_assign,
            actor=request.user,
            point=point,
            units=[by_id[pk] for pk in data["units"] if pk in by_id],
            all_units=data["all_units"],
            title=data["title"],
            starts_on=data["starts_on"],
            due_on=data["due_on"],
            content=data["content"],
            evidence_asked=data["evidence_asked"],
        )
        if done is not None:
            messages.success(request, f"已分派{len(done)}个单位的任务。")
            return redirect("responsibility:point", point_id=point.pk)
    return render(
        request,
        "responsibility/tasks/assign.html",
        {"form": form, "point": point, "year": year, "units": units},
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------------------------------------
# Overviews


@require_GET
def task_matrix(request):
    """Points × units of a year: completion per point and per unit."""
    _require_tasks(request)
    today = timezone.localdate()
    year = _year(request, today.year)
    grid = sel.matrix(request.user, year, today)
    chart = {
        "units": [
            (c.org.unit.short_name or c.org.name) if c.org.unit else c.org.name
            for c in grid.columns
        ],
        "closed": [float(c.completion.closed_share or 0) for c in grid.columns],
        "progress": [float(c.completion.average_progress or 0) for c in grid.columns],
    }
    return render(
        request,
        "responsibility/tasks/matrix.html",
        {"grid": grid, "year": year, "years": sel.year_choices(today), "chart": chart},
    )


@require_GET
def task_overdue(request):
    """Every overdue open task of the user's subtree; 督办 from the row."""
    _require_tasks(request)
    today = timezone.localdate()
    units = sel.unit_choices(request.user)
    unit = _unit_filter(request, units)
    point_choices = list(sel.point_list(request.user)[:200])
    point = _point_filter(request, point_choices)
    q = _q(request)
    page = Paginator(
        sel.overdue_list(request.user, point=point, unit=unit, q=q, today=today), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    tasks = sel.with_states(page.object_list, today)
    rows = [(t, (today - t.due_on).days, sel.task_rights(request.user, t)) for t in tasks]
    return render(
        request,
        "responsibility/tasks/overdue.html",
        {
            "page": page,
            "rows": rows,
            "units": units,
            "points": point_choices,
            "params": {"unit": unit.pk if unit else "", "point": point.pk if point else "", "q": q},
        },
    )


@require_GET
def task_list(request):
    """The tasks the user may read (a unit's own and its points'), filtered."""
    _require_tasks(request)
    today = timezone.localdate()
    g = request.GET
    units = sel.unit_choices(request.user)
    unit = _unit_filter(request, units)
    point_choices = list(sel.point_list(request.user)[:200])
    point = _point_filter(request, point_choices)
    state = g.get("state", "")
    state = state if state in sel.STATE_VALUES else ""
    kind = g.get("kind", "")
    kind = kind if kind in TaskKind.values else ""
    year = _year(request)
    q = _q(request)
    qs = sel.task_list(
        request.user,
        unit=unit,
        point=point,
        year=year,
        state=state,
        kind=kind,
        q=q,
        today=today,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    tasks = sel.with_states(page.object_list, today)
    return render(
        request,
        "responsibility/tasks/tasks.html",
        {
            "page": page,
            "tasks": tasks,
            "units": units,
            "points": point_choices,
            "states": sel.STATE_FILTERS,
            "kinds": TaskKind.choices,
            "years": sel.year_choices(today),
            "params": {
                "unit": unit.pk if unit else "",
                "point": point.pk if point else "",
                "state": state,
                "kind": kind,
                "year": year or "",
                "q": q,
            },
            "can_create": bool(units),
        },
    )


@require_GET
def task_plan(request):
    """A unit's annual plan: 党建 and 业务 tasks by month, side by side."""
    _require_tasks(request)
    today = timezone.localdate()
    units = sel.unit_choices(request.user)
    if request.GET.get("org"):
        unit = access_org(request.user, request.GET["org"], need=sel.MANAGE)
        if not sel.is_unit_top(unit):
            raise deny()
    elif units:
        unit = units[0]
    else:
        raise deny()
    year = _year(request, today.year)
    months = sel.plan(request.user, unit, year, today)
    party = sum(len(m.party) for m in months)
    business = sum(len(m.business) for m in months)
    return render(
        request,
        "responsibility/tasks/plan.html",
        {
            "org": unit,
            "unit": unit,
            "units": units,
            "year": year,
            "years": sel.year_choices(today),
            "months": months,
            "party_count": party,
            "business_count": business,
        },
    )


# ---------------------------------------------------------------------------------------------
# Tasks


@require_http_methods(["GET", "POST"])
def task_create(request):
    """A unit adds its own 党建 or 业务 task."""
    units = sel.unit_choices(request.user)
    if not units:
        raise deny()
    by_id = {u.pk: u for u in units}
    today = timezone.localdate()
    initial = {"org": units[0].pk, "year": today.year, "kind": request.GET.get("kind", "")}
    form = f.OwnTaskForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.task_create,
            actor=request.user,
            org=by_id.get(data["org"]),
            year=data["year"],
            kind=data["kind"],
            title=data["title"],
            starts_on=data["starts_on"],
            due_on=data["due_on"],
            content=data["content"],
            evidence_asked=data["evidence_asked"],
        )
        if done is not None:
            messages.success(request, "任务已登记。")
            return redirect("responsibility:task", task_id=done.pk)
    return render(
        request,
        "responsibility/tasks/task_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _task_page(request, task, *, report_form=None, close_form=None, status=200):
    today = timezone.localdate()
    [task] = sel.with_states([task], today)
    rights = sel.task_rights(request.user, task)
    meetings = sel.meetings_for_report(task) if rights.report else []
    report_form = report_form or f.ReportForm(
        meetings=meetings, initial={"progress": task.progress}
    )
    close_form = close_form or f.CloseForm(own=task.point_id is None)
    return render(
        request,
        "responsibility/tasks/task.html",
        {
            "task": task,
            "org": task.org,
            "rights": rights,
            "history": sel.history(task),
            "report_form": report_form,
            "close_form": close_form,
            "supervise_form": f.SupervisionForm(initial={"respond_by": today}),
            "escalate_days": sel.escalate_days(),
        },
        status=status,
    )


@require_GET
def task_detail(request, task_id):
    task = sel.access_task(request.user, task_id)
    return _task_page(request, task)


@require_POST
def task_report(request, task_id):
    """A progress report with photos or documents (multipart)."""
    task = sel.access_task(request.user, task_id)
    if not sel.task_rights(request.user, task).report:
        if not sel.can_report(request.user, task):
            raise deny()
        messages.error(request, "任务已办结，不能再报告进展。")
        return redirect("responsibility:task", task_id=task.pk)
    meetings = sel.meetings_for_report(task, include_id=sel._int(request.POST.get("meeting")))
    by_id = {m.pk: m for m in meetings}
    form = f.ReportForm(request.POST, request.FILES, meetings=meetings)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.task_report,
            actor=request.user,
            task=task,
            progress=data["progress"],
            text=data["text"],
            meeting=by_id.get(data["meeting"]),
            files=request.FILES.getlist("files"),
        )
        if done is not None:
            messages.success(request, f"进展已报告：完成{done.progress}%。")
            return redirect("responsibility:task", task_id=task.pk)
    return _task_page(request, task, report_form=form, status=400)


@require_POST
def task_close(request, task_id):
    task = sel.access_task(request.user, task_id)
    if not sel.can_close(request.user, task):
        raise deny()
    form = f.CloseForm(request.POST, own=task.point_id is None)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.task_close,
            actor=request.user,
            task=task,
            evaluation=data["evaluation"],
            note=data["note"],
        )
        if done is not None:
            messages.success(request, "任务已办结。")
            return redirect("responsibility:task", task_id=task.pk)
    return _task_page(request, task, close_form=form, status=400)


#: where the 督办 form goes back to ("next"): only these, never a URL from the request
BACK = {"overdue": "responsibility:overdue", "tasks": "responsibility:tasks"}


@require_http_methods(["GET", "POST"])
def task_supervise(request, task_id):
    """督办 an open task: a note and a respond-by date (from the task page or an overdue row)."""
    task = sel.access_task(request.user, task_id)
    if not sel.can_publish_over(request.user, task):
        raise deny()
    back = request.GET.get("next") or request.POST.get("next") or ""
    back = back if back in BACK else ""
    today = timezone.localdate()
    form = f.SupervisionForm(request.POST or None, initial={"respond_by": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.supervision_send,
            actor=request.user,
            task=task,
            note=data["note"],
            respond_by=data["respond_by"],
        )
        if done is not None:
            messages.success(request, f"已向{task.org.name}发出督办。")
            if back:
                return redirect(BACK[back])
            return redirect("responsibility:task", task_id=task.pk)
    [task] = sel.with_states([task], today)
    return render(
        request,
        "responsibility/tasks/supervise.html",
        {
            "task": task,
            "form": form,
            "next": back,
            "escalate_days": sel.escalate_days(),
            "is_open": task.status == "open",
        },
        status=400 if form.errors else 200,
    )


@require_GET
def task_file(request, file_id):
    item = sel.access_report_file(request.user, file_id)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise deny() from None
    response = FileResponse(
        handle,
        as_attachment=not item.content_type.startswith("image/"),
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def task_export(request, kind):
    identifier = EXPORTS.get(kind)
    if identifier is None:
        raise deny()
    p = request.POST
    params = {key: p.get(key, "") for key in ("point", "unit", "org", "year", "q")}
    outcome = export_start(actor=request.user, identifier=identifier, params=params, fmt="xlsx")
    return outcome_response(outcome)
