"""A user's roles and permissions, kept in the shared cache between requests.

Every page needs them (the menu, the access mixins, the region scope): read from the database
they are two queries per request. Here they are one cache read, valid while

- the generation token is unchanged: any write to role assignments, organisations, groups,
  permissions or a user's groups or own permissions renews it (immediately, and again when the
  transaction commits, so an entry computed meanwhile from the data before the commit is never
  served after it). Such writes are rare: renewing for everyone keeps the rule simple;
- the user row still says the same about them (superuser, active, organisation, the account
  itself): a change there needs no signal, the next request sees it;
- USER_CACHE_SECONDS have not passed, which bounds what a missed invalidation (a cache outage
  at the moment of a write) could cost.

0 seconds turns it off: the default without Redis, where each process would keep its own copy
that a write in another process could not drop. Any cache failure falls back to the database.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction

logger = logging.getLogger(__name__)

# Bump when the shape of a cached value changes, so a deploy never reads the old shape.
FORMAT = 2


def _generation_key() -> str:
    return f"{settings.USER_CACHE_PREFIX}:generation"


def _entry_key(user) -> str:
    return f"{settings.USER_CACHE_PREFIX}:{FORMAT}:{user.pk}"


def _stamp(user) -> tuple:
    # date_joined tells a recreated account (a restored or regenerated database) from the old one.
    return (user.pk, user.date_joined, user.is_superuser, user.is_active, user.organisation_id)


def rights_of(user, compute: Callable[[], tuple[set[str], list]]) -> tuple[set[str], list]:
    """(permissions, role assignments) of the user: cached while valid, else `compute()`."""
    return _kept(user, _entry_key(user), compute)


def fact(user, name: str, compute: Callable[[], object]):
    """A small value about the user (e.g. "is in a team") kept like their rights: the app that
    declares it must call renew() on every write it depends on."""
    return _kept(user, f"{_entry_key(user)}:{name}", compute)


def _kept(user, key: str, compute: Callable[[], object]):
    """The value stored under `key` while the generation and the user's stamp are unchanged,
    else `compute()` (stored for next time)."""
    if not settings.USER_CACHE_SECONDS or user.pk is None:
        return compute()
    try:
        found = cache.get_many([_generation_key(), key])
    except Exception:
        logger.warning("user cache: could not read", exc_info=True)
        return compute()
    generation, entry = found.get(_generation_key()), found.get(key)
    if generation is not None and entry is not None and entry[:2] == (generation, _stamp(user)):
        return entry[2]
    if generation is None:
        generation = _start_generation()
    value = compute()
    if generation is not None:
        try:
            cache.set(key, (generation, _stamp(user), value), timeout=settings.USER_CACHE_SECONDS)
        except Exception:
            logger.warning("user cache: could not store", exc_info=True)
    return value


def _start_generation() -> str | None:
    try:
        cache.add(_generation_key(), secrets.token_hex(8), timeout=None)
        return cache.get(_generation_key())
    except Exception:
        logger.warning("user cache: could not start the generation", exc_info=True)
        return None


def renew() -> None:
    """Every cached entry stops being valid, now and when the current transaction commits."""
    _renew()
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    # Once per transaction on commit (an import writes thousands of rows). Django replaces its
    # list of commit callbacks when the transaction commits or rolls back.
    if getattr(connection, "_user_cache_pending", None) is not connection.run_on_commit:
        connection._user_cache_pending = connection.run_on_commit
        transaction.on_commit(_renew, robust=True)


def _renew() -> None:
    try:
        cache.set(_generation_key(), secrets.token_hex(8), timeout=None)
    except Exception:
        logger.warning("user cache: could not renew the generation", exc_info=True)


def on_write(sender, **kwargs) -> None:
    """Signal receiver (portal.signals) for every write the cached rights depend on."""
    if kwargs.get("action", "post_").startswith("post_"):
        renew()


class RenewingQuerySet(models.QuerySet):
    """Bulk writes send no model signals: these renew the cached rights themselves."""

    def update(self, **kwargs) -> int:
        rows = super().update(**kwargs)
        if rows:
            renew()
        return rows

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            renew()
        return created

    bulk_create.alters_data = True
