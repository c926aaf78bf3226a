"""The beat's scan is incremental: it reconciles only the commitments that changed or entered
the window since the last beat, and leaves exactly the outbox a full scan leaves; a full pass
still runs now and then (and whenever the settings change) as a safety net."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import Commitment, Meeting
from portal.models import Notification, Region, ReminderScan, RoleAssignment
from portal.notifications import rules
from portal.roles import Role
from portal.tasks import scan_reminders


def wita(day, hour=0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_default_timezone())


@pytest.fixture(params=["sql", "portable"])
def path(request, monkeypatch, reminder_settings, settings):
    """Both ways the commitment rule is reconciled: in SQL (PostgreSQL) and in Python."""
    settings.REMINDERS_FULL_SCAN_HOURS = 24 * 30  # the beats below are incremental
    if request.param == "sql" and connection.vendor != "postgresql":
        pytest.skip("the SQL path is PostgreSQL's")
    if request.param == "portable":
        monkeypatch.setattr(rules.REGISTRY["commitment_due"], "reconcile_in_sql", lambda *args: None)
    # Look for changes from the previous beat's start exactly: the fixtures' rows are then
    # "unchanged" for the beats that follow (in production the overlap only adds work).
    monkeypatch.setattr(rules, "CHANGES_OVERLAP", timedelta(0))
    return request.param


@pytest.fixture
def rakor(demo):
    return Meeting.objects.create(
        title="Rakor TPPS Kabupaten Tapin",
        region=Region.objects.get(code="63.05"),
        start=timezone.now() - timedelta(days=10),
        end=timezone.now() - timedelta(days=10, hours=-2),
        status=Meeting.Status.HELD,
    )


def commitment(rakor, demo, pic, days: int, **fields) -> Commitment:
    return Commitment.objects.create(
        meeting=rakor,
        description=f"Aksi {days}",
        owner=demo.orgs["dinkes"],
        pic=pic,
        due_date=timezone.localdate() + timedelta(days=days),
        **fields,
    )


def snapshot() -> set[tuple]:
    fields = ("key", "rule", "channel", "recipient_id", "source_id", "send_at", "expires_at", "state")
    return {
        (*row[:-1], tuple(sorted((k, str(v)) for k, v in row[-1].items())))
        for row in Notification.objects.values_list(*fields, "context")
    }


def beat(now) -> int:
    return rules.scan(now=now, incremental=True)


def assert_a_full_scan_changes_nothing(now) -> None:
    """What a full scan as of the same time would leave, tried and rolled back."""
    before = snapshot()
    savepoint = transaction.savepoint()
    rules.scan(now=now)
    after = snapshot()
    transaction.savepoint_rollback(savepoint)
    assert after == before


def test_incremental_beats_leave_the_outbox_a_full_scan_leaves(
    path, rakor, demo, kapus, pkk, camat_a, camat_b
):
    today = timezone.localdate()
    now = wita(today, 9)
    done, moved, later, no_pic, deleted, _overdue = (
        commitment(rakor, demo, kapus, days) for days in (2, 5, 12, 3, 4, -3)
    )
    no_pic.pic = None
    no_pic.save()
    full = beat(now)  # the first beat is a full pass
    assert ReminderScan.objects.get(rule="commitment_due").full_at == now
    assert not Notification.objects.filter(source_id=str(later.pk)).exists()  # not in the window yet
    assert beat(now + timedelta(minutes=5)) == 0  # nothing changed: nothing reconciled

    # Done, rescheduled, a new one, a deleted one.
    done.status = Commitment.Status.DONE
    done.save()
    moved.due_date += timedelta(days=2)
    moved.save()
    new = commitment(rakor, demo, pkk, 1)
    deleted_pk = str(deleted.pk)
    deleted.delete()
    assert 0 < beat(now + timedelta(hours=1)) < full
    assert_a_full_scan_changes_nothing(now + timedelta(hours=1))
    scheduled = Notification.objects.filter(state=Notification.State.SCHEDULED)
    assert not scheduled.filter(source_id__in=[str(done.pk), deleted_pk]).exists()
    assert scheduled.filter(source_id=str(new.pk)).exists()
    assert not scheduled.filter(
        source_id=str(moved.pk), rule__contains=(moved.due_date - timedelta(days=2)).isoformat()
    ).exists()

    # Time passes: `later` enters the window (and nothing else changed).
    assert beat(now + timedelta(days=4)) >= 1
    assert_a_full_scan_changes_nothing(now + timedelta(days=4))
    assert Notification.objects.filter(source_id=str(later.pk), state=Notification.State.SCHEDULED).exists()

    # The people change: a new focal point for the owner, the PIC leaves.
    RoleAssignment.objects.create(
        user=pkk, role=Role.OPD_FOCAL, organisation=demo.orgs["dinkes"], region=demo.orgs["dinkes"].region
    )
    kapus.is_active = False
    kapus.save()
    beat(now + timedelta(days=4, hours=1))
    assert_a_full_scan_changes_nothing(now + timedelta(days=4, hours=1))
    assert Notification.objects.filter(source_id=str(later.pk), recipient=pkk).exists()
    assert not Notification.objects.filter(recipient=kapus, state=Notification.State.SCHEDULED).exists()

    # A new DPPKB admin of the kabupaten (escalations); a new head of the owner; a focal point
    # leaves: one beat each, so each is found on its own.
    when = now + timedelta(days=4, hours=1)
    admin = RoleAssignment.objects.create(
        user=camat_a, role=Role.DPPKB_ADMIN, region=Region.objects.get(code="63.05")
    )
    when += timedelta(minutes=5)
    beat(when)
    assert_a_full_scan_changes_nothing(when)
    assert Notification.objects.filter(rule__contains=":escalation:", recipient=camat_a).exists()
    admin.delete()
    when += timedelta(minutes=5)
    beat(when)
    assert_a_full_scan_changes_nothing(when)

    dinkes_org = demo.orgs["dinkes"]
    dinkes_org.head = camat_b
    dinkes_org.save()
    when += timedelta(minutes=5)
    beat(when)
    assert_a_full_scan_changes_nothing(when)
    assert Notification.objects.filter(source_id=str(later.pk), recipient=camat_b).exists()

    RoleAssignment.objects.filter(user=pkk, role=Role.OPD_FOCAL).get().delete()
    when += timedelta(minutes=5)
    beat(when)
    assert_a_full_scan_changes_nothing(when)

    # Reopened and moved back into the window.
    done.status = Commitment.Status.IN_PROGRESS
    done.due_date = today + timedelta(days=6)
    done.save()
    beat(now + timedelta(days=4, hours=2))
    assert_a_full_scan_changes_nothing(now + timedelta(days=4, hours=2))
    assert ReminderScan.objects.get(rule="commitment_due").full_at == now  # all beats were incremental


def test_an_incremental_beat_makes_as_many_queries_for_100_unchanged_commitments_as_for_10(
    path, rakor, demo, kapus
):
    now = wita(timezone.localdate(), 9)
    few = [commitment(rakor, demo, kapus, n % 8) for n in range(10)]
    beat(now)

    def one_changed_beat(when) -> int:
        few[0].progress += 1
        few[0].save()
        with CaptureQueriesContext(connection) as queries:
            assert beat(when) == 1
        return len(queries)

    with_few = one_changed_beat(now + timedelta(hours=1))
    for n in range(90):
        commitment(rakor, demo, kapus, n % 8)
    beat(now + timedelta(hours=2))  # the new ones are reconciled once
    with_many = one_changed_beat(now + timedelta(hours=3))

    assert with_many == with_few


def test_a_full_pass_runs_when_the_last_is_a_day_old_or_the_settings_change(
    path, rakor, demo, kapus, reminder_settings, settings
):
    settings.REMINDERS_FULL_SCAN_HOURS = 24
    now = wita(timezone.localdate(), 9)
    first = commitment(rakor, demo, kapus, 2)
    beat(now)
    # A change that leaves no trace (no save, no history): only a full pass sees it.
    Commitment.objects.filter(pk=first.pk).update(status=Commitment.Status.CANCELLED)
    pending = Notification.objects.filter(source_id=str(first.pk), state=Notification.State.SCHEDULED)
    beat(now + timedelta(hours=23))
    assert pending.exists()
    assert ReminderScan.objects.get(rule="commitment_due").full_at == now

    beat(now + timedelta(hours=24))
    assert not pending.exists()
    assert ReminderScan.objects.get(rule="commitment_due").full_at == now + timedelta(hours=24)

    reminder_settings.send_time = time(9, 0)
    reminder_settings.save()
    beat(now + timedelta(hours=25))
    assert ReminderScan.objects.get(rule="commitment_due").full_at == now + timedelta(hours=25)


def test_the_beat_task_scans_incrementally(rakor, demo, kapus, reminder_settings, monkeypatch):
    monkeypatch.setattr(rules, "CHANGES_OVERLAP", timedelta(0))
    commitment(rakor, demo, kapus, 2)
    assert scan_reminders() >= 1
    assert ReminderScan.objects.filter(rule="commitment_due").exists()
    assert scan_reminders() == 0  # the next beat: nothing changed


def test_a_login_alone_reconciles_nothing(path, rakor, demo, kapus):
    """Every login saves the user (a history row): only a change of what the rows depend on
    (active, e-mail, roles) brings their commitments into a beat."""
    now = wita(timezone.localdate(), 9)
    commitment(rakor, demo, kapus, 2)
    beat(now)
    kapus.last_login = timezone.now()
    kapus.save(update_fields=["last_login"])
    assert beat(now + timedelta(minutes=5)) == 0
    kapus.email = ""
    kapus.save()
    assert beat(now + timedelta(minutes=10)) == 1
    assert_a_full_scan_changes_nothing(now + timedelta(minutes=10))
