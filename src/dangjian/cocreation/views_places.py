"""Pages of the places and pairings: the register of villages and communities, a community's
page (everything every pairing did there, as the user may see it), a pairing's page with its
cadres, projects, visits and campaigns, and their forms. Thin: parse, access check, one
selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.cocreation import forms as f
from dangjian.cocreation import selectors as sel
from dangjian.cocreation import services
from dangjian.cocreation.models import CommunityKind
from dangjian.cocreation.selectors_community import community_page
from dangjian.cocreation.services_pairings import COMMUNITY_FIELDS
from dangjian.cocreation.views_home import PAGE_SIZE, require_manager
from dangjian.core.access import deny
from dangjian.core.errors import AppError
from dangjian.core.forms import call_service

# ---------------------------------------------------------------------------------------------
# Communities


@require_GET
def community_list(request):
    """The registered villages and communities (shared reference data) for any reader."""
    if not sel.is_reader(request.user):
        raise deny()
    g = request.GET
    districts = sel.districts()
    district = sel.clean_text(g.get("district"))
    district = district if district in districts else ""
    kind = g.get("kind", "")
    kind = kind if kind in CommunityKind.values else ""
    q = sel.clean_q(g.get("q"))
    page = Paginator(sel.community_list(district=district, kind=kind, q=q), PAGE_SIZE).get_page(
        g.get("page")
    )
    return render(
        request,
        "cocreation/community_list.html",
        {
            "page": page,
            "districts": districts,
            "kinds": CommunityKind.choices,
            "params": {"district": district, "kind": kind, "q": q},
            "can_create": sel.is_manager(request.user),
        },
    )


def _community_values(data: dict) -> dict:
    return {
        "name": data["name"],
        "kind": data["kind"],
        "district": data["district"],
        "township": data["township"],
        "households": data["households"],
        "population": data["population"],
        "note": data["note"],
    }


@require_http_methods(["GET", "POST"])
def community_create(request):
    require_manager(request)
    form = f.CommunityForm(request.POST or None, initial={"kind": "village"})
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.community_create,
            actor=request.user,
            **_community_values(form.cleaned_data),
        )
        if done is not None:
            messages.success(request, f"已登记{done}。")
            return redirect("cocreation:community", community_id=done.pk)
    return render(
        request,
        "cocreation/community_form.html",
        {"form": form, "community": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def community_edit(request, community_id):
    community = sel.access_community(request.user, community_id)
    if not sel.is_manager(request.user) or not services.may_edit_community(request.user, community):
        raise deny()
    initial = {name: getattr(community, name) for name in COMMUNITY_FIELDS}
    form = f.CommunityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.community_update,
            actor=request.user,
            community=community,
            **_community_values(form.cleaned_data),
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("cocreation:community", community_id=community.pk)
    return render(
        request,
        "cocreation/community_form.html",
        {"form": form, "community": community},
        status=400 if form.errors else 200,
    )


@require_GET
def community_detail(request, community_id):
    """Everything done in the place by every pairing: in full for the pairing units'
    managers and the 工委, what the units marked public for every other reader."""
    community = sel.access_community(request.user, community_id)
    page = community_page(request.user, community, visit_page=request.GET.get("page"))
    return render(
        request,
        "cocreation/community_detail.html",
        {
            "p": page,
            "page": page.visits,
            "can_edit": sel.is_manager(request.user)
            and services.may_edit_community(request.user, community),
            "can_pair": bool(sel.is_manager(request.user) and sel.unit_orgs(request.user)),
        },
    )


@require_GET
def community_options(request):
    """The pairing form's place <select>, narrowed by `q` (htmx swaps it in as the user types);
    the place chosen so far (`community`) stays on offer."""
    require_manager(request)
    rows = sel.community_choices(
        q=sel.clean_q(request.GET.get("q")), include=request.GET.get("community")
    )
    form = f.PairingForm(
        initial={"community": sel.parse_id(request.GET.get("community"))}, communities=rows
    )
    return render(request, "cocreation/_select.html", {"field": form["community"]})


# ---------------------------------------------------------------------------------------------
# Pairings


@require_http_methods(["GET", "POST"])
def pairing_create(request):
    require_manager(request)
    orgs = sel.unit_orgs(request.user)
    if not orgs:
        raise deny()
    by_org = {o.pk: o for o in orgs}
    initial = {"started_on": timezone.localdate()}
    place = sel.parse_id(request.GET.get("community"))
    chosen = request.POST.get("community") if request.method == "POST" else place
    # a page of the register is listed (a search narrows it); any registered place is taken
    communities = sel.community_choices(include=chosen)
    if place in {c.pk for c in communities}:
        initial["community"] = place
    if len(orgs) == 1:
        initial["org"] = orgs[0].pk
    form = f.PairingForm(
        request.POST or None,
        initial=initial,
        orgs=orgs,
        communities=communities,
        find_community=sel.community_by_id,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.pairing_create,
            actor=request.user,
            org=by_org.get(data["org"]),
            community=data["community"],
            started_on=data["started_on"],
            is_pilot=data["is_pilot"],
            note=data["note"],
        )
        if done is not None:
            messages.success(request, f"已登记{done.org.name}包联{done.community}。")
            return redirect("cocreation:pairing", pairing_id=done.pk)
    return render(
        request,
        "cocreation/pairing_form.html",
        {"form": form, "pairing": None},
        status=400 if form.errors else 200,
    )


def _pairing_page(request, pairing, *, cadre_form=None, end_form=None, status=200):
    today = timezone.localdate()
    projects = sel.decorate_projects(sel.project_list(request.user, pairing=pairing), today)
    visits = Paginator(sel.visit_list(pairing), PAGE_SIZE).get_page(request.GET.get("page"))
    campaigns = list(
        sel.campaign_list(request.user, org_id=pairing.org_id).filter(
            communities=pairing.community
        )[:20]
    )
    cadres = list(pairing.cadres.select_related("member").order_by("ended_on", "started_on"))
    return render(
        request,
        "cocreation/pairing_detail.html",
        {
            "pairing": pairing,
            "projects": projects,
            "page": visits,
            "campaigns": campaigns,
            "cadres": cadres,
            "open_problems": list(
                sel.problem_list(request.user, pairing=pairing, status="open", today=today)[:50]
            ),
            "today": today,
            "cadre_form": cadre_form
            or f.CadreForm(initial={"started_on": today}, members=sel.members_for_cadres(pairing)),
            "end_form": end_form or f.EndForm(initial={"ended_on": today}),
            "live": pairing.ended_on is None,
        },
        status=status,
    )


@require_GET
def pairing_detail(request, pairing_id):
    pairing = sel.access_pairing(request.user, pairing_id)
    return _pairing_page(request, pairing)


@require_http_methods(["GET", "POST"])
def pairing_edit(request, pairing_id):
    pairing = sel.access_pairing(request.user, pairing_id)
    form = f.PairingEditForm(
        request.POST or None,
        initial={
            "started_on": pairing.started_on,
            "is_pilot": pairing.is_pilot,
            "note": pairing.note,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.pairing_update,
            actor=request.user,
            pairing=pairing,
            started_on=data["started_on"],
            is_pilot=data["is_pilot"],
            note=data["note"],
        )
        if done is not None:
            messages.success(request, "包联关系已保存。")
            return redirect("cocreation:pairing", pairing_id=pairing.pk)
    return render(
        request,
        "cocreation/pairing_form.html",
        {"form": form, "pairing": pairing},
        status=400 if form.errors else 200,
    )


@require_POST
def pairing_end(request, pairing_id):
    pairing = sel.access_pairing(request.user, pairing_id)
    form = f.EndForm(request.POST)
    if form.is_valid():
        done = call_service(
            form,
            services.pairing_end,
            actor=request.user,
            pairing=pairing,
            ended_on=form.cleaned_data["ended_on"],
        )
        if done is not None:
            messages.success(request, "包联关系已结束，记录仍保留。")
            return redirect("cocreation:pairing", pairing_id=pairing.pk)
    return _pairing_page(request, pairing, end_form=form, status=400)


@require_POST
def cadre_add(request, pairing_id):
    pairing = sel.access_pairing(request.user, pairing_id)
    form = f.CadreForm(
        request.POST,
        members=sel.members_for_cadres(pairing, include=request.POST.get("member")),
        find_member=lambda pk: sel.cadre_member(pairing, pk),
    )
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.cadre_add,
            actor=request.user,
            pairing=pairing,
            name=data["name"],
            post=data["post"],
            started_on=data["started_on"],
            member=data["member"],
        )
        if done is not None:
            messages.success(request, f"已添加包联干部{done.name}。")
            return redirect("cocreation:pairing", pairing_id=pairing.pk)
    return _pairing_page(request, pairing, cadre_form=form, status=400)


@require_GET
def cadre_members(request, pairing_id):
    """The cadre form's member <select>, narrowed by `q` (htmx swaps it in as the user types);
    the member chosen so far (`member`) stays on offer."""
    pairing = sel.access_pairing(request.user, pairing_id)
    rows = sel.members_for_cadres(
        pairing, q=sel.clean_q(request.GET.get("q")), include=request.GET.get("member")
    )
    form = f.CadreForm(initial={"member": sel.parse_id(request.GET.get("member"))}, members=rows)
    return render(request, "cocreation/_select.html", {"field": form["member"]})


@require_POST
def cadre_end(request, cadre_id):
    cadre = sel.access_cadre(request.user, cadre_id)
    form = f.CadreEndForm(request.POST)
    if not form.is_valid():
        # an unreadable date is refused; only a blank one means today
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("cocreation:pairing", pairing_id=cadre.pairing_id)
    try:
        services.cadre_end(actor=request.user, cadre=cadre, ended_on=form.cleaned_data["ended_on"])
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{cadre.name}已离任。")
    return redirect("cocreation:pairing", pairing_id=cadre.pairing_id)
