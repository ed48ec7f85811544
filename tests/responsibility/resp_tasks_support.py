"""Builders shared by the work-point and task tests (test_resp_tasks_*.py): dates that fit
the current year whatever today is, a published point with its tasks, tiny photo and
document bytes whose type is judged by content, API bearer headers, a held or planned
meeting, and a unit secretary with an account of his own."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

#: the signature is what read_document judges; the rest does not matter to it
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ" + b"\x00" * 64


def today() -> dt.date:
    return timezone.localdate()


def span(due: dt.date, starts: dt.date | None = None) -> dict:
    """starts_on, due_on and year of a task due on `due` (started on January 1 of its year
    unless `starts` is given)."""
    return {
        "starts_on": starts or dt.date(due.year, 1, 1),
        "due_on": due,
        "year": due.year,
    }


def photo(name="现场照片.png", data=PNG, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def make_point(
    tree,
    *,
    due=None,
    units=None,
    publish=True,
    title="学习贯彻党的二十大精神",
    task_title="开展专题学习",
):
    """A point of the root with one task per unit (both units by default), published."""
    from dangjian.responsibility import services_tasks as services

    due = due or dt.date(today().year, 12, 31)
    point = services.work_point_create(
        actor=None, org=tree.root, year=due.year, title=title, content="全面学习宣传贯彻。"
    )
    dates = span(due)
    tasks = services.tasks_assign(
        actor=None,
        point=point,
        units=units,
        all_units=units is None,
        title=task_title,
        starts_on=dates["starts_on"],
        due_on=dates["due_on"],
        evidence_asked="学习记录、照片",
    )
    if publish:
        point = services.work_point_publish(actor=None, point=point)
    return point, sorted(tasks, key=lambda t: t.org_path)


def task_of(tasks, org):
    return next(t for t in tasks if t.org_id == org.pk)


def own_task(tree, *, due=None, kind="business", title="完成年度业务目标"):
    from dangjian.responsibility import services_tasks as services

    due = due or dt.date(today().year, 12, 31)
    return services.task_create(
        actor=None, org=tree.party_group_a, kind=kind, title=title, **span(due)
    )


def bearer(user) -> dict:
    from dangjian.accounts.services import api_token_create

    _, secret = api_token_create(actor=None, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def meeting_of(org, *, held: bool = True, days_ago: int = 2):
    """A meeting of `org` two days ago: held (recorded, everyone present) or only planned."""
    from dangjian.orglife import services as orglife
    from dangjian.orglife.models import Attendance

    start = timezone.now() - dt.timedelta(days=days_ago)
    meeting = orglife.meeting_plan(
        actor=None,
        org=org,
        kind="theme_day",
        topic="主题党日：学习二十大报告",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="会议室",
    )
    if held:
        rows = Attendance.objects.unscoped().filter(meeting=meeting)
        orglife.meeting_record(
            actor=None,
            meeting=meeting,
            attendance={r.member_id: ("present", "") for r in rows},
            minutes="学习党的二十大报告，交流体会。",
        )
        meeting.refresh_from_db()
    return meeting


def secretary_of(org, member, username: str, *, account: bool = True):
    """Seat `member` as the current 书记 of `org` and, with `account`, give him a login of
    his own (no role grant): the account a 督办 escalates to."""
    from dangjian.accounts.models import User
    from dangjian.orgs.services import seat_assign
    from tests.conftest import PASSWORD

    seat_assign(
        actor=None, org=org, member=member, role="secretary", started_on=dt.date(2020, 1, 1)
    )
    if not account:
        return None
    return User.objects.create_user(username=username, password=PASSWORD, member=member)
