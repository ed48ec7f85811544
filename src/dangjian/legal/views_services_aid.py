"""/legal/…: legal aid (list with time-limit filters; a case with accept / refuse / assign /
close), the 普法 and 好律师 activities, and the "党建+律师246工作体系" page (its goals and
measures come from the 司法局). Thin views. See docs/legal-services.md."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import deny
from dangjian.core.forms import call_service
from dangjian.legal import forms_services as f
from dangjian.legal import selectors_services as sel
from dangjian.legal import services_aid as sa
from dangjian.legal.models import ActivityKind, AidStatus, ApplicantCategory
from dangjian.legal.views_services import PAGE_SIZE, form_page, manager

STATES = [("pending", "即将到期或已超时限"), ("due_soon", "即将到期"), ("overdue", "已超时限")]


@require_GET
def cases(request):
    user = manager(request)
    g = request.GET
    today = timezone.localdate()
    status = g.get("status", "")
    status = status if status in AidStatus.values else ""
    state = g.get("state", "")
    state = state if state in dict(STATES) else ""
    category = g.get("category", "")
    category = category if category in ApplicantCategory.values else ""
    q = sel.clean_q(g.get("q"))
    qs = sel.case_list(user, status=status, state=state, category=category, q=q, today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    page.object_list = sel.decorate_cases(page.object_list, today)
    review, assign = sel.aid_limits()
    return render(
        request,
        "legal/services/cases.html",
        {
            "page": page,
            "params": {"status": status, "state": state, "category": category, "q": q},
            "statuses": AidStatus.choices,
            "states": STATES,
            "categories": ApplicantCategory.choices,
            "review_days": review,
            "assign_days": assign,
        },
    )


@require_http_methods(["GET", "POST"])
def case_new(request):
    user = manager(request)
    units = sel.legal_units(user)
    if not units:
        raise deny()
    form = f.CaseForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = {k: v for k, v in form.cleaned_data.items() if k != "unit"}
        case = call_service(form, sa.aid_case_create, actor=user, org=form.unit(), **d)
        if case is not None:
            return redirect("legal:case", case_id=case.pk)
    return form_page(request, form, "登记法律援助申请", back="legal:cases")


def _case_page(request, case, forms=None, status=200):
    user = request.user
    forms = forms or {}
    sel.decorate_cases([case])
    review, assign = sel.aid_limits()
    return render(
        request,
        "legal/services/case.html",
        {
            "case": case,
            "accept_form": forms.get("accept") or f.AcceptForm(),
            "refuse_form": forms.get("refuse") or f.RefuseForm(),
            "assign_form": forms.get("assign")
            or f.CaseAssignForm(user=user, org_path=case.org_path),
            "close_form": forms.get("close") or f.CloseForm(),
            "review_days": review,
            "assign_days": assign,
        },
        status=status,
    )


@require_GET
def case_detail(request, case_id):
    user = manager(request)
    return _case_page(request, sel.access_case(user, case_id))


ACTIONS = {
    "accept": (f.AcceptForm, sa.aid_case_accept),
    "refuse": (f.RefuseForm, sa.aid_case_refuse),
    "assign": (f.CaseAssignForm, sa.aid_case_assign),
    "close": (f.CloseForm, sa.aid_case_close),
}


@require_POST
def case_action(request, case_id, action):
    user = manager(request)
    case = sel.access_case(user, case_id)
    if action not in ACTIONS:
        raise deny()
    form_class, service = ACTIONS[action]
    kwargs = {"user": user, "org_path": case.org_path} if action == "assign" else {}
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        done = call_service(form, service, actor=user, case=case, **form.cleaned_data)
        if done is not None:
            return redirect("legal:case", case_id=case.pk)
    return _case_page(request, case, {action: form}, status=400)


# ---------------------------------------------------------------------------------------------
# Activities


@require_GET
def activities(request):
    user = manager(request)
    g = request.GET
    kind = g.get("kind", "")
    kind = kind if kind in ActivityKind.values else ""
    q = sel.clean_q(g.get("q"))
    year = sel.parse_id(g.get("year"))
    year = year if year and 2000 <= year <= 2100 else None
    qs = sel.activity_list(user, kind=kind, q=q, year=year)
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    names = sel.activity_lawyers(list(page.object_list))
    for a in page.object_list:
        a.lawyer_names = names.get(a.pk, [])
    return render(
        request,
        "legal/services/activities.html",
        {
            "page": page,
            "kinds": ActivityKind.choices,
            "params": {"kind": kind, "q": q, "year": year or ""},
        },
    )


@require_http_methods(["GET", "POST"])
def activity_new(request):
    user = manager(request)
    units = sel.legal_units(user)
    if not units:
        raise deny()
    form = f.ActivityForm(request.POST or None, units=units, user=user)
    if request.method == "POST" and form.is_valid():
        d = {k: v for k, v in form.cleaned_data.items() if k != "unit"}
        d["participants"] = d["participants"] or 0
        d["lawyers"] = list(d["lawyers"])
        if call_service(form, sa.activity_record, actor=user, org=form.unit(), **d):
            return redirect("legal:activities")
    return form_page(request, form, "登记普法与好律师活动", back="legal:activities")


# ---------------------------------------------------------------------------------------------
# The 246 system


@require_GET
def system(request):
    user = manager(request)
    items = sel.system_items(user)
    groups: dict = {}
    for item in items:
        groups.setdefault((item.org.name, item.heading), []).append(item)
    return render(
        request,
        "legal/services/system.html",
        {"groups": [(k[0], k[1], v) for k, v in groups.items()], "items": items},
    )


@require_http_methods(["GET", "POST"])
def system_item_new(request):
    user = manager(request)
    units = sel.legal_units(user)
    if not units:
        raise deny()
    form = f.ItemForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = {k: v for k, v in form.cleaned_data.items() if k != "unit"}
        if call_service(form, sa.work_system_item_create, actor=user, org=form.unit(), **d):
            return redirect("legal:system")
    return form_page(request, form, "录入246工作体系条目", back="legal:system")


@require_http_methods(["GET", "POST"])
def system_item_edit(request, item_id):
    user = manager(request)
    item = sel.access_item(user, item_id)
    initial = {"heading": item.heading, "kind": item.kind, "text": item.text}
    form = f.ItemForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form, sa.work_system_item_update, actor=user, item=item, **form.cleaned_data
        )
    ):
        return redirect("legal:system")
    return form_page(request, form, "修改246工作体系条目", back="legal:system")


@require_POST
def system_item_delete(request, item_id):
    user = manager(request)
    sa.work_system_item_delete(actor=user, item=sel.access_item(user, item_id))
    return redirect("legal:system")


@require_POST
def system_item_move(request, item_id, direction):
    user = manager(request)
    sa.work_system_item_move(actor=user, item=sel.access_item(user, item_id), direction=direction)
    return redirect("legal:system")
