from __future__ import annotations

from datetime import time, timedelta

import factory
from django.utils import timezone

from portal.models import Organisation, User
from portal.tests.factories import person  # noqa: F401 (re-exported for the trainings tests)
from trainings.models import Enrollment, Session, Training


def bkkbn_kalsel() -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.BKKBN, region_id="63")


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    title = factory.Sequence(lambda n: f"Pelatihan Teknis TPPS {n}")
    organiser = factory.LazyFunction(bkkbn_kalsel)
    mode = Training.Mode.BLENDED
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=20))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=3))
    capacity = 10
    registration_opens = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    registration_closes = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))

    class Params:
        # A training that is over (its sessions default to its first day): certificates may be issued.
        past = factory.Trait(
            start_date=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10)),
            end_date=factory.LazyAttribute(lambda o: o.start_date + timedelta(days=3)),
            registration_opens=factory.LazyFunction(lambda: timezone.now() - timedelta(days=40)),
            registration_closes=factory.LazyFunction(lambda: timezone.now() - timedelta(days=20)),
        )


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    training = factory.SubFactory(TrainingFactory)
    date = factory.LazyAttribute(lambda o: o.training.start_date)
    start_time = time(8, 0)
    end_time = time(12, 0)
    mode = Session.Mode.LURING
    topic = factory.Sequence(lambda n: f"Materi {n}")


def enroll(training: Training, user: User, status: str = Enrollment.Status.CONFIRMED) -> Enrollment:
    from trainings.models import kabupaten_of

    return Enrollment.objects.create(
        training=training, person=user, status=status, kabupaten_id=kabupaten_of(user)
    )
