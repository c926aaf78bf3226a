"""Background jobs with a progress indicator: long work (a PDF of large minutes, an export)
runs in the Celery worker instead of the web request.

An app starts one with `start_job(kind="app.module.function", owner=request.user,
params={...})` and redirects to `job.get_absolute_url()`: a page that polls the job's status
(static JS) and offers the file when it is ready. The function is called in the worker as
`function(job, progress)` with `progress(done, total)` (rows or pages: real progress, see
`counted`), re-checks the owner's access itself, and returns a `JobResult`: a file
(`filename, content_type, content`), kept in the private storage (S3 when configured) and served
only to the job's owner, and/or a `report` (an import's summary and row errors). An upload a job
reads is kept with it (`start_job(upload=...)`). Admin imports and exports use
`importexport.BackgroundImportExportMixin`. While a job runs the worker beats
(`heartbeat_at`); the periodic `clean_up_jobs` marks a job whose worker was lost as failed and
removes jobs and their files after `JOB_RETENTION_DAYS`.
"""

from __future__ import annotations

from .models import Job, JobResult, counted, start_job

__all__ = ["Job", "JobResult", "counted", "start_job"]
