from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting

from .factories import MeetingFactory

pytestmark = pytest.mark.django_db

INLINES = ["agenda_items", "invitations", "attendances", "commitments"]


def management(prefix: str, total: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def admin_data(**overrides) -> dict:
    day = timezone.localdate() + timedelta(days=10)
    data = {
        "kind": "rakor",
        "title": "Rakor dari admin",
        "region": "63.05",
        "start_0": day.isoformat(),
        "start_1": "09:00:00",
        "end_0": day.isoformat(),
        "end_1": "11:00:00",
        "mode": "luring",
        "venue": "Aula DPPKB",
        "status": "scheduled",
        "recurrence": "",
    }
    for prefix in INLINES:
        data.update(management(prefix))
    data.update(overrides)
    return data


def test_notulis_opens_the_admin_add_page_with_all_inlines(client, notulis):
    client.force_login(notulis)

    response = client.get(reverse("admin:meetings_meeting_add"))

    assert response.status_code == 200
    prefixes = {formset.formset.prefix for formset in response.context["inline_admin_formsets"]}
    assert prefixes == set(INLINES)


def test_notulis_adds_a_meeting_with_agenda_in_admin(client, notulis):
    client.force_login(notulis)
    data = admin_data(
        **management("agenda_items", 1), **{"agenda_items-0-order": "1", "agenda_items-0-title": "Review RTL"}
    )

    response = client.post(reverse("admin:meetings_meeting_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting = Meeting.objects.get(title="Rakor dari admin")
    assert [a.title for a in meeting.agenda_items.all()] == ["Review RTL"]
    assert meeting.created_by == notulis


def test_admin_applies_the_meeting_rules(client, notulis):
    client.force_login(notulis)

    response = client.post(reverse("admin:meetings_meeting_add"), admin_data(mode="daring"))

    assert response.status_code == 200
    assert "online_link" in response.context["adminform"].form.errors
    assert not Meeting.objects.exists()


def test_admin_meeting_list_and_choices_are_scoped(client, dppkb, demo):
    MeetingFactory(title="Rakor Tapin")
    MeetingFactory(title="Rakor Tanah Laut", region_id="63.01")
    client.force_login(dppkb)

    listed = {
        m.title for m in client.get(reverse("admin:meetings_meeting_changelist")).context["cl"].result_list
    }
    form = client.get(reverse("admin:meetings_meeting_add")).context["adminform"].form

    assert listed == {"Rakor Tapin"}
    assert not form.fields["region"].queryset.filter(code__startswith="63.01").exists()
    assert demo.orgs["tpps_tanahlaut"] not in set(form.fields["organisers"].queryset)


def test_admin_refuses_a_meeting_outside_scope(client, dppkb):
    meeting = MeetingFactory(region_id="63.01")
    client.force_login(dppkb)

    response = client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_admin_invitation_inline_notifies_and_a_venue_change_bumps_the_sequence(
    client, notulis, dinkes, demo
):
    from portal.models import Notification

    client.force_login(notulis)
    data = admin_data(
        **management("invitations", 1),
        **{"invitations-0-organisation": demo.orgs["dinkes"].pk, "invitations-0-response": "pending"},
    )
    client.post(reverse("admin:meetings_meeting_add"), data)
    meeting = Meeting.objects.get(title="Rakor dari admin")
    assert Notification.objects.of_rule("meeting_invitation").filter(recipient=dinkes).exists()

    invitation = meeting.invitations.get()
    change = admin_data(
        venue="Ruang Rapat Bupati",
        **{
            "invitations-TOTAL_FORMS": "1",
            "invitations-INITIAL_FORMS": "1",
            "invitations-MIN_NUM_FORMS": "0",
            "invitations-MAX_NUM_FORMS": "1000",
            "invitations-0-id": invitation.pk,
            "invitations-0-meeting": meeting.pk,
            "invitations-0-organisation": demo.orgs["dinkes"].pk,
            "invitations-0-response": "pending",
        },
    )
    response = client.post(reverse("admin:meetings_meeting_change", args=[meeting.pk]), change)

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    assert Notification.objects.of_rule("meeting_changed", "1").filter(recipient=dinkes).exists()
