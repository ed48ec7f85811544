"""Pages of scoring schemes: the scheme list, the editor (indicator tree), copy forward,
publish and close, a scheme's results; "我的考核", the assessment page (self-assessment with
evidence, one indicator saved at a time with htmx) and the review page. Thin: parse, access,
one service or selector, render. Forms are small and live here."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.assessment import (
    exporters_assessment,  # noqa: F401  (registers the exports)
    scheme_templates,
    services_assess,
    services_schemes,
)
from dangjian.assessment import selectors_schemes as sel
from dangjian.assessment.models import (
    AssessmentStatus,
    EvidenceKind,
    Method,
    SchemeStatus,
    SchemeTarget,
)
from dangjian.assessment.sources import SOURCE_CHOICES, SOURCES
from dangjian.core.access import can, deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.forms import BootstrapMixin, DateInput, call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.orgs.models import Org, OrgKind

PAGE_SIZE = 20


def _year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


def _ascii_id(value: str) -> bool:
    """A database id written in ASCII digits (at most 18 of them)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this + 1, this - 6, -1))


# ---------------------------------------------------------------------------------------------
# Forms


class SchemeForm(BootstrapMixin, forms.Form):
    owner = forms.TypedChoiceField(label="组织单位", coerce=int)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    template_code = forms.ChoiceField(label="方案模板", required=False)
    name = forms.CharField(label="方案名称", max_length=100, required=False)
    target = forms.ChoiceField(label="考核对象", choices=SchemeTarget.choices, required=False)
    self_due = forms.DateField(label="自评截止", required=False, widget=DateInput())
    review_due = forms.DateField(label="复核截止", required=False, widget=DateInput())
    notes = forms.CharField(
        label="说明", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(o.pk, "　" * o.rel_depth + o.name) for o in owners]
        self.fields["template_code"].choices = [
            ("", "空白方案（自行添加指标）"),
            *scheme_templates.TEMPLATE_CHOICES,
        ]
        self.fields["name"].help_text = "用模板时可不填，默认用模板名称。"
        self.fields["target"].help_text = "用模板时可不选，默认用模板的考核对象。"
        self.fields["target"].choices = [("", "—"), *SchemeTarget.choices]


class SchemeEditForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="方案名称", max_length=100)
    target = forms.ChoiceField(label="考核对象", choices=SchemeTarget.choices)
    self_due = forms.DateField(label="自评截止", required=False, widget=DateInput())
    review_due = forms.DateField(label="复核截止", required=False, widget=DateInput())
    notes = forms.CharField(
        label="说明", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, draft=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not draft:
            self.fields["target"].disabled = True
            self.fields["target"].help_text = "方案已发布，考核对象不能更改。"


class IndicatorForm(BootstrapMixin, forms.Form):
    parent = forms.ChoiceField(label="所属类别", required=False)
    is_category = forms.BooleanField(label="这是一个类别（下设指标）", required=False)
    code = forms.CharField(label="编号", max_length=20, required=False)
    title = forms.CharField(label="名称", max_length=200)
    max_points = forms.CharField(label="分值", max_length=12)
    method = forms.ChoiceField(label="计分方式", required=False)
    deduction_per = forms.CharField(label="每次扣分", max_length=12, required=False)
    auto_source = forms.ChoiceField(label="数据来源", required=False)
    guidance = forms.CharField(
        label="评分细则", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.CharField(
        label="佐证材料要求",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    rule_ids = forms.CharField(label="依据（规则编号）", max_length=120, required=False)
    is_bonus = forms.BooleanField(label="加分项（在基本分之外另加）", required=False)

    def __init__(self, *args, categories=(), editing=None, published=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "（顶层）")] + [
            (str(c.pk), f"{c.code} {c.title}".strip()) for c in categories
        ]
        self.fields["method"].choices = [("", "—"), *Method.choices]
        self.fields["auto_source"].choices = [("", "—")] + [
            (code, label if SOURCES[code].available else f"{label}（暂不可用）")
            for code, label in SOURCE_CHOICES
        ]
        self.fields[
            "deduction_per"
        ].help_text = "按次扣分必填；系统自动计分时填写则按次数扣分，不填则按完成比例计分。"
        self.fields["method"].widget.attrs["data-method-select"] = "1"
        self.fields["is_category"].widget.attrs["data-category-toggle"] = "1"
        for name in ("method", "deduction_per", "auto_source"):
            self.fields[name].widget.attrs["data-scored-only"] = "1"
        if editing is not None:
            # a node keeps its place and its kind: parent and "category" are fixed
            self.fields["parent"].disabled = True
            self.fields["is_category"].disabled = True
        if published:
            for name in ("max_points", "method", "deduction_per", "auto_source", "is_bonus"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "方案已发布，只能修改文字说明。"


class CopyForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label="新年度", min_value=2000, max_value=2100)
    name = forms.CharField(label="新方案名称", max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs["aria-label"] = "新年度"
        self.fields["name"].widget.attrs.update(
            {"aria-label": "新方案名称", "placeholder": "名称（不填则沿用原名）"}
        )


class ReturnForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label="退回原因",
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 2, "aria-label": "退回原因", "placeholder": "请写明需要修改的内容"}
        ),
    )


