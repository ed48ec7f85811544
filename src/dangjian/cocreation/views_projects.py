"""Pages of the practical projects (实事): create and edit, and a project's page with its
goal metrics and progress bars, milestones (add, mark done), photo gallery (upload, remove)
and residents' feedback with the satisfaction summary. The photos of projects, campaigns and
visits are served here too (inline, access-checked). Thin: parse, access check, one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.cocreation import forms as f
from dangjian.cocreation import selectors as sel
from dangjian.cocreation import services
from dangjian.cocreation.models import ProjectStatus
from dangjian.core.access import deny
from dangjian.core.errors import AppError
from dangjian.core.forms import call_service

PROJECT_FIELDS = [
    "title",
    "category",
    "goal",
    "status",
    "starts_on",
    "due_on",
    "finished_on",
    "funds_planned",
    "funds_raised",
    "beneficiary_households",
    "beneficiary_people",
    "is_public",
]


def _project_values(data: dict) -> dict:
    return {name: data[name] for name in PROJECT_FIELDS}


@require_http_methods(["GET", "POST"])
def project_create(request, pairing_id):
    pairing = sel.access_pairing(request.user, pairing_id)
    form = f.ProjectForm(
        request.POST or None,
        initial={
            "status": ProjectStatus.PLANNED,
            "starts_on": timezone.localdate(),
            "is_public": True,
        },
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.project_create,
            actor=request.user,
            pairing=pairing,
            **_project_values(form.cleaned_data),
        )
        if done is not None:
            messages.success(request, f"已登记项目“{done.title}”，请为它设置目标指标和节点。")
            return redirect("cocreation:project", project_id=done.pk)
    return render(
        request,
        "cocreation/project_form.html",
        {"form": form, "pairing": pairing, "project": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def project_edit(request, project_id):
    project = sel.access_project(request.user, project_id)
    form = f.ProjectForm(
        request.POST or None,
        initial={name: getattr(project, name) for name in PROJECT_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services.project_update,
            actor=request.user,
            project=project,
            **_project_values(form.cleaned_data),
        )
        if done is not None:
            messages.success(request, "项目已保存。")
            return redirect("cocreation:project", project_id=project.pk)
    return render(
        request,
        "cocreation/project_form.html",
        {"form": form, "pairing": project.pairing, "project": project},
        status=400 if form.errors else 200,
    )


def _project_page(request, project, *, status=200, **bound):
    today = timezone.localdate()
    sel.decorate_projects([project], today, milestones=True)
    metrics = [row.metric for row in project.metric_rows]
    feedback = sel.project_feedback(project)
    forms = {
        "metric_form": f.MetricForm(),
        "milestone_form": f.MilestoneForm(metrics=metrics),
        "done_form": f.MilestoneDoneForm(initial={"done_on": today}),
        "photo_form": f.PhotoForm(),
        "feedback_form": f.FeedbackForm(initial={"received_on": today}),
    }
    forms.update(bound)
    return render(
        request,
        "cocreation/project_detail.html",
        {
            "project": project,
            "pairing": project.pairing,
            "photos": sel.photos_of(project=project),
            "feedback": feedback,
            "satisfaction": sel.satisfaction_of(feedback),
            "failed_milestone": bound.get("failed_milestone"),
            **forms,
        },
        status=status,
    )


@require_GET
def project_detail(request, project_id):
    project = sel.access_project(request.user, project_id)
    return _project_page(request, project)


@require_POST
def metric_add(request, project_id):
    project = sel.access_project(request.user, project_id)
    form = f.MetricForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.metric_add,
            actor=request.user,
            project=project,
            name=data["name"],
            unit=data["unit"],
            target=data["target"],
        )
        if done is not None:
            messages.success(request, f"已添加指标“{done}”。")
            return redirect("cocreation:project", project_id=project.pk)
    return _project_page(request, project, metric_form=form, status=400)


@require_POST
def milestone_add(request, project_id):
    project = sel.access_project(request.user, project_id)
    metrics = list(project.metrics.all())
    by_id = {m.pk: m for m in metrics}
    form = f.MilestoneForm(request.POST, metrics=metrics)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.milestone_add,
            actor=request.user,
            project=project,
            title=data["title"],
            due_on=data["due_on"],
            metric=by_id.get(data["metric"]),
            amount=data["amount"],
            note=data["note"],
            done_on=data["done_on"],
        )
        if done is not None:
            messages.success(request, f"已添加节点“{done.title}”。")
            return redirect("cocreation:project", project_id=project.pk)
    return _project_page(request, project, milestone_form=form, status=400)


@require_POST
def milestone_done(request, milestone_id):
    milestone = sel.access_milestone(request.user, milestone_id)
    form = f.MilestoneDoneForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.milestone_done,
            actor=request.user,
            milestone=milestone,
            done_on=data["done_on"],
            amount=data["amount"],
        )
        if done is not None:
            messages.success(request, f"节点“{done.title}”已完成。")
            return redirect("cocreation:project", project_id=milestone.project_id)
    project = sel.access_project(request.user, milestone.project_id)
    return _project_page(
        request, project, done_form=form, failed_milestone=milestone.pk, status=400
    )


@require_POST
def feedback_add(request, project_id):
    project = sel.access_project(request.user, project_id)
    form = f.FeedbackForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = call_service(
            form,
            services.feedback_add,
            actor=request.user,
            project=project,
            received_on=data["received_on"],
            satisfaction=data["satisfaction"],
            content=data["content"],
            resident_name=data["resident_name"],
            reply=data["reply"],
            is_public=data["is_public"],
        )
        if done is not None:
            messages.success(request, "群众反馈已登记。")
            return redirect("cocreation:project", project_id=project.pk)
    return _project_page(request, project, feedback_form=form, status=400)


@require_POST
def feedback_reply(request, feedback_id):
    feedback = sel.access_feedback(request.user, feedback_id)
    form = f.ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
    else:
        try:
            services.feedback_reply(
                actor=request.user,
                feedback=feedback,
                reply=form.cleaned_data["reply"],
                is_public=form.cleaned_data["is_public"],
            )
        except AppError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "回复已保存。")
    return redirect("cocreation:project", project_id=feedback.project_id)


# ---------------------------------------------------------------------------------------------
# Photos


def _upload(request, owner_kwargs: dict):
    """Run photo_add for an upload; returns (form, photo or None)."""
    request.FILES  # noqa: B018 (parse now: core.uploads bounds what is read)
    too_large = getattr(request, "upload_too_large", 0)
    form = f.PhotoForm(request.POST, {} if too_large else request.FILES)
    if too_large:
        from dangjian.orglife.services_attachments import too_large_message

        form.full_clean()
        form.errors.clear()
        form.add_error("file", too_large_message(too_large))
        return form, None
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    photo = call_service(
        form,
        services.photo_add,
        actor=request.user,
        uploaded_file=data["file"],
        caption=data["caption"],
        taken_on=data["taken_on"],
        **owner_kwargs,
    )
    return form, photo


@require_POST
def project_photo_add(request, project_id):
    project = sel.access_project(request.user, project_id)
    form, photo = _upload(request, {"project": project})
    if photo is not None:
        messages.success(request, "照片已上传。")
        return redirect("cocreation:project", project_id=project.pk)
    return _project_page(request, project, photo_form=form, status=400)


@require_GET
def photo(request, photo_id):
    """A photo, inline (the gallery's <img>): for whoever may see the record it belongs to."""
    found = sel.access_photo(request.user, photo_id)
    try:
        handle = services.photo_open(found)
    except (FileNotFoundError, ValueError):
        raise deny() from None
    response = FileResponse(handle, content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def photo_remove(request, photo_id):
    found = sel.access_photo(request.user, photo_id)
    if not sel.can(request.user, sel.MANAGE, found.org_path):
        raise deny()
    services.photo_remove(actor=request.user, photo=found)
    messages.success(request, "照片已删除。")
    if found.project_id:
        return redirect("cocreation:project", project_id=found.project_id)
    if found.campaign_id:
        return redirect("cocreation:campaign", campaign_id=found.campaign_id)
    return redirect("cocreation:visit", visit_id=found.visit_id)
