"""Rounds: every desa in the coverage, one round per semester, stages that check what they
need and are recorded, coverage per kecamatan as a share."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from audits import evaluation, services
from audits.kka import TargetGroup
from audits.models import AuditRound, RoundDesa, StageChange
from portal.models import Region

from .factories import BINUANG_DESA, TAPIN_UTARA_DESA, make_case, make_round

pytestmark = pytest.mark.django_db
Stage = AuditRound.Stage


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English (the default language is Indonesian)."""
    with translation.override("en"):
        yield


def test_a_new_round_covers_every_desa_and_kelurahan_of_the_kabupaten(dppkb):
    audit_round = make_round(dppkb)
    desa = Region.objects.filter(code__startswith="63.05.", level__in=["desa", "kelurahan"])
    assert audit_round.coverage.count() == desa.count() > 0
    assert set(audit_round.coverage.values_list("desa_id", flat=True)) == set(
        desa.values_list("code", flat=True)
    )
    assert not audit_round.coverage.exclude(status=RoundDesa.Status.BELUM).exists()
    assert StageChange.objects.get(round=audit_round).to_stage == Stage.PEMBENTUKAN_TIM


def test_there_is_one_round_per_kabupaten_and_semester(dppkb):
    make_round(dppkb)
    with pytest.raises(ValidationError):
        make_round(dppkb)
    assert AuditRound.objects.count() == 1


def test_the_dppkb_admin_creates_a_round_from_the_portal(client, dppkb):
    client.force_login(dppkb)
    response = client.post(
        reverse("audits:round-create"),
        {
            "kabupaten": "63.05",
            "year": "2025",
            "semester": "2",
            "sk_number": "188/1/2025",
            "sk_date": "2025-07-01",
        },
    )
    audit_round = AuditRound.objects.get()
    assert response.status_code == 302 and (audit_round.year, audit_round.semester) == (2025, 2)
    assert audit_round.created_by == dppkb and audit_round.coverage.count() > 0


@pytest.mark.parametrize("who", ["camat_a", "pakar", "notulis", "dinkes"])
def test_only_the_dppkb_admin_creates_rounds(client, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("audits:round-create"), {"kabupaten": "63.05", "year": "2025", "semester": "2"}
    )
    assert response.status_code == 403
    assert not AuditRound.objects.exists()


def move(audit_round, stage, user, note=""):
    services.move_stage(audit_round=audit_round, stage=stage, acting_user=user, note=note)
    audit_round.refresh_from_db()


def test_case_selection_needs_the_decree_and_both_parts_of_the_team(dppkb, pakar, teknis):
    audit_round = make_round(dppkb, pakar=pakar)
    with pytest.raises(ValidationError, match="tim teknis"):
        move(audit_round, Stage.SELEKSI_KASUS, dppkb)
    assert audit_round.stage == Stage.PEMBENTUKAN_TIM
    services.add_team_member(audit_round=audit_round, user=teknis, part="tim_teknis", acting_user=dppkb)
    move(audit_round, Stage.SELEKSI_KASUS, dppkb)
    assert audit_round.stage == Stage.SELEKSI_KASUS


def test_no_visits_before_cases_no_kajian_before_every_visit_no_diseminasi_before_every_review(
    audit_round, dppkb, pakar, teknis
):
    move(audit_round, Stage.SELEKSI_KASUS, dppkb)
    with pytest.raises(ValidationError, match="selected cases"):
        move(audit_round, Stage.KUNJUNGAN, dppkb)
    case = make_case(audit_round, teknis, visited=False)
    move(audit_round, Stage.KUNJUNGAN, dppkb)
    with pytest.raises(ValidationError, match="visit"):
        move(audit_round, Stage.KAJIAN, dppkb)
    case.visit_date = date(2024, 3, 4)
    services.save_case(case=case, acting_user=teknis)
    move(audit_round, Stage.KAJIAN, dppkb)
    with pytest.raises(ValidationError, match="expert review"):
        move(audit_round, Stage.DISEMINASI, dppkb)
    services.review_case(
        case=case,
        acting_user=pakar,
        audit_date=date(2024, 5, 6),
        conclusion="Asupan kurang.",
        risk_before="tinggi",
    )
    move(audit_round, Stage.DISEMINASI, dppkb)
    assert audit_round.stage == Stage.DISEMINASI
    assert list(audit_round.stage_changes.values_list("to_stage", flat=True)) == [
        Stage.PEMBENTUKAN_TIM,
        Stage.SELEKSI_KASUS,
        Stage.KUNJUNGAN,
        Stage.KAJIAN,
        Stage.DISEMINASI,
    ]
    assert audit_round.stage_changes.last().changed_by == dppkb


