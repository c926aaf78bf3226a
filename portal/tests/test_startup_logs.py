"""Start-up lines are JSON like every other line (LOG_FORMAT=json, production's default):
gunicorn's own lines through `portal.logs.GunicornLogger`, the Celery worker's banner replaced
by one `portal.startup` line, and the beat's (run with `--quiet`, as the README's unit does)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, wait_for

pytestmark = pytest.mark.postgres


def start(command: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, "LOG_FORMAT": "json", "VAR_DIR": str(log.parent / "var")}
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def json_lines(log: Path) -> list[dict]:
    """Every line of the output, each parsed as JSON (fails on any plain-text line)."""
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}\n--- whole output:\n" + "\n".join(lines))
    return parsed


def run_until(command: list[str], log: Path, marker: str) -> list[dict]:
    process = start(command, log)
    try:
        wait_for(lambda: marker in log.read_text(errors="replace") or process.poll() is not None,
                 timeout=90, what=marker)  # fmt: skip
        assert process.poll() is None, log.read_text()
    finally:
        stop(process)  # SIGKILL: no shutdown lines, only what start-up wrote
    return json_lines(log)


def test_gunicorn_start_up_lines_are_json(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
               "--logger-class", "portal.logs.GunicornLogger"]  # fmt: skip

    lines = run_until(command, tmp_path / "gunicorn.log", "Booting worker")

    messages = [line["message"] for line in lines]
    assert any(m.startswith("Starting gunicorn") for m in messages)
    assert any(m.startswith("Listening at: ") for m in messages)
    assert all(line["logger"].startswith("gunicorn") and line["request_id"] == "-" for line in lines)


def test_the_celery_worker_starts_with_a_json_line_instead_of_its_banner(tmp_path):
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO", "--concurrency=1",
               "--without-mingle", "--without-gossip", "--without-heartbeat"]  # fmt: skip

    lines = run_until(command, tmp_path / "worker.log", " ready.")

    started = next(line for line in lines if line["logger"] == "portal.startup")
    assert started["message"] == "worker starting" and started["concurrency"] == 1
    assert "celery" in started["queues"] and started["broker"].startswith("redis://")
    assert any(line["message"].endswith(" ready.") for line in lines)


def test_the_celery_worker_stops_with_json_lines_too(tmp_path):
    """systemd stops the worker with SIGTERM (a warm shutdown): Celery's own notice of it is a
    JSON line like the rest, and so is everything after it."""
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO", "--concurrency=1",
               "--without-mingle", "--without-gossip", "--without-heartbeat"]  # fmt: skip
    process = start(command, log)
    try:
        wait_for(lambda: " ready." in log.read_text(errors="replace") or process.poll() is not None,
                 timeout=90, what="ready")  # fmt: skip
        process.send_signal(signal.SIGTERM)  # the main process only, as systemd's KillMode=mixed
        process.wait(60)
    finally:
        stop(process)

    assert "Warm shutdown" not in log.read_text(errors="replace")
    lines = json_lines(log)
    stopping = next(line for line in lines if line["message"] == "worker shutting down")
    assert stopping["how"] == "Warm" and stopping["signal"] == "SIGTERM"


def test_the_celery_beat_starts_with_a_json_line(tmp_path):
    command = [sys.executable, "-m", "celery", "-A", "portal", "--quiet", "beat", "--loglevel=INFO",
               f"--schedule={tmp_path / 'beat-schedule'}"]  # fmt: skip

    lines = run_until(command, tmp_path / "beat.log", "beat starting")

    started = next(line for line in lines if line["logger"] == "portal.startup")
    assert started["component"] == "beat" and "clean-up-jobs" in started["schedule"]