def _owner_choices(user) -> list[Org]:
    rows = list(
        Org.objects.visible_to(user, Cap.ASSESS_MANAGE)
        .filter(dissolved_on__isnull=True)
        .exclude(kind__in=[OrgKind.BRANCH, OrgKind.GROUP, OrgKind.DISCIPLINE_COMMITTEE])
        .order_by("path")[:500]
    )
    top = min((o.depth for o in rows), default=0)
    for o in rows:
        o.rel_depth = o.depth - top
    return rows


# ---------------------------------------------------------------------------------------------
# Schemes


@require_GET
def scheme_list(request):
    if not has_cap_anywhere(request.user, Cap.ASSESS_MANAGE):
        raise deny()
    year = _year(request.GET.get("year"))
    page = Paginator(sel.managed_schemes(request.user, year=year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assessment/schemes/list.html",
        {"page": page, "year": year or "", "years": _years()},
    )


@require_http_methods(["GET", "POST"])
def scheme_create(request):
    if not has_cap_anywhere(request.user, Cap.ASSESS_MANAGE):
        raise deny()
    owners = _owner_choices(request.user)
    initial = {"year": timezone.localdate().year}
    if request.GET.get("template") in scheme_templates.TEMPLATES:
        initial["template_code"] = request.GET["template"]
    form = SchemeForm(request.POST or None, owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = next((o for o in owners if o.pk == data["owner"]), None)
        if owner is None:
            raise deny()
        common = {
            "actor": request.user,
            "owner": owner,
            "year": data["year"],
            "notes": data["notes"],
            "self_due": data["self_due"],
            "review_due": data["review_due"],
        }
        if data["template_code"]:
            scheme = call_service(
                form,
                services_schemes.scheme_from_template,
                template_code=data["template_code"],
                name=data["name"],
                target=data["target"],
                **common,
            )
        else:
            scheme = call_service(
                form,
                services_schemes.scheme_create,
                name=data["name"],
                target=data["target"] or SchemeTarget.UNIT,
                **common,
            )
        if scheme is not None:
            messages.success(request, "方案已创建，可继续编辑指标，确认无误后发布。")
            return redirect("assess:scheme_detail", pk=scheme.pk)
    return render(
        request,
        "assessment/schemes/form.html",
        {"form": form, "title": "新建考核方案", "back": reverse("assess:scheme_list")},
    )


@require_GET
def scheme_detail(request, pk):
    scheme = sel.access_scheme(request.user, pk)
    nodes = sel.scheme_tree(scheme)
    rows = sel.flatten(nodes)
    for node in rows:
        node.indicator.source = SOURCES.get(node.indicator.auto_source)
    return render(
        request,
        "assessment/schemes/detail.html",
        {
            "scheme": scheme,
            "rows": rows,
            "summary": sel.scheme_summary(nodes),
            "is_draft": scheme.status == SchemeStatus.DRAFT,
            "copy_form": CopyForm(initial={"year": scheme.year + 1}),
            "counts": sel.status_counts(scheme) if scheme.status != SchemeStatus.DRAFT else None,
        },
    )


@require_http_methods(["GET", "POST"])
def scheme_edit(request, pk):
    scheme = sel.access_scheme(request.user, pk)
    if scheme.status == SchemeStatus.CLOSED:
        messages.error(request, "方案已结束，不能修改。")
        return redirect("assess:scheme_detail", pk=scheme.pk)
    draft = scheme.status == SchemeStatus.DRAFT
    initial = {
        "name": scheme.name,
        "target": scheme.target,
        "self_due": scheme.self_due,
        "review_due": scheme.review_due,
        "notes": scheme.notes,
    }
    form = SchemeEditForm(request.POST or None, initial=initial, draft=draft)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services_schemes.scheme_update,
            actor=request.user,
            scheme=scheme,
            name=data["name"],
            notes=data["notes"],
            target=data["target"] if draft else scheme.target,
            self_due=data["self_due"],
            review_due=data["review_due"],
        )
        if done is not None:
            messages.success(request, "方案已保存。")
            return redirect("assess:scheme_detail", pk=scheme.pk)
    return render(
        request,
        "assessment/schemes/form.html",
        {
            "form": form,
            "title": f"修改方案 · {scheme}",
            "back": reverse("assess:scheme_detail", args=[scheme.pk]),
        },
    )


@require_POST
def scheme_remove(request, pk):
    scheme = sel.access_scheme(request.user, pk)
    try:
        services_schemes.scheme_remove(actor=request.user, scheme=scheme)
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect("assess:scheme_detail", pk=scheme.pk)
    messages.success(request, "草稿方案已删除。")
    return redirect("assess:scheme_list")


@require_POST
def scheme_copy(request, pk):
    scheme = sel.access_scheme(request.user, pk)
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的年度（2000至2100）。")
        return redirect("assess:scheme_detail", pk=scheme.pk)
    try:
        copy = services_schemes.scheme_copy_forward(
            actor=request.user,
            scheme=scheme,
            year=form.cleaned_data["year"],
            name=form.cleaned_data["name"],
        )
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect("assess:scheme_detail", pk=scheme.pk)
    messages.success(request, f"已沿用为{copy.year}年方案（草稿），可修改后发布。")
    return redirect("assess:scheme_detail", pk=copy.pk)


@require_http_methods(["GET", "POST"])
def scheme_publish(request, pk):
    scheme = sel.access_scheme(request.user, pk)
    if scheme.status != SchemeStatus.DRAFT:
        messages.info(request, "方案已发布。")
        return redirect("assess:scheme_detail", pk=scheme.pk)
    candidates = sel.target_orgs(scheme)
    error = ""
    chosen = {o.pk for o in candidates}
    if request.method == "POST":
        ids = set()
        for value in request.POST.getlist("orgs"):
            try:
                ids.add(int(value))
            except ValueError:
                continue
        chosen = ids
        orgs = [o for o in candidates if o.pk in ids]
        try:
            n = services_schemes.scheme_publish(
                actor=request.user,
                scheme=scheme,
                orgs=orgs if scheme.target != SchemeTarget.STOP else None,
            )
        except AppError as exc:
            error = exc.message
        else:
            messages.success(request, f"方案已发布，已为{n}个组织生成考核表。")
            return redirect("assess:scheme_detail", pk=scheme.pk)
    return render(
        request,
        "assessment/schemes/publish.html",
        {"scheme": scheme, "candidates": candidates, "chosen": chosen, "error": error},
    )


@require_POST
def scheme_close(request, pk):
    scheme = sel.access_scheme(request.user, pk)
    services_schemes.scheme_close(actor=request.user, scheme=scheme)
    messages.success(request, "方案已结束。")
    return redirect("assess:scheme_detail", pk=scheme.pk)


@require_POST
def scheme_refresh(request, pk):
    scheme = sel.access_scheme(request.user, pk)
    n = services_assess.scheme_refresh_auto(actor=request.user, scheme=scheme)
    messages.success(request, f"已更新{n}个组织的系统计分。")
    return redirect("assess:scheme_results", pk=scheme.pk)


@require_GET
def scheme_results(request, pk):
    scheme = sel.access_scheme(request.user, pk)
    rows = sel.scheme_results(scheme)
    counts = {s: 0 for s in AssessmentStatus.values}
    for row in rows:
        a = row.assessment
        counts[a.status] += 1
        row.late = bool(
            a.submitted_at
            and scheme.self_due
            and timezone.localtime(a.submitted_at).date() > scheme.self_due
        )
    return render(
        request,
        "assessment/schemes/results.html",
        {
            "scheme": scheme,
            "rows": rows,
            "counts": [(label, counts[value]) for value, label in AssessmentStatus.choices],
            "max": sel.scheme_summary(sel.scheme_tree(scheme)),
            "today": timezone.localdate(),
        },
    )


@require_GET
def scheme_results_export(request, pk):
    scheme = sel.access_scheme(request.user, pk)
    outcome = export_start(
        actor=request.user,
        identifier="assessment.scheme_results",
        params={"scheme": scheme.pk},
        fmt="xlsx",
    )
    return outcome_response(outcome)


# ---------------------------------------------------------------------------------------------
# Indicators


def _indicator_values(form) -> dict:
    data = form.cleaned_data
    return {
        name: data.get(name)
        for name in (
            "code",
            "title",
            "max_points",
            "method",
            "deduction_per",
            "auto_source",
            "guidance",
            "evidence",
            "rule_ids",
            "is_bonus",
        )
    }


@require_http_methods(["GET", "POST"])
def indicator_add(request, pk):
    scheme = sel.access_scheme(request.user, pk)
    if scheme.status != SchemeStatus.DRAFT:
        messages.error(request, "方案已发布，不能添加指标。")
        return redirect("assess:scheme_detail", pk=scheme.pk)
    categories = sel.categories_of(scheme)
    initial = {"parent": request.GET.get("parent", ""), "method": Method.MANUAL}
    if request.GET.get("category"):
        initial["is_category"] = True
    form = IndicatorForm(request.POST or None, categories=categories, initial=initial)
    if request.method == "POST" and form.is_valid():
        parent_id = form.cleaned_data["parent"]
        parent = sel.access_indicator(scheme, parent_id) if parent_id else None
        values = _indicator_values(form)
        done = call_service(
            form,
            services_schemes.indicator_add,
            actor=request.user,
            scheme=scheme,
            parent=parent,
            is_category=form.cleaned_data["is_category"],
            **values,
        )
        if done is not None:
            messages.success(request, f"已添加“{done.title}”。")
            if "again" in request.POST:
                url = reverse("assess:indicator_add", args=[scheme.pk])
                return redirect(f"{url}?parent={parent.pk if parent else ''}")
            return redirect(f"{reverse('assess:scheme_detail', args=[scheme.pk])}#ind-{done.pk}")
    return render(
        request,
        "assessment/schemes/indicator_form.html",
        {"form": form, "scheme": scheme, "title": "添加类别或指标", "adding": True},
    )


@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk, indicator_id):
    scheme = sel.access_scheme(request.user, pk)
    indicator = sel.access_indicator(scheme, indicator_id)
    published = scheme.status != SchemeStatus.DRAFT
    initial = {
        "parent": str(indicator.parent_id or ""),
        "is_category": indicator.is_category,
        "code": indicator.code,
        "title": indicator.title,
        "max_points": indicator.max_points,
        "method": indicator.method,
        "deduction_per": indicator.deduction_per if indicator.deduction_per is not None else "",
        "auto_source": indicator.auto_source,
        "guidance": indicator.guidance,
        "evidence": indicator.evidence,
        "rule_ids": indicator.rule_ids,
        "is_bonus": indicator.is_bonus,
    }
    form = IndicatorForm(
        request.POST or None,
        initial=initial,
        categories=sel.categories_of(scheme),
        editing=indicator,
        published=published,
    )
    if request.method == "POST" and form.is_valid():
        values = _indicator_values(form)
        if indicator.is_category:
            for name in ("method", "deduction_per", "auto_source"):
                values.pop(name)
        if indicator.parent_id:
            values.pop("is_bonus")
        done = call_service(
            form,
            services_schemes.indicator_update,
            actor=request.user,
            indicator=indicator,
            **values,
        )
        if done is not None:
            messages.success(request, f"已保存“{done.title}”。")
            return redirect(f"{reverse('assess:scheme_detail', args=[scheme.pk])}#ind-{done.pk}")
    return render(
        request,
        "assessment/schemes/indicator_form.html",
        {
            "form": form,
            "scheme": scheme,
            "title": f"修改 · {indicator}",
            "indicator": indicator,
            "can_remove": not published,
        },
    )


