from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_IMPORT_BYTES = 5 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a zip archive


class CaseImportForm(forms.Form):
    file = forms.FileField(
        label=_("XLSX file"), help_text=_("At most 5 MB; the first row names the columns.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        head = upload.read(4)
        upload.seek(0)
        if head != XLSX_MAGIC:
            raise ValidationError(_("This is not an XLSX workbook."))
        return upload
