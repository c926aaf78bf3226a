"""The rule registry that the periodic scan runs.

Each app may provide `<app>/reminders.py` registering `ReminderRule`s (found at
startup). A rule says which source objects to look at and, for one source,
which reminders it wants now (stage, recipients, when). The scan reconciles
the outbox with that: missing rows are created (unique key: no duplicates),
pending rows whose time changed are moved, and pending rows no longer wanted
(source done, cancelled, rescheduled, invitee declined) are cancelled.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from ..models import Notification, ReminderSettings, User
from . import DEFAULT_CHANNELS, notification_key, notify

logger = logging.getLogger(__name__)


@dataclass
class Reminder:
    """One wanted message: `rule` is "<rule name>:<stage>" (the stage names the row's key)."""

    rule: str
    recipients: Iterable[User]
    send_at: datetime
    context: dict = field(default_factory=dict)
    expires_at: datetime | None = None
    channels: tuple[str, ...] = DEFAULT_CHANNELS


def at(day: date, clock: time) -> datetime:
    """`clock` on `day` in the portal's time zone (WITA): when a day-based reminder goes out."""
    return timezone.make_aware(datetime.combine(day, clock))


class ReminderRule:
    """Subclass, set `name` (the template name) and `model` ("app_label.Model"), register."""

    name: str = ""
    model: str = ""

    def candidates(self, now: datetime, cfg: ReminderSettings) -> Iterable[models.Model]:
        """Sources that may want a reminder around now (keep it to a time window)."""
        return []

    def reminders(self, source: models.Model, now: datetime, cfg: ReminderSettings) -> list[Reminder]:
        return []

    def still_wanted(self, notification: Notification, source: models.Model) -> bool:
        """Checked again just before sending: False cancels the message."""
        return True

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


REGISTRY: dict[str, ReminderRule] = {}


def register(rule: ReminderRule | type[ReminderRule]) -> ReminderRule:
    """Register a rule (usable as a class decorator)."""
    instance = rule() if isinstance(rule, type) else rule
    REGISTRY[instance.name] = instance
    return rule


def unregister(name: str) -> None:
    REGISTRY.pop(name, None)


def scan(now: datetime | None = None) -> int:
    """Run every registered rule; return how many sources were reconciled."""
    now = now or timezone.now()
    cfg = ReminderSettings.load()
    done = 0
    for rule in list(REGISTRY.values()):
        for source in _sources(rule, now, cfg):
            try:
                with transaction.atomic():
                    reconcile(rule, source, now, cfg)
            except Exception:  # one broken source must not stop the reminders of all others
                logger.exception("reminder rule %s failed for %r", rule.name, source)
            done += 1
    return done


def _sources(rule: ReminderRule, now: datetime, cfg: ReminderSettings) -> list[models.Model]:
    """The rule's candidates plus every source that still has pending rows of this rule
    (so a source that left the window, was done or cancelled gets its rows cancelled)."""
    model = rule.model_class()
    sources = {obj.pk: obj for obj in rule.candidates(now, cfg)}
    from django.contrib.contenttypes.models import ContentType

    pending_ids = set(
        Notification.objects.filter(
            state=Notification.State.SCHEDULED,
            rule__startswith=f"{rule.name}:",
            source_type=ContentType.objects.get_for_model(model),
        ).values_list("source_id", flat=True)
    )
    known = {str(pk) for pk in sources}
    missing = [pk for pk in pending_ids if pk not in known]
    if missing:
        found = {str(obj.pk): obj for obj in model._default_manager.filter(pk__in=missing)}
        for pk in missing:
            # A deleted source still needs its pending rows cancelled.
            sources[pk] = found.get(pk) or _Gone(model, pk)
    return list(sources.values())


class _Gone:
    """Stands for a deleted source: it wants nothing."""

    def __init__(self, model: type[models.Model], pk: str) -> None:
        self.pk = pk
        self._meta = model._meta


def reconcile(rule: ReminderRule, source, now: datetime, cfg: ReminderSettings) -> None:
    wanted = [] if isinstance(source, _Gone) else rule.reminders(source, now, cfg)
    grace = timedelta(hours=cfg.grace_hours)
    keys = set()
    for reminder in wanted:
        recipients = [r for r in reminder.recipients if r is not None and r.is_active]
        keys |= {
            notification_key(source, reminder.rule, r, ch) for r in recipients for ch in reminder.channels
        }
        if reminder.send_at + grace < now:
            continue  # long past: do not create rows only to mark them missed
        notify(
            rule=reminder.rule,
            recipients=recipients,
            source=source,
            context=reminder.context,
            send_at=reminder.send_at,
            expires_at=reminder.expires_at,
            channels=reminder.channels,
            digestible=True,
            reschedule=True,
        )
    from django.contrib.contenttypes.models import ContentType

    stale = Notification.objects.filter(
        source_type=ContentType.objects.get_for_model(rule.model_class()),
        source_id=str(source.pk),
        state=Notification.State.SCHEDULED,
        rule__startswith=f"{rule.name}:",
    ).exclude(key__in=keys)
    stale.update(state=Notification.State.CANCELLED, updated_at=now)


def reconcile_source(source: models.Model) -> None:
    now = timezone.now()
    cfg = ReminderSettings.load()
    for rule in REGISTRY.values():
        if rule.model_class() is type(source):
            with transaction.atomic():
                reconcile(rule, source, now, cfg)


def still_wanted(notification: Notification) -> bool:
    if notification.source_type_id and notification.source is None:
        return False  # the source was deleted
    rule = REGISTRY.get(notification.rule_name)
    if rule is None or notification.source is None:
        return True
    return rule.still_wanted(notification, notification.source)