@require_POST
def indicator_remove(request, pk, indicator_id):
    scheme = sel.access_scheme(request.user, pk)
    indicator = sel.access_indicator(scheme, indicator_id)
    try:
        services_schemes.indicator_remove(actor=request.user, indicator=indicator)
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect("assess:scheme_detail", pk=scheme.pk)
    messages.success(request, f"已删除“{indicator.title}”。")
    return redirect("assess:scheme_detail", pk=scheme.pk)


# ---------------------------------------------------------------------------------------------
# 我的考核, the assessment page, the review page


@require_GET
def mine(request):
    submit = has_cap_anywhere(request.user, Cap.ASSESS_SUBMIT)
    manage = has_cap_anywhere(request.user, Cap.ASSESS_MANAGE)
    if not (submit or manage):
        raise deny()
    year = _year(request.GET.get("year"))
    page = Paginator(sel.my_assessments(request.user, year=year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assessment/schemes/mine.html",
        {
            "page": page,
            "to_review": sel.to_review(request.user, year=year) if manage else [],
            "year": year or "",
            "years": _years(),
            "can_manage": manage,
            "today": timezone.localdate(),
        },
    )


def _assessment_context(request, assessment) -> dict:
    sheet = sel.assessment_sheet(assessment)
    nodes = [r.node for r in sheet if r.node.depth == 0]
    self_totals = sel.totals(nodes, {r.indicator.pk: r.score.self_points for r in sheet if r.score})
    editable = (
        sel.can_submit(request.user, assessment)
        and assessment.scheme.status == SchemeStatus.PUBLISHED
        and assessment.status in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)
    )
    refusal = sel.review_refusal(request.user, assessment)
    return {
        "assessment": assessment,
        "scheme": assessment.scheme,
        "sheet": sheet,
        "self_totals": self_totals,
        "editable": editable,
        "review_refusal": refusal,
        "can_review": refusal is None,
        "meetings": sel.evidence_meetings(assessment) if editable else [],
        "max_size": services_assess.megabytes(services_assess.max_bytes()),
        "today": timezone.localdate(),
    }


