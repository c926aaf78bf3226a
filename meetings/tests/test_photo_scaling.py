"""A large phone photo is scaled down on every upload path (portal/uploads.py): meeting
documents, evidence from the commitment page, from the one-tap link, and through the service."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from meetings.commitments import services
from meetings.links import progress_url
from meetings.models import Evidence, MeetingDocument
from portal.uploads import PHOTO_MAX_SIDE

from .factories import CommitmentFactory

pytestmark = pytest.mark.django_db

SIZE = (4000, 3000)  # a 12-megapixel phone camera


def camera_jpeg(name: str = "IMG_20261127_0930.jpg") -> SimpleUploadedFile:
    """A real 4000x3000 JPEG (a gradient with detail, so it is not trivially small)."""
    image = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    image.paste((30, 120, 200), (1000, 800, 2600, 2000))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def assert_scaled(stored, original_size: int) -> None:
    with stored.open("rb") as handle:
        body = handle.read()
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == PHOTO_MAX_SIDE and image.size == (1600, 1200)
    assert len(body) < original_size


@pytest.fixture
def commitment(demo, dinkes):
    return CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes, meeting__region_id="63.05.04")


def test_a_photo_of_the_signed_attendance_sheet_is_scaled_down(client, notulis, tapin_utara_rakor):
    photo = camera_jpeg("daftar-hadir.jpg")
    client.force_login(notulis)

    client.post(
        reverse("meetings:document-upload", args=[tapin_utara_rakor.pk]),
        {"kind": "daftar_hadir", "file": photo},
    )

    document = MeetingDocument.objects.get()
    assert_scaled(document.file, photo.size)
    assert (document.content_type, document.original_name) == ("image/jpeg", "daftar-hadir.jpg")
    assert document.size == document.file.size < photo.size


def test_an_evidence_photo_from_the_commitment_page_is_scaled_down(client, dinkes, commitment):
    photo = camera_jpeg()
    client.force_login(dinkes)

    client.post(
        reverse("meetings:commitment-progress", args=[commitment.pk]),
        {"note": "Foto kegiatan", "files": [photo], "progress": ""},
    )

    evidence = Evidence.objects.get()
    assert_scaled(evidence.file, photo.size)
    assert evidence.size == evidence.file.size and evidence.original_name == photo.name


def test_an_evidence_photo_from_the_one_tap_link_is_scaled_down(client, dinkes, commitment):
    photo = camera_jpeg()

    client.post(progress_url(commitment, dinkes), {"note": "Foto kegiatan", "files": [photo], "progress": ""})

    assert_scaled(Evidence.objects.get().file, photo.size)


def test_an_evidence_photo_given_to_the_service_is_scaled_down(dinkes, commitment):
    photo = camera_jpeg()

    services.post_update(commitment=commitment, acting_user=dinkes, note="Foto", files=[photo])

    assert_scaled(Evidence.objects.get().file, photo.size)


def test_every_upload_input_asks_the_browser_to_scale_photos(client, notulis, dinkes, commitment):
    client.force_login(notulis)
    meeting_page = client.get(commitment.meeting.get_absolute_url()).content.decode()
    client.force_login(dinkes)
    commitment_page = client.get(commitment.get_absolute_url()).content.decode()
    for page in (meeting_page, commitment_page):
        assert 'type="file"' in page
        assert f'data-max-side="{PHOTO_MAX_SIDE}"' in page and "data-max-bytes=" in page
        assert "portal/photos" in page
