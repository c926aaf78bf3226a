"""One-tap links in emails: a signed token naming one person, one action and one object.

The token does not log anyone in: the view that receives it (e.g. a meeting's RSVP page)
checks it with `read_one_tap_token(token, action=...)` and performs only that action for
that person, after a confirmation POST. Tokens expire (default 30 days) and cannot be
reused for another action or object.
"""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.core import signing
from django.db import models

from ..models import User

SALT = "portal.notifications.one-tap"
MAX_AGE = timedelta(days=30)


def one_tap_token(*, user: User, action: str, obj: models.Model) -> str:
    return signing.dumps(
        {"u": user.pk, "a": action, "o": [obj._meta.label, str(obj.pk)]}, salt=SALT, compress=True
    )


def read_one_tap_token(token: str, *, action: str, max_age: timedelta = MAX_AGE) -> tuple[User, models.Model]:
    """Return (person, object); raise signing.BadSignature (or SignatureExpired) if not valid."""
    data = signing.loads(token, salt=SALT, max_age=max_age)
    if data.get("a") != action:
        raise signing.BadSignature("token made for another action")
    label, pk = data["o"]
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    obj = apps.get_model(label)._default_manager.filter(pk=pk).first()
    if user is None or obj is None:
        raise signing.BadSignature("person or object no longer exists")
    return user, obj
