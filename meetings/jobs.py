"""Long work of the meetings app run in the worker (portal.jobs): re-checks access as the owner."""

from __future__ import annotations

from portal.jobs import JobResult

from . import pdf
from .access import get_meeting_for_user


def minutes_pdf(job, progress) -> JobResult:
    """The notulen / berita acara PDF, however long the minutes (the owner must still see the meeting)."""
    meeting = get_meeting_for_user(job.owner, job.params["meeting"])
    content = pdf.minutes_document(meeting, progress=progress)
    return JobResult(f"notulen-{meeting.pk}.pdf", "application/pdf", content)


def attendance_pdf(job, progress) -> JobResult:
    """The daftar hadir to print and sign (the owner must still see the meeting)."""
    meeting = get_meeting_for_user(job.owner, job.params["meeting"])
    content = pdf.attendance_sheet(meeting, progress=progress)
    return JobResult(f"daftar-hadir-{meeting.pk}.pdf", "application/pdf", content)


def commitments_export(job, progress) -> JobResult:
    """The commitments the owner may see now (same scope and checks as before the job)."""
    from .commitments.views import EXPORT_FORMATS, export_commitments

    fmt = job.params["format"]
    content = export_commitments(job.owner, fmt, job.params.get("meeting") or None, progress=progress)
    return JobResult(f"commitments.{fmt}", EXPORT_FORMATS[fmt]().get_content_type(), content)