@require_GET
def assessment_page(request, pk):
    assessment = sel.access_assessment(request.user, pk)
    return render(
        request, "assessment/schemes/assessment.html", _assessment_context(request, assessment)
    )


@require_POST
def score_save(request, pk, indicator_id):
    """Save one indicator's self score; htmx swaps the row, a plain POST goes back."""
    assessment = sel.access_assessment(request.user, pk, need="submit")
    score = sel.access_score(assessment, indicator_id)
    error = None
    try:
        score = services_assess.score_self_set(
            actor=request.user,
            score=score,
            points=request.POST.get("points"),
            occurrences=request.POST.get("occurrences"),
            note=request.POST.get("note", ""),
        )
    except AppError as exc:
        error = exc.message
    if request.htmx:
        sheet = sel.assessment_sheet(assessment)
        row = next(r for r in sheet if r.indicator.pk == score.indicator_id)
        assessment.refresh_from_db(fields=["self_total", "status"])
        editable = assessment.scheme.status == SchemeStatus.PUBLISHED and assessment.status in (
            AssessmentStatus.DRAFT,
            AssessmentStatus.RETURNED,
        )
        self_totals = sel.totals(
            [r.node for r in sheet if r.node.depth == 0],
            {r.indicator.pk: r.score.self_points for r in sheet if r.score},
        )
        return render(
            request,
            "assessment/schemes/_score_row.html",
            {
                "row": row,
                "assessment": assessment,
                "editable": editable,
                "error": error,
                "saved": error is None,
                "oob_total": True,
                "self_totals": self_totals,
                "meetings": sel.evidence_meetings(assessment),
                "max_size": services_assess.megabytes(services_assess.max_bytes()),
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"“{score.indicator.title}”已保存。")
    return redirect(
        f"{reverse('assess:assessment', args=[assessment.pk])}#ind-{score.indicator_id}"
    )


@require_POST
def evidence_add(request, pk, indicator_id):
    assessment = sel.access_assessment(request.user, pk, need="submit")
    request.FILES  # noqa: B018 (parse now: core.uploads bounds what is read)
    too_large = getattr(request, "upload_too_large", 0)
    score = sel.access_score(assessment, indicator_id)
    back = f"{reverse('assess:assessment', args=[assessment.pk])}#ind-{score.indicator_id}"
    if too_large:
        messages.error(request, services_assess.too_large_message(too_large))
        return redirect(back)
    kind = request.POST.get("kind", "")
    meeting = None
    if kind == EvidenceKind.MEETING:
        meeting_id = request.POST.get("meeting", "")
        meetings = {str(m.pk): m for m in sel.evidence_meetings(assessment)}
        meeting = meetings.get(meeting_id)
    try:
        evidence = services_assess.evidence_add(
            actor=request.user,
            score=score,
            kind=kind,
            title=request.POST.get("title", ""),
            uploaded_file=request.FILES.get("file"),
            meeting=meeting,
            url=request.POST.get("url", ""),
        )
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"佐证材料“{evidence.title}”已添加。")
    return redirect(back)


