"""Org pages. Thin: parse, get the org through access_org, call one service or selector."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny, has_cap_anywhere, subtree_q
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.members import selectors as member_selectors
from dangjian.orgs import selectors, services
from dangjian.orgs.forms import DissolveForm, ElectionForm, MoveForm, OrgForm, SeatForm
from dangjian.orgs.models import ALLOWED_CHILDREN, OrgKind
from dangjian.rules import orgs as org_rules

PAGE_SIZE = 30


@require_GET
def tree(request):
    """The lazily loaded tree: roots, the children of one node, or search results."""
    if not has_cap_anywhere(request.user, Cap.ORG_VIEW):
        raise deny()
    q = request.GET.get("q", "").strip()[:50]
    parent_id = request.GET.get("parent")
    current = request.GET.get("current")
    if q:
        return render(
            request,
            "orgs/_tree_search.html",
            {"results": selectors.tree_search(request.user, q), "q": q},
        )
    if parent_id:
        parent = selectors.access_org(request.user, parent_id)
        nodes = selectors.tree_children(request.user, parent)
    else:
        nodes = selectors.tree_roots(request.user)
        if current:
            # open the tree down to the org being shown: its visible ancestors are expanded
            selectors.expand_towards(request.user, nodes, _int_or_none(current))
    return render(request, "orgs/_tree_nodes.html", {"nodes": nodes, "current": current})


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
def org_list(request):
    if not has_cap_anywhere(request.user, Cap.ORG_VIEW):
        raise deny()
    q = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    kind = kind if kind in OrgKind.values else ""
    status = request.GET.get("status", "active")
    orgs = selectors.org_list(request.user, q=q, kind=kind, status=status)
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = selectors.findings_for(list(page.object_list))
    rows = [(o, statuses.get(o.pk)) for o in page.object_list]
    return render(
        request,
        "orgs/list.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "kind": kind,
            "status": status,
            "kinds": OrgKind.choices,
        },
    )


@require_GET
def org_detail(request, org_id):
    org = selectors.access_org(request.user, org_id)
    children = selectors.tree_children(request.user, org, include_dissolved=True)
    statuses = selectors.findings_for([org, *children])  # one pass for the org and its children
    status = statuses.get(org.pk)
    child_status = statuses
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "ancestors": [
                a for a in selectors.ancestors(org) if can(request.user, Cap.ORG_VIEW, a.path)
            ],
            "counts": selectors.subtree_member_counts(org),
            "seats": selectors.current_seats(org),
            "term": selectors.current_term(org),
            "terms": selectors.term_history(org),
            "term_years": org_rules.term_years(org.kind),
            "findings": status.findings if status else [],
            "children": [(c, child_status.get(c.pk)) for c in children],
            "can_manage": can(request.user, Cap.ORG_MANAGE, org.path),
            "can_manage_parent": org.parent is not None
            and can(request.user, Cap.ORG_MANAGE, org.parent.path),
            "can_members": can(request.user, Cap.MEMBER_VIEW, org.path),
            "can_manage_members": can(request.user, Cap.MEMBER_MANAGE, org.path),
            "child_kinds": sorted(ALLOWED_CHILDREN[org.kind]),
        },
    )


@require_http_methods(["GET", "POST"])
def org_create(request, parent_id):
    parent = selectors.access_org(request.user, parent_id, need=Cap.ORG_MANAGE)
    kinds = sorted(ALLOWED_CHILDREN[parent.kind])
    form = OrgForm(request.POST or None, kinds=kinds, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = call_service(
            form,
            services.org_create,
            actor=request.user,
            parent=parent,
            name=data["name"],
            kind=data["kind"],
            unit=data["unit"],
            is_retiree_branch=data["is_retiree_branch"],
            established_on=data["established_on"],
            contact_phone=data["contact_phone"],
            sort=data["sort"] or 0,
        )
        if org is not None:
            return redirect("orgs:detail", org_id=org.pk)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "parent": parent, "title": f"在“{parent.name}”下新建组织"},
    )


@require_http_methods(["GET", "POST"])
def org_edit(request, org_id):
    org = selectors.access_org(request.user, org_id, need=Cap.ORG_MANAGE)
    initial = {f: getattr(org, f) for f in services.EDITABLE_FIELDS}
    form = OrgForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        data["sort"] = data["sort"] or 0
        done = call_service(form, services.org_update, actor=request.user, org=org, **data)
        if done is not None:
            return redirect("orgs:detail", org_id=org.pk)
    return render(
        request, "orgs/form.html", {"form": form, "org": org, "title": f"编辑“{org.name}”"}
    )


@require_http_methods(["GET", "POST"])
def org_move(request, org_id):
    org = selectors.access_org_in_parent(request.user, org_id)
    parents = [
        p
        for p in selectors.visible_orgs(request.user, Cap.ORG_MANAGE)
        .filter(
            dissolved_on__isnull=True,
            kind__in=[k for k, allowed in ALLOWED_CHILDREN.items() if org.kind in allowed],
        )
        .exclude(subtree_q("path", org.path))
        .exclude(pk=org.parent_id)
        .order_by("path")[:500]
    ]
    form = MoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        new_parent = selectors.access_org(
            request.user, form.cleaned_data["new_parent"], need=Cap.ORG_MANAGE
        )
        done = call_service(
            form, services.org_move, actor=request.user, org=org, new_parent=new_parent
        )
        if done is not None:
            return redirect("orgs:detail", org_id=org.pk)
    return render(
        request, "orgs/form.html", {"form": form, "org": org, "title": f"移动“{org.name}”"}
    )


@require_http_methods(["GET", "POST"])
def org_dissolve(request, org_id):
    org = selectors.access_org_in_parent(request.user, org_id)
    form = DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.org_dissolve,
            actor=request.user,
            org=org,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            return redirect("orgs:detail", org_id=org.pk)
    return render(
        request,
        "orgs/form.html",
        {
            "form": form,
            "org": org,
            "title": f"撤销“{org.name}”",
            "danger": True,
            "hint": "撤销后组织保留历史记录；须先撤销或移走下级组织、转出全部党员。",
        },
    )


@require_http_methods(["GET", "POST"])
def term_record(request, org_id):
    org = selectors.access_org(request.user, org_id, need=Cap.ORG_MANAGE)
    form = ElectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form, services.term_record_election, actor=request.user, org=org, **form.cleaned_data
        )
        if done is not None:
            return redirect("orgs:detail", org_id=org.pk)
    years = org_rules.term_years(org.kind)
    return render(
        request,
        "orgs/form.html",
        {
            "form": form,
            "org": org,
            "title": f"登记换届选举：{org.name}",
            "hint": f"新一届任期按规定为{years}年（R-ORG-23），届满日期自动计算。"
            if years
            else f"{org.get_kind_display()}不实行任期制。",
        },
    )


@require_http_methods(["GET", "POST"])
def seat_assign(request, org_id):
    org = selectors.access_org(request.user, org_id, need=Cap.ORG_MANAGE)
    members = member_selectors.members_in_subtree(org)
    form = SeatForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        by_id = {m.pk: m for m in members}
        member = by_id.get(form.cleaned_data["member"])
        done = call_service(
            form,
            services.seat_assign,
            actor=request.user,
            org=org,
            member=member,
            role=form.cleaned_data["role"],
            started_on=form.cleaned_data["started_on"],
        )
        if done is not None:
            return redirect("orgs:detail", org_id=org.pk)
    return render(
        request, "orgs/form.html", {"form": form, "org": org, "title": f"任命委员：{org.name}"}
    )


@require_POST
def seat_end(request, org_id, seat_id):
    org = selectors.access_org(request.user, org_id, need=Cap.ORG_MANAGE)
    seat = selectors.access_seat(org, seat_id)
    services.seat_end(actor=request.user, seat=seat, ended_on=timezone.localdate())
    return redirect("orgs:detail", org_id=org.pk)
