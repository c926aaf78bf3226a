"""The chair rule through Django admin: a writer cannot name themselves chair on the meeting's
admin change or add form (a form error, nothing written), and minutes are not approved in admin
at all (the minutes admin only shows them; the chair approves on the portal once the meeting
has been held)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, Minutes, MinutesVersion
from portal.models import Notification
from portal.tests.adminforms import changeform_data

from .factories import MeetingFactory
from .test_admin import admin_data

pytestmark = pytest.mark.django_db

SELF_CHAIR = "Anda tidak dapat menunjuk diri sendiri sebagai pimpinan"


def written(meeting: Meeting) -> tuple:
    """What a refused POST must leave as it was."""
    meeting.refresh_from_db()
    return (
        meeting.chair_id,
        meeting.sequence,
        meeting.history.count(),
        Notification.objects.count(),
        MinutesVersion.objects.filter(minutes__meeting=meeting).count(),
    )


def test_a_writer_cannot_make_themselves_chair_in_the_meeting_admin(client, notulis, kabupaten_rakor):
    url = reverse("admin:meetings_meeting_change", args=[kabupaten_rakor.pk])
    client.force_login(notulis)
    before = written(kabupaten_rakor)

    response = client.post(url, {**changeform_data(client.get(url)), "chair": notulis.pk})

    assert response.status_code == 200
    assert "chair" in response.context["adminform"].form.errors
    assert SELF_CHAIR in response.content.decode()
    assert written(kabupaten_rakor) == before
    assert kabupaten_rakor.chair != notulis


def test_a_writer_cannot_add_a_meeting_chaired_by_themselves_in_admin(client, notulis):
    client.force_login(notulis)

    response = client.post(reverse("admin:meetings_meeting_add"), admin_data(chair=notulis.pk))

    assert response.status_code == 200
    assert "chair" in response.context["adminform"].form.errors
    assert not Meeting.objects.exists()
    assert not Notification.objects.exists()


def test_a_chair_named_by_someone_else_is_kept_on_save(client, dppkb, kabupaten_rakor):
    # kabupaten_rakor's chair is the DPPKB admin, named when it was scheduled: keeping it is fine.
    url = reverse("admin:meetings_meeting_change", args=[kabupaten_rakor.pk])
    client.force_login(dppkb)

    response = client.post(url, {**changeform_data(client.get(url)), "venue": "Aula Bappeda"})

    assert response.status_code == 302
    kabupaten_rakor.refresh_from_db()
    assert (kabupaten_rakor.chair, kabupaten_rakor.venue) == (dppkb, "Aula Bappeda")


@pytest.mark.parametrize("held", [False, True], ids=["before the meeting", "after the meeting"])
def test_the_chair_cannot_approve_minutes_in_the_minutes_admin(client, dppkb, held):
    start = timezone.now() + (timedelta(hours=-3) if held else timedelta(days=2))
    meeting = MeetingFactory(chair=dppkb, start=start, end=start + timedelta(hours=2))
    minutes = Minutes.objects.create(meeting=meeting, summary="Ringkasan")
    url = reverse("admin:meetings_minutes_change", args=[minutes.pk])
    client.force_login(dppkb)
    before = written(meeting)

    page = client.get(url)
    response = client.post(url, {"status": "approved", "summary": "Diubah"})

    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert response.status_code == 403
    minutes.refresh_from_db()
    assert (minutes.status, minutes.summary, minutes.approved_by) == (Minutes.Status.DRAFT, "Ringkasan", None)
    assert meeting.status == Meeting.Status.SCHEDULED
    assert written(meeting) == before
