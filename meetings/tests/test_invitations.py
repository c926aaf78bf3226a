import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Invitation, Meeting
from portal.models import Notification
from portal.notifications.rendering import render

pytestmark = pytest.mark.django_db


def test_inviting_organisations_notifies_their_contacts(client, dppkb, dinkes, demo, kabupaten_rakor):
    client.force_login(dppkb)

    response = client.post(
        reverse("meetings:meeting-invite", args=[kabupaten_rakor.pk]),
        {"organisations": [demo.orgs["dinkes"].pk, demo.orgs["dinsos"].pk]},
    )

    assert response.status_code == 302
    invited = {i.organisation for i in kabupaten_rakor.invitations.all()}
    assert invited == {demo.orgs["dinkes"], demo.orgs["dinsos"]}
    rows = Notification.objects.of_rule("meeting_invitation").filter(recipient=dinkes)
    assert {r.channel for r in rows} == {"email", "inapp"}
    assert f"/meetings/{kabupaten_rakor.pk}/rsvp/" in render(rows[0]).text


def test_inviting_twice_adds_and_sends_once(dppkb, dinkes, demo, kabupaten_rakor):
    for _ in range(2):
        services.invite(meeting=kabupaten_rakor, organisations=[demo.orgs["dinkes"]], acting_user=dppkb)

    assert kabupaten_rakor.invitations.count() == 1
    assert (
        Notification.objects.of_rule("meeting_invitation").filter(recipient=dinkes).count() == 2
    )  # email + inapp


def test_a_draft_meeting_sends_invitations_only_when_scheduled(dppkb, dinkes, demo, kabupaten_rakor):
    kabupaten_rakor.status = Meeting.Status.DRAFT
    kabupaten_rakor.save()
    services.invite(meeting=kabupaten_rakor, organisations=[demo.orgs["dinkes"]], acting_user=dppkb)
    assert not Notification.objects.of_rule("meeting_invitation").exists()

    kabupaten_rakor.status = Meeting.Status.SCHEDULED
    kabupaten_rakor.save()
    services.send_invitations(meeting=kabupaten_rakor)

    assert Notification.objects.of_rule("meeting_invitation").filter(recipient=dinkes).exists()


def test_invite_without_choice_is_a_form_error(client, dppkb, kabupaten_rakor):
    client.force_login(dppkb)

    response = client.post(reverse("meetings:meeting-invite", args=[kabupaten_rakor.pk]), {})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not kabupaten_rakor.invitations.exists()


def test_invite_form_offers_only_visible_organisations(client, camat_a, demo, tapin_utara_rakor):
    client.force_login(camat_a)

    response = client.get(reverse("meetings:meeting-invite", args=[tapin_utara_rakor.pk]))

    offered = set(response.context["form"].fields["organisations"].queryset)
    assert demo.orgs["pkm_tapinutara"] in offered
    assert demo.orgs["pkm_binuang"] not in offered


def test_focal_point_answers_represented_with_a_delegate(client, dinkes, demo, kabupaten_rakor):
    invitation = Invitation.objects.create(meeting=kabupaten_rakor, organisation=demo.orgs["dinkes"])
    client.force_login(dinkes)
    url = reverse("meetings:meeting-rsvp", args=[kabupaten_rakor.pk])

    client.post(url, {"response": "diwakilkan"})
    invitation.refresh_from_db()
    assert invitation.response == "pending"  # no delegate named: refused

    client.post(url, {"response": "diwakilkan", "delegate_name": "Budi", "delegate_position": "Kasi Gizi"})
    invitation.refresh_from_db()
    assert (invitation.response, invitation.delegate_name, invitation.responded_by) == (
        "diwakilkan",
        "Budi",
        dinkes,
    )


def test_uninvited_reader_cannot_answer(client, camat_a, tapin_utara_rakor):
    client.force_login(camat_a)

    response = client.post(
        reverse("meetings:meeting-rsvp", args=[tapin_utara_rakor.pk]), {"response": "hadir"}
    )

    assert response.status_code == 403


def test_a_change_of_place_notifies_invitees_who_did_not_decline(
    dppkb, dinkes, camat_a, demo, kabupaten_rakor
):
    Invitation.objects.create(meeting=kabupaten_rakor, organisation=demo.orgs["dinkes"])
    Invitation.objects.create(meeting=kabupaten_rakor, person=camat_a, response=Invitation.Response.IZIN)
    from meetings.forms import AgendaFormSet, MeetingForm, agenda_saver

    data = {
        "kind": "rakor",
        "title": kabupaten_rakor.title,
        "region": "63.05",
        "start": kabupaten_rakor.start.astimezone().strftime("%Y-%m-%dT%H:%M"),
        "end": kabupaten_rakor.end.astimezone().strftime("%Y-%m-%dT%H:%M"),
        "mode": "luring",
        "venue": "Ruang Rapat Bupati",
        "status": "scheduled",
        "chair": dppkb.pk,
        "organisers": [o.pk for o in kabupaten_rakor.organisers.all()],
    }
    from django.utils import timezone

    data["start"] = timezone.localtime(kabupaten_rakor.start).strftime("%Y-%m-%dT%H:%M")
    data["end"] = timezone.localtime(kabupaten_rakor.end).strftime("%Y-%m-%dT%H:%M")
    form = MeetingForm(data, instance=kabupaten_rakor, user=dppkb)
    agenda = AgendaFormSet(
        {"agenda-TOTAL_FORMS": "0", "agenda-INITIAL_FORMS": "0"}, instance=kabupaten_rakor, prefix="agenda"
    )
    assert form.is_valid(), form.errors
    assert agenda.is_valid()
    assert form.changed_data == ["venue"]

    services.save_meeting(
        meeting=form.save(commit=False),
        changed=form.changed_data,
        acting_user=dppkb,
        save_parts=agenda_saver(form, agenda),
    )

    kabupaten_rakor.refresh_from_db()
    assert kabupaten_rakor.sequence == 1
    notified = set(
        Notification.objects.of_rule("meeting_changed", "1").values_list("recipient__username", flat=True)
    )
    assert notified == {"dinkes"}


def test_email_attachments_hold_the_ics(kabupaten_rakor):
    from icalendar import Calendar

    [(filename, body, mimetype)] = kabupaten_rakor.email_attachments(notification=None)

    assert filename.endswith(".ics") and mimetype == "text/calendar"
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == kabupaten_rakor.title


def test_invitation_emails_render(dinkes, demo, kabupaten_rakor):
    from django.template.loader import render_to_string

    context = {
        "recipient": dinkes,
        "source": kabupaten_rakor,
        "rsvp_url": "https://x/rsvp",
        "meeting_url": "u",
    }
    for rule in ("meeting_invitation", "meeting_changed", "minutes_approved"):
        for part in ("subject.txt", "body.txt", "body.html"):
            text = render_to_string(f"emails/{rule}_{part}", context)
            assert kabupaten_rakor.title in text or "Dear" in text or "Yth" in text


def test_invitation_email_offers_one_signed_link_per_answer(dppkb, dinkes, demo, kabupaten_rakor):
    services.invite(meeting=kabupaten_rakor, organisations=[demo.orgs["dinkes"]], acting_user=dppkb)
    row = Notification.objects.get(rule="meeting_invitation", recipient=dinkes, channel="email")

    body = render(row).text

    token = body.split("/rsvp/")[1].split("/")[0]
    assert f"/meetings/{kabupaten_rakor.pk}/rsvp/{token}/?answer=izin" in body
    assert "Fitriani" in body and kabupaten_rakor.title in body and "WITA" in body
