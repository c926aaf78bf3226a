"""A non-numeric or unknown value in an app's admin filter is Django admin's "invalid filter"
page, never a 500 (the core's own filters: portal/tests/test_no_server_errors.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("admin:trainings_enrollment_changelist", {"training": "abc"}),
        ("admin:trainings_enrollment_changelist", {"training": "1.5"}),
        ("admin:trainings_enrollment_changelist", {"kabupaten": "63.99"}),
        ("admin:meetings_commitment_changelist", {"owner__id__exact": "abc"}),
        ("admin:meetings_commitment_changelist", {"due": "abc"}),
    ],
)
@pytest.mark.parametrize("persona", ["dppkb", "superuser"])
def test_a_non_numeric_admin_filter_value_is_not_a_server_error(client, demo, changelist, query, persona):
    from portal.models import User
    from trainings.tests.factories import TrainingFactory

    TrainingFactory()  # a filter with no choices is not applied at all: give it one
    user = (
        demo.users["dppkb"] if persona == "dppkb" else User.objects.create_superuser("root", "r@x.org", "x")
    )
    client.force_login(user)

    response = client.get(reverse(changelist), query)

    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "e=1" in response.url  # Django admin's "invalid filter" page
