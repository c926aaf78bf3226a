"""Throttling of password resets (django-ratelimit) and of logins (django-axes), keyed on the
real client address also behind the reverse proxy (TRUSTED_PROXY_COUNT)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.proxies import client_ip

pytestmark = pytest.mark.django_db


def test_password_reset_is_throttled_per_address(client, settings, camat_a):
    settings.PASSWORD_RESET_RATE = "2/h"
    url = reverse("password_reset")

    statuses = [client.post(url, {"email": camat_a.email}).status_code for _ in range(4)]

    assert statuses == [302, 302, 429, 429]
    assert len(mail.outbox) == 2


def test_password_reset_is_throttled_per_email_whatever_the_client_address(client, settings, camat_a):
    settings.PASSWORD_RESET_RATE = "2/h"
    url = reverse("password_reset")

    for n in range(4):
        client.post(url, {"email": camat_a.email.upper()}, REMOTE_ADDR=f"198.51.100.{n}")

    assert len(mail.outbox) == 2
    response = client.post(url, {"email": camat_a.email}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 429
    assert "Terlalu banyak" in response.content.decode()


def test_a_throttled_address_does_not_stop_someone_else(client, settings, camat_a, camat_b):
    settings.PASSWORD_RESET_RATE = "1/h"
    url = reverse("password_reset")
    client.post(url, {"email": camat_a.email}, REMOTE_ADDR="198.51.100.1")

    response = client.post(url, {"email": camat_b.email}, REMOTE_ADDR="198.51.100.2")

    assert response.status_code == 302 and len(mail.outbox) == 2


def behind_proxy(forwarded_for: str) -> Client:
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)


def test_two_people_behind_the_proxy_do_not_lock_each_other_out(settings, camat_a):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    attacker, colleague = behind_proxy("203.0.113.7"), behind_proxy("203.0.113.8")
    login = reverse("login")
    for _ in range(3):
        attacker.post(login, {"username": camat_a.username, "password": "salah"})

    locked = attacker.post(login, {"username": camat_a.username, "password": "tapin2024"})
    response = colleague.post(login, {"username": camat_a.username, "password": "tapin2024"})

    assert locked.status_code == 429
    assert response.status_code == 302 and colleague.session["_auth_user_id"] == str(camat_a.pk)


def test_a_forged_forwarded_for_does_not_escape_the_lock(settings, camat_a):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    login = reverse("login")
    for n in range(3):
        # The client prepends a different address each time; nginx appends the real one.
        behind_proxy(f"10.9.9.{n}, 203.0.113.7").post(
            login, {"username": camat_a.username, "password": "salah"}
        )

    response = behind_proxy("10.9.9.99, 203.0.113.7").post(
        login, {"username": camat_a.username, "password": "tapin2024"}
    )

    assert response.status_code == 429


@pytest.mark.parametrize(
    ("count", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}, "127.0.0.1"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}, "203.0.113.7"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7"}, "203.0.113.7"),
        (2, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7, 10.0.0.2"}, "203.0.113.7"),
        (1, {"REMOTE_ADDR": "127.0.0.1"}, "127.0.0.1"),
    ],
)
def test_the_client_address_is_read_from_the_trusted_hops_only(rf, settings, count, meta, expected):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_ip(rf.get("/", **meta)) == expected
