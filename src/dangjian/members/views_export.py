"""Export pages of the roster: the export form (党员名册 / 采集表) and one member's form."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.exporters import export_start, inline_max_rows
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.members import selectors
from dangjian.members.exporters import (
    FILTER_KEYS,
    MemberFormExporter,
    RosterExporter,
    RosterExportForm,
    describe_filters,
    query_filters,
)


@require_http_methods(["GET", "POST"])
def roster_export(request):
    """Choose columns and format for the roster the list page shows with the same filters
    (taken from the query string); a small export downloads at once, a large one runs in the
    background and the user lands on its job page."""
    if not has_cap_anywhere(request.user, Cap.MEMBER_VIEW):
        raise deny()
    roster = RosterExporter(request.user, {k: request.GET.get(k, "") for k in FILTER_KEYS})
    filters = {**{k: roster.params[k] for k in FILTER_KEYS}, **query_filters(roster.params)}
    form = RosterExportForm(
        request.POST or None, may_reveal=has_cap_anywhere(request.user, Cap.MEMBER_REVEAL)
    )
    if request.method == "POST" and form.is_valid():
        identifier, params, fmt = form.export_params(filters)
        outcome = call_service(
            form, export_start, actor=request.user, identifier=identifier, params=params, fmt=fmt
        )
        if outcome is not None:
            return outcome_response(outcome)
    count = roster.count()
    query = urlencode({k: v for k, v in filters.items() if v not in ("", None)})
    return render(
        request,
        "members/export.html",
        {
            "form": form,
            "count": count,
            "org": roster.org,
            "described": describe_filters(filters, roster.org),
            "query": query,
            "list_url": reverse("members:list") + (f"?{query}" if query else ""),
            "inline_max": inline_max_rows(),
            "table_background": count * RosterExporter.cost > inline_max_rows(),
            "forms_background": count * MemberFormExporter.cost > inline_max_rows(),
        },
    )


@require_GET
def member_form_docx(request, member_id):
    """One member's 党员基本信息采集表 as Word (`?reveal=1`: sensitive items in full, for
    someone who may reveal them; audited)."""
    member = selectors.access_member(request.user, member_id)
    outcome = export_start(
        actor=request.user,
        identifier=MemberFormExporter.identifier,
        params={"member": member.pk, "reveal": request.GET.get("reveal") == "1"},
        fmt="docx",
    )
    return outcome_response(outcome)
