"""The working-day calendar settings page (/settings/calendar/, R-GEN-04): a year's holidays and
make-up working days, built-in and entered by hand, with a form to add an override and buttons
to remove one. Only for those who may change the calendar (core.workcalendar); 404 to others."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.core.access import deny
from dangjian.core.errors import AppError
from dangjian.core.forms import BootstrapMixin, DateInput, call_service
from dangjian.core.workcalendar import (
    FIRST_YEAR,
    LAST_YEAR,
    NAME_MAX,
    calendar_day_delete,
    calendar_day_set,
    calendar_summary,
    may_manage_calendar,
    year_days,
)

DAY_ERRORS = {
    "required": "请填写日期。",
    "invalid": "请按“年-月-日”填写有效的日期，如 2027-10-01。",
}
KIND_CHOICES = [("1", "工作日（调休上班）"), ("0", "休息日（法定节假日）")]


class CalendarDayForm(BootstrapMixin, forms.Form):
    day = forms.DateField(label="日期", widget=DateInput(), error_messages=DAY_ERRORS)
    kind = forms.ChoiceField(
        label="类型",
        choices=KIND_CHOICES,
        error_messages={
            "required": "请选择工作日或休息日。",
            "invalid_choice": "请选择工作日或休息日。",
        },
    )
    name = forms.CharField(
        label="说明",
        required=False,
        max_length=NAME_MAX,
        help_text="如：国庆节、国庆节调休上班",
        error_messages={"max_length": f"说明不能超过{NAME_MAX}个字。"},
    )


class DeleteForm(forms.Form):
    day = forms.DateField(error_messages=DAY_ERRORS)


def _year(raw, default: int) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return default
    return year if FIRST_YEAR <= year <= LAST_YEAR else default


def _index_url(year: int) -> str:
    return f"{reverse('workcalendar:index')}?year={year}"


@require_http_methods(["GET", "POST"])
def index(request):
    if not may_manage_calendar(request.user):
        raise deny()
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    if request.method == "POST":
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            row = call_service(
                form,
                calendar_day_set,
                actor=request.user,
                day=data["day"],
                is_workday=data["kind"] == "1",
                name=data["name"],
            )
            if row is not None:
                messages.success(request, f"已保存 {row.day:%Y-%m-%d} 的调整。")
                return redirect(_index_url(row.day.year))
        status = 400
    else:
        form = CalendarDayForm(initial={"kind": "0"})
        status = 200
    context = {
        "form": form,
        "year": year,
        "years": list(range(today.year - 3, today.year + 3)),
        "days": year_days(year),
        "summary": calendar_summary(year),
    }
    return render(request, "core/calendar.html", context, status=status)


@require_POST
def delete(request):
    if not may_manage_calendar(request.user):
        raise deny()
    form = DeleteForm(request.POST)
    if not form.is_valid():
        raise AppError(form.errors["day"][0], field="day")
    day = form.cleaned_data["day"]
    calendar_day_delete(actor=request.user, day=day)
    messages.success(request, f"已删除 {day:%Y-%m-%d} 的调整，恢复内置日历。")
    return redirect(_index_url(day.year))
