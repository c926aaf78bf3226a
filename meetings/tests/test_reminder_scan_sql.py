"""The commitment ladder's scan in PostgreSQL leaves the same outbox as the portable path
(`candidates`, `prepare`, `reminders`): the same rows, keys, times, texts and cancellations."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from meetings.models import Commitment, Meeting
from portal.models import Notification, Region
from portal.notifications import rules

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path is PostgreSQL's")


def wita(day, hour=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


@pytest.fixture
def commitments(demo, dppkb, kapus):
    rakor = Meeting.objects.create(
        title="Rakor TPPS Kabupaten Tapin",
        region=Region.objects.get(code="63.05"),
        start=timezone.now() - timedelta(days=10),
        end=timezone.now() - timedelta(days=10, hours=-2),
        status=Meeting.Status.HELD,
    )
    today = timezone.localdate()
    return [
        Commitment.objects.create(
            meeting=rakor,
            description=f"Aksi {days}",
            owner=demo.orgs["dinkes"],
            pic=pic,
            due_date=today + timedelta(days=days),
        )
        for days, pic in ((10, kapus), (2, kapus), (-3, None), (5, kapus), (40, kapus))
    ]


def snapshot() -> set[tuple]:
    fields = (
        "key",
        "rule",
        "channel",
        "recipient_id",
        "source_id",
        "send_at",
        "due_at",
        "expires_at",
        "state",
        "digestible",
    )
    return {
        (*row[:-1], tuple(sorted((k, str(v)) for k, v in row[-1].items())))
        for row in Notification.objects.values_list(*fields, "context")
    }


def run(commitments, kapus) -> tuple[set, set]:
    Notification.objects.all().delete()
    now = wita(timezone.localdate() - timedelta(days=1), 9)
    rules.scan(now=now)
    first = snapshot()
    # Then: one deadline moves, one commitment is cancelled, the PIC leaves; a day later.
    moved, cancelled = commitments[0], commitments[3]
    Commitment.objects.filter(pk=moved.pk).update(due_date=moved.due_date + timedelta(days=3))
    Commitment.objects.filter(pk=cancelled.pk).update(status=Commitment.Status.CANCELLED)
    type(kapus).objects.filter(pk=kapus.pk).update(is_active=False)
    rules.scan(now=now + timedelta(days=1))
    second = snapshot()
    for commitment in commitments:
        Commitment.objects.filter(pk=commitment.pk).update(
            due_date=commitment.due_date, status=commitment.status
        )
    type(kapus).objects.filter(pk=kapus.pk).update(is_active=True)
    return first, second


def test_the_sql_scan_of_the_commitment_ladder_leaves_the_same_outbox_as_the_portable_one(
    commitments, kapus, reminder_settings, monkeypatch
):
    with monkeypatch.context() as patch:
        patch.setattr(rules.REGISTRY["commitment_due"], "reconcile_in_sql", lambda *args: None)
        portable = run(commitments, kapus)
    in_sql = run(commitments, kapus)

    assert portable[0] and portable[1] != portable[0]
    assert {row[8] for row in portable[1]} >= {"scheduled", "cancelled"}
    assert in_sql == portable


def test_a_second_sql_scan_changes_nothing(commitments, reminder_settings):
    now = wita(timezone.localdate(), 9)
    rules.scan(now=now)
    before = set(Notification.objects.values_list("pk", "updated_at", "state"))
    rules.scan(now=now)
    assert set(Notification.objects.values_list("pk", "updated_at", "state")) == before


def test_the_sql_scan_updates_a_changed_row_in_place_and_publishes_only_the_rows_it_inserted(
    commitments, reminder_settings, monkeypatch
):
    published: list[int] = []
    monkeypatch.setattr("portal.notifications.publish.send_on_commit", published.extend)
    now = timezone.now()
    # An H-1 reminder sent a minute ago: due when the scan makes it.
    sent_at = timezone.localtime(now - timedelta(minutes=1))
    reminder_settings.send_time = sent_at.time()
    reminder_settings.save()
    Commitment.objects.create(
        meeting=commitments[0].meeting,
        description="Aksi besok",
        owner=commitments[0].owner,
        pic=commitments[0].pic,
        due_date=sent_at.date() + timedelta(days=1),
    )
    rules.scan(now=now)
    ladder = Notification.objects.filter(rule__startswith="commitment_due:")
    due_now = set(ladder.filter(send_at__lte=timezone.now()).values_list("pk", flat=True))
    assert due_now and set(published) & set(ladder.values_list("pk", flat=True)) == due_now

    # A scheduled row whose time and text changed is put back (in place); a sent one stays.
    changed, sent = ladder.filter(state=Notification.State.SCHEDULED).order_by("pk")[:2]
    Notification.objects.filter(pk=changed.pk).update(
        context={"stale": True}, due_at=changed.due_at - timedelta(hours=1)
    )
    Notification.objects.filter(pk=sent.pk).update(state=Notification.State.SENT, context={"stale": True})
    published.clear()
    rows = ladder.count()
    later = now + timedelta(minutes=1)
    rules.scan(now=later)

    changed_after, sent_after = Notification.objects.get(pk=changed.pk), Notification.objects.get(pk=sent.pk)
    assert (changed_after.context, changed_after.due_at) == (changed.context, changed.due_at)
    assert changed_after.updated_at == later
    assert sent_after.context == {"stale": True}
    assert ladder.count() == rows
    assert not set(published) & set(ladder.values_list("pk", flat=True))  # nothing new to send
