"""Background jobs (portal.jobs): real progress (rows of total), the periodic clean-up (old jobs
and their files go after JOB_RETENTION_DAYS), and a job whose worker was killed is failed once
its heartbeat is older than JOB_LEASE_SECONDS, instead of staying "running" forever."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import tasks
from portal.jobs import Job, counted, start_job
from portal.jobs.models import clean_up_jobs
from portal.models import Organisation
from portal.tests.conftest import wait_for

from .job_helpers import job_of, report_page, run


def make_job(owner, **values) -> Job:
    return Job.objects.create(kind="portal.tests.job_helpers.slow_job", title="t", owner=owner, **values)


def test_counted_reports_rows_done_of_the_total():
    calls: list[tuple[int, int]] = []

    rows = list(counted(list(range(200)), lambda done, total: calls.append((done, total))))

    assert rows == list(range(200))
    assert calls[0] == (0, 200) and calls[-1] == (200, 200)
    assert all(total == 200 for _done, total in calls) and 40 <= len(calls) <= 60
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)


@pytest.mark.django_db
def test_an_admin_export_job_counts_the_rows_it_wrote(client, dppkb, demo):
    client.force_login(dppkb)
    visible = Organisation.objects.visible_to(dppkb).count()

    response = client.post(
        reverse("admin:portal_organisation_export"),
        {"format": "0", "resource": "0", **{f"organisationresource_{c}": True for c in ["id", "name"]}},
    )
    job = run(response)

    assert (job.state, job.progress, job.done_count, job.total_count) == ("done", 100, visible, visible)
    status = client.get(reverse("portal:job-status", args=[job.pk])).json()
    assert status["count"] == f"{visible} dari {visible}"


@pytest.mark.django_db
def test_an_admin_import_job_reports_its_rows_and_writes_nothing_when_one_fails(client, dppkb, demo):
    client.force_login(dppkb)
    csv = "id,name,short_name,kind,region,email,phone,address\n,Puskesmas Baru,,puskesmas,63.05.04,,,\n,Dinas Luar,,opd,63.01,,,\n"

    response = client.post(
        reverse("admin:portal_organisation_import"),
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("o.csv", csv.encode(), "text/csv"),
        },
    )
    job = job_of(response)
    assert job.input.name.endswith("o.csv") and job.state == "queued"
    page = report_page(client, response).content.decode()

    job.refresh_from_db()
    assert (job.state, job.done_count, job.total_count) == ("failed", 2, 2)
    assert "Baris 2: region: 63.01" in page and "Tidak ada yang diimpor" in page
    assert not Organisation.objects.filter(name__in=["Puskesmas Baru", "Dinas Luar"]).exists()


@pytest.mark.django_db
def test_an_unreadable_import_file_is_a_reported_error(client, dppkb, demo):
    client.force_login(dppkb)

    response = client.post(
        reverse("admin:portal_organisation_import"),
        {"format": "1", "resource": "0", "import_file": SimpleUploadedFile("o.xlsx", b"\x00\xffnot a book")},
    )

    job = run(response)
    assert job.state == "failed" and job.report["errors"]


@pytest.mark.django_db
def test_the_clean_up_removes_jobs_past_retention_with_their_files(dppkb, settings):
    settings.JOB_RETENTION_DAYS = 7
    old = start_job(kind="x.y", title="lama", owner=dppkb, params={}, upload=ContentFile(b"a", name="in.csv"))
    old.file.save("out.csv", ContentFile(b"b"))
    storage = old.file.storage
    paths = [old.file.name, old.input.name]
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    recent = start_job(kind="x.y", title="baru", owner=dppkb, params={})

    tasks.clean_up_jobs()

    assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]
    assert paths[0] and paths[1] and not any(storage.exists(path) for path in paths)


@pytest.mark.django_db
def test_a_running_job_whose_worker_stopped_beating_is_failed(dppkb, settings):
    settings.JOB_LEASE_SECONDS = 60
    now = timezone.now()
    lost = make_job(dppkb, state="running", heartbeat_at=now - dt.timedelta(seconds=61))
    alive = make_job(dppkb, state="running", heartbeat_at=now - dt.timedelta(seconds=30))

    assert clean_up_jobs(now) == (1, 0)

    lost.refresh_from_db()
    alive.refresh_from_db()
    assert (lost.state, lost.error) == ("failed", "WorkerLost") and alive.state == "running"


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_an_admin_import_and_the_page_shows_its_result(celery_workers, demo, dppkb):
    celery_workers(env={"PRIVATE_STORAGE_ROOT": str(Job._meta.get_field("file").storage.location)})
    client = Client()
    client.force_login(dppkb)
    csv = "id,name,short_name,kind,region,email,phone,address\n,Puskesmas Baru,,puskesmas,63.05.04,,,\n"

    response = client.post(
        reverse("admin:portal_organisation_import"),
        {
            "format": "0",
            "resource": "0",
            "import_file": SimpleUploadedFile("o.csv", csv.encode(), "text/csv"),
        },
    )
    job = job_of(response)

    status_url = reverse("portal:job-status", args=[job.pk])
    wait_for(lambda: client.get(status_url).json()["finished"], timeout=60, what="the worker to import")
    assert Organisation.objects.get(name="Puskesmas Baru").region_id == "63.05.04"
    assert "Diimpor: 1 baru" in client.get(job.get_absolute_url()).content.decode()


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_mid_job_is_marked_failed(celery_workers, dppkb, settings):
    settings.JOB_LEASE_SECONDS = 2
    worker = celery_workers(env={"JOB_LEASE_SECONDS": "2"})
    job = start_job(kind="portal.tests.job_helpers.slow_job", title="lama", owner=dppkb, params={})

    wait_for(
        lambda: Job.objects.filter(pk=job.pk, state="running", done_count__gt=5).exists(),
        timeout=60,
        what="the worker to be in the middle of the job",
    )
    worker.kill()

    wait_for(lambda: clean_up_jobs()[0] == 1, timeout=15, what="the lease to expire")
    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "WorkerLost") and 0 < job.progress < 100
