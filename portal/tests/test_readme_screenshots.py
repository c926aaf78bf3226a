"""The README's screenshots (`make screenshots`, scripts/screenshots.py) are committed, small,
real PNGs at the size they were taken, and the README shows each one. Cheap: no browser."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("screenshots", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()


@pytest.mark.parametrize("shot", SCRIPT.SHOTS, ids=lambda shot: shot.name)
def test_each_screenshot_is_committed_small_and_shown_in_the_readme(shot):
    path = SCRIPT.OUT / shot.name
    assert path.is_file(), f"run `make screenshots`: {path} is missing"
    assert path.stat().st_size < SCRIPT.MAX_BYTES
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width == shot.viewport["width"]
    assert f"docs/screenshots/{shot.name}" in (ROOT / "README.md").read_text()
