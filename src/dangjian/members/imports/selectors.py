"""Reads for the import pages: one job (access-checked), the recent jobs, the orgs a user may
import into, and the branches under an org (for the template)."""

from __future__ import annotations

from dangjian.core.access import can, deny, subtree_q
from dangjian.core.permissions import Cap
from dangjian.members.models import ImportJob
from dangjian.orgs.models import Org, OrgKind

#: kinds that can hold branches (or are one): the scope of an import
SCOPE_KINDS = (
    OrgKind.WORKING_COMMITTEE,
    OrgKind.PARTY_GROUP,
    OrgKind.ORGAN_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
)
MAX_SCOPE_CHOICES = 2000


def access_import_job(user, job_id) -> ImportJob:
    """The job if its scope lies in the user's member.manage subtrees; 404 otherwise."""
    try:
        job_id = int(job_id)
    except (TypeError, ValueError):
        raise deny() from None
    job = ImportJob.objects.unscoped().select_related("org", "created_by").filter(pk=job_id).first()
    if job is None or not can(user, Cap.MEMBER_MANAGE, job.org_path):
        raise deny()
    return job


def recent_import_jobs(user, limit: int = 20) -> list[ImportJob]:
    """The latest import jobs in the user's member.manage scope (anyone's: a unit's roster is
    often kept by two people)."""
    return list(
        ImportJob.objects.visible_to(user, Cap.MEMBER_MANAGE)
        .select_related("org", "created_by")
        .defer("errors")
        .order_by("-created_at", "-id")[:limit]
    )


def import_scopes(user) -> list[Org]:
    """Active orgs the user may import into, top-down (capped: a 工委 admin of a big city
    picks a deep org through the org page's link, which passes ?org=)."""
    return list(
        Org.objects.visible_to(user, Cap.MEMBER_MANAGE)
        .filter(dissolved_on__isnull=True, kind__in=SCOPE_KINDS)
        .only("id", "name", "depth", "path", "kind")
        .order_by("path")[:MAX_SCOPE_CHOICES]
    )


def branches_under(org: Org) -> list[Org]:
    """Active branches in the org's subtree with their parents' names (the caller checked
    access to `org`)."""
    return list(
        Org.objects.unscoped()
        .filter(subtree_q("path", org.path), kind=OrgKind.BRANCH, dissolved_on__isnull=True)
        .select_related("parent")
        .order_by("path")
    )
