"""Long work of the trainings app run in the worker (portal.jobs). Each function loads its
objects again through the access helpers as the job's owner, so a right lost since the
request is a failed job, never a file."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from portal.jobs import JobResult

from . import pdf, resources
from .access import get_enrollment_for_user, get_session_for_user, get_training_for_user
from .models import Enrollment, Session

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def participants(session: Session):
    return (
        session.training.enrollments.filter(status__in=Enrollment.PARTICIPANT_STATUSES)
        .select_related("person__organisation", "kabupaten")
        .order_by("person__full_name")
    )


def _session(job) -> Session:
    return get_session_for_user(job.owner, job.params["training"], job.params["session"], write=True)


def participants_export(job, progress) -> JobResult:
    training = get_training_for_user(job.owner, job.params["training"])
    if not training.can_see_enrollments(job.owner):
        raise PermissionDenied
    queryset = (
        Enrollment.objects.visible_to(job.owner)
        .filter(training=training)
        .select_related("person__organisation", "kabupaten")
    )
    content = resources.export_xlsx(resources.ParticipantResource(), queryset, progress)
    return JobResult(f"peserta-{training.pk}.xlsx", XLSX_TYPE, content)


def attendance_export(job, progress) -> JobResult:
    session = _session(job)
    resource = resources.SessionAttendanceResource(session)
    content = resources.export_xlsx(resource, participants(session), progress)
    return JobResult(f"kehadiran-sesi-{session.pk}.xlsx", XLSX_TYPE, content)


def attendance_sheet(job, progress) -> JobResult:
    session = _session(job)
    if session.mode != Session.Mode.LURING:
        raise Http404
    rows = participants(session)
    progress(0, len(rows))
    content = pdf.attendance_sheet_pdf(session, rows)
    progress(len(rows), len(rows))
    return JobResult(f"daftar-hadir-{session.pk}.pdf", "application/pdf", content)


def certificate(job, progress) -> JobResult:
    enrollment = get_enrollment_for_user(job.owner, job.params["enrollment"])
    if not enrollment.has_certificate():
        raise Http404
    progress(0, 1)
    content = pdf.certificate_pdf(enrollment)
    return JobResult(f"sertifikat-{enrollment.certificate_number}.pdf", "application/pdf", content)


def participants_import(job, progress) -> JobResult:
    """All or nothing (resources.import_participants): any bad row, every error reported."""
    training = get_training_for_user(job.owner, job.params["training"], write=True)
    with job.input.open("rb") as handle:
        content = handle.read()
    try:
        result = resources.import_participants(
            training=training, content=content, acting_user=job.owner, progress=progress
        )
    except resources.ImportFailed as exc:
        summary = _("Nothing was imported: correct these rows and import the file again.")
        return JobResult(report={"summary": summary, "errors": exc.errors}, failed=True)
    summary = _("Imported: %(registered)d registered, %(updated)d updated.") % {
        "registered": result.registered,
        "updated": result.updated,
    }
    return JobResult(report={"summary": summary, "errors": []})
