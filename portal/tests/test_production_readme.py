"""The README's production section is what CI runs (scripts/prod-smoke.sh reads it): every block
and unit the script needs is there, and every environment variable the settings read is documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
SMOKE = (ROOT / "scripts" / "prod-smoke.sh").read_text()


def test_every_block_the_smoke_step_runs_is_in_the_readme():
    used = set(re.findall(r"run_block (prod-[a-z-]+)", SMOKE))
    assert used == {"prod-install", "prod-first-install", "prod-upgrade", "prod-backup", "prod-restore"}
    for name in used:
        assert f"```sh {name}\n" in README


def test_the_readme_has_a_unit_with_a_command_for_each_process_the_smoke_step_starts():
    for unit in set(re.findall(r"start_unit (portal-[a-z]+)", SMOKE)):
        section = README.split(f"# /etc/systemd/system/{unit}.service", 1)[1].split("```", 1)[0]
        assert re.search(r"^ExecStart=/srv/portal/venv/bin/\S+ ", section, re.M), unit


def test_every_environment_variable_the_settings_read_is_documented():
    settings = (ROOT / "portal" / "settings.py").read_text()
    names = set(re.findall(r'(?:getenv|envbool|envint|envsecret|envlist)\(\s*"([A-Z0-9_]+)"', settings))
    # Any secret may come from a file named by <NAME>_FILE (documented once, under Configuration).
    names = {name.removesuffix("_FILE") for name in names}
    assert {"SECRET_KEY", "DATABASE_URL", "S3_BUCKET", "LOG_FORMAT"} <= names
    assert sorted(name for name in names if f"`{name}`" not in README) == []
