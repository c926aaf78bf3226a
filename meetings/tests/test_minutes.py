import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from meetings import services
from meetings.models import Attendance, Commitment, Minutes
from portal.models import Notification
from portal.tests.job_helpers import download

pytestmark = pytest.mark.django_db


def minutes_data(meeting, **overrides) -> dict:
    items = list(meeting.agenda_items.all())
    data = {"summary": "Rakor membahas hasil audit.", "decisions": "RTL disepakati."}
    data.update({f"discussion_{item.pk}": f"Diskusi {item.title}" for item in items})
    data.update(overrides)
    return data


@pytest.fixture
def rakor(demo, dppkb, kabupaten_rakor):
    # Held yesterday: minutes are approved only after the meeting.
    kabupaten_rakor.start -= timedelta(days=8)
    kabupaten_rakor.end -= timedelta(days=8)
    kabupaten_rakor.status = "held"
    kabupaten_rakor.save()
    kabupaten_rakor.agenda_items.create(order=1, title="Paparan hasil audit", presenter="Tim pakar")
    kabupaten_rakor.agenda_items.create(order=2, title="RTL per OPD")
    return kabupaten_rakor


def test_notulis_saves_a_draft_and_each_save_is_a_version(client, notulis, rakor):
    client.force_login(notulis)
    url = reverse("meetings:minutes", args=[rakor.pk])

    client.post(url, minutes_data(rakor))
    client.post(url, minutes_data(rakor, decisions="RTL disepakati dengan tenggat."))

    minutes = Minutes.objects.get(meeting=rakor)
    assert minutes.status == "draft" and minutes.version == 2
    assert minutes.discussions[str(rakor.agenda_items.first().pk)] == "Diskusi Paparan hasil audit"
    assert [v.decisions for v in minutes.versions.order_by("number")] == [
        "RTL disepakati.",
        "RTL disepakati dengan tenggat.",
    ]


def test_only_the_chair_approves(client, notulis, dppkb, rakor):
    client.force_login(notulis)
    client.post(reverse("meetings:minutes", args=[rakor.pk]), minutes_data(rakor))
    approve = reverse("meetings:minutes-approve", args=[rakor.pk])

    assert client.post(approve).status_code == 403
    assert Minutes.objects.get(meeting=rakor).status == "draft"

    client.force_login(dppkb)  # the chair of this rakor
    assert client.post(approve).status_code == 302  # without the confirmation box: nothing happens
    assert Minutes.objects.get(meeting=rakor).status == "draft"
    assert client.post(approve, {"confirm": "on"}).status_code == 302
    minutes = Minutes.objects.get(meeting=rakor)
    assert (minutes.status, minutes.approved_by) == ("approved", dppkb)
    rakor.refresh_from_db()
    assert rakor.status == "minutes_approved"


def test_approval_notifies_the_attendees_with_a_link(dppkb, dinkes, rakor):
    Attendance.objects.create(meeting=rakor, person=dinkes, name="Fitriani", status="hadir")
    Attendance.objects.create(meeting=rakor, name="Tamu", status="hadir")
    minutes = Minutes.objects.create(meeting=rakor)

    services.approve_minutes(minutes=minutes, acting_user=dppkb)

    rows = Notification.objects.of_rule("minutes_approved")
    assert {r.recipient for r in rows} == {dinkes}
    assert rows[0].context["minutes_url"].endswith(reverse("meetings:minutes", args=[rakor.pk]))


def test_locked_minutes_change_only_by_a_recorded_amendment(client, notulis, dppkb, rakor):
    minutes = Minutes.objects.create(meeting=rakor)
    services.save_minutes(
        minutes=minutes, data={"summary": "A", "decisions": "B", "discussions": {}}, acting_user=notulis
    )
    services.approve_minutes(minutes=minutes, acting_user=dppkb)
    client.force_login(notulis)
    url = reverse("meetings:minutes", args=[rakor.pk])

    response = client.post(url, minutes_data(rakor, decisions="Diubah diam-diam"))

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    minutes.refresh_from_db()
    assert minutes.decisions == "B"

    client.post(url, minutes_data(rakor, decisions="B, ditambah tenggat", reason="Salah ketik tenggat"))

    minutes.refresh_from_db()
    assert minutes.decisions == "B, ditambah tenggat" and minutes.status == "approved"
    amendment = minutes.versions.get(kind="amendment")
    assert (amendment.author, amendment.reason) == (notulis, "Salah ketik tenggat")
    assert [v.kind for v in minutes.versions.order_by("number")] == ["draft", "approval", "amendment"]


