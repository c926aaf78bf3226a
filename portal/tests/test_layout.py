"""Layout rules: the core knows no app by name (apps declare themselves in their AppConfig,
portal.registry), so adding one changes nothing in portal/ but INSTALLED_APPS and the URL
includes; and no module grows past 800 lines."""

import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "portal"
# Where the core may name apps: the installed apps and the URL includes. The core's tests name
# none either: they find the apps through the registry, and the cross-app integration tests
# (route matrix, scope content, no-500 properties) live in tests/ at the root.
ALLOWED = {CORE / "settings.py", CORE / "urls.py"}


def app_labels() -> list[str]:
    return [c.label for c in apps.get_app_configs() if Path(c.path).parent == ROOT and c.label != "portal"]


def core_files() -> list[Path]:
    code = [p for p in CORE.rglob("*.py") if p not in ALLOWED]
    templates = [*(ROOT / "templates" / "portal").rglob("*.html"), *(ROOT / "templates").glob("*.html")]
    return code + templates


def test_the_core_names_no_app_outside_its_settings_and_url_includes():
    name = re.compile(rf"\b({'|'.join(app_labels())})\b")
    named = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in core_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if name.search(line)
    ]

    assert app_labels() and core_files()
    assert CORE / "tests" / "test_layout.py" in core_files()
    assert named == []


def test_no_module_is_longer_than_800_lines():
    modules = [
        p
        for p in ROOT.rglob("*.py")
        # Application code (test modules are not held to it: test_route_matrix.py is longer).
        if not {".venv", "migrations", "var", "node_modules", "tests"} & set(p.relative_to(ROOT).parts)
    ]
    long = {str(p.relative_to(ROOT)): n for p in modules if (n := len(p.read_text().splitlines())) > 800}

    assert modules and long == {}
