"""Trainings write dates and times as meetings do (portal/formats, Indonesian first): SPAN below,
never "1 Mar 2027" or "09:00", on pages and in messages."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from meetings.tests.factories import MeetingFactory
from portal.models import ReminderSettings
from portal.notifications import rules
from portal.notifications.rendering import render
from portal.tests.message_checks import rows
from trainings import services

from .factories import SessionFactory, TrainingFactory

DAY = date(2027, 3, 1)  # a Monday
SPAN = "Senin, 1 Maret 2027, 09.00–11.00 WITA"
SPAN_SHAPE = re.compile(r"\w+, \d{1,2} \w+ \d{4}, \d{2}\.\d{2}–\d{2}\.\d{2} WITA")
FOREIGN = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des)\b|\b\d{2}:\d{2}\b")


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def training(demo):
    training = TrainingFactory(title="Pelatihan Kader TPK", start_date=DAY, end_date=DAY + timedelta(days=2))
    SessionFactory(training=training, date=DAY, start_time=time(9), end_time=time(11), topic="Materi gizi")
    return training


def main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_training_session_reads_as_a_meeting_at_the_same_hour(client, training, camat_a, dppkb):
    meeting = MeetingFactory(start=at(DAY, 9), end=at(DAY, 11))
    client.force_login(dppkb)
    meeting_page = client.get(meeting.get_absolute_url()).content.decode()
    client.force_login(camat_a)
    training_page = client.get(training.get_absolute_url()).content.decode()

    assert SPAN in meeting_page and SPAN in training_page
    assert "1 Maret 2027 – 3 Maret 2027" in training_page


def test_the_training_pages_use_the_portal_formats(client, training, camat_a, bkkbn):
    services.register(training=training, person=camat_a, acting_user=camat_a)
    client.force_login(camat_a)
    pages = [
        client.get(reverse("trainings:index")).content.decode(),
        client.get(reverse("portal:dashboard")).content.decode(),
        client.get(training.get_absolute_url()).content.decode(),
    ]
    client.force_login(bkkbn)
    participants = main(client.get(reverse("trainings:enrollment-list", args=[training.pk])).content.decode())

    for page in pages:
        assert "1 Maret 2027" in main(page)
        assert not FOREIGN.search(main(page)), FOREIGN.search(main(page)).group(0)
    requested = timezone.localtime(training.enrollments.get().requested_at)
    assert date_format(requested, "j F Y, H.i") in participants
    assert not FOREIGN.search(participants), FOREIGN.search(participants).group(0)


def test_the_session_message_reads_as_the_meeting_reminder(demo, camat_a, dppkb, reminder_settings):
    tomorrow = timezone.localdate() + timedelta(days=1)
    training = TrainingFactory(title="Pelatihan Kader TPK", start_date=tomorrow)
    session = SessionFactory(training=training, start_time=time(9), end_time=time(11))
    services.register(training=training, person=camat_a, acting_user=camat_a)
    meeting = MeetingFactory(start=at(tomorrow, 9), end=at(tomorrow, 11))
    meeting.invitations.create(person=camat_a)
    settings = ReminderSettings.load()
    rules.reconcile(rules.REGISTRY["training_session"], session, timezone.now(), settings)
    rules.reconcile(rules.REGISTRY["meeting_reminder"], meeting, timezone.now(), settings)

    meeting_text = render(rows("meeting_reminder", camat_a)[0]).text
    spans = SPAN_SHAPE.findall(meeting_text)
    assert spans, meeting_text
    for row in rows("training_session", camat_a):
        rendered = render(row)
        assert spans[0] in rendered.text, rendered.text
        assert not FOREIGN.search(rendered.text + rendered.subject)


def test_the_participants_export_writes_the_registration_time_in_the_portal_format(training, camat_a):
    from trainings.resources import ParticipantResource

    services.register(training=training, person=camat_a, acting_user=camat_a)
    enrollment = training.enrollments.get()

    written = ParticipantResource().dehydrate_registered(enrollment)

    moment = timezone.localtime(enrollment.requested_at)
    assert written == f"{date_format(moment, 'SHORT_DATETIME_FORMAT')} WITA"
    assert not FOREIGN.search(written)
