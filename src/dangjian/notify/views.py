"""The to-do list (/todo/) and the owner's marks: read, done, open (mark read and follow the
link), all read. Thin: every item comes through selectors.access_notification (404 for
anyone else's), every write through one service, POST only."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dangjian.notify import selectors, services

PAGE_SIZE = 20
FILTER_VALUES = {value for value, _ in selectors.FILTERS}


def _filter(value) -> str:
    return value if value in FILTER_VALUES else "all"


def _back(request):
    url = reverse("notify:list")
    f = _filter(request.POST.get("filter"))
    page = request.POST.get("page", "")
    query = []
    if f != "all":
        query.append(f"filter={f}")
    if page.isdigit() and page != "1":
        query.append(f"page={page}")
    return redirect(f"{url}?{'&'.join(query)}" if query else url)


@require_GET
def notification_list(request):
    current = _filter(request.GET.get("filter"))
    items = selectors.notification_list(request.user, current)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/list.html",
        {"page": page, "filter": current, "filters": selectors.FILTERS},
    )


@require_POST
def notification_read(request, item_id):
    item = selectors.access_notification(request.user, item_id)
    services.notification_read(actor=request.user, item=item)
    return _back(request)


@require_POST
def notification_done(request, item_id):
    item = selectors.access_notification(request.user, item_id)
    services.notification_done(actor=request.user, item=item)
    messages.success(request, "已标记为办结。")
    return _back(request)


@require_POST
def notification_open(request, item_id):
    item = selectors.access_notification(request.user, item_id)
    services.notification_read(actor=request.user, item=item)
    # the link was checked to be a path on this site when the item was written
    return redirect(services.safe_link(item.link) or reverse("notify:list"))


@require_POST
def notification_read_all(request):
    count = services.notifications_read_all(actor=request.user)
    messages.info(request, f"已将 {count} 条提醒标为已读。" if count else "没有未读提醒。")
    return _back(request)
