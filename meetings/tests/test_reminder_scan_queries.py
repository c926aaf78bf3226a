"""The reminder scan is set-based: its query count does not grow with the number of due
commitments or meetings (recipients are resolved in bulk, rows inserted in one statement)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import Commitment, Invitation, Meeting
from portal.models import Notification, Region
from portal.notifications import rules
from portal.tokens import TOKEN_RE


@pytest.fixture
def rakor(demo):
    return Meeting.objects.create(
        title="Rakor TPPS Kabupaten Tapin",
        region=Region.objects.get(code="63.05"),
        start=timezone.now() - timedelta(days=10),
        end=timezone.now() - timedelta(days=10, hours=-2),
        status=Meeting.Status.HELD,
    )


def add_commitments(rakor, demo, kapus, count: int) -> None:
    owners = [demo.orgs["dinkes"], demo.orgs["tpps_tapinutara"], demo.orgs["dppkb"]]
    Commitment.objects.bulk_create(
        Commitment(
            meeting=rakor,
            description=f"Komitmen {n}",
            owner=owners[n % len(owners)],
            pic=kapus if n % 2 else None,
            due_date=timezone.localdate() + timedelta(days=n % 9),
        )
        for n in range(count)
    )


def add_meetings(demo, people, count: int) -> None:
    """`count` meetings spread over the same 20 hours whatever their number, so the few and the
    many fall in the same reminder windows at any time of day (a window that only the many
    reach would add one insert for its rule and no per-source query)."""
    start = timezone.now() + timedelta(days=2)
    for n in range(count):
        hours = 20 * n / max(count - 1, 1)
        meeting = Meeting.objects.create(
            title=f"Rakor {n}",
            region=Region.objects.get(code="63.05.04"),
            start=start + timedelta(hours=hours),
            end=start + timedelta(hours=hours + 2),
            status=Meeting.Status.SCHEDULED,
        )
        Invitation.objects.bulk_create(
            [Invitation(meeting=meeting, person=person) for person in people]
            + [Invitation(meeting=meeting, organisation=demo.orgs["dinkes"])]
        )


def scan_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        rules.scan()
    return len(queries)


def scan_writes() -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        rules.scan()
    return [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


def test_the_scan_makes_as_many_queries_for_100_due_commitments_and_meetings_as_for_10(
    rakor, demo, kapus, camat_a, pkk, reminder_settings
):
    rules.scan()  # with nothing due: only warms the content-type cache
    add_commitments(rakor, demo, kapus, 10)
    add_meetings(demo, [camat_a, kapus, pkk], 2)
    first_few = scan_queries()
    again_few = scan_queries()  # nothing new: rows are there already
    rows_few = Notification.objects.count()
    assert rows_few > 100

    add_commitments(rakor, demo, kapus, 90)
    add_meetings(demo, [camat_a, kapus, pkk], 18)
    Notification.objects.all().delete()
    first_many = scan_queries()
    again_many = scan_queries()

    assert Notification.objects.count() > 8 * rows_few
    assert first_many == first_few, "the first scan's queries grew with the number of sources"
    assert again_many == again_few, "a repeated scan's queries grew with the number of sources"


def test_a_repeated_scan_writes_nothing_and_the_outbox_holds_no_one_tap_token(
    rakor, demo, kapus, camat_a, pkk, reminder_settings
):
    """One-tap links are signed when a message is rendered for sending, never by the scan:
    the stored context holds a marker, so a second scan has nothing to re-sign or move."""
    add_commitments(rakor, demo, kapus, 20)
    add_meetings(demo, [camat_a, kapus, pkk], 3)
    rules.scan()

    assert scan_writes() == []
    contexts = json.dumps(list(Notification.objects.values_list("context", flat=True)))
    assert '"one_tap":' in contexts and not TOKEN_RE.search(contexts)


def test_the_meeting_rules_of_one_scan_read_the_invitations_once(
    demo, camat_a, kapus, pkk, reminder_settings
):
    """The reminder and the RSVP nudge look at the same meetings: one read of their
    invitations and the invited offices' people serves both (`rules.scan_memo`)."""
    from portal.models import ReminderValue

    # Nudge the day before, so that both rules want rows for meetings two days ahead.
    ReminderValue.objects.create(app_label="meetings", name="rsvp_nudge_days_before", value="1")
    add_meetings(demo, [camat_a, kapus, pkk], 3)
    invitations = Invitation._meta.db_table

    with CaptureQueriesContext(connection) as queries:
        rules.scan()

    reads = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and f'FROM "{invitations}"' in q["sql"]
    ]
    assert len(reads) == 1
    assert Notification.objects.of_rule("meeting_reminder").filter(recipient=kapus).exists()
    assert Notification.objects.of_rule("meeting_rsvp_nudge").filter(recipient=kapus).exists()
    assert rules.scan_memo() == {}  # nothing is kept after the scan
