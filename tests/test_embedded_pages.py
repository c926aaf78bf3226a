"""The embedded default (SQLite, what `make run` serves) answers every main page for every demo
account. The suite runs on PostgreSQL; the national-scale readings (cut UNION parts, arrays,
planner fences) are PostgreSQL's own, and each has a plain reading for SQLite that this keeps
honest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_main_page_answers_on_the_embedded_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DEBUG="True",
        VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.embedded_pages"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    assert "requested" in done.stderr
    assert done.stdout.strip() == "", done.stdout
