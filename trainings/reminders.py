"""Time-driven reminders about trainings, run by the periodic scan: registration closing soon
(eligible people who have not registered), H-3 before the start, and each session's day with
its mode and link (to registered participants). Lead times: this app's reminder OPTIONS."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Notification, ReminderSettings
from portal.notifications.recipients import RECIPIENT_FIELDS
from portal.notifications.rules import Reminder, ReminderRule, at, register
from portal.registry import ReminderOption, reminder_value

from .models import Session, Training

OPTIONS = [
    ReminderOption("training_closing_days", _("registration closing reminder (days before)"), default=3),
    ReminderOption("training_start_days", _("training start reminder (days before)"), default=3),
]


def option(name: str) -> int:
    return reminder_value("trainings", name)


def stamp(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y%m%dT%H%M")


@register
class RegistrationClosingRule(ReminderRule):
    """Registration closes soon: to eligible people who have not registered."""

    name = "training_registration_closing"
    model = "trainings.Training"

    def candidates(self, now, cfg):
        ahead = timedelta(days=option("training_closing_days") + 1)
        return Training.objects.filter(
            registration_opens__lte=now, registration_closes__gt=now, registration_closes__lte=now + ahead
        ).select_related("organiser")

    def reminders(self, training: Training, now, cfg: ReminderSettings) -> list[Reminder]:
        if not training.registration_is_open():
            return []
        closes = training.registration_closes
        send_at = at(
            timezone.localdate(closes) - timedelta(days=option("training_closing_days")), cfg.send_time
        )
        return [
            Reminder(
                rule=f"{self.name}:{stamp(closes)}",
                recipients=list(training.unregistered_eligible_people().only(*RECIPIENT_FIELDS)),
                send_at=max(send_at, training.registration_opens),
                expires_at=closes,
            )
        ]

    def still_wanted(self, notification: Notification, training: Training) -> bool:
        return (
            training.registration_is_open()
            and notification.rule.endswith(stamp(training.registration_closes))
            and training.unregistered_eligible_people().filter(pk=notification.recipient_id).exists()
        )


@register
class TrainingStartRule(ReminderRule):
    """H-3 (configurable) before the first day, to registered participants."""

    name = "training_start"
    model = "trainings.Training"

    def candidates(self, now, cfg):
        today = timezone.localdate(now)
        return Training.objects.filter(
            start_date__gt=today, start_date__lte=today + timedelta(days=option("training_start_days") + 1)
        )

    def reminders(self, training: Training, now, cfg: ReminderSettings) -> list[Reminder]:
        if training.has_started():
            return []
        days = option("training_start_days")
        return [
            Reminder(
                rule=f"{self.name}:h-{days}:{training.start_date.isoformat()}",
                recipients=list(training.participants().only(*RECIPIENT_FIELDS)),
                send_at=at(training.start_date - timedelta(days=days), cfg.send_time),
                expires_at=training.starts_at,
                context={"days": days},
            )
        ]

    def still_wanted(self, notification: Notification, training: Training) -> bool:
        return (
            not training.has_started()
            and notification.rule.endswith(training.start_date.isoformat())
            and training.participants().filter(pk=notification.recipient_id).exists()
        )


@register
class SessionDayRule(ReminderRule):
    """On each session's day (before it starts): its mode, time, venue and link."""

    name = "training_session"
    model = "trainings.Session"

    def candidates(self, now, cfg):
        today = timezone.localdate(now)
        return Session.objects.filter(date__gte=today, date__lte=today + timedelta(days=1)).select_related(
            "training"
        )

    def reminders(self, session: Session, now, cfg: ReminderSettings) -> list[Reminder]:
        if session.ends_at <= now:
            return []
        # The morning of the day, or two hours before an early session.
        send_at = min(at(session.date, cfg.send_time), session.starts_at - timedelta(hours=2))
        return [
            Reminder(
                rule=f"{self.name}:{stamp(session.starts_at)}",
                recipients=list(session.training.participants().only(*RECIPIENT_FIELDS)),
                send_at=send_at,
                expires_at=session.ends_at,
                # The session's own page is the organiser's attendance list: link the training.
                context={"url": session.training.get_absolute_url()},
            )
        ]

    def still_wanted(self, notification: Notification, session: Session) -> bool:
        return (
            session.ends_at > timezone.now()
            and notification.rule.endswith(stamp(session.starts_at))
            and session.training.participants().filter(pk=notification.recipient_id).exists()
        )
