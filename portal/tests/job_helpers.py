"""Tests of work that runs as a background job (portal.jobs): run the job a response queued,
as the worker would, and read its result as the person does (job page, download)."""

from __future__ import annotations

import contextlib

from django.urls import reverse

from portal.jobs import Job


def job_of(response) -> Job:
    assert response.status_code == 302, response.status_code
    pk = response["Location"].rstrip("/").split("/")[-1]
    return Job.objects.get(pk=pk)


def run(response) -> Job:
    """The job the response redirected to, run now (what portal.tasks.run_job does)."""
    job = job_of(response)
    with contextlib.suppress(Exception):  # the job is marked failed, as in the worker
        job.run()
    job.refresh_from_db()
    return job


def download(client, response) -> bytes:
    """Run the queued job and download its file as the client."""
    job = run(response)
    got = client.get(reverse("portal:job-download", args=[job.pk]))
    assert got.status_code == 200, (job.state, job.error)
    return b"".join(got.streaming_content)


def report_page(client, response):
    """Run the queued job (an import) and show its page, with the report, to the client."""
    job = run(response)
    return client.get(job.get_absolute_url())


def slow_job(job, progress):
    """A job that takes its time (a worker killed in the middle of it: test_jobs.py)."""
    import time

    for done in range(600):
        progress(done, 600)
        time.sleep(0.1)
    raise AssertionError("a slow test job ran to its end")
