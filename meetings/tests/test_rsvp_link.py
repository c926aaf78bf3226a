from datetime import timedelta

import pytest
from django.urls import reverse

from meetings.links import RSVP_ACTION, rsvp_token
from meetings.models import Invitation
from portal.tokens import OneTapTokenGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(demo, kabupaten_rakor):
    return Invitation.objects.create(meeting=kabupaten_rakor, organisation=demo.orgs["dinkes"])


def link(invitation, token):
    return reverse("meetings:rsvp-link", args=[invitation.meeting_id, token])


def test_signed_link_records_the_answer_without_login(client, invitation, dinkes):
    url = link(invitation, rsvp_token(invitation, dinkes))

    assert client.get(url).status_code == 200
    response = client.post(url, {"response": "hadir"})

    assert response.status_code == 200
    invitation.refresh_from_db()
    assert (invitation.response, invitation.responded_by) == ("hadir", dinkes)


def test_signed_link_asks_for_the_delegate(client, invitation, dinkes):
    url = link(invitation, rsvp_token(invitation, dinkes))

    response = client.post(url, {"response": "diwakilkan"})

    assert "delegate_name" in response.context["form"].errors
    invitation.refresh_from_db()
    assert invitation.response == "pending"


def test_expired_link_is_refused(client, invitation, dinkes):
    class LastMonth(OneTapTokenGenerator):
        def _now(self):
            return super()._now() - timedelta(days=40)

    token = rsvp_token(invitation, dinkes, generator=LastMonth())

    response = client.post(link(invitation, token), {"response": "hadir"})

    assert response.status_code == 400
    assert "kedaluwarsa" in response.content.decode() or "expired" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.response == "pending"


def test_tampered_link_is_refused(client, invitation, dinkes, dppkb):
    token = rsvp_token(invitation, dinkes)
    _person, obj, stamp, digest = token.split("-")

    class OtherKey(OneTapTokenGenerator):
        secret = "another-key"
        secret_fallbacks = []

    forged = OtherKey().make_token(user=dppkb, action=RSVP_ACTION, obj=invitation)
    someone_else = "-".join([forged.split("-")[0], obj, stamp, digest])

    for bad in (token[:-2] + "zz", forged, someone_else, token + "x"):
        response = client.post(link(invitation, bad), {"response": "hadir"})
        assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.response == "pending"


def test_link_for_another_meeting_is_refused(client, invitation, dinkes, tapin_utara_rakor):
    token = rsvp_token(invitation, dinkes)

    response = client.post(
        reverse("meetings:rsvp-link", args=[tapin_utara_rakor.pk, token]), {"response": "hadir"}
    )

    assert response.status_code == 400


def test_link_used_by_a_different_logged_in_person_is_refused(client, invitation, dinkes, camat_b):
    client.force_login(camat_b)

    response = client.post(link(invitation, rsvp_token(invitation, dinkes)), {"response": "izin"})

    assert response.status_code == 400
    assert "another person" in response.content.decode() or "orang lain" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.response == "pending"


def test_link_for_someone_not_invited_is_refused(client, invitation, camat_b):
    # Correctly signed, but camat.binuang does not speak for Dinas Kesehatan.
    response = client.post(link(invitation, rsvp_token(invitation, camat_b)), {"response": "hadir"})

    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.response == "pending"


def test_answer_link_from_the_email_opens_with_that_answer_chosen(client, invitation, dinkes):
    url = link(invitation, rsvp_token(invitation, dinkes))

    response = client.get(url, {"answer": "izin"})

    assert response.context["form"]["response"].value() == "izin"
    invitation.refresh_from_db()
    assert invitation.response == "pending"  # a GET never answers: mail scanners open links too
