"""Browser journeys through the monitoring pages (chromium, 360 px, CSP violations fail): the
DPPKB admin's kabupaten page and its exchange files, the camat's kecamatan aggregates, and the
provincial organiser's comparison of kabupaten."""

import io

import openpyxl
import pytest

from audits import demo as audits_demo
from audits.models import AuditRound
from portal.jobs import Job

from .national_templates import DESA_SHEET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tapin_round(demo):
    audits_demo.seed(log=lambda *a: None)
    return AuditRound.objects.get(kabupaten_id="63.05", year=2024, semester=1)


def fits_the_phone(page) -> None:
    """Nothing wider than the 360 px screen: wide tables scroll inside their own box."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_dppkb_follows_the_kabupaten_dashboard_and_takes_the_per_desa_sheet(
    page, a11y, browser_login, tapin_round
):
    browser_login(page, "dppkb")
    page.goto("/audits/monitoring/")
    page.wait_for_url("**/audits/monitoring/63.05/")  # one region: straight to it
    a11y(page)
    fits_the_phone(page)
    assert "Tapin" in page.get_by_test_id("monitoring-title").inner_text()
    assert page.get_by_test_id("prevalence-chart").is_visible()
    assert "2022" in page.get_by_test_id("prevalence-table").inner_text()  # the table behind the chart
    total = tapin_round.coverage.count()
    assert f"{total} dari {total}" in page.get_by_test_id("coverage-total").inner_text()
    for table in ("groups-table", "causes-table", "recommendations-table", "commitments-table"):
        assert page.get_by_test_id(table).count() == 1, table

    files = page.get_by_test_id("round-files")
    with page.expect_navigation():
        files.get_by_role("button", name="Angka per desa (XLSX)").click()
    assert "/jobs/" in page.url  # the sheet is made in the background (portal.jobs)
    Job.objects.get(kind="audits.jobs.desa_export", owner__username="dppkb").run()  # as the worker does
    download_link = page.get_by_role("link", name="Unduh")
    download_link.wait_for(state="visible", timeout=30_000)  # the page polls the job's status
    a11y(page)
    fits_the_phone(page)
    with page.expect_download() as download:
        download_link.click()
    content = open(download.value.path(), "rb").read()
    header = next(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert list(header) == DESA_SHEET

    page.go_back()
    files = page.get_by_test_id("round-files")
    files.locator(f"a[href='{tapin_round.get_absolute_url()}']").click()
    page.wait_for_url(f"**{tapin_round.get_absolute_url()}")
    a11y(page)
    fits_the_phone(page)


def test_camat_sees_the_kecamatan_aggregates_only(page, a11y, browser_login, tapin_round):
    browser_login(page, "camat.tapinutara")
    page.goto("/audits/monitoring/")
    page.wait_for_url("**/audits/monitoring/63.05.04/")
    a11y(page)
    fits_the_phone(page)
    coverage = page.get_by_test_id("coverage-table").first.inner_text()
    assert "Binuang" not in coverage
    assert page.get_by_test_id("round-files").count() == 0  # no exchange file for a kecamatan
    assert "6305" not in page.locator("main").inner_text().replace("63.05", "")  # no NIK
    assert page.goto("/audits/monitoring/63.05/").status == 404


def test_the_provincial_organiser_compares_the_kabupaten_and_opens_tapin(
    page, a11y, browser_login, tapin_round
):
    browser_login(page, "bkkbn")
    page.goto("/audits/monitoring/")
    page.wait_for_url("**/audits/monitoring/63/")
    a11y(page)
    fits_the_phone(page)
    table = page.get_by_test_id("kabupaten-table")
    assert "Tapin" in table.inner_text()
    table.locator("a[href='/audits/monitoring/63.05/']").click()
    page.wait_for_url("**/audits/monitoring/63.05/")
    a11y(page)
    fits_the_phone(page)
    assert page.get_by_test_id("round-files").count() == 1  # the province takes the kabupaten's reports
