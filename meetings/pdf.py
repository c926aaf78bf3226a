"""Printable documents of a meeting: the daftar hadir and the notulen / berita acara, on the
portal's PDF base (portal.pdf.PortalPDF: fonts, letterhead, page numbers, Unicode)."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.pdf import PortalPDF
from portal.templatetags.portal_format import time_span

from .models import Meeting

# A page of the notulen holds about this many characters of text (10 pt, A4): how a job
# estimates the pages still to come while it lays out the minutes (portal.jobs progress).
CHARACTERS_PER_PAGE = 3500


class MeetingPDF(PortalPDF):
    def __init__(self, meeting: Meeting, *, progress=None, expected_pages: int = 1) -> None:
        self.meeting = meeting
        self.progress = progress
        self.expected_pages = expected_pages
        super().__init__(title=meeting.title, letterhead=meeting.organiser_names() or meeting.region.label)

    def header(self) -> None:
        super().header()
        if self.progress is not None:  # pages begun of the pages expected (never past the end)
            self.expected_pages = max(self.expected_pages, self.page_no() + 1)
            self.progress(self.page_no() - 1, self.expected_pages)

    def heading(self, title: str) -> None:
        """The organising body, the document's title, and the meeting's title, date and place."""
        meeting = self.meeting
        organisers = meeting.organiser_names() or meeting.region.label
        self.line_text(organisers.upper(), 11, bold=True, align="C")
        self.line_text(title.upper(), 13, bold=True, align="C", h=8)
        self.line_text(meeting.title, 11, bold=True, align="C")
        self.ln(2)
        for label, value in self.facts():
            self.font(10, True)
            self.cell(35, 6, self.text_of(label))
            self.font(10)
            self.multi_cell(0, 6, self.text_of(f": {value}"), new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def facts(self) -> list[tuple[str, str]]:
        meeting = self.meeting
        # One format everywhere; a meeting across midnight shows its end date.
        when = time_span(meeting.start, meeting.end)
        facts = [(_("Date"), when), (_("Place"), meeting.place or "-")]
        if meeting.chair_id:
            facts.append((_("Chair"), meeting.chair.get_full_name()))
        return facts


def attendance_sheet(meeting: Meeting, blank_rows: int = 5, progress=None) -> bytes:
    """The daftar hadir to print and sign, pre-filled with the invitees."""
    pdf = MeetingPDF(meeting, progress=progress)
    pdf.heading(_("Attendance list (daftar hadir)"))
    rows = [
        [str(i), row["name"], row["jabatan"], row["instansi"], f"{i}. ........"]
        for i, row in enumerate(meeting.invitee_rows(), start=1)
    ]
    start = len(rows) + 1
    rows += [[str(i), "", "", "", f"{i}. ........"] for i in range(start, start + blank_rows)]
    pdf.table(
        [_("No."), _("Name"), _("Position (jabatan)"), _("Agency (instansi)"), _("Signature")],
        rows,
        (10, 50, 45, 45, 30),
        row_height=9,
    )
    return pdf.render()


class MinutesPDF(MeetingPDF):
    """The notulen; until the chair approves them every page says DRAF."""

    def __init__(self, meeting: Meeting, *, draft: bool, **kwargs) -> None:
        self.draft = draft
        super().__init__(meeting, **kwargs)

    def header(self) -> None:
        super().header()
        if not self.draft:
            return
        self.set_text_color(200, 0, 0)
        self.font(16, True)
        self.cell(0, 8, self.text_of(_("DRAFT").upper() + " — " + _("not approved yet")), align="R")
        self.ln(10)
        self.set_text_color(0, 0, 0)


def _attendance_rows(meeting: Meeting) -> list[list[str]]:
    """Person names in the Name column, the organisation in its own; the delegate for "diwakilkan"."""
    rows = []
    attendances = meeting.attendances.select_related("person").order_by("name")
    for i, a in enumerate(attendances, start=1):
        # An organisation with nobody in the portal is listed by its name alone: no person to name.
        name = "-" if a.person_id is None and a.name == a.instansi else a.name
        status = a.get_status_display()
        if a.status == a.Status.DIWAKILKAN and a.delegate_name:
            status = f"{status}: {a.delegate_name}"
        rows.append([str(i), name, a.jabatan, a.instansi, status])
    return rows


def _writer(minutes):
    """Who wrote the minutes (the notulis): the author of the latest draft."""
    if minutes is None:
        return None
    version = minutes.versions.filter(kind="draft").exclude(author=None).select_related("author").last()
    return version.author if version else None


def signatures(pdf: MeetingPDF, meeting: Meeting, minutes) -> None:
    """Place and date, then the chair's and the notulis' names and positions to sign above."""
    day = timezone.localtime(minutes.approved_at if minutes and minutes.approved_at else meeting.start)
    place = meeting.region.name.title() if meeting.region_id else ""
    pdf.ln(6)
    pdf.line_text(f"{place}, {formats.date_format(day, 'j F Y')}", 10, align="R")
    pdf.ln(2)
    people = [(_("Chair of the meeting"), meeting.chair), (_("Minutes taker (notulis)"), _writer(minutes))]
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    for column, (role, person) in enumerate(people):
        x = pdf.l_margin + column * width
        pdf.set_xy(x, top)
        pdf.font(10, True)
        pdf.multi_cell(width, 6, pdf.text_of(role), align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_xy(x, top + 30)
        name = person.get_full_name() if person else "...................................."
        pdf.font(10, True)
        pdf.multi_cell(width, 6, pdf.text_of(name), align="C", new_x="LEFT", new_y="NEXT")
        pdf.font(9)
        position = person.jabatan if person and person.jabatan else ""
        pdf.set_x(x)
        pdf.multi_cell(width, 5, pdf.text_of(position), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, top + 50)


def minutes_document(meeting: Meeting, progress=None) -> bytes:
    """The notulen / berita acara: agenda, discussion, decisions, RTL table, signatures, attendance annex.
    `progress(pages begun, pages expected)` follows the layout (the text's length sets the estimate)."""
    minutes = getattr(meeting, "minutes", None)
    text = (
        len(minutes.summary) + len(minutes.decisions) + sum(len(str(v)) for v in minutes.discussions.values())
        if minutes
        else 0
    )
    pdf = MinutesPDF(
        meeting,
        draft=minutes is None or not minutes.is_locked,
        progress=progress,
        expected_pages=text // CHARACTERS_PER_PAGE + 3,  # text, then the RTL, signatures and annex
    )
    pdf.heading(_("Minutes (notulen) and berita acara"))
    if minutes is not None:
        state = minutes.get_status_display()
        if minutes.approved_at:
            approved = formats.date_format(timezone.localtime(minutes.approved_at), "j F Y")
            state = f"{state} — {minutes.approved_by or ''}, {approved}"
        pdf.line_text(f"{_('Status')}: {state} ({_('version')} {minutes.version})", 9)
        pdf.ln(2)
    pdf.line_text(_("Agenda"), 11, bold=True)
    for i, item in enumerate(meeting.agenda_items.all(), start=1):
        presenter = f" ({item.presenter})" if item.presenter else ""
        pdf.line_text(f"{i}. {item.title}{presenter}")
    pdf.ln(2)
    if minutes is not None:
        if minutes.summary:
            pdf.line_text(_("Summary"), 11, bold=True)
            pdf.line_text(minutes.summary)
            pdf.ln(2)
        discussed = [(item, text) for item, text in minutes.discussion_items() if text]
        if discussed:
            pdf.line_text(_("Discussion"), 11, bold=True)
            for item, text in discussed:
                pdf.line_text(item.title, 10, bold=True)
                pdf.line_text(text)
            pdf.ln(2)
        pdf.line_text(_("Decisions"), 11, bold=True)
        pdf.line_text(minutes.decisions or "-")
        pdf.ln(2)
    commitments = meeting.commitments.select_related("owner", "pic").order_by("due_date", "pk")
    pdf.line_text(_("Follow-up plan (RTL)"), 11, bold=True)
    pdf.table(
        [_("No."), _("Commitment"), _("Responsible (PIC)"), _("Due date")],
        [
            [
                str(i),
                c.description,
                f"{c.owner.short_name or c.owner.name}" + (f" / {c.pic.get_full_name()}" if c.pic_id else ""),
                formats.date_format(c.due_date, "j M Y"),
            ]
            for i, c in enumerate(commitments, start=1)
        ]
        or [["-", _("No commitments recorded."), "", ""]],
        (10, 95, 50, 25),
    )
    if pdf.get_y() > pdf.h - 80:
        pdf.add_page()
    signatures(pdf, meeting, minutes)
    pdf.add_page()
    pdf.line_text(_("Annex: attendance list"), 11, bold=True)
    pdf.table(
        [_("No."), _("Name"), _("Position (jabatan)"), _("Agency (instansi)"), _("Attendance")],
        _attendance_rows(meeting) or [["-", _("No attendance recorded."), "", "", ""]],
        (10, 45, 40, 45, 40),
    )
    return pdf.render()
