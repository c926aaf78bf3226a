from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.forms import MeetingForm
from meetings.models import Meeting

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    start = timezone.localtime() + timedelta(days=3)
    data = {
        "kind": "rakor",
        "title": "Rakor TPPS Kabupaten Tapin",
        "region": "63.05",
        "start": start.strftime("%Y-%m-%dT09:00"),
        "end": start.strftime("%Y-%m-%dT12:00"),
        "mode": "luring",
        "venue": "Aula Bappelitbang",
        "online_link": "",
        "status": "scheduled",
        "recurrence": "",
        "description": "",
    }
    data.update(overrides)
    return data


def agenda_data(*items) -> dict:
    data = {
        "agenda-TOTAL_FORMS": str(max(len(items), 2)),
        "agenda-INITIAL_FORMS": "0",
        "agenda-MIN_NUM_FORMS": "0",
        "agenda-MAX_NUM_FORMS": "1000",
    }
    for i, (title, presenter) in enumerate(items):
        data[f"agenda-{i}-order"] = ""  # what the browser sends for an empty number
        data[f"agenda-{i}-title"] = title
        data[f"agenda-{i}-presenter"] = presenter
    return data


def test_end_before_start_is_a_field_error(dppkb):
    data = form_data()
    data["end"] = data["start"].replace("T09:00", "T08:00")
    form = MeetingForm(data, user=dppkb)

    assert not form.is_valid()
    assert "end" in form.errors


def test_online_meeting_without_link_is_refused(dppkb):
    form = MeetingForm(form_data(mode="daring", venue=""), user=dppkb)

    assert not form.is_valid()
    assert list(form.errors) == ["online_link"]


def test_in_person_meeting_without_venue_is_refused(dppkb):
    form = MeetingForm(form_data(venue="  "), user=dppkb)

    assert not form.is_valid()
    assert list(form.errors) == ["venue"]


def test_hybrid_meeting_needs_both_venue_and_link(dppkb):
    form = MeetingForm(form_data(mode="hybrid", venue=""), user=dppkb)

    assert not form.is_valid()
    assert set(form.errors) == {"venue", "online_link"}
    assert MeetingForm(
        form_data(mode="hybrid", online_link="https://meet.example.org/x"), user=dppkb
    ).is_valid()


def test_start_is_read_as_wita_and_stored_aware(dppkb):
    form = MeetingForm(form_data(start="2026-12-01T09:00", end="2026-12-01T12:00"), user=dppkb)
    assert form.is_valid(), form.errors

    start = form.cleaned_data["start"]
    assert timezone.is_aware(start)
    assert start.astimezone(UTC).hour == 1  # 09:00 WITA = 01:00 UTC


def test_camat_can_only_choose_own_kecamatan(camat_a):
    form = MeetingForm(form_data(region="63.05.01"), user=camat_a)

    assert not form.is_valid()
    assert "region" in form.errors
    codes = {r.code for r in form.fields["region"].queryset}
    assert "63.05.04" in codes and "63.05" not in codes and "63.05.01" not in codes


def test_dppkb_schedules_a_rakor_with_two_agenda_items(client, dppkb, demo):
    client.force_login(dppkb)
    data = {
        **form_data(organisers=[demo.orgs["tpps"].pk, demo.orgs["dppkb"].pk]),
        **agenda_data(("Paparan hasil audit", "Tim pakar"), ("RTL per OPD", "Bappelitbang")),
    }

    response = client.post(reverse("meetings:meeting-create"), data)

    meeting = Meeting.objects.get(title="Rakor TPPS Kabupaten Tapin")
    assert response.status_code == 302
    assert response.url == meeting.get_absolute_url()
    assert [(a.order, a.title) for a in meeting.agenda_items.all()] == [
        (1, "Paparan hasil audit"),
        (2, "RTL per OPD"),
    ]
    assert set(meeting.organisers.all()) == {demo.orgs["tpps"], demo.orgs["dppkb"]}
    assert meeting.created_by == dppkb


