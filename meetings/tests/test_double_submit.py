"""A progress report submitted twice (a double tap, a retry on a slow connection) is
recorded once: the form carries a nonce, the service records one update per nonce."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from meetings.commitments import services
from meetings.links import progress_url
from meetings.models import Evidence

from .factories import CommitmentFactory, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def commitment(demo, dinkes):
    return CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes)


def nonce(response) -> str:
    return response.context["progress_form" if "progress_form" in response.context else "form"][
        "submission"
    ].value()


def test_posting_the_same_progress_form_twice_records_one_update(client, dinkes, commitment):
    client.force_login(dinkes)
    key = nonce(client.get(commitment.get_absolute_url()))
    url = reverse("meetings:commitment-progress", args=[commitment.pk])

    for _ in range(2):
        data = {"note": "Sosialisasi", "percent": "40", "progress": "", "submission": key}
        response = client.post(url, {**data, "files": [pdf_upload()]})
        assert response.status_code == 302

    assert commitment.updates.filter(note="Sosialisasi").count() == 1
    assert Evidence.objects.filter(update__commitment=commitment).count() == 1


def test_a_new_form_records_a_new_update(client, dinkes, commitment):
    client.force_login(dinkes)
    url = reverse("meetings:commitment-progress", args=[commitment.pk])

    for _ in range(2):
        key = nonce(client.get(commitment.get_absolute_url()))
        client.post(url, {"note": "Lanjut", "percent": "50", "progress": "", "submission": key})

    assert commitment.updates.filter(note="Lanjut").count() == 2


def test_marking_done_twice_from_the_one_tap_link_records_it_once(client, dinkes, commitment):
    url = progress_url(commitment, dinkes)
    key = nonce(client.get(url))

    for _ in range(2):
        response = client.post(
            url, {"note": "Selesai", "done": "", "submission": key, "files": [pdf_upload()]}
        )
        assert response.status_code == 302

    commitment.refresh_from_db()
    assert commitment.status == "done"
    assert commitment.updates.filter(note="Selesai").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submits_at_the_same_instant_record_one_update(demo, dinkes):
    commitment = CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def submit():
        try:
            barrier.wait()
            services.post_update(
                commitment=commitment, acting_user=dinkes, note="Sekali", percent=10, submission_key="k1"
            )
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert commitment.updates.filter(note="Sekali").count() == 1
