"""One-tap links: the one signed-token scheme for every link that stands in for a login.

Modelled on `django.contrib.auth.tokens.PasswordResetTokenGenerator`: the token names one
person, one object and when it was made, and carries an HMAC over those and the *action*
(so a progress link cannot answer an invitation). It logs nobody in: the receiving view
reads it with `default_token_generator.check_token(token, action=...)` and performs only
that action for that person.

Apps declare their actions with `register(OneTapAction(...))`. Messages never store a link:
they store `one_tap_link(action, obj)`, a marker without any secret, and the outbox renders it
into the recipient's own URL when the message is sent (`resolve_links`). So nobody who reads
the outbox (admin, database dumps) can act as a recipient.

Keys: `ONE_TAP_SECRET` (default `SECRET_KEY`) signs; `ONE_TAP_SECRET_FALLBACKS` (default
`SECRET_KEY_FALLBACKS`) are still accepted, so a key can be rotated without breaking the
links already sent. Replacing the key without a fallback revokes every link.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.db import models
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.decorators import decorator_from_middleware
from django.utils.http import base36_to_int, int_to_base36
from django.views.decorators.csrf import csrf_exempt

# The shape of a token (person-object-time-hash); `TOKEN_RE` lets the log filter redact it.
TOKEN_RE = re.compile(r"\b[0-9a-z]{1,13}-[0-9a-z]{1,13}-[0-9a-z]{1,13}-[0-9a-f]{32}\b")


class InvalidToken(Exception):
    """The token is malformed, forged, for another action, or its person/object is gone."""


class ExpiredToken(InvalidToken):
    """The token was valid but is older than its action allows."""


@dataclass(frozen=True)
class OneTapAction:
    name: str
    model: str  # "app_label.ModelName" of the object the link acts on
    max_age: timedelta
    path: Callable[[models.Model, str], str]  # (object, token) -> the page's path


_actions: dict[str, OneTapAction] = {}


def register(action: OneTapAction) -> OneTapAction:
    _actions[action.name] = action
    return action


def get_action(name: str) -> OneTapAction:
    return _actions[name]


class OneTapTokenGenerator:
    key_salt = "portal.tokens.OneTapTokenGenerator"
    algorithm = "sha256"

    @property
    def secret(self) -> str:
        return getattr(settings, "ONE_TAP_SECRET", "") or settings.SECRET_KEY

    @property
    def secret_fallbacks(self) -> list[str]:
        fallbacks = getattr(settings, "ONE_TAP_SECRET_FALLBACKS", None)
        return settings.SECRET_KEY_FALLBACKS if fallbacks is None else fallbacks

    def make_token(self, *, user, action: str, obj: models.Model) -> str:
        return self._make_token(user.pk, action, obj.pk, self._num_seconds(self._now()), self.secret)

    def check_token(self, token: str, *, action: str) -> tuple:
        """(person, object) the token was made for; InvalidToken or ExpiredToken otherwise."""
        spec = get_action(action)
        try:
            user_b36, obj_b36, ts_b36, _hash = token.split("-")
            user_pk, obj_pk, ts = base36_to_int(user_b36), base36_to_int(obj_b36), base36_to_int(ts_b36)
        except (ValueError, AttributeError):
            raise InvalidToken("malformed") from None
        if not any(
            constant_time_compare(self._make_token(user_pk, action, obj_pk, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            raise InvalidToken("signature")
        if self._num_seconds(self._now()) - ts > spec.max_age.total_seconds():
            raise ExpiredToken("expired")
        user = apps.get_model(settings.AUTH_USER_MODEL)._default_manager.filter(pk=user_pk, is_active=True)
        obj = apps.get_model(spec.model)._default_manager.filter(pk=obj_pk)
        user, obj = user.first(), obj.first()
        if user is None or obj is None:
            raise InvalidToken("person or object no longer exists")
        return user, obj

    def _make_token(self, user_pk: int, action: str, obj_pk: int, timestamp: int, secret: str) -> str:
        value = f"{user_pk}|{action}|{obj_pk}|{timestamp}"
        digest = salted_hmac(self.key_salt, value, secret=secret, algorithm=self.algorithm).hexdigest()[::2]
        return f"{int_to_base36(user_pk)}-{int_to_base36(obj_pk)}-{int_to_base36(timestamp)}-{digest}"

    def _num_seconds(self, moment: datetime) -> int:
        return int((moment - datetime(2001, 1, 1)).total_seconds())

    def _now(self) -> datetime:
        return datetime.now()


default_token_generator = OneTapTokenGenerator()


def one_tap_url(*, user, action: str, obj: models.Model, query: str = "") -> str:
    """The absolute one-tap URL for this person; build it only for a message being sent."""
    token = default_token_generator.make_token(user=user, action=action, obj=obj)
    url = settings.SITE_URL + get_action(action).path(obj, token)
    return f"{url}?{query}" if query else url


def one_tap_link(action: str, obj: models.Model, query: str = "") -> dict:
    """A JSON marker for a message's context: becomes the recipient's URL when rendered."""
    get_action(action)  # fail early on an undeclared action
    return {"one_tap": action, "pk": obj.pk, "query": query}


def is_link(value) -> bool:
    return isinstance(value, dict) and set(value) == {"one_tap", "pk", "query"}


def resolve_links(value, user, objects: dict | None = None):
    """`value` with every `one_tap_link` marker replaced by `user`'s URL ("" when its object
    is gone). `objects`: the markers' objects loaded beforehand (`link_objects`), else each
    is read here."""
    if is_link(value):
        spec = get_action(value["one_tap"])
        if objects is None:
            obj = apps.get_model(spec.model)._default_manager.filter(pk=value["pk"]).first()
        else:
            obj = objects.get((spec.model, str(value["pk"])))
        if obj is None:
            return ""
        return one_tap_url(user=user, action=spec.name, obj=obj, query=value["query"])
    if isinstance(value, dict):
        return {key: resolve_links(item, user, objects) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_links(item, user, objects) for item in value]
    return value


def _links_in(value) -> Iterator[dict]:
    if is_link(value):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _links_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _links_in(item)


def link_objects(values: Iterable) -> dict:
    """The objects the one-tap markers in `values` act on, one query per model: for
    `resolve_links` over a batch of messages."""
    wanted = defaultdict(set)
    for value in values:
        for link in _links_in(value):
            wanted[get_action(link["one_tap"]).model].add(link["pk"])
    found = {}
    for label, pks in wanted.items():
        found |= {
            (label, str(obj.pk)): obj for obj in apps.get_model(label)._default_manager.filter(pk__in=pks)
        }
    return found


def redact(text: str) -> str:
    """`text` with every one-tap token replaced by "…" (for logs and stored message copies)."""
    return TOKEN_RE.sub("…", text)


class _TokenOnlyCsrf(CsrfViewMiddleware):
    """Django's CSRF token check without its Origin/Referer checks: under `no-referrer`
    browsers send `Origin: null` and no Referer, which those checks refuse. The CSRF token
    must still match, and the page acts only on the secret token in its URL anyway."""

    def _origin_verified(self, request) -> bool:
        return request.META.get("HTTP_ORIGIN") == "null" or super()._origin_verified(request)

    def _check_referer(self, request) -> None:
        return None


def one_tap_page(view):
    """For the page a one-tap link opens. Its URL carries a personal token, so the answer is
    never cached (`no-store`) and no Referer header carries the token anywhere
    (`no-referrer`)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        response["Referrer-Policy"] = "no-referrer"
        return response

    # Exempt from the global CSRF middleware, checked by the token-only variant instead.
    return csrf_exempt(decorator_from_middleware(_TokenOnlyCsrf)(wrapper))
