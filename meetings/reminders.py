"""Time-driven reminders about meetings and commitments (RTL), run by the periodic scan.

Lead times come from portal.models.ReminderSettings (admin). The stage key of
each reminder carries the date it is about, so a moved deadline or meeting
gets fresh reminders and the pending ones for the old date are cancelled.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import pairwise

from django.utils import timezone

from portal.models import Notification, ReminderSettings
from portal.notifications.rules import Reminder, ReminderRule, register

from .models import Commitment, Invitation, Meeting


def at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def meeting_stamp(meeting: Meeting) -> str:
    return timezone.localtime(meeting.start).strftime("%Y%m%dT%H%M")


@register
class CommitmentDeadlineRule(ReminderRule):
    """H-7, H-3, H-1, due day and overdue to the PIC and the owner's focal points;
    escalation to the kabupaten's DPPKB admins. Nothing once done, verified or cancelled."""

    name = "commitment_due"
    model = "meetings.Commitment"

    def candidates(self, now, cfg):
        today = timezone.localdate(now)
        ahead = max(cfg.lead_days(), default=0) + 1
        behind = max(cfg.overdue_days, cfg.escalation_days) + 1
        return (
            Commitment.objects.open()
            .filter(due_date__gte=today - timedelta(days=behind), due_date__lte=today + timedelta(days=ahead))
            .select_related("owner", "pic", "meeting__region")
        )

    def reminders(self, commitment: Commitment, now, cfg: ReminderSettings) -> list[Reminder]:
        if not commitment.is_open:
            return []
        due = commitment.due_date
        people = commitment.focal_points()
        context = {"due_date": due.isoformat()}
        wanted = [
            Reminder(
                rule=f"{self.name}:{'h0' if days == 0 else f'h-{days}'}:{due.isoformat()}",
                recipients=people,
                send_at=at(due - timedelta(days=days), cfg.send_time),
                context={**context, "stage": "before", "days": days},
            )
            for days in cfg.lead_days()
        ]
        wanted.append(
            Reminder(
                rule=f"{self.name}:overdue:{due.isoformat()}",
                recipients=people,
                send_at=at(due + timedelta(days=cfg.overdue_days), cfg.send_time),
                context={**context, "stage": "overdue", "days": cfg.overdue_days},
            )
        )
        # A late stage is never sent once the next one is due (no "due in 1 day" on the due day).
        wanted.sort(key=lambda reminder: reminder.send_at)
        for stage, following in pairwise(wanted):
            stage.expires_at = following.send_at
        wanted.append(
            Reminder(
                rule=f"{self.name}:escalation:{due.isoformat()}",
                recipients=list(commitment.kabupaten_admins()),
                send_at=at(due + timedelta(days=cfg.escalation_days), cfg.send_time),
                context={**context, "stage": "escalation", "days": cfg.escalation_days},
            )
        )
        return wanted

    def still_wanted(self, notification: Notification, commitment: Commitment) -> bool:
        return commitment.is_open and notification.rule.endswith(commitment.due_date.isoformat())


def invitees(meeting: Meeting, responses) -> list:
    """People reached by the meeting's invitations with one of `responses`."""
    people = {}
    for invitation in meeting.invitations.filter(response__in=responses).select_related(
        "person", "organisation__head"
    ):
        for person in invitation.recipients():
            people[person.pk] = person
    return list(people.values())


NOT_DECLINED = [Invitation.Response.PENDING, Invitation.Response.HADIR, Invitation.Response.DIWAKILKAN]


class MeetingRule(ReminderRule):
    model = "meetings.Meeting"
    days_field = ""

    def candidates(self, now, cfg):
        ahead = timedelta(days=max(cfg.meeting_days_before, cfg.rsvp_nudge_days_before) + 1)
        return Meeting.objects.filter(status=Meeting.Status.SCHEDULED, start__gt=now, start__lte=now + ahead)

    def is_on(self, meeting: Meeting, now) -> bool:
        return meeting.status == Meeting.Status.SCHEDULED and meeting.start > now

    def still_wanted(self, notification: Notification, meeting: Meeting) -> bool:
        return (
            self.is_on(meeting, timezone.now())
            and notification.rule.endswith(meeting_stamp(meeting))
            and notification.recipient_id in {p.pk for p in self.people(meeting)}
        )


@register
class MeetingReminderRule(MeetingRule):
    """H-1 and a few hours before, to invitees who have not declined."""

    name = "meeting_reminder"

    def people(self, meeting: Meeting) -> list:
        return invitees(meeting, NOT_DECLINED)

    def reminders(self, meeting: Meeting, now, cfg: ReminderSettings) -> list[Reminder]:
        if not self.is_on(meeting, now):
            return []
        people, stamp = self.people(meeting), meeting_stamp(meeting)
        return [
            Reminder(
                rule=f"{self.name}:days:{stamp}",
                recipients=people,
                send_at=meeting.start - timedelta(days=cfg.meeting_days_before),
                expires_at=meeting.start,
                context={"stage": "days", "days": cfg.meeting_days_before},
            ),
            Reminder(
                rule=f"{self.name}:hours:{stamp}",
                recipients=people,
                send_at=meeting.start - timedelta(hours=cfg.meeting_hours_before),
                expires_at=meeting.start,
                context={"stage": "hours", "hours": cfg.meeting_hours_before},
            ),
        ]


@register
class MeetingRsvpNudgeRule(MeetingRule):
    """A nudge to invitees who have not answered yet."""

    name = "meeting_rsvp_nudge"

    def people(self, meeting: Meeting) -> list:
        return invitees(meeting, [Invitation.Response.PENDING])

    def reminders(self, meeting: Meeting, now, cfg: ReminderSettings) -> list[Reminder]:
        if not self.is_on(meeting, now):
            return []
        return [
            Reminder(
                rule=f"{self.name}:{meeting_stamp(meeting)}",
                recipients=self.people(meeting),
                send_at=at(
                    timezone.localdate(meeting.start) - timedelta(days=cfg.rsvp_nudge_days_before),
                    cfg.send_time,
                ),
                expires_at=meeting.start,
            )
        ]
