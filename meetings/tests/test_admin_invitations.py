"""The meeting admin's Invitation and Attendance inlines write through the portal's services:
an invitation added in admin is sent and recorded exactly as one from the invite page, and a
refused one writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings.models import Attendance, Invitation
from portal.models import Notification
from portal.tests.adminforms import add_inline_row, changeform_data

pytestmark = pytest.mark.django_db


def trace(meeting, person) -> tuple[list, list]:
    """The invitation messages a person got for the meeting, and the history of their invitation."""
    invitation = Invitation.objects.get(meeting=meeting, person=person)
    messages = sorted(
        Notification.objects.of_rule("meeting_invitation")
        .for_source(meeting)
        .filter(recipient=person)
        .values_list("rule", "channel", "state")
    )
    history = [(h.history_type, h.history_user_id, h.response) for h in invitation.history.order_by("pk")]
    return messages, history


def admin_post(client, meeting, prefix: str, **row):
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    return client.post(url, add_inline_row(changeform_data(client.get(url)), prefix, **row))


def test_an_invitation_added_in_admin_is_sent_and_recorded_like_one_from_the_portal(
    client, dppkb, kabupaten_rakor, camat_a, camat_b
):
    client.force_login(dppkb)
    client.post(reverse("meetings:meeting-invite", args=[kabupaten_rakor.pk]), {"people": [camat_a.pk]})

    response = admin_post(client, kabupaten_rakor, "invitations", person=camat_b.pk, response="pending")

    assert response.status_code == 302, response.context and response.context["errors"]
    portal_messages, portal_history = trace(kabupaten_rakor, camat_a)
    assert portal_messages and portal_history == [("+", dppkb.pk, "pending")]
    assert trace(kabupaten_rakor, camat_b) == (portal_messages, portal_history)


def test_an_answer_given_in_admin_is_recorded_through_respond(client, dppkb, kabupaten_rakor, camat_b):
    client.force_login(dppkb)

    admin_post(client, kabupaten_rakor, "invitations", person=camat_b.pk, response="izin")

    invitation = Invitation.objects.get(meeting=kabupaten_rakor, person=camat_b)
    assert (invitation.response, invitation.responded_by) == ("izin", dppkb)
    assert invitation.responded_at is not None


def test_inviting_someone_outside_the_kabupaten_in_admin_is_a_form_error_and_writes_nothing(
    client, dppkb, kabupaten_rakor
):
    from trainings.tests.factories import person

    stranger = person("camat.tala", region="63.01.01")
    client.force_login(dppkb)
    before = Notification.objects.count()

    response = admin_post(client, kabupaten_rakor, "invitations", person=stranger.pk, response="pending")

    assert response.status_code == 200
    assert response.context["errors"]
    assert not Invitation.objects.filter(meeting=kabupaten_rakor).exists()
    assert Notification.objects.count() == before


def test_a_row_naming_both_a_person_and_an_organisation_is_refused(
    client, dppkb, demo, kabupaten_rakor, camat_b
):
    client.force_login(dppkb)

    response = admin_post(
        client, kabupaten_rakor, "invitations", person=camat_b.pk, organisation=demo.orgs["dinkes"].pk
    )

    assert response.status_code == 200
    assert "Undang satu orang atau satu organisasi." in response.content.decode()
    assert not Invitation.objects.filter(meeting=kabupaten_rakor).exists()


def test_someone_without_admin_access_cannot_add_invitations_or_attendance(client, camat_a, kabupaten_rakor):
    # A camat is no staff member: the admin sends him to its login and writes nothing.
    client.force_login(camat_a)
    url = reverse("admin:meetings_meeting_change", args=[kabupaten_rakor.pk])
    data = add_inline_row({}, "invitations", person=camat_a.pk, response="hadir")
    data = add_inline_row(data, "attendances", name="Walk-in", status="hadir")

    response = client.post(url, data)

    assert response.status_code == 302 and reverse("admin:login") in response.url
    assert not Invitation.objects.filter(meeting=kabupaten_rakor).exists()
    assert not Attendance.objects.filter(meeting=kabupaten_rakor).exists()


def test_an_attendance_line_added_in_admin_is_saved_through_the_service(client, dppkb, kabupaten_rakor):
    client.force_login(dppkb)

    response = admin_post(
        client, kabupaten_rakor, "attendances", name="Tamu", instansi="Bappeda", status="hadir"
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    line = Attendance.objects.get(meeting=kabupaten_rakor)
    assert (line.name, line.status) == ("Tamu", "hadir")
    assert [(h.history_type, h.history_user_id) for h in line.history.all()] == [("+", dppkb.pk)]
