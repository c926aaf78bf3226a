"""Integration: the meetings' reminders sent by a real `celery -A portal worker` process on
Redis and PostgreSQL to a real SMTP server (aiosmtpd). Rows must be committed for the worker
to see them, hence transaction=True."""

from __future__ import annotations

from collections import Counter
from datetime import time as clock
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import Notification, Region
from portal.registry import reminder_value
from portal.tasks import dispatch_due, scan_reminders
from portal.tests.conftest import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
State = Notification.State
EMAIL = Notification.Channel.EMAIL


def states() -> Counter:
    return Counter(Notification.objects.values_list("state", flat=True))


def test_a_commitment_due_tomorrow_yields_exactly_one_h1_mail_to_the_right_people(
    celery_workers, smtp_server, fast_settings, person
):
    from meetings.models import Commitment, Meeting
    from portal.models import Organisation, RoleAssignment

    fast_settings.send_time = clock(0, 0)  # today's H-1 is already due, whatever the hour
    fast_settings.grace_hours = 30
    fast_settings.save()
    kabupaten = Region.objects.create(code="63.05", name="Tapin", level="kabupaten")
    dinkes = Organisation.objects.create(name="Dinas Kesehatan", kind="opd", region=kabupaten)
    pic, focal, admin, bystander = person("pic"), person("focal"), person("admin"), person("bystander")
    RoleAssignment.objects.create(user=focal, role="opd_focal", organisation=dinkes)
    RoleAssignment.objects.create(user=admin, role="dppkb_admin", region=kabupaten)
    meeting = Meeting.objects.create(
        title="Rakor TPPS", region=kabupaten, start=timezone.now(), end=timezone.now(), status="held"
    )
    Commitment.objects.create(
        meeting=meeting, description="Distribusi PMT", owner=dinkes, pic=pic,
        due_date=timezone.localdate() + timedelta(days=1),
    )  # fmt: skip
    celery_workers()

    scan_reminders.delay()
    scan_reminders.delay()  # a second scan (or beat) must not duplicate
    wait_for(lambda: Notification.objects.exists(), timeout=20, what="the scan")
    dispatch_due.delay()
    wait_for(lambda: len(smtp_server.messages) >= 2, timeout=20, what="two mails")
    dispatch_due.delay()
    # Wait until no due row is still waiting or being sent: an SMTP server may hold a mail before
    # the worker has marked its row sent.
    wait_for(
        lambda: (
            not Notification.objects.filter(
                state__in=[State.SCHEDULED, State.SENDING], send_at__lte=timezone.now()
            ).exists()
        ),
        timeout=20,
        what="in-app rows",
    )

    assert sorted(m["To"] for m in smtp_server.messages) == ["focal@example.org", "pic@example.org"]
    assert all(m["Subject"] == "Tenggat komitmen 1 hari lagi: Distribusi PMT" for m in smtp_server.messages)
    h1 = Notification.objects.of_rule("commitment_due", "h-1")
    assert h1.filter(state=State.SENT).count() == 4  # email + in-app, PIC and focal point
    assert not h1.filter(recipient__in=[admin, bystander]).exists()


def test_a_meeting_moved_by_a_day_sends_nothing_for_the_old_time_and_reschedules(
    celery_workers, smtp_server, fast_settings, person
):
    from meetings.models import Invitation, Meeting
    from portal.notifications import rules

    kecamatan = Region.objects.create(code="63.05.04", name="Tapin Utara", level="kecamatan")
    start = (
        timezone.now()
        + timedelta(hours=reminder_value("meetings", "meeting_hours_before"))
        - timedelta(minutes=1)
    )
    meeting = Meeting.objects.create(
        title="Rakor TPPS Kecamatan",
        region=kecamatan,
        start=start,
        end=start + timedelta(hours=2),
        status="scheduled",
    )
    Invitation.objects.create(meeting=meeting, person=person("ani"), response=Invitation.Response.HADIR)
    rules.scan()  # the "3 hours before" reminder is due now
    due = list(
        Notification.objects.filter(
            rule__startswith="meeting_reminder:hours:", state=State.SCHEDULED
        ).values_list("pk", flat=True)
    )
    assert len(due) == 2

    Meeting.objects.filter(pk=meeting.pk).update(
        start=start + timedelta(days=1), end=start + timedelta(days=1, hours=2)
    )
    celery_workers(beat=True)

    wait_for(lambda: not Notification.objects.filter(pk__in=due).exclude(state=State.CANCELLED).exists(),
             timeout=20, what="the old reminders to be cancelled")  # fmt: skip
    wait_for(
        lambda: Notification.objects.filter(state=State.SCHEDULED).count() == 4, timeout=20, what="new ones"
    )
    assert smtp_server.messages == []
    moved = Notification.objects.filter(
        state=State.SCHEDULED, rule__startswith="meeting_reminder:hours:"
    ).first()
    assert moved.send_at == start + timedelta(days=1) - timedelta(
        hours=reminder_value("meetings", "meeting_hours_before")
    )
