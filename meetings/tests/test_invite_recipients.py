"""The invite page shows who receives each organisation's invitation, warns when nobody
would, and lets the DPPKB admin set the organisation's head or focal points from there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import Organisation, RoleAssignment
from portal.roles import Role


@pytest.fixture
def invite_url(kabupaten_rakor):
    return reverse("meetings:meeting-invite", args=[kabupaten_rakor.pk])


def _row(html: str, name: str) -> str:
    start = html.index(f">{name}</label>")
    return html[start : html.index("</li>", start)]


def test_each_organisation_shows_who_receives_its_invitation(client, dppkb, demo, invite_url, kapus):
    client.force_login(dppkb)
    html = client.get(invite_url).content.decode()
    assert "Fitriani" in _row(html, "Dinas Kesehatan Kabupaten Tapin")  # its focal point
    assert kapus.full_name in _row(html, "Puskesmas Tapin Utara")  # its head
    nobody = _row(html, "Dinas Sosial Kabupaten Tapin")
    assert 'data-testid="no-recipient"' in nobody
    dinsos = demo.orgs["dinsos"]
    assert reverse("portal:organisation-update", args=[dinsos.pk]) + f"?next={invite_url}" in nobody


def test_already_invited_organisations_show_their_recipients_or_a_warning(
    client, dppkb, demo, kabupaten_rakor, invite_url
):
    from meetings import services

    services.invite(
        meeting=kabupaten_rakor, organisations=[demo.orgs["dinsos"], demo.orgs["dinkes"]], acting_user=dppkb
    )
    client.force_login(dppkb)
    invited = client.get(invite_url).content.decode().split('data-testid="invited"')[1].split("</ul>")[0]
    assert invited.count('data-testid="no-recipient"') == 1 and "Fitriani" in invited


def test_a_camat_sees_the_recipients_but_no_link_to_change_them(client, camat_a, tapin_utara_rakor):
    client.force_login(camat_a)
    html = client.get(reverse("meetings:meeting-invite", args=[tapin_utara_rakor.pk])).content.decode()
    assert 'data-testid="recipients"' in html
    assert "/organisations/" not in html.split('data-testid="organisation-choices"')[1]


def test_the_dppkb_admin_sets_a_head_and_a_focal_point_and_returns_to_the_invite_page(
    client, dppkb, demo, invite_url, camat_b
):
    dinsos = demo.orgs["dinsos"]
    client.force_login(dppkb)
    url = reverse("portal:organisation-update", args=[dinsos.pk]) + f"?next={invite_url}"
    data = {
        "name": dinsos.name,
        "short_name": dinsos.short_name,
        "kind": dinsos.kind,
        "region": dinsos.region_id,
        "head": camat_b.pk,
        "focal_points": [demo.users["notulis"].pk],
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == invite_url
    dinsos.refresh_from_db()
    assert dinsos.head == camat_b
    assert list(dinsos.focal_points()) == [demo.users["notulis"]]
    assert dinsos.contacts() == [camat_b, demo.users["notulis"]]

    data["focal_points"] = []
    client.post(url, data)
    assert not RoleAssignment.objects.filter(role=Role.OPD_FOCAL, organisation=dinsos).exists()


def test_a_redirect_elsewhere_after_saving_an_organisation_is_refused(client, dppkb, demo):
    dinsos = demo.orgs["dinsos"]
    client.force_login(dppkb)
    url = reverse("portal:organisation-update", args=[dinsos.pk]) + "?next=https://evil.example/"
    data = {"name": dinsos.name, "kind": dinsos.kind, "region": dinsos.region_id}
    response = client.post(url, data)
    assert response["Location"] == dinsos.get_absolute_url()


def test_a_head_from_another_kabupaten_is_refused(client, dppkb, demo):
    from trainings.tests.factories import person

    stranger = person("camat.lain", region="63.01.01")
    dinsos = demo.orgs["dinsos"]
    client.force_login(dppkb)
    data = {"name": dinsos.name, "kind": dinsos.kind, "region": dinsos.region_id, "head": stranger.pk}
    response = client.post(reverse("portal:organisation-update", args=[dinsos.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors["head"]
    assert Organisation.objects.get(pk=dinsos.pk).head_id is None


def test_the_organisation_page_shows_its_head_and_focal_points(client, dppkb, demo, kapus):
    client.force_login(dppkb)
    html = client.get(demo.orgs["pkm_tapinutara"].get_absolute_url()).content.decode()
    assert kapus.full_name in html.split('data-testid="organisation-head"')[1].split("</dd>")[0]
    html = client.get(demo.orgs["dinkes"].get_absolute_url()).content.decode()
    assert "Fitriani" in html.split('data-testid="organisation-focal-points"')[1].split("</dd>")[0]
    html = client.get(demo.orgs["dinsos"].get_absolute_url()).content.decode()
    assert 'data-testid="no-contact"' in html


def test_in_the_demo_every_organisation_of_a_demo_account_has_its_head(demo):
    from portal.demo import ACCOUNTS

    for username, *_rest in ACCOUNTS:
        organisation = demo.users[username].organisation
        assert organisation.head is not None, organisation
