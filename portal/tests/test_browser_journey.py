"""The newcomer's journey in a real browser (Debian chromium, 360 px wide)."""

import pytest

from conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_camat_logs_in_sees_tapin_dashboard_switches_language_and_logs_out(page, demo):
    login(page, "camat.tapinutara")

    assert page.locator("h1").inner_text() == "Dasbor"
    assert page.get_by_test_id("dashboard-kabupaten").inner_text() == "Kab. Tapin"
    assert page.get_by_role("link", name="Kecamatan Tapin Utara").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    assert_accessible(page)

    page.get_by_role("button", name="Buka/tutup navigasi").click()
    page.wait_for_selector("#nav-main.show")  # the menu has finished opening
    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Ganti").click()
    page.wait_for_selector("h1:has-text('Dashboard')")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)

    page.get_by_role("button", name="Toggle navigation").click()
    page.wait_for_selector("#nav-main.show")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in"
    assert_accessible(page)

    page.goto("/")
    page.wait_for_url("**/accounts/login/?next=/")
