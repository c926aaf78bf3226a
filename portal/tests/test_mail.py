"""The SMTP backend (portal.mail): the bytes Django would write, sent to a real SMTP server."""

from __future__ import annotations

from email._policybase import compat32

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.functional import lazystr
from hypothesis import given, settings
from hypothesis import strategies as st

from portal import mail

NAMES = st.sampled_from(["To", "From", "Subject", "Message-ID", "X-Portal-Notification", "Content-Type"])
WORDS = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=30)


@settings(max_examples=600, deadline=None)
@given(name=NAMES, value=st.one_of(st.text(max_size=120), st.lists(WORDS, max_size=8).map(" ".join)))
def test_a_header_is_written_as_compat32_writes_it(name, value):
    assert mail.POLICY.fold_binary(name, value) == compat32.fold_binary(name, value)
    assert mail.POLICY.clone(linesep="\r\n").fold(name, value) == compat32.clone(linesep="\r\n").fold(
        name, value
    )


def test_only_short_plain_values_skip_the_folding():
    fast = mail.POLICY.fold_binary
    assert (
        fast("Subject", "Rakor TPPS Kecamatan Tapin Utara") == b"Subject: Rakor TPPS Kecamatan Tapin Utara\n"
    )
    long = "rakor " * 20
    assert fast("Subject", long) == compat32.fold_binary("Subject", long)
    assert b"\n " in fast("Subject", long)  # folded onto a continuation line
    assert fast("Subject", "Undangan Rakor – Mei") == compat32.fold_binary("Subject", "Undangan Rakor – Mei")


def _message(subject="Undangan rakor: Komitmen ✓ (RTL)") -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body="Halo Ani,\n\nRakor TPPS besok pukul 09.00 WITA.\n" + "baris panjang " * 100,
        from_email="Sekretariat TPPS Tapin <noreply@portal-tpps.local>",
        to=["Ani Rahmawati <ani@example.org>", "budi@example.org"],
        cc=["Camat Tapin Utara <camat@example.org>"],
        headers={"X-Portal-Notification": "42", "Message-ID": "<1.2@portal-tpps.local>"},
    )
    message.attach_alternative("<p>Halo Ani, <b>rakor</b> besok.</p>", "text/html")
    message.attach("undangan.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    return message


@pytest.mark.parametrize("subject", ["Undangan rakor: Komitmen ✓ (RTL)", "Rakor", "rakor " * 30])
def test_a_message_is_written_byte_for_byte_as_django_writes_it(subject):
    built = _message(subject).message()
    for number, part in enumerate(part for part in built.walk() if part.is_multipart()):
        part.set_boundary(f"fixed-{number}")  # Django and the backend pick their own otherwise
    assert mail.as_bytes(built) == built.as_bytes(linesep="\r\n")


def test_each_multipart_gets_a_boundary_found_in_none_of_its_parts():
    import email

    written = mail.as_bytes(_message().message())
    parsed = email.message_from_bytes(written)
    boundaries = [part.get_boundary() for part in parsed.walk() if part.is_multipart()]
    assert len(boundaries) == len(set(boundaries)) == 2
    leaves = [part for part in parsed.walk() if not part.is_multipart()]
    assert [part.get_content_type() for part in leaves] == ["text/plain", "text/html", "text/calendar"]
    for part in leaves:
        assert not any(boundary in part.get_payload() for boundary in boundaries)


def test_the_backend_sends_to_a_real_smtp_server(smtp_server):
    connection = get_connection(
        "portal.mail.EmailBackend", host="127.0.0.1", port=smtp_server.port, use_tls=False, timeout=5
    )
    messages = [_message(), _message("Rakor kedua")]
    for message in messages:
        message.connection = connection
    assert connection.send_messages(messages) == 2

    first, second = smtp_server.messages
    assert str(first["Subject"]).startswith("=?utf-8?")  # encoded by the standard library
    assert first["To"] == "Ani Rahmawati <ani@example.org>, budi@example.org"
    assert second["Subject"] == "Rakor kedua"
    texts = [part for part in first.walk() if part.get_content_type() == "text/plain"]
    assert "Rakor TPPS besok pukul 09.00 WITA." in texts[0].get_payload(decode=True).decode()


def test_addresses_are_still_checked_and_lazy_ones_accepted(smtp_server):
    connection = get_connection("portal.mail.EmailBackend", host="127.0.0.1", port=smtp_server.port)
    bad = EmailMultiAlternatives(subject="x", body="x", to=["ani@example.org\nBcc: x@example.org"])
    bad.connection = connection
    with pytest.raises(ValueError, match="Invalid address"):
        bad.send()

    lazy = EmailMultiAlternatives(
        subject="x", body="x", to=["budi@example.org"], from_email=lazystr("a@b.id")
    )
    lazy.connection = connection
    assert lazy.send() == 1
    assert smtp_server.messages[-1]["From"] == "a@b.id"
