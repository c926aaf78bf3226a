"""Integration: a real `celery -A portal worker` process on Redis and PostgreSQL, with a
real SMTP server (aiosmtpd) receiving the mail. Rows must be committed for the worker
to see them, hence transaction=True."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest
from django.test import Client

from portal.models import Notification
from portal.notifications import notify
from portal.tasks import dispatch_due

from .conftest import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
State = Notification.State
EMAIL = Notification.Channel.EMAIL


def states() -> Counter:
    return Counter(Notification.objects.values_list("state", flat=True))


def test_two_beats_at_once_send_every_message_exactly_once(
    celery_workers, smtp_server, fast_settings, person
):
    people = [person(f"p{n}") for n in range(6)]
    for n in range(3):
        notify(rule=f"test_message:{n}", recipients=people, channels=[EMAIL])

    celery_workers(beat=True)
    celery_workers(beat=True)  # a second beat process: every job twice, concurrently

    wait_for(lambda: len(smtp_server.messages) >= 18, timeout=40, what="18 mails")
    wait_for(lambda: states() == Counter({State.SENT: 18}), timeout=10, what="all rows sent")
    import time

    time.sleep(3)  # a few more beats: nothing more may go out
    assert len(smtp_server.messages) == 18
    assert Counter(smtp_server.notification_ids()).most_common(1)[0][1] == 1


def test_two_worker_processes_on_one_broker_deliver_each_message_once_when_its_task_is_published_twice(
    celery_workers, smtp_server, fast_settings, person
):
    from portal.tasks import send_notification

    people = [person(f"p{n}") for n in range(6)]
    rows = notify(rule="test_message", recipients=people, channels=[EMAIL])
    celery_workers(concurrency=2)
    celery_workers(concurrency=2)  # a second host, as a process: four consumers of one queue

    for row in rows:  # as a redelivery or a double click would: every send asked for twice more
        send_notification.delay(row.pk)
        send_notification.delay(row.pk)
    dispatch_due.delay()
    dispatch_due.delay()

    wait_for(lambda: states() == Counter({State.SENT: 6}), timeout=40, what="all rows sent")
    import time

    time.sleep(2)  # the duplicate tasks have run by now: they must have found nothing to send
    assert len(smtp_server.messages) == 6
    assert sorted(smtp_server.notification_ids()) == sorted(str(row.pk) for row in rows)


def test_many_messages_made_in_one_transaction_go_out_through_one_task_each_exactly_once(
    celery_workers, smtp_server, fast_settings, person
):
    import json

    from django.db import transaction

    people = [person(f"p{n}") for n in range(40)]
    worker = celery_workers(concurrency=2)

    with transaction.atomic():  # as a page or a scan would: one notify per message
        for n, someone in enumerate(people):
            notify(rule=f"test_message:{n}", recipients=[someone], channels=[EMAIL])

    wait_for(lambda: states() == Counter({State.SENT: 40}), timeout=40, what="all rows sent")
    assert len(smtp_server.messages) == 40
    assert Counter(smtp_server.notification_ids()).most_common(1)[0][1] == 1

    def send_tasks() -> list[dict]:
        lines = [json.loads(line) for line in worker.output().splitlines() if line.startswith("{")]
        return [
            li for li in lines if li["logger"] == "portal.task" and li["task"].startswith("portal.tasks.send")
        ]

    tasks = wait_for(send_tasks, timeout=10, what="the task's log line")
    assert [(t["task"], t["state"]) for t in tasks] == [("portal.tasks.send_notifications", "SUCCESS")]


def test_two_workers_draining_the_same_rows_at_once_send_each_message_exactly_once(
    celery_workers, smtp_server, fast_settings, person
):
    from portal.tasks import send_notifications

    smtp_server.delay = 0.05  # the drains overlap
    people = [person(f"p{n}") for n in range(12)]
    rows = notify(rule="test_message", recipients=people, channels=[EMAIL])
    celery_workers(concurrency=2)
    celery_workers(concurrency=2)  # four consumers in two processes

    pks = [row.pk for row in rows]
    for _ in range(4):  # the same rows asked for by four send tasks and two dispatcher runs
        send_notifications.delay(pks)
    dispatch_due.delay()
    dispatch_due.delay()

    wait_for(lambda: states() == Counter({State.SENT: 12}), timeout=40, what="all rows sent")
    import time

    time.sleep(2)  # every task has run by now: the later ones must have found nothing to send
    assert len(smtp_server.messages) == 12
    assert sorted(smtp_server.notification_ids()) == sorted(str(pk) for pk in pks)
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_a_worker_killed_mid_batch_then_restarted_sends_each_message_exactly_once(
    celery_workers, smtp_server, fast_settings, person
):
    smtp_server.delay = 0.7  # each mail takes a while, so the kill lands in the middle
    people = [person(f"p{n}") for n in range(8)]
    notify(rule="test_message", recipients=people, channels=[EMAIL])
    first = celery_workers(concurrency=1)

    def holding_one_after_two():
        # Killed while the server holds a message (its DATA in, the answer not given): the
        # messages before it were answered and their marks committed before it went out. Just
        # after an answer the kill could land between the answer and the mark's commit, where
        # the message goes out again on restart (engine.commits_without_waiting): no SMTP
        # client can tell then whether the server kept it.
        return len(smtp_server.messages) >= 2 and len(smtp_server.attempts) > len(smtp_server.messages)

    dispatch_due.delay()
    wait_for(
        holding_one_after_two, timeout=30, what="the batch to be sending its third message", interval=0.02
    )
    first.kill()
    assert states()[State.SENT] < 8, "the batch was over before the kill"

    celery_workers(beat=True)  # restart; its beat runs the dispatcher again
    wait_for(lambda: states() == Counter({State.SENT: 8}), timeout=60, what="every row sent")

    ids = smtp_server.notification_ids()
    assert sorted(ids) == sorted(str(pk) for pk in Notification.objects.values_list("pk", flat=True))


def test_with_redis_down_pages_work_and_the_messages_go_out_when_it_is_back(
    client, celery_workers, smtp_server, fast_settings, person, private_redis, use_broker, settings
):
    ani = person("ani", language="en")
    client.force_login(ani)
    use_broker(private_redis.url)
    # The cache lives in the same Redis in production: it goes down too.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": private_redis.url}
    }
    private_redis.stop()  # the broker is down

    response = client.post("/notifications/test/")
    assert response.status_code == 302
    assert client.get("/notifications/").status_code == 200
    assert client.get("/").status_code == 200
    assert Client().get("/accounts/login/").status_code == 200
    assert states() == Counter({State.SCHEDULED: 2})  # nothing lost: the rows wait in the database

    private_redis.start()
    celery_workers(private_redis.url, beat=True)
    wait_for(lambda: states() == Counter({State.SENT: 2}), timeout=30, what="the rows to be sent")
    assert [m["To"] for m in smtp_server.messages] == ["ani@example.org"]
    assert smtp_server.messages[0]["Subject"] == "Portal TPPS: test message"


@pytest.mark.parametrize("failure", ["refuse", "timeout"])
def test_an_smtp_server_refusing_or_timing_out_is_retried_with_backoff_then_failed_and_visible(
    admin_client, celery_workers, smtp_server, fast_settings, person, failure
):
    fast_settings.max_attempts = 3
    fast_settings.retry_base_seconds = 3  # then 6: the waits grow by about 3 s (beat ticks every 1 s)
    fast_settings.save()
    if failure == "refuse":
        smtp_server.mode = "refuse"
    else:
        smtp_server.delay = 4  # longer than the worker's EMAIL_TIMEOUT (2 s)
    notify(rule="test_message", recipients=[person("ani")], channels=[EMAIL])
    celery_workers(beat=True)

    wait_for(lambda: states() == Counter({State.FAILED: 1}), timeout=60, what="the row to fail")

    row = Notification.objects.get()
    assert row.attempts == 3 and row.last_error
    assert ("refused" in row.last_error) if failure == "refuse" else ("timed out" in row.last_error.lower())
    assert smtp_server.messages == []
    gaps = [b - a for a, b in pairwise(smtp_server.attempts)]
    assert len(smtp_server.attempts) == 3 and gaps[1] - gaps[0] > 1.5, f"no backoff: {gaps}"
    page = admin_client.get("/admin/portal/notification/?state__exact=failed")
    assert page.status_code == 200 and "test_message" in page.content.decode()
