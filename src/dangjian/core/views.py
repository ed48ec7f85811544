from django.conf import settings
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from dangjian.core import selectors
from dangjian.core.access import deny, has_cap_anywhere, roles_of
from dangjian.core.audit import verify_chain
from dangjian.core.audit_forms import AuditFilterForm, action_label
from dangjian.core.exporters import FORMATS, export_start
from dangjian.core.permissions import SEPARATED_ROLES, Cap
from dangjian.core.scope_cache import scoped
from dangjian.orgs import selectors as org_selectors


@require_GET
def home(request):
    user = request.user
    context = {"can_orgs": has_cap_anywhere(user, Cap.ORG_VIEW), "me": None}
    if user.member_id and not roles_of(user) & SEPARATED_ROLES:
        # the member record behind this account, if any; never for a separated role (三员分立:
        # the administrators see no business data, whatever their account is linked to)
        context["me"] = user.member
    if context["can_orgs"]:

        def figures():
            warnings = org_selectors.warnings_in_scope(user)
            return {
                "summary": org_selectors.scope_summary(user),
                "warnings": warnings[:10],
                "warning_total": len(warnings),
                "by_unit": org_selectors.members_by_unit(user),
            }

        # one computation per scope every few minutes (a province's 工委 sees 10^6 members)
        data, computed_at = scoped(user, Cap.ORG_VIEW, "home", figures)
        summary, by_unit = data["summary"], data["by_unit"]
        context.update(
            summary=summary,
            warnings=data["warnings"],
            warning_total=data["warning_total"],
            computed_at=computed_at,
            refresh_minutes=max(1, settings.SCOPE_SUMMARY_SECONDS // 60),
            chart=(
                {
                    "units": [name for name, _ in by_unit],
                    "counts": [n for _, n in by_unit],
                    "categories": [
                        {"name": "正式党员", "value": summary["total"] - summary["probationary"]},
                        {"name": "预备党员", "value": summary["probationary"]},
                    ],
                }
            ),
        )
    return render(request, "core/home.html", context)


@require_GET
def audit_log(request):
    if not has_cap_anywhere(request.user, Cap.AUDIT_VIEW):
        raise deny()
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    entries = selectors.audit_entries(request.user, **filters)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.label = action_label(entry.action)
    # the whole log's integrity, on request (it reads every entry)
    chain = verify_chain() if request.GET.get("verify") == "1" else None
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("verify", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "form": form,
            "chain": chain,
            "query": query.urlencode(),
            "formats": [(f, FORMATS[f][0]) for f in ("xlsx", "csv")],
            "retention_days": settings.AUDIT_RETENTION_DAYS,
        },
    )


@require_POST
def audit_export(request):
    """The auditor's export of what the page shows (the same filters); itself audited."""
    from dangjian.core.views_export import outcome_response

    if not has_cap_anywhere(request.user, Cap.AUDIT_VIEW):
        raise deny()
    params = {k: request.POST.get(k, "") for k in ("q", "action", "date_from", "date_to", "ip")}
    outcome = export_start(
        actor=request.user,
        identifier="core.audit_log",
        params=params,
        fmt=request.POST.get("fmt", "xlsx"),
    )
    return outcome_response(outcome)


def healthz(request):
    return JsonResponse({"status": "ok"})
