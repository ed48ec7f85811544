"""Background tasks of the members app: thin, they take ids and call a service
(architecture.md habit 7). Enqueued on commit; with the ImmediateBackend they run at once,
with django_tasks_db's DatabaseBackend a worker runs them."""

from django.tasks import task

from dangjian.members.imports import import_validate, import_write


@task()
def validate_import(job_id: int) -> None:
    """Validate an uploaded roster file (members/imports)."""
    import_validate(job_id=job_id)


@task()
def write_import(job_id: int, actor_id: int | None) -> None:
    """Write a confirmed roster file, all rows or none."""
    import_write(job_id=job_id, actor_id=actor_id)
