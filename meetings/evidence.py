"""Checks of evidence uploads: the type is read from the content (magic bytes, and Pillow for
images), never from the name or the browser's claim; the size is capped by MAX_UPLOAD_SIZE."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

# Accepted content types and the extension stored files get.
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}


def max_size_mb() -> str:
    return f"{settings.MAX_UPLOAD_SIZE / 1048576:.0f}"


def inspect_upload(upload) -> str:
    """The content type of an acceptable evidence file; ValidationError otherwise."""
    import filetype
    from PIL import Image

    if upload.size > settings.MAX_UPLOAD_SIZE:
        raise ValidationError(
            _("%(name)s is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": upload.name, "size": f"{upload.size / 1048576:.1f}", "limit": max_size_mb()},
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


def safe_name(name: str, content_type: str) -> str:
    """A storage-safe file name whose extension matches the detected content."""
    stem = PurePath(PurePath(name or "").name).stem[:80]
    try:
        stem = get_valid_filename(stem)
    except SuspiciousFileOperation:  # an empty or dots-only name
        stem = "evidence"
    return f"{stem}{ALLOWED_TYPES[content_type]}"
