"""``pybabel extract`` with the ``questionnaire`` method over a whole folder (``**.yaml``):
scripted interviews are skipped, a broken questionnaire fails with its diagnostics."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.survey_engine.i18n.support import make_project

PYBABEL = Path(sys.executable).with_name("pybabel")

SCRIPT = """\
- name: a promoter
  answers: {score: 9, why: Good service, colour: 2}
  path: [score, why, colour]
"""

BROKEN = """\
questionnaire: broken
version: 1
title: Broken
source_language: en
languages: [en]
questions:
  - id: age
    type: number
    text: How old are you?
    min: 99
    max: 18
  - id: colour
    type: single_choice
    txt: Favourite colour?
    options: {1: Red, 2: Blue}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path)
    (root / "babel.cfg").write_text("[questionnaire: **.yaml]\n", encoding="utf-8")
    return root


def extract(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PYBABEL), "extract", "-F", str(project / "babel.cfg"), "-o",
                           str(project / "out.pot"), str(project / "questionnaires")],
                          capture_output=True, text=True, check=False)


def test_scripted_interviews_are_skipped(project: Path) -> None:
    (project / "questionnaires" / "pipeline.interviews.yaml").write_text(SCRIPT, "utf-8")
    done = extract(project)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    template = (project / "out.pot").read_text("utf-8")
    assert 'msgctxt "pipeline/why/text"\nmsgid "Why {score}?"' in template
    assert "interviews.yaml" not in template
    assert "Good service" not in template


def test_a_broken_questionnaire_fails_with_every_diagnostic(project: Path) -> None:
    broken = project / "questionnaires" / "broken.yaml"
    broken.write_text(BROKEN, "utf-8")
    done = extract(project)
    assert done.returncode != 0
    # Babel shows any extractor error as a traceback; its last lines are our message.
    assert (f"ExtractionError: no messages extracted from {broken}: it is not a valid "
            "questionnaire") in done.stderr
    assert done.stderr.rstrip().endswith(f"{broken}:14:5: unknown key 'txt' (did you mean "
                                         "'text'?)")
    assert f"{broken}:10:10: min (99) is above max (18)" in done.stderr
    assert f"{broken}:12:5: missing key 'text'" in done.stderr


def test_bytes_that_are_not_utf8_are_a_diagnostic_not_a_decoding_crash(project: Path) -> None:
    broken = project / "questionnaires" / "latin1.yaml"
    broken.write_bytes("questionnaire: latin\ntitle: Caf\xe9\n".encode("latin-1"))
    done = extract(project)
    assert done.returncode != 0
    assert "UnicodeDecodeError" not in done.stderr
    assert f"{broken}:2:11: not UTF-8 text" in done.stderr
