from fpdf import FPDF

from portal.pdf import core_font_text, setup_fonts


def test_core_font_text_transliterates_to_ascii_and_never_prints_a_question_mark():
    assert core_font_text("Nurhayati Ṣalih") == "Nurhayati Salih"
    assert core_font_text("Đặng Thị Hương – Ketua") == "Dang Thi Huong - Ketua"
    assert core_font_text("Jörg Straße, Łódź") == "Jorg Strasse, Lodz"
    assert core_font_text(None) == ""
    assert core_font_text(0) == "0"


def test_without_a_font_folder_the_core_font_is_used(settings, tmp_path):
    settings.PDF_FONT_DIRS = [str(tmp_path)]
    fonts = setup_fonts(FPDF())
    assert (fonts.family, fonts.unicode) == ("helvetica", False)
    assert fonts.text("Ṣalih") == "Salih"


def test_with_dejavu_the_unicode_font_keeps_the_text():
    fonts = setup_fonts(FPDF())
    assert fonts.unicode, "DejaVu Sans must be installed (Debian: fonts-dejavu-core)"
    assert fonts.text("Ṣalih") == "Ṣalih"
