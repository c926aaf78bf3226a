"""One-tap progress links from commitment reminders: no password, one commitment, one person,
expiring; the same form and workflow as the logged-in page, and nobody gets logged in."""

from datetime import timedelta

import pytest
from django.urls import reverse

from meetings.links import PROGRESS_ACTION, RSVP_ACTION, progress_token, progress_url
from meetings.models import Commitment, Evidence
from portal.tokens import OneTapTokenGenerator, default_token_generator

from .factories import CommitmentFactory, pdf_upload, png_upload

one_tap_token = default_token_generator.make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinkes_commitment(demo, dinkes):
    return CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes)


def quick_link(commitment, person) -> str:
    return reverse(
        "meetings:commitment-quick-update",
        args=[commitment.pk, one_tap_token(user=person, action=PROGRESS_ACTION, obj=commitment)],
    )


def assert_nothing_written(commitment) -> None:
    commitment.refresh_from_db()
    assert commitment.updates.count() == 1  # only the "recorded" row of the factory
    assert (commitment.status, commitment.progress) == (Commitment.Status.OPEN, 0)
    assert not Evidence.objects.filter(update__commitment=commitment).exists()


def test_the_link_records_progress_with_evidence_without_a_login(client, dinkes, dinkes_commitment):
    url = quick_link(dinkes_commitment, dinkes)

    page = client.get(url)
    assert page.status_code == 200
    assert dinkes_commitment.description in page.content.decode()
    response = client.post(
        url, {"note": "Sosialisasi di 4 sekolah", "percent": "40", "files": [png_upload()], "progress": ""}
    )

    assert response.status_code == 302 and response.url == url
    dinkes_commitment.refresh_from_db()
    assert (dinkes_commitment.status, dinkes_commitment.progress) == ("in_progress", 40)
    update = dinkes_commitment.updates.latest("created_at")
    assert (update.author, update.note, update.percent) == (dinkes, "Sosialisasi di 4 sekolah", 40)
    assert [e.content_type for e in update.evidence.all()] == ["image/png"]
    assert "_auth_user_id" not in client.session  # the link never logs anyone in
    assert client.get(dinkes_commitment.get_absolute_url()).status_code == 302  # the rest stays closed


def test_the_link_marks_done_with_evidence_through_the_same_workflow(client, dinkes, dinkes_commitment):
    url = quick_link(dinkes_commitment, dinkes)

    client.post(url, {"note": "Laporan akhir", "files": [pdf_upload()], "done": ""})

    dinkes_commitment.refresh_from_db()
    assert (dinkes_commitment.status, dinkes_commitment.progress) == ("done", 100)
    assert dinkes_commitment.updates.latest("created_at").author == dinkes
    page = client.get(url).content.decode()
    assert 'name="note"' not in page  # closed: no more form


def test_the_link_checks_files_and_percent_like_the_logged_in_form(client, dinkes, dinkes_commitment):
    url = quick_link(dinkes_commitment, dinkes)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("bukti.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(
        url, {"note": "Catatan penting", "percent": "150", "files": [fake], "progress": ""}
    )

    assert response.status_code == 400
    assert {"percent", "files"} <= set(response.context["form"].errors)
    assert "Catatan penting" in response.content.decode()
    assert_nothing_written(dinkes_commitment)


def test_marking_done_without_evidence_is_refused_with_a_field_error(client, dinkes, dinkes_commitment):
    response = client.post(quick_link(dinkes_commitment, dinkes), {"note": "Selesai", "done": ""})

    assert response.status_code == 400
    assert "files" in response.context["form"].errors
    assert_nothing_written(dinkes_commitment)


def test_the_post_needs_the_csrf_token(dinkes, dinkes_commitment):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)

    response = client.post(quick_link(dinkes_commitment, dinkes), {"note": "x", "progress": ""})

    assert response.status_code == 403
    assert_nothing_written(dinkes_commitment)


