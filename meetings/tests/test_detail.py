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


def _invite(meeting, count: int, start: int = 0) -> None:
    from portal.models import Organisation

    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Lembaga Uji {n:02d}", region_id="63.05.04", kind="other")
        for n in range(start, start + count)
    )
    Invitation.objects.bulk_create(Invitation(meeting=meeting, organisation=o) for o in orgs)


def test_a_meeting_with_many_invitations_shows_them_a_page_at_a_time(client, dppkb, kabupaten_rakor):
    _invite(kabupaten_rakor, 60)
    client.force_login(dppkb)

    first = client.get(kabupaten_rakor.get_absolute_url()).content.decode()
    second = client.get(kabupaten_rakor.get_absolute_url(), {"invitations": 2}).content.decode()

    assert first.count("Lembaga Uji ") == 50 and "Lembaga Uji 00" in first
    assert second.count("Lembaga Uji ") == 10 and "Lembaga Uji 59" in second
    assert 'data-testid="invitation-pages"' in first


def test_the_meeting_page_runs_as_many_queries_for_sixty_invitations_as_for_two(
    client, dppkb, demo, kabupaten_rakor
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import CommitmentFactory, MeetingFactory

    earlier = MeetingFactory(held=True)
    _invite(kabupaten_rakor, 2)
    CommitmentFactory(meeting=earlier, owner=demo.orgs["dinkes"])
    client.force_login(dppkb)
    client.get(kabupaten_rakor.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(kabupaten_rakor.get_absolute_url())
    _invite(kabupaten_rakor, 58, start=2)
    CommitmentFactory.create_batch(40, meeting=earlier, owner=demo.orgs["pupr"])
    # New organisations renew everyone's cached rights: the next request reads them once.
    client.get(kabupaten_rakor.get_absolute_url())
    with CaptureQueriesContext(connection) as many:
        client.get(kabupaten_rakor.get_absolute_url())

    # The review's count comes with its lines (a window over the same query).
    assert len(many) == len(few)
