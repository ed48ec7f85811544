"""Pages of the ledgers (台账) and the calendar: the ledger page with its downloads (Word,
xlsx, and a zip for a unit), the month calendar of an org, "my calendar", and the iCalendar
feeds (reached with a per-user token instead of the session). Thin: parse, access check,
one service or selector. See docs/orglife-ledgers.md."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import deny, paths_for
from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.forms import BootstrapMixin, call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.orglife import calendar as cal
from dangjian.orglife import ledger
from dangjian.orglife.exporters import unit_ledger_export
from dangjian.orgs.models import Org
from dangjian.orgs.selectors import access_org

EXPORTS = {"docx": "orglife.ledger", "xlsx": "orglife.ledger_summary"}


def _default_org(user) -> Org:
    paths = paths_for(user, Cap.MEMBER_VIEW)
    if not paths:
        raise deny()
    return access_org(user, paths[0].strip("/").split("/")[-1], need=Cap.MEMBER_VIEW)


def _org(request, source) -> Org:
    if source.get("org"):
        return access_org(request.user, source["org"], need=Cap.MEMBER_VIEW)
    return _default_org(request.user)


# ---------------------------------------------------------------------------------------------
# The ledger page


def period_choices(today) -> list:
    """Presets: each year from next year back five, with its quarters and months."""
    groups = []
    for year in range(today.year + 1, today.year - 5, -1):
        options = [(f"{year}", f"{year}年全年")]
        options += [(f"{year}-Q{q}", f"{year}年第{'一二三四'[q - 1]}季度") for q in range(1, 5)]
        options += [(f"{year}-{m:02d}", f"{year}年{m}月") for m in range(1, 13)]
        groups.append((f"{year}年", options))
    return [("custom", "自定义期间"), *groups]


class LedgerForm(BootstrapMixin, forms.Form):
    period = forms.ChoiceField(label="期间")
    start = forms.DateField(
        label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    fmt = forms.ChoiceField(
        label="格式",
        required=False,
        choices=[("docx", "Word"), ("xlsx", "Excel"), ("zip", "ZIP")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(today or timezone.localdate())
        self.fields["start"].error_messages["invalid"] = "请填写有效的开始日期。"
        self.fields["end"].error_messages["invalid"] = "请填写有效的结束日期。"
        self.fields["period"].error_messages["invalid_choice"] = "请选择有效的期间。"

    def params(self, org: Org) -> dict:
        data = self.cleaned_data
        out = {"org": org.pk, "period": data["period"]}
        if data["period"] == "custom":
            out["start"] = data["start"].isoformat() if data.get("start") else ""
            out["end"] = data["end"].isoformat() if data.get("end") else ""
        return out


def _ledger_export(*, actor, params: dict, fmt: str):
    """Check the period (its errors land at the field), then start the export."""
    ledger.parse_period(params.get("period", ""), params.get("start"), params.get("end"))
    if fmt == "zip":
        return unit_ledger_export(actor=actor, params=params)
    if fmt not in EXPORTS:
        raise AppError("请选择导出格式。", field="fmt")
    return export_start(actor=actor, identifier=EXPORTS[fmt], params=params, fmt=fmt)


@require_http_methods(["GET", "POST"])
def ledger_page(request):
    source = request.POST if request.method == "POST" else request.GET
    org = _org(request, source)
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        form = LedgerForm(request.POST, today=today)
        if form.is_valid():
            outcome = call_service(
                form,
                _ledger_export,
                actor=request.user,
                params=form.params(org),
                fmt=form.cleaned_data.get("fmt") or "docx",
            )
            if outcome is not None:
                return outcome_response(outcome)
        status = 400
    else:
        initial = {"period": source.get("period") or f"{today.year}"}
        if source.get("start") or source.get("end"):
            initial.update(period="custom", start=source.get("start"), end=source.get("end"))
        form = LedgerForm(initial=initial, today=today)
    raw = form.data if form.is_bound else form.initial
    try:
        period = ledger.parse_period(
            str(raw.get("period") or ""), raw.get("start") or None, raw.get("end") or None
        )
    except AppError:
        period = None
    preview = None
    if period is not None:
        preview = {
            "period": period,
            "meetings": ledger.ledger_meetings(request.user, org, period).count(),
            "held": ledger.ledger_meetings(request.user, org, period, held_only=True).count(),
        }
    unit = ledger.has_units_below(org)
    return render(
        request,
        "orglife/ledger.html",
        {
            "org": org,
            "form": form,
            "preview": preview,
            "unit": unit,
            "branches": ledger.unit_ledger_orgs(request.user, org, period)
            if period and unit
            else [],
        },
        status=status,
    )


# ---------------------------------------------------------------------------------------------
# The calendar pages


def _feed_url(request, name: str, **kwargs) -> str:
    token = cal.feed_token(request.user)
    return request.build_absolute_uri(reverse(name, kwargs={"token": token, **kwargs}))


def _month_context(request, meetings_of, first, notice):
    start, end = cal.month_bounds(first)
    today = timezone.localdate()
    meetings = list(meetings_of(start, end))
    return {
        "first": first,
        "prev": cal.shift_month(first, -1),
        "next": cal.shift_month(first, 1),
        "weeks": cal.month_grid(first, meetings, today),
        "weekdays": cal.WEEKDAYS,
        "meetings": meetings,
        "notice": notice,
    }


@require_GET
def calendar_page(request):
    org = _org(request, request.GET)
    first, notice = cal.parse_month(request.GET.get("month", ""), timezone.localdate())
    context = _month_context(
        request, lambda s, e: cal.org_meetings(request.user, org, s, e), first, notice
    )
    context.update(
        org=org,
        mine=False,
        feed_url=_feed_url(request, "orglife_feed:org", org_id=org.pk),
    )
    return render(request, "orglife/calendar.html", context)


@require_GET
def my_calendar(request):
    if not getattr(request.user, "member_id", None):
        raise deny()
    first, notice = cal.parse_month(request.GET.get("month", ""), timezone.localdate())
    context = _month_context(
        request, lambda s, e: cal.my_meetings(request.user, s, e), first, notice
    )
    context.update(org=None, mine=True, feed_url=_feed_url(request, "orglife_feed:mine"))
    return render(request, "orglife/calendar.html", context)


@require_POST
def feed_reset(request):
    cal.feed_reset(actor=request.user)
    back = request.POST.get("next", "")
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("orglife_docs:calendar")


# ---------------------------------------------------------------------------------------------
# The feeds (no session: the token in the URL names the user)


def _ics(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response["Cache-Control"] = "no-store, private"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def org_feed(request, token, org_id):
    user = cal.feed_user(token)
    if user is None:
        raise Http404
    org = access_org(user, org_id, need=Cap.MEMBER_VIEW)
    start, end = cal.feed_window()
    content = cal.ical(cal.org_meetings(user, org, start, end), f"{org.name} 组织生活")
    return _ics(content, f"orglife-{org.pk}")


@require_GET
def my_feed(request, token):
    user = cal.feed_user(token)
    if user is None or not user.member_id:
        raise Http404
    start, end = cal.feed_window()
    return _ics(cal.ical(cal.my_meetings(user, start, end), "我的组织生活"), "orglife-mine")
