"""The bytes of a notification e-mail, as Django's `EmailMultiAlternatives.message().as_bytes()`
writes them, at a fraction of its cost.

Django builds a tree of `email.mime` objects and flattens it with the stdlib generator; for a
few-line message most of the dispatcher's time per message went there (header parsing,
charset objects, regular expressions compiled per boundary). The messages the outbox sends
have one shape (a text part, an HTML alternative, text attachments such as a meeting's
`.ics`), so this writes that shape directly. Anything outside it (a line longer than SMTP
allows, which Django sends quoted-printable; a non-text attachment or a non-ASCII file name)
returns None and the caller sends through Django. `test_mime.py` checks, for every message
template in both languages and for the awkward cases, that both give the same bytes but for
the Message-ID, the Date and the random MIME boundaries.
"""

from __future__ import annotations

import random
import re
import sys
from email import policy
from email.utils import formatdate
from functools import lru_cache

from django.conf import settings
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    forbid_multi_line_headers,
    sanitize_address,
)

_POLICY = policy.compat32.clone(linesep="\r\n")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))
# A header line the stdlib leaves as it is: printable ASCII, single spaces, short enough.
_PLAIN_HEADER = re.compile(r"[!-~]+(?: [!-~]+)*")


def _header(name: str, value: str) -> bytes:
    """One header line as the generator folds it (`compat32.fold_binary`)."""
    if len(name) + len(value) + 2 <= _POLICY.max_line_length and _PLAIN_HEADER.fullmatch(value):
        return f"{name}: {value}\r\n".encode("ascii")
    return _POLICY.fold_binary(name, value)


# A plain address (dot-atom ASCII, no display name) that Django's `sanitize_address` gives back
# unchanged; parsing it with the stdlib's header parser cost as much as building the message.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
)


def envelope_address(address: str) -> str:
    """What Django's SMTP backend gives the server as the envelope sender or recipient."""
    return address if _PLAIN_ADDRESS.fullmatch(address) else _sanitized(address)


@lru_cache(maxsize=256)
def _sanitized(address: str) -> str:
    return sanitize_address(address, settings.DEFAULT_CHARSET)


@lru_cache(maxsize=1024)
def _address_header(name: str, value: str) -> bytes:
    return _header(*forbid_multi_line_headers(name, value, settings.DEFAULT_CHARSET))


def _boundary() -> str:
    return "=" * 15 + f"{random.randrange(sys.maxsize):0{_BOUNDARY_DIGITS}d}" + "=="


def _text_part(content: str, subtype: str, extra: bytes = b"") -> bytes | None:
    """A `SafeMIMEText` part (headers and body), or None if Django would encode it."""
    if any(
        len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
        for line in content.splitlines()
    ):
        return None  # quoted-printable in Django
    body = _NEWLINES.sub("\r\n", content).encode(errors="surrogateescape")
    encoding = b"7bit" if body.isascii() else b"8bit"
    return (
        b"Content-Type: text/" + subtype.encode("ascii") + b'; charset="utf-8"\r\n'
        b"MIME-Version: 1.0\r\n"
        b"Content-Transfer-Encoding: " + encoding + b"\r\n" + extra + b"\r\n" + body
    )


def _multipart(subtype: str, parts: list[bytes], headers: bytes = b"") -> tuple[bytes, bytes]:
    """(headers, body) of a multipart: `parts` between boundaries."""
    boundary = _boundary()
    delimiter = f"--{boundary}".encode("ascii")
    if any(delimiter in part for part in parts):
        boundary = _boundary()  # as unlikely as two equal random 63-bit numbers, twice
        delimiter = f"--{boundary}".encode("ascii")
    body = delimiter + b"\r\n" + (b"\r\n" + delimiter + b"\r\n").join(parts) + b"\r\n" + delimiter + b"--\r\n"
    head = _header("Content-Type", f'multipart/{subtype}; boundary="{boundary}"') + b"MIME-Version: 1.0\r\n"
    return head + headers, body


def email_bytes(
    *,
    subject: str,
    text: str,
    html: str,
    from_email: str,
    to: str,
    headers: dict[str, str],
    attachments: list[tuple[str, bytes | str, str]],
) -> bytes | None:
    """The message as Django would send it, or None when it is not of the shape written here."""
    if settings.DEFAULT_CHARSET != "utf-8" or not text:
        return None
    body = _text_part(text, "plain")
    alternative = _text_part(html, "html") if html else b""
    if body is None or alternative is None:
        return None
    extras = []
    for filename, content, mimetype in attachments:
        basetype, subtype = mimetype.split("/", 1)
        if basetype != "text" or not _PLAIN_HEADER.fullmatch(filename) or '"' in filename or "\\" in filename:
            return None  # Django encodes the file name (RFC 2231) or sends the file base64
        if isinstance(content, bytes):
            try:
                content = content.decode()
            except UnicodeDecodeError:
                return None  # Django sends it as application/octet-stream
        disposition = _header("Content-Disposition", f'attachment; filename="{filename}"')
        part = _text_part(content, subtype, disposition)
        if part is None:
            return None
        extras.append(part)
    top_headers = b"".join(
        [
            _header(*forbid_multi_line_headers("Subject", subject, "utf-8")),
            _address_header("From", from_email),
            _address_header("To", to),
            _header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
            *(_header(*forbid_multi_line_headers(name, value, "utf-8")) for name, value in headers.items()),
        ]
    )
    if html:
        head, content = _multipart("alternative", [body, alternative])
        body = head + b"\r\n" + content
    if extras:
        head, content = _multipart("mixed", [body, *extras], top_headers)
        return head + b"\r\n" + content
    # The message's own headers come after those of its (outermost) part.
    head, content = body.split(b"\r\n\r\n", 1)
    return head + b"\r\n" + top_headers + b"\r\n" + content
