"""The one way the portal asks for a message to be sent.

Apps call `notify(...)`; it writes outbox rows (portal.models.Notification) in
the caller's transaction. Sending is the reminders engine's job (dispatcher,
channels, retries); callers never send mail themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import Notification, User

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
) -> list[Notification]:
    """Record one outbox row per (recipient, channel); asking twice stores it once.

    `rule` names the message and its templates (`templates/emails/<rule>_subject.txt`,
    `_body.txt`, `_body.html`); a stage suffix such as "commitment_due:h-3" or a
    version such as "meeting_changed:v2" makes a distinct message. `context` must
    be JSON-serialisable.
    """
    send_at = send_at or timezone.now()
    source_type = ContentType.objects.get_for_model(source) if source is not None else None
    created = []
    for recipient in {r.pk: r for r in recipients if r is not None and r.is_active}.values():
        for channel in channels:
            if channel == Notification.Channel.EMAIL and not recipient.email:
                continue
            row, _ = Notification.objects.get_or_create(
                key=notification_key(source, rule, recipient, channel),
                defaults={
                    "rule": rule,
                    "channel": channel,
                    "recipient": recipient,
                    "source_type": source_type,
                    "source_id": str(source.pk) if source is not None else "",
                    "context": context or {},
                    "send_at": send_at,
                },
            )
            created.append(row)
    return created
