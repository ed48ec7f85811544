"""Reads of notifications. Every one starts from the user: an item is only ever its owner's."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import QuerySet

from dangjian.core.access import deny
from dangjian.notify.models import Notification

#: the list's filters: (value, label)
FILTERS = (
    ("all", "全部"),
    ("unread", "未读"),
    ("todo", "待办"),
    ("done", "已办结"),
)


def unread_count(user) -> int:
    """The bell's number: one COUNT query (served by the (user, read_at) index)."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_list(user, filter: str = "all") -> QuerySet[Notification]:
    """The user's items, newest first; `filter` one of FILTERS (anything else means all)."""
    qs = Notification.objects.filter(user=user).select_related("org")
    if filter == "unread":
        qs = qs.filter(read_at__isnull=True)
    elif filter == "todo":
        qs = qs.filter(is_todo=True, done_at__isnull=True)
    elif filter == "done":
        qs = qs.filter(is_todo=True, done_at__isnull=False)
    return qs.order_by("-created_at", "-id")


def access_notification(user, item_id) -> Notification:
    """One of the user's own items; anyone else's, or none, is the same 404."""
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        raise deny() from None
    item = Notification.objects.filter(pk=item_id, user_id=getattr(user, "pk", None)).first()
    if item is None:
        raise deny()
    return item


def reminders_for_cell(org, meeting_kind: str, year: int) -> dict[dt.date, list[dict]]:
    """The reminders the daily job sent about one org's meeting kind in a year, by period
    start: [{"kind", "kind_label", "is_todo", "created_at", "to"}], so the compliance
    drill-down can say "即将到期提醒已于11月21日发给支部书记张三". The caller obtained `org`
    through an access function. One query."""
    prefix = f"orglife:{meeting_kind}:{year:04d}-"
    rows = (
        Notification.objects.filter(org=org, topic__startswith=prefix)
        .select_related("user")
        .order_by("created_at", "id")
    )
    out: dict[dt.date, list[dict]] = defaultdict(list)
    for n in rows:
        try:
            start = dt.date.fromisoformat(n.topic.rsplit(":", 1)[1])
        except ValueError:
            continue
        out[start].append(
            {
                "kind": n.kind,
                "kind_label": n.get_kind_display(),
                "is_todo": n.is_todo,
                "created_at": n.created_at,
                "to": str(n.user),
                "done_at": n.done_at,
            }
        )
    return dict(out)
