import datetime as dt

from django.db.models import Q
from django.utils import timezone

from dangjian.core.access import paths_for, subtree_q
from dangjian.core.models import AuditEntry
from dangjian.core.permissions import Cap


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries(
    user,
    *,
    q: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    ip: str = "",
):
    """Audit entries in the auditor's subtree; a grant on the root also sees entries that
    belong to no org (sign-ins, accounts). Filters: actor or object text, action code prefix,
    a day range (both ends included) and a source address."""
    paths = paths_for(user, Cap.AUDIT_VIEW)
    if not paths:
        return AuditEntry.objects.none()
    scope = Q()
    for p in paths:
        scope |= subtree_q("org_path", p)
    if any(p.count("/") == 2 for p in paths):  # a grant on a root org
        scope |= Q(org_path="")
    qs = AuditEntry.objects.filter(scope).select_related("actor")
    if q:
        qs = qs.filter(Q(actor_name__icontains=q) | Q(object_repr__icontains=q))
    if action:
        qs = qs.filter(action__startswith=action)
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if ip:
        qs = qs.filter(ip=ip)
    return qs.order_by("-at", "-id")
