"""Minutes (notulen) with their versions, and the documents filed with a meeting."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.choice_labels import ChoiceLabelsMixin
from portal.storage import private_storage

from .meeting import AgendaItem, Meeting


class MinutesQuerySet(models.QuerySet):
    def awaiting_approval_by(self, user) -> MinutesQuerySet:
        """Draft minutes, written after the meeting began, of meetings this user chairs."""
        return self.filter(
            meeting__chair=user,
            status=Minutes.Status.DRAFT,
            version__gte=1,
            meeting__start__lte=timezone.now(),
        ).exclude(meeting__status=Meeting.Status.CANCELLED)


class Minutes(ChoiceLabelsMixin, models.Model):
    """The notulen of a meeting. Approval by the chair locks it; later changes are amendments."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved and locked")

    meeting = models.OneToOneField(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="minutes"
    )
    summary = models.TextField(_("summary"), blank=True)
    # Discussion per agenda item: {"<agenda item pk>": "text"}.
    discussions = models.JSONField(_("discussion per agenda item"), default=dict, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=0)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MinutesQuerySet.as_manager()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.meeting)

    def get_absolute_url(self) -> str:
        return reverse("meetings:minutes", args=[self.meeting_id])

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    def discussion_items(self) -> list[tuple[AgendaItem, str]]:
        return [(item, self.discussions.get(str(item.pk), "")) for item in self.meeting.agenda_items.all()]

    def snapshot(self, *, kind: str, author, reason: str = "") -> MinutesVersion:
        """Keep the current content as a new numbered version."""
        self.version += 1
        self.save(update_fields=["version", "updated_at"])
        return MinutesVersion.objects.create(
            minutes=self,
            number=self.version,
            kind=kind,
            summary=self.summary,
            discussions=self.discussions,
            decisions=self.decisions,
            reason=reason,
            author=author,
        )


class MinutesVersion(ChoiceLabelsMixin, models.Model):
    """One kept version of the minutes: each save, the approval, and every amendment (with why)."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Draft saved")
        APPROVAL = "approval", _("Approved")
        AMENDMENT = "amendment", _("Amendment")

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    summary = models.TextField(_("summary"), blank=True)
    discussions = models.JSONField(_("discussion per agenda item"), default=dict, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    reason = models.TextField(_("reason for the amendment"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        ordering = ["minutes", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "number"], name="minutesversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.minutes} v{self.number}"


def document_path(instance, filename: str) -> str:
    return f"meetings/{instance.meeting_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class MeetingDocument(ChoiceLabelsMixin, models.Model):
    """A file kept with a meeting, such as the scanned signed daftar hadir (private storage)."""

    class Kind(models.TextChoices):
        SIGNED_ATTENDANCE = "daftar_hadir", _("Signed attendance list (daftar hadir)")
        SIGNED_MINUTES = "berita_acara", _("Signed minutes (berita acara)")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SIGNED_ATTENDANCE)
    file = models.FileField(_("file"), upload_to=document_path, storage=private_storage)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["meeting", "-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("meetings:document-download", args=[self.meeting_id, self.pk])
