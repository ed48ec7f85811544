"""Pages of reconciliation (对账, mounted at /dues/reconcile/): the statements with the upload
form, one statement in three panels (matched / needs attention / charges nobody paid), the
per-line resolve (htmx fragment, or a page without JavaScript), ignore, confirm and discard,
and the template workbook. Thin: parse, access check, one service or selector. Everything
needs dues.manage on the statement's org; everyone else gets 404."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.forms import BootstrapMixin, call_service
from dangjian.core.permissions import Cap
from dangjian.core.uploads import upload_limit
from dangjian.dues import selectors_reconcile as sel
from dangjian.dues import services_reconcile as services
from dangjian.dues.forms import parse_month
from dangjian.dues.models import StatementSource, StatementStatus
from dangjian.members.models import Member
from dangjian.orgs.selectors import access_org

MANAGE = Cap.DUES_MANAGE
PAGE_SIZE = 20
#: charges nobody paid shown on the detail page (the count says how many there are)
UNPAID_SHOWN = 200


def _org_label(org) -> str:
    return ("　" * max(org.depth - 1, 0)) + org.name


class MonthInput(forms.TextInput):
    input_type = "month"


class UploadForm(BootstrapMixin, forms.Form):
    org = forms.TypedChoiceField(label="组织", coerce=int)
    month = forms.CharField(label="对账月份", widget=MonthInput, max_length=10)
    source = forms.ChoiceField(label="来源", choices=StatementSource.choices)
    file = forms.FileField(
        label="对账文件",
        help_text="Excel（.xlsx）或CSV文件，须有姓名或身份证后四位、金额、日期三列。",
    )

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(o.pk, _org_label(o)) for o in orgs]
        self.fields["org"].error_messages["invalid_choice"] = "请选择有效的组织。"
        self.fields["org"].error_messages["required"] = "请选择组织。"
        self.fields["month"].error_messages["required"] = "请填写对账月份。"
        self.fields["source"].error_messages["required"] = "请选择来源。"
        self.fields["file"].error_messages["required"] = "请选择要上传的对账文件。"
        self.fields["file"].error_messages["empty"] = "文件是空的（0字节），请检查后重新上传。"
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv,.txt"


def _nav(user) -> dict:
    return {
        "manage": has_cap_anywhere(user, MANAGE),
        "approve": has_cap_anywhere(user, Cap.DUES_APPROVE),
    }


def _detail_url(statement_id) -> str:
    return reverse("reconcile:detail", args=[statement_id])


def _need_manage(request) -> None:
    if not has_cap_anywhere(request.user, MANAGE):
        raise deny()


def _default_month() -> str:
    today = timezone.localdate()
    return f"{today:%Y-%m}"


# ---------------------------------------------------------------------------------------------
# List and upload


def _upload_form(request, *, data=None, files=None, org=None):
    orgs = sel.statement_orgs(request.user)
    if org is not None and all(o.pk != org.pk for o in orgs):
        orgs.insert(0, org)
    initial = {
        "org": org.pk if org else (orgs[0].pk if orgs else None),
        "month": _default_month(),
        "source": StatementSource.PAYROLL,
    }
    return UploadForm(data, files, orgs=orgs, initial=initial)


def _scope(request):
    value = request.GET.get("org") or request.POST.get("org")
    return access_org(request.user, value, need=MANAGE) if value else None


@require_GET
def statement_list(request):
    _need_manage(request)
    org = _scope(request)
    page = Paginator(sel.statement_list(request.user, org), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "dues/reconcile_list.html",
        {
            "page": page,
            "org": org,
            "form": _upload_form(request, org=org),
            "nav_dues": _nav(request.user),
        },
    )


def _upload_page(request, form, org, status=200):
    return render(
        request,
        "dues/reconcile_upload.html",
        {"form": form, "org": org, "nav_dues": _nav(request.user)},
        status=400 if form.errors else status,
    )


@require_http_methods(["GET", "POST"])
def statement_upload(request):
    _need_manage(request)
    if request.method == "GET":
        org = _scope(request)
        return _upload_page(request, _upload_form(request, org=org), org)
    request.FILES  # noqa: B018 (parse now: core.uploads bounds what is read)
    org = _scope(request)
    too_large = getattr(request, "upload_too_large", 0)
    if too_large:
        # the fields before the file arrived (org, month, source: the form puts them first)
        form = _upload_form(request, data=request.POST, files={}, org=org)
        form.full_clean()
        form.errors.clear()  # a field lost with the rest of the body is not "missing"
        limit = upload_limit() / (1024 * 1024)
        form.add_error(
            "file", f"文件超过了{limit:.1f} MB的上传上限，未上传。请按月份分成几个文件上传。"
        )
        return _upload_page(request, form, org)
    form = _upload_form(request, data=request.POST, files=request.FILES, org=org)
    if form.is_valid():
        data = form.cleaned_data
        statement = call_service(
            form,
            services.statement_import,
            actor=request.user,
            org=org,
            month=data["month"],
            source=data["source"],
            uploaded_file=data["file"],
        )
        if statement is not None:
            messages.success(
                request,
                f"已导入{statement.total_rows}条记录：已匹配{statement.matched_count}条，"
                f"待核对{statement.unmatched_count}条。核对无误后请点击“确认入账”。",
            )
            return redirect("reconcile:detail", statement_id=statement.pk)
    return _upload_page(request, form, org)


@require_GET
def template(request):
    """An empty statement workbook with the expected headers and a short explanation."""
    _need_manage(request)
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党费对账单"
    sheet.append(["姓名", "身份证后四位", "金额", "日期"])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="C62828")
    for letter, width in zip("ABCD", (14, 14, 12, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.column_dimensions["B"].number_format = "@"
    sheet.column_dimensions["D"].number_format = "yyyy-mm-dd"
    help_sheet = workbook.create_sheet("填写说明")
    for note in (
        "每笔缴费一行，从第2行开始；表头可用银行导出的列名（户名、对方户名、交易金额、交易日期等）。",
        "姓名与身份证后四位至少填一项，两项都填时匹配最准确；填完整身份证号时系统只保留后四位。",
        "金额为大于0的数字（元，最多两位小数）；日期写作2024-03-05、2024/3/5或20240305。",
        "“合计”“小计”行会被跳过。文件有任何问题都不会导入，系统会逐行列出问题。",
        "导入后系统按姓名、身份证后四位和本月应缴金额自动匹配；需核对的记录可手工匹配或标为不入账。",
    ):
        help_sheet.append([note])
    help_sheet.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        "attachment; filename=\"statement-template.xlsx\"; filename*=UTF-8''"
        "%E5%85%9A%E8%B4%B9%E5%AF%B9%E8%B4%A6%E5%8D%95%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response


# ---------------------------------------------------------------------------------------------
# One statement


@require_GET
def statement_detail(request, statement_id):
    statement = sel.access_statement(request.user, statement_id)
    detail = sel.statement_detail(statement)
    unpaid_qs = sel.unmatched_charges(statement)
    unpaid = list(unpaid_qs[:UNPAID_SHOWN])
    unpaid_count = unpaid_qs.count() if len(unpaid) == UNPAID_SHOWN else len(unpaid)
    return render(
        request,
        "dues/reconcile_detail.html",
        {
            "statement": statement,
            "detail": detail,
            "unpaid": unpaid,
            "unpaid_count": unpaid_count,
            "org": statement.org,
            "editable": statement.status == StatementStatus.MATCHED,
            "nav_dues": _nav(request.user),
        },
    )


def _chosen_member(request, line) -> Member | None:
    """The member picked in the resolve form: one of the statement's subtree, or None."""
    pk = sel._int(request.POST.get("member"))
    if pk is None:
        return None
    member = Member.objects.unscoped().select_related("branch").filter(pk=pk).first()
    if member is None or not can(request.user, MANAGE, member.org_path):
        return None
    return member


