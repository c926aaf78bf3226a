"""Removing a team member and editing a recommendation on the portal (and the same rules in
Django admin): scoped, POST-only writes, a confirmation before removal, history rows."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audits import services
from audits.models import AuditRound, AuditTeamMember
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory

from .factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(audit_round, pakar):
    return AuditTeamMember.objects.get(round=audit_round, user=pakar)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_dppkb_admin_is_asked_before_a_member_is_removed(client, dppkb, member):
    client.force_login(dppkb)
    response = client.get(reverse("audits:team-remove", args=[member.pk]))
    assert response.status_code == 200
    assert "dr. Lailatul Fitri" in response.content.decode()
    assert 'data-testid="team-remove-form"' in response.content.decode()
    assert AuditTeamMember.objects.filter(pk=member.pk).exists()  # a GET writes nothing


def test_the_dppkb_admin_removes_a_member_with_a_history_row(client, dppkb, member, pakar):
    client.force_login(dppkb)
    response = client.post(reverse("audits:team-remove", args=[member.pk]), {"reason": "Pindah tugas"})
    assert response.status_code == 302
    assert not AuditTeamMember.objects.filter(pk=member.pk).exists()
    row = AuditTeamMember.history.filter(id=member.pk).latest("history_date")
    assert (row.history_type, row.history_user, row.history_change_reason) == ("-", dppkb, "Pindah tugas")
    assert any("no longer on the team" in m or "tidak lagi" in m for m in _messages(response))
    assert not member.round.can_review(pakar)


def test_team_removal_is_refused_to_a_member_and_hidden_from_outsiders(client, member, pakar, outsider):
    url = reverse("audits:team-remove", args=[member.pk])
    client.force_login(pakar)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert AuditTeamMember.objects.filter(pk=member.pk).exists()


def test_past_team_formation_the_last_expert_stays(client, dppkb, member, audit_round):
    services.move_stage(audit_round=audit_round, stage=AuditRound.Stage.SELEKSI_KASUS, acting_user=dppkb)
    client.force_login(dppkb)
    url = reverse("audits:team-remove", args=[member.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="team-remove-form"' not in page  # the page explains instead of offering the button
    response = client.post(url)
    assert response.status_code == 302
    assert AuditTeamMember.objects.filter(pk=member.pk).exists()
    (message,) = _messages(response)
    assert "tim pakar" in message.lower()


@pytest.fixture
def recommendation(audit_round, pakar, teknis, demo):
    case = make_case(audit_round, teknis)
    return services.add_recommendation(
        audit_round=audit_round, acting_user=pakar, case=case, text="PMT lokal", intervention_type="spesifik",
        owner=demo.orgs["dinkes"], priority=2,
    )  # fmt: skip


def _form(recommendation, **changes) -> dict:
    data = {
        "case": recommendation.case_id or "",
        "text": recommendation.text,
        "intervention_type": recommendation.intervention_type,
        "owner": recommendation.owner_id,
        "priority": recommendation.priority,
    }
    return {**data, **changes}


def test_the_tim_pakar_edits_a_recommendation_with_a_history_row(client, pakar, recommendation):
    client.force_login(pakar)
    url = reverse("audits:recommendation-edit", args=[recommendation.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _form(recommendation, text="PMT lokal 90 hari", priority=1))
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert (recommendation.text, recommendation.priority) == ("PMT lokal 90 hari", 1)
    assert recommendation.history.latest("history_date").history_user == pakar
    assert url in client.get(recommendation.get_absolute_url()).content.decode()


def test_recommendation_edit_rights(client, recommendation, notulis, dinkes, outsider):
    url = reverse("audits:recommendation-edit", args=[recommendation.pk])
    for user, status in ((notulis, 403), (dinkes, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, _form(recommendation, text="Diubah")).status_code == status
    recommendation.refresh_from_db()
    assert recommendation.text == "PMT lokal"


def test_bad_input_writes_nothing(client, pakar, recommendation):
    client.force_login(pakar)
    response = client.post(
        reverse("audits:recommendation-edit", args=[recommendation.pk]),
        _form(recommendation, text="", owner=0),
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"text", "owner"}
    recommendation.refresh_from_db()
    assert recommendation.text == "PMT lokal"


def test_an_adopted_recommendation_only_changes_its_priority(client, pakar, dppkb, recommendation):
    rakor = MeetingFactory(kind=Meeting.Kind.RAKOR, region_id="63.05")
    services.adopt_recommendations(
        meeting=rakor, adoptions=[{"recommendation": recommendation, "due_date": date(2030, 1, 1)}],
        acting_user=dppkb,
    )  # fmt: skip
    client.force_login(pakar)
    url = reverse("audits:recommendation-edit", args=[recommendation.pk])
    response = client.post(url, _form(recommendation, text="Teks lain", priority=3))
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert (recommendation.text, recommendation.priority) == ("PMT lokal", 3)
    with pytest.raises(services.ValidationError):
        services.update_recommendation(recommendation=recommendation, acting_user=pakar, text="Teks lain")


def test_admin_team_changes_obey_the_same_rule(client, dppkb, member, audit_round):
    services.move_stage(audit_round=audit_round, stage=AuditRound.Stage.SELEKSI_KASUS, acting_user=dppkb)
    client.force_login(dppkb)
    url = reverse("admin:audits_auditround_change", args=[audit_round.pk])
    team = list(audit_round.team.order_by("pk"))
    data = {
        "sk_number": audit_round.sk_number, "sk_date": "2024-02-12",
        "team-TOTAL_FORMS": len(team), "team-INITIAL_FORMS": len(team),
        "team-MIN_NUM_FORMS": 0, "team-MAX_NUM_FORMS": 1000,
        "stage_changes-TOTAL_FORMS": 0, "stage_changes-INITIAL_FORMS": 0,
        "stage_changes-MIN_NUM_FORMS": 0, "stage_changes-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for i, m in enumerate(team):
        data.update({f"team-{i}-id": m.pk, f"team-{i}-round": audit_round.pk, f"team-{i}-user": m.user_id,
                     f"team-{i}-part": m.part, f"team-{i}-expertise": m.expertise})  # fmt: skip
        if m.pk == member.pk:
            data[f"team-{i}-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200, response  # the form is shown again with the error
    assert "tim pakar" in response.content.decode().lower()
    assert AuditTeamMember.objects.filter(pk=member.pk).exists()
    services.move_stage(
        audit_round=audit_round, stage=AuditRound.Stage.PEMBENTUKAN_TIM, acting_user=dppkb, note="SK baru"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assert not AuditTeamMember.objects.filter(pk=member.pk).exists()
    assert AuditTeamMember.history.filter(id=member.pk, history_type="-").get().history_user == dppkb


def test_admin_recommendation_edit_goes_through_the_service(client, dppkb, recommendation):
    client.force_login(dppkb)
    url = reverse("admin:audits_recommendation_change", args=[recommendation.pk])
    response = client.post(url, _form(recommendation, text="Lewat admin"))
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text == "Lewat admin"
    assert recommendation.history.latest("history_date").history_user == dppkb
