"""Background tasks of the core: thin, they take ids and call a service (architecture.md
habit 7). With the default ImmediateBackend they run at once, when the enqueuing transaction
commits; with django_tasks_db's DatabaseBackend a worker (`manage.py db_worker`) runs them."""

from django.tasks import task

from dangjian.core.exporters import export_job_run


@task()
def export_run(job_id: int) -> None:
    """Render a queued export job into its file."""
    export_job_run(job_id=job_id)
