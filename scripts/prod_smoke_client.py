"""The HTTP side of scripts/prod-smoke.sh: a person using the portal behind nginx.

Standard library only (it runs in the production virtualenv). Every request carries the
headers nginx sets (X-Forwarded-Proto: https, X-Request-ID), so the portal runs with its
production settings: HTTPS redirect, secure cookies, strict CSRF referer checks.

    prod_smoke_client.py journey BASE_URL USERNAME PASSWORD MAILDIR  -> schedules, invites, waits for the mail
    prod_smoke_client.py serves BASE_URL USERNAME PASSWORD TITLE      -> the meeting list shows TITLE
    prod_smoke_client.py nginx HTTPS_URL HTTP_URL CA_FILE USERNAME PASSWORD STATIC_PATH
        -> through the README's real nginx (TLS): static files, upload limit, /healthz, a login

In `nginx` mode the client sends no forwarded headers of its own making but a forged
X-Forwarded-For and X-Request-ID, which nginx must replace (prod-smoke.sh then checks the
address the portal recorded for the login).
"""

from __future__ import annotations

import json
import mailbox
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta
from html.parser import HTMLParser


class FormParser(HTMLParser):
    """The fields of the first <form method=post> inside <main>, with their current values."""

    def __init__(self) -> None:
        super().__init__()
        self.in_main = False
        self.in_form = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._select: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        self.in_main = self.in_main or tag == "main"
        if tag == "form" and self.in_main and (a.get("method") or "").lower() == "post" and not self.done:
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self.options.setdefault(name, []).append((a.get("value", "on"), ""))
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
            self.options[name] = []
        elif tag == "option" and self._select:
            self._option = a.get("value", "")
            self.options[self._select].append((self._option, ""))
            if "selected" in a:
                self.fields.append((self._select, self._option))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data) -> None:
        if self._option is not None and self._select:
            value, label = self.options[self._select][-1]
            self.options[self._select][-1] = (value, label + data)

    def handle_endtag(self, tag) -> None:
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


FORGED_CLIENT = "198.51.100.9"  # what a client claims in X-Forwarded-For; nginx must not pass it on


