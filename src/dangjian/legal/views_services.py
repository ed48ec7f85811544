"""/legal/…: the 司法局's legal services — the overview (`home`), firms, lawyers, 一村(社区)一律师
(every place with its lawyer and service log; the uncovered highlighted), advisers by level and
the exports. Thin: parse, access check, one selector or service. Legal aid, activities and the
246 system are in views_services_aid.py. See docs/legal-services.md."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import deny
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.legal import exporters_services  # noqa: F401  (registers the exports)
from dangjian.legal import forms_services as f
from dangjian.legal import selectors_services as sel
from dangjian.legal import services_lawyers as sl
from dangjian.legal import services_villages as sv
from dangjian.legal.models import GovLevel
from dangjian.legal.selectors_services_overview import chart_data, overview
from dangjian.orgs.models import Org, OrgKind

PAGE_SIZE = 20
EXPORTS = {
    "lawyers": "legal.lawyers",
    "villages": "legal.villages",
    "advisers": "legal.advisers",
    "cases": "legal.aid_cases",
    "activities": "legal.activities",
}
EXPORT_FILTERS = (
    "q",
    "status",
    "state",
    "category",
    "kind",
    "level",
    "covered",
    "party",
    "firm",
    "active",
    "district",
    "year",
)


def manager(request):
    sel.require_manager(request.user)
    return request.user


def flag_param(value) -> bool | None:
    return {"1": True, "0": False}.get(value if isinstance(value, str) else "")


def form_page(request, form, title, *, back, status=None):
    """A form's page: 400 when a submitted form was refused, 200 otherwise."""
    if status is None:
        status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "legal/services/form.html",
        {"form": form, "title": title, "back": back},
        status=status,
    )


@require_GET
def home(request):
    """The overview: the 司法局's figures (the 工委: every unit with legal data) and charts."""
    user = manager(request)
    data = overview(user, timezone.localdate())
    return render(
        request,
        "legal/services/home.html",
        {
            "data": data,
            "charts": chart_data(data),
            "adviser_levels": [(label, data.total.advisers[v]) for v, label in GovLevel.choices],
        },
    )


# ---------------------------------------------------------------------------------------------
# Firms and lawyers


@require_GET
def firms(request):
    user = manager(request)
    q = sel.clean_q(request.GET.get("q"))
    page = Paginator(sel.firm_list(user, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "legal/services/firms.html", {"page": page, "params": {"q": q}})


def _branches(user):
    return (
        Org.objects.visible_to(user, Cap.ORG_VIEW)
        .filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True)
        .order_by("path")
    )


