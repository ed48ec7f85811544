"""Pages of 发展党员 that produce files: a candidate's Word documents (公示, 支部大会名单,
转正汇总), the material attached to a step, the page where a unit admin replaces their
templates, and the xlsx export of the candidate list. Thin: access check, one service, the
file back."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.exporters import export_start
from dangjian.core.exporters.base import FORMATS
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import file_response, outcome_response
from dangjian.orgs.selectors import access_org
from dangjian.recruitment import documents
from dangjian.recruitment import documents_docx as docx_
from dangjian.recruitment import forms as f
from dangjian.recruitment import selectors as sel
from dangjian.recruitment.views import refuse_oversize

DOCX = FORMATS["docx"][1]
BUILTIN = {
    "publicity_notice": docx_.builtin_publicity_notice,
    "assembly_list": docx_.builtin_assembly_list,
    "conversion_summary": docx_.builtin_conversion_summary,
}


@require_GET
def step_document(request, event_id):
    """The material attached to a step, with its original name (audited); 404 to outsiders
    and where there is none."""
    event = sel.access_event(request.user, event_id)
    try:
        handle = documents.step_document_open(actor=request.user, event=event)
    except FileNotFoundError:
        raise deny() from None
    name = event.document_name or f"材料{Path(event.document.name).suffix}"
    content_type = mimetypes.guess_type(event.document.name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def document(request, candidate_id, kind):
    """The Word document of `kind` for the candidate, built from the records (audited)."""
    candidate = sel.access_candidate(request.user, candidate_id)
    if kind not in f.DOCUMENT_KINDS:
        raise deny()
    data, filename = documents.document_render(actor=request.user, candidate=candidate, kind=kind)
    return file_response(data, filename, DOCX)


def _templates_page(request, form, status=200):
    return render(
        request,
        "recruitment/templates.html",
        {
            "form": form,
            "templates": documents.templates_of(request.user),
            "kinds": f.DOCUMENT_KINDS,
            "placeholders": [
                (kind, label, documents.PLACEHOLDERS[kind])
                for kind, label in f.DOCUMENT_KINDS.items()
            ],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def templates(request):
    """文书模板: the uploaded templates in the user's subtree, the placeholders of each kind,
    and the upload form (unit and committee admins: recruit.approve)."""
    user = request.user
    if not has_cap_anywhere(user, Cap.RECRUIT_APPROVE):
        raise deny()
    orgs = documents.template_orgs(user)
    if request.method == "GET":
        initial = {"org": orgs[0].pk} if orgs else {}
        return _templates_page(request, f.TemplateUploadForm(initial=initial, orgs=orgs))
    request.FILES  # noqa: B018 (parse now: core.uploads bounds what is read)
    form = f.TemplateUploadForm(request.POST, request.FILES, orgs=orgs)
    if refuse_oversize(request, form, "file", "模板文件"):
        return _templates_page(request, form, status=400)
    if form.is_valid():
        data = form.cleaned_data
        by_id = {o.pk: o for o in orgs}
        done = call_service(
            form,
            documents.document_template_upload,
            actor=user,
            org=by_id.get(data["org"]),
            kind=data["kind"],
            uploaded_file=data["file"],
        )
        if done is not None:
            label = f.DOCUMENT_KINDS[done.kind]
            messages.success(request, f"已为{done.org.name}设置“{label}”模板。")
            return redirect("recruitment:templates")
    return _templates_page(request, form, status=400)


@require_POST
def template_delete(request, template_id):
    template = documents.access_template(request.user, template_id)
    documents.document_template_remove(actor=request.user, template=template)
    messages.success(
        request, f"已删除{template.org.name}的“{f.DOCUMENT_KINDS.get(template.kind, '')}”模板。"
    )
    return redirect("recruitment:templates")


@require_GET
def template_builtin(request, kind):
    """The built-in template of `kind`, placeholders unfilled: a start for one's own."""
    if not has_cap_anywhere(request.user, Cap.RECRUIT_APPROVE) or kind not in BUILTIN:
        raise deny()
    data = docx_.to_bytes(BUILTIN[kind]())
    return file_response(data, f"{f.DOCUMENT_KINDS[kind]}-内置模板.docx", DOCX)


@require_POST
def export(request):
    """The candidate list (the board's org and stage) as xlsx."""
    user = request.user
    if not has_cap_anywhere(user, Cap.RECRUIT_MANAGE):
        raise deny()
    org = request.POST.get("org", "")
    if org:
        org = access_org(user, org, need=Cap.RECRUIT_MANAGE).pk
    params = {"org": org, "stage": request.POST.get("stage", "")}
    outcome = export_start(
        actor=user, identifier="recruitment.candidates", params=params, fmt="xlsx"
    )
    return outcome_response(outcome)
