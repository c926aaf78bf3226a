"""The NIK (Nomor Induk Kependudukan): 16 digits, PP KK CC DDMMYY NNNN.

Digits 1-2 are the province, 3-4 the kabupaten/kota, 5-6 the kecamatan; 7-12 the birth date
(women add 40 to the day); 13-16 a serial number.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def region_prefix(kabupaten_code: str) -> str:
    """ "63.05" -> "6305": what the first four digits of a NIK issued there are."""
    return "".join(kabupaten_code.split(".")[:2])


def birth_date(nik: str, today: date | None = None) -> date | None:
    """The birth date encoded in the NIK, or None when it is not a real date."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    today = today or timezone.localdate()
    century = 2000 if 2000 + year <= today.year else 1900
    try:
        return date(century + year, month, day)
    except ValueError:
        return None


def normalise(value: str) -> str:
    return "".join(ch for ch in value or "" if not ch.isspace() and ch not in ".-")


def validate_nik(nik: str, kabupaten_code: str) -> str:
    """The normalised NIK, or a ValidationError saying in plain words what is wrong."""
    nik = normalise(nik)
    if len(nik) != 16 or not nik.isdigit():
        raise ValidationError(_("A NIK has exactly 16 digits."), code="nik_length")
    if nik[:4] != region_prefix(kabupaten_code):
        raise ValidationError(
            _("This NIK was not issued in this kabupaten: it must start with %(prefix)s.")
            % {"prefix": region_prefix(kabupaten_code)},
            code="nik_region",
        )
    born = birth_date(nik)
    if born is None:
        raise ValidationError(
            _(
                "The birth date in this NIK (digits 7 to 12, DDMMYY; women add 40 to the day) is not a real date."
            ),
            code="nik_birth_date",
        )
    if nik[12:] == "0000":
        raise ValidationError(_("The last four digits of a NIK cannot be 0000."), code="nik_serial")
    return nik
