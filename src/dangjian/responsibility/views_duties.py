"""Pages of the responsibility lists (责任清单, R-ORG-12): the lists by unit and year (filters,
search), a list with its items, progress bars, quarterly reports and findings, the forms (list,
item, copy), the phone-friendly report form with photos, evidence downloads, the 工委's
unit-by-unit overview, and the exports. Thin: parse, access check, one service or selector.
See docs/responsibility-duties.md."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.views_export import outcome_response
from dangjian.orglife.services_attachments import max_bytes, megabytes, too_large_message
from dangjian.responsibility import forms_duties as f
from dangjian.responsibility import selectors_duties as sel
from dangjian.responsibility import services_duties as services
from dangjian.responsibility.models import DutyCategory, DutyKind
from dangjian.rules import duties as rules

PAGE_SIZE = 20
OVERVIEW_PAGE_SIZE = 50
LIST_EXPORTS = {
    "xlsx": ("responsibility.duty_list", "xlsx"),
    "csv": ("responsibility.duty_list", "csv"),
    "docx": ("responsibility.duty_list_doc", "docx"),
}


def _guard(request) -> None:
    if not has_cap_anywhere(request.user, sel.MANAGE):
        raise deny()


def _first_error(form) -> AppError:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return AppError(f"{label}：{errors[0]}" if label else errors[0], field=name)
    return AppError("请求数据有误。")


def _list_url(duty_list) -> str:
    return reverse("responsibility:duty_list", args=[duty_list.pk])


# ---------------------------------------------------------------------------------------------
# Lists


@require_GET
def duty_lists(request):
    """The lists of the user's units, by year, with filters and a search."""
    _guard(request)
    g = request.GET
    today = timezone.localdate()
    units = sel.unit_orgs(request.user)
    unit_id = sel._int(g.get("org"))
    org = next((u for u in units if u.pk == unit_id), None)
    if g.get("org") and org is None:
        org = sel.access_unit_org(request.user, g.get("org"))  # 404 for another unit
    year_raw = g.get("year")
    if year_raw is None:
        year = today.year
    elif year_raw == "":
        year = None  # 全部年度
    else:
        year = sel.parse_year(year_raw, today) or today.year
    kind = g.get("kind", "")
    kind = kind if kind in sel.KINDS else ""
    status = g.get("status", "")
    status = status if status in ("draft", "confirmed") else ""
    q = g.get("q", "").strip()[:50]
    lists = sel.duty_lists(request.user, org=org, year=year, kind=kind, q=q, status=status)
    page = Paginator(lists, PAGE_SIZE).get_page(g.get("page"))
    flags = sel.flags_for(list(page.object_list), today)
    for dl in page.object_list:
        dl.flags = flags.get(dl.pk)
    return render(
        request,
        "responsibility/duties/lists.html",
        {
            "page": page,
            "units": units,
            "org": org,
            "years": sel.year_choices(today),
            "kinds": DutyKind.choices,
            "params": {
                "org": org.pk if org else "",
                "year": year or "",
                "kind": kind,
                "status": status,
                "q": q,
            },
        },
    )


@require_http_methods(["GET", "POST"])
def duty_list_create(request):
    _guard(request)
    units = sel.unit_orgs(request.user)
    org_raw = request.GET.get("org") or request.POST.get("org")
    if org_raw:
        base = sel.access_unit_org(request.user, org_raw)
    elif len(units) == 1:
        base = units[0]
    else:
        # several units: choose the unit first (its members are the holder choices)
        return render(request, "responsibility/duties/choose_unit.html", {"units": units})
    if base.pk not in {u.pk for u in units}:
        units.insert(0, base)
    people = sel.holder_choices(base)
    people_by_id = {m.pk: m for m in people}
    initial = {"org": base.pk, "year": timezone.localdate().year}
    initial["kind"] = request.GET.get("kind", "") if request.GET.get("kind") in sel.KINDS else ""
    form = f.DutyListForm(request.POST or None, initial=initial, orgs=[base], people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.duty_list_create,
            actor=request.user,
            org=base,
            year=data["year"],
            kind=data["kind"],
            holder_name=data["holder_name"],
            holder=people_by_id.get(data["holder"]),
            holder_post=data["holder_post"],
            remit=data["remit"],
        )
        if done is not None:
            messages.success(request, "责任清单已建立（草稿），请添加责任事项后确认发布。")
            return redirect(_list_url(done))
    return render(
        request,
        "responsibility/duties/list_form.html",
        {"form": form, "org": base, "duty_list": None},
        status=400 if form.errors else 200,
    )


