"""Background tasks of the core: thin, they take ids and call a service (architecture.md
habit 7). With the default ImmediateBackend they run at once, when the enqueuing transaction
commits; with django_tasks_db's DatabaseBackend a worker (`manage.py db_worker`) runs them."""

import time

from django.tasks import task

from dangjian.core.exporters import export_job_run


@task()
def export_run(job_id: int) -> None:
    """Render a queued export job into its file."""
    export_job_run(job_id=job_id)


@task()
def echo(value, pause: float = 0.0):
    """Return `value` and touch nothing, after `pause` seconds (at most one): the load test's
    queue check (bench/run_load.py) enqueues many of these to see that several workers share
    one queue without running a task twice; the pause keeps one worker from draining it alone."""
    time.sleep(min(max(float(pause), 0.0), 1.0))
    return value
