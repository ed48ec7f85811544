"""Pages of the retired cadres (离退休干部), their interest groups, pairings and the responsible
offices: for veterans.manage holders (the 老干部局's administrators, the 工委). Thin: parse,
access check, one service or selector. The serving cadre's own page and the requests are
views_requests.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.members.models import Member
from dangjian.veterans import forms_people as f
from dangjian.veterans import selectors_people as sel
from dangjian.veterans import services_pairings as sp
from dangjian.veterans import services_people as s
from dangjian.veterans.models import RetireeStatus

PAGE_SIZE = 20
STATUS_FILTERS = [
    ("retired", "退休"),
    ("lixiu", "离休"),
    ("living_alone", "独居"),
    ("deceased", "已去世"),
]


def require_manager(request) -> None:
    if not sel.is_manager(request.user):
        raise deny()


def _org(request, orgs, key="org"):
    chosen = sel.parse_id(request.POST.get(key))
    return next((o for o in orgs if o.pk == chosen), None)


# ---------------------------------------------------------------------------------------------
# Retirees


@require_GET
def retiree_list(request):
    require_manager(request)
    today = timezone.localdate()
    branches = sel.retiree_branches(request.user)
    branch = sel.parse_id(request.GET.get("branch"))
    branch = branch if branch in {b.pk for b in branches} else None
    status = request.GET.get("status", "")
    status = status if status in dict(STATUS_FILTERS) else ""
    q = sel.clean_text(request.GET.get("q"))
    qs = sel.retiree_list(request.user, q=q, branch=branch, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    sel.retiree_extras(list(page.object_list), today)
    return render(
        request,
        "veterans/people/retiree_list.html",
        {
            "page": page,
            "branches": branches,
            "statuses": STATUS_FILTERS,
            "params": {"branch": branch, "status": status, "q": q},
        },
    )


def _retiree_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("org", None)
    return data


@require_http_methods(["GET", "POST"])
def retiree_new(request):
    require_manager(request)
    orgs = sel.manageable_orgs(request.user)
    initial = {"status": RetireeStatus.RETIRED}
    form = f.RetireeForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        retiree = call_service(
            form,
            s.retiree_create,
            actor=request.user,
            org=_org(request, orgs),
            **_retiree_data(form),
        )
        if retiree is not None:
            messages.success(request, f"已登记离退休干部{retiree.name}。")
            return redirect("veterans:retiree", retiree_id=retiree.pk)
    return render(request, "veterans/people/retiree_form.html", {"form": form, "retiree": None})


@require_http_methods(["GET", "POST"])
def retiree_edit(request, retiree_id):
    retiree = sel.access_retiree(request.user, retiree_id)
    orgs = sel.manageable_orgs(request.user)
    initial = {
        "org": retiree.org_id,
        "name": retiree.name,
        "gender": retiree.gender,
        "birth_date": retiree.birth_date,
        "status": retiree.status,
        "former_unit": retiree.former_unit,
        "former_post": retiree.former_post,
        "retired_on": retiree.retired_on,
        "living_alone": retiree.living_alone,
        "died_on": retiree.died_on,
        "note": retiree.note,
    }
    form = f.RetireeForm(request.POST or None, orgs=orgs, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = _retiree_data(form)
        for key in s.SENSITIVE:
            if not data.get(key):
                data.pop(key, None)  # blank keeps the sealed value
        done = call_service(
            form,
            s.retiree_update,
            actor=request.user,
            retiree=retiree,
            org=_org(request, orgs),
            **data,
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("veterans:retiree", retiree_id=retiree.pk)
    return render(request, "veterans/people/retiree_form.html", {"form": form, "retiree": retiree})


@require_GET
def retiree_detail(request, retiree_id):
    retiree = sel.access_retiree(request.user, retiree_id)
    today = timezone.localdate()
    requests_ = sel.with_states(
        list(sel.request_list(request.user, retiree=retiree, today=today)[:50]), today
    )
    return render(
        request,
        "veterans/people/retiree_detail.html",
        {
            "retiree": retiree,
            "pairings": sel.retiree_pairings(retiree, today),
            "contacts": list(sel.contact_list(request.user, retiree=retiree)[:50]),
            "requests": requests_,
            "groups": list(retiree.interest_groups.all()),
            "can_reveal": can(request.user, Cap.VETERANS_MANAGE, retiree.org_path),
            "sensitive": [
                ("phone", "联系电话", retiree.phone_masked),
                ("address", "住址", retiree.address_masked),
                ("health_note", "健康状况", "已登记（已加密）" if retiree.has_health_note else ""),
            ],
        },
    )


@require_POST
def retiree_reveal(request, retiree_id, item):
    """One sensitive item in full (POST: it writes the audit log)."""
    retiree = sel.access_retiree(request.user, retiree_id)
    if item not in s.SENSITIVE:
        raise deny()
    value = s.retiree_reveal(
        actor=request.user, retiree=retiree, item=item, ip=request.META.get("REMOTE_ADDR")
    )
    if request.htmx:
        return HttpResponse(
            format_html('<span class="font-monospace" data-testid="revealed">{}</span>', value)
        )
    return render(
        request,
        "veterans/people/revealed.html",
        {"retiree": retiree, "label": s.SENSITIVE[item], "value": value},
    )


# ---------------------------------------------------------------------------------------------
# Pairings


def _cadres(user) -> list[Member]:
    """The members a manager may pair (active, in the managed subtrees; at most 500)."""
    return list(
        Member.objects.visible_to(user, Cap.VETERANS_MANAGE)
        .filter(left_on__isnull=True, retiree__isnull=True)
        .select_related("branch")
        .order_by("name_pinyin", "id")[:500]
    )


@require_http_methods(["GET", "POST"])
def pairing_new(request, retiree_id):
    retiree = sel.access_retiree(request.user, retiree_id)
    cadres = _cadres(request.user)
    form = f.PairingForm(
        request.POST or None, cadres=cadres, initial={"started_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        chosen = sel.parse_id(form.cleaned_data["cadre"])
        cadre = next((m for m in cadres if m.pk == chosen), None)
        pairing = call_service(
            form,
            sp.pairing_create,
            actor=request.user,
            retiree=retiree,
            cadre=cadre,
            started_on=form.cleaned_data["started_on"],
            note=form.cleaned_data["note"],
        )
        if pairing is not None:
            messages.success(request, f"已将{pairing.cadre.name}与{retiree.name}结对。")
            return redirect("veterans:retiree", retiree_id=retiree.pk)
    return render(request, "veterans/people/pairing_form.html", {"form": form, "retiree": retiree})


@require_GET
def pairing_list(request):
    require_manager(request)
    today = timezone.localdate()
    params = {
        "q": sel.clean_text(request.GET.get("q")),
        "overdue": request.GET.get("overdue") == "1",
    }
    rows = sel.pairing_list(request.user, today=today, **params)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if not params["overdue"]:
        sel.pairing_dues(list(page.object_list), today)
    return render(request, "veterans/people/pairing_list.html", {"page": page, "params": params})


@require_POST
def pairing_end(request, pairing_id):
    pairing = sel.access_pairing(request.user, pairing_id)
    if not can(request.user, Cap.VETERANS_MANAGE, pairing.org_path):
        raise deny()
    sp.pairing_end(actor=request.user, pairing=pairing)
    messages.success(request, "结对已结束。")
    return redirect("veterans:retiree", retiree_id=pairing.retiree_id)


# ---------------------------------------------------------------------------------------------
# Interest groups and offices


@require_http_methods(["GET", "POST"])
def group_list(request):
    require_manager(request)
    orgs = [o for o in sel.manageable_orgs(request.user) if o.kind == "branch"]
    form = f.GroupForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        group = call_service(
            form,
            s.interest_group_create,
            actor=request.user,
            org=_org(request, orgs),
            name=form.cleaned_data["name"],
            note=form.cleaned_data["note"],
        )
        if group is not None:
            messages.success(request, f"已建立兴趣小组{group.name}。")
            return redirect("veterans:group", group_id=group.pk)
    groups = list(sel.group_list(request.user))
    return render(request, "veterans/people/group_list.html", {"groups": groups, "form": form})


@require_http_methods(["GET", "POST"])
def group_detail(request, group_id):
    group = sel.access_group(request.user, group_id)
    retirees = list(
        sel.retiree_list(request.user, branch=group.org_id).filter(died_on__isnull=True)[:500]
    )
    form = f.JoinForm(request.POST or None, retirees=retirees)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "leave":
            member = next(
                (
                    r
                    for r in group.members.all()
                    if r.pk == sel.parse_id(request.POST.get("retiree"))
                ),
                None,
            )
            if member is None:
                raise deny()
            s.interest_group_leave(actor=request.user, group=group, retiree=member)
            messages.success(request, f"{member.name}已退出兴趣小组。")
            return redirect("veterans:group", group_id=group.pk)
        if form.is_valid():
            chosen = sel.parse_id(form.cleaned_data["retiree"])
            retiree = next((r for r in retirees if r.pk == chosen), None)
            if retiree is None:
                form.add_error("retiree", "请选择本支部的离退休干部。")
            elif call_service(
                form, s.interest_group_join, actor=request.user, group=group, retiree=retiree
            ):
                messages.success(request, f"{retiree.name}已加入兴趣小组。")
                return redirect("veterans:group", group_id=group.pk)
    return render(
        request,
        "veterans/people/group_detail.html",
        {"group": group, "members": list(group.members.order_by("name")), "form": form},
    )


@require_http_methods(["GET", "POST"])
def office_list(request):
    require_manager(request)
    orgs = [o for o in sel.manageable_orgs(request.user) if o.kind != "branch"]
    form = f.OfficeForm(request.POST or None, orgs=orgs)
    if request.method == "POST":
        toggle = sel.parse_id(request.POST.get("toggle"))
        if toggle:
            office = sel.access_office(request.user, toggle)
            sp.office_update(actor=request.user, office=office, is_active=not office.is_active)
            messages.success(request, f"已{'停用' if office.is_active else '启用'}{office.name}。")
            return redirect("veterans:offices")
        if form.is_valid():
            office = call_service(
                form,
                sp.office_create,
                actor=request.user,
                org=_org(request, orgs),
                name=form.cleaned_data["name"],
            )
            if office is not None:
                messages.success(request, f"已添加责任处室{office.name}。")
                return redirect("veterans:offices")
    return render(
        request,
        "veterans/people/office_list.html",
        {"offices": list(sel.office_list(request.user)), "form": form},
    )
