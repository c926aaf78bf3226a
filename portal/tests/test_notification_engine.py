"""The reminders engine without a worker: outbox keys, claiming, retries, missed,
quiet hours, digest, language, locks, and the rule registry."""

from __future__ import annotations

import socket
from datetime import time as clock
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from portal.models import JobLock, Notification, Organisation
from portal.notifications import engine, notify, rules
from portal.notifications.locks import periodic_lock

State = Notification.State
EMAIL, INAPP = Notification.Channel.EMAIL, Notification.Channel.INAPP


def test_asking_twice_for_the_same_message_stores_it_once(person, reminder_settings):
    ani = person("ani")

    notify(rule="test_message", recipients=[ani], context={"n": 1})
    notify(rule="test_message", recipients=[ani, ani], context={"n": 2})

    assert Notification.objects.count() == 2  # one per channel
    assert set(Notification.objects.values_list("channel", flat=True)) == {EMAIL, INAPP}


def test_people_without_email_get_the_in_app_message_only(person, reminder_settings):
    budi = person("budi", email="")

    notify(rule="test_message", recipients=[budi])

    assert list(Notification.objects.values_list("channel", flat=True)) == [INAPP]


def test_dispatch_sends_each_due_message_once_and_records_it(person, reminder_settings, mailbox):
    ani = person("ani")
    notify(rule="test_message", recipients=[ani])

    assert engine.dispatch() == 2
    assert engine.dispatch() == 0
    assert engine.deliver_one(Notification.objects.get(channel=EMAIL).pk) is False

    assert len(mailbox) == 1
    email_row = Notification.objects.get(channel=EMAIL)
    assert email_row.state == State.SENT and email_row.attempts == 1
    assert email_row.provider_message_id == mailbox[0].extra_headers["Message-ID"]
    assert email_row.title == mailbox[0].subject
    inapp = Notification.objects.get(channel=INAPP)
    assert inapp.state == State.SENT and inapp.body and inapp.read_at is None


def test_a_message_for_later_waits_until_its_time(person, reminder_settings, mailbox):
    notify(rule="test_message", recipients=[person("ani")], send_at=timezone.now() + timedelta(hours=2))

    assert engine.dispatch() == 0
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SCHEDULED}
    assert mailbox == []


def test_email_is_written_in_the_recipients_language(person, reminder_settings, mailbox):
    notify(rule="test_message", recipients=[person("ani", language="id"), person("john", language="en")])

    engine.dispatch()

    subjects = {m.to[0]: m.subject for m in mailbox}
    assert subjects["john@example.org"] == "Portal TPPS: test message"
    assert subjects["ani@example.org"] == "Portal TPPS: pesan uji"
    html = next(m for m in mailbox if m.to == ["ani@example.org"]).alternatives[0]
    assert "Halo Ani" in html[0] and html[1] == "text/html"


def attaching_source(monkeypatch) -> Organisation:
    """A source whose messages carry an invitation file (`email_attachments`)."""
    monkeypatch.setattr(
        Organisation,
        "email_attachments",
        lambda self, n: [("undangan.ics", b"BEGIN:VCALENDAR", "text/calendar")],
        raising=False,
    )
    return Organisation.objects.create(name="Dinas Kesehatan", kind="opd", region_id=_region().code)


def test_the_source_can_attach_files_to_the_email(person, reminder_settings, mailbox, monkeypatch):
    org = attaching_source(monkeypatch)
    notify(rule="test_message", recipients=[person("ani")], source=org, channels=[EMAIL])

    engine.dispatch()

    assert mailbox[0].attachments == [("undangan.ics", "BEGIN:VCALENDAR", "text/calendar")]


def test_an_email_written_out_parses_back_into_its_parts(person, reminder_settings, mailbox, monkeypatch):
    """Written out as the SMTP backend writes it (portal.mail): each multipart gets its own
    boundary, none occurs in a part, and a mail reader finds every part again."""
    import email

    from portal.mail import as_bytes

    org = attaching_source(monkeypatch)
    notify(rule="test_message", recipients=[person("ani")], source=org, channels=[EMAIL])
    engine.dispatch()

    written = as_bytes(mailbox[0].message())
    parsed = email.message_from_bytes(written)
    boundaries = [part.get_boundary() for part in parsed.walk() if part.is_multipart()]
    assert len(boundaries) == len(set(boundaries)) == 2  # mixed, holding the alternatives
    leaves = [part for part in parsed.walk() if not part.is_multipart()]
    assert [part.get_content_type() for part in leaves] == ["text/plain", "text/html", "text/calendar"]
    assert "Halo Ani" in leaves[0].get_payload(decode=True).decode()
    assert leaves[2].get_payload(decode=True) == b"BEGIN:VCALENDAR"
    for part in leaves:
        assert not any(b in part.get_payload() for b in boundaries)


