import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from meetings import services
from meetings.models import Attendance, Invitation, MeetingDocument
from portal.tests.job_helpers import download, job_of

from .factories import MeetingFactory, png_bytes

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = png_bytes()


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def invited_rakor(demo, dinkes, kabupaten_rakor):
    Invitation.objects.create(meeting=kabupaten_rakor, organisation=demo.orgs["dinkes"])
    Invitation.objects.create(meeting=kabupaten_rakor, organisation=demo.orgs["dinsos"])
    return kabupaten_rakor


def test_daftar_hadir_pdf_lists_the_invitees_under_the_meeting_header(client, dppkb, invited_rakor):
    client.force_login(dppkb)

    response = client.post(reverse("meetings:attendance-pdf-job", args=[invited_rakor.pk]))

    assert job_of(response).kind == "meetings.jobs.attendance_pdf"
    text = pdf_text(download(client, response))
    assert "DAFTAR HADIR" in text.upper()
    assert invited_rakor.title in text
    assert "TPPS TAPIN" in text  # the organising body at the top
    assert "Fitriani" in text and "Analis Gizi" in text  # Dinkes focal point, with jabatan
    assert "Dinas Sosial Kabupaten" in text  # an organisation without a contact still has its line
    assert invited_rakor.venue in text
    assert "WITA" in text


def test_pdf_falls_back_to_the_core_font_without_dejavu(settings, client, dppkb, invited_rakor, tmp_path):
    settings.PDF_FONT_DIRS = [str(tmp_path)]
    invited_rakor.title = "Rakor – evaluasi “AKS” 😀"
    invited_rakor.save()
    client.force_login(dppkb)

    response = client.post(reverse("meetings:attendance-pdf-job", args=[invited_rakor.pk]))

    assert "Rakor - evaluasi" in pdf_text(download(client, response))


def test_prepare_attendance_makes_one_line_per_expected_person(invited_rakor, dppkb):
    services.prepare_attendance(meeting=invited_rakor, acting_user=dppkb)
    services.prepare_attendance(meeting=invited_rakor, acting_user=dppkb)  # idempotent

    names = sorted(invited_rakor.attendances.values_list("name", flat=True))
    assert names == ["Dinas Sosial Kabupaten Tapin", "Fitriani"]


