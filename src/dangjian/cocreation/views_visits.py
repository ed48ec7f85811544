"""Pages of the campaigns (专项行动), the visits (下基层察民情解民忧暖民心) and the problems found
on them: lists, forms, a visit's page with its problems tracked to resolution, photos. Thin:
parse, access check, one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.cocreation import forms as f
from dangjian.cocreation import selectors as sel
from dangjian.cocreation import services
from dangjian.cocreation.views_home import PAGE_SIZE, require_manager
from dangjian.cocreation.views_projects import _upload
from dangjian.core.access import deny
from dangjian.core.forms import call_service


def safe_next(request) -> str:
    """A `next` path on this site, or ""."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return ""


CAMPAIGN_FIELDS = [
    "title",
    "starts_on",
    "ends_on",
    "content",
    "cadres",
    "residents",
    "results",
    "is_public",
]

# ---------------------------------------------------------------------------------------------
# Campaigns


@require_GET
def campaign_list(request):
    require_manager(request)
    units = sel.paired_units(request.user)
    unit = sel.parse_id(request.GET.get("unit"))
    unit = unit if unit in {u.pk for u in units} else None
    q = sel.clean_q(request.GET.get("q"))
    page = Paginator(sel.campaign_list(request.user, org_id=unit, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    places = sel.places_of(page.object_list)
    for c in page.object_list:
        c.places = places.get(c.pk, [])
    return render(
        request,
        "cocreation/campaign_list.html",
        {
            "page": page,
            "units": units,
            "params": {"unit": unit, "q": q},
            "can_create": bool(sel.unit_orgs(request.user)),
        },
    )


def _campaign_form_page(request, *, campaign=None):
    today = timezone.localdate()
    if campaign is None:
        orgs = sel.unit_orgs(request.user)
        if not orgs:
            raise deny()
        chosen = sel.parse_id(request.POST.get("org") or request.GET.get("org"))
        org = next((o for o in orgs if o.pk == chosen), orgs[0])
        initial = {"org": org.pk, "starts_on": today, "ends_on": today, "is_public": True}
    else:
        orgs, org = [], campaign.org
        initial = {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}
        initial["communities"] = [c.pk for c in campaign.communities.all()]
    places = sel.communities_for_campaign(org)
    by_place = {c.pk: c for c in places}
    form = f.CampaignForm(request.POST or None, initial=initial, orgs=orgs, communities=places)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in CAMPAIGN_FIELDS}
        chosen_places = [by_place[pk] for pk in data["communities"] if pk in by_place]
        if campaign is None:
            done = call_service(
                form,
                services.campaign_create,
                actor=request.user,
                org=org,
                communities=chosen_places,
                **values,
            )
        else:
            done = call_service(
                form,
                services.campaign_update,
                actor=request.user,
                campaign=campaign,
                communities=chosen_places,
                **values,
            )
        if done is not None:
            messages.success(request, f"专项行动“{done.title}”已保存。")
            return redirect("cocreation:campaign", campaign_id=done.pk)
    return render(
        request,
        "cocreation/campaign_form.html",
        {"form": form, "campaign": campaign, "org": org, "orgs": orgs},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def campaign_create(request):
    require_manager(request)
    return _campaign_form_page(request)


@require_http_methods(["GET", "POST"])
def campaign_edit(request, campaign_id):
    campaign = sel.access_campaign(request.user, campaign_id)
    return _campaign_form_page(request, campaign=campaign)


def _campaign_page(request, campaign, *, photo_form=None, status=200):
    return render(
        request,
        "cocreation/campaign_detail.html",
        {
            "campaign": campaign,
            "places": sel.places_of([campaign]).get(campaign.pk, []),
            "photos": sel.photos_of(campaign=campaign),
            "photo_form": photo_form or f.PhotoForm(),
        },
        status=status,
    )


@require_GET
def campaign_detail(request, campaign_id):
    campaign = sel.access_campaign(request.user, campaign_id)
    return _campaign_page(request, campaign)


@require_POST
def campaign_photo_add(request, campaign_id):
    campaign = sel.access_campaign(request.user, campaign_id)
    form, photo = _upload(request, {"campaign": campaign})
    if photo is not None:
        messages.success(request, "照片已上传。")
        return redirect("cocreation:campaign", campaign_id=campaign.pk)
    return _campaign_page(request, campaign, photo_form=form, status=400)


# ---------------------------------------------------------------------------------------------
# Visits


@require_http_methods(["GET", "POST"])
def visit_create(request, pairing_id):
    pairing = sel.access_pairing(request.user, pairing_id)
    form = f.VisitForm(request.POST or None, initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.visit_record,
            actor=request.user,
            pairing=pairing,
            visited_on=data["visited_on"],
            visitors=data["visitors"],
            summary=data["summary"],
            households=data["households"],
            is_public=data["is_public"],
            problems=form.problems(),
        )
        if done is not None:
            messages.success(request, "走访记录已登记。")
            return redirect("cocreation:visit", visit_id=done.pk)
    return render(
        request,
        "cocreation/visit_form.html",
        {"form": form, "pairing": pairing},
        status=400 if form.errors else 200,
    )


def _visit_page(
    request, visit, *, problem_form=None, photo_form=None, update_form=None, failed=None, status=200
):
    today = timezone.localdate()
    problems = list(visit.problems.order_by("due_on", "id"))
    for p in problems:
        p.overdue = p.status in sel.OPEN and p.due_on < today
    return render(
        request,
        "cocreation/visit_detail.html",
        {
            "visit": visit,
            "pairing": visit.pairing,
            "problems": problems,
            "photos": sel.photos_of(visit=visit),
            "problem_form": problem_form or f.ProblemForm(),
            "photo_form": photo_form or f.PhotoForm(),
            "update_form": update_form or f.ProblemUpdateForm(initial={"resolved_on": today}),
            "failed": failed,
        },
        status=status,
    )


@require_GET
def visit_detail(request, visit_id):
    visit = sel.access_visit(request.user, visit_id)
    return _visit_page(request, visit)


@require_POST
def visit_photo_add(request, visit_id):
    visit = sel.access_visit(request.user, visit_id)
    form, photo = _upload(request, {"visit": visit})
    if photo is not None:
        messages.success(request, "照片已上传。")
        return redirect("cocreation:visit", visit_id=visit.pk)
    return _visit_page(request, visit, photo_form=form, status=400)


@require_POST
def problem_add(request, visit_id):
    visit = sel.access_visit(request.user, visit_id)
    form = f.ProblemForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.problem_add,
            actor=request.user,
            visit=visit,
            description=data["description"],
            owner_name=data["owner_name"],
            due_on=data["due_on"],
            raised_by=data["raised_by"],
        )
        if done is not None:
            messages.success(request, "问题已登记。")
            return redirect("cocreation:visit", visit_id=visit.pk)
    return _visit_page(request, visit, problem_form=form, status=400)


@require_POST
def problem_update(request, problem_id):
    """Move a problem on (from the visit page or the ledger: `next` says where to go back)."""
    problem = sel.access_problem(request.user, problem_id)
    form = f.ProblemUpdateForm(request.POST)
    back = safe_next(request)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.problem_update,
            actor=request.user,
            problem=problem,
            status=data["status"],
            resolution=data["resolution"],
            resolved_on=data["resolved_on"],
        )
        if done is not None:
            messages.success(request, f"问题已更新为“{done.get_status_display()}”。")
            return redirect(back or reverse("cocreation:visit", args=[problem.visit_id]))
    if back:
        errors = [e for errs in form.errors.values() for e in errs]
        messages.error(request, errors[0] if errors else "请求数据有误。")
        return redirect(back)
    visit = sel.access_visit(request.user, problem.visit_id)
    return _visit_page(request, visit, update_form=form, failed=problem.pk, status=400)
