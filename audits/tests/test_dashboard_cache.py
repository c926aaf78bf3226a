"""The audits card is cached per scope (portal.dashboard): a new recommendation or team member
shows at once, and a person's team rounds never reach another's card."""

import pytest
from django.urls import reverse

from audits import services
from audits.models import AuditTeamMember

from .factories import make_case

pytestmark = pytest.mark.django_db


def card(client) -> dict | None:
    response = client.get(reverse("portal:dashboard"))
    return next(
        (c for c in response.context["cards"] if c["template"] == "audits/_dashboard_card.html"), None
    )


def test_a_new_recommendation_is_counted_at_once(client, audit_round, dppkb, pakar, teknis, demo):
    client.force_login(dppkb)
    card(client)
    assert card(client)["recommendations"] == 0

    services.add_recommendation(
        audit_round=audit_round,
        acting_user=pakar,
        case=make_case(audit_round, teknis),
        text="PMT lokal",
        intervention_type="spesifik",
        owner=demo.orgs["dinkes"],
        priority=1,
    )

    assert card(client)["recommendations"] == 1


def test_a_team_member_sees_the_round_at_once_and_only_they_do(client, audit_round, dppkb, outsider, demo):
    other = type(outsider).objects.create_user("other", full_name="Orang Lain")
    for user in (outsider, other):
        client.force_login(user)
        assert card(client) is None

    services.add_team_member(
        audit_round=audit_round, user=outsider, part=AuditTeamMember.Part.TIM_TEKNIS, acting_user=dppkb
    )

    client.force_login(outsider)
    assert [r.pk for r in card(client)["rounds"]] == [audit_round.pk]
    client.force_login(other)
    assert card(client) is None
    member = AuditTeamMember.objects.get(user=outsider)
    services.remove_team_member(member=member, acting_user=dppkb, reason="Pindah tugas")
    client.force_login(outsider)
    assert card(client) is None
