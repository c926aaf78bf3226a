"""One meeting service for the portal form and Django admin: Meeting.TRANSITIONS holds in both."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services
from meetings.models import Meeting
from portal.tests.adminforms import changeform_data

from .factories import MeetingFactory
from .test_admin import admin_data

pytestmark = pytest.mark.django_db


def test_admin_does_not_offer_minutes_approved_on_a_new_meeting(client, notulis):
    client.force_login(notulis)

    page = client.get(reverse("admin:meetings_meeting_add"))
    response = client.post(reverse("admin:meetings_meeting_add"), admin_data(status="minutes_approved"))

    offered = {value for value, _label in page.context["adminform"].form.fields["status"].choices}
    assert offered == {"draft", "scheduled", "cancelled"}
    assert "status" in response.context["adminform"].form.errors
    assert not Meeting.objects.exists()


def test_admin_cannot_approve_the_minutes_of_a_held_meeting_by_its_status(client, notulis):
    meeting = MeetingFactory(status=Meeting.Status.HELD)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    client.force_login(notulis)

    response = client.post(url, {**changeform_data(client.get(url)), "status": "minutes_approved"})

    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_the_service_refuses_a_move_outside_the_transitions(notulis):
    meeting = MeetingFactory(status=Meeting.Status.HELD, title="Rakor")
    meeting.status = Meeting.Status.DRAFT
    meeting.title = "Rakor diubah"

    with pytest.raises(ValidationError):
        services.save_meeting(meeting=meeting, changed=["status", "title"], acting_user=notulis)

    meeting.refresh_from_db()
    assert (meeting.status, meeting.title) == (Meeting.Status.HELD, "Rakor")


def test_a_venue_change_in_admin_and_on_the_portal_bumps_the_sequence_once_each(client, notulis):
    from meetings.forms import AgendaFormSet, MeetingForm, agenda_saver

    meeting = MeetingFactory()
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    client.force_login(notulis)
    client.post(url, {**changeform_data(client.get(url)), "venue": "Ruang Rapat Bupati"})
    meeting.refresh_from_db()
    form = MeetingForm(
        {**MeetingForm(instance=meeting, user=notulis).initial, "venue": "Aula DPPKB", "organisers": []},
        instance=meeting,
        user=notulis,
    )
    form.data["start"] = meeting.start.strftime("%Y-%m-%dT%H:%M")
    form.data["end"] = meeting.end.strftime("%Y-%m-%dT%H:%M")
    agenda = AgendaFormSet(
        {"agenda-TOTAL_FORMS": "0", "agenda-INITIAL_FORMS": "0"}, instance=meeting, prefix="agenda"
    )
    assert form.is_valid(), form.errors
    assert agenda.is_valid()
    services.save_meeting(
        meeting=form.save(commit=False),
        changed=form.changed_data,
        acting_user=notulis,
        save_parts=agenda_saver(form, agenda),
    )

    meeting.refresh_from_db()
    assert (meeting.venue, meeting.sequence) == ("Aula DPPKB", 2)
