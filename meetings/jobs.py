"""Long work of the meetings app run in the worker (portal.jobs): re-checks access as the owner."""

from __future__ import annotations

from portal.jobs import JobResult

from . import pdf
from .access import get_meeting_for_user


def minutes_pdf(job, progress) -> JobResult:
    """The notulen / berita acara PDF, however long the minutes (the owner must still see the meeting)."""
    meeting = get_meeting_for_user(job.owner, job.params["meeting"])
    progress(10)
    content = pdf.minutes_document(meeting)
    progress(90)
    return JobResult(f"notulen-{meeting.pk}.pdf", "application/pdf", content)
