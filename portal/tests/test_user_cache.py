"""A user's roles and permissions come from the shared cache between requests
(portal.usercache), and every change to them shows on the very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Region, RoleAssignment, User
from portal.roles import Role

pytestmark = pytest.mark.django_db

RIGHTS_TABLES = ('"portal_roleassignment"', '"auth_permission"')


def rights_queries(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    return len(sql), [s for s in sql if any(table in s.split(" WHERE ")[0] for table in RIGHTS_TABLES)]


def menu_keys(client) -> set[str]:
    response = client.get(reverse("portal:notification-list"))
    return {item["key"] for item in response.context["nav_items"]}


def test_a_light_page_reads_no_roles_or_permissions_once_cached(client, dppkb):
    client.force_login(dppkb)
    url = reverse("portal:notification-list")
    client.get(url)

    count, rights = rights_queries(client, url)

    assert rights == []
    # Session, user and the page's own rows (an empty inbox: no paging count); the unread
    # count is cached too (portal.inbox).
    assert count == 3


def test_the_query_count_does_not_grow_with_the_number_of_roles(client, dppkb):
    client.force_login(dppkb)
    url = reverse("portal:notification-list")
    client.get(url)
    before, _ = rights_queries(client, url)
    for code in ("63.05.01", "63.05.02", "63.05.03"):
        RoleAssignment.objects.create(user=dppkb, role=Role.CAMAT, region=Region.objects.get(code=code))
    client.get(url)

    after, rights = rights_queries(client, url)

    assert (after, rights) == (before, [])


def test_a_new_role_shows_its_menu_on_the_next_request(client, outsider):
    client.force_login(outsider)
    assert "organisations" not in menu_keys(client)

    RoleAssignment.objects.create(
        user=outsider, role=Role.DPPKB_ADMIN, region=Region.objects.get(code="63.05")
    )

    assert "organisations" in menu_keys(client)


def test_a_removed_role_hides_its_menu_and_data_on_the_next_request(client, camat_a):
    client.force_login(camat_a)
    tapin_utara = reverse("portal:region-detail", args=["63.05.04"])
    assert "organisations" in menu_keys(client)
    assert client.get(tapin_utara).status_code == 200

    camat_a.roles.all().delete()

    assert "organisations" not in menu_keys(client)
    assert client.get(tapin_utara).status_code == 404


def test_a_moved_role_changes_the_region_scope_on_the_next_request(client, camat_a):
    client.force_login(camat_a)
    binuang = reverse("portal:region-detail", args=["63.05.01"])
    assert client.get(binuang).status_code == 404

    assignment = camat_a.roles.get(role=Role.CAMAT)
    assignment.region = Region.objects.get(code="63.05.01")
    assignment.save()

    assert client.get(binuang).status_code == 200
    assert client.get(reverse("portal:region-detail", args=["63.05.04"])).status_code == 404


def test_a_permission_taken_from_the_role_group_hides_the_menu_on_the_next_request(client, camat_a):
    client.force_login(camat_a)
    assert "organisations" in menu_keys(client)

    permission = Permission.objects.get(content_type__app_label="portal", codename="view_organisation")
    Group.objects.get(name=Role.CAMAT).permissions.remove(permission)

    assert "organisations" not in menu_keys(client)


def test_a_permission_given_to_the_user_shows_on_the_next_request(client, outsider):
    client.force_login(outsider)
    assert "organisations" not in menu_keys(client)

    outsider.user_permissions.add(
        Permission.objects.get(content_type__app_label="portal", codename="view_organisation")
    )

    assert "organisations" in menu_keys(client)


def test_a_renamed_organisation_is_not_served_from_the_cache(dinkes, demo):
    User.objects.get(pk=dinkes.pk).role_assignments()  # cached
    organisation = demo.orgs["dinkes"]
    organisation.name = "Dinas Kesehatan Baru"
    organisation.save()

    names = {a.organisation.name for a in User.objects.get(pk=dinkes.pk).role_assignments() if a.organisation}

    assert names == {"Dinas Kesehatan Baru"}


def test_a_user_made_superuser_gets_every_permission_on_the_next_request(client, outsider):
    client.force_login(outsider)
    assert "organisations" not in menu_keys(client)

    User.objects.filter(pk=outsider.pk).update(is_superuser=True)  # no signal: the row says so

    assert "organisations" in menu_keys(client)


def test_without_the_cache_rights_come_from_the_database_each_time(client, dppkb, settings):
    settings.USER_CACHE_SECONDS = 0
    client.force_login(dppkb)
    url = reverse("portal:notification-list")
    client.get(url)

    _, rights = rights_queries(client, url)

    assert len(rights) == 2  # the roles, the permissions (one UNION)