def test_bad_input_keeps_what_was_typed(client, dppkb):
    client.force_login(dppkb)
    data = {**form_data(mode="daring", venue=""), **agenda_data(("Paparan hasil audit", "Tim pakar"))}

    response = client.post(reverse("meetings:meeting-create"), data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Paparan hasil audit" in body
    assert 'value="Rakor TPPS Kabupaten Tapin"' in body
    assert not Meeting.objects.exists()


def test_camat_schedules_a_meeting_of_their_kecamatan(client, camat_a):
    client.force_login(camat_a)

    response = client.post(
        reverse("meetings:meeting-create"), {**form_data(region="63.05.04"), **agenda_data()}
    )

    assert response.status_code == 302
    assert Meeting.objects.get().region_id == "63.05.04"


def test_read_only_roles_cannot_schedule(client, kapus, dinkes):
    for user in (kapus, dinkes):
        client.force_login(user)
        assert client.get(reverse("meetings:meeting-create")).status_code == 403
        response = client.post(reverse("meetings:meeting-create"), {**form_data(), **agenda_data()})
        assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_read_only_role_gets_403_when_editing_a_visible_meeting(client, kapus, tapin_utara_rakor):
    client.force_login(kapus)
    url = reverse("meetings:meeting-update", args=[tapin_utara_rakor.pk])

    assert client.get(tapin_utara_rakor.get_absolute_url()).status_code == 200
    assert client.post(url, {**form_data(title="Diubah"), **agenda_data()}).status_code == 403
    tapin_utara_rakor.refresh_from_db()
    assert tapin_utara_rakor.title == "Rakor TPPS Kecamatan Tapin Utara"


def test_status_cannot_jump_to_minutes_approved(dppkb, kabupaten_rakor):
    form = MeetingForm(form_data(status="minutes_approved"), instance=kabupaten_rakor, user=dppkb)

    assert not form.is_valid()
    assert "status" in form.errors


def test_changing_the_time_bumps_the_sequence(client, dppkb, kabupaten_rakor):
    client.force_login(dppkb)
    start = timezone.localtime(kabupaten_rakor.start) + timedelta(days=1)
    data = {
        **form_data(
            title=kabupaten_rakor.title,
            start=start.strftime("%Y-%m-%dT%H:%M"),
            end=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            venue=kabupaten_rakor.venue,
        ),
        **agenda_data(),
    }

    response = client.post(reverse("meetings:meeting-update", args=[kabupaten_rakor.pk]), data)

    assert response.status_code == 302
    kabupaten_rakor.refresh_from_db()
    assert kabupaten_rakor.sequence == 1


def test_a_writer_cannot_make_themselves_chair(client, dppkb, kabupaten_rakor):
    client.force_login(dppkb)
    kabupaten_rakor.chair = None
    kabupaten_rakor.save()

    response = client.post(
        reverse("meetings:meeting-update", args=[kabupaten_rakor.pk]),
        {**form_data(chair=dppkb.pk), **agenda_data()},
    )

    assert response.status_code == 200
    assert "chair" in response.context["form"].errors
    kabupaten_rakor.refresh_from_db()
    assert kabupaten_rakor.chair is None


def test_a_writer_cannot_schedule_a_new_meeting_chaired_by_themselves(client, camat_a):
    client.force_login(camat_a)

    response = client.post(
        reverse("meetings:meeting-create"),
        {**form_data(chair=camat_a.pk, region="63.05.04", title="Rakor Kecamatan"), **agenda_data()},
    )

    assert response.status_code == 200
    assert not Meeting.objects.filter(title="Rakor Kecamatan").exists()


def test_the_service_refuses_a_self_named_chair_whatever_the_form_says(notulis, kabupaten_rakor):
    from django.core.exceptions import PermissionDenied

    from meetings import services

    before = kabupaten_rakor.chair
    kabupaten_rakor.chair = notulis  # as the portal form or Django admin would hand it over

    with pytest.raises(PermissionDenied):
        services.save_meeting(meeting=kabupaten_rakor, changed=["chair"], acting_user=notulis)
    kabupaten_rakor.refresh_from_db()
    assert kabupaten_rakor.chair == before


def test_keeping_a_chair_someone_else_named_is_allowed(dppkb, kabupaten_rakor):
    form = MeetingForm(form_data(chair=dppkb.pk), instance=kabupaten_rakor, user=dppkb)

    assert form.is_valid(), form.errors
