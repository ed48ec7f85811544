"""Builders of the responsibility-list tests: lists, items and reports through the real
services (`actor=None`, the system), and small uploaded files judged by content.

An item owes the reports of the quarters ending on or after the later of its list's
confirmation and its own addition, so the builders date both at the start of the list's year
(items added on 10 January, the list confirmed on 20 January) unless a test says otherwise
(`now=` on `add_item`, `confirmed_on=` on `confirmed_list`)."""

from __future__ import annotations

import base64
import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.responsibility import services_duties as services

#: a past year: every quarter is open for reports and has ended
YEAR = 2024
AFTER = dt.date(2025, 3, 1)


def make_list(org, year=YEAR, kind="main", holder_name="", **kw):
    return services.duty_list_create(
        actor=None, org=org, year=year, kind=kind, holder_name=holder_name, **kw
    )


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A local instant on `day`."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def add_item(duty_list, content="每季度专题研究党建工作", owner_name="张三丰", now=None, **kw):
    """An item added on 10 January of the list's year unless `now` says when."""
    return services.duty_item_add(
        actor=None,
        duty_list=duty_list,
        content=content,
        owner_name=owner_name,
        now=now or at(dt.date(duty_list.year, 1, 10)),
        **kw,
    )


def confirmed_list(org, year=YEAR, items=2, kind="main", confirmed_on=None, **kw):
    """A list with `items` items due 30 June, confirmed on 20 January of `year` (or on
    `confirmed_on`)."""
    duty_list = make_list(org, year=year, kind=kind, **kw)
    made = [
        add_item(duty_list, content=f"第{n}项责任", deadline=dt.date(year, 6, 30))
        for n in range(1, items + 1)
    ]
    services.duty_list_confirm(
        actor=None, duty_list=duty_list, now=at(confirmed_on or dt.date(year, 1, 20))
    )
    duty_list.refresh_from_db()
    return duty_list, made


def report(item, quarter=1, progress=50, text="已召开专题会议研究部署", today=AFTER, files=()):
    return services.duty_report_submit(
        actor=None,
        item=item,
        quarter=quarter,
        progress=progress,
        text=text,
        files=files,
        today=today,
    )


#: a 1×1 red PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def png_bytes() -> bytes:
    return PNG


def photo(name="现场照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def fake_photo(name="伪装.png") -> SimpleUploadedFile:
    """A program named like a photo: refused by its content."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 100, content_type="image/png")
