import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.tests.job_helpers import download, job_of
from trainings import services
from trainings.models import Attendance, Enrollment, Session

from .factories import SessionFactory, enroll


@pytest.fixture
def session(demo):
    return SessionFactory(mode=Session.Mode.LURING, topic="Audit Kasus Stunting")


def test_organiser_marks_attendance_from_the_list(client, bkkbn, session, camat_a, kapus):
    present = enroll(session.training, camat_a)
    absent = enroll(session.training, kapus)
    client.force_login(bkkbn)
    url = reverse("trainings:session-attendance", args=[session.training_id, session.pk])
    assert camat_a.full_name in client.get(url).content.decode()
    client.post(url, {"present": [present.pk]})
    attendance = Attendance.objects.get(session=session)
    assert (attendance.enrollment, attendance.method, attendance.recorded_by) == (present, "organiser", bkkbn)
    client.post(url, {"present": [absent.pk]})
    assert list(session.attendances.values_list("enrollment_id", flat=True)) == [absent.pk]


def test_waitlisted_people_cannot_be_marked_present(client, bkkbn, session, pkk):
    waiting = enroll(session.training, pkk, Enrollment.Status.WAITLISTED)
    services.mark_attendance(session=session, present=[waiting.pk], acting_user=bkkbn)
    assert not session.attendances.exists()


def test_camat_and_outsider_cannot_open_the_attendance_list(client, session, camat_a, camat_b, outsider):
    url = reverse("trainings:session-attendance", args=[session.training_id, session.pk])
    client.force_login(camat_a)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(camat_b)
    assert client.post(url, {"present": []}).status_code == 403


