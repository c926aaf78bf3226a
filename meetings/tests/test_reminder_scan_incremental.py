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
    settings.REMINDERS_FULL_SCAN_HOURS = 24 * 30
    # Slices of one commitment each, far above the tests' pks: the beats below reconcile only
    # what changed (the rolling pass has tests of its own).
    monkeypatch.setattr(rules, "parts", lambda: 10**9)
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


def test_the_slices_count_every_commitment_within_reminders_full_scan_hours(settings):
    settings.REMINDERS_FULL_SCAN_HOURS, settings.REMINDERS_SCAN_SECONDS = 24, 300
    assert rules.parts() == 288
    settings.REMINDERS_SCAN_SECONDS = 7 * 3600
    assert rules.parts() == 4  # a slice too many rather than one too few
    settings.REMINDERS_FULL_SCAN_HOURS = 0
    assert rules.parts() == 0  # a full pass every beat


def test_a_rolling_pass_reconciles_every_commitment_within_its_slices(
    path, rakor, demo, kapus, reminder_settings, monkeypatch
):
    monkeypatch.setattr(rules, "parts", lambda: 4)
    now = wita(timezone.localdate(), 9)
    several = [commitment(rakor, demo, kapus, days) for days in (1, 2, 3, 4, 5, 6, 7, 8)]
    beat(now)  # the first beat: every commitment in the window at once, and the last slice
    assert ReminderScan.objects.get(rule="commitment_due").part == 2
    assert_a_full_scan_changes_nothing(now)
    # Changes that leave no trace (no save, no history): only the slices see them.
    untraced = several[:4]
    Commitment.objects.filter(pk__in=[c.pk for c in untraced]).update(status=Commitment.Status.CANCELLED)
    pending = Notification.objects.filter(
        source_id__in=[str(c.pk) for c in untraced], state=Notification.State.SCHEDULED
    )
    assert pending.exists()
    when = now
    for _slice in range(3):  # the three other slices: the first rotation is done
        when += timedelta(minutes=5)
        beat(when)
    state = ReminderScan.objects.get(rule="commitment_due")
    assert (state.full_at, state.part) == (when, 3)
    rotated = when
    when += timedelta(minutes=5)
    beat(when)  # the last slice again: every slice since the change
    assert not pending.exists()
    assert_a_full_scan_changes_nothing(when)
    state = ReminderScan.objects.get(rule="commitment_due")
    assert (state.full_at, state.part) == (rotated, 2)

    # A settings change starts again: every commitment in the window in the same beat.
    reminder_settings.send_time = time(9, 0)
    reminder_settings.save()
    when += timedelta(minutes=5)
    beat(when)
    assert_a_full_scan_changes_nothing(when)
    state = ReminderScan.objects.get(rule="commitment_due")
    assert (state.full_at, state.part) == (when, 2)


def test_the_first_beat_cancels_what_is_due_soon_and_leaves_the_old_rows_to_the_slices(
    path, rakor, demo, kapus, reminder_settings, monkeypatch
):
    monkeypatch.setattr(rules, "parts", lambda: 3)
    now = wita(timezone.localdate(), 9)
    in_window = commitment(rakor, demo, kapus, 3)
    done = commitment(rakor, demo, kapus, 30, status=Commitment.Status.DONE)
    old = commitment(rakor, demo, kapus, -40, status=Commitment.Status.CANCELLED)
    for source, send_at in ((done, now + timedelta(hours=2)), (old, now - timedelta(days=33))):
        rules.notify(
            rule=f"commitment_due:h-1:{source.due_date.isoformat()}",
            recipients=[kapus],
            source=source,
            send_at=send_at,
        )
    scheduled = Notification.objects.filter(state=Notification.State.SCHEDULED)
    beat(now)
    assert scheduled.filter(source_id=str(in_window.pk)).exists()
    assert not scheduled.filter(source_id=str(done.pk)).exists()  # it would have gone out soon
    if int(old.pk) % 3 != 2:  # not in the first beat's slice
        assert scheduled.filter(source_id=str(old.pk)).exists()  # past its grace: never sent
    when = now
    for _slice in range(2):
        when += timedelta(minutes=5)
        beat(when)
    assert not scheduled.filter(source_id=str(old.pk)).exists()
    assert_a_full_scan_changes_nothing(when)