def test_a_round_moves_one_stage_at_a_time_and_goes_back_only_with_a_reason(audit_round, dppkb):
    with pytest.raises(ValidationError):
        move(audit_round, Stage.KUNJUNGAN, dppkb)
    move(audit_round, Stage.SELEKSI_KASUS, dppkb)
    with pytest.raises(ValidationError):
        move(audit_round, Stage.PEMBENTUKAN_TIM, dppkb)
    move(audit_round, Stage.PEMBENTUKAN_TIM, dppkb, note="SK direvisi")
    assert audit_round.stage == Stage.PEMBENTUKAN_TIM
    assert audit_round.stage_changes.last().note == "SK direvisi"


def test_only_the_dppkb_admin_moves_the_stage(client, audit_round, pakar, camat_a):
    for user in (pakar, camat_a):
        client.force_login(user)
        response = client.post(
            reverse("audits:round-stage", args=[audit_round.pk]), {"stage": Stage.SELEKSI_KASUS}
        )
        assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.move_stage(audit_round=audit_round, stage=Stage.SELEKSI_KASUS, acting_user=pakar)
    audit_round.refresh_from_db()
    assert audit_round.stage == Stage.PEMBENTUKAN_TIM and audit_round.stage_changes.count() == 1


def test_the_stage_page_action_explains_what_is_missing(client, dppkb, pakar):
    audit_round = make_round(dppkb, pakar=pakar)
    client.force_login(dppkb)
    response = client.post(
        reverse("audits:round-stage", args=[audit_round.pk]), {"stage": Stage.SELEKSI_KASUS}, follow=True
    )
    assert "tim teknis" in response.content.decode()
    audit_round.refresh_from_db()
    assert audit_round.stage == Stage.PEMBENTUKAN_TIM


def test_coverage_per_kecamatan_follows_the_cases(audit_round, teknis, pakar):
    make_case(audit_round, teknis, desa=TAPIN_UTARA_DESA, visited=False)
    make_case(audit_round, teknis, desa=BINUANG_DESA, group=TargetGroup.CATIN)
    rows = {r["kecamatan_id"]: r for r in evaluation.coverage_by_kecamatan(audit_round.coverage.all())}
    tapin_utara = RoundDesa.objects.filter(round=audit_round, kecamatan_id="63.05.04").count()
    binuang = RoundDesa.objects.filter(round=audit_round, kecamatan_id="63.05.01").count()
    assert rows["63.05.04"] == {
        "kecamatan_id": "63.05.04",
        "kecamatan__name": "Tapin Utara",
        "total": tapin_utara,
        "covered": 1,
        "share": 100 // tapin_utara,
    }
    assert (rows["63.05.01"]["covered"], rows["63.05.01"]["total"]) == (1, binuang)
    assert rows["63.05.08"]["covered"] == 0
    statuses = dict(audit_round.coverage.exclude(status="belum").values_list("desa_id", "status"))
    assert statuses == {TAPIN_UTARA_DESA: "kasus_dipilih", BINUANG_DESA: "dikunjungi"}
    totals = evaluation.coverage_totals(audit_round.coverage.all())
    assert totals["covered"] == 2 and totals["total"] == audit_round.coverage.count()


def test_a_desa_is_as_far_as_its_least_advanced_case(audit_round, teknis, pakar):
    first = make_case(audit_round, teknis)
    make_case(audit_round, teknis, visited=False)
    services.review_case(
        case=first, acting_user=pakar, audit_date=date(2024, 5, 6), conclusion="x", risk_before="sedang"
    )
    assert RoundDesa.objects.get(round=audit_round, desa_id=TAPIN_UTARA_DESA).status == "kasus_dipilih"


def test_the_round_page_shows_coverage_and_the_desa_not_yet_covered(client, audit_round, teknis, dppkb):
    make_case(audit_round, teknis)
    client.force_login(dppkb)
    response = client.get(audit_round.get_absolute_url())
    html = response.content.decode()
    total = audit_round.coverage.count()
    assert f"1 of {total}" in html or f"1 dari {total}" in html
    assert response.context["uncovered"].count() == total - 1
    assert "Keramat" not in [r.desa.name for r in response.context["uncovered"]]
