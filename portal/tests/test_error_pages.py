"""Branded error pages: the portal's look and menu, in the person's language."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.registry import nav_entries

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_branded_with_the_menu_in_indonesian(client, camat_a):
    client.force_login(camat_a)

    response = client.get("/organisations/999999/")

    body = response.content.decode()
    menu = [entry.url for entry in nav_entries(camat_a)]
    assert response.status_code == 404
    assert 'data-testid="error-page"' in body and "Halaman tidak ditemukan" in body
    assert menu and 'aria-label="Navigasi utama"' in body and all(f'href="{url}"' in body for url in menu)
    assert camat_a.get_full_name() in body


def test_a_missing_page_speaks_the_chosen_language(client):
    client.cookies["django_language"] = "en"

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'lang="en"' in response.content.decode()


def test_a_server_error_is_branded_with_the_menu_and_shows_no_traceback(settings, camat_a):
    settings.ROOT_URLCONF = "portal.tests.urls_boom"
    client = Client(raise_request_exception=False)
    client.force_login(camat_a)

    response = client.get("/boom/")

    body = response.content.decode()
    assert response.status_code == 500
    assert "Terjadi kesalahan" in body and camat_a.get_full_name() in body
    assert "Traceback" not in body and "RuntimeError" not in body


def test_the_project_uses_the_branded_500_view():
    from portal import urls

    assert urls.handler500 == "portal.errors.server_error"
