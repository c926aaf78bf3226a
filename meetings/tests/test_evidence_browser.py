"""On a phone, a camera photo is scaled down before it is sent; the page states the limit."""

from __future__ import annotations

import io
import os

import pytest

from meetings.models import Commitment, Evidence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def noise_png(side: int) -> bytes:
    """A photo-like picture that does not compress: several MB as PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(
        buffer, format="PNG", compress_level=1
    )
    return buffer.getvalue()


def test_a_big_photo_is_made_smaller_on_the_phone_before_it_is_sent(
    page, demo, browser_login, a11y, settings
):
    from .factories import CommitmentFactory

    settings.MAX_UPLOAD_SIZE = 1024 * 1024
    photo = noise_png(1500)
    assert len(photo) > 3 * settings.MAX_UPLOAD_SIZE
    commitment = CommitmentFactory(
        owner=demo.orgs["dinkes"], pic=demo.users["dinkes"], description="PMT balita"
    )

    browser_login(page, "dinkes")
    page.goto(commitment.get_absolute_url())
    limits = page.locator("#progress").inner_text().replace("\xa0", " ")
    assert "1,0 MB" in limits and "diperkecil" in limits  # the page says the limit
    page.fill("textarea[name=note]", "Foto kegiatan posyandu")
    page.set_input_files(
        "input[name=files]", files=[{"name": "kamera.png", "mimeType": "image/png", "buffer": photo}]
    )
    page.wait_for_selector("input[name=files][data-ready=true]", state="attached")
    assert "lebih kecil" in page.locator(".evidence-note").inner_text()
    a11y(page)
    page.click("button[name=progress]")
    page.wait_for_load_state()

    evidence = Evidence.objects.get(update__commitment=commitment)
    assert evidence.content_type == "image/jpeg" and evidence.size <= settings.MAX_UPLOAD_SIZE
    assert evidence.original_name == "kamera.jpg"
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.IN_PROGRESS


def test_a_pdf_over_the_limit_is_refused_before_sending(page, demo, browser_login, settings):
    from .factories import CommitmentFactory

    settings.MAX_UPLOAD_SIZE = 1024 * 1024
    commitment = CommitmentFactory(
        owner=demo.orgs["dinkes"], pic=demo.users["dinkes"], description="Sanitasi"
    )
    browser_login(page, "dinkes")
    page.goto(commitment.get_absolute_url())
    big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    page.set_input_files(
        "input[name=files]", files=[{"name": "laporan.pdf", "mimeType": "application/pdf", "buffer": big}]
    )
    page.wait_for_selector("input[name=files][data-ready=true]", state="attached")
    assert "laporan.pdf" in page.locator(".evidence-note").inner_text()
    assert page.evaluate("document.querySelector('input[name=files]').files.length") == 0
