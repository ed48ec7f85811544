"""Import pages: upload, job (progress, report, confirm), template and report downloads.
Thin: parse, get the org or job through an access function, call one service or selector."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.uploads import upload_limit
from dangjian.members import imports
from dangjian.members.imports.files import check_upload
from dangjian.members.imports.forms import ConfirmForm, UploadForm
from dangjian.members.imports.services import INTERRUPTED, RUNNING, recover_stale_jobs
from dangjian.members.models import ImportStatus
from dangjian.orgs.selectors import access_org

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_PER_PAGE = 50


def _scope(request, orgs):
    """The org chosen with ?org= (checked), else the user's top manageable org."""
    if request.GET.get("org"):
        return access_org(request.user, request.GET["org"], need=Cap.MEMBER_MANAGE)
    return orgs[0] if orgs else None


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not has_cap_anywhere(request.user, Cap.MEMBER_MANAGE):
        raise deny()
    orgs = imports.import_scopes(request.user)
    scope = _scope(request, orgs)
    if scope is not None and all(o.pk != scope.pk for o in orgs):
        orgs = [scope, *orgs]
    initial = {"org": scope.pk if scope else None}
    if request.method == "POST":
        request.FILES  # noqa: B018 (parse now: core.uploads bounds what is read)
        too_large = getattr(request, "upload_too_large", 0)
        if too_large:
            form = UploadForm({}, {}, orgs=orgs, initial=initial)
            form.full_clean()
            form.errors.clear()
            try:  # the importer's own size message, when its limit is what was passed
                check_upload("名册.xlsx", too_large)
            except AppError as exc:
                form.add_error("file", exc.message)
            else:  # a smaller upload limit stopped it
                form.add_error(
                    "file",
                    f"文件超过了{upload_limit() / (1024 * 1024):.1f} MB的上传上限，未上传。"
                    "请删除空行、图片和无关的工作表，或分成几个文件分批导入。",
                )
            return _upload_page(request, form, scope, orgs)
    form = UploadForm(request.POST or None, request.FILES or None, orgs=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        org = access_org(request.user, form.cleaned_data["org"], need=Cap.MEMBER_MANAGE)
        job = call_service(
            form,
            imports.import_start,
            actor=request.user,
            org=org,
            uploaded_file=form.cleaned_data["file"],
        )
        if job is not None:
            return redirect("members:import_job", job_id=job.pk)
    return _upload_page(request, form, scope, orgs)


def _upload_page(request, form, scope, orgs):
    return render(
        request,
        "members/import_upload.html",
        {
            "form": form,
            "scope": scope,
            "scope_choices": form.fields["org"].choices,
            "jobs": imports.recent_import_jobs(request.user),
            "max_megabytes": settings.IMPORT_MAX_BYTES // (1024 * 1024),
            "max_rows": settings.IMPORT_MAX_ROWS,
        },
    )


@require_GET
def import_template(request):
    if not has_cap_anywhere(request.user, Cap.MEMBER_MANAGE):
        raise deny()
    scope = _scope(request, imports.import_scopes(request.user))
    if scope is None:
        raise deny()
    content = imports.template_workbook(scope, imports.branches_under(scope))
    return _xlsx(content, f"党员信息导入模板（{scope.name}）.xlsx")


def _job(request, job_id):
    """The job, first given back if a stopped worker left it running (recover_stale_jobs)."""
    job = imports.access_import_job(request.user, job_id)
    if job.status in RUNNING and recover_stale_jobs(job_ids=[job.pk], wait=False):
        job = imports.access_import_job(request.user, job_id)
    return job


@require_GET
def import_job(request, job_id):
    job = _job(request, job_id)
    page = Paginator(job.errors or [], ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/import_job.html",
        {
            "job": job,
            "page": page,
            "running": job.status in RUNNING,
            "interrupted": job.status == ImportStatus.READY and job.message == INTERRUPTED,
            "form": ConfirmForm(),
            "statuses": ImportStatus,
        },
    )


@require_GET
def import_job_progress(request, job_id):
    """The progress bar, polled by htmx each second; once the job has stopped running the
    page is reloaded to show its outcome."""
    job = _job(request, job_id)
    running = job.status in RUNNING
    response = render(request, "members/_import_progress.html", {"job": job, "running": running})
    if not running and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@require_POST
def import_confirm(request, job_id):
    job = imports.access_import_job(request.user, job_id)
    form = ConfirmForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    imports.import_confirm(
        actor=request.user,
        job=job,
        update_existing=form.cleaned_data.get("update_existing", False),
    )
    return redirect("members:import_job", job_id=job.pk)


@require_GET
def import_report(request, job_id):
    job = imports.access_import_job(request.user, job_id)
    if not job.errors:
        raise deny()
    try:
        content = imports.report_workbook(job)
    except FileNotFoundError:
        raise AppError(
            "上传的原文件已超过保留期限被删除，无法生成问题标注文件；请改正后重新上传。"
        ) from None
    # the marked file is the uploaded roster: every item in clear, so the download is logged
    audit(
        request.user,
        "members.import.report_downloaded",
        job,
        org_path=job.org_path,
        changes={"file": job.original_name},
        ip=request.META.get("REMOTE_ADDR"),
    )
    stem = job.original_name.rsplit(".", 1)[0]
    return _xlsx(content, f"{stem}（问题标注）.xlsx")
