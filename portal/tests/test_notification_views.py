"""The in-app notification list, the unread count in the navigation bar, and the outbox admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification
from portal.notifications import engine, notify

State = Notification.State


@pytest.fixture
def delivered(camat_a, reminder_settings, mailbox):
    """Three in-app messages delivered to camat A (and their email twins)."""
    for n in range(3):
        notify(rule=f"test_message:{n}", recipients=[camat_a], context={"url": "/"})
    engine.dispatch()
    return list(Notification.objects.inbox(camat_a))


def test_the_navigation_bar_shows_the_unread_count(client, camat_a, delivered):
    client.force_login(camat_a)

    page = client.get(reverse("portal:dashboard")).content.decode()

    assert 'data-testid="unread-count">3<' in page


def test_the_list_shows_my_delivered_messages_with_a_whatsapp_link(client, camat_a, camat_b, delivered):
    notify(rule="test_message:other", recipients=[camat_b])
    engine.dispatch()
    client.force_login(camat_a)

    response = client.get(reverse("portal:notification-list"))

    assert [n.pk for n in response.context["object_list"]] == sorted((n.pk for n in delivered), reverse=True)
    page = response.content.decode()
    assert "Portal TPPS: pesan uji" in page and page.count("https://wa.me/?text=") == 3


def test_the_list_runs_a_constant_number_of_queries(
    client, camat_a, delivered, django_assert_max_num_queries
):
    for n in range(20):
        notify(rule=f"test_message:more{n}", recipients=[camat_a])
    engine.dispatch()
    client.force_login(camat_a)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("portal:notification-list"))
    assert len(response.context["object_list"]) == 23


def test_a_long_list_is_counted_only_as_far_as_its_pages_and_each_open_button_is_its_own(
    client, camat_a, delivered, monkeypatch
):
    from portal.notifications.views import NotificationListView

    for n in range(2):
        notify(rule=f"test_message:more{n}", recipients=[camat_a])
    engine.dispatch()
    monkeypatch.setattr(NotificationListView, "paginate_by", 2)
    monkeypatch.setattr(NotificationListView, "counted_pages", 1)
    client.force_login(camat_a)
    url = reverse("portal:notification-list")

    first = client.get(url)
    last = client.get(url, {"page": 3})

    assert "Halaman 1 dari lebih dari 1<" in first.content.decode()
    assert "Halaman 3 dari 3<" in last.content.decode()
    shown = [*first.context["object_list"], *client.get(url, {"page": 2}).context["object_list"]]
    shown += last.context["object_list"]
    assert len({n.pk for n in shown}) == 5
    for response in (first, last):
        for notification in response.context["object_list"]:
            action = reverse("portal:notification-open", args=[notification.pk])
            assert f'action="{action}"' in response.content.decode()


def test_opening_a_message_marks_it_read_and_follows_its_link(client, camat_a, delivered):
    client.force_login(camat_a)

    response = client.post(reverse("portal:notification-open", args=[delivered[0].pk]))

    assert response.status_code == 302 and response["Location"] == "/"
    delivered[0].refresh_from_db()
    assert delivered[0].read_at is not None
    assert Notification.objects.unread(camat_a).count() == 2


def test_another_person_cannot_open_my_message(client, camat_b, outsider, delivered):
    for intruder in (camat_b, outsider):
        client.force_login(intruder)
        assert client.post(reverse("portal:notification-open", args=[delivered[0].pk])).status_code == 404
    delivered[0].refresh_from_db()
    assert delivered[0].read_at is None


def test_mark_all_as_read_touches_only_my_messages(client, camat_a, camat_b, delivered):
    notify(rule="test_message:other", recipients=[camat_b])
    engine.dispatch()
    client.force_login(camat_a)

    client.post(reverse("portal:notification-read-all"))

    assert Notification.objects.unread(camat_a).count() == 0
    assert Notification.objects.unread(camat_b).count() == 1


def test_choosing_the_daily_digest_is_saved_on_the_person(client, camat_a):
    client.force_login(camat_a)

    client.post(reverse("portal:notification-preferences"), {"digest": "on"})
    camat_a.refresh_from_db()
    assert camat_a.notification_digest is True

    client.post(reverse("portal:notification-preferences"), {})
    camat_a.refresh_from_db()
    assert camat_a.notification_digest is False


def test_a_test_message_goes_through_the_outbox(client, camat_a, reminder_settings, mailbox):
    client.force_login(camat_a)

    response = client.post(reverse("portal:notification-test"))

    assert response.status_code == 302
    rows = Notification.objects.filter(recipient=camat_a)
    assert {row.channel for row in rows} == {"email", "inapp"} and {row.state for row in rows} == {
        State.SCHEDULED
    }


def test_the_pages_need_a_login(client, delivered):
    assert client.get(reverse("portal:notification-list")).status_code == 302
    assert client.post(reverse("portal:notification-test")).status_code == 302
    assert not Notification.objects.of_rule("test_message", "2026").exists()


# --- outbox admin ---------------------------------------------------------------


def test_admin_filters_the_outbox_by_state_channel_and_rule(admin_client, delivered):
    Notification.objects.filter(pk=delivered[0].pk).update(state=State.FAILED)

    page = admin_client.get(
        "/admin/portal/notification/?state__exact=failed&channel__exact=inapp&rule_name=test_message"
    )

    assert list(page.context["cl"].result_list) == [Notification.objects.get(pk=delivered[0].pk)]


def test_admin_sees_what_a_person_received(admin_client, camat_a, delivered):
    page = admin_client.get(f"/admin/portal/notification/?q={camat_a.username}")

    assert page.context["cl"].result_count == 6


def test_admin_can_send_a_failed_message_again(admin_client, camat_a, delivered, mailbox):
    row = Notification.objects.get(recipient=camat_a, channel="email", rule="test_message:0")
    Notification.objects.filter(pk=row.pk).update(state=State.FAILED, attempts=5, last_error="refused")

    admin_client.post("/admin/portal/notification/", {"action": "resend", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.state == State.SCHEDULED and row.attempts == 0
    engine.dispatch()
    row.refresh_from_db()
    assert row.state == State.SENT and len(mailbox) == 4


def test_the_dppkb_admin_sees_the_outbox_of_their_kabupaten_only(
    client, dppkb, camat_a, bkkbn, reminder_settings
):
    notify(rule="test_message", recipients=[camat_a, bkkbn])
    client.force_login(dppkb)

    page = client.get("/admin/portal/notification/")

    assert {n.recipient for n in page.context["cl"].result_list} == {camat_a}


def test_reminders_left_for_later_are_not_in_the_list(client, camat_a, reminder_settings):
    notify(rule="test_message", recipients=[camat_a], send_at=timezone.now() + timedelta(days=1))
    client.force_login(camat_a)

    assert list(client.get(reverse("portal:notification-list")).context["object_list"]) == []
