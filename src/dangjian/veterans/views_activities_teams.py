"""Pages of the 银龄志愿服务队: the list (search, status, paging; members, activities, hours
and people served per team in a fixed number of queries), a team's page (members and
activities), and the forms: new team, edit, disband, add a member, a member leaves, record
an activity. Thin: parse, access check, one selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.errors import AppError
from dangjian.core.forms import call_service
from dangjian.veterans import forms_activities as f
from dangjian.veterans import selectors_activities as sel
from dangjian.veterans import services_activities as services
from dangjian.veterans.models import Resource
from dangjian.veterans.views_activities import PAGE_SIZE, parse_year, require_manager


def _pick(form, name: str, value, found, label: str):
    """An id chosen in the form → the object, or a refusal at the field."""
    if value in (None, ""):
        return None
    if found is None:
        raise AppError(f"请选择有效的{label}。", field=name)
    return found


def _back(team) -> str:
    return reverse("veterans:team", args=[team.pk])


@require_GET
def team_list(request):
    require_manager(request)
    g = request.GET
    status = g.get("status", "live")
    status = status if status in ("live", "disbanded", "all") else "live"
    q = sel.clean_q(g.get("q"))
    page = Paginator(sel.team_list(request.user, status=status, q=q), PAGE_SIZE).get_page(
        g.get("page")
    )
    figures = sel.team_figures(page.object_list)
    for team in page.object_list:
        team.figures = figures[team.pk]
    return render(
        request,
        "veterans/activities/team_list.html",
        {"page": page, "params": {"status": status, "q": q}, "active": "teams"},
    )


def _team_service(request, form, fn, **kwargs):
    data = form.cleaned_data
    leader_id = data.get("leader")
    leader = sel.retiree_for(request.user, leader_id) if leader_id else None
    try:
        leader = _pick(form, "leader", leader_id, leader, "队长")
    except AppError as exc:
        form.add_error("leader", exc.message)
        return None
    return call_service(
        form,
        fn,
        actor=request.user,
        name=data["name"],
        focus=data["focus"],
        founded_on=data["founded_on"],
        leader=leader,
        **kwargs,
    )


@require_http_methods(["GET", "POST"])
def team_create(request):
    require_manager(request)
    orgs = sel.org_choices(request.user)
    form = f.TeamForm(request.POST or None, orgs=orgs, retirees=sel.retiree_choices(request.user))
    if request.method == "POST" and form.is_valid():
        org = next((o for o in orgs if o.pk == form.cleaned_data["org"]), None)
        if org is None:
            form.add_error("org", "请选择所属组织。")
        else:
            team = _team_service(request, form, services.team_create, org=org)
            if team is not None:
                messages.success(request, f"已成立{team.name}。")
                return redirect("veterans:team", team_id=team.pk)
    return render(
        request,
        "veterans/activities/form.html",
        {"form": form, "title": "新建银龄志愿服务队", "back_url": reverse("veterans:teams")},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def team_edit(request, team_id):
    team = sel.access_team(request.user, team_id)
    initial = {
        "name": team.name,
        "focus": team.focus,
        "founded_on": team.founded_on,
        "leader": team.leader_id,
    }
    form = f.TeamForm(
        request.POST or None,
        initial=initial,
        retirees=sel.retirees_for(team.org_path),
        with_org=False,
    )
    if request.method == "POST" and form.is_valid():
        done = _team_service(request, form, services.team_update, team=team)
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("veterans:team", team_id=team.pk)
    return render(
        request,
        "veterans/activities/form.html",
        {
            "form": form,
            "title": f"修改{team.name}",
            "back_url": reverse("veterans:team", args=[team.pk]),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def team_detail(request, team_id):
    team = sel.access_team(request.user, team_id)
    activities = sel.activity_list(request.user, team=team)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    names = sel.participants_for(page.object_list)
    for a in page.object_list:
        a.names = names.get(a.pk, [])
    members = sel.live_members(team)
    today = timezone.localdate()
    return render(
        request,
        "veterans/activities/team_detail.html",
        {
            "team": team,
            "members": members,
            "figures": sel.team_figures([team])[team.pk],
            "page": page,
            "member_form": f.MemberAddForm(
                initial={"joined_on": today}, retirees=sel.retirees_for(team.org_path)
            ),
            "activity_form": f.ActivityForm(
                initial={"held_on": today, "resource": Resource.SILVER},
                members=[m.retiree for m in members],
            ),
            "day_form": f.DayForm(initial={"on": today}),
            "active": "teams",
        },
    )


@require_POST
def team_disband(request, team_id):
    team = sel.access_team(request.user, team_id)
    form = f.DayForm(request.POST)
    on = form.cleaned_data["on"] if form.is_valid() else None
    services.team_disband(actor=request.user, team=team, disbanded_on=on)
    messages.success(request, f"{team.name}已撤销。")
    return redirect("veterans:team", team_id=team.pk)


@require_POST
def member_add(request, team_id):
    team = sel.access_team(request.user, team_id)
    form = f.MemberAddForm(request.POST, retirees=sel.retirees_for(team.org_path))
    if form.is_valid():
        retiree = sel.retiree_in(team.org_path, form.cleaned_data["retiree"])
        done = call_service(
            form,
            services.team_member_add,
            actor=request.user,
            team=team,
            retiree=retiree,
            joined_on=form.cleaned_data["joined_on"],
        )
        if done is not None:
            messages.success(request, f"{done.retiree.name}已加入。")
            return redirect("veterans:team", team_id=team.pk)
    return render(
        request,
        "veterans/activities/form.html",
        {
            "form": form,
            "title": f"{team.name} · 添加队员",
            "back_url": reverse("veterans:team", args=[team.pk]),
        },
        status=400,
    )


@require_POST
def member_leave(request, membership_id):
    membership = sel.access_membership(request.user, membership_id)
    form = f.DayForm(request.POST)
    on = form.cleaned_data["on"] if form.is_valid() else None
    services.team_member_leave(actor=request.user, membership=membership, left_on=on)
    messages.success(request, f"{membership.retiree.name}已退出。")
    return redirect("veterans:team", team_id=membership.team_id)


@require_POST
def activity_create(request, team_id):
    team = sel.access_team(request.user, team_id)
    ids = request.POST.getlist("participants")
    people = sel.team_retirees(team, ids)
    form = f.ActivityForm(request.POST, members=people)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.volunteer_activity_record,
            actor=request.user,
            team=team,
            title=data["title"],
            held_on=data["held_on"],
            place=data["place"],
            resource=data["resource"],
            hours=data["hours"],
            beneficiaries=data["beneficiaries"],
            summary=data["summary"],
            participants=people,
        )
        if done is not None:
            messages.success(request, f"已记录活动“{done.title}”。")
            return redirect("veterans:team", team_id=team.pk)
    form.fields["participants"].choices = [
        (str(m.retiree.pk), m.retiree.name) for m in sel.live_members(team)
    ]
    return render(
        request,
        "veterans/activities/form.html",
        {
            "form": form,
            "title": f"{team.name} · 记录活动",
            "back_url": reverse("veterans:team", args=[team.pk]),
        },
        status=400,
    )


@require_GET
def activity_list(request):
    """Every team's activities the user manages, by resource category, year and search."""
    require_manager(request)
    g = request.GET
    resource = g.get("resource", "")
    resource = resource if resource in Resource.values else ""
    year = parse_year(g.get("year"), timezone.localdate())
    q = sel.clean_q(g.get("q"))
    activities = sel.activity_list(request.user, resource=resource, year=year, q=q)
    page = Paginator(activities, PAGE_SIZE).get_page(g.get("page"))
    names = sel.participants_for(page.object_list)
    for a in page.object_list:
        a.names = names.get(a.pk, [])
    today = timezone.localdate()
    return render(
        request,
        "veterans/activities/activity_list.html",
        {
            "page": page,
            "params": {"resource": resource, "year": year, "q": q},
            "resources": Resource.choices,
            "years": list(range(today.year, today.year - 6, -1)),
        },
    )
