"""Indonesian first, English complete, and every user-visible string marked for translation."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils.functional import Promise

ROOT = Path(__file__).resolve().parents[2]
# The apps of this repository (not Django's or third parties'): found, never listed.
PROJECT_APPS = [config.label for config in apps.get_app_configs() if Path(config.path).parent == ROOT]
CATALOG = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"


@pytest.mark.django_db
def test_dashboard_is_in_indonesian_by_default_and_english_on_request(client, camat_a):
    client.force_login(camat_a)

    indonesian = client.get(reverse("portal:dashboard")).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(reverse("portal:dashboard")).content.decode()

    assert '<html lang="id">' in indonesian and "Dasbor" in indonesian and "Keluar" in indonesian
    assert '<html lang="en">' in english and "Dashboard" in english and "Log out" in english


@pytest.mark.django_db
def test_an_english_browser_still_gets_indonesian_until_the_user_switches(client, camat_a):
    client.force_login(camat_a)

    page = client.get(reverse("portal:dashboard"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert "Dasbor" in page


@pytest.mark.django_db
def test_the_saved_language_of_the_user_applies_without_a_cookie(client, camat_a):
    camat_a.language = "en"
    camat_a.save()
    client.force_login(camat_a)

    assert "Dashboard" in client.get(reverse("portal:dashboard")).content.decode()


@pytest.mark.django_db
def test_switching_language_is_remembered_on_the_user(client, camat_a):
    client.force_login(camat_a)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    camat_a.refresh_from_db()
    assert camat_a.language == "en"
    assert "Dashboard" in client.get("/").content.decode()


# --- nothing user-visible is left unmarked -------------------------------------

VISIBLE_ATTRIBUTES = re.compile(r'\b(?:title|alt|placeholder|aria-label)="([^"]*)"')
EXEMPT_REGIONS = re.compile(
    r"{%\s*(blocktranslate|blocktrans|comment)\b.*?{%\s*end\1\s*%}|{#.*?#}|<(script|style)\b.*?</\2>",
    re.S,
)
TEMPLATE_SYNTAX = re.compile(r"{%.*?%}|{{.*?}}", re.S)


def _blank(match: re.Match) -> str:
    """Replace a region with no text but the same line breaks, so line numbers stay right."""
    return "\x00" + "\n" * match.group(0).count("\n")


def unmarked_text(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    source = TEMPLATE_SYNTAX.sub(_blank, EXEMPT_REGIONS.sub(_blank, source))
    problems = []
    for lineno, line in enumerate(source.splitlines(), start=1):
        for value in VISIBLE_ATTRIBUTES.findall(line):
            if re.search(r"[A-Za-z]{2,}", value):
                problems.append(f"{path.name}:{lineno}: attribute text {value!r}")
    text = re.sub(r"<[^>]*>", lambda m: "\n" * m.group(0).count("\n"), source)
    text = re.sub(r"&\w+;|&#\d+;", " ", text)
    for lineno, line in enumerate(text.splitlines(), start=1):
        if re.search(r"[A-Za-z]{2,}", line):
            problems.append(f"{path.name}:{lineno}: {line.strip()!r}")
    return problems


def test_every_template_string_is_marked_for_translation():
    files = [p for p in (ROOT / "templates").rglob("*") if p.suffix in (".html", ".txt")]
    assert files
    problems = [problem for path in sorted(files) for problem in unmarked_text(path)]
    assert not problems, "unmarked text in templates:\n" + "\n".join(problems)


def test_the_template_check_catches_unmarked_text():
    page = ROOT / "templates" / "_i18n_selftest.html"
    page.write_text('{% load i18n %}<p>{% translate "Fine" %}</p>\n<p>Not marked</p><a title="Close">x</a>')
    try:
        problems = unmarked_text(page)
    finally:
        page.unlink()
    assert any("Not marked" in p for p in problems)
    assert any("Close" in p for p in problems)
    assert not any("Fine" in p for p in problems)


def project_models():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def test_every_model_name_field_and_choice_is_marked_for_translation():
    problems = []
    for model in project_models():
        opts = model._meta
        for attr in ("verbose_name", "verbose_name_plural"):
            if not isinstance(getattr(opts, attr), Promise):
                problems.append(f"{opts.label}.Meta.{attr}")
        for field in opts.get_fields():
            if field.auto_created or not getattr(field, "concrete", False):
                continue
            if not isinstance(field.verbose_name, Promise):
                problems.append(f"{opts.label}.{field.name}: verbose_name")
            for value, label in field.flatchoices or []:
                if value != "" and not isinstance(label, Promise):
                    problems.append(f"{opts.label}.{field.name}: choice {value!r}")
    assert not problems, "not marked for translation:\n" + "\n".join(problems)


# --- the Indonesian catalog is complete and compiled ----------------------------


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs gettext (xgettext): apt-get install gettext"
)
def test_indonesian_catalog_translates_every_marked_string(tmp_path, settings, monkeypatch):
    # Extract from a copy of the sources: makemessages writes into the `locale` folder it
    # finds beside the files, and the repository's catalog must stay as committed.
    project = tmp_path / "project"
    shutil.copytree(
        ROOT,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "var", "static", "staticfiles", "node_modules", "__pycache__"
        ),
    )
    work = project / "locale"
    settings.LOCALE_PATHS = [work]
    monkeypatch.chdir(project)

    call_command("makemessages", locale=["id"], no_obsolete=True, verbosity=0)

    catalog = polib.pofile(str(work / "id" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]
    assert not missing, (
        f"{len(missing)} string(s) without Indonesian translation (run `make messages`): {missing[:20]}"
    )
    assert not fuzzy, f"fuzzy translations to review in locale/id: {fuzzy[:20]}"


def test_compiled_catalog_matches_the_translations():
    source = polib.pofile(str(CATALOG))
    compiled = polib.mofile(str(CATALOG.with_suffix(".mo")))
    expected = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in source.translated_entries()}
    actual = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in compiled if e.msgid}
    assert actual == expected, "locale/id .mo is stale: run `make messages`"