def test_save_minutes_refuses_locked_minutes(dppkb, rakor):
    minutes = Minutes.objects.create(meeting=rakor, status="approved")

    with pytest.raises(ValueError):
        services.save_minutes(
            minutes=minutes, data={"summary": "", "decisions": "", "discussions": {}}, acting_user=dppkb
        )
    with pytest.raises(ValueError):
        services.amend_minutes(
            minutes=minutes,
            data={"summary": "", "decisions": "", "discussions": {}},
            reason=" ",
            acting_user=dppkb,
        )


def test_every_version_stays_viewable(client, notulis, camat_a, rakor):
    minutes = Minutes.objects.create(meeting=rakor)
    services.save_minutes(
        minutes=minutes,
        data={"summary": "", "decisions": "Versi satu", "discussions": {}},
        acting_user=notulis,
    )
    services.save_minutes(
        minutes=minutes,
        data={"summary": "", "decisions": "Versi dua", "discussions": {}},
        acting_user=notulis,
    )
    client.force_login(notulis)

    response = client.get(reverse("meetings:minutes-version", args=[rakor.pk, 1]))

    assert "Versi satu" in response.content.decode()
    assert client.get(reverse("meetings:minutes-version", args=[rakor.pk, 9])).status_code == 404


def test_read_only_reader_sees_minutes_but_cannot_post(client, kapus, tapin_utara_rakor):
    Minutes.objects.create(meeting=tapin_utara_rakor, summary="Ringkasan")
    client.force_login(kapus)
    url = reverse("meetings:minutes", args=[tapin_utara_rakor.pk])

    assert "Ringkasan" in client.get(url).content.decode()
    assert client.post(url, {"summary": "X", "decisions": ""}).status_code == 403
    assert Minutes.objects.get().summary == "Ringkasan"


def test_camat_binuang_gets_404_on_minutes_versions(client, camat_b, notulis, tapin_utara_rakor):
    minutes = Minutes.objects.create(meeting=tapin_utara_rakor)
    services.save_minutes(
        minutes=minutes, data={"summary": "", "decisions": "", "discussions": {}}, acting_user=notulis
    )
    client.force_login(camat_b)

    assert client.get(reverse("meetings:minutes-version", args=[tapin_utara_rakor.pk, 1])).status_code == 404
    assert client.post(reverse("meetings:minutes-approve", args=[tapin_utara_rakor.pk])).status_code == 404


def test_notulen_pdf_has_agenda_decisions_rtl_table_and_attendance_annex(client, dppkb, demo, rakor):
    minutes = Minutes.objects.create(meeting=rakor)
    services.save_minutes(
        minutes=minutes,
        data={"summary": "Ringkasan rakor", "decisions": "Semua OPD melapor bulanan", "discussions": {}},
        acting_user=dppkb,
    )
    Commitment.objects.create(
        meeting=rakor,
        description="PMT lokal untuk balita gizi kurang",
        owner=demo.orgs["dinkes"],
        pic=demo.users["dinkes"],
        due_date="2026-12-15",
    )
    Attendance.objects.create(meeting=rakor, name="Kader Posyandu Walk-in", instansi="Desa Banua Hanyar")
    client.force_login(dppkb)

    response = client.post(reverse("meetings:minutes-pdf-job", args=[rakor.pk]))

    reader = PdfReader(io.BytesIO(download(client, response)))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert rakor.title in text
    assert "Paparan hasil audit" in text and "RTL per OPD" in text
    assert "Semua OPD melapor bulanan" in text
    assert "PMT lokal untuk balita gizi kurang" in text and "Dinkes Tapin / Fitriani" in text and "15" in text
    assert "Kader Posyandu Walk-in" in reader.pages[-1].extract_text()  # the annex


