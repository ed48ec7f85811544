"""/public/lenient-lists/: the published 四张清单 for everyone, without an account. The page
does not extend the signed-in base template (no navigation, no user data); it is limited per
address (settings.LENIENT_PUBLIC_PER_MINUTE a minute: beyond, a Chinese page with status 429)
and refuses an oversized query with a Chinese message (status 400)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangjian.core import ratelimit
from dangjian.core.errors import AppError
from dangjian.legal import selectors_lists as sel
from dangjian.legal.models import LenientKind


def public_caller(request, where: str) -> str:
    """The address's counter for the public search, apart from the API's general one."""
    return f"lenient-{where}:" + ratelimit.address_caller(request)


def check_public_rate(request, where: str) -> None:
    """Count the call under the address; RateLimited beyond LENIENT_PUBLIC_PER_MINUTE (the first
    refused call of a window is audited, like the API's)."""
    caller = public_caller(request, where)
    result = ratelimit.hit(caller, limit=settings.LENIENT_PUBLIC_PER_MINUTE)
    if result.allowed:
        return
    if result.first_refused:
        ratelimit.rate_limited_record(request=request, caller=caller, hit=result)
    raise ratelimit.RateLimited(caller, result.retry_after)


@require_GET
def search(request):
    try:
        check_public_rate(request, "page")
    except ratelimit.RateLimited as exc:
        response = render(
            request,
            "legal/public/search.html",
            {"limited": True, "message": ratelimit.MESSAGE, "kinds": LenientKind.choices},
            status=429,
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    g = request.GET
    params = {
        "q": g.get("q", ""),
        "domain": sel.clean_text(g.get("domain")),
        "kind": g.get("kind", "") if g.get("kind", "") in LenientKind.values else "",
        "date": sel.clean_text(g.get("date"), 10),
    }
    context = {
        "kinds": LenientKind.choices,
        "domains": sel.public_domains(),
        "params": params,
        "q_max": settings.LENIENT_QUERY_MAX,
    }
    try:
        query = sel.public_query(params["q"], params["domain"], params["kind"], params["date"])
    except AppError as exc:
        params["q"] = sel.clean_text(params["q"], settings.LENIENT_QUERY_MAX)
        context.update(error=exc.message, error_field=exc.field)
        return render(request, "legal/public/search.html", context, status=400)
    params["q"] = query.q
    params["date"] = query.on_date.isoformat()
    page = sel.public_items(query, page=g.get("page"))
    context.update(page=page, searched=True)
    return render(request, "legal/public/search.html", context)
