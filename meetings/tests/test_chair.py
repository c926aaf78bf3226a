"""The chair of a meeting: told when the minutes wait for approval, sees it on the dashboard,
and is not told "no working area" when chairing is their only part."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Meeting, Minutes


@pytest.fixture
def chair(outsider):
    return outsider  # no role at all: only chairs the meeting


@pytest.fixture
def held(demo, chair):
    start = timezone.now() - timedelta(hours=3)
    return Meeting.objects.create(
        title="Rakor TPPS Kabupaten Tapin",
        region_id="63.05",
        start=start,
        end=start + timedelta(hours=2),
        venue="Aula",
        status=Meeting.Status.HELD,
        chair=chair,
    )


def test_a_chair_without_a_role_is_not_told_they_have_no_working_area(client, held, chair):
    client.force_login(chair)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "wilayah kerja" not in html
    assert 'data-testid="meetings-card"' in html


def test_someone_with_nothing_at_all_is_told_to_ask_for_a_working_area(client, demo):
    from portal.models import User

    nobody = User.objects.create_user("kosong", password="x")
    client.force_login(nobody)
    assert "belum memiliki wilayah kerja" in client.get(reverse("portal:dashboard")).content.decode()


def test_the_chair_sees_minutes_waiting_for_approval_on_the_dashboard(client, held, chair, notulis):
    minutes = Minutes.objects.create(meeting=held)
    client.force_login(chair)
    assert 'data-testid="minutes-awaiting"' not in client.get(reverse("portal:dashboard")).content.decode()
    data = {"summary": "Ringkasan", "decisions": "Keputusan", "discussions": {}}
    services.save_minutes(minutes=minutes, data=data, acting_user=notulis)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert "menunggu persetujuan Anda" in html and reverse("meetings:minutes", args=[held.pk]) in html


def test_approving_needs_the_confirmation_box(client, held, chair, notulis):
    minutes = Minutes.objects.create(meeting=held)
    services.save_minutes(
        minutes=minutes, data={"summary": "a", "decisions": "b", "discussions": {}}, acting_user=notulis
    )
    client.force_login(chair)
    url = reverse("meetings:minutes-approve", args=[held.pk])
    client.post(url)
    assert Minutes.objects.get(pk=minutes.pk).status == Minutes.Status.DRAFT
    client.post(url, {"confirm": "on"})
    assert Minutes.objects.get(pk=minutes.pk).status == Minutes.Status.APPROVED