def _region():
    from portal.models import Region

    return Region.objects.get_or_create(
        code="63", defaults={"name": "Kalimantan Selatan", "level": "provinsi"}
    )[0]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when we return: connections are refused


def test_an_smtp_failure_is_retried_with_backoff_then_failed_and_kept(person, reminder_settings, settings):
    settings.EMAIL_BACKEND = "portal.mail.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 1
    reminder_settings.max_attempts, reminder_settings.retry_base_seconds = 3, 60
    reminder_settings.save()
    notify(rule="test_message", recipients=[person("ani")], channels=[EMAIL])
    row = Notification.objects.get()

    before = timezone.now()
    engine.dispatch()
    row.refresh_from_db()
    assert row.state == State.SCHEDULED and row.attempts == 1 and "ConnectionRefused" in row.last_error
    assert timedelta(seconds=59) < row.send_at - before < timedelta(seconds=70)

    Notification.objects.filter(pk=row.pk).update(send_at=timezone.now())
    engine.dispatch()
    row.refresh_from_db()
    assert row.attempts == 2 and timedelta(seconds=119) < row.send_at - timezone.now() < timedelta(
        seconds=130
    )

    Notification.objects.filter(pk=row.pk).update(send_at=timezone.now())
    engine.dispatch()
    row.refresh_from_db()
    assert row.state == State.FAILED and row.attempts == 3 and row.last_error


def test_a_message_past_its_grace_window_is_missed_not_sent_late(person, reminder_settings, mailbox):
    long_ago = timezone.now() - timedelta(hours=reminder_settings.grace_hours + 1)
    notify(rule="test_message", recipients=[person("ani")], send_at=long_ago)
    soon_over = timezone.now() - timedelta(minutes=1)
    notify(
        rule="test_message:2",
        recipients=[person("budi")],
        send_at=soon_over - timedelta(hours=1),
        expires_at=soon_over,
    )

    assert engine.dispatch() == 0

    assert mailbox == []
    assert set(Notification.objects.values_list("state", flat=True)) == {State.MISSED}


def test_quiet_hours_hold_email_until_morning_but_not_the_in_app_list(person, reminder_settings, mailbox):
    now = timezone.localtime()
    reminder_settings.quiet_start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    reminder_settings.quiet_end = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    reminder_settings.save()
    notify(rule="test_message", recipients=[person("ani")])

    engine.dispatch()

    assert mailbox == []
    email_row = Notification.objects.get(channel=EMAIL)
    assert email_row.state == State.SCHEDULED
    held_until = timezone.localtime(email_row.send_at)
    assert held_until.time() == reminder_settings.quiet_end and held_until > now
    assert Notification.objects.get(channel=INAPP).state == State.SENT


def test_quiet_hours_span_midnight_in_wita(reminder_settings):
    reminder_settings.quiet_start, reminder_settings.quiet_end = clock(21, 0), clock(6, 0)
    wita = timezone.get_default_timezone()
    at = lambda h, m=0: timezone.make_aware(timezone.datetime(2026, 11, 23, h, m), wita)  # noqa: E731

    assert django_settings.TIME_ZONE == "Asia/Makassar"
    assert engine.in_quiet_hours(at(21), reminder_settings) and engine.in_quiet_hours(
        at(5, 59), reminder_settings
    )
    assert not engine.in_quiet_hours(at(6), reminder_settings) and not engine.in_quiet_hours(
        at(20, 59), reminder_settings
    )
    assert engine.quiet_hours_end(at(23), reminder_settings) == at(6) + timedelta(days=1)
    assert engine.quiet_hours_end(at(2), reminder_settings) == at(6)


