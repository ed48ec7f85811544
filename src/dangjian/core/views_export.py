"""Pages of exports: the user's own export jobs, a job's progress (polled by htmx) and its
download. Apps start exports from their own pages and answer with `outcome_response`."""

from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from dangjian.core.access import deny
from dangjian.core.exporters import (
    ExportOutcome,
    access_export_job,
    export_file,
    export_jobs_of,
    exporters_for,
)


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


@require_GET
def export_job(request, job_id):
    job = access_export_job(request.user, job_id)
    return render(request, "core/export_job.html", {"job": job})


@require_GET
def export_job_progress(request, job_id):
    job = access_export_job(request.user, job_id)
    return render(request, "core/_export_progress.html", {"job": job})


@require_GET
def export_download(request, job_id):
    job = access_export_job(request.user, job_id)
    path = export_file(job)
    if path is None:
        raise deny()
    handle = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    response = FileResponse(handle, as_attachment=True, filename=job.download_name)
    response["Cache-Control"] = "no-store"
    return response
