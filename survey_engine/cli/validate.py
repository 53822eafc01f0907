"""``survey-engine validate``: check questionnaire files and report every problem."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import click

from survey_engine.cli.common import SCRIPT_SUFFIX, progress
from survey_engine.errors import QuestionnaireError, ScriptError
from survey_engine.interview.scripts import load_cases
from survey_engine.questionnaire.loader import load
from survey_engine.questionnaire.source import read_yaml


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report for tools.")
def validate(files: tuple[Path, ...], as_json: bool) -> None:
    """Check questionnaire FILES and report every problem at once.

    Each problem is printed as FILE:LINE:COLUMN: message (YAML syntax, unknown keys with a
    "did you mean", wrong types, YAML 1.1 traps such as an option code written 01 or yes,
    duplicate ids or codes, expressions that do not parse or name an unknown question,
    placeholders, special codes that clash, min above max, language codes, end_outcome).

    A file whose top level is a list of cases (such as *.interviews.yaml or the contract's
    paths.yaml) is checked as a scripted-interview file; when a questionnaire NAME.yaml lies
    beside NAME.interviews.yaml, the questions, contact fields, quotas and languages the cases
    name are checked against it too.

    Exits 0 when every file is valid, 1 otherwise.

    \b
    Examples:
      survey-engine validate questionnaires/*.yaml
      survey-engine validate --json survey.yaml | jq '.[].errors[].message'
    """
    report: list[dict[str, object]] = []
    failed = 0
    for path in progress(files, len(files), "Validating"):
        if path.name.endswith(SCRIPT_SUFFIX):
            failed += not _validate_script(path, report, as_json)
            continue
        try:
            questionnaire = load(path)
        except QuestionnaireError as error:
            # a list of cases is a script under another name (the contract's paths.yaml);
            # look for one only here, so that a questionnaire is parsed once
            if _is_script(path, error):
                failed += not _validate_script(path, report, as_json)
                continue
            failed += 1
            report.append({"file": str(path), "valid": False,
                           "errors": [d.as_dict() for d in error.diagnostics]})
            if not as_json:
                for diagnostic in error.diagnostics:
                    click.echo(str(diagnostic))
            continue
        report.append({"file": str(path), "valid": True, "errors": [],
                       "questionnaire": questionnaire.slug, "version": questionnaire.version,
                       "questions": len(questionnaire.questions)})
        if not as_json:
            click.echo(f"{path}: ok ({questionnaire.slug} v{questionnaire.version}, "
                       f"{len(questionnaire.questions)} questions)")
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    elif len(files) > 1:
        click.echo(f"{len(files) - failed} valid, {failed} invalid", err=True)
    if failed:
        raise SystemExit(1)


def _validate_script(path: Path, report: list[dict[str, object]], as_json: bool) -> bool:
    """Check a scripted-interview file; True when it is sound."""
    sibling = path.with_name(path.name.removesuffix(SCRIPT_SUFFIX) + ".yaml")
    questionnaire = None
    if path.name.endswith(SCRIPT_SUFFIX) and sibling.is_file():
        # a broken questionnaire is reported when it is validated itself
        with contextlib.suppress(QuestionnaireError):
            questionnaire = load(sibling)
    try:
        cases = load_cases(path, questionnaire)
    except ScriptError as error:
        report.append({"file": str(path), "valid": False, "kind": "script",
                       "errors": [d.as_dict() for d in error.diagnostics]})
        if not as_json:
            for diagnostic in error.diagnostics:
                click.echo(str(diagnostic))
        return False
    report.append({"file": str(path), "valid": True, "kind": "script", "errors": [],
                   "cases": len(cases)})
    if not as_json:
        against = f", checked against {sibling.name}" if questionnaire else ""
        click.echo(f"{path}: ok (scripted interviews, {len(cases)} cases{against})")
    return True


def _is_script(path: Path, error: QuestionnaireError) -> bool:
    """Whether a file the questionnaire loader refused as not a mapping has a YAML list at
    its top level, as a script has. Unreadable or broken files stay the loader's to report."""
    if not any(diagnostic.code == "not_mapping" for diagnostic in error.diagnostics):
        return False
    try:
        document, _ = read_yaml(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError):
        return False
    return document is not None and isinstance(document.data, list)
