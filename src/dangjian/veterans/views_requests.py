"""Pages of the serving cadre (/veterans/mine/: his pairings with what is owed next, the
记录联系 and 登记诉求 forms, phone first) and of the requests (the list by state, office and
overdue; a request's page with the answer, feedback and close forms). Thin: parse, access
check, one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import outcome_response
from dangjian.rules import veterans as rules
from dangjian.veterans import exporters_people  # noqa: F401  (registers the exports)
from dangjian.veterans import forms_people as f
from dangjian.veterans import selectors_people as sel
from dangjian.veterans import services_pairings as sp
from dangjian.veterans import services_requests as sr
from dangjian.veterans.models import RequestStatus
from dangjian.veterans.views_people import PAGE_SIZE, require_manager

MANAGE = Cap.VETERANS_MANAGE
EXPORTS = {"retirees": "veterans.retirees", "requests": "veterans.requests"}
EXPORT_FILTERS = ("q", "branch", "status", "state", "office", "overdue")
EXPORT_PARAM_MAX = 100


@require_GET
def mine(request):
    """The serving cadre's page: his pairings, what is owed next, his requests' answers."""
    if not getattr(request.user, "member_id", None):
        raise deny()
    today = timezone.localdate()
    return render(
        request,
        "veterans/people/mine.html",
        {
            "pairings": sel.my_pairings(request.user, today),
            "requests": sel.my_requests(request.user, today),
            "today": today,
        },
    )


def _back(request, pairing):
    if getattr(request.user, "member_id", None) == pairing.cadre_id:
        return redirect("veterans:mine")
    return redirect("veterans:retiree", retiree_id=pairing.retiree_id)


@require_http_methods(["GET", "POST"])
def contact_new(request, pairing_id):
    pairing = sel.access_pairing(request.user, pairing_id)
    if pairing.ended_on is not None:
        raise deny()
    form = f.ContactForm(
        request.POST or None, initial={"kind": "visit", "contacted_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        contact = call_service(
            form, sp.contact_record, actor=request.user, pairing=pairing, **form.cleaned_data
        )
        if contact is not None:
            messages.success(
                request, f"已记录与{pairing.retiree.name}的{contact.get_kind_display()}。"
            )
            return _back(request, pairing)
    return render(request, "veterans/people/contact_form.html", {"form": form, "pairing": pairing})


def _request_form_page(request, *, retiree, pairing=None):
    offices = sel.offices_for_retiree(retiree)
    form = f.RequestForm(
        request.POST or None,
        offices=offices,
        initial={
            "raised_on": timezone.localdate(),
            "source": "cadre" if pairing else "self",
            "office": offices[0].pk if len(offices) == 1 else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = sel.parse_id(data.pop("office"))
        office = next((o for o in offices if o.pk == chosen), None)
        req = call_service(
            form,
            sr.request_record,
            actor=request.user,
            retiree=retiree,
            pairing=pairing,
            office=office,
            **data,
        )
        if req is not None:
            messages.success(
                request, f"已登记诉求，转{office.name}办理，答复期限{req.due_on:%Y-%m-%d}。"
            )
            if pairing is not None:
                return _back(request, pairing)
            return redirect("veterans:request", request_id=req.pk)
    return render(
        request,
        "veterans/people/request_form.html",
        {"form": form, "retiree": retiree, "pairing": pairing},
    )


@require_http_methods(["GET", "POST"])
def request_new(request, pairing_id):
    pairing = sel.access_pairing(request.user, pairing_id)
    if pairing.ended_on is not None:
        raise deny()
    return _request_form_page(request, retiree=pairing.retiree, pairing=pairing)


@require_http_methods(["GET", "POST"])
def retiree_request_new(request, retiree_id):
    retiree = sel.access_retiree(request.user, retiree_id)
    return _request_form_page(request, retiree=retiree)


STATES = list(rules.REQUEST_STATE_LABELS.items())


def _request_filters(request, offices):
    state = request.GET.get("state", "")
    office = sel.parse_id(request.GET.get("office"))
    return {
        "state": state if state in rules.REQUEST_STATE_LABELS else "",
        "office": office if office in {o.pk for o in offices} else None,
        "overdue": request.GET.get("overdue") == "1",
        "q": sel.clean_text(request.GET.get("q")),
    }


@require_GET
def request_list(request):
    require_manager(request)
    today = timezone.localdate()
    offices = list(sel.office_list(request.user))
    params = _request_filters(request, offices)
    qs = sel.request_list(request.user, today=today, **params)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    sel.with_states(page.object_list, today)
    return render(
        request,
        "veterans/people/request_list.html",
        {"page": page, "offices": offices, "states": STATES, "params": params},
    )


def _detail(request, req, forms=None, status=200):
    today = timezone.localdate()
    sel.with_states([req], today)
    manager = can(request.user, MANAGE, req.org_path) and can(
        request.user, MANAGE, req.office.org_path
    )
    is_cadre = req.pairing is not None and req.pairing.cadre_id == getattr(
        request.user, "member_id", None
    )
    forms = forms or {}
    open_ = req.status == RequestStatus.OPEN
    offices = [o for o in sel.offices_for_retiree(req.retiree) if o.pk != req.office_id]
    context = {
        "req": req,
        "is_manager": manager,
        "answer_form": forms.get("answer")
        or (f.AnswerForm(initial={"answered_on": today}) if manager and open_ else None),
        "reassign_form": forms.get("reassign")
        or (f.ReassignForm(offices=offices) if manager and open_ and offices else None),
        "feedback_form": forms.get("feedback")
        or (
            f.FeedbackForm(initial={"fed_back_on": today})
            if (manager or is_cadre) and req.status == RequestStatus.ANSWERED
            else None
        ),
        "close_form": forms.get("close")
        or (
            f.CloseForm(initial={"closed_on": today})
            if manager and req.status in (RequestStatus.ANSWERED, RequestStatus.FED_BACK)
            else None
        ),
    }
    return render(request, "veterans/people/request_detail.html", context, status=status)


@require_GET
def request_detail(request, request_id):
    return _detail(request, sel.access_request(request.user, request_id))


ACTIONS = {
    "answer": (f.AnswerForm, sr.request_answer, "已答复。"),
    "feedback": (f.FeedbackForm, sr.request_feedback, "已记录反馈和满意度。"),
    "close": (f.CloseForm, sr.request_close, "诉求已办结。"),
    "reassign": (f.ReassignForm, sr.request_reassign, "已转办。"),
}


@require_POST
def request_action(request, request_id, action):
    req = sel.access_request(request.user, request_id)
    if action not in ACTIONS:
        raise deny()
    form_class, service, done = ACTIONS[action]
    office_manager = can(request.user, MANAGE, req.org_path) and can(
        request.user, MANAGE, req.office.org_path
    )
    if action != "feedback" and not office_manager:
        raise deny()
    kwargs = {}
    if action == "reassign":
        offices = [o for o in sel.offices_for_retiree(req.retiree) if o.pk != req.office_id]
        kwargs["offices"] = offices
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if action == "reassign":
            chosen = sel.parse_id(data.pop("office"))
            data["office"] = next((o for o in kwargs["offices"] if o.pk == chosen), None)
            if data["office"] is None:
                form.add_error("office", "请选择有效的责任处室。")
                return _detail(request, req, {action: form}, status=400)
        if call_service(form, service, actor=request.user, request=req, **data) is not None:
            messages.success(request, done)
            return redirect("veterans:request", request_id=req.pk)
    return _detail(request, req, {action: form}, status=400)


@require_POST
def export(request, kind):
    identifier = EXPORTS.get(kind)
    if identifier is None:
        raise deny()
    require_manager(request)
    params = {name: request.POST.get(name, "")[:EXPORT_PARAM_MAX] for name in EXPORT_FILTERS}
    outcome = export_start(actor=request.user, identifier=identifier, params=params, fmt="xlsx")
    return outcome_response(outcome)
