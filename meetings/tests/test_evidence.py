from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.commitments import services
from meetings.models import Evidence

from .factories import PDF_BYTES, CommitmentFactory, pdf_upload, png_bytes, png_upload

# The assertions read English msgids; Indonesian is checked in test_my_commitments.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def commitment(demo, dinkes):
    return CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes, meeting__region_id="63.05.04")


def post(client, commitment, *files):
    return client.post(
        reverse("meetings:commitment-progress", args=[commitment.pk]),
        {"note": "Bukti kegiatan", "files": list(files), "progress": ""},
    )


def test_a_text_file_named_pdf_is_refused(client, dinkes, commitment):
    client.force_login(dinkes)

    response = post(
        client, commitment, SimpleUploadedFile("laporan.pdf", b"just text, not a pdf", "application/pdf")
    )

    assert response.status_code == 400
    assert "laporan.pdf is not a PDF or an image" in str(response.context["progress_form"].errors["files"])
    assert not Evidence.objects.exists()
    assert commitment.updates.count() == 1


def test_an_html_file_named_jpg_is_refused(client, dinkes, commitment):
    client.force_login(dinkes)

    response = post(
        client, commitment, SimpleUploadedFile("foto.jpg", b"<html><script>x</script></html>", "image/jpeg")
    )

    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_a_broken_image_with_a_png_header_is_refused(client, dinkes, commitment):
    client.force_login(dinkes)
    broken = png_bytes()[:40] + b"\x00" * 200

    response = post(client, commitment, SimpleUploadedFile("foto.png", broken, "image/png"))

    assert response.status_code == 400
    assert "is not a readable image" in str(response.context["progress_form"].errors["files"])
    assert not Evidence.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, settings, dinkes, commitment):
    settings.MAX_UPLOAD_SIZE = 100
    client.force_login(dinkes)

    response = post(client, commitment, pdf_upload())

    assert response.status_code == 400
    assert "too large" in str(response.context["progress_form"].errors["files"])
    assert not Evidence.objects.exists()


def test_one_bad_file_among_good_ones_stores_nothing(client, dinkes, commitment):
    client.force_login(dinkes)

    response = post(client, commitment, png_upload(), SimpleUploadedFile("x.pdf", b"nope", "application/pdf"))

    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_the_stored_name_follows_the_detected_type_in_private_storage(settings, dinkes, commitment):
    upload = SimpleUploadedFile("../../etc/foto.exe", png_bytes(), "application/octet-stream")

    update = services.post_update(commitment=commitment, acting_user=dinkes, note="x", files=[upload])

    evidence = update.evidence.get()
    assert evidence.content_type == "image/png"
    assert evidence.file.name.endswith("foto.png")
    path = Path(evidence.file.storage.path(evidence.file.name))
    assert path.is_file()
    assert path.is_relative_to(settings.PRIVATE_STORAGE_ROOT)
    assert evidence.size == len(png_bytes())


def test_owner_downloads_evidence_as_an_attachment(client, dinkes, commitment):
    update = services.post_update(
        commitment=commitment, acting_user=dinkes, note="x", files=[pdf_upload("Laporan Q3.pdf")]
    )
    evidence = update.evidence.get()
    client.force_login(dinkes)

    response = client.get(reverse("meetings:evidence-download", args=[evidence.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Laporan Q3.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_camat_of_the_kecamatan_downloads_evidence(client, dinkes, camat_a, commitment):
    evidence = services.post_update(
        commitment=commitment, acting_user=dinkes, note="x", files=[png_upload()]
    ).evidence.get()
    client.force_login(camat_a)

    assert client.get(reverse("meetings:evidence-download", args=[evidence.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["camat_b", "outsider"])
def test_other_kecamatan_camat_and_outsider_get_404_on_evidence(client, request, persona, dinkes, commitment):
    evidence = services.post_update(
        commitment=commitment, acting_user=dinkes, note="x", files=[png_upload()]
    ).evidence.get()
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("meetings:evidence-download", args=[evidence.pk])).status_code == 404


def test_evidence_has_no_public_url_under_media(client, dinkes, commitment):
    evidence = services.post_update(
        commitment=commitment, acting_user=dinkes, note="x", files=[png_upload()]
    ).evidence.get()

    assert client.get(f"/media/{evidence.file.name}").status_code == 404