@require_http_methods(["GET", "POST"])
def firm_new(request):
    user = manager(request)
    units = sel.legal_units(user)
    if not units:
        raise deny()
    form = f.FirmForm(request.POST or None, units=units, branches=_branches(user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        firm = call_service(
            form,
            sl.firm_create,
            actor=user,
            org=form.unit(),
            name=d["name"],
            licence_no=d["licence_no"],
            district=d["district"],
            party_branch=d["party_branch"],
        )
        if firm is not None:
            return redirect("legal:firms")
    return form_page(request, form, "登记律师事务所", back="legal:firms")


@require_http_methods(["GET", "POST"])
def firm_edit(request, firm_id):
    user = manager(request)
    firm = sel.access_firm(user, firm_id)
    initial = {
        "name": firm.name,
        "licence_no": firm.licence_no,
        "district": firm.district,
        "party_branch": firm.party_branch_id,
    }
    form = f.FirmForm(request.POST or None, initial=initial, branches=_branches(user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            sl.firm_update,
            actor=user,
            firm=firm,
            name=d["name"],
            licence_no=d["licence_no"],
            district=d["district"],
            party_branch=d["party_branch"],
        )
        if done is not None:
            return redirect("legal:firms")
    return form_page(request, form, f"修改律师事务所：{firm.name}", back="legal:firms")


@require_GET
def lawyers(request):
    user = manager(request)
    g = request.GET
    q = sel.clean_q(g.get("q"))
    party = flag_param(g.get("party"))
    firm = sel.parse_id(g.get("firm"))
    active = {"1": True, "0": False, "all": None}.get(g.get("active", "1"), True)
    qs = sel.lawyer_list(user, q=q, firm=firm, party=party, active=active)
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    return render(
        request,
        "legal/services/lawyers.html",
        {
            "page": page,
            "params": {
                "q": q,
                "party": g.get("party", ""),
                "firm": firm,
                "active": g.get("active", "1"),
            },
        },
    )


def _lawyer_values(d) -> dict:
    return {
        k: d[k]
        for k in (
            "firm",
            "name",
            "gender",
            "licence_no",
            "is_party_member",
            "practising_since",
            "is_active",
        )
    }


@require_http_methods(["GET", "POST"])
def lawyer_new(request):
    user = manager(request)
    form = f.LawyerForm(request.POST or None, user=user, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        values = _lawyer_values(d)
        values.pop("is_active")
        lawyer = call_service(form, sl.lawyer_create, actor=user, phone=d["phone"], **values)
        if lawyer is not None:
            return redirect("legal:lawyers")
    return form_page(request, form, "登记律师", back="legal:lawyers")


@require_http_methods(["GET", "POST"])
def lawyer_edit(request, lawyer_id):
    user = manager(request)
    lawyer = sel.access_lawyer(user, lawyer_id)
    initial = {
        k: getattr(lawyer, k)
        for k in (
            "name",
            "gender",
            "licence_no",
            "is_party_member",
            "practising_since",
            "is_active",
        )
    }
    initial["firm"] = lawyer.firm_id
    form = f.LawyerForm(request.POST or None, user=user, initial=initial)
    form.fields["phone"].widget.attrs["placeholder"] = lawyer.phone_masked or ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            sl.lawyer_update,
            actor=user,
            lawyer=lawyer,
            phone=d["phone"] or None,
            **_lawyer_values(d),
        )
        if done is not None:
            return redirect("legal:lawyers")
    return form_page(request, form, f"修改律师：{lawyer.name}", back="legal:lawyers")


# ---------------------------------------------------------------------------------------------
# 一村(社区)一律师


@require_GET
def villages(request):
    """Every place with its lawyer and service log, the uncovered first and highlighted."""
    user = manager(request)
    g = request.GET
    q = sel.clean_q(g.get("q"))
    district = sel.clean_q(g.get("district"))
    covered = flag_param(g.get("covered"))
    qs = sel.village_list(user, q=q, district=district, covered=covered)
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    sel.decorate_villages(user, list(page.object_list))
    return render(
        request,
        "legal/services/villages.html",
        {
            "page": page,
            "coverage": sel.village_coverage(user),
            "params": {"q": q, "district": district, "covered": g.get("covered", "")},
            "form": f.AssignForm(user=user),
        },
    )


@require_POST
def village_assign(request):
    user = manager(request)
    form = f.AssignForm(request.POST, user=user)
    if form.is_valid():
        d = form.cleaned_data
        done = call_service(
            form,
            sv.village_lawyer_assign,
            actor=user,
            community=d["community"],
            lawyer=d["lawyer"],
            started_on=d["started_on"],
        )
        if done is not None:
            return redirect("legal:assignment", assignment_id=done.pk)
    return form_page(request, form, "指派驻村（社区）律师", back="legal:villages", status=400)


def _assignment_page(request, assignment, *, log_form=None, end_form=None, status=200):
    return render(
        request,
        "legal/services/assignment.html",
        {
            "a": assignment,
            "logs": sel.assignment_logs(assignment),
            "log_form": log_form or f.LogForm(initial={"count": 1}),
            "end_form": end_form or f.EndForm(),
        },
        status=status,
    )


@require_GET
def assignment(request, assignment_id):
    user = manager(request)
    return _assignment_page(request, sel.access_assignment(user, assignment_id))


@require_POST
def assignment_log(request, assignment_id):
    user = manager(request)
    a = sel.access_assignment(user, assignment_id)
    form = f.LogForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if call_service(form, sv.service_log_record, actor=user, assignment=a, **d):
            return redirect("legal:assignment", assignment_id=a.pk)
    return _assignment_page(request, a, log_form=form, status=400)


@require_POST
def assignment_end(request, assignment_id):
    user = manager(request)
    a = sel.access_assignment(user, assignment_id)
    form = f.EndForm(request.POST)
    ended = form.is_valid() and call_service(
        form,
        sv.village_lawyer_end,
        actor=user,
        assignment=a,
        ended_on=form.cleaned_data["ended_on"],
    )
    if ended:
        return redirect("legal:villages")
    return _assignment_page(request, a, end_form=form, status=400)


# ---------------------------------------------------------------------------------------------
# Advisers


@require_GET
def advisers(request):
    user = manager(request)
    g = request.GET
    level = g.get("level", "")
    level = level if level in GovLevel.values else ""
    covered = flag_param(g.get("covered"))
    q = sel.clean_q(g.get("q"))
    qs = sel.post_list(user, level=level, covered=covered, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    sel.decorate_posts(user, list(page.object_list))
    coverage = sel.adviser_coverage(user)
    return render(
        request,
        "legal/services/advisers.html",
        {
            "page": page,
            "coverage": [(label, coverage[v]) for v, label in GovLevel.choices],
            "coverage_all": coverage["all"],
            "levels": GovLevel.choices,
            "params": {"level": level, "covered": g.get("covered", ""), "q": q},
            # rendered once: a choice field renders by querying its lawyers each time
            "lawyer_select": str(_appoint_form(user)["lawyer"]),
        },
    )


def _appoint_form(user):
    form = f.AppointForm(user=user, auto_id=False)
    form.fields["lawyer"].widget.attrs.update(
        {"aria-label": "律师", "class": "form-select form-select-sm w-auto"}
    )
    return form


@require_http_methods(["GET", "POST"])
def post_new(request):
    user = manager(request)
    units = sel.legal_units(user)
    if not units:
        raise deny()
    form = f.PostForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            sv.adviser_post_create,
            actor=user,
            org=form.unit(),
            name=d["name"],
            level=d["level"],
            district=d["district"],
        ):
            return redirect("legal:advisers")
    return form_page(request, form, "登记党委政府", back="legal:advisers")


@require_POST
def adviser_appoint(request, post_id):
    user = manager(request)
    post = sel.access_post(user, post_id)
    form = f.AppointForm(request.POST, user=user)
    if form.is_valid():
        d = form.cleaned_data
        if call_service(
            form,
            sv.adviser_appoint,
            actor=user,
            post=post,
            lawyer=d["lawyer"],
            started_on=d["started_on"],
        ):
            return redirect("legal:advisers")
    return form_page(request, form, f"为{post.name}聘任法律顾问", back="legal:advisers", status=400)


@require_POST
def adviser_end(request, adviser_id):
    user = manager(request)
    adviser = sel.access_adviser(user, adviser_id)
    sv.adviser_end(actor=user, adviser=adviser)
    return redirect("legal:advisers")


# ---------------------------------------------------------------------------------------------
# Exports


@require_POST
def export(request, kind):
    identifier = EXPORTS.get(kind)
    if identifier is None:
        raise deny()
    user = manager(request)
    params = {name: request.POST.get(name, "")[:100] for name in EXPORT_FILTERS}
    outcome = export_start(actor=user, identifier=identifier, params=params, fmt="xlsx")
    return outcome_response(outcome)
