"""Background tasks of the study app: thin, they take ids and call a service (architecture.md
habit 7). Enqueued on commit; with the ImmediateBackend they run at once."""

from __future__ import annotations

from django.tasks import task


@task()
def refresh_points(member_ids: list[int], year: int) -> int:
    """Rebuild the points ledger of these members for `year` (points_hooks.points_changed)."""
    from dangjian.study.services_points import points_refresh

    return points_refresh(member_ids=member_ids, year=year)
