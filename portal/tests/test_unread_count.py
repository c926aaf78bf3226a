"""The unread badge is cached per person (portal.inbox) and every write that changes a person's
unread count shows on their very next page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import usercache
from portal.models import Notification
from portal.notifications import engine, notify

State = Notification.State
COUNT_SQL = 'SELECT COUNT(*) AS "__count" FROM "portal_notification"'


@pytest.fixture
def delivered(camat_a, reminder_settings, mailbox):
    """Three in-app messages delivered to camat A (and their email twins)."""
    for n in range(3):
        notify(rule=f"test_message:{n}", recipients=[camat_a], context={"url": "/"})
    engine.dispatch()
    return list(Notification.objects.inbox(camat_a).order_by("pk"))


def badge(client) -> int:
    """The count in the navigation bar (0 when it is not shown)."""
    page = client.get(reverse("portal:dashboard")).content.decode()
    found = re.search(r'data-testid="unread-count">(\d+)<', page)
    return int(found.group(1)) if found else 0


def counted_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("portal:dashboard"))
    return sum(q["sql"].startswith(COUNT_SQL) for q in ctx.captured_queries)


@pytest.fixture
def reader(client, camat_a, delivered):
    """Camat A logged in, with the badge (3) cached."""
    client.force_login(camat_a)
    assert badge(client) == 3
    return client


def test_a_cached_badge_is_not_counted_again(reader):
    assert counted_queries(reader) == 0
    assert badge(reader) == 3


def test_a_message_delivered_by_the_dispatcher_shows_at_once(reader, camat_a):
    notify(rule="test_message:more", recipients=[camat_a])
    engine.dispatch()

    assert badge(reader) == 4


def test_a_message_delivered_one_by_one_shows_at_once(reader, camat_a, reminder_settings):
    notify(rule="test_message:single", recipients=[camat_a], channels=(Notification.Channel.INAPP,))
    row = Notification.objects.get(rule="test_message:single")
    Notification.objects.filter(pk=row.pk).update(state=State.SENDING)
    row.refresh_from_db()

    assert engine.deliver(row, reminder_settings) is True
    assert badge(reader) == 4


def test_opening_a_message_lowers_the_badge(reader, delivered):
    reader.post(reverse("portal:notification-open", args=[delivered[0].pk]))

    assert badge(reader) == 2


def test_marking_all_read_clears_the_badge(reader):
    reader.post(reverse("portal:notification-read-all"))

    assert badge(reader) == 0


def test_marking_a_message_unread_again_raises_the_badge(reader, camat_a, delivered):
    Notification.objects.unread(camat_a).mark_read()
    assert badge(reader) == 0

    Notification.objects.filter(pk=delivered[0].pk).update(read_at=None)

    assert badge(reader) == 1


def test_a_row_saved_by_itself_as_in_the_admin_shows_at_once(reader, delivered):
    row = delivered[0]
    row.read_at = timezone.now()
    row.save()

    assert badge(reader) == 2


def test_a_deleted_message_leaves_the_badge(reader, delivered):
    delivered[0].delete()

    assert badge(reader) == 2


def test_a_message_stored_as_delivered_in_bulk_shows_at_once(reader, camat_a):
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                key="bulk-delivered",
                rule="test_message:bulk",
                channel=Notification.Channel.INAPP,
                recipient=camat_a,
                send_at=now,
                state=State.SENT,
                sent_at=now,
            )
        ]
    )

    assert badge(reader) == 4


def test_a_bulk_update_to_sent_shows_at_once(reader, camat_a):
    notify(rule="test_message:later", recipients=[camat_a], channels=(Notification.Channel.INAPP,))

    Notification.objects.filter(rule="test_message:later").update(state=State.SENT, sent_at=timezone.now())

    assert badge(reader) == 4


def test_messages_still_scheduled_do_not_renew_the_badge(reader, camat_a):
    notify(rule="test_message:tomorrow", recipients=[camat_a], send_at=timezone.now() + timedelta(days=1))

    assert counted_queries(reader) == 0
    assert badge(reader) == 3


def test_another_persons_change_keeps_my_cached_badge(reader, camat_b, reminder_settings):
    notify(rule="test_message:other", recipients=[camat_b])
    engine.dispatch()

    assert counted_queries(reader) == 0


def test_a_change_in_a_transaction_is_renewed_again_when_it_commits(
    camat_a, settings, django_capture_on_commit_callbacks
):
    notify(rule="test_message:tx", recipients=[camat_a], channels=(Notification.Channel.INAPP,))
    token_key = f"{settings.USER_CACHE_PREFIX}:inbox:{camat_a.pk}"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Notification.objects.filter(rule="test_message:tx").update(state=State.SENT, sent_at=timezone.now())
        Notification.objects.unread(camat_a).mark_read()
    # Two writes in the transaction, one renewal when it commits.
    assert len(callbacks) == 1
    # A count computed meanwhile (by another process, from the data before the commit) is
    # stored under the token it read: the commit's renewal makes it stale.
    before = cache.get(token_key)
    callbacks[0]()
    assert cache.get(token_key) not in (None, before)


def test_without_the_cache_the_badge_is_counted_every_time(client, camat_a, delivered, settings):
    settings.USER_CACHE_SECONDS = 0
    client.force_login(camat_a)
    assert badge(client) == 3
    assert counted_queries(client) == 1

    client.post(reverse("portal:notification-open", args=[delivered[0].pk]))

    assert badge(client) == 2


def test_a_cache_outage_falls_back_to_counting(reader, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(usercache.cache, "get_many", broken)

    assert badge(reader) == 3
