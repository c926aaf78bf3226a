"""Render a notification from its templates, in the recipient's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
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


def _optional(template: str, context: dict) -> str:
    try:
        return render_to_string(template, context).strip()
    except TemplateDoesNotExist:
        return ""


def render(notification: Notification) -> Rendered:
    """Subject, text, HTML and WhatsApp share text, from `templates/emails/<rule>_*`."""
    with translation.override(notification.recipient.language or settings.LANGUAGE_CODE):
        url = absolute_url(notification)
        # One-tap links are made here, for this recipient only; the stored context holds
        # markers without any secret (portal.tokens).
        context = {
            **resolve_links(notification.context, notification.recipient),
            "recipient": notification.recipient,
            "source": notification.source,
            "notification": notification,
            "site_url": settings.SITE_URL,
            "link": url,
        }
        name = f"emails/{notification.rule_name}"
        subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
        text = render_to_string(f"{name}_body.txt", context).strip()
        html = _optional(f"{name}_body.html", context)
        share = _optional(f"{name}_share.txt", context) or "\n".join(part for part in (subject, url) if part)
    source = notification.source
    attachments = []
    if source is not None and hasattr(source, "email_attachments"):
        attachments = list(source.email_attachments(notification))
    return Rendered(subject=subject, text=text, html=html, share_text=share, url=url, attachments=attachments)


def stored_copy(rendered: Rendered) -> dict:
    """What the outbox keeps of a sent message: the text with its one-tap tokens redacted,
    so that reading the outbox never lets anyone act as the recipient."""
    return {
        "title": redact(rendered.subject)[:255],
        "body": redact(rendered.text),
        "share_text": redact(rendered.share_text),
        "url": redact(rendered.url)[:500],
    }
