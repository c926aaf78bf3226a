import re
from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.models import Meeting
from portal.models import Notification

DETAIL = re.compile(r"/meetings/\d+/$")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dppkb_schedules_a_rakor_with_two_agenda_items_and_invites_two_organisations(
    page, a11y, browser_login, demo
):
    browser_login(page, "dppkb")
    page.goto("/meetings/")
    a11y(page)
    page.get_by_role("link", name="Jadwalkan rapat").click()
    page.wait_for_url("**/meetings/new/")
    a11y(page)

    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    page.fill("#id_title", "Rakor TPPS Kabupaten Tapin Triwulan IV")
    page.select_option("#id_region", "63.05")
    page.check("label:has-text('TPPS Kabupaten Tapin')")
    page.fill("#id_start", f"{day}T09:00")
    page.fill("#id_end", f"{day}T12:00")
    page.select_option("#id_mode", "hybrid")
    page.fill("#id_venue", "Aula Bappelitbang, Rantau")
    page.fill("#id_online_link", "https://meet.example.org/rakor-tpps")
    page.select_option("#id_status", "scheduled")
    page.fill("#id_agenda-0-title", "Paparan hasil Audit Kasus Stunting")
    page.fill("#id_agenda-0-presenter", "Tim pakar")
    assert page.locator("#id_agenda-1-title").count() == 0
    page.get_by_test_id("agenda-add").click()  # a row more, without saving
    page.fill("#id_agenda-1-title", "Rencana tindak lanjut per OPD")
    a11y(page)
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(DETAIL)
    a11y(page)
    assert "Paparan hasil Audit Kasus Stunting" in page.get_by_test_id("agenda").inner_text()

    page.get_by_role("link", name="Undang", exact=True).click()
    page.wait_for_url("**/invite/")
    a11y(page)
    page.check("label:has-text('Dinas Kesehatan Kabupaten Tapin')")
    page.check("label:has-text('Dinas Sosial Kabupaten Tapin')")
    assert page.get_by_test_id("no-recipient").count() >= 1  # Dinsos has nobody to receive it
    page.get_by_role("button", name="Undang").click()
    page.wait_for_url(DETAIL)
    a11y(page)
    assert "Dinas Sosial Kabupaten Tapin" in page.get_by_test_id("invitations").inner_text()

    meeting = Meeting.objects.get(title="Rakor TPPS Kabupaten Tapin Triwulan IV")
    assert timezone.localtime(meeting.start).hour == 9
    assert [a.title for a in meeting.agenda_items.all()] == [
        "Paparan hasil Audit Kasus Stunting",
        "Rencana tindak lanjut per OPD",
    ]
    assert {i.organisation.short_name for i in meeting.invitations.all()} == {"Dinkes Tapin", "Dinsos Tapin"}
    assert Notification.objects.of_rule("meeting_invitation").filter(recipient__username="dinkes").exists()


def test_invitee_answers_by_link_and_the_secretariat_records_minutes_and_attendance(
    page, a11y, browser_login, demo
):
    from meetings.links import rsvp_token
    from meetings.models import Invitation, Minutes

    from .factories import MeetingFactory

    meeting = MeetingFactory(
        title="Rakor TPPS Kabupaten Tapin",
        chair=demo.users["dppkb"],
        start=timezone.now() - timedelta(minutes=30),
        end=timezone.now() + timedelta(hours=2),
    )
    meeting.agenda_items.create(order=1, title="Review RTL", presenter="DPPKB")
    invitation = Invitation.objects.create(meeting=meeting, organisation=demo.orgs["dinkes"])

    # The Dinkes focal point answers from the email link, without logging in.
    page.goto(f"/meetings/{meeting.pk}/rsvp/{rsvp_token(invitation, demo.users['dinkes'])}/")
    a11y(page)
    page.get_by_label("Diwakilkan").check()
    page.fill("#id_delegate_name", "Budi Santoso")
    page.fill("#id_delegate_position", "Kepala Seksi Gizi")
    page.get_by_role("button", name="Kirim jawaban").click()
    page.get_by_test_id("rsvp-done").wait_for()
    a11y(page)
    invitation.refresh_from_db()
    assert (invitation.response, invitation.delegate_name) == ("diwakilkan", "Budi Santoso")

    # The notulis records attendance and drafts the minutes.
    browser_login(page, "notulis")
    page.goto(f"/meetings/{meeting.pk}/check-in-screen/")
    a11y(page)
    page.goto(f"/meetings/{meeting.pk}/attendance/")
    a11y(page)
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(DETAIL)
    page.goto(f"/meetings/{meeting.pk}/minutes/")
    a11y(page)
    page.fill("#id_summary", "Rakor membahas RTL.")
    page.fill("#id_decisions", "Semua OPD melapor bulanan.")
    page.get_by_role("button", name="Simpan draf").click()
    page.get_by_test_id("minutes-versions").wait_for()
    a11y(page)
    assert Minutes.objects.get(meeting=meeting).decisions == "Semua OPD melapor bulanan."
    assert meeting.attendances.get(delegate_name="Budi Santoso").status == "diwakilkan"

    # The meeting is over; the chair approves and the minutes lock.
    type(meeting).objects.filter(pk=meeting.pk).update(end=timezone.now() - timedelta(minutes=1))
    page.context.clear_cookies()
    browser_login(page, "dppkb")
    page.goto("/")
    assert meeting.title in page.get_by_test_id("minutes-awaiting").inner_text()
    assert Notification.objects.filter(rule="minutes_awaiting_approval", recipient__username="dppkb").exists()
    page.get_by_test_id("minutes-awaiting").get_by_role("link").click()
    page.wait_for_url(f"**/meetings/{meeting.pk}/minutes/")
    page.check("#approve-confirm")
    page.get_by_role("button", name="Setujui notulen (mengunci notulen)").click()
    page.get_by_test_id("minutes-status").wait_for()
    a11y(page)
    assert Minutes.objects.get(meeting=meeting).is_locked
    page.goto(f"/meetings/{meeting.pk}/minutes/v1/")
    a11y(page)
    assert "Semua OPD melapor bulanan." in page.get_by_test_id("version-decisions").inner_text()
    page.goto(f"/meetings/{meeting.pk}/rsvp/not-a-token/")
    a11y(page)
    assert page.get_by_test_id("rsvp-error").is_visible()
    page.goto(f"/meetings/{meeting.pk}/edit/")
    a11y(page)
    page.goto("/meetings/?when=past")
    a11y(page)
    page.goto("/meetings/calendar/")
    a11y(page)
    page.goto("/meetings/check-in/")
    a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
