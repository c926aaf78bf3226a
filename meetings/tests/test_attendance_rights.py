"""The attendance, RSVP and check-in services check rights themselves, as the portal views do:
whoever calls them (a view, a one-tap link, the admin) cannot write past them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from meetings import services
from meetings.models import Invitation

from .factories import MeetingFactory


@pytest.fixture
def rakor(demo, dppkb, kabupaten_rakor):
    Invitation.objects.create(meeting=kabupaten_rakor, organisation=demo.orgs["dinkes"])
    return kabupaten_rakor


@pytest.fixture
def live_rakor(rakor):
    rakor.start = timezone.now() - timedelta(minutes=10)
    rakor.end = timezone.now() + timedelta(hours=2)
    rakor.save()
    return rakor


@pytest.mark.parametrize("who", ["kapus", "camat_b", "dinkes", "pkk"])
def test_only_meeting_writers_prepare_the_attendance_list(request, rakor, who, table_rows):
    before = table_rows()
    with pytest.raises(PermissionDenied):
        services.prepare_attendance(meeting=rakor, acting_user=request.getfixturevalue(who))
    assert table_rows() == before


def test_a_writer_prepares_the_attendance_list(rakor, notulis):
    assert services.prepare_attendance(meeting=rakor, acting_user=notulis) == 1


@pytest.mark.parametrize("who", ["kapus", "camat_b", "pkk"])
def test_only_someone_the_invitation_is_for_or_a_writer_answers_it(request, rakor, who, table_rows):
    invitation = rakor.invitations.get()
    before = table_rows()
    with pytest.raises(PermissionDenied):
        services.respond(invitation=invitation, response="hadir", acting_user=request.getfixturevalue(who))
    assert table_rows() == before


def test_an_invitee_cannot_answer_a_draft(rakor, dinkes, table_rows):
    rakor.status = rakor.Status.DRAFT
    rakor.save()
    before = table_rows()
    with pytest.raises(PermissionDenied):
        services.respond(invitation=rakor.invitations.get(), response="hadir", acting_user=dinkes)
    assert table_rows() == before


def test_a_writer_records_an_answer_given_to_the_secretariat(rakor, notulis):
    invitation = services.respond(invitation=rakor.invitations.get(), response="hadir", acting_user=notulis)
    assert (invitation.response, invitation.responded_by) == ("hadir", notulis)


def test_the_invitee_answers(rakor, dinkes):
    invitation = services.respond(invitation=rakor.invitations.get(), response="izin", acting_user=dinkes)
    assert (invitation.response, invitation.responded_by) == ("izin", dinkes)


def test_nobody_checks_in_to_a_meeting_they_cannot_see(live_rakor, camat_b, table_rows):
    before = table_rows()
    with pytest.raises(PermissionDenied):
        services.check_in(meeting=live_rakor, acting_user=camat_b)
    assert table_rows() == before


def test_nobody_checks_in_before_check_in_opens(rakor, dinkes, table_rows):
    before = table_rows()
    with pytest.raises(PermissionDenied):
        services.check_in(meeting=rakor, acting_user=dinkes)  # next week
    assert table_rows() == before


def test_only_a_writer_checks_someone_else_in(live_rakor, dinkes, kapus, notulis, table_rows):
    before = table_rows()
    with pytest.raises(PermissionDenied):
        services.check_in(meeting=live_rakor, acting_user=kapus, person=dinkes)
    assert table_rows() == before
    line = services.check_in(meeting=live_rakor, acting_user=notulis, person=dinkes)
    assert (line.person, line.status) == (dinkes, "hadir")


def test_the_invitee_checks_in_while_check_in_is_open(live_rakor, dinkes):
    assert services.check_in(meeting=live_rakor, acting_user=dinkes).person == dinkes


def test_a_meeting_in_another_kecamatan_refuses_the_camat(demo, camat_b, table_rows):
    meeting = MeetingFactory(region_id="63.05.04", start=timezone.now() - timedelta(minutes=5))
    Invitation.objects.create(meeting=meeting, organisation=demo.orgs["dinkes"])
    before = table_rows()
    with pytest.raises(PermissionDenied):
        services.respond(invitation=meeting.invitations.get(), response="hadir", acting_user=camat_b)
    with pytest.raises(PermissionDenied):
        services.prepare_attendance(meeting=meeting, acting_user=camat_b)
    assert table_rows() == before
