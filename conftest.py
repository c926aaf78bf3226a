"""Shared fixtures: the demo personas, service markers, and the browser.

Personas are the demo accounts of `seed_demo` on the small built-in geography of
Kabupaten Tapin: DPPKB admin, notulis, camat of Tapin Utara (kecamatan A), camat
of Binuang (kecamatan B, who must be refused Tapin Utara's data), kepala
puskesmas, ketua TP PKK, OPD focal point (Dinas Kesehatan), BKKBN organiser, and
an outsider with no role.

Tests that need a real service are marked (postgres, redis, browser,
celery_worker). Without the service they are skipped with the reason; with
CI=true any skip fails the run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from types import SimpleNamespace

import pytest

CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


# --- services -------------------------------------------------------------


def _redis_url() -> str:
    return os.environ.get("REDIS_URL", "")


def _redis_up() -> bool:
    url = _redis_url()
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    from django.conf import settings

    if item.get_closest_marker("postgres") and "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal")
    if (item.get_closest_marker("redis") or item.get_closest_marker("celery_worker")) and not _redis_up():
        pytest.skip("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0 with a server running")
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        pytest.skip(f"needs chromium at {CHROMIUM}: apt-get install chromium")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI nothing may be skipped: a skip means a real component was not tested."""
    if not CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) skipped; skips are failures in CI.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- personas -------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(settings) -> None:
    # Throttling counts live in the (shared, Redis) cache: each test starts from zero.
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache(settings) -> None:
    # The dashboard's cached aggregates live in the same cache: none is carried across tests.
    # Cached as in production (also without Redis: the tests run in one process), so every
    # test that reads a dashboard after a write checks the invalidation too.
    settings.DASHBOARD_CACHE_PREFIX = f"dashboard:{uuid.uuid4().hex}"
    settings.DASHBOARD_CACHE_SECONDS = 120


@pytest.fixture(autouse=True)
def _fresh_user_cache(settings) -> None:
    # Users' cached rights (portal.usercache) too; cached as in production, so every test that
    # changes a role and then opens a page checks the invalidation.
    settings.USER_CACHE_PREFIX = f"rights:{uuid.uuid4().hex}"
    settings.USER_CACHE_SECONDS = 300


@pytest.fixture
def demo(db) -> SimpleNamespace:
    """The core demo (built-in Tapin geography, organisations, accounts)."""
    from portal import demo as core_demo

    orgs = core_demo.seed(log=lambda *a: None, regions_file=core_demo.BUILTIN_REGIONS)
    from portal.models import User

    users = {u.username: u for u in User.objects.all()}
    return SimpleNamespace(orgs=orgs, users=users)


@pytest.fixture
def dppkb(demo):
    return demo.users["dppkb"]


@pytest.fixture
def notulis(demo):
    return demo.users["notulis"]


@pytest.fixture
def camat_a(demo):
    """Camat of Kecamatan Tapin Utara."""
    return demo.users["camat.tapinutara"]


@pytest.fixture
def camat_b(demo):
    """Camat of Kecamatan Binuang: must be refused Tapin Utara's data."""
    return demo.users["camat.binuang"]


@pytest.fixture
def kapus(demo):
    return demo.users["kapus.tapinutara"]


@pytest.fixture
def pkk(demo):
    return demo.users["pkk.tapinutara"]


@pytest.fixture
def dinkes(demo):
    """OPD focal point of Dinas Kesehatan."""
    return demo.users["dinkes"]


@pytest.fixture
def bkkbn(demo):
    return demo.users["bkkbn"]


@pytest.fixture
def outsider(demo):
    from portal.models import User

    return User.objects.create_user("outsider", password="tapin2024", full_name="Orang Luar")


# --- reminders engine -----------------------------------------------------


@pytest.fixture
def reminder_settings(db):
    """Reminder settings for tests: no quiet hours unless a test sets them."""
    from datetime import time

    from portal.models import ReminderSettings

    cfg = ReminderSettings.load()
    cfg.quiet_start = cfg.quiet_end = time(0, 0)
    cfg.save()
    return cfg


@pytest.fixture
def english(client):
    """Pages and messages in English, for tests that read the English msgids."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def table_rows(db):
    """Every row of every table (sessions aside: logging in writes one), to compare before
    and after: `before = table_rows(); ...; assert table_rows() == before`."""
    from django.apps import apps

    def snapshot() -> dict[str, list[dict]]:
        return {
            model._meta.label: list(model._base_manager.order_by("pk").values())
            for model in apps.get_models()
            if model._meta.label != "sessions.Session"
        }

    return snapshot


@pytest.fixture
def fast_settings(reminder_settings):
    """Retries, stale sends and job locks in seconds, for the tests with a real worker."""
    reminder_settings.retry_base_seconds = 1
    reminder_settings.stale_after_seconds = 3
    reminder_settings.job_lock_seconds = 4
    reminder_settings.save()
    return reminder_settings


@pytest.fixture
def set_reminder_option(db):
    """Set an app's reminder option as the admin would: set_reminder_option("meetings", "x", 3)."""
    from portal.models import ReminderValue
    from portal.registry import reminder_option

    def set_option(app_label: str, name: str, value) -> None:
        option = reminder_option(app_label, name)
        ReminderValue.objects.update_or_create(
            app_label=app_label, name=name, defaults={"value": option.format(option.parse(str(value)))}
        )

    return set_option


@pytest.fixture
def mailbox(settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


# --- browser --------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"needs chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the
    # tests make around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A phone-sized page (360 px wide) on the live server."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, base_url=live_server.url, locale="id-ID"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = watch_csp(page)  # any Content Security Policy violation fails the test
    try:
        yield page
    finally:
        context.close()
    assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


def watch_csp(page) -> list[str]:
    """The Content Security Policy violations on this page, as they happen: the browser's own
    console error and the page's securitypolicyviolation event (reported by CSP_LISTENER)."""
    violations: list[str] = []

    def on_console(msg) -> None:
        if msg.type == "error" and "Content Security Policy" in msg.text:
            violations.append(f"{page.url}: {msg.text}")

    page.on("console", on_console)
    page.context.add_init_script(CSP_LISTENER)
    return violations


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def assert_accessible(page) -> None:
    """axe-core on the current page: no serious or critical WCAG 2.1 AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}},
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {page.url}:\n" + "\n".join(bad)


@pytest.fixture
def a11y():
    return assert_accessible


def login(page, username: str, password: str = "tapin2024") -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def browser_login():
    return login
