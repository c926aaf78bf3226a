"""Round pages: team, linked meetings, recommendations from the portal, the dashboard card and
the message an organisation gets when its recommendation is adopted."""

from datetime import date

import pytest
from django.urls import reverse

from audits import services
from audits.models import AuditTeamMember, Recommendation
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory
from portal.models import Notification
from portal.notifications.rendering import render
from portal.registry import dashboard_cards, nav_entries

from .factories import make_case

pytestmark = pytest.mark.django_db


def test_the_dppkb_admin_adds_a_team_member_from_the_round_page(client, audit_round, dppkb, dinkes):
    client.force_login(dppkb)
    response = client.post(
        reverse("audits:team-add", args=[audit_round.pk]),
        {"user": dinkes.pk, "part": "tim_teknis", "expertise": "Ahli gizi"},
    )
    assert response.status_code == 302
    member = AuditTeamMember.objects.get(user=dinkes)
    assert (member.round, member.part, member.expertise) == (audit_round, "tim_teknis", "Ahli gizi")
    assert audit_round.can_fill_cases(dinkes)


def test_the_team_is_not_changed_by_others(client, audit_round, pakar, dinkes):
    client.force_login(pakar)
    response = client.post(
        reverse("audits:team-add", args=[audit_round.pk]), {"user": dinkes.pk, "part": "tim_pakar"}
    )
    assert response.status_code == 403
    assert not AuditTeamMember.objects.filter(user=dinkes).exists()


def test_the_round_links_its_konferensi_and_diseminasi(client, audit_round, dppkb):
    konferensi = MeetingFactory(
        kind=Meeting.Kind.KONFERENSI_PAKAR, region_id="63.05", title="Konferensi Pakar"
    )
    rakor = MeetingFactory(kind=Meeting.Kind.RAKOR, region_id="63.05")
    client.force_login(dppkb)
    url = reverse("audits:round-edit", args=[audit_round.pk])
    response = client.post(
        url, {"sk_number": "188/9/2024", "sk_date": "2024-02-12", "meetings": [konferensi.pk]}
    )
    assert response.status_code == 302
    assert list(audit_round.meetings.all()) == [konferensi]
    response = client.post(url, {"sk_number": "188/9/2024", "meetings": [rakor.pk]})
    assert response.status_code == 200  # a rakor is not a round meeting
    assert list(audit_round.meetings.all()) == [konferensi]
    assert "Konferensi Pakar" in client.get(audit_round.get_absolute_url()).content.decode()


def test_the_tim_pakar_writes_a_recommendation_for_a_case(client, audit_round, teknis, pakar, demo):
    case = make_case(audit_round, teknis)
    client.force_login(pakar)
    url = reverse("audits:recommendation-create", args=[audit_round.pk])
    assert client.get(f"{url}?case={case.pk}").status_code == 200
    response = client.post(
        url,
        {"case": case.pk, "text": "PMT lokal", "intervention_type": "spesifik", "owner": demo.orgs["dinkes"].pk,
         "priority": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    recommendation = Recommendation.objects.get()
    assert (recommendation.case, recommendation.created_by, recommendation.owner) == (
        case,
        pakar,
        demo.orgs["dinkes"],
    )


def test_the_dashboard_card_and_menu_show_audits_to_those_who_see_a_round(
    audit_round, dppkb, camat_a, outsider
):
    assert any(card["template"] == "audits/_dashboard_card.html" for card in dashboard_cards(dppkb))
    assert any(entry.key == "audits" for entry in nav_entries(dppkb))
    # A camat reaches the aggregates of the kecamatan from the card, not the menu.
    assert any(card["template"] == "audits/_dashboard_card.html" for card in dashboard_cards(camat_a))
    assert not any(entry.key == "audits" for entry in nav_entries(camat_a))
    assert not any(
        card.get("template") == "audits/_dashboard_card.html" for card in dashboard_cards(outsider)
    )
    assert not any(entry.key == "audits" for entry in nav_entries(outsider))


def test_the_dashboard_page_renders_the_audits_card(client, audit_round, dppkb):
    client.force_login(dppkb)
    html = client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-testid="audits-card"' in html and str(audit_round) in html


def test_the_adoption_message_names_the_round_and_meeting(audit_round, teknis, pakar, notulis, dinkes, demo):
    recommendation = services.add_recommendation(
        audit_round=audit_round, acting_user=pakar, case=make_case(audit_round, teknis), text="PMT lokal",
        intervention_type="spesifik", owner=demo.orgs["dinkes"],
    )  # fmt: skip
    rakor = MeetingFactory(kind=Meeting.Kind.RAKOR, region_id="63.05", title="Rakor Evaluasi AKS")
    services.adopt_recommendations(
        meeting=rakor,
        adoptions=[{"recommendation": recommendation, "due_date": date(2030, 1, 1)}],
        acting_user=notulis,
    )
    email = Notification.objects.get(recipient=dinkes, channel=Notification.Channel.EMAIL)
    rendered = render(email)
    assert "PMT lokal" in rendered.subject
    assert "Rakor Evaluasi AKS" in rendered.text and str(audit_round) in rendered.text
