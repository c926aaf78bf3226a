"""Personal data of audited people: NIK and name encrypted at rest, NIK matched on a keyed hash.

Keys come from the environment (or Django settings of the same name, which tests use):

- `AUDITS_FERNET_KEYS`: comma-separated Fernet keys, the first is the current one; older keys
  still decrypt until `manage.py rotate_audit_keys` has re-encrypted every row with the first.
- `AUDITS_NIK_HMAC_KEY`: the secret of the NIK hash (never rotated: it is how the same person
  is found across rounds).

Both may also come from a file named by `<NAME>_FILE`. With DEBUG on and nothing set, keys
are derived from SECRET_KEY so `make run` works; with DEBUG off the portal refuses to start
(system check `audits.E001`) and every encryption refuses to run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "keys_configured", "mask_nik", "nik_hash", "rotate"]


def _read(name: str) -> str:
    value = getattr(settings, name, None)
    if value:
        return ",".join(value) if isinstance(value, list | tuple) else str(value)
    path = os.getenv(f"{name}_FILE")
    if path:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    return os.getenv(name, "").strip()


def keys_configured() -> bool:
    return bool(_read("AUDITS_FERNET_KEYS") and _read("AUDITS_NIK_HMAC_KEY"))


def _dev_key(purpose: str) -> bytes:
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "AUDITS_FERNET_KEYS and AUDITS_NIK_HMAC_KEY are required when DEBUG is off "
            "(generate a key with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')."
        )
    return hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _fernet() -> MultiFernet:
    raw = _read("AUDITS_FERNET_KEYS")
    if raw:
        keys = [Fernet(key.strip()) for key in raw.split(",") if key.strip()]
    else:
        keys = [Fernet(base64.urlsafe_b64encode(_dev_key("audits-fernet")))]
    return MultiFernet(keys)


def _hmac_key() -> bytes:
    raw = _read("AUDITS_NIK_HMAC_KEY")
    return raw.encode() if raw else _dev_key("audits-nik-hmac")


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same plaintext under the current (first) key."""
    if not token:
        return ""
    return _fernet().rotate(token.encode()).decode()


def nik_hash(nik: str) -> str:
    """Keyed hash of a NIK: equal for the same person in every round, useless without the key."""
    if not nik:
        return ""
    return hmac.new(_hmac_key(), nik.encode(), hashlib.sha256).hexdigest()


def mask_nik(nik: str) -> str:
    """`6305********0001`: the region part and the last four digits only."""
    if len(nik) != 16:
        return "*" * len(nik)
    return f"{nik[:4]}{'*' * 8}{nik[-4:]}"


def mask_name(name: str) -> str:
    """Initials only ("Siti Aminah" -> "S*** A*****")."""
    return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split() if part)
