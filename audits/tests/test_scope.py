"""Who sees what: case identities only for the round's team and the kabupaten's DPPKB admin, a
camat only the aggregates of their kecamatan, an OPD only the recommendations it owns; lists
stay at a constant number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits import services
from audits.kka import TargetGroup
from audits.models import AuditCase, AuditRound, NikAccessLog, Recommendation, RoundDesa

from .factories import BINUANG_DESA, TAPIN_UTARA_DESA, make_case, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(audit_round, teknis, pakar, demo):
    make_case(audit_round, teknis, desa=TAPIN_UTARA_DESA)
    make_case(audit_round, teknis, desa=BINUANG_DESA, group=TargetGroup.CATIN)
    for key in ("dinkes", "pupr"):
        services.add_recommendation(
            audit_round=audit_round, acting_user=pakar, text=f"Rekomendasi {key}", intervention_type="sensitif",
            owner=demo.orgs[key],
        )  # fmt: skip
    return audit_round


def test_camat_sees_only_the_coverage_of_their_kecamatan_and_no_case(client, filled, camat_a):
    client.force_login(camat_a)
    response = client.get(filled.get_absolute_url())
    assert response.status_code == 200
    assert {row["kecamatan_id"] for row in response.context["coverage"]} == {"63.05.04"}
    assert response.context["totals"]["covered"] == 1
    assert not response.context["show_cases"] and "cases" not in response.context
    html = response.content.decode()
    assert 'data-testid="case-table"' not in html and "6305" not in html
    assert list(response.context["recommendations"]) == []


def test_camat_of_another_kecamatan_cannot_see_tapin_utara_cases_or_coverage(client, filled, camat_b):
    client.force_login(camat_b)
    response = client.get(filled.get_absolute_url())
    assert {row["kecamatan_id"] for row in response.context["coverage"]} == {"63.05.01"}
    case = AuditCase.objects.get(desa_id=TAPIN_UTARA_DESA)
    for url in (case.get_absolute_url(), reverse("audits:case-review", args=[case.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("audits:case-reveal", args=[case.pk])).status_code == 404
    assert not NikAccessLog.objects.exists()


def test_an_opd_sees_the_recommendations_it_owns_only(client, filled, dinkes):
    assert list(Recommendation.objects.visible_to(dinkes).values_list("text", flat=True)) == [
        "Rekomendasi dinkes"
    ]
    pupr = Recommendation.objects.get(text="Rekomendasi pupr")
    client.force_login(dinkes)
    assert client.get(pupr.get_absolute_url()).status_code == 404
    assert not AuditCase.objects.visible_to(dinkes).exists()


def test_the_team_and_the_dppkb_admin_see_every_case_others_none(
    filled, dppkb, pakar, teknis, notulis, camat_a, kapus
):
    assert AuditCase.objects.visible_to(dppkb).count() == 2
    assert AuditCase.objects.visible_to(pakar).count() == 2
    assert AuditCase.objects.visible_to(teknis).count() == 2
    for user in (notulis, camat_a):
        assert not AuditCase.objects.visible_to(user).exists()


def test_a_round_of_another_kabupaten_is_invisible(client, filled, dppkb, camat_a, outsider):
    other = AuditRound.objects.create(kabupaten_id="63.01", year=2024, semester=1)
    for user in (dppkb, camat_a, outsider):
        assert not AuditRound.objects.visible_to(user).filter(pk=other.pk).exists()
    client.force_login(dppkb)
    assert client.get(other.get_absolute_url()).status_code == 404
    assert not RoundDesa.objects.visible_to(outsider).exists()


def test_the_access_log_is_read_by_the_dppkb_admin_only(client, filled, dppkb, pakar):
    case = AuditCase.objects.first()
    services.reveal_identity(case=case, acting_user=pakar, ip_address="10.0.0.5")
    client.force_login(dppkb)
    response = client.get(reverse("audits:access-log", args=[filled.pk]))
    assert response.status_code == 200 and "10.0.0.5" in response.content.decode()
    client.force_login(pakar)
    assert client.get(reverse("audits:access-log", args=[filled.pk])).status_code == 403


def count_queries(client, url) -> int:
    """The page's queries with the person's cached rights and unread count warm (a team write
    renews the rights, not the unread count: a cold first request would differ by that)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_list_and_round_pages_keep_a_constant_number_of_queries(client, dppkb, pakar, teknis, demo):
    first = make_round(dppkb, pakar=pakar, teknis=teknis)
    make_case(first, teknis)
    client.force_login(dppkb)
    urls = [reverse("audits:round-list"), first.get_absolute_url()]
    before = [count_queries(client, url) for url in urls]
    for semester_year in (2025, 2026):
        make_round(dppkb, pakar=pakar, teknis=teknis, year=semester_year)
    for person in (demo.users["notulis"], demo.users["dinkes"]):  # each row has its remove link
        services.add_team_member(audit_round=first, user=person, part="tim_teknis", acting_user=dppkb)
    for number in range(2, 7):
        case = make_case(first, teknis, number=number, desa=BINUANG_DESA if number % 2 else TAPIN_UTARA_DESA)
        services.add_recommendation(
            audit_round=first, acting_user=pakar, case=case, text=f"R{number}", intervention_type="spesifik",
            owner=demo.orgs["dinkes"],
        )  # fmt: skip
    services.review_case(
        case=case, acting_user=pakar, audit_date=date(2024, 5, 6), conclusion="x", risk_before="tinggi"
    )
    assert [count_queries(client, url) for url in urls] == before


