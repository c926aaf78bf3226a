"""On a phone, in-app messages show their actions as buttons (Hadir / Izin / Diwakilkan,
Perbarui progres), never raw one-tap URLs, and the page stays within 360 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import Commitment, Invitation, Meeting
from portal.models import ReminderSettings
from portal.notifications import engine, rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_camat_answers_an_invitation_from_the_notification_buttons_on_a_phone(
    page, demo, camat_a, dppkb, reminder_settings, mailbox, browser_login, a11y
):
    start = timezone.now() + dt.timedelta(days=5)
    meeting = Meeting.objects.create(
        title="Rapat Koordinasi Percepatan Penurunan Stunting Kabupaten Tapin Semester II Tahun 2024",
        region_id="63.05",
        start=start,
        end=start + dt.timedelta(hours=2),
        venue="Aula Bappelitbang Kabupaten Tapin, Jalan Jenderal Sudirman Nomor 123, Rantau",
        status=Meeting.Status.SCHEDULED,
    )
    services.invite(meeting=meeting, people=[camat_a], acting_user=dppkb)
    commitment = Commitment.objects.create(
        meeting=meeting,
        description="Penyediaan_air_bersih_dan_jamban_sehat_untuk_seluruh_keluarga_berisiko_stunting " * 2,
        owner=demo.orgs["tpps_tapinutara"],
        pic=camat_a,
        due_date=timezone.localdate() + dt.timedelta(days=3),
    )
    rule = rules.REGISTRY["commitment_due"]
    # Asked as the day begins, so the h-3 reminder is still ahead whatever the time of the run.
    early = rules.at(timezone.localdate(), dt.time(0, 1))
    for reminder in rule.reminders(commitment, early, ReminderSettings.load()):
        if reminder.rule.startswith("commitment_due:h-3"):
            rules.notify(
                rule=reminder.rule,
                recipients=reminder.recipients,
                source=commitment,
                context=reminder.context,
                channels=reminder.channels,
            )
    engine.dispatch()

    browser_login(page, "camat.tapinutara")
    page.goto("/notifications/")
    a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    listing = page.inner_text("[data-testid=notification-list]")
    assert "http" not in listing and "/rsvp/" not in listing and "/quick/" not in listing
    for label in ("Hadir", "Izin", "Diwakilkan", "Perbarui progres"):
        assert page.get_by_role("link", name=label).count() >= 1, label

    page.get_by_role("link", name="Perbarui progres").first.click()
    page.wait_for_url(f"**/commitments/{commitment.pk}/#progress")

    page.goto("/notifications/")
    page.get_by_role("link", name="Izin").first.click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/?answer=izin#rsvp")
    a11y(page)
    assert page.is_checked("input[name=response][value=izin]")
    page.click("#rsvp button[type=submit]")
    page.wait_for_load_state()
    assert Invitation.objects.get(meeting=meeting, person=camat_a).response == "izin"


def test_a_rsvp_error_names_the_field_by_its_label(page, demo, camat_a, dppkb, browser_login, a11y):
    start = timezone.now() + dt.timedelta(days=5)
    meeting = Meeting.objects.create(
        title="Rakor TPPS", region_id="63.05", start=start, end=start + dt.timedelta(hours=2), venue="Aula"
    )
    meeting.status = Meeting.Status.SCHEDULED
    meeting.save()
    services.invite(meeting=meeting, people=[camat_a], acting_user=dppkb)
    browser_login(page, "camat.tapinutara")
    page.goto(f"/meetings/{meeting.pk}/?answer=diwakilkan")
    page.click("#rsvp button[type=submit]")
    page.wait_for_load_state()
    alert = page.inner_text(".alert-danger, .alert-error")
    assert "delegate_name" not in alert and "delegate_position" not in alert
    assert Invitation.objects.get(meeting=meeting, person=camat_a).response == "pending"
    a11y(page)


def test_the_attendance_table_fits_a_phone(page, demo, dppkb, camat_a, kapus, browser_login, a11y):
    start = timezone.now() + dt.timedelta(days=1)
    meeting = Meeting.objects.create(
        title="Rakor TPPS", region_id="63.05", start=start, end=start + dt.timedelta(hours=2), venue="Aula"
    )
    services.invite(
        meeting=meeting,
        people=[camat_a, kapus],
        organisations=[demo.orgs["kec_tapinutara"]],
        acting_user=dppkb,
    )
    browser_login(page, "dppkb")
    page.goto(f"/meetings/{meeting.pk}/attendance/")
    page.wait_for_selector("[data-testid=attendance-row]")
    a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("[data-testid=attendance-row]").count() == 2 + 2  # camat once, kapus, two walk-ins
    page.select_option("select[aria-label], #id_attendance-0-status", "hadir")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/meetings/{meeting.pk}/")
