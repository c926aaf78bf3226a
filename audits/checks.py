"""System checks: with DEBUG off the portal refuses to start without the audit keys."""

from django.conf import settings
from django.core import checks

from .crypto import keys_configured

KEYS_MISSING = (
    "AUDITS_FERNET_KEYS and AUDITS_NIK_HMAC_KEY must be set when DEBUG is off: "
    "the NIK and names of audited people are encrypted with them."
)


def keys_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.DEBUG or keys_configured():
        return []
    return [
        checks.Error(
            KEYS_MISSING,
            hint="Generate a key with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'",
            id="audits.E001",
        )
    ]
