"""Sending after the commit: one send task per transaction, however many messages it made
(`portal.notifications.publish.send_on_commit`), and what a failed send in that task does."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from portal.models import Notification
from portal.notifications import notify, publish
from portal.tasks import send_notifications

State = Notification.State
EMAIL = Notification.Channel.EMAIL


@pytest.fixture
def published(monkeypatch) -> list[list[int]]:
    """The pk lists of the send tasks published (the broker is not asked)."""
    calls: list[list[int]] = []
    monkeypatch.setattr(send_notifications, "apply_async", lambda args, **_kw: calls.append(args[0]))
    return calls


@pytest.fixture
def sent_at_once(monkeypatch) -> None:
    """A published send task runs at once in this process, as a worker would run it."""
    monkeypatch.setattr(send_notifications, "apply_async", lambda args, **_kw: send_notifications(*args))


def test_many_messages_made_in_one_transaction_are_sent_by_one_task(
    person, reminder_settings, published, django_capture_on_commit_callbacks
):
    people = [person(f"p{n}") for n in range(25)]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            for n, someone in enumerate(people):
                notify(rule=f"test_message:{n}", recipients=[someone])

    assert len(published) == 1
    assert sorted(published[0]) == sorted(Notification.objects.values_list("pk", flat=True))
    assert len(published[0]) == 50  # e-mail and in-app for each


def test_a_transaction_making_more_rows_than_one_task_takes_publishes_a_bounded_number_of_tasks(
    person, reminder_settings, published, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(publish, "TASK_ROWS", 7)
    people = [person(f"p{n}") for n in range(10)]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            for n, someone in enumerate(people):
                notify(rule=f"test_message:{n}", recipients=[someone])

    assert [len(pks) for pks in published] == [7, 7, 6]
    assert sorted(pk for pks in published for pk in pks) == sorted(
        Notification.objects.values_list("pk", flat=True)
    )


def test_a_transactions_rows_are_shared_among_the_worker_processes(
    person, reminder_settings, published, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SEND_TASKS = 2
    people = [person(f"p{n}") for n in range(60)]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            for n, someone in enumerate(people):
                notify(rule=f"test_message:{n}", recipients=[someone])

    assert [len(pks) for pks in published] == [60, 60]  # 120 rows, one task per process
    assert sorted(pk for pks in published for pk in pks) == sorted(
        Notification.objects.values_list("pk", flat=True)
    )


@pytest.mark.parametrize(
    ("rows", "tasks", "sizes"),
    [
        (500, 2, [250, 250]),
        (500, 3, [167, 167, 166]),
        (500, 1, [500]),
        (1200, 2, [500, 500, 200]),  # at most TASK_ROWS a task
        (60, 2, [50, 10]),  # at least MIN_TASK_ROWS a task
        (30, 4, [30]),
        (5, 0, [5]),  # a setting of 0 still sends
    ],
)
def test_task_parts(settings, rows, tasks, sizes):
    settings.NOTIFICATIONS_SEND_TASKS = tasks
    parts = publish.task_parts(list(range(rows)))
    assert [len(part) for part in parts] == sizes
    assert [pk for part in parts for pk in part] == list(range(rows))


def test_rows_of_a_rolled_back_transaction_are_not_asked_for_and_the_next_one_gets_its_own_task(
    person, reminder_settings, published, django_capture_on_commit_callbacks
):
    ani, budi = person("ani"), person("budi")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(rule="test_message:gone", recipients=[ani])
            raise RuntimeError("the page failed")
        with transaction.atomic():
            notify(rule="test_message:kept", recipients=[budi])

    assert len(published) == 1
    assert sorted(published[0]) == sorted(Notification.objects.values_list("pk", flat=True))
    assert set(Notification.objects.values_list("rule", flat=True)) == {"test_message:kept"}


def test_each_transaction_of_a_test_gets_its_own_task_after_the_last_one_ran(
    person, reminder_settings, published, django_capture_on_commit_callbacks
):
    ani, budi = person("ani"), person("budi")
    for someone in (ani, budi):  # a test's captured callbacks stay in Django's list after they ran
        with django_capture_on_commit_callbacks(execute=True):
            notify(rule="test_message", recipients=[someone], channels=[EMAIL])

    by_person = dict(Notification.objects.values_list("recipient", "pk"))
    assert published == [[by_person[ani.pk]], [by_person[budi.pk]]]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_each_notify_publishes_its_own_task_at_once(
    person, reminder_settings, published
):
    ani, budi = person("ani"), person("budi")

    notify(rule="test_message:1", recipients=[ani], channels=[EMAIL])
    assert len(published) == 1  # autocommit: the row is committed, its task goes at once
    notify(rule="test_message:2", recipients=[budi], channels=[EMAIL])

    by_rule = dict(Notification.objects.values_list("rule", "pk"))
    assert published == [[by_rule["test_message:1"]], [by_rule["test_message:2"]]]


def test_a_failed_send_in_the_task_is_logged_and_retried_with_backoff_then_sent_once(
    person, reminder_settings, smtp, sent_at_once, caplog, django_capture_on_commit_callbacks
):
    from portal.notifications import engine

    smtp.mode = "refuse"
    before = timezone.now()

    with caplog.at_level(logging.WARNING, logger="portal.notifications.engine"):
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                notify(rule="test_message", recipients=[person("ani"), person("budi")], channels=[EMAIL])

    rows = list(Notification.objects.all())
    assert {(r.state, r.attempts) for r in rows} == {(State.SCHEDULED, 1)}
    assert all("refused" in r.last_error for r in rows)
    assert all(timedelta(seconds=59) < r.send_at - before < timedelta(seconds=70) for r in rows)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sorted(warnings) == sorted(
        f"notification {r.pk} attempt 1 failed ({r.last_error}); retry in 60s" for r in rows
    )
    assert smtp.messages == []

    # The periodic dispatcher takes the retry once it is due; a stray repeat of the task finds nothing.
    smtp.mode = "accept"
    assert engine.dispatch(budget_seconds=5) == 0  # not due yet
    Notification.objects.update(send_at=timezone.now())
    assert engine.dispatch(budget_seconds=5) == 2
    assert send_notifications([r.pk for r in rows]) == 0
    assert {(r.state, r.attempts) for r in Notification.objects.all()} == {(State.SENT, 2)}
    assert sorted(smtp.notification_ids()) == sorted(str(r.pk) for r in rows)
