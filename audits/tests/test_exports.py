"""XLSX exports of a round: cases (pseudonymous unless asked), per-desa aggregates, formula escaping."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from audits.models import NikAccessLog
from portal.jobs import Job
from portal.tests.job_helpers import download, run

from .monitoring_data import NAME, NIK, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(demo):
    return build(demo)


def export(client, name: str, audit_round, **data) -> bytes:
    """Start the export (a POST) and read the job's file as the client."""
    return download(client, client.post(reverse(f"audits:{name}", args=[audit_round.pk]), data))


def sheet(content: bytes) -> list[dict]:
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_cases_export_is_pseudonymous_by_default(client, dppkb, data):
    client.force_login(dppkb)
    content = export(client, "round-cases-export", data.round)
    rows = sheet(content)
    assert [row["nomor_kasus"] for row in rows] == [1, 2, 3, 4]
    first = rows[0]
    assert (first["kode_desa"], first["desa"], first["kecamatan"], first["kelompok_sasaran"]) == (
        "63.05.04.2005",
        "Keramat",
        "Tapin Utara",
        "baduta",
    )
    assert first["penyebab"] and rows[3]["penyebab"] in (None, "")
    assert rows[1]["risiko_sebelum"] == "tinggi" and rows[1]["risiko_sesudah"] == "sedang"
    assert "nik" not in first and "nama" not in first and "umur" not in first
    text = content.decode("latin-1")
    assert NIK not in text and "Siti" not in text
    assert NikAccessLog.objects.count() == 0


def test_the_identity_export_is_logged_per_case(client, dppkb, data):
    client.force_login(dppkb)
    response = client.post(reverse("audits:round-cases-export", args=[data.round.pk]), {"identitas": "1"})
    assert NikAccessLog.objects.count() == 0  # logged when the file is made, by the job
    rows = sheet(download(client, response))
    assert rows[0]["nik"] == NIK and rows[0]["nama"] == f"{NAME} 1"
    assert NikAccessLog.objects.filter(user=dppkb, purpose="XLSX export").count() == 4
    assert set(NikAccessLog.objects.values_list("case__number", flat=True)) == {1, 2, 3, 4}


def test_a_get_no_longer_makes_a_file(client, dppkb, data):
    client.force_login(dppkb)
    for name in ("round-cases-export", "round-desa-export", "round-report"):
        assert client.get(reverse(f"audits:{name}", args=[data.round.pk]) + "?identitas=1").status_code == 405
    assert not Job.objects.exists() and NikAccessLog.objects.count() == 0


def test_the_identity_export_job_checks_the_owners_right_again(client, dppkb, data):
    """A right lost between the request and the worker: the job fails, no file, nothing logged."""
    client.force_login(dppkb)
    response = client.post(reverse("audits:round-cases-export", args=[data.round.pk]), {"identitas": "1"})
    dppkb.roles.all().delete()
    data.round.team.filter(user=dppkb).delete()
    job = run(response)
    assert job.state == Job.State.FAILED and not job.file
    assert NikAccessLog.objects.count() == 0


def test_people_outside_the_team_get_no_case_export(client, camat_a, bkkbn, outsider, data):
    path = reverse("audits:round-cases-export", args=[data.round.pk])
    for person, status in ((camat_a, 403), (bkkbn, 403), (outsider, 404)):
        client.force_login(person)
        assert client.post(path).status_code == status
        assert client.post(path, {"identitas": "1"}).status_code == status
    assert NikAccessLog.objects.count() == 0 and not Job.objects.exists()


def test_the_per_desa_export_has_a_row_per_desa_with_its_counts(client, dppkb, data):
    client.force_login(dppkb)
    rows = sheet(export(client, "round-desa-export", data.round))
    assert len(rows) == data.round.coverage.count()
    by_code = {row["Kode Wilayah"]: row for row in rows}
    antasari = by_code["63.05.04.2006"]
    assert antasari["Desa/Kelurahan"] == "Antasari" and antasari["Kecamatan"] == "Tapin Utara"
    assert antasari["Kabupaten/Kota"] == "Kab. Tapin" and antasari["Provinsi"] == "Kalimantan Selatan"
    assert (antasari["Tahun"], antasari["Semester"], antasari["Status Cakupan AKS"]) == (2024, "I", "Dikaji")
    assert (antasari["Jumlah Kasus Diaudit"], antasari["Baduta"], antasari["Ibu Hamil"]) == (
        2,
        1,
        1,
    )
    assert (antasari["Kasus dengan Penyebab Langsung"], antasari["Kasus dengan Penyebab Tidak Langsung"]) == (
        1,
        2,
    )
    assert (antasari["Kasus Dikaji Tim Pakar"], antasari["Kasus Risiko Tinggi (sebelum)"]) == (2, 1)
    assert (antasari["Kasus Dievaluasi"], antasari["Kasus Risiko Menurun"]) == (1, 1)
    assert (antasari["Jumlah Rekomendasi"], antasari["Rekomendasi Selesai"]) == (1, 0)
    keramat = by_code["63.05.04.2005"]
    assert (keramat["Jumlah Rekomendasi"], keramat["Rekomendasi Selesai"]) == (1, 1)
    assert by_code["63.05.02.2001"]["Jumlah Kasus Diaudit"] == 0
    assert by_code["63.05.02.2001"]["Status Cakupan AKS"] == "Belum"


def test_the_per_desa_export_headers_stay_indonesian_in_english(client, dppkb, data):
    dppkb.language = "en"
    dppkb.save()
    client.force_login(dppkb)
    rows = sheet(export(client, "round-desa-export", data.round))
    assert "Kode Wilayah" in rows[0] and "Jumlah Kasus Diaudit" in rows[0]


def test_the_per_desa_export_is_refused_to_a_camat(client, camat_a, outsider, data):
    path = reverse("audits:round-desa-export", args=[data.round.pk])
    client.force_login(camat_a)
    assert client.post(path).status_code == 403
    client.force_login(outsider)
    assert client.post(path).status_code == 404
    assert not Job.objects.exists()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_exported_cells_that_look_like_formulas_stay_text(client, dppkb, data, start):
    from audits.models import RiskFactor

    data.cases[0].risk_factors.add(
        RiskFactor.objects.create(name=f'{start}HYPERLINK("http://x.example","klik")', kind="langsung")
    )
    client.force_login(dppkb)
    rows = sheet(export(client, "round-cases-export", data.round))
    assert rows[0]["penyebab"].startswith("'")  # the spreadsheet's "this is text" mark


def test_the_per_desa_export_follows_the_national_template_column_for_column(client, dppkb, data):
    """The header row is exactly the national per-desa shape (national_templates.DESA_SHEET), in
    order, whatever the interface language; each kelompok sasaran of the portal has its column."""
    from audits.kka import TargetGroup

    from .national_templates import DESA_SHEET, SASARAN_COLUMNS

    for language in ("id", "en"):
        dppkb.language = language
        dppkb.save()
        client.force_login(dppkb)
        content = export(client, "round-desa-export", data.round)
        header = next(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        assert list(header) == DESA_SHEET, language
    assert set(SASARAN_COLUMNS) == set(TargetGroup.values)
    sasaran = [DESA_SHEET.index(SASARAN_COLUMNS[group]) for group in TargetGroup.values]
    assert sasaran == sorted(sasaran) == list(range(sasaran[0], sasaran[0] + 5))  # the KKA's order
    rows = sheet(content)
    for row in rows:  # the total is the sum of the kelompok sasaran columns
        assert row["Jumlah Kasus Diaudit"] == sum(row[c] for c in SASARAN_COLUMNS.values())
