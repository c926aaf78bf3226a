"""The one way the portal asks for a message to be sent.

Apps call `notify(...)`; it writes outbox rows (portal.models.Notification) in
the caller's transaction, and after the commit asks a worker to send the ones
already due (one task for all that one transaction made: `publish.send_on_commit`). The database is the truth: if the broker is down the dispatcher
(run by beat) finds the rows later. Callers never send mail themselves.

Package layout: `engine` (claim, send, retry, missed, quiet hours, digest),
`channels` (email, in-app; WhatsApp share links), `rendering` (templates in
the recipient's language), `rules` (the registry the periodic scan runs),
`locks` (periodic jobs never overlap), `publish` (on-commit task publishing).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from ..models import Notification, User

DEFAULT_CHANNELS = (Notification.Channel.EMAIL, Notification.Channel.INAPP)


def notification_key(source: models.Model | None, rule: str, recipient: User, channel: str) -> str:
    if source is None:
        origin = "-"
    else:
        origin = f"{source._meta.label_lower}:{source.pk}"
    return f"{origin}|{rule}|{recipient.pk}|{channel}"


def notify(
    *,
    rule: str,
    recipients: Iterable[User],
    source: models.Model | None = None,
    context: dict | None = None,
    send_at: datetime | None = None,
    channels: Iterable[str] = DEFAULT_CHANNELS,
    expires_at: datetime | None = None,
    digestible: bool = False,
    reschedule: bool = False,
) -> list[Notification]:
    """Record one outbox row per (recipient, channel); asking twice stores it once.

    `rule` names the message and its templates (`templates/emails/<rule>_subject.txt`,
    `_body.txt`, `_body.html`); a stage suffix such as "commitment_due:h-3" or a
    version such as "meeting_changed:v2" makes a distinct message. `context` must
    be JSON-serialisable. `expires_at`: after it the message is marked missed,
    not sent late. `digestible`: a reminder that may wait for the recipient's
    daily digest. `reschedule`: move a still-pending row to the new `send_at`.
    """
    from .publish import send_on_commit

    send_at = send_at or timezone.now()
    source_type = ContentType.objects.get_for_model(source) if source is not None else None
    rows = []
    for recipient in {r.pk: r for r in recipients if r is not None and r.is_active}.values():
        for channel in channels:
            if channel == Notification.Channel.EMAIL and not recipient.email:
                continue
            row, created = Notification.objects.get_or_create(
                key=notification_key(source, rule, recipient, channel),
                defaults={
                    "rule": rule,
                    "channel": channel,
                    "recipient": recipient,
                    "source_type": source_type,
                    "source_id": str(source.pk) if source is not None else "",
                    "context": context or {},
                    "send_at": send_at,
                    "due_at": send_at,
                    "expires_at": expires_at,
                    "digestible": digestible,
                },
            )
            if not created and reschedule and row.state == Notification.State.SCHEDULED:
                _move(row, send_at=send_at, expires_at=expires_at, context=context or {})
            if created and send_at <= timezone.now():
                send_on_commit([row.pk])
            rows.append(row)
    return rows


def notify_each(
    *,
    rule: str,
    messages: Iterable[tuple[User, dict]],
    source: models.Model | None = None,
    channels: Iterable[str] = DEFAULT_CHANNELS,
    new_source: bool = False,
) -> list[Notification]:
    """`notify` for many people at once, each with their own context (an invitation fan-out).

    The same outbox rows and keys as `notify` (asking twice stores once), written with one
    query to find those already there and one insert, and sent after the commit:
    saving a meeting with many invitations stays quick; the sending happens in the background.

    `new_source`: `source` was created in this transaction, so no row can hold its keys yet;
    the rows are then written by the insert alone (one statement, which returns their ids).
    A caller that is wrong about it gets an IntegrityError, never a message stored twice.
    """
    from .publish import send_on_commit

    now = timezone.now()
    source_type = ContentType.objects.get_for_model(source) if source is not None else None
    wanted: dict[str, Notification] = {}
    for recipient, context in messages:
        if recipient is None or not recipient.is_active:
            continue
        for channel in channels:
            if channel == Notification.Channel.EMAIL and not recipient.email:
                continue
            key = notification_key(source, rule, recipient, channel)
            wanted.setdefault(
                key,
                Notification(
                    key=key,
                    rule=rule,
                    channel=channel,
                    recipient=recipient,
                    source_type=source_type,
                    source_id=str(source.pk) if source is not None else "",
                    context=context or {},
                    send_at=now,
                    due_at=now,
                ),
            )
    if not wanted:
        return []
    if new_source:
        rows = Notification.objects.bulk_create(wanted.values())
        send_on_commit([row.pk for row in rows])
        return rows
    existing = set(Notification.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    new = [row for key, row in wanted.items() if key not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    rows = list(Notification.objects.filter(key__in=list(wanted)))
    created = [row.pk for row in rows if row.key not in existing]
    if created:
        send_on_commit(created)
    return rows


def _move(row: Notification, *, send_at: datetime, expires_at: datetime | None, context: dict) -> None:
    if (row.due_at, row.expires_at, row.context) == (send_at, expires_at, context):
        return
    # Conditional: a dispatcher may have claimed the row meanwhile; then it stays as it is.
    Notification.objects.filter(pk=row.pk, state=Notification.State.SCHEDULED).update(
        send_at=send_at, due_at=send_at, expires_at=expires_at, context=context, updated_at=timezone.now()
    )


def cancel_pending(source: models.Model, rule_prefix: str = "") -> int:
    """Cancel the not-yet-sent messages about `source` (it was done, cancelled or deleted)."""
    qs = Notification.objects.for_source(source).filter(state=Notification.State.SCHEDULED)
    if rule_prefix:
        qs = qs.filter(rule__startswith=rule_prefix)
    return qs.update(state=Notification.State.CANCELLED, updated_at=timezone.now())


def refresh_reminders(source: models.Model) -> None:
    """Recompute the time-driven reminders of one source now (e.g. after a meeting moved),
    instead of waiting for the next periodic scan. Safe to call any number of times."""
    from .rules import reconcile_source

    reconcile_source(source)
