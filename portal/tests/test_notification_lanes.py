"""Sending over several SMTP connections at once (engine.send_lanes, in_lanes), on committed
rows (each lane is a thread with its own database connection) and a real SMTP server."""

from __future__ import annotations

import threading
from collections import Counter
from types import SimpleNamespace

import pytest

from portal.models import Notification, User
from portal.notifications import engine, notify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reminder_settings")]
State = Notification.State


def _queue(count: int) -> list[int]:
    people = [
        User.objects.create_user(f"p{n}", email=f"p{n}@example.org", first_name=f"P{n}") for n in range(count)
    ]
    rows = []
    for n, someone in enumerate(people):
        rows += notify(rule=f"test_message:{n}", recipients=[someone], channels=[Notification.Channel.EMAIL])
    return [row.pk for row in rows]


def _sent_once(smtp_server, pks: list[int]) -> None:
    assert set(Notification.objects.filter(pk__in=pks).values_list("state", flat=True)) == {State.SENT}
    received = Counter(int(n) for n in smtp_server.notification_ids())
    assert received == Counter(pks)  # every row once, none twice


@pytest.mark.postgres  # lanes are threads with connections of their own
def test_the_dispatcher_drains_a_long_queue_over_several_connections_sending_each_row_once(smtp, settings):
    settings.NOTIFICATIONS_SMTP_CONNECTIONS = 4
    pks = _queue(60)

    assert engine.dispatch(batch_size=5) == 60

    _sent_once(smtp, pks)
    assert len(set(smtp.peers)) == 4  # four SMTP sessions, each sending its own rows


@pytest.mark.postgres  # lanes are threads with connections of their own
def test_a_send_task_shares_its_rows_among_lanes_of_at_least_ten(smtp, settings):
    settings.NOTIFICATIONS_SMTP_CONNECTIONS = 4
    pks = _queue(30)

    assert engine.deliver_many(pks) == 30

    _sent_once(smtp, pks)
    assert sorted(Counter(smtp.peers).values()) == [10, 10, 10]  # 30 rows: three lanes of 10


@pytest.mark.postgres  # lanes are threads with connections of their own
def test_a_short_queue_is_sent_over_one_connection(smtp, settings):
    settings.NOTIFICATIONS_SMTP_CONNECTIONS = 4
    pks = _queue(3)

    assert engine.dispatch() == 3

    _sent_once(smtp, pks)
    assert len(set(smtp.peers)) == 1


@pytest.mark.postgres  # lanes are threads with connections of their own
def test_two_dispatchers_with_lanes_at_once_send_each_row_once(smtp, settings):
    settings.NOTIFICATIONS_SMTP_CONNECTIONS = 3
    pks = _queue(60)
    results = []

    def run():
        try:
            results.append(engine.dispatch(batch_size=4))
        finally:
            from django.db import connections

            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sum(results) == 60
    _sent_once(smtp, pks)


def test_a_lane_that_fails_fails_the_call_after_the_others_have_ended():
    ended = []

    def work(lane: int) -> int:
        if lane == 2:
            raise RuntimeError("lane 2: the database went away")
        ended.append(lane)
        return 10

    with pytest.raises(RuntimeError, match="lane 2"):
        engine.in_lanes(work, 4)
    assert sorted(ended) == [0, 1, 3]
    assert engine.in_lanes(lambda lane: lane + 1, 3) == 6


def test_each_lane_logs_with_the_request_id_of_the_call():
    from portal import logs

    token = logs._request_id.set("task-42")
    try:
        seen = []
        engine.in_lanes(lambda lane: seen.append(logs._request_id.get()) or 0, 3)
    finally:
        logs._request_id.reset(token)
    assert seen.count("task-42") == 3


def test_the_embedded_database_sends_over_one_lane(settings, monkeypatch):
    monkeypatch.setattr(engine, "connection", SimpleNamespace(vendor="postgresql"))
    settings.NOTIFICATIONS_SMTP_CONNECTIONS = 4
    assert engine.send_lanes() == 4
    settings.NOTIFICATIONS_SMTP_CONNECTIONS = 0
    assert engine.send_lanes() == 1
    settings.NOTIFICATIONS_SMTP_CONNECTIONS = 4
    monkeypatch.setattr(engine, "connection", SimpleNamespace(vendor="sqlite"))
    assert engine.send_lanes() == 1
