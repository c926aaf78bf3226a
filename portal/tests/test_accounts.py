import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_password_reset_by_email_lets_the_user_choose_a_new_password(client, camat_a):
    response = client.post(reverse("password_reset"), {"email": "camat.tapinutara@tapin.example"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["camat.tapinutara@tapin.example"]
    assert "Atur ulang kata sandi" in message.subject
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    new = "Stunting-Turun-2026"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert done.status_code == 302
    camat_a.refresh_from_db()
    assert camat_a.check_password(new)


def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client, demo):
    response = client.post(reverse("password_reset"), {"email": "tidak.ada@tapin.example"}, follow=True)

    assert response.status_code == 200
    assert mail.outbox == []


def test_repeated_wrong_passwords_lock_the_login(client, camat_a, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "camat.tapinutara", "password": "salah"})

    response = client.post(reverse("login"), {"username": "camat.tapinutara", "password": "tapin2024"})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_pages_need_a_login(client, demo):
    for url in ("/", "/organisations/", "/regions/63.05/", "/notifications/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url
