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
    page.fill("#id_agenda-1-title", "Rencana tindak lanjut per OPD")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(DETAIL)
    a11y(page)
    assert "Paparan hasil Audit Kasus Stunting" in page.get_by_test_id("agenda").inner_text()

    page.get_by_role("link", name="Undang", exact=True).click()
    page.wait_for_url("**/invite/")
    a11y(page)
    page.check("label:has-text('Dinas Kesehatan Kabupaten Tapin')")
    page.check("label:has-text('Dinas Sosial Kabupaten Tapin')")
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
    assert Notification.objects.filter(rule="meeting_invitation", recipient__username="dinkes").exists()
