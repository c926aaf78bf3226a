"""On a phone (chromium, 360 px): the DPPKB admin takes a member off the team after the
confirmation page; the tim pakar edits a recommendation."""

import pytest

from audits import demo as audits_demo
from audits.models import AuditRound, AuditTeamMember, Recommendation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tapin_round(demo):
    audits_demo.seed(log=lambda *a: None)
    return AuditRound.objects.get(kabupaten_id="63.05", year=2024, semester=1)


def test_dppkb_removes_a_member_after_confirming_and_pakar_edits_a_recommendation(
    page, a11y, browser_login, tapin_round
):
    member = AuditTeamMember.objects.get(round=tapin_round, user__username="pakar.gizi")
    browser_login(page, "dppkb")
    page.goto(tapin_round.get_absolute_url())
    page.locator(f"a[href='/audits/team/{member.pk}/remove/']").click()
    page.wait_for_url(f"**/audits/team/{member.pk}/remove/")
    a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert AuditTeamMember.objects.filter(pk=member.pk).exists()  # asking writes nothing
    page.fill("#id_reason", "Pindah tugas")
    page.get_by_test_id("team-remove-form").locator("button[type=submit]").click()
    page.wait_for_url(f"**{tapin_round.get_absolute_url()}")
    assert not AuditTeamMember.objects.filter(pk=member.pk).exists()
    assert "Siti Aisyah" in page.locator(".alert-success").first.inner_text()

    recommendation = Recommendation.objects.filter(round=tapin_round, adoptions__isnull=True).get()
    page.context.clear_cookies()
    browser_login(page, "pakar")
    page.goto(recommendation.get_absolute_url())
    page.locator(f"a[href='/audits/recommendations/{recommendation.pk}/edit/']").click()
    page.wait_for_url("**/edit/")
    a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#id_text", "PMT lokal berbahan pangan setempat selama 90 hari")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{recommendation.get_absolute_url()}")
    recommendation.refresh_from_db()
    assert recommendation.text == "PMT lokal berbahan pangan setempat selama 90 hari"