@require_GET
def duty_list_detail(request, list_id):
    duty_list = sel.access_list(request.user, list_id)
    today = timezone.localdate()
    detail = sel.list_detail(duty_list, today)
    return render(
        request,
        "responsibility/duties/list_detail.html",
        {
            "duty_list": duty_list,
            "detail": detail,
            "confirmed": duty_list.confirmed_at is not None,
            "copy_years": sel.copy_years(duty_list, today),
            "next_year": duty_list.year + 1,
            "today": today,
            "grace_days": rules.REPORT_GRACE_DAYS,
        },
    )


@require_http_methods(["GET", "POST"])
def duty_list_edit(request, list_id):
    duty_list = sel.access_list(request.user, list_id)
    if duty_list.confirmed_at is not None:
        messages.error(request, "清单已确认发布，责任主体等信息不能再修改。")
        return redirect(_list_url(duty_list))
    people = sel.holder_choices(duty_list.org, include=duty_list.holder)
    people_by_id = {m.pk: m for m in people}
    initial = {
        "holder": duty_list.holder_id,
        "holder_name": duty_list.holder_name,
        "holder_post": duty_list.holder_post,
        "remit": duty_list.remit,
    }
    form = f.DutyListForm(request.POST or None, initial=initial, people=people, header_only=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.duty_list_update,
            actor=request.user,
            duty_list=duty_list,
            holder=people_by_id.get(data["holder"]),
            holder_name=data["holder_name"],
            holder_post=data["holder_post"],
            remit=data["remit"],
        )
        if done is not None:
            messages.success(request, "已保存。")
            return redirect(_list_url(done))
    return render(
        request,
        "responsibility/duties/list_form.html",
        {"form": form, "org": duty_list.org, "duty_list": duty_list},
        status=400 if form.errors else 200,
    )


@require_POST
def duty_list_delete(request, list_id):
    duty_list = sel.access_list(request.user, list_id)
    services.duty_list_delete(actor=request.user, duty_list=duty_list)
    messages.success(request, f"已删除{duty_list}。")
    return redirect(
        f"{reverse('responsibility:duty_lists')}?org={duty_list.org_id}&year={duty_list.year}"
    )


@require_POST
def duty_list_confirm(request, list_id):
    duty_list = sel.access_list(request.user, list_id)
    services.duty_list_confirm(actor=request.user, duty_list=duty_list)
    messages.success(request, "清单已确认发布。此后每季度结束后请报告各项责任的落实进展。")
    return redirect(_list_url(duty_list))


@require_POST
def duty_list_copy(request, list_id):
    duty_list = sel.access_list(request.user, list_id)
    form = f.CopyForm(request.POST)
    if not form.is_valid():
        raise _first_error(form)
    copy = services.duty_list_copy(
        actor=request.user, source=duty_list, year=form.cleaned_data["year"]
    )
    messages.success(request, f"已复制为{copy.year}年清单（草稿），请修改后确认发布。")
    return redirect(_list_url(copy))


# ---------------------------------------------------------------------------------------------
# Items


