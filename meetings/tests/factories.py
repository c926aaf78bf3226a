"""One factory per model of the meetings app (commitments included), and upload samples."""

from __future__ import annotations

import io
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meetings.models import AgendaItem, Commitment, CommitmentUpdate, Invitation, Meeting


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

    class Params:
        # A meeting held a month ago, as the commitments of a rakor come from.
        held = factory.Trait(
            start=factory.LazyFunction(lambda: timezone.now() - timedelta(days=30)),
            status=Meeting.Status.HELD,
        )


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


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory, held=True)
    description = factory.Sequence(lambda n: f"Distribusi tablet tambah darah tahap {n}")
    intervention_type = Commitment.InterventionType.SPESIFIK
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))

    @factory.post_generation
    def recorded(self, create, extracted, **kwargs):
        # Like the workflows: every commitment starts its history with an "open" row.
        if create:
            CommitmentUpdate.objects.create(
                commitment=self,
                note="Dicatat.",
                status_to=self.status,
                created_at=min(self.meeting.end, timezone.now()),
            )


def png_bytes(size=(4, 4)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_upload(name="bukti.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf_upload(name="laporan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")