def test_the_first_beat_creates_the_rows_due_by_soon_and_the_slices_the_rest(
    path, rakor, demo, kapus, reminder_settings, settings, monkeypatch
):
    """A first beat (a deployment, a settings change) writes the rows due within
    REMINDERS_FULL_SCAN_HOURS, not a week of reminders at once; a row that exists is brought up
    to date whenever it is due, and the later rows come with their commitment's slice."""
    settings.REMINDERS_FULL_SCAN_HOURS = 24
    monkeypatch.setattr(rules, "parts", lambda: 3)
    now = wita(timezone.localdate(), 9)
    soon = now + timedelta(hours=24)
    tomorrow = commitment(rakor, demo, kapus, 1)
    later = commitment(rakor, demo, kapus, 6)
    if int(later.pk) % 3 == 2:  # the first beat's own slice is written whole (its next turn is after `soon`)
        later = commitment(rakor, demo, kapus, 6)
    moved = commitment(rakor, demo, kapus, 5)
    rule = f"commitment_due:h-3:{moved.due_date.isoformat()}"
    rules.notify(rule=rule, recipients=[kapus], source=moved, send_at=now + timedelta(hours=5))
    scheduled = Notification.objects.filter(state=Notification.State.SCHEDULED)

    beat(now)

    assert scheduled.filter(source_id=str(tomorrow.pk), send_at__lte=soon).exists()
    far = scheduled.filter(send_at__gt=soon).exclude(rule=rule).values_list("source_id", flat=True)
    assert {int(pk) % 3 for pk in far} <= {2}
    assert not scheduled.filter(source_id=str(later.pk)).exists()
    early = scheduled.filter(source_id=str(moved.pk), rule=rule)
    assert early.exists()
    assert all(row.send_at > soon for row in early)  # moved to its time, not cancelled
    when = now
    for _slice in range(2):
        when += timedelta(minutes=5)
        beat(when)
    assert scheduled.filter(source_id=str(later.pk), send_at__gt=soon).exists()
    assert_a_full_scan_changes_nothing(when)


def test_the_first_beat_moves_a_pending_row_without_making_its_other_channel_early(
    path, rakor, demo, kapus, reminder_settings, settings, monkeypatch
):
    """A stage pending by e-mail only, due after `soon` and outside the first beat's slice, is
    moved to its time; its in-app twin waits for the commitment's slice (on PostgreSQL the
    ladder keeps the stage for either channel's key, the last filter decides per channel)."""
    settings.REMINDERS_FULL_SCAN_HOURS = 24
    monkeypatch.setattr(rules, "parts", lambda: 3)
    now = wita(timezone.localdate(), 9)
    moved = commitment(rakor, demo, kapus, 5)
    if int(moved.pk) % 3 == 2:  # the first beat's own slice is written whole
        moved = commitment(rakor, demo, kapus, 5)
    rule = f"commitment_due:h-3:{moved.due_date.isoformat()}"
    rules.notify(
        rule=rule,
        recipients=[kapus],
        source=moved,
        send_at=now + timedelta(hours=5),
        channels=[Notification.Channel.EMAIL],
    )
    scheduled = Notification.objects.filter(state=Notification.State.SCHEDULED, source_id=str(moved.pk))

    beat(now)

    assert [(row.channel, row.send_at > now + timedelta(hours=24)) for row in scheduled] == [
        (Notification.Channel.EMAIL, True)
    ]
    when = now
    for _slice in range(2):
        when += timedelta(minutes=5)
        beat(when)
    assert scheduled.filter(rule=rule, channel=Notification.Channel.INAPP).exists()
    assert_a_full_scan_changes_nothing(when)


def test_the_first_beat_cancels_the_old_rows_of_its_slice_only(
    path, rakor, demo, kapus, reminder_settings, monkeypatch
):
    """The first beat's pending rows: due soon, of the window, and of its slice (on PostgreSQL a
    union of index lookups); an old row outside all three waits for its own slice."""
    now = wita(timezone.localdate(), 9)
    old = commitment(rakor, demo, kapus, -40, status=Commitment.Status.CANCELLED)
    other = commitment(rakor, demo, kapus, -41, status=Commitment.Status.CANCELLED)
    for source in (old, other):
        rules.notify(
            rule=f"commitment_due:h-1:{source.due_date.isoformat()}",
            recipients=[kapus],
            source=source,
            send_at=now - timedelta(days=33),
        )
    # The first beat does the last slice: the one of `old` (and not of `other`, a higher pk).
    monkeypatch.setattr(rules, "parts", lambda: int(old.pk) + 1)
    scheduled = Notification.objects.filter(state=Notification.State.SCHEDULED)
    beat(now)
    assert not scheduled.filter(source_id=str(old.pk)).exists()
    assert scheduled.filter(source_id=str(other.pk)).exists()


def test_a_rolling_beat_makes_as_many_queries_for_100_commitments_as_for_10(
    path, rakor, demo, kapus, monkeypatch
):
    monkeypatch.setattr(rules, "parts", lambda: 2)
    now = wita(timezone.localdate(), 9)
    for n in range(10):
        commitment(rakor, demo, kapus, n % 8)
    beat(now)

    def slice_beat(when) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert beat(when) > 0
        return len(queries)

    with_few = slice_beat(now + timedelta(hours=1))
    for n in range(90):
        commitment(rakor, demo, kapus, n % 8)
    beat(now + timedelta(hours=2))
    with_many = slice_beat(now + timedelta(hours=3))

    assert with_many == with_few


def test_the_beat_task_scans_incrementally(rakor, demo, kapus, reminder_settings, monkeypatch):
    monkeypatch.setattr(rules, "CHANGES_OVERLAP", timedelta(0))
    one = commitment(rakor, demo, kapus, 2)
    assert scan_reminders() >= 1
    assert ReminderScan.objects.filter(rule="commitment_due").exists()
    # The next beat: nothing changed, only its slice (the second from the last) is looked at.
    count = rules.parts()
    assert scan_reminders() == (1 if one.pk % count == count - 2 else 0)
    assert ReminderScan.objects.get(rule="commitment_due").part == count - 3


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
