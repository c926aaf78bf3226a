"""Cases from the portal: the tim teknis fills selection, identity and KKA; the tim pakar
reviews once nothing is pending; the evaluation records the risk after."""

from datetime import date

import pytest
from django.urls import reverse

from audits import services
from audits.models import AuditCase, RoundDesa

from .factories import TAPIN_UTARA_DESA, make_case

pytestmark = pytest.mark.django_db


def case_post(audit_round, **extra):
    from portal.models import Organisation

    data = {
        "group": "baduta",
        "number": "1",
        "desa": TAPIN_UTARA_DESA,
        "puskesmas": Organisation.objects.get(name="Puskesmas Tapin Utara").pk,
        "visit_date": "2024-03-04",
        "nik": "6305 0452 0523 0001",
        "name": "Alya binti Ahmad",
        "age": "1",
        "education": "belum",
        "kka_usia_bulan": "14",
        "kka_jenis_kelamin": "P",
        "kka_berat_lahir_g": "2400",
        "kka_berat_kg": "7,6",
        "kka_tinggi_cm": "70.5",
        "kka_zscore_tb_u": "",
        "kka_asi_eksklusif": "false",
        "kka_imunisasi_lengkap": "",
        "kka_infeksi_berulang": "true",
        "kka_penyakit_penyerta": "false",
    }
    data.update(extra)
    return data


def test_the_tim_teknis_records_a_case_with_items_still_pending(client, audit_round, teknis):
    client.force_login(teknis)
    url = reverse("audits:case-create", args=[audit_round.pk])
    assert client.get(url).status_code == 200  # the target group choice
    assert client.get(url + "?group=baduta").status_code == 200
    response = client.post(url, case_post(audit_round))
    assert response.status_code == 302, response.context["form"].errors
    case = AuditCase.objects.get()
    assert (case.nik, case.name, case.filled_by, case.form_version) == (
        "6305045205230001",
        "Alya binti Ahmad",
        teknis,
        "2024.1",
    )
    assert case.kka["berat_kg"] == 7.6 and "zscore_tb_u" not in case.kka
    assert [i.code for i in case.pending_items()] == ["zscore_tb_u", "imunisasi_lengkap"]
    assert RoundDesa.objects.get(round=audit_round, desa_id=TAPIN_UTARA_DESA).status == "dikunjungi"
    html = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="pending-items"' in html


def test_a_wrong_nik_or_out_of_bounds_item_is_shown_on_its_field_and_nothing_is_saved(
    client, audit_round, teknis
):
    client.force_login(teknis)
    url = reverse("audits:case-create", args=[audit_round.pk])
    response = client.post(url, case_post(audit_round, nik="6301045205230001", kka_berat_lahir_g="9000"))
    form = response.context["form"]
    assert "kka_berat_lahir_g" in form.errors
    assert not AuditCase.objects.exists()
    response = client.post(url, case_post(audit_round, nik="6301045205230001"))
    assert "nik" in response.context["form"].errors
    assert not AuditCase.objects.exists()


def test_editing_a_case_keeps_the_identity_unless_typed_again(client, audit_round, teknis):
    case = make_case(audit_round, teknis, name="Siti Rahmah")
    client.force_login(teknis)
    data = case_post(audit_round, nik="", name="", number=str(case.number), kka_zscore_tb_u="-2.6")
    response = client.post(reverse("audits:case-update", args=[case.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    case.refresh_from_db()
    assert (case.name, case.kka["zscore_tb_u"]) == ("Siti Rahmah", -2.6)


def test_case_numbers_are_unique_in_the_round(client, audit_round, teknis):
    make_case(audit_round, teknis, number=1)
    client.force_login(teknis)
    response = client.post(reverse("audits:case-create", args=[audit_round.pk]), case_post(audit_round))
    assert response.status_code == 200
    assert AuditCase.objects.count() == 1


@pytest.mark.parametrize("who", ["pakar", "notulis", "camat_a"])
def test_only_the_tim_teknis_and_dppkb_admin_record_cases(client, audit_round, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("audits:case-create", args=[audit_round.pk]), case_post(audit_round))
    assert response.status_code == 403
    assert not AuditCase.objects.exists()


def test_the_expert_review_waits_until_nothing_is_pending(client, audit_round, teknis, pakar):
    case = make_case(audit_round, teknis, kka={k: v for k, v in case_items().items() if k != "zscore_tb_u"})
    client.force_login(pakar)
    url = reverse("audits:case-review", args=[case.pk])
    data = {"audit_date": "2024-05-06", "risk_before": "tinggi", "conclusion": "Infeksi berulang."}
    response = client.post(url, data)
    assert response.status_code == 200 and "TB/U" in response.content.decode()
    case.refresh_from_db()
    assert not case.is_reviewed
    case.kka["zscore_tb_u"] = -2.6
    services.save_case(case=case, acting_user=teknis)
    response = client.post(url, data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.reviewed_by, case.audit_date, case.risk_before) == (pakar, date(2024, 5, 6), "tinggi")
    assert RoundDesa.objects.get(round=audit_round, desa_id=case.desa_id).status == "dikaji"


def case_items():
    from .factories import FULL_KKA

    return dict(FULL_KKA["baduta"])


@pytest.mark.parametrize("who", ["teknis", "dppkb"])
def test_only_the_tim_pakar_signs_the_review(client, audit_round, teknis, who, request):
    case = make_case(audit_round, teknis)
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("audits:case-review", args=[case.pk]),
        {"audit_date": "2024-05-06", "risk_before": "tinggi", "conclusion": "x"},
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.reviewed_by is None


def test_the_evaluation_records_the_risk_after_and_completes_the_desa(client, audit_round, teknis, pakar):
    case = make_case(audit_round, teknis)
    services.review_case(
        case=case, acting_user=pakar, audit_date=date(2024, 5, 6), conclusion="x", risk_before="tinggi"
    )
    client.force_login(teknis)
    response = client.post(
        reverse("audits:case-evaluate", args=[case.pk]),
        {"risk_after": "rendah", "carried_out": "true", "evaluated_at": "2024-10-15", "note": "Membaik."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.risk_after, case.follow_up_carried_out, case.evaluated_at) == (
        "rendah",
        True,
        date(2024, 10, 15),
    )
    assert RoundDesa.objects.get(round=audit_round, desa_id=case.desa_id).status == "selesai"
