"""README screenshots (`make screenshots`): a throw-away SQLite database with the demo, the
development server on a free port, and chromium (Playwright) logged in as demo personas.
Writes small, palette-optimised PNGs to docs/screenshots/. Re-runnable; never part of `make test`
(portal/tests/test_readme_screenshots.py only checks the committed files and README links)."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
MAX_BYTES = 200_000
PASSWORD = "tapin2024"  # noqa: S105 - the published demo password (README)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@dataclass
class Shot:
    name: str
    user: str
    path: str  # a URL path, or a callable name resolved in find_path
    viewport: dict
    caption: str


SHOTS = [
    Shot("dashboard.png", "dppkb", "/", DESKTOP, "Dashboard of the DPPKB admin"),
    Shot("meeting-detail.png", "dppkb", "meeting", DESKTOP, "A rakor with its agenda, invitations and RTL"),
    Shot("my-commitments-phone.png", "dinkes", "/meetings/commitments/mine/", PHONE, "Komitmen saya, 360 px"),
    Shot("training-registration.png", "camat.tapinutara", "training", DESKTOP, "Registering for a training"),
    Shot("audit-round.png", "pakar", "round", DESKTOP, "An AKS audit round"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def find_path(env: dict, kind: str) -> str:
    """The demo object each screenshot shows, looked up in the demo database."""
    code = {
        "meeting": "from meetings.models import Meeting;"
        "m=Meeting.objects.exclude(commitments=None).order_by('-start').first();print(m.get_absolute_url())",
        "training": "from django.utils import timezone;from trainings.models import Training;"
        "t=Training.objects.filter(start_date__gte=timezone.localdate()).order_by('start_date').first();"
        "print(t.get_absolute_url())",
        "round": "from audits.models import AuditRound;print(AuditRound.objects.order_by('pk').first().get_absolute_url())",
    }[kind]
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not start on port {port}")


def optimise(png: bytes) -> bytes:
    """A palette PNG (screens have few colours), fewer colours until it is under MAX_BYTES."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    for colours in (256, 128, 64, 32):
        out = io.BytesIO()
        image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            out, "PNG", optimize=True
        )
        if out.tell() <= MAX_BYTES:
            return out.getvalue()
    raise SystemExit(f"a screenshot stays over {MAX_BYTES} bytes")


def take(base: str, paths: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for shot in SHOTS:
            context = browser.new_context(viewport=shot.viewport, base_url=base, locale="id-ID")
            page = context.new_page()
            page.goto("/accounts/login/")
            page.fill("input[name=username]", shot.user)
            page.fill("input[name=password]", PASSWORD)
            page.locator("main form button[type=submit]").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            page.goto(paths.get(shot.path, shot.path))
            page.wait_for_load_state("networkidle")
            body = optimise(page.screenshot(full_page=shot.viewport is PHONE))
            (OUT / shot.name).write_bytes(body)
            print(f"{shot.name}: {len(body) // 1000} kB ({shot.caption})")
            context.close()
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tpps-shots-") as tmp:
        port = free_port()
        env = {
            **os.environ,
            "DEBUG": "True",
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "VAR_DIR": tmp,
            "SITE_URL": f"http://127.0.0.1:{port}",
            "CELERY_TASK_ALWAYS_EAGER": "True",
        }
        env.pop("REDIS_URL", None)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo")
        paths = {kind: find_path(env, kind) for kind in ("meeting", "training", "round")}
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(port)
            take(base, paths)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
