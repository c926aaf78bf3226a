"""The trainings' admin history: scoped like the changelist and read-only for staff (the core's
rules: portal/scoped_admin.py, portal/tests/test_admin_history.py)."""

import pytest
from django.urls import reverse

from portal.tests.adminforms import form_data, history_form_url

from .factories import SessionFactory, TrainingFactory, enroll, person

pytestmark = pytest.mark.django_db


def test_history_form_of_a_training_is_read_only_for_notulis(client, notulis, demo):
    training = TrainingFactory(capacity=10, eligible_roles="notulis,camat")
    client.force_login(notulis)
    url = history_form_url(training)

    page = client.get(url)
    response = client.post(url, {**form_data(page.context["adminform"].form), "capacity": "500"})

    assert page.status_code == 200
    assert 'name="capacity"' not in page.content.decode()
    assert response.status_code == 403
    training.refresh_from_db()
    assert training.capacity == 10


def _tanah_laut_objects(demo):
    training = TrainingFactory(organiser=demo.orgs["tpps_tanahlaut"])
    return {
        "training": training,
        "session": SessionFactory(training=training),
        "enrollment": enroll(TrainingFactory(), person("camat.tala", region="63.01.01")),
    }


@pytest.mark.parametrize("kind", ["training", "session", "enrollment"])
def test_history_of_other_kabupatens_objects_is_not_found(client, dppkb, demo, kind):
    obj = _tanah_laut_objects(demo)[kind]
    opts = obj._meta
    client.force_login(dppkb)

    listing = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
    form = client.get(history_form_url(obj))

    assert (listing.status_code, form.status_code) == (404, 404)
