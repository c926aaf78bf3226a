"""Render a notification from its templates, in the recipient's language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import NoReverseMatch
from django.utils import translation

from ..models import Notification
from ..tokens import redact, resolve_links


@dataclass
class Rendered:
    subject: str
    text: str
    html: str = ""
    share_text: str = ""
    url: str = ""
    inapp_text: str = ""
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


def absolute_url(notification: Notification) -> str:
    path = notification.context.get("url") or ""
    source = notification.source
    if not path and source is not None and hasattr(source, "get_absolute_url"):
        try:
            path = source.get_absolute_url()
        except NoReverseMatch:  # the source's page does not exist (yet): send without a link
            path = ""
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL}{path}"


def _plain(template: str, context: dict) -> str:
    """A text template rendered as plain text: no HTML escaping (`&quot;`) in a text part."""
    return get_template(template).template.render(Context(context, autoescape=False)).strip()


def _optional(template: str, context: dict, *, plain: bool = False) -> str:
    try:
        return _plain(template, context) if plain else render_to_string(template, context).strip()
    except TemplateDoesNotExist:
        return ""


URL = re.compile(r"https?://\S+")


def without_links(text: str) -> str:
    """The text for the in-app list: the portal shows links as buttons, never as long raw URLs.

    A line carrying a URL is dropped, and so is a label line ("Answer with one tap:") left
    with nothing under it."""
    lines = [line for line in text.splitlines() if not URL.search(line)]
    kept: list[str] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.rstrip().endswith(":") and not following.strip():
            continue
        if not line.strip() and (not kept or not kept[-1].strip()):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def render(notification: Notification, link_objects: dict | None = None) -> Rendered:
    """Subject, text, HTML and WhatsApp share text, from `templates/emails/<rule>_*`.
    `link_objects`: the one-tap links' objects, loaded for a whole batch (`link_objects`)."""
    with translation.override(notification.recipient.language or settings.LANGUAGE_CODE):
        url = absolute_url(notification)
        # One-tap links are made here, for this recipient only; the stored context holds
        # markers without any secret (portal.tokens).
        context = {
            **resolve_links(notification.context, notification.recipient, link_objects),
            "recipient": notification.recipient,
            "source": notification.source,
            "notification": notification,
            "site_url": settings.SITE_URL,
            "link": url,
        }
        name = f"emails/{notification.rule_name}"
        subject = " ".join(_plain(f"{name}_subject.txt", context).split())
        text = _plain(f"{name}_body.txt", context)
        html = _optional(f"{name}_body.html", context)
        share = _optional(f"{name}_share.txt", context, plain=True) or "\n".join(
            part for part in (subject, url) if part
        )
    source = notification.source
    attachments = []
    if source is not None and hasattr(source, "email_attachments"):
        attachments = list(source.email_attachments(notification))
    return Rendered(
        subject=subject,
        text=text,
        html=html,
        share_text=share,
        url=url,
        inapp_text=without_links(text),
        attachments=attachments,
    )


def stored_copy(rendered: Rendered, *, inapp: bool = False) -> dict:
    """What the outbox keeps of a sent message: the text with its one-tap tokens redacted,
    so that reading the outbox never lets anyone act as the recipient. The in-app list shows
    the text without raw links (its actions are buttons)."""
    return {
        "title": redact(rendered.subject)[:255],
        "body": redact(rendered.inapp_text if inapp else rendered.text),
        "share_text": redact(rendered.share_text),
        "url": redact(rendered.url)[:500],
    }
