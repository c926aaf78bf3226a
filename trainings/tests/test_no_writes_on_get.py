"""Opening a training page never writes."""

from django.test import Client
from django.urls import reverse

from trainings import demo as trainings_demo
from trainings.models import Enrollment


def test_the_organiser_and_a_participant_opening_training_pages_change_no_row(
    client, bkkbn, demo, table_rows
):
    past, upcoming = trainings_demo.seed(log=lambda *a: None)
    session = past.sessions.first()
    certified = Enrollment.objects.filter(training=past).exclude(certificate_number="").first()
    organiser_pages = [
        reverse("trainings:index"),
        reverse("trainings:training-create"),
        reverse("trainings:training-detail", args=[upcoming.pk]),
        reverse("trainings:training-update", args=[upcoming.pk]),
        reverse("trainings:enrollment-list", args=[past.pk]),
        reverse("trainings:scores", args=[past.pk]),
        reverse("trainings:session-create", args=[past.pk]),
        reverse("trainings:session-attendance", args=[past.pk, session.pk]),
        reverse("trainings:session-qr", args=[past.pk, session.pk]),
        reverse("trainings:certificate-verify", args=[certified.certificate_token]),
    ]
    participant = Client()
    client.force_login(bkkbn)
    participant.force_login(certified.person)
    before = table_rows()

    for url in organiser_pages:
        assert client.get(url).status_code == 200, url
    checkin = reverse("trainings:session-checkin", args=[past.pk, session.pk])
    assert participant.get(checkin, {"code": session.checkin_code}).status_code in (200, 302)

    assert table_rows() == before
