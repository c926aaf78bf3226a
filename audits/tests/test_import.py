"""Case import from XLSX: every row validated through the cases service; any bad row and
nothing is written, each row's errors listed."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from audits import crypto
from audits.models import AuditCase, NikAccessLog, RoundDesa
from portal.jobs import Job
from portal.tests.job_helpers import report_page, run

from .monitoring_data import bare_round, factor

pytestmark = pytest.mark.django_db

HEADERS = [
    "nomor_kasus",
    "kode_desa",
    "puskesmas",
    "kelompok_sasaran",
    "tanggal_kunjungan",
    "nik",
    "nama",
    "umur",
    "pendidikan",
    "penyebab",
    "usia_bulan",
    "jenis_kelamin",
    "asi_eksklusif",
    "infeksi_berulang",
    "penyakit_penyerta",
    "berat_lahir_g",
    "lila_cm",
    "hb_g_dl",
    "merokok",
]
BADUTA = [
    7,
    "63.05.04.2005",
    "Puskesmas Tapin Utara",
    "baduta",
    "2024-03-04",
    "6305041203230002",
    "Zaki bin Arsyad",
    1,
    "belum",
    "Asupan gizi tidak adekuat",
    14,
    "L",
    "tidak",
    "ya",
    "tidak",
    2300,
    None,
    None,
    None,
]
CATIN = [
    8,
    "63.05.01.2003",
    "Puskesmas Binuang",
    "Calon pengantin (catin)",
    "",
    "6305015508040003",
    "Nurul Aini",
    20,
    "sma",
    "",
    None,
    None,
    None,
    None,
    None,
    None,
    22.1,
    10.4,
    "tidak",
]


def xlsx(*rows, headers=HEADERS) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("kasus.xlsx", buffer.getvalue())


@pytest.fixture
def audit_round(demo):
    factor("langsung")  # the cause the sheets name, even if a browser test's flush emptied the catalogue
    return bare_round()


def post(client, audit_round, upload):
    return client.post(reverse("audits:round-cases-import", args=[audit_round.pk]), {"file": upload})


def state(audit_round) -> tuple:
    return (
        list(AuditCase.objects.values_list("pk", flat=True)),
        list(RoundDesa.objects.filter(round=audit_round).order_by("pk").values_list("status", flat=True)),
    )


def test_a_valid_sheet_creates_every_case_through_the_service(client, dppkb, audit_round):
    client.force_login(dppkb)
    response = post(client, audit_round, xlsx(BADUTA, CATIN))
    assert not AuditCase.objects.filter(round=audit_round).exists()  # the worker imports
    page = report_page(client, response)
    assert page.context["job"].state == Job.State.DONE
    assert page.context["job"].report["summary"] in ("2 cases imported.", "2 kasus diimpor.")
    baduta = AuditCase.objects.get(round=audit_round, number=7)
    assert (baduta.desa_id, baduta.target_group, baduta.form_version) == ("63.05.04.2005", "baduta", "2024.1")
    assert baduta.kka["berat_lahir_g"] == 2300 and baduta.kka["asi_eksklusif"] is False
    assert baduta.nik == "6305041203230002" and baduta.name == "Zaki bin Arsyad"
    assert baduta.nik_encrypted != "6305041203230002" and baduta.nik_hash == crypto.nik_hash(
        "6305041203230002"
    )
    assert [f.name for f in baduta.risk_factors.all()] == ["Asupan gizi tidak adekuat"]
    assert baduta.filled_by == dppkb
    catin = AuditCase.objects.get(round=audit_round, number=8)
    assert (catin.target_group, catin.education, catin.age, catin.visit_date) == ("catin", "sma", 20, None)
    statuses = dict(RoundDesa.objects.filter(round=audit_round).values_list("desa_id", "status"))
    assert statuses["63.05.04.2005"] == "dikunjungi" and statuses["63.05.01.2003"] == "kasus_dipilih"
    assert NikAccessLog.objects.count() == 0


def test_one_bad_row_writes_nothing_and_every_error_is_listed(client, dppkb, audit_round):
    client.force_login(dppkb)
    before = state(audit_round)
    wrong_nik = [9, *BADUTA[1:5], "6371041203230002", *BADUTA[6:]]  # issued in Banjarmasin
    thin_arm = [10, *CATIN[1:16], 99, *CATIN[17:]]  # LiLA 99 cm
    elsewhere = [11, "63.01.01.2001", *CATIN[2:]]  # a Tanah Laut desa
    twice = [7, *CATIN[1:]]
    page = report_page(client, post(client, audit_round, xlsx(BADUTA, wrong_nik, thin_arm, elsewhere, twice)))
    assert page.context["job"].state == Job.State.FAILED
    assert state(audit_round) == before
    errors = page.context["job"].report["errors"]
    for error in errors:
        assert escape(error) in page.content.decode()
    assert [e.split(":")[0] for e in errors] == ["Row 3", "Row 4", "Row 5", "Row 6"] or [
        e.split(":")[0] for e in errors
    ] == ["Baris 3", "Baris 4", "Baris 5", "Baris 6"]
    assert "6305" in errors[0]  # the NIK must start with the kabupaten's code
    assert "lila_cm" in errors[1]
    assert "63.01.01.2001" in errors[2]
    assert "7" in errors[3]


def test_the_header_must_name_the_required_columns(client, dppkb, audit_round):
    client.force_login(dppkb)
    job = run(post(client, audit_round, xlsx(["1", "x"], headers=["nomor_kasus", "rahasia"])))
    assert job.state == Job.State.FAILED
    assert any("nik" in e for e in job.report["errors"])
    assert any("rahasia" in e for e in job.report["errors"])
    assert AuditCase.objects.count() == 0


def test_a_file_that_is_not_a_workbook_is_refused(client, dppkb, audit_round):
    client.force_login(dppkb)
    response = post(client, audit_round, SimpleUploadedFile("kasus.xlsx", b"nomor_kasus,nik\n1,2\n"))
    assert response.status_code == 200 and response.context["form"].errors
    assert AuditCase.objects.count() == 0 and not Job.objects.exists()


def test_only_those_who_fill_cases_may_import(client, camat_a, notulis, outsider, audit_round):
    for person, status in ((camat_a, 403), (notulis, 403), (outsider, 404)):
        client.force_login(person)
        assert post(client, audit_round, xlsx(BADUTA)).status_code == status
        assert client.get(reverse("audits:round-cases-import", args=[audit_round.pk])).status_code == status
    assert AuditCase.objects.count() == 0 and not Job.objects.exists()


def test_the_import_job_checks_the_owners_right_again(client, dppkb, audit_round):
    client.force_login(dppkb)
    response = post(client, audit_round, xlsx(BADUTA))
    dppkb.roles.all().delete()
    audit_round.team.filter(user=dppkb).delete()
    job = run(response)
    assert job.state == Job.State.FAILED and AuditCase.objects.count() == 0


def test_the_empty_sheet_names_every_column(client, dppkb, audit_round):
    client.force_login(dppkb)
    response = client.get(reverse("audits:round-cases-import-template", args=[audit_round.pk]))
    headers = next(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {"nomor_kasus", "kode_desa", "nik", "nama", "lila_cm", "zscore_tb_u", "penyebab"} <= set(headers)
