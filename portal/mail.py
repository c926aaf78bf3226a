"""The SMTP backend: Django's, without three costs a message pays that do not depend on it.

Django builds a message with the standard library's compat32 e-mail classes, and writing it
out for SMTP (profiled on the reminder dispatcher, which sends hundreds a minute) spent most
of its Python:
- re-folding every header (about 17 a message) through `email.header.Header`, which splits
  and rejoins a short ASCII value only to give it back unchanged;
- checking each multipart boundary against the text with a regular expression compiled for
  that boundary alone;
- parsing the same sender's address with the modern header parser again for every message.

`EmailBackend` writes the same bytes with a compat32 policy that returns a header as it is
where compat32's folding would (printable ASCII words, single spaces, fitting on its line:
tested against `Header` itself), a boundary checked by substring (a random 128-bit one, so
the check is a formality), and sanitized addresses kept (a pure function of address and
charset). Everything else is Django's: addresses are still checked, long and non-ASCII
headers still folded and encoded by the standard library.
"""

from __future__ import annotations

import re
import secrets
import smtplib
from email import generator
from email._policybase import Compat32
from functools import lru_cache
from io import BytesIO

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address

# Printable ASCII words separated by single spaces: compat32 writes such a value unchanged
# when it fits on its line (`name: value`).
_AS_IS = re.compile(r"[!-~]+(?: [!-~]+)*\Z")


class _Policy(Compat32):
    def _fold(self, name, value, sanitize):
        limit = self.max_line_length or 0
        if (
            isinstance(value, str)
            and (not limit or len(name) + 2 + len(value) <= limit)
            and (not value or _AS_IS.match(value))
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


POLICY = _Policy()


class _Generator(generator.BytesGenerator):
    @classmethod
    def _make_boundary(cls, text=None):
        # `text`: the parts as written, bytes here (str in the standard library's Generator).
        while True:
            boundary = f"==============={secrets.token_hex(16)}=="
            if text is None or (boundary.encode() if isinstance(text, bytes) else boundary) not in text:
                return boundary


def as_bytes(message, linesep: str = "\r\n") -> bytes:
    """What Django's `message.as_bytes(linesep=...)` writes (up to the boundaries it picks)."""
    out = BytesIO()
    _Generator(out, mangle_from_=False, policy=POLICY).flatten(message, linesep=linesep)
    return out.getvalue()


@lru_cache(maxsize=4096)
def _sanitized(address, encoding: str) -> str:
    return sanitize_address(address, encoding)


def sanitized(address, encoding: str) -> str:
    if isinstance(address, (str, tuple)):
        return _sanitized(address, encoding)
    return sanitize_address(address, encoding)  # e.g. a lazy string: not kept


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend (connection, TLS, timeouts, locking: all its own), sending the
    bytes `as_bytes` writes."""

    def _send(self, email_message):
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitized(email_message.from_email, encoding)
        recipients = [sanitized(address, encoding) for address in email_message.recipients()]
        message = email_message.message()
        try:
            self.connection.sendmail(from_email, recipients, as_bytes(message))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
