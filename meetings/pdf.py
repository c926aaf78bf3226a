"""Printable documents of a meeting: the daftar hadir and the notulen / berita acara, on the
portal's PDF base (portal.pdf.PortalPDF: fonts, letterhead, page numbers, Unicode)."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.pdf import PortalPDF

from .models import Meeting


class MeetingPDF(PortalPDF):
    def __init__(self, meeting: Meeting) -> None:
        self.meeting = meeting
        super().__init__(title=meeting.title, letterhead=meeting.organiser_names() or meeting.region.label)

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
        start, end = timezone.localtime(meeting.start), timezone.localtime(meeting.end)
        when = f"{formats.date_format(start, 'l, j F Y')}, {start:%H.%M}–{end:%H.%M} WITA"
        facts = [(_("Date"), when), (_("Place"), meeting.place or "-")]
        if meeting.chair_id:
            facts.append((_("Chair"), meeting.chair.get_full_name()))
        return facts


def attendance_sheet(meeting: Meeting, blank_rows: int = 5) -> bytes:
    """The daftar hadir to print and sign, pre-filled with the invitees."""
    pdf = MeetingPDF(meeting)
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


def minutes_document(meeting: Meeting) -> bytes:
    """The notulen / berita acara: agenda, discussion, decisions, RTL table, attendance annex."""
    pdf = MeetingPDF(meeting)
    minutes = getattr(meeting, "minutes", None)
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
    pdf.add_page()
    pdf.line_text(_("Annex: attendance list"), 11, bold=True)
    attendances = meeting.attendances.order_by("name")
    pdf.table(
        [_("No."), _("Name"), _("Position (jabatan)"), _("Agency (instansi)"), _("Attendance")],
        [
            [str(i), a.name, a.jabatan, a.instansi, a.get_status_display()]
            for i, a in enumerate(attendances, start=1)
        ]
        or [["-", _("No attendance recorded."), "", "", ""]],
        (10, 50, 45, 45, 30),
    )
    return pdf.render()
