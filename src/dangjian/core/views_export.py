"""Pages of exports: the user's own export jobs, a job's progress (polled by htmx), running a
failed job again, and its download (audited). Apps start exports from their own pages and
answer with `outcome_response`."""

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.access import deny
from dangjian.core.exporters import (
    ExportOutcome,
    access_export_job,
    export_file,
    export_jobs_of,
    exporters_for,
)
from dangjian.core.exporters.jobs import (
    export_job_downloaded,
    export_job_retry,
    recover_stale_jobs,
)
from dangjian.core.models import ExportStatus

RUNNING = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def file_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A download with its Chinese file name (RFC 5987 `filename*`)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def outcome_response(outcome: ExportOutcome) -> HttpResponse:
    """The file of a small export, or the page of the job that will produce a large one."""
    if outcome.job is not None:
        return redirect("exports:job", job_id=outcome.job.pk)
    return file_response(outcome.content, outcome.filename, outcome.content_type)


@require_GET
def export_list(request):
    jobs = export_jobs_of(request.user)
    if not jobs and not exporters_for(request.user):
        raise deny()
    return render(request, "core/export_list.html", {"jobs": jobs})


def _job(request, job_id):
    """The user's job, first queued again if a stopped worker left it (recover_stale_jobs)."""
    job = access_export_job(request.user, job_id)
    if job.status in RUNNING and recover_stale_jobs(job_ids=[job.pk], wait=False):
        job = access_export_job(request.user, job_id)
    return job


@require_http_methods(["GET", "POST"])
def export_job(request, job_id):
    """The job's page; a POST runs a failed job again ("重新生成")."""
    job = _job(request, job_id)
    if request.method == "POST":
        export_job_retry(actor=request.user, job=job)
        messages.success(request, "已重新开始生成。")
        return redirect("exports:job", job_id=job.pk)
    return render(request, "core/export_job.html", {"job": job})


@require_GET
def export_job_progress(request, job_id):
    job = _job(request, job_id)
    return render(request, "core/_export_progress.html", {"job": job})


@require_GET
def export_download(request, job_id):
    job = access_export_job(request.user, job_id)
    path = export_file(job)
    if path is None:
        raise deny()
    export_job_downloaded(actor=request.user, job=job, ip=request.META.get("REMOTE_ADDR"))
    handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    response = FileResponse(handle, as_attachment=True, filename=job.download_name)
    response["Cache-Control"] = "no-store"
    return response