def test_digest_readers_get_one_email_a_day_listing_their_reminders(person, reminder_settings, mailbox):
    reminder_settings.digest_time = clock(0, 0)
    reminder_settings.save()
    ani = person("ani", notification_digest=True)
    budi = person("budi")
    for n in range(3):
        notify(rule=f"test_message:{n}", recipients=[ani, budi], digestible=True)
    notify(rule="test_message:event", recipients=[ani])  # an event message is not held

    engine.dispatch()
    assert sorted(m.to[0] for m in mailbox) == ["ani@example.org"] + ["budi@example.org"] * 3

    assert engine.send_digests() == 1
    assert engine.send_digests() == 0  # once a day
    engine.dispatch()

    digest = mailbox[-1]
    assert digest.to == ["ani@example.org"] and "3" in digest.subject
    assert len(mailbox) == 5
    held = Notification.objects.filter(recipient=ani, channel=EMAIL, digestible=True)
    assert {row.state for row in held} == {State.SENT}
    assert {row.provider_message_id for row in held} == {digest.extra_headers["Message-ID"]}
    assert Notification.objects.filter(recipient=ani, channel=INAPP, state=State.SENT).count() == 4


def test_a_row_left_sending_by_a_killed_worker_is_sent_again_after_the_timeout(
    person, reminder_settings, mailbox
):
    notify(rule="test_message", recipients=[person("ani")], channels=[EMAIL])
    row = engine.claim(timezone.now(), reminder_settings)  # the worker dies right after this
    assert row.state == State.SENDING

    assert engine.dispatch() == 0  # not stale yet: nobody else touches it
    Notification.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert engine.dispatch() == 1

    row.refresh_from_db()
    assert row.state == State.SENT and row.attempts == 2 and len(mailbox) == 1


def test_a_message_about_a_deleted_source_is_cancelled(person, reminder_settings, mailbox):
    org = Organisation.objects.create(name="Dinas Sosial", kind="opd", region_id=_region().code)
    notify(rule="test_message", recipients=[person("ani")], source=org)
    org.delete()

    engine.dispatch()

    assert mailbox == []
    assert set(Notification.objects.values_list("state", flat=True)) == {State.CANCELLED}


def test_periodic_jobs_cannot_overlap_and_a_dead_holder_expires(db):
    with periodic_lock("job", 60) as first:
        with periodic_lock("job", 60) as second:
            assert first and not second
    with periodic_lock("job", 60) as again:
        assert again
    JobLock.objects.filter(name="job").update(
        owner="dead-worker", locked_until=timezone.now() - timedelta(seconds=1)
    )
    with periodic_lock("job", 60) as after_expiry:
        assert after_expiry


class OrganisationCheckRule(rules.ReminderRule):
    """A rule defined for the tests: remind every organisation's head, until the name says done."""

    name = "test_message"
    model = "portal.Organisation"

    def candidates(self, now, cfg):
        return Organisation.objects.exclude(head=None)

    def reminders(self, org, now, cfg):
        if org.name.endswith("(done)"):
            return []
        return [rules.Reminder(rule=f"{self.name}:check:{org.phone}", recipients=[org.head], send_at=now)]

    def still_wanted(self, notification, org):
        return not org.name.endswith("(done)")


@pytest.fixture
def org_rule():
    rules.register(OrganisationCheckRule)
    yield OrganisationCheckRule
    rules.unregister(OrganisationCheckRule.name)


def test_two_scans_create_each_reminder_once(person, reminder_settings, org_rule):
    Organisation.objects.create(
        name="Bappeda", kind="opd", region_id=_region().code, head=person("ani"), phone="1"
    )

    rules.scan()
    rules.scan()

    assert Notification.objects.count() == 2
    assert Notification.objects.filter(state=State.SCHEDULED, digestible=True).count() == 2


def test_a_changed_source_moves_its_pending_reminders_and_a_finished_one_cancels_them(
    person, reminder_settings, org_rule
):
    org = Organisation.objects.create(
        name="Bappeda", kind="opd", region_id=_region().code, head=person("ani"), phone="1"
    )
    rules.scan()
    old = set(Notification.objects.values_list("pk", flat=True))

    org.phone = "2"  # stands for a new deadline
    org.save()
    rules.scan()
    assert set(Notification.objects.filter(pk__in=old).values_list("state", flat=True)) == {State.CANCELLED}
    assert (
        Notification.objects.of_rule("test_message", "check", "2").filter(state=State.SCHEDULED).count() == 2
    )

    org.name = "Bappeda (done)"
    org.save()
    rules.scan()
    assert not Notification.objects.filter(state=State.SCHEDULED).exists()


def test_a_source_finished_between_scan_and_send_is_cancelled_at_send_time(
    person, reminder_settings, org_rule, mailbox
):
    org = Organisation.objects.create(
        name="Bappeda", kind="opd", region_id=_region().code, head=person("ani"), phone="1"
    )
    rules.scan()
    Organisation.objects.filter(pk=org.pk).update(name="Bappeda (done)")

    engine.dispatch()

    assert mailbox == []
    assert set(Notification.objects.values_list("state", flat=True)) == {State.CANCELLED}


