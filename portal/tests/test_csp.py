"""The Content Security Policy: sent on every page, strict for scripts and styles, and the
templates contain no inline script or style (the browser journeys fail on any violation)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_every_page_sends_a_strict_policy(client, camat_a):
    for url in ("/accounts/login/", "/no-such-page/"):
        policy = directives(client.get(url))
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    client.force_login(camat_a)
    assert "'unsafe-inline'" not in client.get("/").headers["Content-Security-Policy"]


def test_only_admin_pages_allow_inline_style_attributes_and_never_inline_scripts(admin_client):
    policy = directives(admin_client.get("/admin/"))

    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"]


def test_no_template_has_inline_script_or_style():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "emails" in path.parts:  # e-mail bodies are read in mail clients, not under the policy
            continue
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"javascript:",
        ):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == []


def test_the_browser_tests_see_a_csp_violation(browser, live_server):
    from conftest import watch_csp

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    violations = watch_csp(page)
    page.goto("/accounts/login/")
    assert violations == []

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = '1'; document.body.append(s); }"
    )
    page.evaluate("() => document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(300)
    context.close()

    assert any("script-src" in v for v in violations) and any("style-src" in v for v in violations)
