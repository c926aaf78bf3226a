"""Factories for the commitment (RTL) tests. Kept apart from the meetings factories so the
two branches of issue 3 do not edit the same file."""

from __future__ import annotations

import datetime as dt
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from meetings.models import Commitment, CommitmentUpdate, Meeting


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    title = factory.Sequence(lambda n: f"Rakor TPPS {n}")
    region_id = "63.05"
    start = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    end = factory.LazyAttribute(lambda m: m.start + dt.timedelta(hours=2))
    venue = "Aula Bappelitbang"
    status = Meeting.Status.HELD


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Distribusi tablet tambah darah tahap {n}")
    intervention_type = Commitment.InterventionType.SPESIFIK
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))

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
