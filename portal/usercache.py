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

The person's unread notification count (the badge on every page) is kept the same way, with
its own token per person, renewed by every write that changes their inbox (portal.inbox). All of
it (rights, the declared facts, the count) comes in one cache read per request.

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
FORMAT = 3
# Names of the facts asked in this process: read with the rights, in the same round trip.
_facts: set[str] = set()
# Bumped by every renewal this process makes: what a request read before it is read again.
_writes = 0


def _generation_key() -> str:
    return f"{settings.USER_CACHE_PREFIX}:generation"


def _entry_key(user) -> str:
    return f"{settings.USER_CACHE_PREFIX}:{FORMAT}:{user.pk}"


def _stamp(user) -> tuple:
    # date_joined tells a recreated account (a restored or regenerated database) from the old one.
    return (user.pk, user.date_joined, user.is_superuser, user.is_active, user.organisation_id)


def _inbox_key(user_pk: int) -> str:
    return f"{settings.USER_CACHE_PREFIX}:inbox:{user_pk}"


def rights_of(user, compute: Callable[[], tuple]) -> tuple:
    """(permissions, role assignments, organisation) of the user: cached while valid, else
    `compute()`."""
    return _kept(user, _entry_key(user), _generation_key(), compute)


def fact(user, name: str, compute: Callable[[], object]):
    """A small value about the user (e.g. "is in a team") kept like their rights: the app that
    declares it must call renew() on every write it depends on."""
    _facts.add(name)
    return _kept(user, f"{_entry_key(user)}:{name}", _generation_key(), compute)


def unread(user, compute: Callable[[], int]) -> int:
    """The user's unread notification count: cached until portal.inbox.inbox_changed() names
    them, else `compute()`."""
    return _kept(user, f"{_entry_key(user)}:unread", _inbox_key(user.pk), compute)


def held(user, name: str, compute: Callable[[], object]):
    """`compute()` once per user instance (request.user: once per request), again after a write
    this process renewed the cache for (renew(), renew_inbox())."""
    memo = getattr(user, "_usercache_held", None)
    if memo is None or memo[0] != _writes:
        memo = (_writes, {})
        user._usercache_held = memo
    if name not in memo[1]:
        memo[1][name] = compute()
    return memo[1][name]


def _kept(user, key: str, token_key: str, compute: Callable[[], object]):
    """The value stored under `key` while the token under `token_key` and the user's stamp are
    unchanged, else `compute()` (stored for next time)."""
    if not settings.USER_CACHE_SECONDS or user.pk is None:
        return compute()
    try:
        found = _read(user, key)
    except Exception:
        logger.warning("user cache: could not read", exc_info=True)
        return compute()
    token, entry = found.get(token_key), found.get(key)
    if token is not None and entry is not None and entry[:2] == (token, _stamp(user)):
        return entry[2]
    if token is None:
        token = _start_token(token_key)
    value = compute()
    if token is not None:
        entry = found[key] = (token, _stamp(user), value)
        try:
            cache.set(key, entry, timeout=settings.USER_CACHE_SECONDS)
        except Exception:
            logger.warning("user cache: could not store", exc_info=True)
    return value


def _read(user, key: str) -> dict:
    """The user's entries and their tokens, read once per request (request.user is rebuilt
    every request) in one round trip; read again after a renewal made by this process."""
    # getattr/setattr reach the user behind request.user's lazy wrapper too.
    memo = getattr(user, "_usercache", None)
    if memo is None or memo[0] != _writes or key not in memo[1]:
        entry = _entry_key(user)
        keys = {_generation_key(), entry, *(f"{entry}:{name}" for name in _facts)}
        keys |= {_inbox_key(user.pk), f"{entry}:unread", key}
        memo = (_writes, keys, cache.get_many(list(keys)))
        user._usercache = memo
    return memo[2]


def _start_token(key: str) -> str | None:
    try:
        cache.add(key, secrets.token_hex(8), timeout=None)
        return cache.get(key)
    except Exception:
        logger.warning("user cache: could not start the token %s", key, exc_info=True)
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
    global _writes
    _writes += 1
    try:
        cache.set(_generation_key(), secrets.token_hex(8), timeout=None)
    except Exception:
        logger.warning("user cache: could not renew the generation", exc_info=True)


def renew_inbox(user_ids) -> None:
    """New inbox tokens for these people (portal.inbox calls it now and on commit)."""
    global _writes
    _writes += 1
    try:
        cache.set_many({_inbox_key(pk): secrets.token_hex(8) for pk in user_ids}, timeout=None)
    except Exception:
        logger.warning("user cache: could not renew inbox tokens", exc_info=True)


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
