from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from portal.storage import private_storage


@dataclass(frozen=True)
class JobResult:
    filename: str
    content_type: str
    content: bytes


def job_path(instance: Job, filename: str) -> str:
    return f"jobs/{instance.pk}/{filename}"


class Job(models.Model):
    """One run of a long task for one person: its state, progress and resulting file."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(_("ID"), primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=200)
    title = models.CharField(_("title"), max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="jobs"
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.CharField(_("error"), max_length=255, blank=True)
    file = models.FileField(_("file"), upload_to=job_path, storage=private_storage, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:job-detail", args=[self.pk])

    def run(self) -> None:
        """Run in the worker. Safe to run twice: a job already finished is left alone."""
        claimed = Job.objects.filter(pk=self.pk, state=Job.State.QUEUED).update(state=Job.State.RUNNING)
        if not claimed:
            return
        function: Callable = import_string(self.kind)
        try:
            result = function(self, self.set_progress)
        except Exception as exc:  # the person sees "failed"; the worker logs the traceback
            Job.objects.filter(pk=self.pk).update(
                state=Job.State.FAILED, error=exc.__class__.__name__, finished_at=timezone.now()
            )
            raise
        self.file.save(result.filename, ContentFile(result.content), save=False)
        Job.objects.filter(pk=self.pk).update(
            state=Job.State.DONE,
            progress=100,
            file=self.file.name,
            filename=result.filename,
            content_type=result.content_type,
            finished_at=timezone.now(),
        )

    def set_progress(self, percent: int) -> None:
        Job.objects.filter(pk=self.pk).update(progress=max(0, min(99, int(percent))))


def start_job(*, kind: str, title: str, owner, params: dict) -> Job:
    """Record the job and hand it to the worker once the transaction commits."""
    from portal.notifications.publish import publish_on_commit
    from portal.tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, owner=owner, params=params)
        publish_on_commit(run_job, str(job.pk))
    return job
