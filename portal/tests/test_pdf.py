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


def pdf_pages(body: bytes) -> list[str]:
    import io

    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def test_the_base_prints_the_letterhead_and_page_numbers_on_every_page():
    from django.utils import translation

    from portal.pdf import PortalPDF

    with translation.override("id"):
        pdf = PortalPDF(title="Daftar", letterhead="TPPS Kabupaten Tapin")
        for n in range(120):
            pdf.line_text(f"Baris {n}")
        pages = pdf_pages(pdf.render())

    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "TPPS KABUPATEN TAPIN" in text
        assert f"Halaman {number} dari {len(pages)}" in text


def test_a_long_table_cell_wraps_and_is_never_cut():
    from portal.pdf import PortalPDF

    long_name = "Dinas Pengendalian Penduduk dan Keluarga Berencana Kabupaten Tapin " * 2 + "UJUNG"
    pdf = PortalPDF(title="Daftar")
    pdf.table(["No", "Nama", "Instansi"], [["1", "Ṣalihah", long_name]], (10, 50, 60))

    text = "".join(pdf_pages(pdf.render())).replace("\n", " ")

    assert "UJUNG" in text and "Ṣalihah" in text
