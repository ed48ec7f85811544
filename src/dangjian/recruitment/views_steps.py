"""Pages of 发展党员 that record: a step of a candidate (the form carries exactly what the
step records; htmx loads it into the candidate page), its correction or deletion, and the
withdrawal of a candidate. Thin: parse, access check, one service."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.core.access import can, deny
from dangjian.core.errors import AppError
from dangjian.core.forms import call_service
from dangjian.recruitment import forms as f
from dangjian.recruitment import selectors as sel
from dangjian.recruitment import services
from dangjian.recruitment.views import MANAGE, _candidate_url, _done, refuse_oversize
from dangjian.rules.base import RULES
from dangjian.rules.recruitment_steps import STEP_BY_CODE, step_label

# ---------------------------------------------------------------------------------------------
# Steps


#: service fields that have no field of their own on the step form
FIELD_ALIASES = {"vote_counts": "yes", "step": None, "file": "document"}


def _call(form, fn, /, **kwargs):
    """call_service, with the services' field names mapped onto the step form's."""

    def run():
        try:
            return fn(**kwargs)
        except AppError as exc:
            errors = [(FIELD_ALIASES.get(name, name), message) for name, message in exc.errors]
            raise AppError(exc.message, field=errors[0][0], code=exc.code, errors=errors) from None

    return call_service(form, run)


def _step_form(request, c, step, data=None, files=None, *, correcting=False):
    records = set(step.records) - ({"people", "vote"} if correcting else set())
    people = list(sel.people_choices(c)) if "people" in records else []
    meetings = list(sel.assembly_choices(c)) if "vote" in records else []
    rules = [r for r in step.rules if r in RULES]
    form = f.StepForm(
        data,
        files,
        step=step,
        people=people,
        meetings=meetings,
        override_rules=rules,
        correcting=correcting,
        needs_education=not c.education,
        initial={"on": timezone.localdate(), "employment": "in_service"} if data is None else None,
    )
    return form, {m.pk: m for m in people}, {m.pk: m for m in meetings}


def _step_page(request, c, step, form, status=200):
    context = {
        "candidate": c,
        "org": c.branch,
        "step": step,
        "step_label": step_label(step.code),
        "form": form,
        "action": reverse("recruitment:step", args=[c.pk, step.code]),
    }
    template = "recruitment/_step_form.html" if request.htmx else "recruitment/step.html"
    # htmx swaps only 2xx answers: the form with its errors comes back as 200 to it
    return render(request, template, context, status=200 if request.htmx else status)


@require_http_methods(["GET", "POST"])
def step_record(request, candidate_id, step):
    """登记 one step of a candidate: the form carries exactly what the step records."""
    user = request.user
    c = sel.access_candidate(user, candidate_id)
    found = STEP_BY_CODE.get(step)
    if found is None or not sel.may_record(user, c, found):
        raise deny()
    if request.method == "GET":
        form, _, _ = _step_form(request, c, found)
        return _step_page(request, c, found, form)
    request.FILES  # noqa: B018 (parse now: core.uploads bounds what is read)
    form, people, meetings = _step_form(request, c, found, request.POST, request.FILES)
    if refuse_oversize(request, form, "document", "材料"):
        return _step_page(request, c, found, form, status=400)
    if form.is_valid():
        event = _call(
            form,
            services.step_record,
            actor=user,
            candidate=c,
            step=found.code,
            **form.service_kwargs(people_by_id=people, meetings_by_id=meetings),
        )
        if event is not None:
            messages.success(request, f"已登记：{step_label(found.code)}（{event.on:%Y-%m-%d}）。")
            return _done(request, _candidate_url(c))
    return _step_page(request, c, found, form, status=400)


def _event_initial(event) -> dict:
    rule, reason = sel.split_override(event.override_reason)
    initial = {
        "on": event.on,
        "end_on": event.end_on,
        "days": event.days,
        "hours": event.hours,
        "passed": {True: "yes", False: "no"}.get(event.passed, ""),
        "months": event.months,
        "people": [m.pk for m in event.people.all()],
        "people_text": event.people_text,
        "body": event.body,
        "note": event.note,
        "override_rule": rule,
        "override_reason": reason,
        "meeting": event.meeting_id,
    }
    if event.vote_id:
        initial.update({"yes": event.vote.yes, "no": event.vote.no, "abstain": event.vote.abstain})
    return initial


@require_http_methods(["GET", "POST"])
def step_correct(request, event_id):
    """更正 a recorded step (with a reason, audited); the same fields as when it was recorded."""
    user = request.user
    event = sel.access_event(user, event_id)
    c = event.candidate
    step = STEP_BY_CODE.get(event.step)
    if step is None or not sel.may_record(user, c, step):
        raise deny()
    if request.method == "POST":
        form, _, _ = _step_form(request, c, step, request.POST, correcting=True)
        if form.is_valid():
            done = _call(
                form,
                services.step_correct,
                actor=user,
                event=event,
                reason=form.cleaned_data["reason"],
                **form.service_kwargs(),
            )
            if done is not None:
                messages.success(request, f"已更正：{step_label(step.code)}。")
                return _done(request, _candidate_url(c))
        status = 400
    else:
        form, _, _ = _step_form(request, c, step, correcting=True)
        form.initial = _event_initial(event)
        status = 200
    context = {
        "candidate": c,
        "org": c.branch,
        "event": event,
        "step": step,
        "step_label": step_label(step.code),
        "form": form,
        "action": request.path,
        "on_page": True,  # its own page, not a slot of the candidate page: 取消 is a link
        "people": list(event.people.all()),
        "delete_form": f.ReasonForm(),
    }
    if request.htmx:
        # the form posts with hx-post and swaps itself: htmx swaps only 2xx answers, so the
        # form with its errors comes back as 200 (the page's own redirect would be swapped in)
        return render(request, "recruitment/_step_form.html", context)
    return render(request, "recruitment/correct.html", context, status=status)


@require_POST
def step_delete(request, event_id):
    user = request.user
    event = sel.access_event(user, event_id)
    c = event.candidate
    step = STEP_BY_CODE.get(event.step)
    if step is None or not sel.may_record(user, c, step):
        raise deny()
    form = f.ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "") if hasattr(form, "cleaned_data") else ""
    services.step_delete(actor=user, event=event, reason=reason)
    messages.success(request, f"已删除：{step_label(step.code)}（{event.on:%Y-%m-%d}）。")
    return redirect(_candidate_url(c))


@require_http_methods(["GET", "POST"])
def withdraw(request, candidate_id):
    """终止培养 (the person withdrew, moved away or is not pursued), with the reason."""
    user = request.user
    c = sel.access_candidate(user, candidate_id)
    if not can(user, MANAGE, c.org_path):
        raise deny()
    form = f.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.candidate_withdraw,
            actor=user,
            candidate=c,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, f"已终止对{c.name}的培养。")
            return redirect(_candidate_url(c))
    return render(
        request,
        "recruitment/withdraw.html",
        {"candidate": c, "org": c.branch, "form": form},
        status=400 if form.errors else 200,
    )
