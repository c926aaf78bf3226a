import pytest
from django.urls import reverse

from meetings.models import Commitment, Invitation

pytestmark = pytest.mark.django_db


def test_meeting_page_shows_agenda_invitations_and_the_rtl_of_the_meeting(
    client, camat_a, demo, tapin_utara_rakor
):
    Invitation.objects.create(meeting=tapin_utara_rakor, organisation=demo.orgs["pkm_tapinutara"])
    Commitment.objects.create(
        meeting=tapin_utara_rakor,
        description="Sweeping imunisasi baduta",
        owner=demo.orgs["pkm_tapinutara"],
        due_date="2026-12-01",
    )
    client.force_login(camat_a)

    body = client.get(tapin_utara_rakor.get_absolute_url()).content.decode()

    assert "Review tindak lanjut" in body  # the agenda item
    assert "Puskesmas Tapin Utara" in body
    assert "Sweeping imunisasi baduta" in body
    assert 'data-testid="carry-forward"' in body


def test_invited_focal_point_sees_the_answer_form_and_no_edit_buttons(client, dinkes, demo, kabupaten_rakor):
    Invitation.objects.create(meeting=kabupaten_rakor, organisation=demo.orgs["dinkes"])
    client.force_login(dinkes)

    response = client.get(kabupaten_rakor.get_absolute_url())

    assert response.context["my_invitation"] is not None
    assert reverse("meetings:meeting-update", args=[kabupaten_rakor.pk]) not in response.content.decode()
