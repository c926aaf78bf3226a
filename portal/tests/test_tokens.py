"""The one-tap token scheme (portal/tokens.py): key rotation and markers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal import tokens
from portal.models import Organisation, Region

pytestmark = pytest.mark.django_db

ACTION = tokens.register(
    tokens.OneTapAction(
        "test.org", "portal.Organisation", timedelta(days=7), lambda org, t: f"/x/{org.pk}/{t}/"
    )
)


@pytest.fixture
def org():
    region = Region.objects.create(code="63", name="Kalimantan Selatan", level="provinsi")
    return Organisation.objects.create(name="Dinas Sosial", kind="opd", region=region)


def test_a_token_made_with_a_rotated_key_still_works_while_the_old_key_is_a_fallback(settings, person, org):
    ani = person("ani")
    settings.ONE_TAP_SECRET = "old-key"
    token = tokens.default_token_generator.make_token(user=ani, action=ACTION.name, obj=org)

    settings.ONE_TAP_SECRET, settings.ONE_TAP_SECRET_FALLBACKS = "new-key", ["old-key"]
    assert tokens.default_token_generator.check_token(token, action=ACTION.name) == (ani, org)

    settings.ONE_TAP_SECRET_FALLBACKS = []
    with pytest.raises(tokens.InvalidToken):
        tokens.default_token_generator.check_token(token, action=ACTION.name)


def test_a_marker_holds_no_secret_and_becomes_each_persons_own_url(settings, person, org):
    ani, budi = person("ani"), person("budi")
    marker = {"items": [{"link": tokens.one_tap_link(ACTION.name, org)}]}

    for_ani = tokens.resolve_links(marker, ani)["items"][0]["link"]
    for_budi = tokens.resolve_links(marker, budi)["items"][0]["link"]

    assert not tokens.TOKEN_RE.search(str(marker))
    assert for_ani.startswith(f"{settings.SITE_URL}/x/{org.pk}/") and for_ani != for_budi
    token = for_ani.rstrip("/").rsplit("/", 1)[1]
    assert tokens.default_token_generator.check_token(token, action=ACTION.name) == (ani, org)
    assert tokens.redact(for_ani) == f"{settings.SITE_URL}/x/{org.pk}/…/"
