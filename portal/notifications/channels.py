"""Channels: how a rendered notification reaches a person.

A channel has a `name` (a Notification.Channel value) and `send(notification,
rendered) -> provider message id`, raising on failure. Rules never know about
channels; adding a WhatsApp Business or SMS gateway later means one new class
here, one Channel choice, and nothing else.

WhatsApp today is not a sending channel: every notification carries a short
share text and a wa.me link (`Notification.wa_link`) shown in the portal, so a
secretariat forwards it to the group in one tap. No gateway is faked.
"""

from __future__ import annotations

from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from ..models import Notification
from .rendering import Rendered


class Channel:
    name: str = ""

    def send(self, notification: Notification, rendered: Rendered, connection=None) -> str:
        """`connection`: a callable giving an open mail connection to reuse (a batch's)."""
        raise NotImplementedError


class EmailChannel(Channel):
    name = Notification.Channel.EMAIL

    def send(self, notification: Notification, rendered: Rendered, connection=None) -> str:
        domain = urlsplit(settings.SITE_URL).hostname or "portal-tpps.local"
        message_id = make_msgid(domain=domain)
        headers = {"Message-ID": message_id, "X-Portal-Notification": str(notification.pk)}
        backend = connection() if connection else get_connection(timeout=settings.EMAIL_TIMEOUT)
        if self.message(notification, rendered, headers, backend).send() != 1:
            raise RuntimeError("the mail backend accepted no message")
        return message_id

    def message(self, notification: Notification, rendered: Rendered, headers: dict, backend=None):
        """The message as Django builds it."""
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.text,
            to=[notification.recipient.email],
            headers=headers,
            connection=backend,
        )
        if rendered.html:
            message.attach_alternative(rendered.html, "text/html")
        for filename, content, mimetype in rendered.attachments:
            message.attach(filename, content, mimetype)
        return message


class InAppChannel(Channel):
    """Delivery is the row itself: once sent, it is in the person's notification list."""

    name = Notification.Channel.INAPP

    def send(self, notification: Notification, rendered: Rendered, connection=None) -> str:
        return f"inapp:{notification.pk}"


CHANNELS: dict[str, Channel] = {channel.name: channel for channel in (EmailChannel(), InAppChannel())}


def channel_for(notification: Notification) -> Channel:
    return CHANNELS[notification.channel]
