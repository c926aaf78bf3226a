"""The berita acara PDF: signatures of the chair and the notulis with place and date, person
names in the Name column, the delegate of a represented invitee, DRAF until approved, and a
meeting across midnight with its end date."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings import services
from meetings.models import Attendance, Meeting, Minutes
from portal.tests.job_helpers import download


def pages(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


@pytest.fixture
def rakor(demo, dppkb, kabupaten_rakor, camat_a, kapus):
    services.invite(
        meeting=kabupaten_rakor,
        people=[camat_a, kapus],
        organisations=[demo.orgs["dinsos"]],
        acting_user=dppkb,
    )
    services.respond(
        invitation=kabupaten_rakor.invitation_for(kapus),
        response="diwakilkan",
        delegate_name="Bidan Rina Marlina",
        delegate_position="Bidan Koordinator",
        acting_user=kapus,
    )
    services.prepare_attendance(meeting=kabupaten_rakor, acting_user=dppkb)
    # Held: the chair approves minutes only after the meeting.
    Meeting.objects.filter(pk=kabupaten_rakor.pk).update(
        start=kabupaten_rakor.start - timedelta(days=10),
        end=kabupaten_rakor.end - timedelta(days=10),
        status=Meeting.Status.HELD,
    )
    kabupaten_rakor.refresh_from_db()
    return kabupaten_rakor


@pytest.fixture
def notes(rakor, notulis):
    minutes = Minutes.objects.create(meeting=rakor)
    services.save_minutes(
        minutes=minutes,
        data={"summary": "Ringkasan", "decisions": "Keputusan", "discussions": {}},
        acting_user=notulis,
    )
    return minutes


def minutes_pdf(client, user, meeting) -> list[str]:
    client.force_login(user)
    response = client.post(reverse("meetings:minutes-pdf-job", args=[meeting.pk]))
    return pages(download(client, response))


def test_unapproved_minutes_say_draft_on_every_page(client, dppkb, notes, rakor):
    text = minutes_pdf(client, dppkb, rakor)
    assert len(text) >= 2 and all("DRAF" in page for page in text)


def test_approved_minutes_carry_no_draft_mark_and_the_signature_block(client, dppkb, notulis, notes, rakor):
    services.approve_minutes(minutes=notes, acting_user=dppkb)
    text = "\n".join(minutes_pdf(client, dppkb, rakor))
    assert "DRAF" not in text
    assert "Pimpinan rapat" in text and "Notulis" in text
    assert dppkb.full_name in text and dppkb.jabatan in text  # the chair
    assert notulis.full_name in text and notulis.jabatan in text  # who wrote them
    approved = timezone.localtime(notes.approved_at)
    assert f"Kab. Tapin, {approved.day} " in text and str(approved.year) in text


def test_the_annex_names_people_and_the_delegate(client, dppkb, notes, rakor, camat_a, kapus):
    annex = " ".join(minutes_pdf(client, dppkb, rakor)[-1].split())
    assert camat_a.full_name in annex and kapus.full_name in annex
    assert "Bidan Rina Marlina" in annex  # the delegate of a represented invitee
    assert "Dinas Sosial Kabupaten Tapin" in annex  # an organisation with nobody: in its own column
    dinsos = rakor.attendances.get(person=None)
    assert dinsos.name == dinsos.instansi and annex.count("Dinas Sosial Kabupaten Tapin") == 1
    assert Attendance.objects.filter(meeting=rakor, status="diwakilkan").count() == 1


def test_a_meeting_across_midnight_shows_its_end_date(client, dppkb, demo):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime(2024, 7, 30, 22, 0), tz)
    meeting = Meeting.objects.create(
        title="Konferensi tim pakar",
        region_id="63.05",
        start=start,
        end=start + timedelta(hours=4),
        venue="Aula",
    )
    first = minutes_pdf(client, dppkb, meeting)[0]
    assert "30 Juli 2024, 22.00" in first and "31 Juli 2024, 02.00 WITA" in first.replace("\n", " ")
    client.force_login(dppkb)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "31 Juli 2024" in page
