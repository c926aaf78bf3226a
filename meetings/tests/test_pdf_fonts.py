from types import SimpleNamespace

from meetings.pdf import MeetingPDF


def test_meeting_pdf_core_font_fallback_transliterates_instead_of_question_marks():
    without_unicode_font = SimpleNamespace(unicode=False)
    assert MeetingPDF.clean(without_unicode_font, "Nurhayati Ṣalih – Notulis") == "Nurhayati Salih - Notulis"
