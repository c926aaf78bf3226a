"""`PORT=8080 make run` writes links to the port it serves: the web process, the worker that
renders messages, and the demo loader all get SITE_URL=http://127.0.0.1:8080."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUB = """#!/bin/sh
echo "$(basename "$0") $SITE_URL $*" >> "{log}"
case "$*" in *runserver*) sleep 1 ;; esac
"""


def fake_venv(tmp_path: Path) -> tuple[Path, Path]:
    """A venv whose python and celery only record the SITE_URL they were started with."""
    venv, log = tmp_path / "venv", tmp_path / "calls.log"
    (venv / "bin").mkdir(parents=True)
    for name in ("python", "celery"):
        stub = venv / "bin" / name
        stub.write_text(STUB.format(log=log))
        stub.chmod(0o755)
    (venv / ".runtime").touch()  # "installed": make does not run pip
    return venv, log


def run_make(tmp_path: Path, **env: str) -> list[str]:
    venv, log = fake_venv(tmp_path)
    # Not the settings of the `make test` this runs under.
    skip = {"SITE_URL", "PORT", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "VENV"}
    environ = {k: v for k, v in os.environ.items() if k not in skip}
    done = subprocess.run(
        ["make", "-s", "run", f"VENV={venv}"],
        cwd=ROOT,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return log.read_text().splitlines()


def test_make_run_on_another_port_links_to_that_port(tmp_path):
    calls = run_make(tmp_path, PORT="8080")
    assert any(
        call.startswith("python http://127.0.0.1:8080 manage.py runserver 127.0.0.1:8080") for call in calls
    )
    assert any(call.startswith("celery http://127.0.0.1:8080 -A portal worker") for call in calls)
    assert all(" http://127.0.0.1:8080 " in call for call in calls), calls


def test_make_run_defaults_to_port_8000(tmp_path):
    calls = run_make(tmp_path)
    assert calls and all(" http://127.0.0.1:8000 " in call for call in calls), calls


def test_an_explicit_site_url_wins(tmp_path):
    calls = run_make(tmp_path, PORT="8080", SITE_URL="https://tpps.example.go.id")
    assert calls and all(" https://tpps.example.go.id " in call for call in calls), calls
