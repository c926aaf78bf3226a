"""The outbox admin never shows a message's context: it may hold one-tap links."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_tap_message(camat_a):
    return Notification.objects.create(
        key="test:one-tap",
        rule="commitment_reopened:1",
        recipient=camat_a,
        channel=Notification.Channel.EMAIL,
        send_at=timezone.now(),
        context={"one_tap_url": "https://portal.example/c/1/u/RAHASIA-TOKEN/", "note": "Lengkapi bukti"},
    )


@pytest.mark.parametrize("viewer", ["dppkb", "superuser"])
def test_the_outbox_admin_never_shows_one_tap_links(client, demo, admin_user, one_tap_message, viewer):
    client.force_login(admin_user if viewer == "superuser" else demo.users[viewer])

    change = client.get(reverse("admin:portal_notification_change", args=[one_tap_message.pk]))
    listing = client.get(reverse("admin:portal_notification_changelist"), {"q": "RAHASIA"})

    assert change.status_code == 200
    assert "RAHASIA-TOKEN" not in change.content.decode()
    assert "one_tap_url" in change.content.decode()  # which values it has, not what they are
    assert "RAHASIA-TOKEN" not in listing.content.decode()


def test_the_outbox_rule_filter_offers_the_rules_with_templates_not_the_outbox_rows(
    client, dppkb, demo, one_tap_message
):
    """The choices come from the message templates (a DISTINCT over millions of outbox rows
    took seconds): no row's text leaks into them, and a rule with no message yet is offered."""
    from .factories import person

    stranger = person("camat.tala", region="63.01.01")
    Notification.objects.create(
        key="k2", rule="rahasia_tanah_laut", recipient=stranger, send_at=timezone.now()
    )
    Notification.objects.filter(rule__startswith="training_certificate").delete()
    client.force_login(dppkb)

    page = client.get(reverse("admin:portal_notification_changelist")).content.decode()
    filtered = client.get(
        reverse("admin:portal_notification_changelist"), {"rule_name": "commitment_reopened"}
    )

    assert "?rule_name=commitment_reopened" in page
    assert "?rule_name=training_certificate" in page
    assert "rahasia_tanah_laut" not in page
    assert list(filtered.context["cl"].result_list) == [one_tap_message]


def test_every_reminder_rule_has_templates():
    from portal.notifications.admin import rule_names
    from portal.notifications.rules import REGISTRY

    assert set(REGISTRY) <= set(rule_names())
