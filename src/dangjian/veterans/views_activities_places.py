"""Pages of the studios (老党员工作室, 老党员之家) with their activities, the care sessions
(健康顾问, 智慧助老), and the exemplars (典型) with their mediation cases, and their forms.
Thin: parse, access check, one selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.forms import call_service
from dangjian.veterans import forms_activities as f
from dangjian.veterans import selectors_activities as sel
from dangjian.veterans import services_activities_care as services
from dangjian.veterans.models import CareKind, MediationOutcome, Resource, StudioKind
from dangjian.veterans.views_activities import PAGE_SIZE, parse_year, require_manager


def _form_page(request, form, title, back_url, status=None):
    return render(
        request,
        "veterans/activities/form.html",
        {"form": form, "title": title, "back_url": back_url},
        status=status or (400 if form.errors else 200),
    )


def _leader(request, form, field="leader", label="领衔老党员"):
    """The retiree chosen in the form (None when blank); False after a refusal at the field."""
    pk = form.cleaned_data.get(field)
    if pk in (None, ""):
        return None
    found = sel.retiree_for(request.user, pk)
    if found is None:
        form.add_error(field, f"请选择有效的{label}。")
        return False
    return found


# ---------------------------------------------------------------------------------------------
# Studios


@require_GET
def studio_list(request):
    require_manager(request)
    g = request.GET
    kind = g.get("kind", "")
    kind = kind if kind in StudioKind.values else ""
    q = sel.clean_q(g.get("q"))
    page = Paginator(sel.studio_list(request.user, kind=kind, q=q), PAGE_SIZE).get_page(
        g.get("page")
    )
    return render(
        request,
        "veterans/activities/studio_list.html",
        {"page": page, "params": {"kind": kind, "q": q}, "kinds": StudioKind.choices},
    )


def _studio_values(data) -> dict:
    keys = ("kind", "name", "place", "opened_on", "note")
    return {k: data[k] for k in keys}


@require_http_methods(["GET", "POST"])
def studio_create(request):
    require_manager(request)
    orgs = sel.org_choices(request.user)
    form = f.StudioForm(
        request.POST or None,
        initial={
            "kind": request.GET.get("kind") if request.GET.get("kind") == "home" else "studio"
        },
        orgs=orgs,
        retirees=sel.retiree_choices(request.user),
    )
    if request.method == "POST" and form.is_valid():
        org = next((o for o in orgs if o.pk == form.cleaned_data["org"]), None)
        leader = _leader(request, form)
        if org is None:
            form.add_error("org", "请选择所属组织。")
        elif leader is not False:
            studio = call_service(
                form,
                services.studio_create,
                actor=request.user,
                org=org,
                leader=leader,
                **_studio_values(form.cleaned_data),
            )
            if studio is not None:
                messages.success(request, f"已登记{studio.name}。")
                return redirect("veterans:studio", studio_id=studio.pk)
    return _form_page(request, form, "登记老党员工作室（之家）", reverse("veterans:studios"))


@require_http_methods(["GET", "POST"])
def studio_edit(request, studio_id):
    studio = sel.access_studio(request.user, studio_id)
    initial = {k: getattr(studio, k) for k in ("kind", "name", "place", "opened_on", "note")}
    initial["leader"] = studio.leader_id
    form = f.StudioForm(
        request.POST or None,
        initial=initial,
        retirees=sel.retirees_for(studio.org_path),
        with_org=False,
    )
    if request.method == "POST" and form.is_valid():
        leader = _leader(request, form)
        if leader is not False:
            done = call_service(
                form,
                services.studio_update,
                actor=request.user,
                studio=studio,
                leader=leader,
                **_studio_values(form.cleaned_data),
            )
            if done is not None:
                messages.success(request, "已保存。")
                return redirect("veterans:studio", studio_id=studio.pk)
    return _form_page(
        request, form, f"修改{studio.name}", reverse("veterans:studio", args=[studio.pk])
    )


@require_GET
def studio_detail(request, studio_id):
    studio = sel.access_studio(request.user, studio_id)
    page = Paginator(sel.studio_activities(studio), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "veterans/activities/studio_detail.html",
        {
            "studio": studio,
            "page": page,
            "form": f.StudioActivityForm(
                initial={"held_on": timezone.localdate(), "resource": Resource.RED}
            ),
        },
    )


@require_POST
def studio_activity_add(request, studio_id):
    studio = sel.access_studio(request.user, studio_id)
    form = f.StudioActivityForm(request.POST)
    if form.is_valid():
        done = call_service(
            form,
            services.studio_activity_record,
            actor=request.user,
            studio=studio,
            **form.cleaned_data,
        )
        if done is not None:
            messages.success(request, f"已记录活动“{done.title}”。")
            return redirect("veterans:studio", studio_id=studio.pk)
    return _form_page(
        request,
        form,
        f"{studio.name} · 记录活动",
        reverse("veterans:studio", args=[studio.pk]),
        400,
    )


# ---------------------------------------------------------------------------------------------
# Care sessions


@require_GET
def care_list(request):
    require_manager(request)
    g = request.GET
    kind = g.get("kind", "")
    kind = kind if kind in CareKind.values else ""
    year = parse_year(g.get("year"), timezone.localdate())
    q = sel.clean_q(g.get("q"))
    page = Paginator(sel.care_list(request.user, kind=kind, year=year, q=q), PAGE_SIZE).get_page(
        g.get("page")
    )
    return render(
        request,
        "veterans/activities/care_list.html",
        {"page": page, "params": {"kind": kind, "q": q, "year": year}, "kinds": CareKind.choices},
    )


@require_http_methods(["GET", "POST"])
def care_create(request):
    require_manager(request)
    orgs = sel.org_choices(request.user)
    kind = request.GET.get("kind")
    form = f.CareForm(
        request.POST or None,
        initial={"kind": kind if kind in CareKind.values else "", "held_on": timezone.localdate()},
        orgs=orgs,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = next((o for o in orgs if o.pk == data.pop("org")), None)
        if org is None:
            form.add_error("org", "请选择组织单位。")
        else:
            done = call_service(
                form, services.care_session_record, actor=request.user, org=org, **data
            )
            if done is not None:
                messages.success(request, f"已记录“{done.title}”。")
                return redirect("veterans:care")
    return _form_page(request, form, "记录健康顾问与智慧助老", reverse("veterans:care"))


# ---------------------------------------------------------------------------------------------
# Exemplars and cases


@require_GET
def exemplar_list(request):
    require_manager(request)
    q = sel.clean_q(request.GET.get("q"))
    page = Paginator(sel.exemplar_list(request.user, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "veterans/activities/exemplar_list.html", {"page": page, "params": {"q": q}}
    )


@require_http_methods(["GET", "POST"])
def exemplar_create(request):
    require_manager(request)
    form = f.ExemplarForm(request.POST or None, retirees=sel.retiree_choices(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        retiree = _leader(request, form, "retiree", "离退休干部")
        data.pop("retiree")
        if retiree is None:
            form.add_error("retiree", "请选择离退休干部。")
        elif retiree is not False:
            done = call_service(
                form, services.exemplar_create, actor=request.user, retiree=retiree, **data
            )
            if done is not None:
                messages.success(request, f"已登记典型“{done.title}”。")
                return redirect("veterans:exemplar", exemplar_id=done.pk)
    return _form_page(request, form, "登记先进典型", reverse("veterans:exemplars"))


@require_http_methods(["GET", "POST"])
def exemplar_edit(request, exemplar_id):
    exemplar = sel.access_exemplar(request.user, exemplar_id)
    initial = {k: getattr(exemplar, k) for k in ("title", "named_on", "story")}
    form = f.ExemplarForm(request.POST or None, initial=initial, with_retiree=False)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.exemplar_update,
            actor=request.user,
            exemplar=exemplar,
            **form.cleaned_data,
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("veterans:exemplar", exemplar_id=exemplar.pk)
    return _form_page(
        request, form, f"修改{exemplar}", reverse("veterans:exemplar", args=[exemplar.pk])
    )


@require_GET
def exemplar_detail(request, exemplar_id):
    exemplar = sel.access_exemplar(request.user, exemplar_id)
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in MediationOutcome.values else ""
    cases = sel.case_list(request.user, exemplar=exemplar, outcome=outcome)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "veterans/activities/exemplar_detail.html",
        {
            "exemplar": exemplar,
            "page": page,
            "params": {"outcome": outcome},
            "outcomes": MediationOutcome.choices,
            "form": f.CaseForm(initial={"handled_on": timezone.localdate(), "parties": "2"}),
        },
    )


@require_POST
def case_add(request, exemplar_id):
    exemplar = sel.access_exemplar(request.user, exemplar_id)
    form = f.CaseForm(request.POST)
    if form.is_valid():
        done = call_service(
            form,
            services.mediation_case_record,
            actor=request.user,
            exemplar=exemplar,
            **form.cleaned_data,
        )
        if done is not None:
            messages.success(request, f"已记录调解案例“{done.matter}”。")
            return redirect("veterans:exemplar", exemplar_id=exemplar.pk)
    back = reverse("veterans:exemplar", args=[exemplar.pk])
    return _form_page(request, form, f"{exemplar} · 记录调解案例", back, 400)


@require_http_methods(["GET", "POST"])
def case_edit(request, case_id):
    case = sel.access_case(request.user, case_id)
    keys = ("handled_on", "place", "matter", "parties", "outcome", "summary")
    form = f.CaseForm(request.POST or None, initial={k: getattr(case, k) for k in keys})
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form, services.mediation_case_update, actor=request.user, case=case, **form.cleaned_data
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect("veterans:exemplar", exemplar_id=case.exemplar_id)
    back = reverse("veterans:exemplar", args=[case.exemplar_id])
    return _form_page(request, form, f"修改调解案例：{case.matter}", back)
