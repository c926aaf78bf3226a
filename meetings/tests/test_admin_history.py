"""The meetings' admin history: scoped like the changelist, read-only for staff, reverted by
superusers only (the core's rules: portal/scoped_admin.py, portal/tests/test_admin_history.py)."""

import pytest
from django.urls import reverse

from meetings.models import Meeting
from portal.models import User
from portal.tests.adminforms import form_data, history_form_url

from .factories import CommitmentFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def test_history_of_another_kabupatens_meeting_is_not_found(client, dppkb, demo):
    meeting = MeetingFactory(region_id="63.01", title="Rakor Tanah Laut")
    client.force_login(dppkb)

    listing = client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk]))
    form = client.get(history_form_url(meeting))
    moved = client.post(history_form_url(meeting), {"title": "Rakor Tapin", "region": "63.05"})

    assert listing.status_code == 404
    assert form.status_code == 404
    assert moved.status_code == 404
    meeting.refresh_from_db()
    assert (meeting.title, meeting.region_id) == ("Rakor Tanah Laut", "63.01")


def test_history_list_of_a_visible_meeting_offers_no_revert_to_staff(client, notulis, demo):
    meeting = MeetingFactory(title="Rakor Tapin")
    client.force_login(notulis)

    page = client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk]))

    assert page.status_code == 200
    assert page.context["revert_disabled"] is True


def test_a_superuser_may_still_revert_from_history(admin_client, demo):
    meeting = MeetingFactory(title="Judul lama")
    old_version = meeting.history.latest().history_id
    meeting.title = "Judul baru"
    meeting.save()
    url = reverse("admin:meetings_meeting_simple_history", args=[meeting.pk, old_version])

    page = admin_client.get(url)
    data = form_data(page.context["adminform"].form)
    for prefix in ("agenda_items", "invitations", "attendances", "commitments"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = admin_client.post(url, data)

    assert response.status_code == 302, page.context["adminform"].form.errors
    assert Meeting.objects.get(pk=meeting.pk).title == "Judul lama"
    assert User.objects.filter(is_superuser=True).count() == 1


def test_a_superuser_still_reads_the_history_of_a_deleted_meeting(admin_client, demo):
    meeting = MeetingFactory(title="Rakor yang dihapus")
    pk = meeting.pk
    meeting.delete()

    response = admin_client.get(reverse("admin:meetings_meeting_history", args=[pk]))

    assert response.status_code == 200


def test_history_of_another_kabupatens_commitment_is_not_found(client, dppkb, demo):
    commitment = CommitmentFactory(owner=demo.orgs["tpps_tanahlaut"], meeting__region_id="63.01")
    client.force_login(dppkb)

    listing = client.get(reverse("admin:meetings_commitment_history", args=[commitment.pk]))
    form = client.get(history_form_url(commitment))

    assert (listing.status_code, form.status_code) == (404, 404)
