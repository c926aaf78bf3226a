from types import SimpleNamespace

from meetings.pdf import MeetingPDF
from portal.pdf import PdfFonts


def test_meeting_pdf_core_font_fallback_transliterates_instead_of_question_marks():
    without_unicode_font = SimpleNamespace(portal_fonts=PdfFonts("helvetica", unicode=False))
    assert (
        MeetingPDF.text_of(without_unicode_font, "Nurhayati Ṣalih – Notulis") == "Nurhayati Salih - Notulis"
    )
