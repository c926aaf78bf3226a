"""What every message must carry, checked on real outbox rows rendered in both languages.

Each app's `tests/test_message_texts.py` builds its messages from real objects through the
code that sends them, calls `check_message` for each, and lists the rules it covers in
`COVERED_RULES`; `portal/tests/test_message_texts.py` fails when a template under
`templates/emails/` belongs to no covered rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from html import escape
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.dates import MONTHS

from portal.models import Notification
from portal.notifications.actions import actions_for
from portal.notifications.channels import EmailChannel
from portal.notifications.rendering import Rendered, render

URL = re.compile(r"https?://[^\s\"'<>]+")
ENTITIES = ("&quot;", "&#x27;", "&#39;", "&amp;", "&lt;", "&gt;")
# A name with the characters HTML escaping would turn into entities in a text part.
TRICKY = '"Gerak Cepat" & Kader\'s'


def rows(rule_prefix: str, recipient=None) -> list[Notification]:
    qs = Notification.objects.filter(rule__startswith=rule_prefix)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    return list(qs.order_by("channel", "pk"))


BOUNDARY = re.compile(rb"={15}\d{19}==(?:\.\d+)?")
DATE = re.compile(rb"^Date: [^\r\n]*\r\n", re.MULTILINE)


def comparable(message: bytes) -> bytes:
    """An e-mail's bytes without what differs between two sends of it: the Date and the
    random MIME boundaries (numbered in the order they appear)."""
    names: dict[bytes, bytes] = {}
    message = BOUNDARY.sub(lambda m: names.setdefault(m[0], b"BOUNDARY-%d" % len(names)), message)
    return DATE.sub(b"Date: -\r\n", message)


def check_email_bytes(row: Notification, rendered: Rendered) -> None:
    """The dispatcher's fast e-mail (`portal.notifications.mime`) is Django's, byte for byte."""
    channel = EmailChannel()
    headers = {"Message-ID": "<1.2.3@portal-tpps.local>", "X-Portal-Notification": str(row.pk)}
    fast = channel.message_bytes(row, rendered, headers)
    assert fast is not None, f"{row.rule}: not sent by the fast path"
    reference = channel.message(row, rendered, headers).message().as_bytes(linesep="\r\n")
    assert comparable(fast) == comparable(reference), row.rule


def _date_parts(day: date) -> list[str]:
    return [str(day.day), str(MONTHS[day.month]), str(day.year)]


def _portal_path(url: str) -> str:
    assert url.startswith(settings.SITE_URL), f"{url} does not start with SITE_URL {settings.SITE_URL}"
    return urlsplit(url).path


def _resolves(url: str) -> None:
    path = _portal_path(url)
    try:
        resolve(path)
    except Resolver404:
        raise AssertionError(f"{url} leads nowhere in the portal") from None


def check_message(
    notifications: Iterable[Notification],
    *,
    name: str,
    subject_name: str | None = None,
    dates: Iterable[date] = (),
    languages: Iterable[str] = ("id", "en"),
) -> dict[str, dict[str, Rendered]]:
    """Render each row in each language and check: the object's name and dates in every part,
    plain text parts (no HTML entities), an in-app text without raw URLs, links that lead
    to a portal page (the main link opens for the recipient), and an e-mail's bytes as the
    dispatcher writes them equal to Django's."""
    notifications = list(notifications)
    assert notifications, "no outbox row to check"
    dates = list(dates)
    seen: dict[str, dict[str, Rendered]] = {}
    for row in notifications:
        person = row.recipient
        for language in languages:
            person.language = language
            row.recipient = person
            rendered = render(row)
            seen.setdefault(row.channel, {})[language] = rendered
            if row.channel == Notification.Channel.EMAIL:
                check_email_bytes(row, rendered)
            where = f"{row.rule} ({row.channel}, {language})"
            plain = {
                "subject": rendered.subject,
                "text": rendered.text,
                "in-app": rendered.inapp_text,
                "share": rendered.share_text,
            }
            for part, value in plain.items():
                assert value.strip(), f"{where}: empty {part}"
                assert not any(e in value for e in ENTITIES), f"{where}: HTML entity in the {part}: {value}"
            assert "\n" not in rendered.subject, where
            expected = {"subject": subject_name or name, "text": name, "in-app": name}
            for part, wanted in expected.items():
                assert wanted in plain[part], f"{where}: {wanted!r} missing from the {part}: {plain[part]}"
            assert rendered.html, f"{where}: no HTML part"
            assert escape(name) in rendered.html, f"{where}: {name!r} missing from the HTML"
            with translation.override(language):
                for day in dates:
                    for piece in _date_parts(day):
                        for part, value in (("text", rendered.text), ("HTML", rendered.html)):
                            assert piece in value, f"{where}: date {day} ({piece}) missing from the {part}"
            assert not URL.search(rendered.inapp_text), f"{where}: raw URL in the in-app text"
            links = URL.findall(rendered.text)
            assert links, f"{where}: no link in the text"
            html_links = re.findall(r'href="([^"]+)"', rendered.html)
            assert html_links, f"{where}: no link in the HTML"
            for link in {*links, *html_links, *URL.findall(rendered.share_text)}:
                _resolves(link.replace("&amp;", "&"))
            assert URL.search(rendered.share_text), f"{where}: no link in the share text"
            for action in actions_for(row):
                resolve(urlsplit(action.url).path)
            main = rendered.url or links[0]
            client = Client()
            client.force_login(person)
            response = client.get(_portal_path(main))
            assert response.status_code == 200, f"{where}: {main} answers {response.status_code}"
    return seen
