"""Background jobs with a progress indicator: long work (a PDF of large minutes, an export)
runs in the Celery worker instead of the web request.

An app starts one with `start_job(kind="app.module.function", owner=request.user,
params={...})` and redirects to `job.get_absolute_url()`: a page that polls the job's status
(static JS) and offers the file when it is ready. The function is called in the worker as
`function(job, progress)` with `progress(percent)`, re-checks the owner's access itself, and
returns `JobResult(filename, content_type, content)`; the file is kept in the private storage
(S3 when configured) and served only to the job's owner.
"""

from __future__ import annotations

from .models import Job, JobResult, start_job

__all__ = ["Job", "JobResult", "start_job"]
