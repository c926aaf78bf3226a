"""The semester report PDF: pseudonymous, with the round's figures."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audits import report
from portal.jobs import Job
from portal.tests.job_helpers import download, run

from .monitoring_data import NAME, NIK, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(demo):
    return build(demo)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_report_has_the_figures_and_no_name_or_nik(data):
    text = pdf_text(report.render(data.round))
    flat = " ".join(text.split())
    assert "Kab. Tapin" in flat and "2024" in flat
    assert "Tapin Utara 4 2 0 50%" in flat  # coverage row: desa, reached, done, share
    assert "Binuang 4 1 0 25%" in flat
    assert "Baduta (under 2) 2 1 1 1" in flat or "Baduta (di bawah 2 tahun) 2 1 1 1" in flat
    assert "PMT pemulihan 90 hari" in flat and "Bantuan sosial bagi keluarga berisiko" in flat
    assert "Dinas Kesehatan Kabupaten Tapin 2 2 1 1 50%" in flat
    for case in data.cases:
        assert str(case.number) in flat
    assert NAME not in text and "Siti" not in text and "Rahmah" not in text
    assert NIK not in flat and NIK[:4] + "*" not in flat and "0001" not in flat.replace("188.45", "")


def test_the_report_never_reads_identity_fields(data, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report.render(data.round)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "nik_encrypted" not in sql and "name_encrypted" not in sql and "nik_masked" not in sql


def test_dppkb_downloads_the_report_and_a_camat_is_refused(client, dppkb, camat_a, outsider, bkkbn, data):
    path = reverse("audits:round-report", args=[data.round.pk])
    client.force_login(dppkb)
    job = run(client.post(path))
    assert job.state == Job.State.DONE and job.content_type == "application/pdf"
    assert job.filename.startswith("laporan-aks-") and job.filename.endswith(".pdf")
    assert "PMT pemulihan" in pdf_text(download(client, client.post(path)))
    client.force_login(bkkbn)
    assert download(client, client.post(path)).startswith(b"%PDF")
    assert client.get(path).status_code == 405
    client.force_login(camat_a)
    assert client.post(path).status_code == 403
    client.force_login(outsider)
    assert client.post(path).status_code == 404


def test_the_report_is_in_the_readers_language(client, dppkb, data):
    dppkb.language = "en"
    dppkb.save()
    client.force_login(dppkb)
    english = pdf_text(download(client, client.post(reverse("audits:round-report", args=[data.round.pk]))))
    assert "Coverage of desa/kelurahan" in english


def test_the_report_is_in_indonesian_by_default(client, dppkb, data):
    client.force_login(dppkb)
    text = pdf_text(download(client, client.post(reverse("audits:round-report", args=[data.round.pk]))))
    assert "Cakupan desa/kelurahan" in text and "pseudonim" in text and "Halaman 1 dari" in text
