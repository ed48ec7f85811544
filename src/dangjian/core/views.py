from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangjian.core import selectors
from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.audit import verify_chain
from dangjian.core.permissions import Cap
from dangjian.orgs import selectors as org_selectors


@require_GET
def home(request):
    user = request.user
    context = {"can_orgs": has_cap_anywhere(user, Cap.ORG_VIEW), "me": None}
    if user.member_id:
        context["me"] = user.member  # the member record behind this account, if any
    if context["can_orgs"]:
        summary = org_selectors.scope_summary(user)
        warnings = org_selectors.warnings_in_scope(user)
        by_unit = org_selectors.members_by_unit(user)
        context.update(
            summary=summary,
            warnings=warnings[:10],
            warning_total=len(warnings),
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
    q = request.GET.get("q", "").strip()[:100]
    action = request.GET.get("action", "").strip()[:100]
    entries = selectors.audit_entries(request.user, q=q, action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    # the whole log's integrity, on request (it reads every entry)
    chain = verify_chain() if request.GET.get("verify") == "1" else None
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "q": q, "action": action, "chain": chain},
    )


def healthz(request):
    return JsonResponse({"status": "ok"})