def _resolve_page(request, line, *, error: str = "", status: int = 200):
    q = (request.GET.get("q") or request.POST.get("q") or "").strip()[:20]
    context = {
        "line": line,
        "statement": line.statement,
        "org": line.statement.org,
        "candidates": sel.line_candidates(line, q),
        "q": q,
        "month": request.POST.get("month") or f"{line.statement.month:%Y-%m}",
        "error": error,
        "editable": line.statement.status == StatementStatus.MATCHED,
        "nav_dues": _nav(request.user),
    }
    if request.htmx:
        # htmx swaps only 2xx answers: the fragment with its error comes back as 200
        return render(request, "dues/reconcile_resolve_form.html", context)
    return render(request, "dues/reconcile_resolve.html", context, status=status)


def _done(request, url: str):
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@require_http_methods(["GET", "POST"])
def line_resolve(request, line_id):
    line = sel.access_statement_line(request.user, line_id)
    if request.method == "GET":
        return _resolve_page(request, line)
    member = _chosen_member(request, line)
    if member is None:
        return _resolve_page(request, line, error="请从列表中选择党员。", status=400)
    charge = None
    month = parse_month(request.POST.get("month"))
    if request.POST.get("month") and month is None:
        return _resolve_page(request, line, error="月份无效，应为 YYYY-MM。", status=400)
    if month is not None and month != line.statement.month:
        charge = sel.charge_for(member, month)
        if charge is None:
            return _resolve_page(
                request,
                line,
                error=f"{member.name}在{month:%Y年%m月}没有应缴记录。",
                status=400,
            )
    try:
        services.statement_line_resolve(actor=request.user, line=line, member=member, charge=charge)
    except AppError as exc:
        return _resolve_page(request, line, error=exc.message, status=400)
    messages.success(request, f"第{line.row_no}行已匹配到{member.name}。")
    return _done(request, f"{_detail_url(line.statement_id)}#line-{line.pk}")


@require_POST
def line_ignore(request, line_id):
    line = sel.access_statement_line(request.user, line_id)
    try:
        services.statement_line_ignore(
            actor=request.user, line=line, reason=request.POST.get("reason", "")
        )
    except AppError as exc:
        messages.error(request, f"第{line.row_no}行：{exc.message}")
    else:
        messages.success(request, f"第{line.row_no}行已标为不入账。")
    return redirect(_detail_url(line.statement_id))


@require_POST
def statement_confirm(request, statement_id):
    statement = sel.access_statement(request.user, statement_id)
    try:
        services.statement_confirm(actor=request.user, statement=statement)
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已入账{statement.matched_count}笔党费。")
    return redirect(_detail_url(statement.pk))


@require_POST
def statement_discard(request, statement_id):
    statement = sel.access_statement(request.user, statement_id)
    try:
        services.statement_discard(
            actor=request.user, statement=statement, reason=request.POST.get("reason", "")
        )
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "对账单已作废，未入账任何记录。")
    return redirect(_detail_url(statement.pk))
