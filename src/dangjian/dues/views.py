"""Pages of 党费 for the branch: the month list (who owes how much this month and whether it is
paid), generating a month's charges with a progress bar, recording a payment (htmx form), a
member's ledger with his bases, payments and reductions. Thin: parse, access check, one
service or selector. Reports, reductions and "我的党费" are in views_reports.py. See
docs/dues.md."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.dues import forms as f
from dangjian.dues import selectors as sel
from dangjian.dues import services
from dangjian.dues.models import ChargeStatus, DuesCategory, DuesCharge, PaymentKind, RunStatus
from dangjian.members.selectors import members_in_subtree
from dangjian.orgs.models import Org, OrgKind
from dangjian.rules import dues as rules

MANAGE = Cap.DUES_MANAGE
APPROVE = Cap.DUES_APPROVE
PAGE_SIZE = 50
ORG_CHOICES_MAX = 300
OPEN = [ChargeStatus.DUE, ChargeStatus.PARTIAL]
ACTIVE_RUNS = (RunStatus.QUEUED, RunStatus.RUNNING)
ZERO = Decimal("0.00")
#: the base form's fields the preview reads (hx-include names only these: never the CSRF
#: token, which must not travel in a GET's query string, nor the note)
PREVIEW_FIELDS = ("category", "fixed_amount", "item_name", "item_amount", "income_tax", "base")


# ---------------------------------------------------------------------------------------------
# Helpers shared with views_reports


def nav_flags(user) -> dict:
    return {
        "manage": has_cap_anywhere(user, MANAGE),
        "approve": has_cap_anywhere(user, APPROVE),
    }


def manage_orgs(user, current: Org | None = None) -> list[Org]:
    """The orgs whose dues the user keeps (the org picker), top-most first: the first
    ORG_CHOICES_MAX, and `current` (the page's org) where it is not among them, else nothing
    would be selected and the next 查看 would jump to another org."""
    orgs = list(
        Org.objects.visible_to(user, MANAGE)
        .filter(dissolved_on__isnull=True)
        .exclude(kind__in=[OrgKind.GROUP, OrgKind.DISCIPLINE_COMMITTEE])
        .order_by("depth", "path")[:ORG_CHOICES_MAX]
    )
    if current is not None and all(o.pk != current.pk for o in orgs):
        orgs = sorted([*orgs, current], key=lambda o: (o.depth, o.path))
    return orgs


def org_param(request, cap: Cap = MANAGE) -> Org:
    """The org named by ?org= (404 when not the user's), else the top-most org where the user
    holds `cap` (a branch secretary's own branch)."""
    return sel.dues_org(request.user, request.GET.get("org") or request.POST.get("org"), cap)


def next_month():
    return rules.add_month_starts(timezone.localdate().replace(day=1), 1)


def open_charges(member) -> list[DuesCharge]:
    """The months a member (already access-checked) still owes, oldest first (the pay form's
    hint)."""
    return [
        c
        for c in DuesCharge.all_objects.filter(member=member, status__in=OPEN).order_by("month")[
            :36
        ]
        if c.outstanding > 0
    ]


MONTH_INVALID = "月份无效，应为 YYYY-MM。"


def month_param(request, key: str = "month", *, write: bool = False):
    """The month named by ?month= (or the form), else this month. A month given but invalid
    is refused on a write (AppError at `month`: nothing is generated or exported for a month
    nobody asked for); a read falls back to this month and says so."""
    value = (request.POST.get(key) if request.method == "POST" else None) or request.GET.get(key)
    this_month = timezone.localdate().replace(day=1)
    if not value:
        return this_month
    month = f.parse_month(value)
    if month is not None:
        return month
    if write:
        raise AppError(MONTH_INVALID, field="month")
    messages.warning(request, f"月份“{value[:20]}”无效（应为 YYYY-MM），已显示本月。")
    return this_month


def year_param(request, default: int | None = None) -> int:
    raw = request.GET.get("year", "")
    try:
        year = int(raw)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2200:
        year = default or timezone.localdate().year
    return year


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _require_manager(request):
    """Managers go on; a member without a dues role is sent to his own dues; others 404."""
    if has_cap_anywhere(request.user, MANAGE):
        return None
    if getattr(request.user, "member_id", None):
        return redirect("dues:my")
    raise deny()


# ---------------------------------------------------------------------------------------------
# The month list


@require_GET
def index(request):
    """谁本月应缴多少、缴了没有: the month's charges of an org's subtree."""
    sent = _require_manager(request)
    if sent is not None:
        return sent
    org = org_param(request)
    month = month_param(request)
    q = request.GET.get("q", "").strip()[:50]
    listing = sel.month_list(request.user, org, month, search=q)
    page = Paginator(listing.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    running = [
        r
        for r in sel.runs_for(request.user, org, limit=5)
        if r.org_id == org.pk and r.month == month and r.status in ACTIVE_RUNS
    ]
    return render(
        request,
        "dues/index.html",
        {
            "org": org,
            "month": month,
            "q": q,
            "orgs": manage_orgs(request.user, org),
            "page": page,
            "listing": listing,
            "nav_dues": nav_flags(request.user),
            "run": running[0] if running else None,
            "can_generate": month <= next_month(),
            "this_url": request.get_full_path(),
        },
    )


@require_POST
def generate(request):
    """生成本月应缴: start a ChargeRun for the org and month; htmx gets the progress bar."""
    org = org_param(request)
    if not can(request.user, MANAGE, org.path):
        raise deny()
    try:
        month = month_param(request, write=True)
        run = services.charge_run_start(actor=request.user, org=org, month=month)
    except AppError as exc:
        if not request.htmx:
            raise  # the middleware: the message on the page the form came from
        # htmx swaps only 2xx answers: the refusal (a run already going, a bad month, a
        # dissolved org) comes back as 200 into #run-slot, where the user sees it
        return render(request, "dues/_run_error.html", {"message": exc.message})
    if request.htmx:
        return render(request, "dues/_run_progress.html", {"run": run})
    messages.success(request, f"已开始生成{month:%Y年%m月}的应缴。")
    return redirect(f"{reverse('dues:index')}?org={org.pk}&month={month:%Y-%m}")


@require_GET
def run_progress(request, run_id):
    run = sel.access_run(request.user, run_id)
    return render(request, "dues/_run_progress.html", {"run": run})


# ---------------------------------------------------------------------------------------------
# Payments


def _payment_page(request, member, form, status=200):
    context = {
        "member": member,
        "form": form,
        "owed": open_charges(member),
        "next": safe_next(request, reverse("dues:member", args=[member.pk])),
    }
    template = "dues/_pay_form.html" if request.htmx else "dues/pay.html"
    # htmx swaps only 2xx answers: the form with its errors comes back as 200 to it
    return render(request, template, context, status=200 if request.htmx else status)


@require_http_methods(["GET", "POST"])
def payment_create(request, member_id):
    """收款 for one member (a regular payment for months owed, or voluntary extra dues)."""
    member = sel.access_member_dues(request.user, member_id)
    payers = [m for m in members_in_subtree(member.branch, limit=500) if m.pk != member.pk]
    by_id = {m.pk: m for m in payers}
    if request.method == "GET":
        kind = request.GET.get("kind")
        initial = {
            "paid_on": timezone.localdate(),
            "kind": kind if kind in PaymentKind.values else PaymentKind.REGULAR,
            "months": request.GET.get("month", ""),
        }
        return _payment_page(request, member, f.PaymentForm(initial=initial, payers=payers))
    form = f.PaymentForm(request.POST, payers=payers)
    if form.is_valid():
        data = form.cleaned_data
        payment = call_service(
            form,
            services.payment_record,
            actor=request.user,
            member=member,
            kind=data["kind"],
            months=data["months"],
            amount=data["amount"],
            paid_on=data["paid_on"],
            method=data["method"],
            paid_by=by_id.get(data["paid_by"]),
            consent_note=data["consent_note"],
            exception_reason=data["exception_reason"],
            receipt_no=data["receipt_no"],
            note=data["note"],
        )
        if payment is not None:
            text = f"已登记{member.name}缴纳党费{payment.amount}元。"
            if payment.to_centre:
                text += "单笔自愿多交1000元以上，全部上缴中央（R-DUES-12）。"
            messages.success(request, text)
            target = safe_next(request, reverse("dues:member", args=[member.pk]))
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    return _payment_page(request, member, form, status=400)


@require_POST
def payment_void(request, payment_id):
    payment = sel.access_payment(request.user, payment_id)
    form = f.VoidForm(request.POST)
    target = reverse("dues:member", args=[payment.member_id])
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return redirect(target)
    services.payment_void(actor=request.user, payment=payment, reason=form.cleaned_data["reason"])
    messages.success(request, f"已作废{payment.paid_on:%Y-%m-%d}的{payment.amount}元缴费记录。")
    return redirect(target)


# ---------------------------------------------------------------------------------------------
# A member's ledger: bases, the year's months, payments, reductions


def _ledger_page(request, member, *, base_form=None, reduction_form=None, status=200):
    today = timezone.localdate()
    year = year_param(request, today.year)
    months = sel.member_ledger(request.user, member, year)
    bases = sel.member_bases(request.user, member)
    latest = bases[0] if bases else None
    if base_form is None:
        initial = {"effective_month": today.replace(day=1)}
        if latest is not None:
            initial.update(category=latest.category, income_tax=latest.income_tax)
        base_form = f.BaseForm(initial=initial)
    if base_form.is_bound:  # the rows as typed, the wrong ones included
        names, amounts = base_form.data.getlist("item_name"), base_form.data.getlist("item_amount")
        items = [{"name": n, "amount": a} for n, a in zip(names, amounts, strict=False) if n or a]
    else:
        items = latest.items if latest else []
    return render(
        request,
        "dues/member.html",
        {
            "member": member,
            "org": member.branch,
            "year": year,
            "years": range(today.year, max(today.year - 10, 1999), -1),
            "months": months,
            "bases": bases,
            "payments": sel.member_payments(request.user, member),
            "reductions": sel.member_reductions(request.user, member),
            "can_approve_member": sel.can_approve(request.user, member.org_path),
            "year_due": sum((m.charge.amount for m in months if m.charge), ZERO),
            "year_paid": sum((m.charge.paid_amount for m in months if m.charge), ZERO),
            "base_form": base_form,
            "item_rows": [*items, *([{}] * max(3 - len(items), 1))],
            "reduction_form": reduction_form or f.ReductionForm(),
            "void_form": f.VoidForm(),
            "fixed_categories": sorted(rules.FIXED_CATEGORIES),
            "preview_fields": PREVIEW_FIELDS,
            "nav_dues": nav_flags(request.user),
        },
        status=status,
    )


@require_GET
def member_ledger(request, member_id):
    member = sel.access_member_dues(request.user, member_id)
    return _ledger_page(request, member)


@require_POST
def base_create(request, member_id):
    """A new base from a month on (R-DUES-11), derived from the items (R-DUES-02)."""
    member = sel.access_member_dues(request.user, member_id)
    form = f.BaseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        base = call_service(
            form,
            services.base_set,
            actor=request.user,
            member=member,
            category=data["category"],
            effective_month=data["effective_month"],
            items=data["items"],
            income_tax=data["income_tax"] if data["income_tax"] is not None else 0,
            base=data["base"],
            fixed_amount=data["fixed_amount"],
            note=data["note"],
        )
        if base is not None:
            messages.success(
                request,
                f"已登记{member.name}自{base.effective_month:%Y年%m月}起的缴纳基数，"
                f"月应缴{base.monthly_amount}元。",
            )
            return redirect("dues:member", member_id=member.pk)
    return _ledger_page(request, member, base_form=form, status=400)


@require_GET
def base_preview(request):
    """The monthly amount the base form would give, and the rule behind it (htmx fragment)."""
    if not has_cap_anywhere(request.user, MANAGE):
        raise deny()
    g = request.GET
    category = g.get("category", "")
    context: dict = {"category": category}
    try:
        if category not in DuesCategory.values:
            raise rules.DuesInputError("请选择缴费类别。", field="category")
        if category in rules.FIXED_CATEGORIES:
            fixed = g.get("fixed_amount") or None
            if fixed is not None:
                fixed = rules.to_decimal(fixed, "fixed_amount")
            context["amount"] = rules.monthly_dues(category, None, fixed_amount=fixed)
        else:
            items, errors = f.parse_items(g)
            if errors:
                raise rules.DuesInputError(errors[0], field="items")
            if items:
                tax = g.get("income_tax") or "0"
                base = rules.base_from_items([i["amount"] for i in items], tax)
                context["derived"] = True
            else:
                base = rules.check_base(g.get("base") or None)
            context["base"] = base
            context["rate"] = rules.rate_for(category, base) * 100
            context["amount"] = rules.monthly_dues(category, base, rounding=settings.DUES_ROUNDING)
        context["rule"] = rules.rule_for(category)
    except rules.DuesInputError as exc:
        context["error"] = exc.message
    return render(request, "dues/_base_preview.html", context)


@require_POST
def reduction_create(request, member_id):
    """减免申请 (R-DUES-08): recorded by the branch, decided by the committee above."""
    member = sel.access_member_dues(request.user, member_id)
    form = f.ReductionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        reduction = call_service(
            form,
            services.reduction_request,
            actor=request.user,
            member=member,
            kind=data["kind"],
            monthly_amount=data["monthly_amount"],
            from_month=data["from_month"],
            to_month=data["to_month"],
            reason=data["reason"],
            branch_discussed_on=data["branch_discussed_on"],
        )
        if reduction is not None:
            messages.success(request, "减免申请已提交，待上级党委审批（R-DUES-08）。")
            return redirect("dues:member", member_id=member.pk)
    return _ledger_page(request, member, reduction_form=form, status=400)
