from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .models import Job


def get_job_for_user(user, pk) -> Job:
    """A job is its owner's alone: anyone else gets 404."""
    return get_object_or_404(Job, pk=pk, owner=user)


@login_required
def job_detail(request: HttpRequest, pk) -> HttpResponse:
    return render(request, "portal/job_detail.html", {"job": get_job_for_user(request.user, pk)})


@never_cache
@login_required
def job_status(request: HttpRequest, pk) -> JsonResponse:
    job = get_job_for_user(request.user, pk)
    return JsonResponse(
        {
            "state": job.state,
            "label": job.get_state_display(),
            "progress": job.progress,
            "count": _("%(done)d of %(total)d") % {"done": job.done_count, "total": job.total_count}
            if job.total_count
            else "",
            "done": job.state == "done",
            "finished": job.finished,
            "report": bool(job.report),
        }
    )


@login_required
def job_download(request: HttpRequest, pk) -> FileResponse:
    job = get_job_for_user(request.user, pk)
    if job.state != Job.State.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=job.content_type, filename=job.filename, as_attachment=True)
    response["Cache-Control"] = "private, no-store"
    return response
