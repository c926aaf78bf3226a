"""The in-app inbox's unread count (the badge on every page), cached per person.

A message counts while it is in the portal (channel "inapp"), delivered (state "sent") and not
read. Sent is final for such a message: the dispatcher moves rows scheduled -> sending -> sent
(or failed, missed, cancelled before they were ever sent), so the count changes only when

- a message is delivered: `deliver_in_app`'s bulk_update, `mark_sent`, a digest's items
  (portal.notifications.engine, which call inbox_changed), or any update/bulk write through
  InboxQuerySet that sets the state to sent;
- a message is marked read or unread: `mark_read`, or any update that sets read_at;
- a row is saved by itself (admin) or deleted: the signal receivers below.

Each of these calls inbox_changed(recipients): their cached counts stop being valid at once
and again when the transaction commits (portal.usercache.renew_inbox).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models, transaction
from django.utils import timezone

from . import usercache

INAPP, SENT = "inapp", "sent"


def inbox_changed(user_ids: Iterable[int]) -> None:
    """The unread counts of these people are no longer valid: now, and once this transaction
    commits (a count read meanwhile by another process from the data before the commit is
    never served after it)."""
    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return
    usercache.renew_inbox(ids)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    # One renewal per transaction on commit, for every person its writes touched.
    pending = getattr(connection, "_inbox_pending", None)
    if pending is None or pending[0] is not connection.run_on_commit:
        pending = connection._inbox_pending = (connection.run_on_commit, set())
        transaction.on_commit(lambda ids=pending[1]: usercache.renew_inbox(ids), robust=True)
    pending[1].update(ids)


def unread_count(user) -> int:
    """The badge: from the cache while no write changed this person's inbox."""
    from .models import Notification

    return usercache.unread(user, lambda: Notification.objects.unread(user).count())


# Fields whose change may move a row into or out of someone's unread count (state: to sent).
_INBOX_FIELDS = {"read_at", "channel", "recipient", "recipient_id"}


def _counted(obj) -> bool:
    return obj.channel == INAPP and obj.state == SENT


class InboxQuerySet(models.QuerySet):
    """Writes that can change a person's unread count tell the cache whose it is."""

    def mark_read(self) -> int:
        """Mark these messages read now (those already read keep their time)."""
        return self.filter(read_at__isnull=True).update(read_at=timezone.now())

    mark_read.alters_data = True

    def update(self, **kwargs) -> int:
        if not _INBOX_FIELDS & kwargs.keys() and kwargs.get("state") != SENT:
            # Every other update touches rows not delivered yet (see the module's docstring).
            return super().update(**kwargs)
        # Whose rows these are is read first: a row entering the set meanwhile is a delivery,
        # which renews its recipient itself.
        recipients = set(self.filter(channel=INAPP).values_list("recipient_id", flat=True).distinct())
        rows = super().update(**kwargs)
        if rows:
            inbox_changed(recipients | {getattr(kwargs.get("recipient"), "pk", None)})
        return rows

    update.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        if {"state", *_INBOX_FIELDS} & set(fields):
            inbox_changed(obj.recipient_id for obj in objs if obj.channel == INAPP)
        return rows

    bulk_update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        inbox_changed(obj.recipient_id for obj in created if _counted(obj))
        return created

    bulk_create.alters_data = True


def on_save(sender, instance, created: bool, **kwargs) -> None:
    """A row saved by itself (get_or_create, admin): a new one counts only if delivered; an
    edited one may have left or entered the inbox."""
    if not created or _counted(instance):
        inbox_changed([instance.recipient_id])


def on_delete(sender, instance, **kwargs) -> None:
    if _counted(instance):
        inbox_changed([instance.recipient_id])
