"""Write paths of notifications.

- `notifications_create(drafts)` — the system writes notices and to-do items (the daily
  reminder job, meeting notices). No audit entry per item: the caller's own action (planning a
  meeting) or the job's summary entry records what happened. Items whose (user, dedupe_key)
  already exists are skipped, so the job can run any number of times a day. Email goes out
  after commit, through a task, when `settings.NOTIFY_EMAIL` is on and the user has an address.
- `notification_read`, `notification_done`, `notifications_read_all` — the owner's own
  writes, audited lightly (`notify.item.read|done`, `notify.items.read`). Someone else's item
  is a 404.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from dangjian.core.access import deny
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.notify.models import Notification, NotificationKind

log = logging.getLogger(__name__)

#: rows per INSERT and ids per email task
BATCH = 500
EMAIL_SUBJECT_PREFIX = "【机关党建】"


@dataclass(frozen=True)
class Draft:
    """One item to create. `email` is the recipient's address when the caller knows it (it
    loads the users anyway); without one no mail is sent for the item."""

    user_id: int
    kind: str
    title: str
    body: str = ""
    link: str = ""
    rule_id: str = ""
    org_id: int | None = None
    org_path: str = ""
    topic: str = ""
    dedupe_key: str = ""
    is_todo: bool = False
    email: str = ""


@dataclass
class Created:
    created: int = 0
    todos: int = 0  # of `created`, the to-do items
    existing: int = 0
    emailed: int = 0


def safe_link(link: str) -> str:
    """A path on this site ("/compliance/cell/?…"), or AppError: a notification never points
    elsewhere."""
    link = (link or "").strip()
    if not link:
        return ""
    if not link.startswith("/") or link.startswith("//") or len(link) > 500:
        raise AppError("提醒链接须为本站路径。", field="link")
    if not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        raise AppError("提醒链接须为本站路径。", field="link")
    return link


def _check(draft: Draft) -> None:
    if draft.kind not in NotificationKind.values:
        raise AppError("提醒类型无效。", field="kind")
    if not (draft.title or "").strip():
        raise AppError("请填写提醒标题。", field="title")
    safe_link(draft.link)


@transaction.atomic
def notifications_create(drafts: Iterable[Draft]) -> Created:
    """Create the items (system writes; callers have decided who is told). Duplicates — the
    same user and dedupe_key, in the database or twice in `drafts` — are skipped. The duplicate
    check is one query by topic: all drafts of a call share a few topics (a meeting, or the
    periods a reminder run looks at), so it never runs per item."""
    drafts = list(drafts)
    for draft in drafts:
        _check(draft)
    result = Created()
    if not drafts:
        return result
    keyed = [d for d in drafts if d.dedupe_key]
    seen: set[tuple[int, str]] = set()
    if keyed:
        topics = sorted({d.topic for d in keyed})
        seen = set(
            Notification.objects.filter(topic__in=topics)
            .exclude(dedupe_key="")
            .values_list("user_id", "dedupe_key")
        )
    now = timezone.now()
    rows, emails = [], []
    for d in drafts:
        if d.dedupe_key:
            key = (d.user_id, d.dedupe_key)
            if key in seen:
                result.existing += 1
                continue
            seen.add(key)
        rows.append(
            Notification(
                user_id=d.user_id,
                kind=d.kind,
                is_todo=d.is_todo,
                title=d.title.strip()[:200],
                body=d.body,
                link=safe_link(d.link),
                rule_id=d.rule_id,
                org_id=d.org_id,
                org_path=d.org_path,
                topic=d.topic[:100],
                dedupe_key=d.dedupe_key[:200],
                created_at=now,
            )
        )
        emails.append(d.email)
    Notification.objects.bulk_create(rows, batch_size=BATCH)
    result.created = len(rows)
    result.todos = sum(1 for n in rows if n.is_todo)
    if getattr(settings, "NOTIFY_EMAIL", False):
        ids = [n.pk for n, email in zip(rows, emails, strict=True) if email and n.pk]
        result.emailed = len(ids)
        for start in range(0, len(ids), BATCH):
            _enqueue_email(ids[start : start + BATCH])
    return result


def _enqueue_email(ids: list[int]) -> None:
    from dangjian.notify.tasks import send_emails

    transaction.on_commit(lambda: send_emails.enqueue(ids))


def notifications_email(ids: list[int]) -> int:
    """Send the items by email to their users (the task's body). Sends only to active users
    with an address; a mail server error is logged, never raised into the caller: the in-app
    item exists either way."""
    if not getattr(settings, "NOTIFY_EMAIL", False):
        return 0
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    items = Notification.objects.filter(
        pk__in=ids, user__is_active=True, done_at__isnull=True
    ).select_related("user")
    messages = []
    for n in items:
        if not n.user.email:
            continue
        lines = [n.body or n.title]
        if n.link:
            lines.append(f"查看：{site}{n.link}" if site else f"请登录系统查看：{n.link}")
        lines.append("（本邮件由机关党建智慧管理平台自动发送，请勿回复。）")
        messages.append(
            EmailMessage(
                subject=f"{EMAIL_SUBJECT_PREFIX}{n.title}",
                body="\n\n".join(lines),
                to=[n.user.email],
            )
        )
    if not messages:
        return 0
    try:
        return mailers.default.send_messages(messages) or 0
    except Exception:  # the mail server is outside the system: log and go on
        log.exception("提醒邮件发送失败（%d 封）", len(messages))
        return 0


def _own(actor, item: Notification) -> Notification:
    if actor is None or not getattr(actor, "pk", None) or item.user_id != actor.pk:
        raise deny()
    return item


@transaction.atomic
def notification_read(*, actor, item: Notification) -> Notification:
    """The owner has seen the item."""
    _own(actor, item)
    if item.read_at is None:
        item.read_at = timezone.now()
        item.save(update_fields=["read_at"])
        audit(actor, "notify.item.read", item, org_path=item.org_path, changes={"id": item.pk})
    return item


@transaction.atomic
def notification_done(*, actor, item: Notification) -> Notification:
    """The owner marks a to-do done (which also marks it read)."""
    _own(actor, item)
    if not item.is_todo:
        raise AppError("这是一条通知，不是待办事项。")
    if item.done_at is None:
        now = timezone.now()
        item.done_at = now
        fields = ["done_at"]
        if item.read_at is None:
            item.read_at = now
            fields.append("read_at")
        item.save(update_fields=fields)
        audit(
            actor,
            "notify.item.done",
            item,
            org_path=item.org_path,
            changes={"id": item.pk, "kind": item.kind, "topic": item.topic},
        )
    return item


@transaction.atomic
def notifications_read_all(*, actor) -> int:
    """Mark every unread item of the actor read; one audit entry with the count."""
    if actor is None or not getattr(actor, "pk", None):
        raise deny()
    count = Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        audit(actor, "notify.items.read", changes={"count": count})
    return count
