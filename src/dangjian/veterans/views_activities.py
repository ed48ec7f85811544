"""/veterans/: the hub (the overview of everything the user manages: figures, charts, and for
the 工委 one row per unit) and the exports of the teams, activities, studios, care sessions,
exemplars and the overview. Thin: parse, access check, one selector or service. The team,
studio, care and exemplar pages are views_activities_teams.py and views_activities_places.py."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dangjian.core.access import deny, grants_of
from dangjian.core.exporters import export_start
from dangjian.core.permissions import SEPARATED_ROLES
from dangjian.core.views_export import outcome_response
from dangjian.veterans import exporters_activities  # noqa: F401  (registers the exports)
from dangjian.veterans import selectors_activities as sel
from dangjian.veterans import selectors_overview as ov

PAGE_SIZE = 20
EXPORTS = {
    "teams": "veterans.teams",
    "activities": "veterans.activities",
    "studios": "veterans.studios",
    "care": "veterans.care_sessions",
    "exemplars": "veterans.exemplars",
    "overview": "veterans.overview",
}
EXPORT_FILTERS = ("q", "status", "resource", "kind", "year", "unit")
EXPORT_PARAM_MAX = 100


def require_manager(request) -> None:
    if not sel.is_manager(request.user):
        raise deny()


def parse_year(value, today) -> int | None:
    year = sel.parse_id(value)
    return year if year and 2000 <= year <= today.year else None


@require_GET
def home(request):
    """The overview: a unit's figures; for the 工委 the total and one row per unit."""
    user = request.user
    if not sel.is_manager(user):
        grants = grants_of(user)
        if getattr(user, "member_id", None) and not any(g.role in SEPARATED_ROLES for g in grants):
            return redirect("veterans:mine")
        raise deny()
    today = timezone.localdate()
    year = parse_year(request.GET.get("year"), today)
    tops = ov.unit_tops(user)
    unit_id = sel.parse_id(request.GET.get("unit"))
    unit = next((t for t in tops if t.pk == unit_id), None)
    result = ov.overview(user, today, org=unit, year=year)
    return render(
        request,
        "veterans/activities/home.html",
        {
            "o": result,
            "t": result.total,
            "units": tops,
            "params": {"unit": unit.pk if unit else None, "year": year},
            "years": list(range(today.year, today.year - 6, -1)),
            "chart_months": ov.chart_by_month(user, today, org=unit),
            "chart_resources": ov.chart_resources(result.total),
            "chart_requests": ov.chart_requests(result.total),
            "many_units": len(result.rows) > 1,
        },
    )


@require_POST
def export(request, kind):
    identifier = EXPORTS.get(kind)
    if identifier is None:
        raise deny()
    require_manager(request)
    params = {name: request.POST.get(name, "")[:EXPORT_PARAM_MAX] for name in EXPORT_FILTERS}
    outcome = export_start(actor=request.user, identifier=identifier, params=params, fmt="xlsx")
    return outcome_response(outcome)
