"""The phone journey: register, waiting list, cancel and promotion, attendance and certificate."""

import pytest
from django.utils import translation

from portal.jobs import Job
from trainings import demo as trainings_demo
from trainings.models import Enrollment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(page, browser_login, username):
    page.context.clear_cookies()
    browser_login(page, username)


def open_upcoming(page, a11y, upcoming):
    page.goto("/trainings/")
    a11y(page)
    with translation.override("id"):
        name = str(upcoming)
    page.get_by_role("link", name=name).click()
    page.wait_for_url(f"**{upcoming.get_absolute_url()}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    a11y(page)


def test_register_waitlist_cancel_promote_attend_and_certificate(page, a11y, browser_login, demo):
    past, upcoming = trainings_demo.seed(log=lambda *a: None)

    as_user(page, browser_login, "camat.tapinutara")
    open_upcoming(page, a11y, upcoming)
    page.get_by_role("button", name="Daftar").click()
    page.wait_for_load_state()
    assert "terdaftar" in page.get_by_test_id("my-status").inner_text().lower()
    a11y(page)

    as_user(page, browser_login, "pkk.tapinutara")
    open_upcoming(page, a11y, upcoming)
    page.get_by_role("button", name="Daftar").click()
    page.wait_for_load_state()
    assert "daftar tunggu" in page.get_by_test_id("my-status").inner_text().lower()
    a11y(page)

    as_user(page, browser_login, "camat.tapinutara")
    open_upcoming(page, a11y, upcoming)
    page.get_by_role("button", name="Batalkan pendaftaran saya").click()
    page.wait_for_load_state()
    a11y(page)
    statuses = dict(upcoming.enrollments.values_list("person__username", "status"))
    assert statuses["camat.tapinutara"] == Enrollment.Status.CANCELLED
    assert statuses["pkk.tapinutara"] == Enrollment.Status.CONFIRMED

    as_user(page, browser_login, "pkk.tapinutara")
    open_upcoming(page, a11y, upcoming)
    assert "terdaftar" in page.get_by_test_id("my-status").inner_text().lower()

    as_user(page, browser_login, "bkkbn")
    page.goto(past.get_absolute_url())
    a11y(page)
    session = past.sessions.get(topic__startswith="Post-test")
    page.goto(f"/trainings/{past.pk}/sessions/{session.pk}/")
    a11y(page)
    pkk_enrollment = past.enrollments.get(person__username="pkk.tapinutara")
    page.uncheck(f"#present-{pkk_enrollment.pk}")
    page.get_by_role("button", name="Simpan kehadiran").click()
    page.wait_for_load_state()
    a11y(page)
    assert not session.attendances.filter(enrollment=pkk_enrollment).exists()
    page.check(f"#present-{pkk_enrollment.pk}")
    page.get_by_role("button", name="Simpan kehadiran").click()
    page.wait_for_load_state()
    assert session.attendances.filter(enrollment=pkk_enrollment).exists()

    page.goto(f"/trainings/{past.pk}/enrollments/")
    a11y(page)
    certified = past.enrollments.get(person__username="kapus.tapinutara")
    with page.expect_navigation():
        page.get_by_role("button", name=certified.certificate_number).click()
    assert "/jobs/" in page.url  # the certificate is made in the background (portal.jobs)
    Job.objects.get(kind="trainings.jobs.certificate", owner__username="bkkbn").run()  # as the worker does
    download_link = page.get_by_role("link", name="Unduh")
    download_link.wait_for(state="visible", timeout=30_000)  # the page polls the job's status
    a11y(page)
    with page.expect_download() as download:
        download_link.click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename == f"sertifikat-{certified.certificate_number}.pdf"