def _live_session(**kwargs):
    """A session running now. Sessions lie within one day, so near midnight the window is
    clipped to today rather than crossing into tomorrow."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - timedelta(minutes=10), midnight)
    end = min(now + timedelta(hours=1), midnight + timedelta(hours=23, minutes=59, seconds=59))
    return SessionFactory(date=now.date(), start_time=start.time(), end_time=end.time(), **kwargs)


def test_participant_checks_in_with_the_session_code_during_the_session(client, demo, camat_a):
    session = _live_session(mode=Session.Mode.DARING)
    enroll(session.training, camat_a)
    client.force_login(camat_a)
    url = reverse("trainings:session-checkin", args=[session.training_id, session.pk])
    response = client.post(url, {"code": "WRONG1"})
    assert response.status_code == 200 and not session.attendances.exists()
    client.post(url, {"code": session.checkin_code.lower()})
    assert session.attendances.get().method == Attendance.Method.CODE


def test_qr_link_prefills_the_code_and_records_a_qr_check_in(client, demo, camat_a):
    session = _live_session(mode=Session.Mode.LURING)
    enroll(session.training, camat_a)
    client.force_login(camat_a)
    url = reverse("trainings:session-checkin", args=[session.training_id, session.pk])
    page = client.get(url, {"code": session.checkin_code}).content.decode()
    assert session.checkin_code in page
    client.post(url, {"code": session.checkin_code, "via": "qr"})
    assert session.attendances.get().method == Attendance.Method.QR


def test_check_in_outside_the_session_window_is_refused(client, session, camat_a):
    enroll(session.training, camat_a)
    client.force_login(camat_a)
    url = reverse("trainings:session-checkin", args=[session.training_id, session.pk])
    client.post(url, {"code": session.checkin_code})
    assert not session.attendances.exists()


def test_non_participant_cannot_check_in(client, demo, pkk):
    session = _live_session()
    client.force_login(pkk)
    url = reverse("trainings:session-checkin", args=[session.training_id, session.pk])
    client.post(url, {"code": session.checkin_code})
    assert not session.attendances.exists()


def test_session_qr_is_an_svg_for_the_organiser_only(client, bkkbn, camat_a, session):
    url = reverse("trainings:session-qr", args=[session.training_id, session.pk])
    client.force_login(bkkbn)
    response = client.get(url)
    assert response["Content-Type"] == "image/svg+xml" and b"<svg" in response.content
    client.force_login(camat_a)
    assert client.get(url).status_code == 403


def test_attendance_sheet_pdf_lists_the_participants_of_a_luring_session(
    client, bkkbn, session, camat_a, kapus
):
    enroll(session.training, camat_a)
    enroll(session.training, kapus)
    enroll(session.training, bkkbn, Enrollment.Status.CANCELLED)
    client.force_login(bkkbn)
    response = client.post(reverse("trainings:attendance-sheet", args=[session.training_id, session.pk]))
    assert job_of(response).kind == "trainings.jobs.attendance_sheet"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(download(client, response))).pages)
    assert "DAFTAR HADIR" in text and "Audit Kasus Stunting" in text
    assert camat_a.full_name in text and kapus.full_name in text
    assert bkkbn.full_name not in text


def test_no_attendance_sheet_for_an_online_session(client, bkkbn, demo):
    session = SessionFactory(mode=Session.Mode.DARING)
    client.force_login(bkkbn)
    assert (
        client.post(reverse("trainings:attendance-sheet", args=[session.training_id, session.pk])).status_code
        == 404
    )


def test_attendance_export_has_one_row_per_participant(client, bkkbn, session, camat_a, kapus):
    here = enroll(session.training, camat_a)
    enroll(session.training, kapus)
    services.mark_attendance(session=session, present=[here.pk], acting_user=bkkbn)
    client.force_login(bkkbn)
    response = client.post(reverse("trainings:export-attendance", args=[session.training_id, session.pk]))
    rows = list(load_workbook(io.BytesIO(download(client, response))).active.iter_rows(values_only=True))
    assert len(rows) == 3
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name[camat_a.full_name][3] == "ya"
    assert by_name[kapus.full_name][3] == "tidak"


def test_luring_qr_shown_to_the_organiser_checks_a_participant_in(client, demo, bkkbn, camat_a):
    session = _live_session(mode=Session.Mode.LURING)
    enroll(session.training, camat_a)
    client.force_login(bkkbn)
    attendance_page = client.get(
        reverse("trainings:session-attendance", args=[session.training_id, session.pk])
    )
    qr_url = attendance_page.context["checkin_url"]  # what the QR image encodes
    assert "/checkin/?code=" in qr_url and session.checkin_code in qr_url
    client.force_login(camat_a)
    path = qr_url.split("testserver", 1)[1]
    page = client.get(path).content.decode()
    assert 'name="via" value="qr"' in page and f'value="{session.checkin_code}"' in page
    client.post(path, {"code": session.checkin_code, "via": "qr"})
    attendance = session.attendances.get()
    assert (attendance.enrollment.person, attendance.method) == (camat_a, Attendance.Method.QR)


def test_daring_session_check_in_is_by_code_even_if_posted_as_qr(client, demo, camat_a):
    session = _live_session(mode=Session.Mode.DARING)
    enroll(session.training, camat_a)
    client.force_login(camat_a)
    url = reverse("trainings:session-checkin", args=[session.training_id, session.pk])
    client.post(url, {"code": session.checkin_code, "via": "qr"})
    assert session.attendances.get().method == Attendance.Method.CODE


def test_mandiri_session_has_no_self_check_in_but_the_organiser_can_mark_it(client, demo, bkkbn, camat_a):
    session = _live_session(mode=Session.Mode.MANDIRI)
    enrollment = enroll(session.training, camat_a)
    client.force_login(camat_a)
    detail = client.get(reverse("trainings:training-detail", args=[session.training_id])).content.decode()
    checkin_url = reverse("trainings:session-checkin", args=[session.training_id, session.pk])
    assert checkin_url not in detail
    response = client.post(checkin_url, {"code": session.checkin_code})
    assert response.status_code == 200 and "mandiri" in response.content.decode().lower()
    assert not session.attendances.exists()
    services.mark_attendance(session=session, present=[enrollment.pk], acting_user=bkkbn)
    assert session.attendances.get().method == Attendance.Method.ORGANISER


def test_mandiri_check_in_page_explains_instead_of_offering_a_form(client, demo, camat_a):
    session = _live_session(mode=Session.Mode.MANDIRI)
    enroll(session.training, camat_a)
    client.force_login(camat_a)
    page = client.get(reverse("trainings:session-checkin", args=[session.training_id, session.pk]))
    content = page.content.decode()
    assert "mandiri" in content.lower() and 'name="code"' not in content