@require_http_methods(["GET", "POST"])
def duty_item_add(request, list_id):
    duty_list = sel.access_list(request.user, list_id)
    form = f.DutyItemForm(request.POST or None, initial={"category": DutyCategory.POLITICAL})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.duty_item_add,
            actor=request.user,
            duty_list=duty_list,
            content=data["content"],
            owner_name=data["owner_name"],
            category=data["category"],
            measures=data["measures"],
            deadline=data["deadline"],
            evidence_asked=data["evidence_asked"],
        )
        if done is not None:
            messages.success(request, "责任事项已添加。")
            if request.POST.get("next") == "another":
                return redirect("responsibility:duty_item_add", list_id=duty_list.pk)
            return redirect(_list_url(duty_list))
    return render(
        request,
        "responsibility/duties/item_form.html",
        {"form": form, "duty_list": duty_list, "item": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def duty_item_edit(request, item_id):
    item = sel.access_item(request.user, item_id)
    duty_list = item.duty_list
    confirmed = duty_list.confirmed_at is not None
    initial = {
        "category": item.category,
        "content": item.content,
        "measures": item.measures,
        "owner_name": item.owner_name,
        "deadline": item.deadline,
        "evidence_asked": item.evidence_asked,
    }
    form = f.DutyItemForm(request.POST or None, initial=initial, confirmed=confirmed, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            "measures": data["measures"],
            "owner_name": data["owner_name"],
            "deadline": data["deadline"],
            "evidence_asked": data["evidence_asked"],
        }
        if confirmed:
            changes["reason"] = data.get("reason", "")
        else:
            changes.update(category=data["category"], content=data["content"])
        done = call_service(
            form, services.duty_item_update, actor=request.user, item=item, **changes
        )
        if done is not None:
            messages.success(request, "责任事项已保存。")
            return redirect(_list_url(duty_list))
    return render(
        request,
        "responsibility/duties/item_form.html",
        {"form": form, "duty_list": duty_list, "item": item, "confirmed": confirmed},
        status=400 if form.errors else 200,
    )


@require_POST
def duty_item_delete(request, item_id):
    item = sel.access_item(request.user, item_id)
    services.duty_item_delete(actor=request.user, item=item)
    messages.success(request, "责任事项已删除。")
    return redirect(_list_url(item.duty_list))


# ---------------------------------------------------------------------------------------------
# Quarterly reports


@require_http_methods(["GET", "POST"])
def duty_report(request, item_id):
    """The phone-friendly report form of one item: quarter, progress, text, photos."""
    item = sel.access_item(request.user, item_id)
    duty_list = item.duty_list
    today = timezone.localdate()
    quarter = sel._int(request.GET.get("quarter"))
    if quarter not in rules.QUARTERS:
        quarter = rules.open_quarter(duty_list.year, today)
    existing = {r.quarter: r for r in item.reports.all()}
    current = existing.get(quarter)
    initial = {
        "quarter": quarter,
        "progress": current.progress if current else item.progress,
        "text": current.text if current else "",
    }
    form = f.DutyReportForm(initial=initial)
    status = 200
    if request.method == "POST":
        request.FILES  # noqa: B018 (parse now: core.uploads bounds what is read)
        too_large = getattr(request, "upload_too_large", 0)
        form = f.DutyReportForm(request.POST, {} if too_large else request.FILES)
        if too_large:
            form.full_clean()
            form.add_error("files", too_large_message(too_large))
        elif form.is_valid():
            data = form.cleaned_data
            done = call_service(
                form,
                services.duty_report_submit,
                actor=request.user,
                item=item,
                quarter=data["quarter"],
                progress=data["progress"],
                text=data["text"],
                files=request.FILES.getlist("files"),
            )
            if done is not None:
                messages.success(
                    request, f"{rules.QUARTER_NAMES[done.quarter]}进展已报告（{done.progress}%）。"
                )
                return redirect(f"{_list_url(duty_list)}#item-{item.pk}")
        status = 400
    reports = sorted(existing.values(), key=lambda r: r.quarter)
    files = {}
    for evidence in sel.files_of_item(item):
        files.setdefault(evidence.duty_report_id, []).append(evidence)
    for r in reports:
        r.file_list = files.get(r.pk, [])
    return render(
        request,
        "responsibility/duties/report_form.html",
        {
            "item": item,
            "duty_list": duty_list,
            "form": form,
            "reports": reports,
            "confirmed": duty_list.confirmed_at is not None,
            "max_size": megabytes(max_bytes()),
            "files_max": services.FILES_PER_SUBMIT,
            "started": [
                q for q in rules.QUARTERS if rules.quarter_started(duty_list.year, q, today)
            ],
        },
        status=status,
    )


@require_GET
def duty_file(request, file_id):
    evidence = sel.access_file(request.user, file_id)
    try:
        handle = services.report_file_open(actor=request.user, evidence=evidence)
    except FileNotFoundError:
        raise deny() from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------
# The 工委's overview


@require_GET
def duty_overview(request):
    """Unit by unit: the lists of the year, items, share reported for the last ended quarter,
    overdue items; a chart of the shares."""
    _guard(request)
    today = timezone.localdate()
    year = sel.parse_year(request.GET.get("year"), today) or today.year
    units = sel.overview_units(request.user)
    page = Paginator(units, OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = sel.overview_rows(list(page.object_list), year, today)
    totals = sel.overview_totals(request.user, year, today)
    chart = {
        "units": [
            (r.org.unit.short_name or r.org.unit.name) if r.org.unit else r.org.name for r in rows
        ],
        "shares": [r.share if r.share is not None else 0 for r in rows],
        "overdue": [r.overdue for r in rows],
        "quarter": rules.QUARTER_NAMES.get(totals["quarter"], ""),
    }
    return render(
        request,
        "responsibility/duties/overview.html",
        {
            "year": year,
            "years": sel.year_choices(today),
            "page": page,
            "rows": rows,
            "totals": totals,
            "quarter_name": rules.QUARTER_NAMES.get(totals["quarter"], ""),
            "chart": chart,
        },
    )


# ---------------------------------------------------------------------------------------------
# Exports


@require_POST
def duty_list_export(request, list_id):
    duty_list = sel.access_list(request.user, list_id)
    choice = LIST_EXPORTS.get(request.POST.get("fmt", "xlsx"))
    if choice is None:
        raise AppError("请选择导出格式。", field="fmt")
    identifier, fmt = choice
    outcome = export_start(
        actor=request.user, identifier=identifier, params={"list": duty_list.pk}, fmt=fmt
    )
    return outcome_response(outcome)


@require_POST
def duty_overview_export(request):
    _guard(request)
    year = sel.parse_year(request.POST.get("year")) or timezone.localdate().year
    outcome = export_start(
        actor=request.user,
        identifier="responsibility.duty_overview",
        params={"year": year},
        fmt="xlsx",
    )
    return outcome_response(outcome)
