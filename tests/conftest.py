"""Shared fixtures: the present the tests run in, where the contract lives, and compiled
catalogs for every test run."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from survey_engine.i18n import tools
from survey_engine.i18n.paths import locales_dir
from survey_engine.questionnaire.loader import load

pytest_plugins = ["tests.database_fixtures"]

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"
QUESTIONNAIRES = REPO / "questionnaires"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


#: When the tests run. Their instants are fixed so that what they assert is fixed (Tuesday
#: 24 November 2026 at night in Brussels and evening in New York, DST weeks, holidays), and
#: what they create "now" (contacts are due from their import) must come before those
#: instants, whatever the date on the machine: the clock starts here and runs on. A test
#: that needs another present travels there itself.
TESTS_PRESENT = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def tests_present() -> Iterator[None]:
    """Run each test with the wall clock moving on from :data:`TESTS_PRESENT`."""
    with time_machine.travel(TESTS_PRESENT, tick=True):
        yield


def sample_files() -> list[Path]:
    """The sample questionnaires shipped in questionnaires/."""
    return sorted(p for p in QUESTIONNAIRES.glob("*.yaml")
                  if not p.name.endswith(".interviews.yaml"))


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """../shared/reference, which holds the questionnaire contract."""
    if not REFERENCE.is_dir():
        message = f"the questionnaire contract is not at {REFERENCE}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REFERENCE


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs() -> None:
    """Compile every .po of the repository, as `make test` does, so pytest alone works."""
    root = locales_dir()
    domains = [tools.messages_domain()]
    domains += [tools.questionnaire_domain(load(path)) for path in sample_files()]
    for domain in domains:
        for language in domain.targets():
            tools.compile_catalog(domain, language, root)
