"""The one-way imports of DESIGN.md: the questionnaire core knows nothing of the dialer or the
results; the dialer knows nothing of results, the CLI or the web; only the composing layers
(``survey_engine.cli``) reach across."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

COMPOSING = ("survey_engine/cli/",)
FORBIDDEN = {
    "survey_engine": ("dialer", "results"),
    "dialer": ("results", "survey_engine.cli", "flask"),
}


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


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "module.py"
    sample.write_text("from dialer.dispatch import Dispatcher\nimport results.x\n")
    assert _imports(sample) == {"dialer.dispatch", "results.x"}
