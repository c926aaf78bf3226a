"""The one upload check (portal/uploads.py) for evidence and meeting documents: how many
files and how many bytes one submission may carry, and names that follow the content."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.commitments import services
from meetings.models import Evidence, MeetingDocument
from portal.uploads import safe_name

from .factories import PDF_BYTES, CommitmentFactory, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def commitment(demo, dinkes):
    return CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes, meeting__region_id="63.05.04")


def report(client, commitment, files):
    return client.post(
        reverse("meetings:commitment-progress", args=[commitment.pk]),
        {"note": "Bukti", "files": files, "progress": ""},
    )


def test_more_files_than_allowed_in_one_report_are_refused_and_nothing_is_stored(
    client, settings, dinkes, commitment
):
    settings.MAX_UPLOAD_FILES = 2
    client.force_login(dinkes)

    response = report(client, commitment, [pdf_upload(f"b{i}.pdf") for i in range(3)])

    assert response.status_code == 400
    assert not Evidence.objects.exists() and commitment.updates.count() == 1


def test_files_over_the_total_size_of_one_report_are_refused(client, settings, dinkes, commitment):
    settings.MAX_UPLOAD_TOTAL_SIZE = len(PDF_BYTES) + 10
    client.force_login(dinkes)

    response = report(client, commitment, [pdf_upload("a.pdf"), pdf_upload("b.pdf")])

    assert response.status_code == 400
    assert not Evidence.objects.exists() and commitment.updates.count() == 1


def test_the_service_applies_the_same_limits(settings, dinkes, commitment):
    from django.core.exceptions import ValidationError

    settings.MAX_UPLOAD_FILES = 1
    with pytest.raises(ValidationError):
        services.post_update(
            commitment=commitment, acting_user=dinkes, note="x", files=[pdf_upload(), pdf_upload()]
        )
    assert not Evidence.objects.exists()


def test_a_pdf_uploaded_as_html_is_stored_and_downloaded_as_pdf(client, dinkes, commitment, notulis, demo):
    client.force_login(dinkes)
    report(client, commitment, [SimpleUploadedFile("pwn.html", PDF_BYTES, "text/html")])
    evidence = Evidence.objects.get()

    response = client.get(reverse("meetings:evidence-download", args=[evidence.pk]))

    assert evidence.file.name.endswith("pwn.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="pwn.pdf"' in response["Content-Disposition"]


def test_a_meeting_document_uploaded_as_html_is_kept_and_served_as_pdf(client, notulis, tapin_utara_rakor):
    client.force_login(notulis)
    client.post(
        reverse("meetings:document-upload", args=[tapin_utara_rakor.pk]),
        {"kind": "daftar_hadir", "file": SimpleUploadedFile("pwn.html", PDF_BYTES, "text/html")},
    )
    document = MeetingDocument.objects.get()

    response = client.get(document.get_absolute_url())

    assert document.file.name.endswith("pwn.pdf") and document.original_name == "pwn.html"
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="pwn.pdf"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.html", "passwd.pdf"),
        ("C:\\Users\\ani\\Laporan Akhir.PDF", "Laporan_Akhir.pdf"),
        ("Bukti kegiatan Ṣ é.pdf", "Bukti_kegiatan_S_e.pdf"),
        ("....", "file.pdf"),
        ("", "file.pdf"),
        ("a" * 300 + ".pdf", "a" * 80 + ".pdf"),
    ],
)
def test_names_are_normalised_and_end_with_the_detected_type(name, expected):
    assert safe_name(name, "application/pdf") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Laporan Q3.html", "Laporan Q3.pdf"),
        ('a"b\r\nc/d.pdf', "d.pdf"),
        ("Ṣaleh.exe", "Ṣaleh.pdf"),
        ("", "file.pdf"),
    ],
)
def test_download_names_keep_the_uploaders_words_with_the_detected_extension(name, expected):
    from portal.uploads import download_name

    assert download_name(name, "application/pdf") == expected
