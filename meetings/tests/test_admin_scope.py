"""Meeting admin views beyond the changelist: actions, inlines and autocomplete follow the
same object rights as the portal (a meeting one is merely invited to is read-only)."""

import pytest
from django.urls import reverse

from meetings.models import Invitation, Meeting
from portal.tests.adminforms import add_inline_row, changeform_data

from .factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited_meeting(demo):
    """A Tanah Laut meeting the Tapin DPPKB is invited to: visible to its staff, not theirs to change."""
    meeting = MeetingFactory(region_id="63.01", title="Rakor Tanah Laut")
    Invitation.objects.create(meeting=meeting, organisation=demo.orgs["dppkb"])
    return meeting


def test_delete_selected_refuses_a_meeting_one_is_only_invited_to(client, dppkb, invited_meeting):
    client.force_login(dppkb)

    client.post(
        reverse("admin:meetings_meeting_changelist"),
        {"action": "delete_selected", "_selected_action": [invited_meeting.pk], "post": "yes"},
    )

    assert Meeting.objects.filter(pk=invited_meeting.pk).exists()


def test_inlines_of_a_meeting_one_is_only_invited_to_are_read_only(client, notulis, invited_meeting, demo):
    url = reverse("admin:meetings_meeting_change", args=[invited_meeting.pk])
    client.force_login(notulis)

    page = client.get(url)
    data = add_inline_row(
        changeform_data(page), "invitations", organisation=demo.orgs["dinkes"].pk, response="pending"
    )
    response = client.post(url, data)

    assert page.status_code == 200
    assert all(not inline.has_add_permission for inline in page.context["inline_admin_formsets"])
    assert response.status_code == 403
    assert invited_meeting.invitations.count() == 1


def test_person_autocomplete_offers_only_people_of_the_users_regions(client, dppkb, camat_a, demo):
    from trainings.tests.factories import person

    person("camat.tala", region="63.01.01", full_name="Orang Tanah Laut")
    client.force_login(dppkb)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "portal", "model_name": "organisation", "field_name": "head", "term": ""},
    )

    names = {row["text"] for row in response.json()["results"]}
    assert camat_a.full_name in names
    assert "Orang Tanah Laut" not in names