@require_GET
def evidence_download(request, pk, evidence_id):
    assessment = sel.access_assessment(request.user, pk)
    evidence = sel.access_evidence(assessment, evidence_id)
    try:
        handle = services_assess.evidence_open(actor=request.user, evidence=evidence)
    except FileNotFoundError:
        raise deny() from None
    ext = evidence.file.name.rsplit(".", 1)[-1] if "." in evidence.file.name else ""
    name = (
        evidence.title
        if not ext or evidence.title.endswith(f".{ext}")
        else f"{evidence.title}.{ext}"
    )
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def evidence_remove(request, pk, evidence_id):
    assessment = sel.access_assessment(request.user, pk, need="submit")
    evidence = sel.access_evidence(assessment, evidence_id)
    services_assess.evidence_remove(actor=request.user, evidence=evidence)
    messages.success(request, "佐证材料已删除。")
    return redirect(
        f"{reverse('assess:assessment', args=[assessment.pk])}#ind-{evidence.score.indicator_id}"
    )


@require_POST
def assessment_refresh(request, pk):
    assessment = sel.access_assessment(request.user, pk)
    n = services_assess.assessment_refresh_auto(actor=request.user, assessment=assessment)
    messages.success(request, f"已更新{n}项系统计分。")
    target = "assess:review" if request.POST.get("next") == "review" else "assess:assessment"
    return redirect(target, pk=assessment.pk)


