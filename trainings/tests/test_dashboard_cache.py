"""The trainings card is cached per scope (portal.dashboard): it equals a fresh one after a
training or an enrollment changes, and lives only until a registration opens or closes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.dashboard import next_midnight
from portal.models import User
from trainings import dashboard, services
from trainings.models import Enrollment, Training

from .factories import TrainingFactory, enroll

pytestmark = pytest.mark.django_db


def shown(client) -> tuple:
    response = client.get(reverse("portal:dashboard"))
    card = next(c for c in response.context["cards"] if c["template"] == "trainings/_dashboard_card.html")
    return card["open_count"], [(e.training_id, e.status) for e in card["mine"]]


def fresh(user) -> tuple:
    card = dashboard._aggregates(User.objects.get(pk=user.pk)).value
    return card["open_count"], [(e.training_id, e.status) for e in card["mine"]]


@pytest.fixture
def seen(client, demo, camat_a):
    TrainingFactory()
    client.force_login(camat_a)
    shown(client)
    return shown(client)


def test_a_new_training_an_enrollment_and_its_cancellation_show_at_once(client, camat_a, seen):
    training = TrainingFactory()
    assert shown(client) == fresh(camat_a) == (seen[0] + 1, [])

    enrollment = services.register(training=training, person=camat_a, acting_user=camat_a)
    assert shown(client) == fresh(camat_a) == (seen[0] + 1, [(training.pk, enrollment.status)])

    services.cancel(enrollment=enrollment, acting_user=camat_a)
    assert shown(client) == fresh(camat_a) == (seen[0] + 1, [])


def test_closing_a_registration_and_a_bulk_status_change_show_at_once(client, camat_a, seen):
    training = Training.objects.get()
    enroll(training, camat_a, status=Enrollment.Status.PENDING)
    assert shown(client) == fresh(camat_a) == (1, [(training.pk, "pending")])

    Enrollment.objects.filter(training=training).update(status=Enrollment.Status.CONFIRMED)
    assert shown(client) == fresh(camat_a) == (1, [(training.pk, "confirmed")])

    training.registration_closes = timezone.now() - timedelta(minutes=1)
    training.save()
    assert shown(client) == fresh(camat_a) == (0, [(training.pk, "confirmed")])


def test_the_entry_lives_until_the_next_registration_opens_or_closes(demo, camat_a):
    opening = TrainingFactory(registration_opens=timezone.now() + timedelta(hours=2))
    closing = TrainingFactory(registration_closes=timezone.now() + timedelta(hours=3))

    computed = dashboard._aggregates(camat_a)

    assert computed.value["open_count"] == 1
    assert computed.until == min(opening.registration_opens, closing.registration_closes, next_midnight())