def test_the_services_refuse_someone_who_may_not_write_the_meeting_and_change_nothing(
    rakor, camat_a, kapus, demo, table_rows
):
    minutes = Minutes.objects.create(meeting=rakor)
    data = {"summary": "Diubah", "decisions": "", "discussions": {}}
    before = table_rows()

    for outsider in (camat_a, kapus):  # a camat of a kecamatan, a reader: neither writes a kabupaten rakor
        with pytest.raises(PermissionDenied):
            services.save_minutes(minutes=minutes, data=data, acting_user=outsider)
        with pytest.raises(PermissionDenied):
            services.invite(meeting=rakor, organisations=[demo.orgs["dinkes"]], acting_user=outsider)
        with pytest.raises(PermissionDenied):
            services.repeat_meeting(meeting=rakor, acting_user=outsider)

    assert table_rows() == before


def test_the_chair_cannot_approve_before_the_meeting_has_been_held(client, notulis, dppkb, kabupaten_rakor):
    minutes = Minutes.objects.create(meeting=kabupaten_rakor)  # the rakor is next week
    client.force_login(dppkb)  # its chair

    response = client.post(reverse("meetings:minutes-approve", args=[kabupaten_rakor.pk]))

    assert response.status_code == 403
    minutes.refresh_from_db()
    kabupaten_rakor.refresh_from_db()
    assert (minutes.status, minutes.approved_by, kabupaten_rakor.status) == ("draft", None, "scheduled")
    with pytest.raises(PermissionDenied):
        services.approve_minutes(minutes=minutes, acting_user=dppkb)


def test_a_superuser_who_is_not_the_chair_cannot_approve(client, rakor, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    minutes = Minutes.objects.create(meeting=rakor)
    client.force_login(admin)

    assert client.post(reverse("meetings:minutes-approve", args=[rakor.pk])).status_code == 403
    minutes.refresh_from_db()
    assert minutes.status == "draft"


def test_the_service_refuses_a_writer_approving_without_being_chair(notulis, rakor):
    minutes = Minutes.objects.create(meeting=rakor)

    with pytest.raises(PermissionDenied):
        services.approve_minutes(minutes=minutes, acting_user=notulis)
    minutes.refresh_from_db()
    assert minutes.status == "draft" and not minutes.versions.exists()


def test_a_refused_approval_shows_the_branded_403_page(client, notulis, rakor):
    Minutes.objects.create(meeting=rakor)
    client.force_login(notulis)

    response = client.post(reverse("meetings:minutes-approve", args=[rakor.pk]))

    assert response.status_code == 403
    assert "Tidak diizinkan" in response.content.decode()
    assert 'data-testid="error-page"' in response.content.decode()
    assert Minutes.objects.get(meeting=rakor).status == "draft"


def test_minutes_over_the_length_limit_are_refused_with_a_clear_error(client, settings, notulis, rakor):
    settings.MINUTES_MAX_LENGTH = 1000
    client.force_login(notulis)

    response = client.post(
        reverse("meetings:minutes", args=[rakor.pk]), minutes_data(rakor, summary="x" * 1000)
    )

    assert response.status_code == 200
    assert "terlalu panjang" in str(response.context["form"].non_field_errors())
    assert not Minutes.objects.filter(meeting=rakor).exclude(summary="").exists()
    with pytest.raises(ValidationError):
        services.save_minutes(
            minutes=Minutes(meeting=rakor),  # a refused first save stores no minutes row
            data={"summary": "x" * 1001, "decisions": "", "discussions": {}},
            acting_user=notulis,
        )


def test_the_notulen_pdf_of_the_longest_allowed_minutes_is_made_well_within_the_timeout(settings, rakor):
    import time

    from meetings import pdf

    paragraph = "Rakor membahas hasil audit kasus stunting dan RTL setiap perangkat daerah. " * 10
    summary = "\n\n".join([paragraph] * (settings.MINUTES_MAX_LENGTH // (len(paragraph) + 2)))
    Minutes.objects.create(meeting=rakor, summary=summary)
    rakor.refresh_from_db()

    started = time.perf_counter()
    body = pdf.minutes_document(rakor)
    seconds = time.perf_counter() - started

    assert len(summary) <= settings.MINUTES_MAX_LENGTH and body.startswith(b"%PDF-")
    assert seconds < 20, f"notulen PDF took {seconds:.1f} s"
