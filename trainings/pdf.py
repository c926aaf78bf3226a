"""Printable documents: the certificate and the attendance sheet (daftar hadir) of a luring
session, on the portal's PDF base (portal.pdf.PortalPDF)."""

from __future__ import annotations

import io

import segno
from django.utils import formats
from django.utils.translation import gettext as _

from portal.pdf import PortalPDF
from portal.templatetags.portal_format import day_span

from .models import Enrollment, Session


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def training_dates(training) -> str:
    return f"{_date(training.start_date)} - {_date(training.end_date)}"


def certificate_pdf(enrollment: Enrollment) -> bytes:
    training = enrollment.training
    pdf = PortalPDF(
        title=_("Certificate %s") % enrollment.certificate_number, orientation="L", page_numbers=False
    )
    fonts, text = pdf.portal_fonts, pdf.text_of
    pdf.set_auto_page_break(False)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font(fonts.family, "B", 28)
    pdf.set_y(30)
    pdf.cell(0, 14, text(_("CERTIFICATE")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.family, "", 12)
    pdf.cell(
        0, 8, text(_("Number: %s") % enrollment.certificate_number), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(8)
    pdf.cell(0, 8, text(_("This certifies that")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.family, "B", 22)
    pdf.cell(0, 14, text(enrollment.person.get_full_name()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.family, "", 12)
    pdf.cell(0, 8, text(enrollment.person.jabatan), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(0, 8, text(_("has completed")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.family, "B", 16)
    pdf.multi_cell(0, 9, text(str(training)), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(fonts.family, "", 12)
    pdf.cell(0, 8, text(training_dates(training)), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, text(_("Organised by %s") % training.organiser), align="C", new_x="LMARGIN", new_y="NEXT")
    url = enrollment.verification_url()
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.image(qr, x=20, y=150, w=40)
    pdf.set_xy(65, 165)
    pdf.set_font(fonts.family, "", 9)
    pdf.multi_cell(150, 5, text(_("Verify this certificate: %s") % url))
    return pdf.render()


def attendance_sheet_pdf(session: Session, enrollments) -> bytes:
    """The daftar hadir to print and sign at a luring session."""
    training = session.training
    pdf = PortalPDF(title=_("Attendance sheet"), letterhead=str(training.organiser))
    pdf.line_text(_("ATTENDANCE SHEET (DAFTAR HADIR)"), 14, bold=True, align="C", h=8)
    pdf.line_text(str(training), align="C")
    when = f"{session.topic} - {day_span(session.date, session.start_time, session.end_time)}"
    pdf.line_text(when, align="C")
    if session.venue or training.venue:
        pdf.line_text(session.venue or training.venue, align="C")
    pdf.ln(4)
    rows = []
    for number, enrollment in enumerate(enrollments, start=1):
        person = enrollment.person
        where = person.jabatan or (person.organisation.name if person.organisation else "")
        kabupaten = enrollment.kabupaten.name if enrollment.kabupaten else ""
        rows.append([str(number), person.get_full_name(), where, kabupaten, ""])
    pdf.table(
        [_("No"), _("Name"), _("Position / organisation"), _("Kabupaten"), _("Signature")],
        rows,
        (10, 60, 60, 30, 30),
        row_height=10,
    )
    return pdf.render()
