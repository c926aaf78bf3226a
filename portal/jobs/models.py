from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from portal.choice_labels import ChoiceLabelsMixin
from portal.storage import private_storage


@dataclass(frozen=True)
class JobResult:
    """What a job function returns: a file to download, a report to read (an import), or both.
    `failed` marks a job whose work was refused as a whole (an import with bad rows)."""

    filename: str = ""
    content_type: str = ""
    content: bytes = b""
    report: dict = field(default_factory=dict)
    failed: bool = False


def job_path(instance: Job, filename: str) -> str:
    return f"jobs/{instance.pk}/{filename}"


class JobQuerySet(models.QuerySet):
    def expired(self, now=None):
        """Finished or abandoned jobs older than the retention setting (their files go too)."""
        now = now or timezone.now()
        return self.filter(created_at__lt=now - timedelta(days=settings.JOB_RETENTION_DAYS))

    def lost(self, now=None):
        """Running jobs whose worker stopped beating (killed, or its host went down)."""
        now = now or timezone.now()
        return self.filter(
            state=Job.State.RUNNING, heartbeat_at__lt=now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
        )


class Job(ChoiceLabelsMixin, models.Model):
    """One run of a long task for one person: its state, progress and resulting file or report."""

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
    language = models.CharField(_("language"), max_length=10, blank=True)
    input = models.FileField(_("uploaded file"), upload_to=job_path, storage=private_storage, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    done_count = models.PositiveIntegerField(_("done"), default=0)
    total_count = models.PositiveIntegerField(_("total"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    file = models.FileField(_("file"), upload_to=job_path, storage=private_storage, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:job-detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.state in (Job.State.DONE, Job.State.FAILED)

    def run(self) -> None:
        """Run in the worker. Safe to run twice: a job already taken or finished is left alone."""
        now = timezone.now()
        claimed = Job.objects.filter(pk=self.pk, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING, heartbeat_at=now
        )
        if not claimed:
            return
        function: Callable = import_string(self.kind)
        # Reports and file names in the language of the person who asked.
        with Heartbeat(self.pk), translation.override(self.language or settings.LANGUAGE_CODE):
            try:
                result = function(self, self.set_progress)
            except Exception as exc:  # the person sees "failed"; the worker logs the traceback
                self._finish(state=Job.State.FAILED, error=exc.__class__.__name__)
                raise
        if result.content:
            self.file.save(result.filename, ContentFile(result.content), save=False)
        self._finish(
            state=Job.State.FAILED if result.failed else Job.State.DONE,
            progress=100,
            report=result.report,
            file=self.file.name or "",
            filename=result.filename,
            content_type=result.content_type,
        )

    def _finish(self, **values) -> None:
        # Only a job still running is finished: one the clean-up declared lost stays failed.
        Job.objects.filter(pk=self.pk, state=Job.State.RUNNING).update(finished_at=timezone.now(), **values)

    def set_progress(self, done: int, total: int) -> None:
        """Report real progress: `done` of `total` rows or pages (kept below 100 until the end)."""
        total = max(int(total), 1)
        done = max(0, min(int(done), total))
        Job.objects.filter(pk=self.pk).update(
            done_count=done,
            total_count=total,
            progress=min(99, done * 100 // total),
            heartbeat_at=timezone.now(),
        )

    def delete_files(self) -> None:
        for stored in (self.file, self.input):
            if stored:
                stored.delete(save=False)


class Heartbeat:
    """While a job runs, a thread marks it alive every few seconds, so a job whose worker was
    killed (no more beats) is told apart from a long one by `Job.objects.lost()`."""

    def __init__(self, pk) -> None:
        self.pk = pk
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    def _beat(self) -> None:
        from django.db import connection

        interval = max(settings.JOB_LEASE_SECONDS / 4, 0.5)
        try:
            while not self.stop.wait(interval):
                Job.objects.filter(pk=self.pk, state=Job.State.RUNNING).update(heartbeat_at=timezone.now())
        finally:
            connection.close()


def counted(rows, progress):
    """The rows of a list or queryset, telling `progress(done, total)` as they are consumed
    (about fifty times in all, so a large export does not write a row per row)."""
    total = len(rows) if isinstance(rows, list) else rows.count()
    progress(0, total)
    step = max(total // 50, 1)
    iterable = rows if isinstance(rows, list) else rows.iterator(chunk_size=500)
    for index, row in enumerate(iterable, start=1):
        yield row
        if index % step == 0 or index == total:
            progress(index, total)


def start_job(*, kind: str, title: str, owner, params: dict, upload=None) -> Job:
    """Record the job (with the uploaded file it reads, if any) and hand it to the worker once
    the transaction commits."""
    from portal.notifications.publish import publish_on_commit
    from portal.tasks import run_job

    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, title=title, owner=owner, params=params, language=translation.get_language() or ""
        )
        if upload is not None:
            job.input.save(upload.name.rsplit("/", 1)[-1] or "upload", upload, save=True)
        publish_on_commit(run_job, str(job.pk))
    return job


def clean_up_jobs(now=None) -> tuple[int, int]:
    """Fail the jobs whose worker was lost; remove the jobs (rows and files) past retention."""
    now = now or timezone.now()
    lost = Job.objects.lost(now).update(state=Job.State.FAILED, error="WorkerLost", finished_at=now)
    removed = 0
    for job in Job.objects.expired(now).iterator():
        job.delete_files()
        job.delete()
        removed += 1
    return lost, removed