def test_every_region_bound_audit_model_answers_visible_to(filled, notulis, dppkb, outsider):
    from audits.models import AuditTeamMember, RecommendationCommitment, StageChange
    from meetings.models import Meeting
    from meetings.tests.factories import MeetingFactory

    rakor = MeetingFactory(kind=Meeting.Kind.RAKOR, region_id="63.05")
    services.adopt_recommendations(
        meeting=rakor,
        adoptions=[{"recommendation": Recommendation.objects.first(), "due_date": date(2030, 1, 1)}],
        acting_user=notulis,
    )
    for model in (AuditTeamMember, StageChange, RecommendationCommitment):
        assert model.objects.visible_to(dppkb).exists(), model
        assert not model.objects.visible_to(outsider).exists(), model


def test_round_page_lists_its_cases_a_page_at_a_time(client, dppkb, pakar, teknis, monkeypatch):
    from audits import views

    monkeypatch.setattr(views, "CASES_PER_PAGE", 2)
    audit_round = make_round(dppkb, pakar=pakar, teknis=teknis)
    cases = [make_case(audit_round, teknis, number=number) for number in (1, 2, 3)]
    client.force_login(dppkb)
    first = client.get(audit_round.get_absolute_url()).content.decode()
    second = client.get(audit_round.get_absolute_url() + "?cases=2").content.decode()
    assert [case.get_absolute_url() in first for case in cases] == [True, True, False]
    assert [case.get_absolute_url() in second for case in cases] == [False, False, True]
    assert "?cases=2" in first and "?cases=1" in second


def test_a_team_member_from_outside_the_kabupaten_sees_its_round_and_cases_once_each(filled, dppkb, outsider):
    from audits.models import AuditTeamMember

    member = services.add_team_member(
        audit_round=filled, user=outsider, part=AuditTeamMember.Part.TIM_TEKNIS, acting_user=dppkb
    )
    assert filled.team.count() == 3
    for user in (outsider, dppkb):
        assert list(AuditRound.objects.visible_to(user)) == [filled]
        assert list(AuditRound.objects.with_identities_for(user)) == [filled]
        assert AuditCase.objects.visible_to(user).count() == 2

    services.remove_team_member(member=member, acting_user=dppkb, reason="pindah tugas")
    assert not AuditRound.objects.visible_to(outsider).exists()
    assert not AuditCase.objects.visible_to(outsider).exists()
