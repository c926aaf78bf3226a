"""Reminders before an AKS round's stage deadlines (visits done, expert review done, evaluation
due), run by the periodic scan like the meetings' reminders.

Each deadline reminds the part of the team that has to act and the kabupaten's DPPKB admins:
some days before (`stage_lead_days`), then once overdue (`stage_overdue_days`); both are this
app's reminder options, edited in the admin. The key of each row carries the deadline's date,
so asking twice stores once, a moved deadline gets fresh reminders and the pending ones for the
old date are cancelled; once the round has moved past the stage nothing more is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Notification, ReminderSettings, User
from portal.notifications.rules import Reminder, ReminderRule, at, register
from portal.registry import ReminderOption, reminder_days, reminder_value
from portal.roles import Role

from .models import AuditRound, AuditTeamMember

OPTIONS = [
    ReminderOption(
        "stage_lead_days",
        _("AKS stage deadlines: reminders (days before)"),
        default=(7, 1),
        help_text=_(
            "Comma-separated, e.g. 7,1 for a week and a day before the visits, review or evaluation deadline."
        ),
        maximum=90,
    ),
    ReminderOption(
        "stage_overdue_days",
        _("AKS stage deadlines: overdue reminder (days after)"),
        default=1,
        maximum=90,
    ),
]

Stage = AuditRound.Stage
Part = AuditTeamMember.Part


@dataclass(frozen=True)
class Deadline:
    key: str  # in the row's rule and the templates' context
    field: str  # the AuditRound date field
    done_at: str  # the stage the round reaches once this work is done
    parts: tuple[str, ...]  # team parts that act on it (plus the DPPKB admins)


DEADLINES = (
    Deadline("visits", "visits_due", Stage.KAJIAN, (Part.TIM_TEKNIS,)),
    Deadline("review", "review_due", Stage.DISEMINASI, (Part.TIM_PAKAR,)),
    Deadline("evaluation", "evaluation_due", Stage.LAPORAN, (Part.TIM_TEKNIS, Part.TIM_PAKAR)),
)


def is_done(audit_round: AuditRound, deadline: Deadline) -> bool:
    return audit_round.stage_index >= audit_round.STAGE_ORDER.index(deadline.done_at)


def lead_days() -> list[int]:
    return reminder_days("audits", "stage_lead_days")


def overdue_days() -> int:
    return reminder_value("audits", "stage_overdue_days")


def recipients(audit_round: AuditRound, deadline: Deadline) -> list[User]:
    """The team members of the parts that act, and the kabupaten's DPPKB admins."""
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(audit_teams__round=audit_round, audit_teams__part__in=deadline.parts)
            | Q(roles__role=Role.DPPKB_ADMIN, roles__region_id=audit_round.kabupaten_id)
        )
        .distinct()
        .order_by("pk")
    )


@register
class AuditStageDeadlineRule(ReminderRule):
    name = "audit_stage_due"
    model = "audits.AuditRound"

    def candidates(self, now, cfg: ReminderSettings):
        today = timezone.localdate(now)
        window = {
            "gte": today - timedelta(days=overdue_days() + 1),
            "lte": today + timedelta(days=max(lead_days(), default=0) + 1),
        }
        near = Q()
        for deadline in DEADLINES:
            near |= Q(**{f"{deadline.field}__{op}": day for op, day in window.items()})
        return AuditRound.objects.filter(near).exclude(stage=Stage.LAPORAN).select_related("kabupaten")

    def reminders(self, audit_round: AuditRound, now, cfg: ReminderSettings) -> list[Reminder]:
        wanted = []
        for deadline in DEADLINES:
            due: date | None = getattr(audit_round, deadline.field)
            if due is None or is_done(audit_round, deadline):
                continue
            wanted += self.ladder(audit_round, deadline, due, cfg)
        return wanted

    def ladder(self, audit_round: AuditRound, deadline: Deadline, due: date, cfg) -> list[Reminder]:
        people = recipients(audit_round, deadline)
        context = {"deadline": deadline.key, "due_date": due.isoformat()}
        stages = [
            Reminder(
                rule=f"{self.name}:{deadline.key}:h-{days}:{due.isoformat()}",
                recipients=people,
                send_at=at(due - timedelta(days=days), cfg.send_time),
                context={**context, "stage": "before", "days": days},
            )
            for days in lead_days()
        ]
        late = overdue_days()
        stages.append(
            Reminder(
                rule=f"{self.name}:{deadline.key}:overdue:{due.isoformat()}",
                recipients=people,
                send_at=at(due + timedelta(days=late), cfg.send_time),
                context={**context, "stage": "overdue", "days": late},
            )
        )
        # A stage is never sent once the next one is due (no "in 7 days" on the eve).
        stages.sort(key=lambda reminder: reminder.send_at)
        for stage, following in pairwise(stages):
            stage.expires_at = following.send_at
        return stages

    def still_wanted(self, notification: Notification, audit_round: AuditRound) -> bool:
        key = notification.context.get("deadline")
        deadline = next((d for d in DEADLINES if d.key == key), None)
        if deadline is None:
            return False
        due = getattr(audit_round, deadline.field)
        return (
            due is not None
            and not is_done(audit_round, deadline)
            and notification.rule.endswith(due.isoformat())
            and notification.recipient_id in {p.pk for p in recipients(audit_round, deadline)}
        )