class Browser:
    def __init__(self, base: str, *, ca_file: str = "") -> None:
        self.base = base.rstrip("/")
        self.cookies: dict[str, str] = {}
        self.cookie_flags: dict[str, str] = {}
        # Behind nginx (ca_file: its certificate), nginx alone sets the forwarded headers.
        self.behind_nginx = bool(ca_file)
        handlers = [NoRedirect()]
        if ca_file:
            handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=ca_file)))
        self.opener = urllib.request.build_opener(*handlers)
        self.last_request_id = ""

    def request(
        self,
        path: str,
        data: list[tuple[str, str]] | None = None,
        referer: str = "",
        files: dict | None = None,
    ):
        self.last_request_id = uuid.uuid4().hex
        headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.7",
            "X-Request-ID": self.last_request_id,
            "Referer": "https://" + urllib.parse.urlsplit(self.base).netloc + (referer or path),
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if self.behind_nginx:  # forged by the client: nginx sets its own values
            headers |= {"X-Forwarded-Proto": "http", "X-Forwarded-For": FORGED_CLIENT}
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        if files:
            body, headers["Content-Type"] = multipart(data or [], files)
        # The base is an http://127.0.0.1 URL given by prod-smoke.sh.
        req = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
            self.cookie_flags[name.strip()] = rest.lower()
        text = response.read().decode("utf-8", "replace")
        if self.behind_nginx:  # nginx's $request_id replaces the client's
            answered = response.headers.get("X-Request-ID") or ""
            assert re.fullmatch(r"[0-9a-f]{32}", answered) and answered != self.last_request_id, answered
            self.last_request_id = answered
        else:
            assert response.headers.get("X-Request-ID") == self.last_request_id, "request id not answered"
        return response.status, response.headers, text

    def get(self, path: str) -> str:
        status, _, text = self.request(path)
        assert status == 200, f"GET {path}: {status}"
        return text

    def form(self, path: str) -> FormParser:
        parser = FormParser()
        parser.feed(self.get(path))
        assert parser.fields, f"no form on {path}"
        return parser

    def post(self, path: str, fields: dict[str, str | list[str]], parser: FormParser) -> str:
        data = [(k, v) for k, v in parser.fields if k not in fields]
        for key, value in fields.items():
            data += [(key, item) for item in (value if isinstance(value, list) else [value])]
        status, headers, text = self.request(path, data, referer=path)
        assert status == 302, f"POST {path}: {status}\n{text[:3000]}"
        return urllib.parse.urlsplit(headers["Location"]).path

    def upload(self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> str:
        data = [("csrfmiddlewaretoken", self.cookies["csrftoken"]), *fields.items()]
        status, headers, text = self.request(path, data, referer=path, files=files)
        assert status == 302, f"upload {path}: {status}\n{text[:2000]}"
        return urllib.parse.urlsplit(headers["Location"]).path

    def login(self, username: str, password: str) -> None:
        parser = self.form("/accounts/login/")
        target = self.post("/accounts/login/", {"username": username, "password": password}, parser)
        assert "/accounts/login/" not in target, "login refused"


def multipart(fields: list[tuple[str, str]], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields
    ]
    for name, (filename, content) in files.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        parts.append(head.encode() + b"Content-Type: application/pdf\r\n\r\n" + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# A one-page PDF: a scanned signed attendance list stands in for it.
SHEET = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def document_link(page: str) -> str:
    links = re.findall(r'href="(/meetings/\d+/documents/\d+/)"', page)
    assert links, "no document link on the meeting page"
    return links[0]


def first(options: list[tuple[str, str]]) -> str:
    return next(value for value, _ in options if value)


def journey(base: str, username: str, password: str, maildir: str) -> None:
    browser = Browser(base)
    browser.login(username, password)
    title = f"Rakor TPPS uji produksi {uuid.uuid4().hex[:6]}"
    start = (datetime.now() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    form = browser.form("/meetings/new/")
    fields = {
        "title": title,
        "region": first(form.options["region"]),
        "kind": first(form.options["kind"]),
        "mode": "luring",
        "venue": "Aula Bappeda Tapin",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "status": "scheduled",
        "agenda-TOTAL_FORMS": "0",
    }
    if form.options.get("organisers"):
        fields["organisers"] = first(form.options["organisers"])
    meeting = browser.post("/meetings/new/", fields, form)
    assert re.fullmatch(r"/meetings/\d+/", meeting), meeting
    assert title in browser.get(meeting)

    browser.upload(meeting + "documents/", {"kind": "daftar_hadir"}, {"file": ("daftar-hadir.pdf", SHEET)})
    status, _, body = browser.request(document_link(browser.get(meeting)))
    assert status == 200 and body.startswith("%PDF"), f"document download: {status}"

    invite = browser.form(meeting + "invite/")
    person = first(invite.options["people"])
    browser.post(meeting + "invite/", {"people": person}, invite)
    invite_request_id = browser.last_request_id

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        messages = mailbox.Maildir(maildir, create=False) if os.path.isdir(f"{maildir}/cur") else []
        found = [m for m in messages if title in " ".join(str(m["Subject"]).split())]
        if found:
            break
        time.sleep(1)
    else:
        raise AssertionError(f"no invitation for {title!r} reached the SMTP server in 90 s")

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, _, text = browser.request("/healthz")
        if status == 200:
            break
        time.sleep(1)
    assert status == 200, f"/healthz: {status} {text}"
    print(json.dumps({"title": title, "invite_request_id": invite_request_id, "healthz": json.loads(text)}))


def serves(base: str, username: str, password: str, title: str) -> None:
    browser = Browser(base)
    browser.login(username, password)
    listing = browser.get("/meetings/")
    assert title in listing, f"{title!r} not in the restored portal's meeting list"
    meeting = re.search(r'href="(/meetings/\d+/)"[^>]*>\s*' + re.escape(title), listing)
    assert meeting, "no link to the meeting"
    status, _, body = browser.request(document_link(browser.get(meeting.group(1))))
    assert status == 200 and body.startswith("%PDF"), f"restored document: {status}"
    print(json.dumps({"restored": title}))


def raw(url: str, ca_file: str, data: bytes | None = None, headers: dict | None = None):
    """One request without following redirects: (status, headers, body)."""
    opener = urllib.request.build_opener(
        NoRedirect(), urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=ca_file))
    )
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 - local test URL
    try:
        response = opener.open(request, timeout=60)
    except urllib.error.HTTPError as error:
        response = error
    return response.status, response.headers, response.read()


def behind_nginx(https: str, http: str, ca_file: str, username: str, password: str, static_path: str) -> None:
    """The README's nginx in front of gunicorn: what a browser meets on the real site."""
    status, headers, _ = raw(http + "/accounts/login/", ca_file)
    assert status == 301 and headers["Location"].startswith("https://"), f"http: {status} {headers}"

    status, headers, body = raw(https + static_path, ca_file)
    assert status == 200 and body, f"static {static_path}: {status}"
    cache = ", ".join(headers.get_all("Cache-Control") or [])  # nginx's `expires` adds one more
    assert "immutable" in cache, f"static not served by nginx: {headers}"

    # client_max_body_size 25m: a bigger body is refused by nginx before it reaches gunicorn;
    # a smaller one (several 5 MB files) reaches the portal, which reads it whole and then
    # refuses it for want of a CSRF token (403).
    for megabytes, expected in ((26, 413), (20, 403)):
        body, kind = multipart([], {"file": ("scan.pdf", b"x" * (megabytes * 1024 * 1024))})
        status, _, _ = raw(https + "/accounts/login/", ca_file, body, {"Content-Type": kind})
        assert status == expected, f"{megabytes} MB upload: {status}, expected {expected}"

    status, _, body = raw(https + "/healthz", ca_file)
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok", f"/healthz through nginx: {status} {health}"

    browser = Browser(https, ca_file=ca_file)
    browser.login(username, password)  # fails with a redirect loop if X-Forwarded-Proto were lost
    assert "; secure" in browser.cookie_flags["sessionid"], "the session cookie is not Secure"
    assert "/accounts/login/" not in browser.get("/meetings/"), "not logged in"
    print(json.dumps({"nginx": "ok", "login_request_id": browser.last_request_id}))


if __name__ == "__main__":
    commands = {"journey": journey, "serves": serves, "nginx": behind_nginx}
    commands[sys.argv[1]](*sys.argv[2:])
