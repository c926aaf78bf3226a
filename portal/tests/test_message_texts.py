"""The core's own messages (test message, daily digest), and the guard that every message
template under templates/emails/ is rendered from real objects by some app's
`tests/test_message_texts.py` (which lists what it covers in `COVERED_RULES`)."""

from __future__ import annotations

import importlib
import importlib.util
from datetime import time
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from portal.notifications import engine, notify

from .message_checks import check_message, rows

COVERED_RULES = {"test_message", "digest"}
EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"


def template_rules() -> set[str]:
    names = set()
    for path in EMAILS.glob("*.*"):
        if path.name.startswith("_"):
            continue  # partials
        for suffix in ("_subject.txt", "_body.txt", "_body.html", "_share.txt"):
            if path.name.endswith(suffix):
                names.add(path.name.removesuffix(suffix))
                break
        else:
            raise AssertionError(f"{path.name}: not a message template name (<rule>_subject.txt, ...)")
    return names


def covered_rules() -> set[str]:
    covered = set()
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(settings.BASE_DIR) or ".venv" in Path(config.path).parts:
            continue  # Django's and third-party apps
        name = f"{config.name}.tests.test_message_texts"
        if importlib.util.find_spec(name):
            covered |= importlib.import_module(name).COVERED_RULES
    return covered


def test_every_message_template_is_rendered_from_real_objects_by_a_test():
    missing = template_rules() - covered_rules()
    assert missing == set(), f"message templates without a rendering test: {sorted(missing)}"
    assert covered_rules() - template_rules() == set()


def test_every_message_has_a_subject_and_a_text_template():
    for rule in template_rules():
        assert (EMAILS / f"{rule}_subject.txt").exists() and (EMAILS / f"{rule}_body.txt").exists(), rule


@pytest.fixture
def reader(camat_a):
    camat_a.notification_digest = True
    camat_a.save()
    return camat_a


def test_the_test_message_links_to_the_notifications_page(client, camat_a, reminder_settings):
    client.force_login(camat_a)
    client.post(reverse("portal:notification-test"))
    check_message(rows("test_message", camat_a), name=camat_a.full_name, subject_name="Portal TPPS")


def test_the_daily_digest_lists_each_reminder_with_its_link(reader, reminder_settings):
    reminder_settings.digest_time = time(0, 0)
    reminder_settings.save()
    notify(
        rule="test_message:held",
        recipients=[reader],
        context={"url": reverse("portal:notification-list")},
        digestible=True,
    )
    engine.dispatch()
    assert engine.send_digests() == 1
    (digest,) = rows("digest:", reader)
    (item,) = digest.context["items"]
    check_message([digest], name=item["title"], subject_name="Portal TPPS")
