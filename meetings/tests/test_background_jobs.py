"""The notulen PDF of large minutes is made by the worker (portal.jobs), not in the web request:
the person watches its progress on a page and downloads it there; nobody else can."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from meetings import services
from meetings.models import Minutes
from portal.jobs import Job
from portal.tests.conftest import wait_for

# Near the MINUTES_MAX_LENGTH cap (100,000 characters): the longest minutes allowed.
LONG_SUMMARY = "Pembahasan capaian intervensi spesifik dan sensitif per desa. " * 1500  # ~93 kB


@pytest.fixture
def long_minutes(kabupaten_rakor, dppkb):
    minutes = Minutes.objects.create(meeting=kabupaten_rakor)
    services.save_minutes(
        minutes=minutes,
        data={"summary": LONG_SUMMARY, "decisions": "Semua OPD melapor bulanan", "discussions": {}},
        acting_user=dppkb,
    )
    return minutes


def prepare(client, meeting):
    return client.post(reverse("meetings:minutes-pdf-job", args=[meeting.pk]))


@pytest.mark.django_db
def test_asking_for_the_notulen_pdf_queues_a_job_and_shows_its_progress_page(
    client, dppkb, kabupaten_rakor, long_minutes, django_capture_on_commit_callbacks
):
    client.force_login(dppkb)

    with django_capture_on_commit_callbacks() as published:
        response = prepare(client, kabupaten_rakor)

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert (job.owner, job.state, job.kind, job.params) == (
        dppkb, Job.State.QUEUED, "meetings.jobs.minutes_pdf", {"meeting": kabupaten_rakor.pk}
    )  # fmt: skip
    assert len(published) == 1  # the task goes to the broker once the job row is committed
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200
    assert reverse("portal:job-status", args=[job.pk]).encode() in page.content
    assert b"portal/job" in page.content and b"<script>" not in page.content  # static JS, no inline script
    assert client.get(reverse("portal:job-status", args=[job.pk])).json()["state"] == "queued"
    assert client.get(reverse("portal:job-download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_the_job_makes_the_pdf_and_only_its_owner_downloads_it(
    client, dppkb, camat_b, kabupaten_rakor, long_minutes
):
    client.force_login(dppkb)
    prepare(client, kabupaten_rakor)
    job = Job.objects.get()

    job.run()  # what the worker does (portal.tasks.run_job)
    job.run()  # a redelivered task finds it finished and does nothing

    job.refresh_from_db()
    assert (job.state, job.progress, job.filename) == (
        Job.State.DONE,
        100,
        f"notulen-{kabupaten_rakor.pk}.pdf",
    )
    status = client.get(reverse("portal:job-status", args=[job.pk])).json()
    assert status["done"] is True and status["progress"] == 100
    response = client.get(reverse("portal:job-download", args=[job.pk]))
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert kabupaten_rakor.title in reader.pages[0].extract_text()
    assert len(reader.pages) > 5

    other = Client()
    other.force_login(camat_b)
    for name in ("portal:job-detail", "portal:job-status", "portal:job-download"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_a_camat_of_another_kecamatan_cannot_start_a_job_for_the_meeting(client, camat_b, tapin_utara_rakor):
    client.force_login(camat_b)

    assert prepare(client, tapin_utara_rakor).status_code == 404
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_prepare_address_refuses_get(client, dppkb, kabupaten_rakor):
    client.force_login(dppkb)

    assert client.get(reverse("meetings:minutes-pdf-job", args=[kabupaten_rakor.pk])).status_code == 405
    assert not Job.objects.exists()


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_pdf_while_the_page_polls(celery_workers, demo, kabupaten_rakor, dppkb):
    minutes = Minutes.objects.create(meeting=kabupaten_rakor)
    services.save_minutes(
        minutes=minutes, data={"summary": LONG_SUMMARY, "decisions": "", "discussions": {}}, acting_user=dppkb
    )
    # The worker keeps the file where this process's storage reads it (one disk, as on one server).
    celery_workers(env={"PRIVATE_STORAGE_ROOT": str(Job._meta.get_field("file").storage.location)})
    client = Client()
    client.force_login(dppkb)

    prepare(client, kabupaten_rakor)
    job = Job.objects.get()
    status_url = reverse("portal:job-status", args=[job.pk])

    wait_for(lambda: client.get(status_url).json()["done"], timeout=60, what="the worker to make the PDF")
    response = client.get(reverse("portal:job-download", args=[job.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_the_commitments_export_is_a_job_with_the_owners_scope(client, camat_a, camat_b, demo):
    from openpyxl import load_workbook

    from meetings.models import Commitment, Meeting

    meeting_a = Meeting.objects.create(title="Rakor Tapin Utara", region_id="63.05.04", start="2026-01-05T09:00+08:00",
                                       end="2026-01-05T11:00+08:00")  # fmt: skip
    meeting_b = Meeting.objects.create(title="Rakor Binuang", region_id="63.05.01", start="2026-01-05T09:00+08:00",
                                       end="2026-01-05T11:00+08:00")  # fmt: skip
    owner = demo.orgs["dinkes"]
    Commitment.objects.create(
        meeting=meeting_a, description="Sweeping balita Tapin Utara", owner=owner, due_date="2026-02-01"
    )
    Commitment.objects.create(
        meeting=meeting_b, description="Sweeping balita Binuang", owner=owner, due_date="2026-02-01"
    )
    client.force_login(camat_a)

    response = client.post(reverse("meetings:commitment-export-job", args=["xlsx"]))
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url() and job.owner == camat_a
    job.run()

    download = client.get(reverse("portal:job-download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert "Sweeping balita Tapin Utara" in cells and "Sweeping balita Binuang" not in cells
    assert client.post(reverse("meetings:commitment-export-job", args=["exe"])).status_code == 404
    assert Job.objects.count() == 1


@pytest.mark.browser
@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_progress_page_turns_into_a_download_when_the_worker_is_done(
    celery_workers, page, demo, kabupaten_rakor, dppkb, browser_login, a11y
):
    minutes = Minutes.objects.create(meeting=kabupaten_rakor)
    services.save_minutes(
        minutes=minutes, data={"summary": LONG_SUMMARY, "decisions": "", "discussions": {}}, acting_user=dppkb
    )
    celery_workers(env={"PRIVATE_STORAGE_ROOT": str(Job._meta.get_field("file").storage.location)})
    failed: list[str] = []  # the polling script's requests, the page's own resources
    page.on("response", lambda r: r.status >= 400 and "favicon" not in r.url and failed.append(r.url))
    browser_login(page, "dppkb")

    page.goto(kabupaten_rakor.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Notulen / berita acara (PDF)").click()
    assert "/jobs/" in page.url
    a11y(page)

    download_link = page.get_by_role("link", name="Unduh")
    download_link.wait_for(state="visible", timeout=60_000)
    assert page.locator("progress").get_attribute("value") == "100"
    with page.expect_download() as download:
        download_link.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert failed == []
