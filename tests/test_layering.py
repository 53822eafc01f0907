"""The one-way imports of DESIGN.md: the questionnaire core knows nothing of the dialer or the
results; the dialer knows nothing of results, the CLI or the web; results nothing of the CLI
or the web; only the composing layers (``survey_engine.cli`` and the web application,
``survey_engine.web``) reach across, and the web application never imports the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

COMPOSING = ("survey_engine/cli/", "survey_engine/web/")
FORBIDDEN = {
    "survey_engine": ("dialer", "results"),
    "dialer": ("results", "survey_engine.cli", "survey_engine.web", "flask", "flask_wtf",
               "flask_babel", "flask_talisman", "werkzeug", "wtforms", "waitress"),
    # results (the partner tokens and the feed among them) knows nothing of the web either.
    "results": ("survey_engine.cli", "survey_engine.web", "flask", "flask_wtf", "flask_babel",
                "flask_talisman", "flask_limiter", "spectree", "werkzeug", "wtforms",
                "waitress"),
}
#: What the composing layers may not import of each other.
COMPOSING_FORBIDDEN = {"survey_engine/web/": ("survey_engine.cli",)}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_import_only_downwards(package: str) -> None:
    offenders = []
    for path in sorted((REPO / package).rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if relative.startswith(COMPOSING):
            continue
        for name in _imports(path):
            if any(name == banned or name.startswith(banned + ".")
                   for banned in FORBIDDEN[package]):
                offenders.append(f"{relative} imports {name}")
    assert offenders == []


@pytest.mark.parametrize("folder", sorted(COMPOSING_FORBIDDEN))
def test_the_web_application_does_not_import_the_cli(folder: str) -> None:
    offenders = [f"{path.relative_to(REPO)} imports {name}"
                 for path in sorted((REPO / folder).rglob("*.py")) for name in _imports(path)
                 if any(name == banned or name.startswith(banned + ".")
                        for banned in COMPOSING_FORBIDDEN[folder])]
    assert offenders == []


def test_the_web_application_is_a_composing_layer() -> None:
    web = {name for path in (REPO / "survey_engine" / "web").rglob("*.py")
           for name in _imports(path)}
    assert any(name.startswith("dialer.") for name in web), "the check looks at the web"
    assert any(name.startswith("flask") for name in web)


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "module.py"
    sample.write_text("from dialer.dispatch import Dispatcher\nimport results.x\n")
    assert _imports(sample) == {"dialer.dispatch", "results.x"}
