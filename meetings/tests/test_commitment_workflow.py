import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from meetings.commitments import services
from meetings.models import Commitment, CommitmentUpdate, Evidence

from .factories import CommitmentFactory, MeetingFactory, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def commitment(demo, dinkes):
    return CommitmentFactory(owner=demo.orgs["dinkes"], pic=dinkes)


def test_first_progress_report_moves_an_open_commitment_in_progress(commitment, dinkes):
    update = services.post_update(
        commitment=commitment, acting_user=dinkes, note="TTD dibagikan ke 3 sekolah", percent=30
    )

    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.IN_PROGRESS
    assert commitment.progress == 30
    assert (update.status_from, update.status_to, update.author) == ("open", "in_progress", dinkes)


def test_a_second_report_keeps_the_status_and_records_no_transition(commitment, dinkes):
    services.post_update(commitment=commitment, acting_user=dinkes, note="Tahap 1", percent=30)
    update = services.post_update(commitment=commitment, acting_user=dinkes, note="Tahap 2", percent=60)

    assert update.status_to == ""
    assert commitment.updates.count() == 3


def test_progress_outside_0_to_100_is_refused(commitment, dinkes):
    with pytest.raises(ValidationError):
        services.post_update(commitment=commitment, acting_user=dinkes, note="x", percent=140)
    commitment.refresh_from_db()
    assert commitment.progress == 0


def test_marking_done_without_evidence_is_refused(commitment, dinkes):
    with pytest.raises(ValidationError) as error:
        services.mark_done(commitment=commitment, acting_user=dinkes, note="Selesai")

    assert error.value.code == "evidence"
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.OPEN


def test_marking_done_with_evidence_closes_it_at_100_percent(commitment, dinkes):
    update = services.mark_done(
        commitment=commitment, acting_user=dinkes, note="Selesai", files=[pdf_upload()]
    )

    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.DONE
    assert commitment.progress == 100
    evidence = Evidence.objects.get(update=update)
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "laporan.pdf"


def test_evidence_posted_earlier_is_enough_to_mark_done(commitment, dinkes):
    services.post_update(
        commitment=commitment, acting_user=dinkes, note="Foto kegiatan", files=[png_upload()]
    )

    services.mark_done(commitment=commitment, acting_user=dinkes, note="Selesai")

    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.DONE


def test_notulis_verifies_a_done_commitment(commitment, dinkes, notulis):
    services.mark_done(commitment=commitment, acting_user=dinkes, note="Selesai", files=[pdf_upload()])

    update = services.verify(commitment=commitment, acting_user=notulis)

    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.VERIFIED
    assert (update.status_from, update.status_to, update.author) == ("done", "verified", notulis)


def test_an_open_commitment_cannot_be_verified(commitment, notulis):
    with pytest.raises(ValidationError):
        services.verify(commitment=commitment, acting_user=notulis)
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.OPEN


def test_the_owner_cannot_verify_their_own_commitment(commitment, dinkes):
    services.mark_done(commitment=commitment, acting_user=dinkes, note="Selesai", files=[pdf_upload()])

    with pytest.raises(PermissionDenied):
        services.verify(commitment=commitment, acting_user=dinkes)


def test_reopen_needs_a_reason_and_records_it(commitment, dinkes, dppkb):
    services.mark_done(commitment=commitment, acting_user=dinkes, note="Selesai", files=[pdf_upload()])

    with pytest.raises(ValidationError):
        services.reopen(commitment=commitment, acting_user=dppkb, reason="  ")
    update = services.reopen(commitment=commitment, acting_user=dppkb, reason="Bukti tidak sesuai sasaran")

    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.IN_PROGRESS
    assert update.note == "Bukti tidak sesuai sasaran"
    assert (update.status_from, update.status_to) == ("done", "in_progress")


def test_read_only_ketua_pkk_cannot_report_progress(demo, pkk):
    commitment = CommitmentFactory(owner=demo.orgs["pkk_tapinutara"], meeting__region_id="63.05.04")

    with pytest.raises(PermissionDenied):
        services.post_update(commitment=commitment, acting_user=pkk, note="x")
    assert commitment.updates.count() == 1


def test_camat_reports_progress_on_a_commitment_of_their_kecamatan(demo, camat_a):
    commitment = CommitmentFactory(owner=demo.orgs["pkm_tapinutara"], meeting__region_id="63.05.04")

    services.post_update(commitment=commitment, acting_user=camat_a, note="Posyandu aktif", percent=50)

    assert commitment.updates.latest("created_at").author == camat_a


