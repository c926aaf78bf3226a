"""Browser journeys (chromium, 360 px): the DPPKB admin opens the Tapin round, sees coverage,
opens a case (full NIK shown, the view logged), adopts a recommendation into the rakor; the
camat of Tapin Utara sees only aggregates."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from audits import demo as audits_demo
from audits.models import AuditCase, AuditRound, NikAccessLog, Recommendation
from meetings.models import Commitment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tapin_round(demo, settings):
    audits_demo.seed(log=lambda *a: None)
    return AuditRound.objects.get(kabupaten_id="63.05", year=2024, semester=1)


def test_dppkb_opens_the_round_sees_coverage_reveals_a_nik_and_adopts_a_recommendation(
    page, a11y, browser_login, tapin_round
):
    browser_login(page, "dppkb")
    page.goto("/audits/")
    a11y(page)
    page.get_by_test_id("round-list").get_by_role("link", name=str(tapin_round)).click()
    page.wait_for_url(re.compile(r"/audits/rounds/\d+/$"))
    a11y(page)
    total = tapin_round.coverage.count()
    assert f"{total} dari {total}" in page.get_by_test_id("coverage-total").inner_text()
    assert "Tapin Utara" in page.get_by_test_id("coverage-table").inner_text()

    case = AuditCase.objects.get(round=tapin_round, number=1)
    page.get_by_test_id("case-table").get_by_role("link", name="1", exact=True).click()
    page.wait_for_url(f"**/audits/cases/{case.pk}/")
    a11y(page)
    assert page.get_by_test_id("case-nik").inner_text() == case.nik_masked
    page.locator(f"form[action='/audits/cases/{case.pk}/identity/'] button").click()
    page.wait_for_url(f"**/audits/cases/{case.pk}/identity/")
    a11y(page)
    assert page.get_by_test_id("case-nik").inner_text() == case.nik
    assert NikAccessLog.objects.filter(case=case, user__username="dppkb").count() == 1

    page.goto(tapin_round.get_absolute_url())
    page.locator(f"a[href='/audits/rounds/{tapin_round.pk}/adopt/']").click()
    page.wait_for_url("**/adopt/")
    a11y(page)
    recommendation = Recommendation.objects.get(round=tapin_round, adoptions__isnull=True)
    rakor = Commitment.objects.filter(audit_adoption__isnull=False).first().meeting
    page.select_option("#id_meeting", str(rakor.pk))
    page.check(f"#id_adopt_{recommendation.pk}")
    due = (timezone.localdate() + timedelta(days=60)).isoformat()
    page.fill(f"#id_due_{recommendation.pk}", due)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(tapin_round.get_absolute_url())
    commitment = Commitment.objects.get(audit_adoption__recommendation=recommendation)
    assert (commitment.meeting, commitment.owner, commitment.due_date.isoformat()) == (
        rakor,
        recommendation.owner,
        due,
    )

    page.goto(commitment.get_absolute_url())
    a11y(page)
    assert str(tapin_round) in page.get_by_test_id("commitment-origins").inner_text()


def test_camat_tapin_utara_sees_only_the_aggregates_of_the_kecamatan(page, a11y, browser_login, tapin_round):
    browser_login(page, "camat.tapinutara")
    page.goto(tapin_round.get_absolute_url())
    a11y(page)
    table = page.get_by_test_id("coverage-table").inner_text()
    assert "Tapin Utara" in table and "Binuang" not in table
    assert page.get_by_test_id("case-table").count() == 0
    assert "6305" not in page.content()
    case = AuditCase.objects.filter(round=tapin_round, desa__code__startswith="63.05.04.").first()
    response = page.goto(case.get_absolute_url())
    assert response.status == 404


def test_the_tim_teknis_records_a_case_on_a_phone_and_the_pakar_sees_what_is_pending(
    page, a11y, browser_login, tapin_round
):
    browser_login(page, "kapus.tapinutara")
    page.goto(f"/audits/rounds/{tapin_round.pk}/cases/new/")
    a11y(page)
    page.get_by_test_id("group-choice").get_by_role("link").nth(3).click()  # baduta
    page.wait_for_url("**?group=baduta")
    a11y(page)
    page.fill("#id_number", "900")
    page.select_option("#id_desa", "63.05.04.2005")
    page.select_option("#id_puskesmas", label="Puskesmas Tapin Utara")
    page.fill("#id_visit_date", "2024-03-04")
    page.fill("#id_nik", "6305045205230099")
    page.fill("#id_name", "Alya binti Ahmad")
    page.fill("#id_kka_usia_bulan", "14")
    page.select_option("#id_kka_jenis_kelamin", "P")
    page.select_option("#id_kka_asi_eksklusif", "false")
    page.select_option("#id_kka_infeksi_berulang", "true")
    page.select_option("#id_kka_penyakit_penyerta", "false")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/audits/cases/\d+/$"))
    a11y(page)
    case = AuditCase.objects.get(round=tapin_round, number=900)
    assert case.nik_masked == "6305********0099" and case.filled_by.username == "kapus.tapinutara"
    assert "Z-skor" in page.get_by_test_id("pending-items").inner_text()
