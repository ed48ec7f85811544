"""Background tasks of notify: thin, they take ids and call a service (architecture.md habit
7). Enqueued on commit by `services.notifications_create`."""

from django.tasks import task

from dangjian.notify.services import notifications_email


@task()
def send_emails(ids: list[int]) -> None:
    """Email the notifications with these ids to their users (settings.NOTIFY_EMAIL)."""
    notifications_email(ids)
