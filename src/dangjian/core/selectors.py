from django.db.models import Q

from dangjian.core.access import paths_for, subtree_q
from dangjian.core.models import AuditEntry
from dangjian.core.permissions import Cap


def audit_entries(user, *, q: str = "", action: str = ""):
    """Audit entries in the auditor's subtree; a grant on the root also sees entries that
    belong to no org (sign-ins, accounts)."""
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
    return qs.order_by("-at", "-id")
