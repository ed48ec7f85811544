"""The plain checks of what a step records (texts, whole numbers, hours, end dates) and the
reading of an uploaded material; AppError at the field otherwise. Used by services_steps and
services_corrections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile

from dangjian.core.errors import AppError

TEXT_LIMITS = {"people_text": 200, "body": 100, "note": 500, "override_reason": 300}


def read_document(uploaded) -> tuple[ContentFile, str]:
    """An uploaded material (photo, PDF, Word, Excel), checked by content; AppError at
    `document` otherwise."""
    from dangjian.orglife.services_attachments import clean_name
    from dangjian.orglife.services_attachments import read_document as read

    try:
        data, _type, ext = read(uploaded)
    except AppError as exc:
        raise AppError(exc.message, field="document") from None
    return ContentFile(data, name=f"material.{ext}"), clean_name(getattr(uploaded, "name", ""))


def _text(value, field: str, label: str) -> str:
    value = "" if value is None else str(value).strip()
    if len(value) > TEXT_LIMITS[field]:
        raise AppError(f"{label}不能超过{TEXT_LIMITS[field]}字。", field=field)
    return value


def _whole(value, field: str, label: str, *, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise AppError(f"{label}应为整数。", field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise AppError(f"{label}应为整数。", field=field) from None
    if not low <= number <= high:
        raise AppError(f"{label}应在{low}至{high}之间。", field=field)
    return number


def _hours(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise AppError("学时应为数字。", field="hours") from None
    if not Decimal("0") < hours <= Decimal("9999"):
        raise AppError("学时应大于0。", field="hours")
    return hours


#: a 公示 or a training lasts days or weeks: an end date further out is a typing error
END_MAX_DAYS = 366


def check_end(on: dt.date, end_on: dt.date | None) -> None:
    if end_on is None:
        return
    if end_on < on:
        raise AppError("截止日期不能早于开始日期。", field="end_on")
    if (end_on - on).days > END_MAX_DAYS:
        raise AppError("截止日期距开始日期超过一年，请核对。", field="end_on")
