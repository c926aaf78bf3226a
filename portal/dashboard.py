"""The dashboard's aggregates (and other per-scope aggregates of read-only pages, such as an
admin list's first and last date), cached per scope and dropped when the data under them change.

A card's numbers and short lists are kept in the default cache (Redis in production, a
per-process memory cache in development) under its name and the user's scope, for at most
DASHBOARD_CACHE_SECONDS. Each entry records a version token of every model it was computed
from; a write to one of those models (a save or delete through any path: services, admin,
imports; bulk writes through the querysets below) replaces that model's token when the
transaction commits, so the next dashboard computes afresh; a dashboard computed meanwhile
from the data before the commit is never served after it.

What the cache holds are numbers and model instances, rendered per request (in the reader's
language and time zone). Any cache failure falls back to computing the card.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

logger = logging.getLogger(__name__)

# Bump when the shape of a cached value changes, so a deploy never reads the old shape.
FORMAT = 2
_watched: set[str] = set()
# Every entry asked in this process (name -> (model labels, personal)): the first card of a
# dashboard reads all of them, with their version tokens, in one round trip.
_known: dict[str, tuple[tuple[str, ...], bool]] = {}
# Bumped by every renewal this process makes: what a request read before it is read again.
_writes = 0
# Models this process wrote inside a transaction not committed yet (see changed()).
_dirty: set[str] = set()
_dirty_lock = threading.Lock()


def _setting_prefix() -> str:
    return settings.DASHBOARD_CACHE_PREFIX


def _version_key(label: str) -> str:
    return f"{_setting_prefix()}:v:{label}"


def watch(*model_classes: type[models.Model]) -> tuple[type[models.Model], ...]:
    """Drop the cached aggregates computed from these models whenever one of their rows is
    saved or deleted. Called when the apps are ready (portal.registry), so every process that
    writes (web, worker, management commands) tells the cache."""
    for model in model_classes:
        label = model._meta.label_lower
        if label in _watched:
            continue
        _watched.add(label)
        post_save.connect(_on_write, sender=model, dispatch_uid=f"dashboard-save-{label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"dashboard-delete-{label}")
    return model_classes


def _on_write(sender, **kwargs) -> None:
    changed(sender)


def changed(*model_classes: type[models.Model]) -> None:
    """New version tokens for these models (those the dashboard reads), once the write is
    committed. Bulk writes, which send no signals, call this."""
    labels = [m._meta.label_lower for m in model_classes if m._meta.label_lower in _watched]
    if not labels:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _renew(labels)  # autocommit: the write is already committed
        return
    # In a transaction: other processes cannot see the write before the commit, and the renewal
    # on commit drops whatever they cache meanwhile. This process may read its own write before
    # (a test, a view that writes then shows a dashboard): its next read renews first.
    with _dirty_lock:
        _dirty.update(labels)
    # Once per model and transaction (an import or a cascade writes thousands of rows). Django
    # replaces its list of commit callbacks when the transaction commits or rolls back.
    pending = getattr(connection, "_dashboard_pending", None)
    if pending is None or pending[0] is not connection.run_on_commit:
        pending = connection._dashboard_pending = (connection.run_on_commit, set())
    fresh = [label for label in labels if label not in pending[1]]
    if fresh:
        pending[1].update(fresh)
        transaction.on_commit(lambda: _renew(fresh), robust=True)


def _renew(labels: Iterable[str]) -> None:
    global _writes
    _writes += 1
    labels = list(labels)
    with _dirty_lock:
        _dirty.difference_update(labels)
    try:
        cache.set_many({_version_key(label): secrets.token_hex(8) for label in labels}, timeout=None)
    except Exception:  # a cache outage must not fail a write; entries expire with the TTL
        logger.warning("dashboard cache: could not renew versions of %s", ", ".join(labels), exc_info=True)


def scope_of(user, *, personal: bool = True) -> str:
    """What the user's dashboard numbers depend on: their roles (role, region, organisation),
    their own organisation, superuser status and, for `personal` data (what they chair, are
    invited to, answer for), the user themselves. Equal scopes may share an entry."""
    if user.is_superuser:
        parts: list = ["superuser"]
    else:
        parts = sorted((a.role, a.region_id or "", a.organisation_id or 0) for a in user.role_assignments())
        parts.append(("organisation", user.organisation_id or 0))
    parts.append(("active", user.is_active))
    if personal:
        parts.append(("user", user.pk))
    return repr(parts)


class Cached:
    """The value of `compute()` and the moment it stops being true (None: only data change it)."""

    def __init__(self, value, until: datetime | None = None) -> None:
        self.value = value
        self.until = until


def cached(
    user,
    name: str,
    compute: Callable[[], Cached],
    *,
    depends_on: Iterable[type[models.Model]],
    personal: bool = True,
):
    """The value `compute()` returns for this user, from the cache while none of `depends_on`
    changed, the scope is the same and at most DASHBOARD_CACHE_SECONDS have passed."""
    ttl = settings.DASHBOARD_CACHE_SECONDS
    if ttl <= 0:
        return compute().value
    if _dirty:
        # This process wrote in a transaction not committed yet. Only pages that write nothing
        # read this cache (the dashboard, an admin list's GET; no ATOMIC_REQUESTS): an entry is
        # never computed from its own connection's uncommitted rows outside tests.
        with _dirty_lock:
            written = list(_dirty)
        _renew(written)
    labels = tuple(m._meta.label_lower for m in depends_on)
    if not _watched.issuperset(labels):
        raise ImproperlyConfigured(f"dashboard: {name} depends on models nobody watches: {labels}")
    _known[name] = (labels, personal)
    scope = _scopes(user)[personal]
    key = _entry_key(name, scope)
    version_keys = [_version_key(label) for label in labels]
    try:
        found = _read(user, [key, *version_keys])
    except Exception:
        logger.warning("dashboard cache: read failed, computing %s", name, exc_info=True)
        return compute().value
    versions = tuple(found.get(k) for k in version_keys)
    entry = found.get(key)
    if entry and entry["scope"] == scope and entry["versions"] == versions and None not in versions:
        return entry["value"]
    if None in versions:  # first use, or the cache was emptied: start the missing tokens
        versions = _start_versions(version_keys, versions)
        if None in versions:
            return compute().value
    # The tokens are read before the data: a write meanwhile renews them, so what is computed
    # now from older data is never taken for current.
    result = compute()
    timeout = ttl
    if result.until is not None:
        timeout = min(ttl, int((result.until - timezone.now()).total_seconds()) + 1)
    if timeout > 0:
        try:
            cache.set(key, {"scope": scope, "versions": versions, "value": result.value}, timeout)
        except Exception:
            logger.warning("dashboard cache: could not store %s", name, exc_info=True)
    return result.value


def _entry_key(name: str, scope: str) -> str:
    digest = hashlib.sha256(scope.encode()).hexdigest()[:32]
    return f"{_setting_prefix()}:{FORMAT}:{name}:{digest}"


def _scopes(user) -> dict[bool, str]:
    """Both scopes of the user (personal or not), once per request; a person's roles are read
    once per user instance anyway (User.role_assignments)."""
    memo = getattr(user, "_dashboard_scopes", None)
    if memo is None or memo[0] != (user.is_superuser, user.is_active, user.organisation_id):
        scopes = {personal: scope_of(user, personal=personal) for personal in (True, False)}
        memo = ((user.is_superuser, user.is_active, user.organisation_id), scopes)
        user._dashboard_scopes = memo
    return memo[1]


def _read(user, keys: list[str]) -> dict:
    """These keys from the cache, read with every other entry this process knows for the user
    (the dashboard's cards) in one round trip per request (request.user is rebuilt every
    request); read again after a renewal made by this process."""
    memo = getattr(user, "_dashboard_read", None)
    if memo is None or memo[0] != _writes or not memo[1].issuperset(keys):
        wanted = set(keys)
        scopes = _scopes(user)
        for name, (labels, personal) in _known.items():
            wanted.add(_entry_key(name, scopes[personal]))
            wanted.update(_version_key(label) for label in labels)
        memo = (_writes, wanted, cache.get_many(list(wanted)))
        user._dashboard_read = memo
    return memo[2]


def _start_versions(keys: list[str], versions: tuple) -> tuple:
    """The tokens, each missing one started (or the one another process started first)."""
    missing = [key for key, version in zip(keys, versions, strict=True) if version is None]
    try:
        for key in missing:
            cache.add(key, secrets.token_hex(8), timeout=None)
        started = cache.get_many(missing)
    except Exception:
        logger.warning("dashboard cache: could not start versions", exc_info=True)
        return versions
    return tuple(
        started.get(key) if version is None else version for key, version in zip(keys, versions, strict=True)
    )


def next_midnight() -> datetime:
    """The next local midnight: when "today" (overdue items, ended events) moves on."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


class TrackedQuerySet(models.QuerySet):
    """Bulk writes send no model signals: these tell the dashboard cache themselves."""

    def update(self, **kwargs) -> int:
        rows = super().update(**kwargs)
        if rows:
            changed(self.model)
        return rows

    update.alters_data = True

    # Whether a plain bulk_create of new rows goes through portal.bulk on PostgreSQL (the same
    # rows for a fraction of Django's Python work; for the models written by the thousand).
    fast_bulk_create = False

    def bulk_create(self, objs, *args, **kwargs):
        from . import bulk

        objs = list(objs)
        self._for_write = True  # the database for writes, as Django's bulk_create asks
        if self.fast_bulk_create and not args and not kwargs and bulk.fits(self.model, objs, self.db):
            created = bulk.create(self.model, objs, using=self.db)
        else:
            created = super().bulk_create(objs, *args, **kwargs)
        if created:
            changed(self.model)
        return created

    bulk_create.alters_data = True
