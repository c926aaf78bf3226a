"""The one check of uploaded files (evidence, signed attendance sheets, meeting documents).

The type is read from the content (magic bytes via `filetype`, and Pillow for images), never
from the name or the browser's claim. Each file is at most `MAX_UPLOAD_SIZE` bytes; one
submission carries at most `MAX_UPLOAD_FILES` files and `MAX_UPLOAD_TOTAL_SIZE` bytes. Stored
and downloaded names are normalised and end with the extension of the detected type, so a PDF
uploaded as `pwn.html` is kept and downloaded as `pwn.pdf`.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Accepted content types and the extension their files are stored and downloaded with.
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}
ACCEPT = ",".join(ALLOWED_TYPES)


def limits_text() -> str:
    return _("PDF, JPEG, PNG or WebP; at most %(size)s each, %(count)s files and %(total)s together.") % {
        "size": filesizeformat(settings.MAX_UPLOAD_SIZE),
        "count": settings.MAX_UPLOAD_FILES,
        "total": filesizeformat(settings.MAX_UPLOAD_TOTAL_SIZE),
    }


def inspect_upload(upload) -> str:
    """The detected content type of an acceptable file; ValidationError otherwise."""
    from PIL import Image

    if upload.size > settings.MAX_UPLOAD_SIZE:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); the limit is %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.MAX_UPLOAD_SIZE),
            },
            code="size",
        )
    upload.seek(0)
    kind = filetype.guess(upload.read(2048))
    upload.seek(0)
    mime = kind.mime if kind else ""
    if mime not in ALLOWED_TYPES:
        raise ValidationError(
            _("%(name)s is not a PDF or an image (JPEG, PNG, WebP).") % {"name": upload.name}, code="type"
        )
    if mime.startswith("image/"):
        try:
            with Image.open(upload) as image:
                image.verify()
        except Exception as error:  # Pillow raises many kinds for broken files
            raise ValidationError(
                _("%(name)s is not a readable image.") % {"name": upload.name}, code="broken"
            ) from error
        finally:
            upload.seek(0)
    return mime


def inspect_uploads(uploads) -> list[str]:
    """The detected types of the files of one submission; ValidationError listing every
    problem (too many files, too much together, each file's own)."""
    errors = []
    if len(uploads) > settings.MAX_UPLOAD_FILES:
        errors.append(
            _("At most %(count)s files at a time.") % {"count": settings.MAX_UPLOAD_FILES},
        )
    total = sum(upload.size for upload in uploads)
    if total > settings.MAX_UPLOAD_TOTAL_SIZE:
        errors.append(
            _("The files are %(size)s together; the limit is %(limit)s.")
            % {"size": filesizeformat(total), "limit": filesizeformat(settings.MAX_UPLOAD_TOTAL_SIZE)}
        )
    if errors:
        raise ValidationError(errors, code="limits")
    types = []
    for upload in uploads:
        try:
            types.append(inspect_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return types


def safe_name(name: str, content_type: str, default: str = "file") -> str:
    """A normalised, storage-safe name (ASCII, no path, at most 80 characters before the
    extension) ending with the extension of the detected type."""
    stem = PurePath(PurePath((name or "").replace("\\", "/")).name).stem
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = get_valid_filename(stem.strip(" .")[:80]) if stem.strip(" ._-") else default
    return f"{stem.strip('.') or default}{ALLOWED_TYPES[content_type]}"


def download_name(original_name: str, content_type: str) -> str:
    """The name a stored upload is downloaded under: the uploader's name, normalised, with the
    extension of the type detected at upload (never the uploader's extension)."""
    if content_type not in ALLOWED_TYPES:
        return "file.bin"
    stem = PurePath(PurePath((original_name or "").replace("\\", "/")).name).stem
    stem = re.sub(r'[\x00-\x1f\x7f"*:<>?|/]+', "", unicodedata.normalize("NFC", stem)).strip(" .")[:80]
    return f"{stem or 'file'}{ALLOWED_TYPES[content_type]}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadsField(forms.FileField):
    """Files of one submission, checked together by `inspect_uploads`."""

    widget = MultipleFileInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("label", gettext_lazy("Files"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = [single(upload, initial) for upload in files]
        inspect_uploads(cleaned)
        return cleaned


class UploadField(forms.FileField):
    """One file, checked by `inspect_upload`; `cleaned_data` holds the upload, renamed by
    `safe_name`, with its detected `content_type`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ACCEPT

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload is not initial:
            upload.content_type = inspect_upload(upload)
            upload.original_name = upload.name
            upload.name = safe_name(upload.name, upload.content_type)
        return upload