def test_an_expired_link_is_refused_and_asks_to_log_in(client, dinkes, dinkes_commitment):
    class FifteenDaysAgo(OneTapTokenGenerator):
        def _now(self):
            return super()._now() - timedelta(days=15)

    token = progress_token(dinkes_commitment, dinkes, generator=FifteenDaysAgo())
    url = reverse("meetings:commitment-quick-update", args=[dinkes_commitment.pk, token])

    response = client.post(url, {"note": "Terlambat", "progress": ""})

    assert response.status_code == 400
    body = response.content.decode()
    assert "kedaluwarsa" in body and reverse("login") in body
    assert_nothing_written(dinkes_commitment)


def test_a_tampered_or_foreign_token_is_refused(client, dinkes, dppkb, dinkes_commitment, kabupaten_rakor):
    token = one_tap_token(user=dinkes, action=PROGRESS_ACTION, obj=dinkes_commitment)

    class OtherKey(OneTapTokenGenerator):
        secret = "another-key"
        secret_fallbacks = []

    forged = OtherKey().make_token(user=dppkb, action=PROGRESS_ACTION, obj=dinkes_commitment)
    other_action = one_tap_token(user=dinkes, action=RSVP_ACTION, obj=dinkes_commitment)
    meeting_token = one_tap_token(user=dinkes, action=PROGRESS_ACTION, obj=kabupaten_rakor)

    for bad in (token[:-3] + "xyz", "x" + token, forged, other_action, meeting_token):
        url = reverse("meetings:commitment-quick-update", args=[dinkes_commitment.pk, bad])
        assert client.get(url).status_code == 400
        response = client.post(url, {"note": "Palsu", "progress": ""})
        assert response.status_code == 400
        assert 'data-testid="quick-error"' in response.content.decode()
    assert_nothing_written(dinkes_commitment)


def test_a_token_for_another_commitment_is_refused(client, demo, dinkes, dinkes_commitment):
    other = CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes)
    token = one_tap_token(user=dinkes, action=PROGRESS_ACTION, obj=other)

    response = client.post(
        reverse("meetings:commitment-quick-update", args=[dinkes_commitment.pk, token]),
        {"note": "Salah komitmen", "progress": ""},
    )

    assert response.status_code == 400
    assert_nothing_written(dinkes_commitment)
    assert_nothing_written(other)


def test_another_logged_in_person_cannot_use_someones_link(client, dinkes, camat_a, dinkes_commitment):
    client.force_login(camat_a)

    response = client.post(quick_link(dinkes_commitment, dinkes), {"note": "Bukan saya", "progress": ""})

    assert response.status_code == 403
    assert_nothing_written(dinkes_commitment)


@pytest.mark.parametrize("persona", ["camat_b", "outsider", "pkk"])
def test_a_link_for_someone_without_the_right_is_refused(client, request, persona, dinkes_commitment):
    person = request.getfixturevalue(persona)

    response = client.post(quick_link(dinkes_commitment, person), {"note": "Tidak berhak", "progress": ""})

    assert response.status_code == 403
    assert_nothing_written(dinkes_commitment)


def test_a_person_who_lost_the_right_since_the_email_is_refused(client, demo, kapus):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"], pic=kapus)
    url = quick_link(commitment, kapus)
    assert client.get(url).status_code == 200

    Commitment.objects.filter(pk=commitment.pk).update(pic=None)  # the PIC was replaced
    response = client.post(url, {"note": "Masih saya", "progress": ""})

    assert response.status_code == 403
    assert "tidak dapat lagi" in response.content.decode() or "no longer" in response.content.decode()
    assert_nothing_written(commitment)


def test_a_deactivated_person_is_refused(client, dinkes, dinkes_commitment):
    url = quick_link(dinkes_commitment, dinkes)
    dinkes.is_active = False
    dinkes.save()

    assert client.post(url, {"note": "x", "progress": ""}).status_code == 400
    assert_nothing_written(dinkes_commitment)


def test_progress_url_is_absolute_and_for_that_person(settings, dinkes, dinkes_commitment):
    from meetings.links import read_progress_token

    url = progress_url(dinkes_commitment, dinkes)

    assert url.startswith(settings.SITE_URL + f"/meetings/commitments/{dinkes_commitment.pk}/quick/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert read_progress_token(token, dinkes_commitment.pk) == (dinkes_commitment, dinkes)
