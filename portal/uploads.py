"""The one check of uploaded files (evidence, signed attendance sheets, meeting documents).

The type is read from the content (magic bytes via `filetype`, and Pillow for images), never
from the name or the browser's claim. Each file is at most `MAX_UPLOAD_SIZE` bytes; one
submission carries at most `MAX_UPLOAD_FILES` files and `MAX_UPLOAD_TOTAL_SIZE` bytes. Stored
and downloaded names are normalised and end with the extension of the detected type, so a PDF
uploaded as `pwn.html` is kept and downloaded as `pwn.pdf`.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import PurePath

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
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

# Photos are kept at most this many pixels on their long side (a phone's 12 MP picture becomes a
# few hundred kB; a signed attendance sheet stays readable). The browser scales them first
# (static/portal/photos.js); the server does it again for uploads that come without the script.
PHOTO_MAX_SIDE = 1600
PHOTO_QUALITY = 82


def limits_text() -> str:
    limits = _("PDF, JPEG, PNG or WebP; at most %(size)s each, %(count)s files and %(total)s together.") % {
        "size": filesizeformat(settings.MAX_UPLOAD_SIZE),
        "count": settings.MAX_UPLOAD_FILES,
        "total": filesizeformat(settings.MAX_UPLOAD_TOTAL_SIZE),
    }
    return limits + " " + _("Photos are made smaller on your phone before sending.")


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


def scale_photo(upload, content_type: str):
    """The upload and its type, a photo over PHOTO_MAX_SIDE re-encoded as a JPEG of that size
    (turned upright as the camera noted). Other files, and smaller photos, are left as they are."""
    from PIL import Image, ImageOps

    if not content_type.startswith("image/"):
        return upload, content_type
    upload.seek(0)
    with Image.open(upload) as image:
        if max(image.size) <= PHOTO_MAX_SIDE:
            upload.seek(0)
            return upload, content_type
        picture = ImageOps.exif_transpose(image)
        picture.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
        if picture.mode != "RGB":
            # Transparent parts of a PNG or WebP become white, as on paper.
            canvas = Image.new("RGB", picture.size, "white")
            canvas.paste(picture, mask=picture.getchannel("A") if "A" in picture.getbands() else None)
            picture = canvas
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=PHOTO_QUALITY, optimize=True)
    size = out.tell()
    out.seek(0)
    # The uploader's name stays: stored and downloaded names take the extension of the type.
    scaled = InMemoryUploadedFile(
        out, getattr(upload, "field_name", None), upload.name, "image/jpeg", size, None
    )
    return scaled, "image/jpeg"


def accept_uploads(uploads) -> list[tuple[object, str]]:
    """The one way an upload is taken in: the files of one submission checked together
    (`inspect_uploads`), photos scaled down (`scale_photo`); each with its detected type."""
    return [scale_photo(upload, mime) for upload, mime in zip(uploads, inspect_uploads(uploads), strict=True)]


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


def photo_attrs() -> dict:
    """For static/portal/photos.js (loaded on every page): scale photos down and refuse
    oversized files in the browser, before a weak signal spends minutes sending them."""
    return {
        "accept": ACCEPT,
        "data-max-bytes": settings.MAX_UPLOAD_SIZE,
        "data-max-side": PHOTO_MAX_SIDE,
        "data-shrunk-text": _("%(count)s photo(s) made smaller for sending."),
        "data-too-big-text": _("Too large to send (at most %(limit)s):")
        % {"limit": filesizeformat(settings.MAX_UPLOAD_SIZE)}
        + " %(names)s",
    }


class PhotoFileInput(forms.ClearableFileInput):
    """A file input carrying `photo_attrs`, read when rendered (settings and language of now)."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, value, {**photo_attrs(), **(attrs or {})})


class MultipleFileInput(PhotoFileInput):
    allow_multiple_selected = True


class UploadsField(forms.FileField):
    """Files of one submission, checked together and photos scaled (`accept_uploads`); each
    keeps the uploader's name and carries its detected `content_type`."""

    widget = MultipleFileInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", gettext_lazy("Files"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = []
        for upload, mime in accept_uploads([single(upload, initial) for upload in files]):
            upload.content_type = mime
            cleaned.append(upload)
        return cleaned


class UploadField(forms.FileField):
    """One file, checked and scaled like every upload (`accept_uploads`); `cleaned_data` holds
    the upload, renamed by `safe_name`, with its detected `content_type` and `original_name`."""

    widget = PhotoFileInput

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and upload is not initial:
            [(upload, mime)] = accept_uploads([upload])
            upload.content_type = mime
            upload.original_name = upload.name
            upload.name = safe_name(upload.name, mime)
        return upload