@require_POST
def assessment_submit(request, pk):
    assessment = sel.access_assessment(request.user, pk, need="submit")
    try:
        assessment = services_assess.assessment_submit(actor=request.user, assessment=assessment)
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"自评已提交，自评总分{assessment.self_total}分。")
    return redirect("assess:assessment", pk=assessment.pk)


@require_GET
def assessment_export(request, pk):
    assessment = sel.access_assessment(request.user, pk)
    outcome = export_start(
        actor=request.user,
        identifier="assessment.score_sheet",
        params={"assessment": assessment.pk},
        fmt="xlsx",
    )
    return outcome_response(outcome)


def _for_review(request, pk):
    """(assessment, None) for its reviewer; (assessment, a redirect with the reason) for a
    manager of the scheme on its self side (`sel.SELF_REVIEW`); a 404 for everybody else."""
    assessment = sel.access_assessment(request.user, pk)
    refusal = sel.review_refusal(request.user, assessment)
    if refusal is None:
        return assessment, None
    if not refusal:
        raise deny()
    messages.error(request, refusal)
    return assessment, redirect("assess:assessment", pk=assessment.pk)


@require_http_methods(["GET", "POST"])
def assessment_review(request, pk):
    assessment, refused = _for_review(request, pk)
    if refused is not None:
        return refused
    errors: dict[str, str] = {}
    general = []
    posted = {}
    note = assessment.review_note if assessment.status == AssessmentStatus.REVIEWED else ""
    if request.method == "POST":
        note = request.POST.get("note", "")
        finals = {}
        for key, value in request.POST.items():
            prefix, _, ident = key.partition("_")
            # ASCII digits only: "²".isdigit() is true but int("²") fails, and int() refuses
            # more than 4300 digits
            if prefix not in ("final", "occ", "reason") or not _ascii_id(ident):
                continue
            posted[key] = value
            entry = finals.setdefault(int(ident), {})
            entry[{"final": "points", "occ": "occurrences", "reason": "reason"}[prefix]] = value
        try:
            services_assess.assessment_review(
                actor=request.user, assessment=assessment, finals=finals, note=note
            )
        except AppError as exc:
            for field, message in exc.errors:
                if field:
                    errors.setdefault(field, message)
                else:
                    general.append(message)
        else:
            messages.success(request, "复核已确认。")
            return redirect("assess:scheme_results", pk=assessment.scheme_id)
    context = _assessment_context(request, assessment)
    for row in context["sheet"]:
        s, ident = row.score, row.indicator.pk
        if s is None:
            continue
        default_points = s.final_points if s.final_points is not None else s.self_points
        default_occ = s.final_occurrences if s.final_occurrences is not None else s.self_occurrences
        row.final_value = posted.get(f"final_{ident}", default_points)
        row.occ_value = posted.get(f"occ_{ident}", default_occ)
        row.reason_value = posted.get(f"reason_{ident}", s.final_reason)
        row.final_error = errors.get(f"final_{ident}") or errors.get(f"occ_{ident}")
        row.reason_error = errors.get(f"reason_{ident}")
    context.update(
        errors=errors,
        general=general,
        posted=posted,
        note=note,
        return_form=ReturnForm(),
        reviewable=assessment.status in (AssessmentStatus.SUBMITTED, AssessmentStatus.REVIEWED)
        and assessment.scheme.status == SchemeStatus.PUBLISHED,
        can_manage=can(request.user, Cap.ASSESS_MANAGE, assessment.scheme.owner_path),
    )
    return render(request, "assessment/schemes/review.html", context)


@require_POST
def assessment_return(request, pk):
    assessment, refused = _for_review(request, pk)
    if refused is not None:
        return refused
    try:
        services_assess.assessment_return(
            actor=request.user, assessment=assessment, reason=request.POST.get("reason", "")
        )
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect("assess:review", pk=assessment.pk)
    messages.success(request, "已退回修改。")
    return redirect("assess:scheme_results", pk=assessment.scheme_id)
