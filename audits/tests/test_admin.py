"""Django admin for audits is scoped like the portal; the NIK access log is read-only."""

import pytest
from django.urls import reverse

from audits import services
from audits.catalogue import ensure_risk_factors
from audits.models import AuditCase, AuditRound, NikAccessLog

from .factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(audit_round, teknis, pakar):
    case = make_case(audit_round, teknis)
    services.reveal_identity(case=case, acting_user=pakar, ip_address="10.0.0.9")
    return NikAccessLog.objects.get()


def test_the_dppkb_admin_sees_the_audit_lists_of_their_kabupaten_only(client, dppkb, logged):
    other = AuditRound.objects.create(kabupaten_id="63.01", year=2024, semester=1)
    client.force_login(dppkb)
    response = client.get(reverse("admin:audits_auditround_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [logged.case.round]
    assert (
        client.get(reverse("admin:audits_auditround_change", args=[other.pk])).status_code == 302
    )  # not found
    for name in ("auditcase", "nikaccesslog", "recommendation", "riskfactor"):
        assert client.get(reverse(f"admin:audits_{name}_changelist")).status_code == 200
    html = client.get(reverse("admin:audits_auditcase_change", args=[logged.case.pk])).content.decode()
    assert logged.case.nik_masked in html and logged.case.nik not in html


def test_nobody_adds_changes_or_deletes_an_access_log_entry_in_admin(
    client, dppkb, logged, django_user_model
):
    root = django_user_model.objects.create_superuser("root", password="x")
    for user in (dppkb, root):
        client.force_login(user)
        assert client.get(reverse("admin:audits_nikaccesslog_add")).status_code == 403
        assert (
            client.post(
                reverse("admin:audits_nikaccesslog_delete", args=[logged.pk]), {"post": "yes"}
            ).status_code
            == 403
        )
        response = client.post(
            reverse("admin:audits_nikaccesslog_change", args=[logged.pk]), {"ip_address": "1.1.1.1"}
        )
        assert response.status_code == 403
    assert NikAccessLog.objects.get().ip_address == "10.0.0.9"


def test_cases_are_read_only_in_admin(client, dppkb, logged):
    client.force_login(dppkb)
    url = reverse("admin:audits_auditcase_change", args=[logged.case.pk])
    assert client.post(url, {"number": "99"}).status_code == 403
    assert client.get(reverse("admin:audits_auditcase_add")).status_code == 403
    assert AuditCase.objects.get().number == logged.case.number


def test_the_stage_cannot_be_set_in_admin_but_the_decree_can(client, dppkb, audit_round):
    client.force_login(dppkb)
    url = reverse("admin:audits_auditround_change", args=[audit_round.pk])
    data = {
        "stage": "laporan", "sk_number": "188/2/2024", "sk_date": "2024-02-12",
        "visits_due": "", "review_due": "", "evaluation_due": "",
        "team-TOTAL_FORMS": "0", "team-INITIAL_FORMS": "0", "stage_changes-TOTAL_FORMS": "0",
        "stage_changes-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    audit_round.refresh_from_db()
    assert (audit_round.sk_number, audit_round.stage) == ("188/2/2024", "pembentukan_tim")


def test_the_notulis_has_no_case_admin_and_the_camat_no_admin_at_all(client, notulis, camat_a, logged):
    client.force_login(notulis)
    assert client.get(reverse("admin:audits_auditcase_changelist")).status_code == 403
    assert client.get(reverse("admin:audits_nikaccesslog_changelist")).status_code == 403
    client.force_login(camat_a)
    assert client.get(reverse("admin:audits_auditround_changelist")).status_code == 302  # to the login


def test_the_history_of_a_case_outside_the_scope_is_not_shown(client, dppkb, logged, django_user_model):
    other_admin = django_user_model.objects.create_user("dppkb.tanahlaut", password="x", is_staff=True)
    from portal.models import RoleAssignment

    RoleAssignment.objects.create(user=other_admin, role="dppkb_admin", region_id="63.01")
    client.force_login(other_admin)
    response = client.get(reverse("admin:audits_auditcase_history", args=[logged.case.pk]))
    assert response.status_code in (302, 403, 404)
    assert logged.case.nik_masked not in response.content.decode()


def test_the_risk_factor_catalogue_is_editable_by_the_dppkb_admin(client, dppkb):
    # Seeded by migration; a transactional test elsewhere may have flushed it since.
    factor = ensure_risk_factors()["Penyakit infeksi"]
    versions = factor.history.count()
    client.force_login(dppkb)
    response = client.post(
        reverse("admin:audits_riskfactor_change", args=[factor.pk]),
        {
            "name": "Penyakit infeksi",
            "kind": "langsung",
            "target_groups": ["baduta", "balita"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    factor.refresh_from_db()
    assert factor.target_groups == ["baduta", "balita"]
    assert factor.history.count() == versions + 1


def test_a_case_cannot_be_reverted_from_its_history(client, dppkb, logged):
    case = logged.case
    version = case.history.first()
    client.force_login(dppkb)
    url = reverse("admin:audits_auditcase_simple_history", args=[case.pk, version.history_id])
    assert client.post(url, {"number": "77"}).status_code == 403
    assert AuditCase.objects.get().number == case.number