def test_secretariat_records_attendance_with_a_walk_in(client, notulis, invited_rakor):
    client.force_login(notulis)
    url = reverse("meetings:attendance", args=[invited_rakor.pk])
    services.prepare_attendance(meeting=invited_rakor, acting_user=notulis)
    formset = client.get(url).context["formset"]
    data = {
        "attendance-TOTAL_FORMS": str(len(formset.forms)),
        "attendance-INITIAL_FORMS": str(formset.initial_form_count()),
        "attendance-MIN_NUM_FORMS": "0",
        "attendance-MAX_NUM_FORMS": "1000",
    }
    for i, form in enumerate(formset.forms):
        if form.instance.pk:
            data.update(
                {
                    f"attendance-{i}-id": form.instance.pk,
                    f"attendance-{i}-name": form.instance.name,
                    f"attendance-{i}-status": "hadir",
                }
            )
    walk_in = formset.initial_form_count()
    for i in range(walk_in, len(formset.forms)):
        data[f"attendance-{i}-status"] = "hadir"  # what the browser sends for an untouched row
    data.update(
        {
            f"attendance-{walk_in}-name": "Kader Posyandu",
            f"attendance-{walk_in}-status": "hadir",
            f"attendance-{walk_in}-instansi": "Desa Banua Hanyar",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    walk = Attendance.objects.get(name="Kader Posyandu")
    assert walk.invitation is None and walk.meeting == invited_rakor
    assert invited_rakor.attendances.filter(status="hadir").count() == 3


def test_represented_without_delegate_is_a_field_error(client, notulis, invited_rakor):
    client.force_login(notulis)
    url = reverse("meetings:attendance", args=[invited_rakor.pk])
    client.get(url)
    data = {
        "attendance-TOTAL_FORMS": "1",
        "attendance-INITIAL_FORMS": "0",
        "attendance-MIN_NUM_FORMS": "0",
        "attendance-MAX_NUM_FORMS": "1000",
        "attendance-0-name": "Tamu",
        "attendance-0-status": "diwakilkan",
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert "delegate_name" in response.context["formset"].forms[0].errors
    assert not Attendance.objects.filter(name="Tamu").exists()


def test_invitee_checks_in_with_the_room_code_during_the_meeting(client, dppkb, dinkes, invited_rakor):
    invited_rakor.start = timezone.now() - timedelta(minutes=10)
    invited_rakor.end = timezone.now() + timedelta(hours=2)
    invited_rakor.save()
    client.force_login(dppkb)
    screen = client.get(reverse("meetings:checkin-screen", args=[invited_rakor.pk]))
    code = screen.context["code"]
    assert "<svg" in screen.content.decode()

    client.force_login(dinkes)
    response = client.post(reverse("meetings:checkin"), {"code": code.lower()})

    assert response.status_code == 302
    attendance = Attendance.objects.get(meeting=invited_rakor, person=dinkes)
    assert attendance.status == "hadir" and attendance.checked_in_at is not None
    assert attendance.instansi == "Dinas Kesehatan Kabupaten Tapin"


def test_check_in_outside_the_meeting_window_is_refused(client, dinkes, invited_rakor):
    code = invited_rakor.checkin_code  # the meeting is next week
    client.force_login(dinkes)

    response = client.post(reverse("meetings:checkin"), {"code": code})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Attendance.objects.exists()


def test_camat_binuang_cannot_check_in_to_tapin_utara_rakor(client, camat_b, tapin_utara_rakor):
    tapin_utara_rakor.start = timezone.now()
    tapin_utara_rakor.save()
    code = tapin_utara_rakor.checkin_code
    client.force_login(camat_b)

    client.post(reverse("meetings:checkin"), {"code": code})

    assert not Attendance.objects.exists()


def test_signed_sheet_upload_is_kept_privately_and_served_to_readers(
    client, notulis, camat_a, tapin_utara_rakor
):
    client.force_login(notulis)
    upload = SimpleUploadedFile("daftar-hadir.pdf", PDF_BYTES, content_type="application/pdf")

    client.post(
        reverse("meetings:document-upload", args=[tapin_utara_rakor.pk]),
        {"kind": "daftar_hadir", "file": upload},
    )

    document = MeetingDocument.objects.get()
    assert (document.content_type, document.size, document.uploaded_by) == (
        "application/pdf",
        len(PDF_BYTES),
        notulis,
    )
    assert document.file.storage.base_url is None or not document.file.name.startswith("/")
    client.force_login(camat_a)
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_camat_binuang_gets_404_on_the_uploaded_sheet(client, notulis, camat_b, tapin_utara_rakor):
    client.force_login(notulis)
    upload = SimpleUploadedFile("scan.png", PNG_BYTES, content_type="image/png")
    client.post(
        reverse("meetings:document-upload", args=[tapin_utara_rakor.pk]),
        {"kind": "daftar_hadir", "file": upload},
    )
    document = MeetingDocument.objects.get()

    client.force_login(camat_b)

    assert client.get(document.get_absolute_url()).status_code == 404
    upload = SimpleUploadedFile("x.pdf", PDF_BYTES, content_type="application/pdf")
    assert (
        client.post(
            reverse("meetings:document-upload", args=[tapin_utara_rakor.pk]), {"file": upload}
        ).status_code
        == 404
    )


def test_a_text_file_named_pdf_is_refused(client, notulis, tapin_utara_rakor):
    client.force_login(notulis)
    upload = SimpleUploadedFile("daftar.pdf", b"not really a pdf", content_type="application/pdf")

    client.post(
        reverse("meetings:document-upload", args=[tapin_utara_rakor.pk]),
        {"kind": "daftar_hadir", "file": upload},
    )

    assert not MeetingDocument.objects.exists()


def test_a_file_over_the_size_limit_is_refused(settings, client, notulis, tapin_utara_rakor):
    settings.MAX_UPLOAD_SIZE = 100
    client.force_login(notulis)
    upload = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 200, content_type="application/pdf")

    response = client.post(
        reverse("meetings:document-upload", args=[tapin_utara_rakor.pk]),
        {"kind": "daftar_hadir", "file": upload},
        follow=True,
    )

    assert not MeetingDocument.objects.exists()
    assert "100" in response.content.decode()


def test_read_only_role_cannot_upload(client, kapus, tapin_utara_rakor):
    client.force_login(kapus)
    upload = SimpleUploadedFile("x.pdf", PDF_BYTES, content_type="application/pdf")

    response = client.post(
        reverse("meetings:document-upload", args=[tapin_utara_rakor.pk]),
        {"kind": "daftar_hadir", "file": upload},
    )

    assert response.status_code == 403
    assert not MeetingDocument.objects.exists()


def test_repeating_a_quarterly_rakor_copies_agenda_and_invitees(client, camat_a, demo, tapin_utara_rakor):
    tapin_utara_rakor.recurrence = "quarterly"
    tapin_utara_rakor.start = timezone.make_aware(timezone.datetime(2026, 11, 30, 9, 0))
    tapin_utara_rakor.end = tapin_utara_rakor.start + timedelta(hours=2)
    tapin_utara_rakor.save()
    Invitation.objects.create(
        meeting=tapin_utara_rakor, organisation=demo.orgs["pkm_tapinutara"], response="hadir"
    )
    client.force_login(camat_a)

    response = client.post(reverse("meetings:meeting-repeat", args=[tapin_utara_rakor.pk]))

    new = tapin_utara_rakor.next_meetings.get()
    assert response.url == reverse("meetings:meeting-update", args=[new.pk])
    assert timezone.localtime(new.start).date().isoformat() == "2027-02-28"  # clamped to the month's end
    assert timezone.localtime(new.start).hour == 9
    assert new.status == "draft" and new.recurrence == "quarterly"
    assert [a.title for a in new.agenda_items.all()] == ["Review tindak lanjut"]
    assert [(i.organisation, i.response) for i in new.invitations.all()] == [
        (demo.orgs["pkm_tapinutara"], "pending")
    ]
    assert list(new.organisers.all()) == [demo.orgs["tpps_tapinutara"]]


def test_monthly_repeat_moves_one_month(dppkb):
    meeting = MeetingFactory(
        recurrence="monthly",
        start=timezone.make_aware(timezone.datetime(2026, 1, 31, 9)),
        end=timezone.make_aware(timezone.datetime(2026, 1, 31, 11)),
    )

    new = services.repeat_meeting(meeting=meeting, acting_user=dppkb)

    assert timezone.localtime(new.start).date().isoformat() == "2026-02-28"
    assert new.previous == meeting
