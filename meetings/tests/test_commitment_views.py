import pytest
from django.urls import reverse

from meetings.commitments import services
from meetings.models import Commitment, CommitmentUpdate

from .factories import CommitmentFactory, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def tapin_utara_commitment(demo):
    """An RTL of a Tapin Utara kecamatan rakor, owned by its puskesmas."""
    return CommitmentFactory(owner=demo.orgs["pkm_tapinutara"], meeting__region_id="63.05.04")


@pytest.fixture
def dinkes_commitment(demo, dinkes):
    return CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes)


def test_camat_sees_a_commitment_of_their_kecamatan_with_its_history(client, camat_a, tapin_utara_commitment):
    client.force_login(camat_a)

    response = client.get(tapin_utara_commitment.get_absolute_url())

    assert response.status_code == 200
    assert response.context["commitment"] == tapin_utara_commitment
    assert list(response.context["updates"]) == list(tapin_utara_commitment.updates.all())


@pytest.mark.parametrize("persona", ["camat_b", "outsider"])
def test_other_kecamatan_camat_and_outsider_get_404_on_the_commitment(
    client, request, persona, tapin_utara_commitment
):
    client.force_login(request.getfixturevalue(persona))
    url = tapin_utara_commitment.get_absolute_url()

    assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("meetings:commitment-progress", args=[tapin_utara_commitment.pk]),
            {"note": "x", "progress": ""},
        ).status_code
        == 404
    )
    assert tapin_utara_commitment.updates.count() == 1


def test_anonymous_is_sent_to_login(client, tapin_utara_commitment):
    response = client.get(tapin_utara_commitment.get_absolute_url())

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_read_only_ketua_pkk_sees_but_gets_403_on_posting_progress(client, pkk, tapin_utara_commitment):
    client.force_login(pkk)

    assert client.get(tapin_utara_commitment.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("meetings:commitment-progress", args=[tapin_utara_commitment.pk]),
        {"note": "x", "progress": ""},
    )

    assert response.status_code == 403
    assert tapin_utara_commitment.updates.count() == 1


def test_opd_focal_point_posts_progress_with_a_photo(client, dinkes, dinkes_commitment):
    client.force_login(dinkes)

    response = client.post(
        reverse("meetings:commitment-progress", args=[dinkes_commitment.pk]),
        {"note": "Sosialisasi di 4 sekolah", "percent": "40", "files": [png_upload()], "progress": ""},
    )

    assert response.status_code == 302
    dinkes_commitment.refresh_from_db()
    assert (dinkes_commitment.status, dinkes_commitment.progress) == ("in_progress", 40)
    update = dinkes_commitment.updates.latest("created_at")
    assert update.note == "Sosialisasi di 4 sekolah"
    assert [e.content_type for e in update.evidence.all()] == ["image/png"]


def test_bad_percent_gets_a_field_error_and_keeps_the_note(client, dinkes, dinkes_commitment):
    client.force_login(dinkes)

    response = client.post(
        reverse("meetings:commitment-progress", args=[dinkes_commitment.pk]),
        {"note": "Catatan penting", "percent": "150", "progress": ""},
    )

    assert response.status_code == 400
    form = response.context["progress_form"]
    assert "percent" in form.errors
    assert "Catatan penting" in response.content.decode()
    assert dinkes_commitment.updates.count() == 1


def test_marking_done_without_evidence_shows_an_error_and_changes_nothing(client, dinkes, dinkes_commitment):
    client.force_login(dinkes)

    response = client.post(
        reverse("meetings:commitment-progress", args=[dinkes_commitment.pk]), {"note": "Selesai", "done": ""}
    )

    assert response.status_code == 400
    assert "files" in response.context["progress_form"].errors
    dinkes_commitment.refresh_from_db()
    assert dinkes_commitment.status == Commitment.Status.OPEN


def test_owner_marks_done_with_evidence_and_notulis_verifies(client, dinkes, notulis, dinkes_commitment):
    client.force_login(dinkes)
    client.post(
        reverse("meetings:commitment-progress", args=[dinkes_commitment.pk]),
        {"note": "Laporan akhir", "files": [pdf_upload()], "done": ""},
    )
    dinkes_commitment.refresh_from_db()
    assert dinkes_commitment.status == Commitment.Status.DONE

    client.force_login(notulis)
    response = client.post(
        reverse("meetings:commitment-verify", args=[dinkes_commitment.pk]), {"note": "Sesuai"}
    )

    assert response.status_code == 302
    dinkes_commitment.refresh_from_db()
    assert dinkes_commitment.status == Commitment.Status.VERIFIED
    statuses = list(dinkes_commitment.updates.exclude(status_to="").values_list("status_to", flat=True))
    assert statuses == ["open", "done", "verified"]


def test_owner_gets_403_on_verify(client, dinkes, dinkes_commitment):
    services.mark_done(commitment=dinkes_commitment, acting_user=dinkes, note="x", files=[pdf_upload()])
    client.force_login(dinkes)

    response = client.post(reverse("meetings:commitment-verify", args=[dinkes_commitment.pk]), {})

    assert response.status_code == 403
    dinkes_commitment.refresh_from_db()
    assert dinkes_commitment.status == Commitment.Status.DONE


def test_dppkb_reopens_with_a_reason_and_an_empty_reason_is_refused(client, dinkes, dppkb, dinkes_commitment):
    services.mark_done(commitment=dinkes_commitment, acting_user=dinkes, note="x", files=[pdf_upload()])
    client.force_login(dppkb)
    url = reverse("meetings:commitment-reopen", args=[dinkes_commitment.pk])

    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400
    assert "reason" in refused.context["reopen_form"].errors

    client.post(url, {"reason": "Foto tidak menunjukkan kegiatan"})
    dinkes_commitment.refresh_from_db()
    assert dinkes_commitment.status == Commitment.Status.IN_PROGRESS
    last = CommitmentUpdate.objects.filter(commitment=dinkes_commitment).latest("created_at")
    assert (last.note, last.author, last.status_from) == ("Foto tidak menunjukkan kegiatan", dppkb, "done")


def test_camat_binuang_gets_404_on_verify_and_reopen_of_tapin_utara(client, camat_b, tapin_utara_commitment):
    client.force_login(camat_b)

    assert (
        client.post(reverse("meetings:commitment-verify", args=[tapin_utara_commitment.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("meetings:commitment-reopen", args=[tapin_utara_commitment.pk]), {"reason": "x"}
        ).status_code
        == 404
    )


def test_progress_on_a_commitment_closed_meanwhile_is_refused_with_a_message(
    client, dinkes, dinkes_commitment
):
    services.mark_done(commitment=dinkes_commitment, acting_user=dinkes, note="x", files=[pdf_upload()])
    client.force_login(dinkes)

    response = client.post(
        reverse("meetings:commitment-progress", args=[dinkes_commitment.pk]), {"note": "Lagi", "progress": ""}
    )

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert dinkes_commitment.updates.count() == 2  # recorded, done; nothing more
