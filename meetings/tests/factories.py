from datetime import timedelta

import factory
from django.utils import timezone

from meetings.models import AgendaItem, Invitation, Meeting


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Rakor TPPS {n}")
    region_id = "63.05"
    start = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    )
    end = factory.LazyAttribute(lambda m: m.start + timedelta(hours=2))
    mode = Meeting.Mode.LURING
    venue = "Aula Bappelitbang Kabupaten Tapin"
    status = Meeting.Status.SCHEDULED


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Agenda {n}")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    meeting = factory.SubFactory(MeetingFactory)
