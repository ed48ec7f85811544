"""会议通知: when a meeting is planned, every expected member with an account (User.member) gets
a notice in the app (and by email where configured). Called by `services.meeting_plan` inside
its transaction: the notices commit or roll back with the meeting, so a refused or failed plan
never announces a meeting that does not exist; the email leaves only after commit
(notify.services)."""

from __future__ import annotations

from django.utils import timezone

from dangjian.notify.models import NotificationKind
from dangjian.notify.services import Created, Draft, notifications_create
from dangjian.rules.orglife import KIND_LABELS


def meeting_planned_notices(meeting, roster) -> Created:
    """One notice per expected member whose account exists and is active (two queries: the
    accounts and the insert; a third for the duplicate check)."""
    from dangjian.accounts.models import User

    member_ids = [m.pk for m in roster]
    users = User.objects.filter(member_id__in=member_ids, is_active=True).values_list("pk", "email")
    label = KIND_LABELS.get(meeting.kind, meeting.kind)
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at)
    same_day = starts.date() == ends.date()
    when = (
        f"{starts:%Y年%m月%d日 %H:%M}—{ends:%H:%M}"
        if same_day
        else (f"{starts:%Y年%m月%d日 %H:%M}—{ends:%Y年%m月%d日 %H:%M}")
    )
    lines = [f"{meeting.org.name}定于{when}召开{label}。", f"主题：{meeting.topic}"]
    if meeting.place:
        lines.append(f"地点：{meeting.place}")
    if meeting.agenda:
        agenda = meeting.agenda if len(meeting.agenda) <= 500 else meeting.agenda[:500] + "…"
        lines.append(f"议程：{agenda}")
    lines.append("请准时参加，会上扫码或输入签到码签到；不能参加的请向支部请假。")
    title = f"会议通知：{label}“{meeting.topic}”（{starts:%m月%d日 %H:%M}）"
    topic = f"meeting:{meeting.pk}"
    return notifications_create(
        Draft(
            user_id=user_id,
            kind=NotificationKind.MEETING_NOTICE,
            title=title,
            body="\n".join(lines),
            org_id=meeting.org_id,
            org_path=meeting.org_path,
            topic=topic,
            dedupe_key=topic,
            email=email or "",
        )
        for user_id, email in users
    )
