"""Background tasks of the study app: thin, they take ids and call a service (architecture.md
habit 7). Enqueued on commit; with the ImmediateBackend they run at once, with
django_tasks_db's DatabaseBackend a worker runs them."""

from __future__ import annotations

from django.tasks import task


@task()
def refresh_points(member_ids: list[int], year: int) -> int:
    """Rebuild the points ledger of these members for `year` (points_hooks.points_changed)."""
    from dangjian.study.services_points import points_refresh

    return points_refresh(member_ids=member_ids, year=year)


@task()
def refresh_points_all(year: int) -> int:
    """Rebuild `year`'s points ledger for every member, 2,000 at a time (a new version of the
    points scheme)."""
    from dangjian.study.services_points import points_refresh_all

    return points_refresh_all(year=year)
