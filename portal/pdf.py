"""The one base of the portal's fpdf2 documents (daftar hadir, notulen / berita acara,
participant lists, certificates): `PortalPDF` gives fonts, the letterhead, page numbers,
Unicode text and tables whose cells wrap (text is never cut at a number of characters).

fpdf2 ships only the PDF core fonts, which draw Latin-1 and nothing else: a name such as
"Nurhayati Ṣalih" would print as "Nurhayati ?alih". When a Unicode TTF is on the machine
(DejaVu Sans, in the folders of settings.PDF_FONT_DIRS; Debian's fonts-dejavu-core by default)
it is embedded; otherwise the core font is used with an ASCII transliteration of the text.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

DEFAULT_FONT_DIRS = ["/usr/share/fonts/truetype/dejavu"]
UNICODE_FAMILY = "DejaVu"
CORE_FAMILY = "helvetica"
# Font subsetting logs every glyph table at INFO; that is noise in the server log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Letters that NFKD does not decompose into an ASCII base letter.
_ASCII_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
        "þ": "th",
        "Þ": "Th",
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "•": "-",
    }
)


def font_files() -> tuple[Path, Path] | None:
    """The regular and bold DejaVu Sans TTF, from the first configured folder holding both."""
    for folder in getattr(settings, "PDF_FONT_DIRS", DEFAULT_FONT_DIRS):
        regular, bold = Path(folder) / "DejaVuSans.ttf", Path(folder) / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def core_font_text(value) -> str:
    """ASCII for the core font: accents dropped (NFKD), never a "?" for a letter it cannot draw."""
    text = unicodedata.normalize("NFKD", "" if value is None else str(value)).translate(_ASCII_LETTERS)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.encode("ascii", "ignore").decode("ascii")


@dataclass(frozen=True)
class PdfFonts:
    family: str
    unicode: bool

    def text(self, value) -> str:
        """The text as this font can draw it."""
        if self.unicode:
            return "" if value is None else str(value)
        return core_font_text(value)


def setup_fonts(pdf: FPDF) -> PdfFonts:
    """Register the Unicode font on `pdf` when available; use `family` in set_font() and
    `text()` on every string drawn."""
    files = font_files()
    if files is None:
        return PdfFonts(CORE_FAMILY, unicode=False)
    pdf.add_font(UNICODE_FAMILY, "", str(files[0]))
    pdf.add_font(UNICODE_FAMILY, "B", str(files[1]))
    return PdfFonts(UNICODE_FAMILY, unicode=True)


class PortalPDF(FPDF):
    """A4 document with the portal's fonts, an optional letterhead on every page (`letterhead`:
    the issuing body, e.g. "TPPS KABUPATEN TAPIN") and "Page x of y" in the footer."""

    def __init__(
        self, *, title: str, letterhead: str = "", orientation: str = "P", page_numbers: bool = True
    ) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.portal_fonts = setup_fonts(self)
        self.letterhead = letterhead
        self.page_numbers = page_numbers
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(self.text_of(title))
        self.set_creator("Portal TPPS")
        self.alias_nb_pages()
        self.add_page()

    # -- text -------------------------------------------------------------
    def text_of(self, value) -> str:
        """The text as the current font can draw it (see PdfFonts.text)."""
        return self.portal_fonts.text(value)

    def font(self, size: float = 10, bold: bool = False) -> None:
        self.set_font(self.portal_fonts.family, "B" if bold else "", size)

    def line_text(self, text, size: float = 10, bold: bool = False, align: str = "L", h: float = 6) -> None:
        """A paragraph over the whole width, wrapped (never cut)."""
        self.font(size, bold)
        self.multi_cell(0, h, self.text_of(text), align=align, new_x="LMARGIN", new_y="NEXT")

    def table(self, headings: list[str], rows: list[list], widths: tuple, row_height: float = 7) -> None:
        """A table with a shaded heading row repeated on every page; long cells wrap."""
        self.font(9)
        style = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
        with super().table(
            col_widths=widths, headings_style=style, line_height=row_height, text_align="LEFT"
        ) as table:
            header = table.row()
            for heading in headings:
                header.cell(self.text_of(heading))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self.text_of(value))

    # -- page furniture -----------------------------------------------------
    def header(self) -> None:
        if not self.letterhead:
            return
        self.font(8, bold=True)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, self.text_of(self.letterhead.upper()), align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(180, 180, 180)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_text_color(0, 0, 0)
        self.set_draw_color(0, 0, 0)
        self.ln(3)

    def footer(self) -> None:
        if not self.page_numbers:
            return
        self.set_y(-12)
        self.font(8)
        self.set_text_color(90, 90, 90)
        label = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(0, 6, self.text_of(label), align="C")
        self.set_text_color(0, 0, 0)

    def render(self) -> bytes:
        return bytes(self.output())
