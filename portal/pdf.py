"""Fonts for the portal's fpdf2 documents (certificates, attendance sheets, minutes).

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
from fpdf import FPDF

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
