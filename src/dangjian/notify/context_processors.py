"""The bell in the navigation bar: the signed-in user's unread count.

The count is computed when a template first reads it and kept on the request, so a page costs
at most one query for it however often it is rendered, and none if it never shows the bell."""

from __future__ import annotations

from functools import cached_property

from dangjian.notify.selectors import unread_count


class Bell:
    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        return unread_count(self.user)


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_notify_bell", None)
    if cached is None:
        cached = request._notify_bell = Bell(user)
    return {"bell": cached}
