"""Recording attendance: a compact table, one row per person, filled in from the answers to
the invitation; someone invited personally and through their office is listed once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Attendance, Invitation
from portal.tests.adminforms import form_data


@pytest.fixture
def rakor(demo, dppkb, camat_a, kapus, kabupaten_rakor):
    services.invite(
        meeting=kabupaten_rakor,
        people=[camat_a, kapus],
        organisations=[demo.orgs["kec_tapinutara"], demo.orgs["dinkes"], demo.orgs["dinsos"]],
        acting_user=dppkb,
    )
    return kabupaten_rakor


def as_rendered(response, **changes) -> dict:
    """What the browser posts back from the attendance page, with `changes` (by field name)."""
    formset = response.context["formset"]
    data = form_data(formset.management_form)
    for form in formset.forms:
        data.update(form_data(form))
    return data | changes


def _open_list(client, meeting):
    """The secretariat opens the page (unsaved lines from the answers) and saves it unchanged."""
    url = reverse("meetings:attendance", args=[meeting.pk])
    response = client.post(url, as_rendered(client.get(url)))
    assert response.status_code == 302
    return client.get(url)


def test_one_row_per_person_even_when_invited_twice(client, rakor, dppkb, camat_a):
    client.force_login(dppkb)
    html = _open_list(client, rakor).content.decode()
    assert rakor.attendances.filter(person=camat_a).count() == 1  # personally and as head of his office
    names = list(rakor.attendances.values_list("name", flat=True))
    assert sorted(names) == sorted({*names})
    assert html.count('data-testid="attendance-row"') == rakor.attendances.count() + 2  # two walk-in lines


def test_the_list_is_filled_in_from_the_answers(client, rakor, dppkb, camat_a, kapus, dinkes):
    answers = {
        camat_a: {"response": "hadir"},
        kapus: {"response": "diwakilkan", "delegate_name": "Bidan Rina", "delegate_position": "Bidan"},
        dinkes: {"response": "izin"},
    }
    for person, answer in answers.items():
        services.respond(invitation=rakor.invitation_for(person), acting_user=person, **answer)
    client.force_login(dppkb)
    _open_list(client, rakor)
    rows = {a.person: a for a in rakor.attendances.exclude(person=None)}
    assert rows[camat_a].status == Attendance.Status.HADIR
    assert (rows[kapus].status, rows[kapus].delegate_name) == (Attendance.Status.DIWAKILKAN, "Bidan Rina")
    assert rows[dinkes].status == Attendance.Status.IZIN
    assert rakor.attendances.get(person=None).status == Attendance.Status.TIDAK_HADIR  # Dinsos: nobody


def test_saving_the_table_records_each_status(client, rakor, dppkb, camat_a):
    client.force_login(dppkb)
    response = _open_list(client, rakor)
    formset = response.context["formset"]
    data = {
        "attendance-TOTAL_FORMS": formset.total_form_count(),
        "attendance-INITIAL_FORMS": formset.initial_form_count(),
    }
    for index, form in enumerate(formset.forms):
        row = form.instance
        data |= {
            f"attendance-{index}-id": row.pk or "",
            f"attendance-{index}-name": row.name,
            f"attendance-{index}-jabatan": row.jabatan,
            f"attendance-{index}-instansi": row.instansi,
            f"attendance-{index}-status": "hadir" if row.person == camat_a else row.status or "hadir",
            f"attendance-{index}-delegate_name": "",
        }
    last = formset.total_form_count() - 1
    data |= {f"attendance-{last}-name": "Kader Posyandu Melati", f"attendance-{last}-status": "hadir"}
    response = client.post(reverse("meetings:attendance", args=[rakor.pk]), data)
    assert response.status_code == 302
    assert rakor.attendances.get(person=camat_a).status == Attendance.Status.HADIR
    assert rakor.attendances.filter(name="Kader Posyandu Melati", invitation=None).exists()
    assert Invitation.objects.filter(meeting=rakor).count() == 5


def test_opening_the_page_shows_the_invitees_from_their_answers_and_writes_nothing(
    client, rakor, dppkb, kapus, table_rows
):
    services.respond(
        invitation=rakor.invitation_for(kapus),
        response="diwakilkan",
        delegate_name="Bidan Rina",
        delegate_position="Bidan",
        acting_user=kapus,
    )
    client.force_login(dppkb)
    before = table_rows()

    response = client.get(reverse("meetings:attendance", args=[rakor.pk]))

    assert table_rows() == before
    assert not rakor.attendances.exists()
    html = response.content.decode()
    forms = response.context["formset"].forms
    assert html.count('data-testid="attendance-row"') == len(forms) == len(rakor.invitee_rows()) + 2
    kapus_form = next(f for f in forms if f["name"].value() == kapus.get_full_name())
    assert (kapus_form["status"].value(), kapus_form["delegate_name"].value()) == ("diwakilkan", "Bidan Rina")
    assert html.count('data-testid="as-answered"') == len(rakor.invitee_rows())


def test_saving_the_page_keeps_the_lines_as_answered_and_the_changes_as_recorded(
    client, rakor, dppkb, camat_a
):
    client.force_login(dppkb)
    url = reverse("meetings:attendance", args=[rakor.pk])
    page = client.get(url)
    index = next(
        i for i, f in enumerate(page.context["formset"].forms) if f["invitee"].value() == f"p{camat_a.pk}"
    )

    response = client.post(url, as_rendered(page, **{f"attendance-{index}-status": "izin"}))

    assert response.status_code == 302
    camat_line = rakor.attendances.get(person=camat_a)
    assert (camat_line.status, camat_line.from_rsvp) == (Attendance.Status.IZIN, False)
    assert camat_line.invitation == rakor.invitation_for(camat_a)
    others = rakor.attendances.exclude(person=camat_a)
    assert others.count() == len(rakor.invitee_rows()) - 1
    assert all(line.from_rsvp and line.status == Attendance.Status.TIDAK_HADIR for line in others)
    assert client.get(url).context["formset"].initial_form_count() == rakor.attendances.count()


def test_a_later_answer_updates_only_the_lines_the_secretariat_has_not_recorded(
    client, rakor, dppkb, camat_a, kapus, dinkes
):
    client.force_login(dppkb)
    url = reverse("meetings:attendance", args=[rakor.pk])
    page = client.get(url)
    index = next(
        i for i, f in enumerate(page.context["formset"].forms) if f["invitee"].value() == f"p{camat_a.pk}"
    )
    client.post(url, as_rendered(page, **{f"attendance-{index}-status": "hadir"}))  # recorded in the room

    services.respond(invitation=rakor.invitation_for(camat_a), response="izin", acting_user=camat_a)
    services.respond(
        invitation=rakor.invitation_for(kapus),
        response="diwakilkan",
        delegate_name="Bidan Rina",
        delegate_position="Bidan",
        acting_user=kapus,
    )
    services.respond(invitation=rakor.invitation_for(dinkes), response="hadir", acting_user=dinkes)

    assert rakor.attendances.get(person=camat_a).status == Attendance.Status.HADIR  # as recorded
    kapus_line = rakor.attendances.get(person=kapus)
    assert (kapus_line.status, kapus_line.delegate_name) == (Attendance.Status.DIWAKILKAN, "Bidan Rina")
    assert rakor.attendances.get(person=dinkes).status == Attendance.Status.HADIR
    services.respond(invitation=rakor.invitation_for(kapus), response="izin", acting_user=kapus)
    kapus_line.refresh_from_db()
    assert (kapus_line.status, kapus_line.delegate_name) == (Attendance.Status.IZIN, "")


def test_a_check_in_is_never_overwritten_by_a_later_answer(rakor, dppkb, dinkes):
    services.prepare_attendance(meeting=rakor, acting_user=dppkb)
    services.check_in(meeting=rakor, acting_user=dppkb, person=dinkes)

    services.respond(invitation=rakor.invitation_for(dinkes), response="izin", acting_user=dinkes)

    line = rakor.attendances.get(person=dinkes)
    assert (line.status, line.from_rsvp) == (Attendance.Status.HADIR, False)
