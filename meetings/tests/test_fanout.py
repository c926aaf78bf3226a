"""Publishing or changing a meeting with many invitations stays quick: the outbox rows are
written in a bounded number of queries and one task sends them after the commit."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from portal.models import Notification, Organisation, User


def _meeting_with(n: int, dppkb) -> Meeting:
    start = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    meeting = Meeting.objects.create(
        title=f"Rakor {n}",
        region_id="63.05",
        start=start,
        end=start + timedelta(hours=2),
        venue="Aula",
        status=Meeting.Status.DRAFT,
        created_by=dppkb,
    )
    organisations = []
    for i in range(n):
        head = User.objects.create_user(
            f"kepala{n}-{i}", email=f"kepala{n}-{i}@example.org", full_name=f"Kepala {i}"
        )
        organisations.append(
            Organisation.objects.create(name=f"Instansi {n}-{i}", kind="opd", region_id="63.05", head=head)
        )
    services.invite(meeting=meeting, organisations=organisations, acting_user=dppkb)
    return meeting


def _publish(client, meeting, monkeypatch) -> tuple[int, list[list[int]]]:
    """Schedule the meeting through the portal form; (queries, the send tasks published)."""
    from portal.tasks import send_notifications

    tasks: list[list[int]] = []
    monkeypatch.setattr(send_notifications, "apply_async", lambda args, **_kw: tasks.append(args[0]))
    data = {
        "title": meeting.title,
        "kind": meeting.kind,
        "region": meeting.region_id,
        "start": timezone.localtime(meeting.start).strftime("%Y-%m-%dT%H:%M"),
        "end": timezone.localtime(meeting.end).strftime("%Y-%m-%dT%H:%M"),
        "mode": meeting.mode,
        "venue": meeting.venue,
        "status": Meeting.Status.SCHEDULED,
        "recurrence": meeting.recurrence,
        "agenda-TOTAL_FORMS": 0,
        "agenda-INITIAL_FORMS": 0,
    }
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):  # the request's commit
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("meetings:meeting-update", args=[meeting.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    return len(queries), tasks


def test_publishing_eleven_invitations_costs_no_more_queries_than_two(client, demo, dppkb, monkeypatch):
    small, large = _meeting_with(2, dppkb), _meeting_with(11, dppkb)
    client.force_login(dppkb)
    small_queries, _ = _publish(client, small, monkeypatch)
    large_queries, tasks = _publish(client, large, monkeypatch)

    assert large_queries <= small_queries, (small_queries, large_queries)
    rows = Notification.objects.filter(rule="meeting_invitation", source_id=str(large.pk))
    assert rows.count() == 22 and rows.filter(state="scheduled").count() == 22
    # One task sends the 22 rows after the commit, not one task per row.
    assert [sorted(pks) for pks in tasks] == [sorted(rows.values_list("pk", flat=True))]


def test_a_change_notice_to_eleven_invitees_costs_no_more_queries_than_to_two(client, demo, dppkb):
    counts = []
    for n in (2, 11):
        meeting = _meeting_with(n, dppkb)
        meeting.status = Meeting.Status.SCHEDULED
        meeting.save()
        services.send_invitations(meeting=meeting)
        meeting.sequence += 1
        meeting.save()
        with CaptureQueriesContext(connection) as queries:
            services.notify_change(meeting=meeting)
        counts.append(len(queries))
        assert (
            Notification.objects.filter(rule__startswith="meeting_changed", source_id=str(meeting.pk)).count()
            == 2 * n
        )
    assert counts[1] <= counts[0], counts


def test_inviting_twice_stores_each_message_once(demo, dppkb):
    meeting = _meeting_with(3, dppkb)
    meeting.status = Meeting.Status.SCHEDULED
    meeting.save()
    assert services.send_invitations(meeting=meeting) == 3
    assert services.send_invitations(meeting=meeting) == 3
    assert Notification.objects.filter(rule="meeting_invitation", source_id=str(meeting.pk)).count() == 6
