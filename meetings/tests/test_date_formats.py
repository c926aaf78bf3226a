"""Commitment pages write the time of an update in the portal's format (15 Juli 2024, 09.00),
never "15 Jul 2024 09:00"."""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.formats import date_format

from meetings.commitments import services

from .factories import CommitmentFactory

COLON_TIME = re.compile(r"\b\d{2}:\d{2}\b")


def test_an_update_on_the_commitment_page_is_dated_in_the_portal_format(client, demo, dinkes):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes)
    update = services.post_update(commitment=commitment, acting_user=dinkes, note="Posyandu dikunjungi")
    client.force_login(dinkes)

    page = client.get(commitment.get_absolute_url()).content.decode()

    with timezone.override("Asia/Makassar"):
        expected = date_format(timezone.localtime(update.created_at), "DATETIME_FORMAT")
    assert f"{expected} WITA" in page
    assert not COLON_TIME.search(page.split("<main", 1)[1].split("</main>", 1)[0])
