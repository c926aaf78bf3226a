"""Recording attendance: a compact table, one row per person, filled in from the answers to
the invitation; someone invited personally and through their office is listed once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Attendance, Invitation


@pytest.fixture
def rakor(demo, dppkb, camat_a, kapus, kabupaten_rakor):
    services.invite(
        meeting=kabupaten_rakor,
        people=[camat_a, kapus],
        organisations=[demo.orgs["kec_tapinutara"], demo.orgs["dinkes"], demo.orgs["dinsos"]],
        acting_user=dppkb,
    )
    return kabupaten_rakor


def _open_list(client, meeting):
    """The secretariat opens the page and lists the invitees (a GET writes nothing)."""
    url = reverse("meetings:attendance", args=[meeting.pk])
    client.post(url, {"prepare": "1"})
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
