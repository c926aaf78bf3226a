"""The periodic jobs at scale: a run longer than its lock's lease still holds the lock until it
ends; the dispatcher sends a batch over one SMTP connection with a fixed number of statements,
and a refused recipient fails only its own message."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import JobLock, Notification
from portal.notifications import engine, notify, rules
from portal.notifications.locks import periodic_lock
from portal.tasks import scan_reminders

EMAIL = Notification.Channel.EMAIL


class SlowRule(rules.ReminderRule):
    """Takes longer than the lease, and looks whether another run could take the lock meanwhile."""

    name = "test_message"
    model = "portal.Organisation"
    seen: list[bool] = []

    def candidates(self, now, cfg):
        time.sleep(2.5)  # more than twice the 1-second lease
        with periodic_lock("scan_reminders", 1) as second:
            SlowRule.seen.append(second)
        return []


@pytest.mark.django_db(transaction=True)
def test_a_run_longer_than_its_lease_keeps_the_lock_until_it_ends(reminder_settings):
    reminder_settings.job_lock_seconds = 1
    reminder_settings.save()
    rules.register(SlowRule)
    try:
        scan_reminders()
    finally:
        rules.unregister(SlowRule.name)

    assert SlowRule.seen == [False], "a second run took the lock of a run still going"
    lock = JobLock.objects.get(name="scan_reminders")
    assert lock.owner == "" and lock.locked_until is None  # released at the end
    with periodic_lock("scan_reminders", 1) as next_run:
        assert next_run


@pytest.mark.django_db(transaction=True)
def test_a_lease_left_by_a_dead_worker_expires_without_its_heartbeat(db):
    with periodic_lock("job", 1) as first:
        assert first
        JobLock.objects.filter(name="job").update(owner="dead-worker", locked_until=timezone.now())
        time.sleep(0.6)  # the heartbeat finds the lease is no longer its own and stops renewing
        with periodic_lock("job", 1) as second:
            assert second


class RefusingOneRecipient:
    """aiosmtpd handler: refuses one address at RCPT, accepts the rest, counts SMTP sessions."""

    def __init__(self) -> None:
        self.sessions = 0
        self.delivered: list[str] = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bad@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.delivered += envelope.rcpt_tos
        return "250 OK queued"


@pytest.fixture
def refusing_smtp(settings):
    from aiosmtpd.controller import Controller

    from .conftest import free_port

    handler = RefusingOneRecipient()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "portal.mail.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", controller.port, 5
    yield handler
    controller.stop()


def test_a_batch_goes_over_one_smtp_connection_and_a_refused_recipient_fails_only_itself(
    person, reminder_settings, refusing_smtp
):
    good = [person(f"p{n}") for n in range(6)]
    bad = person("bad")
    notify(rule="test_message", recipients=[*good[:3], bad, *good[3:]], channels=[EMAIL])

    sent = engine.dispatch()

    assert sent == 6
    assert sorted(refusing_smtp.delivered) == sorted(p.email for p in good)
    # One session for the batch, and one more after the refusal (the session is dropped then).
    assert refusing_smtp.sessions == 2
    states = dict(Notification.objects.values_list("recipient__username", "state"))
    assert states.pop("bad") == Notification.State.SCHEDULED  # retried later with backoff
    assert set(states.values()) == {Notification.State.SENT}
    row = Notification.objects.get(recipient=bad)
    assert row.attempts == 1 and "No such mailbox" in row.last_error


def test_dispatching_a_batch_takes_the_same_statements_for_5_or_50_messages(
    person, reminder_settings, mailbox
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def statements(count: int) -> int:
        people = [person(f"q{count}-{n}") for n in range(count)]
        notify(rule=f"test_message:{count}", recipients=people, channels=[EMAIL])
        with CaptureQueriesContext(connection) as queries:
            assert engine.dispatch() == count
        return len(queries) - count  # one UPDATE per sent message records it at once

    assert statements(5) == statements(50)


def _rows(prefix: str, person, source_type, now) -> list[dict]:
    return [
        dict(
            key=f"{prefix}:{n}",
            rule=f"test_rule:{n}",
            channel=channel,
            recipient_id=person.pk,
            source_type_id=source_type.pk,
            source_id=str(n),
            context={"n": n, "items": [{"due_date": "2026-01-02"}], "text": "Ω"},
            send_at=now + timedelta(hours=n),
            due_at=now + timedelta(hours=n),
            expires_at=None if n % 2 else now + timedelta(days=n),
            digestible=bool(n % 2),
            state=state,
            sent_at=now if state == Notification.State.SENT else None,
        )
        for n, (channel, state) in enumerate(
            [
                (Notification.Channel.EMAIL, Notification.State.SCHEDULED),
                (Notification.Channel.INAPP, Notification.State.SCHEDULED),
                (Notification.Channel.INAPP, Notification.State.SENT),
            ]
        )
    ]


def test_insert_new_writes_what_bulk_create_writes_and_skips_keys_already_there(
    reminder_settings, django_user_model, monkeypatch
):
    from django.contrib.contenttypes.models import ContentType

    person = django_user_model.objects.create(username="penerima", email="p@example.org")
    source_type = ContentType.objects.get_for_model(django_user_model)
    changed = []
    monkeypatch.setattr("portal.inbox.inbox_changed", lambda ids: changed.append(sorted(ids)))
    now = timezone.now()
    objs = [Notification(**row) for row in _rows("django", person, source_type, now)]
    Notification.objects.bulk_create(objs, ignore_conflicts=True)
    started = timezone.now()
    rules.insert_new(_rows("fast", person, source_type, now), batch_size=2)  # two batches
    # A key already there is skipped (ON CONFLICT DO NOTHING), the others are not.
    Notification.objects.filter(key="fast:0").update(context={"kept": True})
    rules.insert_new(_rows("fast", person, source_type, now)[:1])

    skip = {"id", "key", "created_at", "updated_at"}
    fields = [f.attname for f in Notification._meta.concrete_fields if f.name not in skip]

    def rows(prefix):
        return sorted(Notification.objects.filter(key__startswith=prefix).values_list(*fields))

    fast = Notification.objects.filter(key__startswith="fast:")
    assert fast.count() == 3
    assert fast.get(key="fast:0").context == {"kept": True}
    fast.filter(key="fast:0").update(context={"n": 0, "items": [{"due_date": "2026-01-02"}], "text": "Ω"})
    assert rows("fast:") == rows("django:")
    assert all(started <= min(row.created_at, row.updated_at) for row in fast)
    # The in-app row already sent counts to its recipient's inbox, as with bulk_create.
    assert changed[:3] == [[person.pk], [person.pk], []]
