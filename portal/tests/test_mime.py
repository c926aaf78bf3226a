"""`portal.notifications.mime` writes the bytes Django's EmailMultiAlternatives writes (but for
the Date and the random boundaries), or declines and leaves the message to Django. Every real
message template is compared in `message_checks.check_message`; here, the awkward cases."""

from __future__ import annotations

from email import policy

import pytest
from django.core.mail import EmailMultiAlternatives
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from portal.notifications import mime

from .message_checks import comparable

HEADERS = {"Message-ID": "<1.2.3@portal-tpps.local>", "X-Portal-Notification": "42"}
TEXT = "Halo Ani,\n\nRapat besok.\n\nhttp://127.0.0.1:8000/meetings/1/"
HTML = "<p>Halo Ani,</p>\n<p>Rapat besok.</p>"


def django_bytes(subject, text, html, to, attachments, from_email=None) -> bytes:
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], headers=HEADERS, from_email=from_email
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(*attachment)
    return message.message().as_bytes(linesep="\r\n")


def fast_bytes(subject, text, html, to, attachments, from_email) -> bytes | None:
    return mime.email_bytes(
        subject=subject,
        text=text,
        html=html,
        from_email=from_email,
        to=to,
        headers=HEADERS,
        attachments=attachments,
    )


CASES = {
    "plain": ("Portal TPPS: pesan uji", TEXT, HTML, "ani@example.org", []),
    "no html": ("Portal TPPS: pesan uji", TEXT, "", "ani@example.org", []),
    "non-ascii subject and text": (
        "Rapat “Gerak Cepat” – besok",
        TEXT + "\nSalam — tim ✓",
        HTML + "é",
        "ani@example.org",
        [],
    ),
    "long subject": (
        "Pengingat: komitmen " + "PMT balita di desa Bakarangan " * 5,
        TEXT,
        HTML,
        "ani@example.org",
        [],
    ),
    "long non-ascii subject": (
        "Pengingat – " + "rapat koordinasi percepatan é " * 6,
        TEXT,
        HTML,
        "ani@example.org",
        [],
    ),
    "spaces in subject": ("  two  spaces  ", TEXT, HTML, "ani@example.org", []),
    "crlf and cr in text": ("Subjek", "a\r\nb\rc\n\nd\n", "<p>x</p>\r\n", "ani@example.org", []),
    "idn recipient": ("Subjek", TEXT, HTML, "ani@bücher.example", []),
    "calendar attachment": (
        "Undangan",
        TEXT,
        HTML,
        "ani@example.org",
        [
            (
                "rapat-7.ics",
                b"BEGIN:VCALENDAR\r\nSUMMARY:Rapat \xe2\x80\x93 x\r\nEND:VCALENDAR\r\n",
                "text/calendar",
            )
        ],
    ),
    "attachment without html": (
        "Undangan",
        TEXT,
        "",
        "ani@example.org",
        [("a b.ics", "BEGIN:VCALENDAR", "text/calendar")],
    ),
}


@pytest.mark.parametrize(
    "from_email", ["Portal TPPS <noreply@portal-tpps.local>", "Portál TPPS – Tapin <noreply@tapin.example>"]
)
@pytest.mark.parametrize("case", list(CASES))
def test_the_fast_bytes_are_djangos(case, from_email, settings):
    settings.DEFAULT_FROM_EMAIL = from_email
    args = CASES[case]

    fast = fast_bytes(*args, from_email)

    assert fast is not None
    assert comparable(fast) == comparable(django_bytes(*args, from_email=from_email))


@pytest.mark.parametrize(
    "case",
    [
        ("Subjek", "x" * 999, HTML, "ani@example.org", []),  # quoted-printable in Django
        ("Subjek", TEXT, "<p>" + "é" * 600 + "</p>", "ani@example.org", []),
        ("Subjek", TEXT, HTML, "ani@example.org", [("undangan.pdf", b"%PDF-1.4", "application/pdf")]),
        ("Subjek", TEXT, HTML, "ani@example.org", [("undangan-é.ics", b"BEGIN", "text/calendar")]),
        ("Subjek", TEXT, HTML, "ani@example.org", [("x.ics", b"\xff\xfe", "text/calendar")]),
        ("Subjek", "", HTML, "ani@example.org", []),
    ],
)
def test_a_message_of_another_shape_is_left_to_django(case):
    assert fast_bytes(*case, "Portal TPPS <noreply@portal-tpps.local>") is None


@pytest.mark.filterwarnings("ignore")
def test_the_envelope_addresses_are_those_djangos_smtp_backend_gives():
    from django.core.mail.message import sanitize_address

    for address in [
        "ani@example.org",
        "Ani.Rahma+tpps_1%x-y@Dinkes-Tapin.go.id",
        "Portal TPPS <noreply@portal-tpps.local>",
        "ani@bücher.example",
        '"ani rahma"@example.org',
        "ani..x@example.org",
        ".ani@example.org",
    ]:
        assert mime.envelope_address(address) == sanitize_address(address, "utf-8")


@hypothesis_settings(max_examples=200, derandomize=True)
@given(
    name=st.sampled_from(["Subject", "To", "Message-ID", "X-Portal-Notification", "Content-Disposition"]),
    value=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=120),
)
def test_a_header_is_folded_as_the_stdlib_folds_it(name, value):
    assert mime._header(name, value) == policy.compat32.clone(linesep="\r\n").fold_binary(name, value)
