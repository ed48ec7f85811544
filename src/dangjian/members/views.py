from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.permissions import Cap
from dangjian.members import selectors
from dangjian.members.models import Category
from dangjian.orgs.selectors import access_org

PAGE_SIZE = 30


@require_GET
def member_list(request):
    if not has_cap_anywhere(request.user, Cap.MEMBER_VIEW):
        raise deny()
    q = request.GET.get("q", "").strip()[:50]
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    org = None
    if request.GET.get("org"):
        org = access_org(request.user, request.GET["org"], need=Cap.MEMBER_VIEW)
    members = selectors.member_list(request.user, q=q, category=category, org=org)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/list.html",
        {
            "page": page,
            "q": q,
            "category": category,
            "org": org,
            "categories": Category.choices,
        },
    )


@require_GET
def member_detail(request, member_id):
    member = selectors.access_member(request.user, member_id)
    return render(request, "members/detail.html", {"member": member})
