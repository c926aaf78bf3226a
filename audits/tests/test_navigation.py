"""The audits app's menu entry (declared in audits/apps.py) and its login wall."""

from django.urls import reverse


def test_the_case_audits_entry_shows_for_dppkb_and_not_for_a_camat(client, dppkb, camat_a):
    client.force_login(dppkb)
    dppkb_nav = [item["key"] for item in client.get(reverse("portal:dashboard")).context["nav_items"]]
    client.force_login(camat_a)
    camat_nav = [item["key"] for item in client.get(reverse("portal:dashboard")).context["nav_items"]]

    assert "audits" in dppkb_nav and "admin" in dppkb_nav
    assert "audits" not in camat_nav and "admin" not in camat_nav


def test_the_audits_page_needs_a_login(client, demo):
    response = client.get(reverse("audits:index"))

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_new_team_member_sees_the_case_audits_entry_on_the_next_request(client, camat_a, audit_round):
    from audits.models import AuditTeamMember

    def nav() -> list[str]:
        return [item["key"] for item in client.get(reverse("portal:dashboard")).context["nav_items"]]

    client.force_login(camat_a)
    assert "audits" not in nav()

    member = AuditTeamMember.objects.create(
        round=audit_round, user=camat_a, part=AuditTeamMember.Part.TIM_PAKAR
    )
    assert "audits" in nav()

    member.delete()
    assert "audits" not in nav()
