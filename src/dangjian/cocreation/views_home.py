"""/cocreation/: the hub (a unit's pairings and their projects; for the 工委 every unit's, with
totals and charts), the project list, the problems ledger (with the overdue view) and the
exports. Thin: parse, access check, one selector or service. See docs/cocreation.md."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dangjian.cocreation import selectors as sel
from dangjian.cocreation import selectors_hub as hub
from dangjian.cocreation.models import ProblemStatus, ProjectCategory, ProjectStatus
from dangjian.core.access import deny
from dangjian.core.exporters import export_start
from dangjian.core.views_export import outcome_response

PAGE_SIZE = 20
#: the list filters an export form posts (see exporters.py for which export applies which)
EXPORT_FILTERS = ("unit", "status", "q", "district", "pilot", "category", "overdue")
EXPORT_PARAM_MAX = 100
EXPORTS = {
    "pairings": "cocreation.pairings",
    "projects": "cocreation.projects",
    "problems": "cocreation.problems",
}


def require_manager(request) -> None:
    if not sel.is_manager(request.user):
        raise deny()


def _pilot(value) -> bool | None:
    return {"1": True, "0": False}.get(value if isinstance(value, str) else "")


def list_filters(request, units) -> dict:
    """The filters every list shares, cleaned: junk becomes "no filter"."""
    g = request.GET
    unit = sel.parse_id(g.get("unit"))
    district = sel.clean_text(g.get("district"))
    districts = sel.districts()
    return {
        "unit": unit if unit in {u.pk for u in units} else None,
        "district": district if district in districts else "",
        "pilot": _pilot(g.get("pilot")),
        "q": sel.clean_q(g.get("q")),
        "districts": districts,
    }


@require_GET
def home(request):
    """The hub: the pairings the user manages (filtered, paged), each with its projects and
    their progress; the totals and the charts over everything the user manages."""
    if not sel.is_manager(request.user):
        if sel.is_reader(request.user):
            return redirect("cocreation:communities")
        raise deny()
    today = timezone.localdate()
    units = sel.paired_units(request.user)
    f = list_filters(request, units)
    status = request.GET.get("status", "live")
    status = status if status in ("live", "ended", "all") else "live"
    pairings = sel.pairing_list(
        request.user,
        org_id=f["unit"],
        district=f["district"],
        pilot=f["pilot"],
        status=status,
        q=f["q"],
    )
    page = Paginator(pairings, PAGE_SIZE).get_page(request.GET.get("page"))
    projects = sel.projects_by_pairing(page.object_list, today)
    for p in page.object_list:
        p.project_rows = projects.get(p.pk, [])
    return render(
        request,
        "cocreation/home.html",
        {
            "page": page,
            "units": units,
            "params": {**f, "status": status},
            "totals": hub.hub_totals(request.user, today),
            "chart_status": hub.chart_status_by_unit(request.user),
            "chart_metrics": hub.chart_metrics(request.user),
            "can_create": bool(sel.unit_orgs(request.user)),
            "many_units": len(units) > 1,
        },
    )


@require_GET
def project_list(request):
    require_manager(request)
    today = timezone.localdate()
    units = sel.paired_units(request.user)
    f = list_filters(request, units)
    status = request.GET.get("status", "")
    status = status if status in ProjectStatus.values else ""
    category = request.GET.get("category", "")
    category = category if category in ProjectCategory.values else ""
    projects = sel.project_list(
        request.user,
        org_id=f["unit"],
        district=f["district"],
        pilot=f["pilot"],
        status=status,
        category=category,
        q=f["q"],
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    sel.decorate_projects(page.object_list, today)
    return render(
        request,
        "cocreation/project_list.html",
        {
            "page": page,
            "units": units,
            "params": {**f, "status": status, "category": category},
            "statuses": ProjectStatus.choices,
            "categories": ProjectCategory.choices,
        },
    )


@require_GET
def problem_list(request):
    """群众问题台账, and with ?overdue=1 the overdue problems."""
    require_manager(request)
    today = timezone.localdate()
    units = sel.paired_units(request.user)
    f = list_filters(request, units)
    status = request.GET.get("status", "open")
    status = status if status in ("open", "", *ProblemStatus.values) else "open"
    overdue = request.GET.get("overdue") == "1"
    problems = sel.problem_list(
        request.user, org_id=f["unit"], status=status, overdue=overdue, q=f["q"], today=today
    )
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    for p in page.object_list:
        p.overdue = p.status in sel.OPEN and p.due_on < today
    return render(
        request,
        "cocreation/problem_list.html",
        {
            "page": page,
            "units": units,
            "params": {**f, "status": status, "overdue": overdue},
            "statuses": ProblemStatus.choices,
            "today": today,
        },
    )


@require_POST
def export(request, kind):
    identifier = EXPORTS.get(kind)
    if identifier is None:
        raise deny()
    require_manager(request)
    # the filters of the list the export was started from; the exporter cleans them
    params = {name: request.POST.get(name, "")[:EXPORT_PARAM_MAX] for name in EXPORT_FILTERS}
    outcome = export_start(actor=request.user, identifier=identifier, params=params, fmt="xlsx")
    return outcome_response(outcome)
