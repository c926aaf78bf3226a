"""Every meeting and commitment message, built by the code that sends it from real objects and
rendered in Indonesian and English: the meeting's title or the commitment's description, its
dates, and links that lead to a portal page (portal/tests/message_checks.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings import services
from meetings.commitments import services as commitment_services
from meetings.models import Commitment, Meeting, Minutes
from portal.models import Notification, ReminderSettings
from portal.notifications import rules
from portal.tests.message_checks import TRICKY, check_message, rows

from .factories import PDF_BYTES

COVERED_RULES = {
    "meeting_invitation",
    "meeting_changed",
    "meeting_reminder",
    "meeting_rsvp_nudge",
    "meeting_commitments",
    "minutes_approved",
    "minutes_awaiting_approval",
    "commitment_due",
    "commitment_done",
    "commitment_reopened",
}

TITLE = f"Rakor TPPS {TRICKY}"
DESCRIPTION = f"PMT balita {TRICKY}"


@pytest.fixture
def meeting(demo, dppkb):
    start = (timezone.now() + timedelta(days=10)).replace(hour=1, minute=0, second=0, microsecond=0)
    meeting = Meeting.objects.create(
        title=TITLE,
        region_id="63.05",
        start=start,
        end=start + timedelta(hours=2),
        venue="Aula Bappelitbang",
        status=Meeting.Status.SCHEDULED,
        chair=dppkb,
    )
    meeting.organisers.set([demo.orgs["tpps"]])
    return meeting


@pytest.fixture
def commitment(demo, meeting, kapus, notulis):
    meeting.status = Meeting.Status.HELD
    meeting.save()
    return commitment_services.create_commitment(
        meeting=meeting,
        description=DESCRIPTION,
        owner=demo.orgs["dinkes"],
        pic=kapus,
        due_date=timezone.localdate() + timedelta(days=5),
        acting_user=notulis,
    )


def _held(meeting) -> None:
    """Minutes are approved only after the meeting was held."""
    Meeting.objects.filter(pk=meeting.pk).update(
        start=meeting.start - timedelta(days=12),
        end=meeting.end - timedelta(days=12),
        status=Meeting.Status.HELD,
    )
    meeting.refresh_from_db()


def _day(moment):
    return timezone.localtime(moment).date()


def test_the_invitation_names_the_meeting_its_day_and_links_to_it(meeting, camat_a, dppkb, reminder_settings):
    services.invite(meeting=meeting, people=[camat_a], acting_user=dppkb)
    check_message(rows("meeting_invitation", camat_a), name=TITLE, dates=[_day(meeting.start)])


def test_the_change_notice_names_the_meeting_and_its_new_day(meeting, camat_a, dppkb, reminder_settings):
    services.invite(meeting=meeting, people=[camat_a], acting_user=dppkb)
    meeting.start += timedelta(days=1)
    meeting.end += timedelta(days=1)
    meeting.sequence += 1
    meeting.save()
    services.notify_change(meeting=meeting)
    check_message(rows("meeting_changed", camat_a), name=TITLE, dates=[_day(meeting.start)])


def test_the_cancellation_notice_names_the_meeting(meeting, camat_a, dppkb, reminder_settings):
    services.invite(meeting=meeting, people=[camat_a], acting_user=dppkb)
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save()
    services.notify_change(meeting=meeting)
    check_message(rows("meeting_changed", camat_a), name=TITLE)


@pytest.mark.parametrize("rule", ["meeting_reminder", "meeting_rsvp_nudge"])
def test_the_meeting_reminders_name_the_meeting_and_its_day(rule, meeting, camat_a, dppkb, reminder_settings):
    services.invite(meeting=meeting, people=[camat_a], acting_user=dppkb)
    rules.reconcile(rules.REGISTRY[rule], meeting, timezone.now(), ReminderSettings.load())
    found = rows(rule, camat_a)
    check_message(found[:1] + found[-1:], name=TITLE, dates=[_day(meeting.start)])


def test_the_new_commitments_message_names_each_commitment_and_its_deadline(
    meeting, commitment, kapus, dppkb, reminder_settings
):
    _held(meeting)
    Minutes.objects.create(meeting=meeting)
    services.approve_minutes(minutes=meeting.minutes, acting_user=dppkb)
    rule = rules.REGISTRY["meeting_commitments"]
    rules.reconcile(rule, meeting, timezone.now(), ReminderSettings.load())
    found = rows("meeting_commitments", kapus)
    check_message(found, name=DESCRIPTION, subject_name=TITLE, dates=[commitment.due_date])


def test_the_minutes_approved_message_names_the_meeting(meeting, camat_a, dppkb, reminder_settings):
    services.invite(meeting=meeting, people=[camat_a], acting_user=dppkb)
    _held(meeting)
    Minutes.objects.create(meeting=meeting)
    services.approve_minutes(minutes=meeting.minutes, acting_user=dppkb)
    check_message(rows("minutes_approved", camat_a), name=TITLE)


@pytest.mark.parametrize("days_before", [5, 0, -1, -7])
def test_every_deadline_reminder_names_the_commitment_and_its_deadline(
    days_before, commitment, kapus, dppkb, reminder_settings
):
    due = timezone.localdate() + timedelta(days=days_before)
    Commitment.objects.filter(pk=commitment.pk).update(due_date=due)
    commitment.refresh_from_db()
    rule = rules.REGISTRY["commitment_due"]
    for reminder in rule.reminders(commitment, timezone.now(), ReminderSettings.load()):
        rules.notify(
            rule=reminder.rule,
            recipients=reminder.recipients,
            source=commitment,
            context=reminder.context,
            channels=reminder.channels,
        )
    person = dppkb if days_before == -7 else kapus
    stage = "commitment_due:escalation" if days_before == -7 else "commitment_due"
    check_message(rows(stage, person)[-2:], name=DESCRIPTION, dates=[due])


def test_the_done_and_reopened_notices_name_the_commitment(commitment, kapus, notulis, reminder_settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence = SimpleUploadedFile("bukti.pdf", PDF_BYTES, content_type="application/pdf")
    commitment_services.mark_done(commitment=commitment, acting_user=kapus, note="Selesai", files=[evidence])
    check_message(rows("commitment_done", notulis), name=DESCRIPTION, dates=[commitment.due_date])

    commitment_services.reopen(commitment=commitment, acting_user=notulis, reason="Bukti kurang")
    check_message(rows("commitment_reopened", kapus), name=DESCRIPTION, dates=[commitment.due_date])
    assert Notification.objects.filter(rule__startswith="commitment_reopened", recipient=kapus).count() == 2


def test_the_chair_is_told_the_minutes_wait_for_approval(meeting, notulis, dppkb, reminder_settings):
    Meeting.objects.filter(pk=meeting.pk).update(start=timezone.now() - timedelta(hours=3))
    meeting.refresh_from_db()
    minutes = Minutes.objects.create(meeting=meeting)
    data = {"summary": "Ringkasan", "decisions": "Keputusan", "discussions": {}}
    services.save_minutes(minutes=minutes, data=data, acting_user=notulis)
    services.save_minutes(minutes=minutes, data=data, acting_user=notulis)
    found = rows("minutes_awaiting_approval", dppkb)
    assert len(found) == 2  # e-mail and in-app, once however often the draft is saved
    check_message(found, name=TITLE, dates=[_day(meeting.start)])
