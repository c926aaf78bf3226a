"""A camat on a phone sees the unread count, reads a reminder, shares it to WhatsApp."""

import pytest

from portal.models import Notification
from portal.notifications import engine, notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_camat_reads_a_notification_and_finds_its_whatsapp_link_on_a_phone(
    page, demo, camat_a, reminder_settings, mailbox, browser_login, a11y
):
    notify(rule="test_message", recipients=[camat_a], context={"url": "/"})
    engine.dispatch()
    browser_login(page, "camat.tapinutara")

    page.click("[data-testid=navbar-toggler], .navbar-toggler")
    assert page.inner_text("[data-testid=unread-count]").startswith("1")
    page.click("[data-testid=notifications-link]")
    page.wait_for_url("**/notifications/")
    a11y(page)

    share = page.get_attribute("[data-testid=wa-link]", "href")
    assert share.startswith("https://wa.me/?text=Portal%20TPPS%3A%20pesan%20uji")
    page.click("text=Buka")
    page.wait_for_url(lambda url: not url.endswith("/notifications/"))
    assert Notification.objects.get(channel="inapp").read_at is not None
