import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from portal.models import Notification
from portal.tests.job_helpers import download, job_of
from trainings import services
from trainings.models import Enrollment, Session

from .factories import SessionFactory, TrainingFactory, enroll


@pytest.fixture
def training(demo):
    training = TrainingFactory(title="Pelatihan Teknis TPPS", min_attendance_percent=80, past=True)
    for _ in range(5):
        SessionFactory(training=training, mode=Session.Mode.DARING)
    return training


def attend(enrollment, count, by):
    sessions = list(enrollment.training.sessions.all()[:count])
    for session in sessions:
        session.attendances.create(enrollment=enrollment, method="organiser", recorded_by=by)


def test_only_those_who_meet_the_rule_complete(training, bkkbn, camat_a, kapus, pkk, camat_b):
    passed = enroll(training, camat_a)
    attend(passed, 4, bkkbn)  # 80%
    passed.post_test_score = Decimal("70")
    passed.save()
    low_attendance = enroll(training, kapus)
    attend(low_attendance, 3, bkkbn)
    low_attendance.post_test_score = Decimal("95")
    low_attendance.save()
    failed_test = enroll(training, pkk)
    attend(failed_test, 5, bkkbn)
    failed_test.post_test_score = Decimal("69.5")
    failed_test.save()
    no_test = enroll(training, camat_b)
    attend(no_test, 5, bkkbn)

    completed = services.complete_training(training=training, acting_user=bkkbn)

    assert [e.person for e in completed] == [camat_a]
    passed.refresh_from_db()
    assert passed.status == Enrollment.Status.COMPLETED and passed.certificate_number
    for other in (low_attendance, failed_test, no_test):
        other.refresh_from_db()
        assert other.status == Enrollment.Status.CONFIRMED and other.certificate_number is None
    assert Notification.objects.of_rule("training_certificate").filter(recipient=camat_a).exists()
    assert not Notification.objects.of_rule("training_certificate").filter(recipient=kapus).exists()


def test_training_without_post_test_needs_attendance_only(demo, bkkbn, camat_a):
    training = TrainingFactory(post_test_pass_mark=None, past=True)
    SessionFactory(training=training)
    enrollment = enroll(training, camat_a)
    attend(enrollment, 1, bkkbn)
    assert services.complete_training(training=training, acting_user=bkkbn) == [enrollment]


def test_completing_twice_keeps_the_same_certificate(training, bkkbn, camat_a):
    enrollment = enroll(
        training,
        camat_a,
    )
    attend(enrollment, 5, bkkbn)
    enrollment.post_test_score = 90
    enrollment.save()
    services.complete_training(training=training, acting_user=bkkbn)
    enrollment.refresh_from_db()
    number, token = enrollment.certificate_number, enrollment.certificate_token
    assert services.complete_training(training=training, acting_user=bkkbn) == []
    enrollment.refresh_from_db()
    assert (enrollment.certificate_number, enrollment.certificate_token) == (number, token)


def test_numbers_are_unique_per_participant(training, bkkbn, camat_a, kapus):
    for user in (camat_a, kapus):
        enrollment = enroll(training, user)
        attend(enrollment, 5, bkkbn)
        enrollment.post_test_score = 80
        enrollment.save()
    services.complete_training(training=training, acting_user=bkkbn)
    numbers = set(training.enrollments.values_list("certificate_number", flat=True))
    tokens = set(training.enrollments.values_list("certificate_token", flat=True))
    assert len(numbers) == 2 and len(tokens) == 2 and None not in numbers


@pytest.fixture
def certified(training, bkkbn, camat_a):
    enrollment = enroll(training, camat_a)
    attend(enrollment, 5, bkkbn)
    enrollment.post_test_score = 88
    enrollment.save()
    services.complete_training(training=training, acting_user=bkkbn)
    enrollment.refresh_from_db()
    return enrollment


@override_settings(SITE_URL="https://portal.example.id")
def test_certificate_pdf_has_name_number_and_verification_link(client, certified, camat_a):
    client.force_login(camat_a)
    response = client.post(reverse("trainings:certificate", args=[certified.pk]))
    assert job_of(response).kind == "trainings.jobs.certificate"
    reader = PdfReader(io.BytesIO(download(client, response)))
    text = reader.pages[0].extract_text()
    assert camat_a.full_name in text
    assert certified.certificate_number in text
    assert "Pelatihan Teknis TPPS" in text
    assert f"https://portal.example.id/trainings/verify/{certified.certificate_token}/" in text.replace(
        "\n", ""
    )
    assert reader.pages[0].images, "the QR code image is on the page"


def test_organiser_and_kabupaten_admin_download_but_others_get_404(
    client, certified, bkkbn, dppkb, camat_b, outsider
):
    url = reverse("trainings:certificate", args=[certified.pk])
    for user in (bkkbn, dppkb):
        client.force_login(user)
        assert download(client, client.post(url)).startswith(b"%PDF")
    for user in (camat_b, outsider):
        client.force_login(user)
        assert client.post(url).status_code == 404


def test_non_completer_has_no_certificate(client, training, camat_a):
    enrollment = enroll(training, camat_a)
    client.force_login(camat_a)
    assert client.post(reverse("trainings:certificate", args=[enrollment.pk])).status_code == 404


def test_verification_page_is_public_and_shows_only_name_training_dates_validity(client, certified, camat_a):
    response = client.get(reverse("trainings:certificate-verify", args=[certified.certificate_token]))
    page = response.content.decode()
    assert response.status_code == 200
    assert camat_a.full_name in page and certified.training.title in page and "berlaku" in page.lower()
    for private in (camat_a.email, camat_a.jabatan, camat_a.username, str(certified.post_test_score)):
        assert private not in page


