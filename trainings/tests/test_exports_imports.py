import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from portal.jobs import Job
from portal.tests.job_helpers import download, report_page, run
from trainings.models import Enrollment

from .factories import TrainingFactory, enroll, person


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("peserta.xlsx", out.getvalue())


@pytest.fixture
def training(demo):
    return TrainingFactory(capacity=2)


def test_participant_export_lists_enrollments_with_status_and_kabupaten(
    client, bkkbn, training, camat_a, pkk
):
    enroll(training, camat_a)
    enroll(training, pkk, Enrollment.Status.WAITLISTED)
    client.force_login(bkkbn)
    response = client.post(reverse("trainings:export-participants", args=[training.pk]))
    rows = list(load_workbook(io.BytesIO(download(client, response))).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Nama", "Nama pengguna", "Jabatan")
    by_user = {row[1]: row for row in rows[1:]}
    assert set(by_user) == {"camat.tapinutara", "pkk.tapinutara"}
    assert by_user["camat.tapinutara"][4] == "Kab. Tapin"
    assert by_user["camat.tapinutara"][5] == "Terdaftar"
    assert by_user["pkk.tapinutara"][5] == "Daftar tunggu"


def test_dppkb_admin_exports_only_people_of_their_kabupaten(client, dppkb, training, camat_a):
    enroll(training, camat_a)
    enroll(training, person("camat.z", region="63.01.01"))
    client.force_login(dppkb)
    response = client.post(reverse("trainings:export-participants", args=[training.pk]))
    rows = list(load_workbook(io.BytesIO(download(client, response))).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["camat.tapinutara"]


def test_camat_cannot_export_and_outsider_gets_404(client, training, camat_a, outsider):
    url = reverse("trainings:export-participants", args=[training.pk])
    client.force_login(camat_a)
    assert client.post(url).status_code == 403
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert not Job.objects.exists()


def test_import_registers_people_and_sets_scores(client, bkkbn, training, camat_a, kapus, pkk):
    enroll(training, camat_a)
    client.force_login(bkkbn)
    upload = xlsx(
        [
            ["username", "pre_test", "post_test"],
            ["camat.tapinutara", 55, 80],
            ["kapus.tapinutara", "60,5", None],
            ["pkk.tapinutara", None, None],
        ]
    )
    response = client.post(reverse("trainings:import-participants", args=[training.pk]), {"file": upload})
    assert run(response).report["summary"] == "Diimpor: 2 didaftarkan, 1 diperbarui."
    statuses = dict(training.enrollments.values_list("person__username", "status"))
    assert statuses == {
        "camat.tapinutara": "confirmed",
        "kapus.tapinutara": "confirmed",
        "pkk.tapinutara": "waitlisted",
    }
    camat = training.enrollments.get(person=camat_a)
    assert (camat.pre_test_score, camat.post_test_score) == (55, 80)
    kapus_enrollment = training.enrollments.get(person=kapus)
    assert str(kapus_enrollment.pre_test_score) == "60.50" and kapus_enrollment.nominated_by == bkkbn


def test_import_with_bad_rows_writes_nothing_and_reports_each_row(client, bkkbn, training, camat_a, dinkes):
    client.force_login(bkkbn)
    upload = xlsx(
        [
            ["username", "pre_test", "post_test"],
            ["camat.tapinutara", 50, 90],
            ["nobody", 50, 90],
            ["dinkes", 50, 90],
            ["kapus.tapinutara", "abc", 120],
            ["camat.tapinutara", None, None],
        ]
    )
    response = client.post(reverse("trainings:import-participants", args=[training.pk]), {"file": upload})
    assert run(response).state == "failed"
    page = report_page(client, response).content.decode()
    for row in ("3", "4", "5", "6"):
        assert f"Baris {row}:" in page
    assert "Baris 2:" not in page
    assert not training.enrollments.exists()


def test_import_refuses_a_file_that_is_not_xlsx(client, bkkbn, training):
    client.force_login(bkkbn)
    upload = SimpleUploadedFile("peserta.xlsx", b"username\ncamat.tapinutara\n")
    response = client.post(reverse("trainings:import-participants", args=[training.pk]), {"file": upload})
    assert response.status_code == 200 and "xlsx" in response.content.decode()
    assert not training.enrollments.exists()


def test_only_the_organiser_imports(client, dppkb, outsider, training):
    url = reverse("trainings:import-participants", args=[training.pk])
    client.force_login(dppkb)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_organiser_enters_scores(client, bkkbn, training, camat_a):
    enrollment = enroll(training, camat_a)
    client.force_login(bkkbn)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": enrollment.pk,
        "form-0-pre_test_score": "40",
        "form-0-post_test_score": "150",
    }
    url = reverse("trainings:scores", args=[training.pk])
    assert client.post(url, data).status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.post_test_score is None
    data["form-0-post_test_score"] = "75"
    client.post(url, data)
    enrollment.refresh_from_db()
    assert (enrollment.pre_test_score, enrollment.post_test_score) == (40, 75)


def test_import_of_a_corrupt_workbook_is_reported_not_crashed(client, bkkbn, training):
    client.force_login(bkkbn)
    upload = SimpleUploadedFile("peserta.xlsx", b"PK\x03\x04 this is not really a workbook")
    response = client.post(reverse("trainings:import-participants", args=[training.pk]), {"file": upload})
    assert "tidak dapat dibaca sebagai XLSX" in report_page(client, response).content.decode()
    assert not training.enrollments.exists()


def test_import_refuses_a_file_over_the_upload_limit(client, bkkbn, training, settings):
    settings.MAX_UPLOAD_SIZE = 10
    client.force_login(bkkbn)
    upload = xlsx([["username"], ["camat.tapinutara"]])
    response = client.post(reverse("trainings:import-participants", args=[training.pk]), {"file": upload})
    assert response.status_code == 200 and "terlalu besar" in response.content.decode()
    assert not training.enrollments.exists()


@pytest.mark.parametrize("score", ["NaN", "nan", "sNaN", "Infinity", "-inf", "1e999", "12abc"])
def test_import_refuses_a_score_that_is_not_a_finite_number_and_writes_nothing(
    client, bkkbn, training, camat_a, score
):
    enroll(training, camat_a)
    before = list(Enrollment.objects.values_list("pk", "pre_test_score", "post_test_score", "status"))
    client.force_login(bkkbn)

    response = client.post(
        reverse("trainings:import-participants", args=[training.pk]),
        {"file": xlsx([("username", "pre_test", "post_test"), ("camat.tapinutara", score, 80)])},
    )

    assert "Baris 2: pre_test" in report_page(client, response).content.decode()
    assert list(Enrollment.objects.values_list("pk", "pre_test_score", "post_test_score", "status")) == before


def test_import_rounds_a_score_to_two_decimals(client, bkkbn, training, camat_a):
    enroll(training, camat_a)
    client.force_login(bkkbn)

    run(
        client.post(
            reverse("trainings:import-participants", args=[training.pk]),
            {"file": xlsx([("username", "pre_test", "post_test"), ("camat.tapinutara", 66.66666, "99,995")])},
        )
    )

    enrollment = Enrollment.objects.get(person=camat_a)
    assert str(enrollment.pre_test_score) == "66.67"
    assert str(enrollment.post_test_score) == "100.00"


def test_participant_and_attendance_exports_keep_no_formula(client, bkkbn, training, camat_a):
    camat_a.full_name = '=HYPERLINK("http://evil.example","klik")'
    camat_a.save()
    enroll(training, camat_a)
    client.force_login(bkkbn)

    response = client.post(reverse("trainings:export-participants", args=[training.pk]))

    rows = list(load_workbook(io.BytesIO(download(client, response))).active.iter_rows(values_only=True))
    assert rows[1][0] == "'" + camat_a.full_name


def test_the_session_daftar_hadir_prints_long_positions_whole(client, bkkbn, demo, camat_a):
    from pypdf import PdfReader

    from .factories import SessionFactory

    camat_a.jabatan = "Camat Tapin Utara merangkap Ketua Tim Percepatan Penurunan Stunting Kecamatan AKHIR"
    camat_a.save()
    session = SessionFactory(mode="luring")
    enroll(session.training, camat_a)
    client.force_login(bkkbn)

    response = client.post(reverse("trainings:attendance-sheet", args=[session.training_id, session.pk]))

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(download(client, response))).pages)
    assert "AKHIR" in text.replace("\n", " ")
    assert "Halaman 1 dari 1" in text