def test_an_opd_cannot_report_on_another_organisations_commitment(demo, dinkes):
    commitment = CommitmentFactory(owner=demo.orgs["pupr"])

    with pytest.raises(PermissionDenied):
        services.post_update(commitment=commitment, acting_user=dinkes, note="x")


def test_create_commitment_records_the_author_and_a_history_row(demo, notulis):
    meeting = MeetingFactory(held=True)

    commitment = services.create_commitment(
        meeting=meeting,
        description="Pembangunan jamban sehat di 5 desa lokus",
        owner=demo.orgs["pupr"],
        due_date=timezone.localdate() + dt.timedelta(days=60),
        intervention_type=Commitment.InterventionType.SENSITIF,
        acting_user=notulis,
    )

    assert commitment.created_by == notulis
    assert CommitmentUpdate.objects.get(commitment=commitment).status_to == "open"


def test_create_commitment_refuses_an_owner_of_another_kabupaten(demo, notulis):
    with pytest.raises(ValidationError):
        services.create_commitment(
            meeting=MeetingFactory(held=True),
            description="x",
            owner=demo.orgs["tpps_tanahlaut"],
            due_date=timezone.localdate(),
            acting_user=notulis,
        )
    assert not Commitment.objects.exists()


def test_create_commitment_refuses_a_meeting_outside_the_users_region(demo, notulis):
    with pytest.raises(PermissionDenied):
        services.create_commitment(
            meeting=MeetingFactory(held=True, region_id="63.01"),
            description="x",
            owner=demo.orgs["dinkes"],
            due_date=timezone.localdate(),
            acting_user=notulis,
        )


def test_overdue_is_derived_from_the_due_date_and_open_status(demo):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    late = CommitmentFactory(owner=demo.orgs["dinkes"], due_date=yesterday)
    closed = CommitmentFactory(
        owner=demo.orgs["dinkes"], due_date=yesterday, status=Commitment.Status.VERIFIED
    )
    CommitmentFactory(owner=demo.orgs["dinkes"])

    assert list(Commitment.objects.overdue()) == [late]
    assert late.is_overdue and not closed.is_overdue


def test_marking_done_asks_the_kabupaten_secretariat_to_verify(commitment, dinkes, notulis, dppkb):
    from portal.models import Notification

    update = services.mark_done(
        commitment=commitment, acting_user=dinkes, note="Selesai", files=[pdf_upload()]
    )

    rows = Notification.objects.of_rule("commitment_done", update.pk)
    assert {n.recipient for n in rows} == {notulis, dppkb}
    assert rows.first().context["link"].endswith(commitment.get_absolute_url())
    assert not Notification.objects.filter(recipient=dinkes).exists()


def test_reopening_tells_the_owner_why(commitment, dinkes, notulis):
    from portal.models import Notification

    services.mark_done(commitment=commitment, acting_user=dinkes, note="Selesai", files=[pdf_upload()])
    update = services.reopen(commitment=commitment, acting_user=notulis, reason="Foto buram")

    rows = Notification.objects.of_rule("commitment_reopened", update.pk)
    assert {n.recipient for n in rows} == {dinkes}
    assert rows.first().context["note"] == "Foto buram"


def test_the_notification_templates_render_for_both_events(commitment, notulis):
    from django.template.loader import render_to_string

    context = {
        "recipient": notulis,
        "source": commitment,
        "note": "Catatan",
        "author": "Fitriani",
        "link": "http://x/c/1/",
    }
    for rule in ("commitment_done", "commitment_reopened"):
        subject = render_to_string(f"emails/{rule}_subject.txt", context)
        assert commitment.description[:20] in subject
        for part in ("body.txt", "body.html"):
            body = render_to_string(f"emails/{rule}_{part}", context)
            assert "Catatan" in body and "http://x/c/1/" in body and "Fitriani" in body


def test_kepala_puskesmas_reports_on_the_puskesmas_commitments_only(demo, kapus):
    own = CommitmentFactory(owner=demo.orgs["pkm_tapinutara"], meeting__region_id="63.05.04")
    pkk_owned = CommitmentFactory(owner=demo.orgs["pkk_tapinutara"], meeting__region_id="63.05.04")

    services.post_update(commitment=own, acting_user=kapus, note="Kunjungan rumah 10 baduta", percent=30)
    with pytest.raises(PermissionDenied):
        services.post_update(commitment=pkk_owned, acting_user=kapus, note="x")

    assert own.updates.count() == 2
    assert pkk_owned.updates.count() == 1
