"""portal/uploads.scale_photo: only photos over the limit change; they come out upright."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.uploads import PHOTO_MAX_SIDE, scale_photo


def upload(image: Image.Image, fmt: str, **save) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return SimpleUploadedFile(f"foto.{fmt.lower()}", buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def opened(scaled) -> Image.Image:
    scaled.seek(0)
    return Image.open(io.BytesIO(scaled.read()))


def test_a_photo_taken_sideways_comes_out_upright_and_scaled():
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: rotate 90 degrees to show it
    photo = upload(Image.new("RGB", (4000, 3000), "green"), "JPEG", exif=exif.tobytes())

    scaled, mime = scale_photo(photo, "image/jpeg")

    assert mime == "image/jpeg" and opened(scaled).size == (1200, PHOTO_MAX_SIDE)
    assert scaled.name == "foto.jpeg"


def test_a_transparent_png_scan_becomes_a_white_backed_jpeg():
    scan = Image.new("RGBA", (3000, 2000), (0, 0, 0, 0))
    scaled, mime = scale_photo(upload(scan, "PNG"), "image/png")
    image = opened(scaled)
    assert (mime, image.format, image.size) == ("image/jpeg", "JPEG", (1600, 1067))
    assert image.getpixel((10, 10)) == (255, 255, 255)


def test_a_small_photo_and_a_pdf_are_left_as_they_are():
    small = upload(Image.new("RGB", (1200, 900), "red"), "PNG")
    assert scale_photo(small, "image/png") == (small, "image/png")
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")
    assert scale_photo(pdf, "application/pdf") == (pdf, "application/pdf")