def test_verification_of_an_unknown_token_is_404(client, demo):
    response = client.get(reverse("trainings:certificate-verify", args=["not-a-token"]))
    assert response.status_code == 404
    # A clear page for whoever scanned it, not a bare 404.
    assert "Tidak ada sertifikat dengan kode ini" in response.content.decode()


def test_the_verification_page_shows_the_number_the_training_its_cohort_and_dates(client, certified):
    training = certified.training
    training.cohort = "III"
    training.save()
    page = client.get(
        reverse("trainings:certificate-verify", args=[certified.certificate_token])
    ).content.decode()
    certificate = page.split('data-testid="certificate"')[1].split("</dl>")[0]
    assert certified.certificate_number in certificate and training.title in certificate
    assert "III" in certificate and "Angkatan" in certificate
    assert training.start_date.strftime("%Y") in certificate and str(training.end_date.day) in certificate


def test_no_certificates_before_the_last_session_has_ended(demo, bkkbn, camat_a):
    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    training = TrainingFactory(start_date=timezone.localdate() - dt.timedelta(days=1), end_date=tomorrow)
    SessionFactory(training=training, date=training.start_date)  # over
    session = SessionFactory(training=training, date=tomorrow)  # the last one is not
    enrollment = enroll(training, camat_a)
    session.attendances.create(enrollment=enrollment, method="organiser", recorded_by=bkkbn)
    enrollment.post_test_score = 90
    enrollment.save()
    with pytest.raises(services.EnrollmentError):
        services.complete_training(training=training, acting_user=bkkbn)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.CONFIRMED and enrollment.certificate_number is None
    training.refresh_from_db()
    assert training.completed_at is None


def test_the_issue_button_waits_for_the_end_of_the_training(client, demo, bkkbn, camat_a):
    training = TrainingFactory()
    SessionFactory(training=training)
    enroll(training, camat_a)
    client.force_login(bkkbn)
    page = client.get(reverse("trainings:enrollment-list", args=[training.pk])).content.decode()
    assert 'data-testid="certificates-later"' in page
    response = client.post(reverse("trainings:complete", args=[training.pk]), follow=True)
    assert "setelah sesi terakhir" in response.content.decode()
    assert not training.enrollments.filter(status=Enrollment.Status.COMPLETED).exists()


def test_a_participant_who_did_not_pass_sees_why(client, training, bkkbn, kapus, pkk):
    low_attendance = enroll(training, kapus)
    attend(low_attendance, 3, bkkbn)
    low_attendance.post_test_score = Decimal("95")
    low_attendance.save()
    failed_test = enroll(training, pkk)
    attend(failed_test, 5, bkkbn)
    failed_test.post_test_score = Decimal("69.5")
    failed_test.save()
    client.force_login(kapus)
    assert 'data-testid="not-passed"' not in client.get(training.get_absolute_url()).content.decode()

    services.complete_training(training=training, acting_user=bkkbn)

    page = client.get(training.get_absolute_url()).content.decode()
    assert "Tidak lulus" in page and "3 dari 5 sesi" in page
    client.force_login(pkk)
    page = client.get(training.get_absolute_url()).content.decode()
    assert "Tidak lulus" in page and "69.5" in page and "70" in page


def test_a_past_training_does_not_offer_seats(client, demo, camat_a):
    past = TrainingFactory(title="Pelatihan yang sudah lewat", past=True)
    client.force_login(camat_a)
    enroll(past, camat_a)
    assert 'data-testid="seats-left"' not in client.get(past.get_absolute_url()).content.decode()
    assert (
        "kursi"
        not in client.get(reverse("trainings:index") + "?show=past")
        .content.decode()
        .split("Pelatihan yang sudah lewat")[-1]
        .split("</li>")[0]
    )
    upcoming = TrainingFactory()
    assert 'data-testid="seats-left"' in client.get(upcoming.get_absolute_url()).content.decode()


NON_LATIN1_NAME = "Nurhayati Ṣalih Đăng"


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_certificate_prints_a_name_outside_latin1_exactly_with_the_unicode_font(client, certified, camat_a):
    from portal.pdf import font_files

    assert font_files(), "DejaVu Sans must be installed (Debian: fonts-dejavu-core)"
    camat_a.full_name = NON_LATIN1_NAME
    camat_a.save()
    client.force_login(camat_a)
    text = _pdf_text(download(client, client.post(reverse("trainings:certificate", args=[certified.pk]))))
    assert NON_LATIN1_NAME in text


def test_without_a_unicode_font_the_certificate_transliterates_the_name(
    client, certified, camat_a, settings, tmp_path
):
    settings.PDF_FONT_DIRS = [str(tmp_path)]
    camat_a.full_name = NON_LATIN1_NAME
    camat_a.save()
    client.force_login(camat_a)
    text = _pdf_text(download(client, client.post(reverse("trainings:certificate", args=[certified.pk]))))
    assert "Nurhayati Salih Dang" in text and "?" not in text.split("http")[0]


def test_attendance_sheet_prints_a_name_outside_latin1(client, bkkbn, training, camat_a):
    session = SessionFactory(training=training, mode=Session.Mode.LURING)
    camat_a.full_name = NON_LATIN1_NAME
    camat_a.save()
    enroll(training, camat_a)
    client.force_login(bkkbn)
    url = reverse("trainings:attendance-sheet", args=[training.pk, session.pk])
    assert NON_LATIN1_NAME in _pdf_text(download(client, client.post(url)))
