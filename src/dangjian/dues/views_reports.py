"""Pages of 党费 above the single month: arrears with their ageing (R-DUES-14), the year's
totals, the 党费收缴情况公示, reductions and their approval (R-DUES-08), "我的党费" on a phone,
and the exports. Thin: parse, access check, one selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.dues import forms as f
from dangjian.dues import selectors as sel
from dangjian.dues import services
from dangjian.dues.models import ReductionStatus
from dangjian.dues.selectors_reports import BUCKETS
from dangjian.dues.views import (
    APPROVE,
    MANAGE,
    PAGE_SIZE,
    manage_orgs,
    month_param,
    nav_flags,
    org_param,
    year_param,
)
from dangjian.orgs.selectors import access_org

#: kind in the URL → (exporter identifier, format)
EXPORTS = {
    "month": ("dues.month_list", "xlsx"),
    "arrears": ("dues.arrears", "xlsx"),
    "annual": ("dues.annual_totals", "xlsx"),
    "publication": ("dues.publication", "xlsx"),
    "publication-docx": ("dues.publication_notice", "docx"),
}


def _years(today):
    return range(today.year, today.year - 10, -1)


@require_GET
def arrears(request):
    """欠缴: members owing months already over, worst first, with the R-DUES-14 finding."""
    org = org_param(request)
    today = timezone.localdate()
    rows = sel.arrears(request.user, org, today)  # paginated in SQL
    ageing = sel.arrears_ageing(request.user, org, today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dues/arrears.html",
        {
            "org": org,
            "orgs": manage_orgs(request.user, org),
            "page": page,
            "total": sum(ageing.values()),
            "ageing": [(BUCKETS[k], v) for k, v in ageing.items()],
            "chart": {"units": list(BUCKETS.values()), "counts": list(ageing.values())},
            "today": today,
            "nav_dues": nav_flags(request.user),
        },
    )


@require_GET
def annual(request):
    """年度汇总: the year's totals per branch and unit."""
    org = org_param(request)
    year = year_param(request)
    return render(
        request,
        "dues/annual.html",
        {
            "org": org,
            "orgs": manage_orgs(request.user, org),
            "year": year,
            "years": _years(timezone.localdate()),
            "rows": sel.annual_totals(request.user, org, year),
            "nav_dues": nav_flags(request.user),
        },
    )


@require_GET
def publication(request):
    """党费收缴情况公示 of a branch for a year (printable). The branch's managers and its own
    members may read it (the selector decides); it shows what each member paid, never the
    base or the pay items (docs/dues.md)."""
    user = request.user
    value = request.GET.get("org")
    manages = has_cap_anywhere(user, MANAGE)
    if value:
        org = access_org(user, value, need=Cap.ORG_VIEW)
    elif manages:
        org = org_param(request)
    elif getattr(user, "member_id", None) and user.member is not None:
        org = access_org(user, user.member.branch_id, need=Cap.ORG_VIEW)
    else:
        raise deny()
    year = year_param(request)
    pub = sel.publication(user, org, year)
    return render(
        request,
        "dues/publication.html",
        {
            "org": org,
            "orgs": manage_orgs(user, org) if manages else [],
            "year": year,
            "years": _years(timezone.localdate()),
            "pub": pub,
            "can_export": can(user, MANAGE, org.path),
            "nav_dues": nav_flags(user),
        },
    )


# ---------------------------------------------------------------------------------------------
# Reductions (R-DUES-08)


@require_GET
def reductions(request):
    """Pending reductions the user decides (the committee above the branch), and the
    reductions of his branches with their decisions. 404 for everyone else."""
    user = request.user
    if not (has_cap_anywhere(user, MANAGE) or has_cap_anywhere(user, APPROVE)):
        raise deny()
    status = request.GET.get("status", "")
    pending = sel.reductions_pending_for(user)
    pending_ids = {r.pk for r in pending}
    listing = [r for r in sel.reduction_list(user, status=status) if r.pk not in pending_ids]
    for r in listing:  # the buttons; the services check again
        r.can_end = r.status == ReductionStatus.APPROVED and sel.can_approve(user, r.org_path)
        r.can_withdraw = r.status == ReductionStatus.PENDING and can(user, MANAGE, r.org_path)
    return render(
        request,
        "dues/reductions.html",
        {
            "pending": pending,
            "listing": listing,
            "status": status,
            "form": f.DecisionForm(),
            "nav_dues": nav_flags(user),
        },
    )


@require_POST
def reduction_decide(request, reduction_id):
    reduction = sel.access_reduction(request.user, reduction_id, need=APPROVE)
    form = f.DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.reduction_decide,
            actor=request.user,
            reduction=reduction,
            approve=data["decision"] == "approve",
            note=data["note"],
        )
        if done is not None:
            messages.success(
                request, f"已{done.get_status_display()}{reduction.member.name}的党费减免申请。"
            )
            return redirect("dues:reductions")
    for errors in form.errors.values():
        messages.error(request, errors[0])
        break
    return redirect("dues:reductions")


def _back(request, fallback: str):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _refused(request, exc: AppError):
    messages.error(request, exc.message)


@require_POST
def reduction_end(request, reduction_id):
    """终止 an approved reduction after a month (the committee above, R-DUES-08)."""
    reduction = sel.access_reduction(request.user, reduction_id, need=APPROVE)
    to_month = f.parse_month(request.POST.get("to_month"))
    try:
        if to_month is None:
            raise AppError("请填写最后减免月份（YYYY-MM）。", field="to_month")
        done = services.reduction_end(
            actor=request.user,
            reduction=reduction,
            to_month=to_month,
            reason=request.POST.get("reason", ""),
        )
    except AppError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            f"已终止{reduction.member.name}的党费减免，{done.to_month:%Y年%m月}以后按标准应缴。",
        )
    return _back(request, reverse("dues:reductions"))


@require_POST
def reduction_withdraw(request, reduction_id):
    """撤回 a pending request (the branch that asked)."""
    reduction = sel.access_reduction(request.user, reduction_id)
    try:
        services.reduction_withdraw(
            actor=request.user, reduction=reduction, reason=request.POST.get("reason", "")
        )
    except AppError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"已撤回{reduction.member.name}的党费减免申请。")
    return _back(request, reverse("dues:member", args=[reduction.member_id]))


# ---------------------------------------------------------------------------------------------
# 我的党费


@require_GET
def my_dues(request):
    """A member's own dues on a phone: this year's months, what he owes, the R-DUES-14
    warning. Nobody else's data."""
    mine = sel.my_dues(request.user, timezone.localdate())
    if mine is None:
        raise deny()
    return render(request, "dues/my.html", {"mine": mine, "nav_dues": nav_flags(request.user)})


# ---------------------------------------------------------------------------------------------
# Exports


@require_POST
def export(request, kind):
    found = EXPORTS.get(kind)
    if found is None:
        raise deny()
    identifier, fmt = found
    org = org_param(request)
    params = {"org": org.pk}
    if kind == "month":
        params["month"] = f"{month_param(request, write=True):%Y-%m}"
    elif kind in ("annual", "publication", "publication-docx"):
        year = request.POST.get("year", "").strip()
        if year and not year.isdigit():
            raise AppError("年度无效，应为四位数字。", field="year")
        params["year"] = year or timezone.localdate().year
    outcome = export_start(actor=request.user, identifier=identifier, params=params, fmt=fmt)
    return outcome_response(outcome)
