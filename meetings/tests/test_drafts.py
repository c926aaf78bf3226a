"""A draft meeting is seen only by its organisers until it is scheduled: invitees, the chair
and read-only roles can neither see nor answer it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Invitation, Meeting

from .factories import MeetingFactory


@pytest.fixture
def draft(demo, dppkb, camat_a, kapus):
    meeting = MeetingFactory(
        title="Rakor draf", region_id="63.05", status=Meeting.Status.DRAFT, created_by=dppkb
    )
    services.invite(meeting=meeting, people=[camat_a, kapus], acting_user=dppkb)
    return meeting


def test_organisers_see_a_draft_and_invitees_do_not(client, draft, dppkb, notulis, camat_a, kapus):
    assert set(Meeting.objects.visible_to(dppkb)) == {draft}
    assert set(Meeting.objects.visible_to(notulis)) == {draft}
    for person in (camat_a, kapus):
        assert not Meeting.objects.visible_to(person).filter(pk=draft.pk).exists()
        client.force_login(person)
        assert client.get(reverse("meetings:meeting-detail", args=[draft.pk])).status_code == 404
        assert "Rakor draf" not in client.get(reverse("meetings:index")).content.decode()


def test_an_invitee_cannot_answer_a_draft(client, draft, camat_a):
    client.force_login(camat_a)
    response = client.post(reverse("meetings:meeting-rsvp", args=[draft.pk]), {"response": "hadir"})
    assert response.status_code == 404
    assert Invitation.objects.get(meeting=draft, person=camat_a).response == Invitation.Response.PENDING


def test_a_chair_sees_the_meeting_only_once_it_is_scheduled(client, draft, demo, camat_b):
    draft.chair = camat_b
    draft.save()
    assert not Meeting.objects.visible_to(camat_b).filter(pk=draft.pk).exists()
    draft.status = Meeting.Status.SCHEDULED
    draft.save()
    assert Meeting.objects.visible_to(camat_b).filter(pk=draft.pk).exists()


def test_a_one_tap_answer_link_to_a_meeting_taken_back_to_draft_answers_nothing(client, demo, dppkb, camat_a):
    from meetings.links import rsvp_url

    meeting = MeetingFactory(title="Rakor", region_id="63.05", created_by=dppkb)
    (invitation,) = services.invite(meeting=meeting, people=[camat_a], acting_user=dppkb)
    url = rsvp_url(invitation, camat_a)
    meeting.status = Meeting.Status.DRAFT
    meeting.save()
    response = client.post(urlsplit(url).path, {"response": "hadir"})
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.response == Invitation.Response.PENDING


def test_publishing_says_how_many_people_were_sent_the_invitation(client, draft, dppkb):
    client.force_login(dppkb)
    form = client.get(reverse("meetings:meeting-update", args=[draft.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        status=Meeting.Status.SCHEDULED,
        start=form["start"].value(),
        end=form["end"].value(),
        organisers=[o.pk for o in draft.organisers.all()],
        **{"agenda-TOTAL_FORMS": 0, "agenda-INITIAL_FORMS": 0},
    )
    data.pop("chair", None)
    response = client.post(reverse("meetings:meeting-update", args=[draft.pk]), data, follow=True)
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.SCHEDULED, response.context["form"].errors
    texts = [str(m) for m in response.context["messages"]]
    assert any("2 orang" in text for text in texts), texts


def test_the_creator_of_a_draft_outside_their_writing_area_still_sees_it(camat_a, camat_b):
    meeting = MeetingFactory(region_id="63.05", status=Meeting.Status.DRAFT, created_by=camat_b)
    assert list(Meeting.objects.visible_to(camat_b)) == [meeting]
    assert not Meeting.objects.visible_to(camat_a).exists()
