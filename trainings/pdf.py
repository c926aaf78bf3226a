"""Printable documents: the certificate and the attendance sheet (daftar hadir) of a luring session."""

from __future__ import annotations

import io

import segno
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from .models import Enrollment, Session


def _text(value) -> str:
    # The core PDF fonts are Latin-1; replace what they cannot draw rather than fail.
    return (
        str(value)
        .replace("\u2013", "-")
        .replace("\u2014", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def _date(value) -> str:
    return formats.date_format(value, "j F Y")


def training_dates(training) -> str:
    return f"{_date(training.start_date)} - {_date(training.end_date)}"


def certificate_pdf(enrollment: Enrollment) -> bytes:
    training = enrollment.training
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(_text(_("Certificate %s") % enrollment.certificate_number))
    pdf.add_page()
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font("Helvetica", "B", 28)
    pdf.set_y(30)
    pdf.cell(0, 14, _text(_("CERTIFICATE")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(
        0, 8, _text(_("Number: %s") % enrollment.certificate_number), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(8)
    pdf.cell(0, 8, _text(_("This certifies that")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 22)
    pdf.cell(0, 14, _text(enrollment.person.get_full_name()), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 8, _text(enrollment.person.jabatan), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(0, 8, _text(_("has completed")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, _text(str(training)), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 8, _text(training_dates(training)), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, _text(_("Organised by %s") % training.organiser), align="C", new_x="LMARGIN", new_y="NEXT")
    url = enrollment.verification_url()
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.image(qr, x=20, y=150, w=40)
    pdf.set_xy(65, 165)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(150, 5, _text(_("Verify this certificate: %s") % url))
    return bytes(pdf.output())


def attendance_sheet_pdf(session: Session, enrollments) -> bytes:
    """The daftar hadir to print and sign at a luring session."""
    training = session.training
    pdf = FPDF(orientation="P", format="A4")
    pdf.set_title(_text(_("Attendance sheet")))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _text(_("ATTENDANCE SHEET (DAFTAR HADIR)")), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 6, _text(str(training)), align="C", new_x="LMARGIN", new_y="NEXT")
    start = timezone.localtime(session.starts_at)
    pdf.cell(
        0,
        6,
        _text(f"{session.topic} - {_date(session.date)}, {start:%H:%M}-{session.end_time:%H:%M} WITA"),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if session.venue or training.venue:
        pdf.cell(0, 6, _text(session.venue or training.venue), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (10, 60, 60, 30, 30)
    headers = (_("No"), _("Name"), _("Position / organisation"), _("Kabupaten"), _("Signature"))
    pdf.set_font("Helvetica", "B", 9)
    for width, header in zip(widths, headers, strict=True):
        pdf.cell(width, 8, _text(header), border=1, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for number, enrollment in enumerate(enrollments, start=1):
        person = enrollment.person
        where = person.jabatan or (person.organisation.name if person.organisation else "")
        row = (
            str(number),
            person.get_full_name(),
            where,
            enrollment.kabupaten.name if enrollment.kabupaten else "",
            "",
        )
        for width, value in zip(widths, row, strict=True):
            pdf.cell(width, 10, _text(value)[:40], border=1)
        pdf.ln()
    return bytes(pdf.output())