def test_every_notification_has_a_whatsapp_share_link(person, reminder_settings, mailbox):
    notify(rule="test_message", recipients=[person("ani")], context={"url": "/notifications/"})
    engine.dispatch()

    row = Notification.objects.get(channel=INAPP)
    assert row.share_text.startswith("Portal TPPS: pesan uji")
    assert row.share_text.endswith(f"{django_settings.SITE_URL}/notifications/")
    assert row.wa_link().startswith("https://wa.me/?text=Portal%20TPPS%3A%20pesan%20uji")


def test_every_scheduled_task_runs_once(person, reminder_settings, mailbox):
    from portal.celery import app

    notify(rule="test_message", recipients=[person("ani")])
    # As a worker does at start-up: import every app's tasks.py (autodiscovery).
    app.loader.import_default_modules()

    for entry in django_settings.CELERY_BEAT_SCHEDULE.values():
        app.tasks[entry["task"]].apply().get()

    assert len(mailbox) == 1
    assert not Notification.objects.exclude(state=State.SENT).exists()


def test_a_one_tap_token_works_only_for_its_person_action_and_time(person, db):
    from portal import tokens

    for name in ("test.rsvp", "test.update_progress"):
        tokens.register(
            tokens.OneTapAction(name, "portal.Organisation", timedelta(days=30), lambda o, t: f"/x/{t}/")
        )
    org = Organisation.objects.create(name="Dinas Sosial", kind="opd", region_id=_region().code)
    ani = person("ani")
    token = tokens.default_token_generator.make_token(user=ani, action="test.rsvp", obj=org)

    class NextYear(tokens.OneTapTokenGenerator):
        def _now(self):
            return super()._now() + timedelta(days=31)

    assert tokens.default_token_generator.check_token(token, action="test.rsvp") == (ani, org)
    with pytest.raises(tokens.InvalidToken):
        tokens.default_token_generator.check_token(token, action="test.update_progress")
    with pytest.raises(tokens.InvalidToken):
        tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
        tokens.default_token_generator.check_token(tampered, action="test.rsvp")
    with pytest.raises(tokens.ExpiredToken):
        NextYear().check_token(token, action="test.rsvp")
    ani.is_active = False
    ani.save()
    with pytest.raises(tokens.InvalidToken):
        tokens.default_token_generator.check_token(token, action="test.rsvp")


def test_of_rule_finds_a_rule_or_one_stage_of_it_and_nothing_with_a_longer_name(person):
    ani = person("ani")
    for rule in (
        "test_message:h-7:2026-01-01",
        "test_message:h-1:2026-01-01",
        "test_message",
        "test_messages",
    ):
        notify(rule=rule, recipients=[ani], channels=[Notification.Channel.INAPP])

    def rules(*args) -> set[str]:
        return set(Notification.objects.of_rule(*args).values_list("rule", flat=True))

    assert rules("test_message") == {
        "test_message:h-7:2026-01-01",
        "test_message:h-1:2026-01-01",
        "test_message",
    }
    assert rules("test_message", "h-7") == {"test_message:h-7:2026-01-01"}


def test_messages_about_a_new_source_are_written_by_one_insert_and_never_twice(
    person, reminder_settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.db import IntegrityError, transaction

    from portal.notifications import notify_each

    ani, budi = person("ani"), person("budi")
    source = Organisation.objects.first()
    messages = [(ani, {"n": 1}), (budi, {"n": 2})]

    with django_capture_on_commit_callbacks() as published, django_assert_num_queries(1):
        rows = notify_each(rule="test_new", messages=messages, source=source, new_source=True)

    assert len(rows) == 4 and all(row.pk for row in rows)  # both channels, ids returned by the insert
    assert len(published) == 1  # one send task for all of them
    stored = Notification.objects.filter(rule="test_new")
    assert {(r.recipient_id, r.channel, r.context["n"]) for r in stored} == {
        (ani.pk, EMAIL, 1),
        (ani.pk, INAPP, 1),
        (budi.pk, EMAIL, 2),
        (budi.pk, INAPP, 2),
    }
    # A caller wrong about the source being new is refused, not given a second copy.
    with pytest.raises(IntegrityError), transaction.atomic():
        notify_each(rule="test_new", messages=messages, source=source, new_source=True)
    assert stored.count() == 4
