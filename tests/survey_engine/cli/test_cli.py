"""The command line as authors use it: validate, interview test/run, help and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey_engine.cli import main

DATA = Path(__file__).resolve().parents[2] / "data"
QUESTIONNAIRES = Path(__file__).resolve().parents[3] / "questionnaires"


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.output


def test_validate_reports_and_exits(reference_dir: Path) -> None:
    code, output = run("validate", str(reference_dir / "energy-satisfaction.yaml"))
    assert code == 0 and "ok (energy-satisfaction v1, 8 questions)" in output
    code, output = run("validate", str(reference_dir / "energy-satisfaction.yaml"),
                       str(DATA / "broken.yaml"))
    assert code == 1
    assert f"{DATA / 'broken.yaml'}:20:15: '01' is read by YAML 1.1" in output
    assert "1 valid, 1 invalid" in output


def test_validate_json_for_tools(reference_dir: Path) -> None:
    code, output = run("validate", "--json", str(DATA / "broken.yaml"),
                       str(reference_dir / "energy-satisfaction.yaml"))
    assert code == 1
    broken, reference = json.loads(output)
    assert broken["valid"] is False and reference["valid"] is True
    first = broken["errors"][0]
    assert set(first) == {"file", "line", "column", "code", "message"}
    assert (first["line"], first["column"], first["code"]) == (1, 16, "string_pattern_mismatch")


def test_interview_test_passes_the_contract(reference_dir: Path) -> None:
    code, output = run("interview", "test", str(reference_dir / "energy-satisfaction.yaml"),
                       str(reference_dir / "paths.yaml"))
    assert code == 0, output
    assert output.count(": passed") == 6


def test_interview_test_json_has_the_contract_fields(reference_dir: Path) -> None:
    code, output = run("interview", "test", str(reference_dir / "energy-satisfaction.yaml"),
                       str(reference_dir / "paths.yaml"), "--json")
    assert code == 0
    cases = json.loads(output)
    assert [set(c) for c in cases] == [{"name", "path", "outcome", "rejected", "texts",
                                        "passed"}] * 6
    invalid = next(c for c in cases if c["name"].startswith("invalid answers"))
    assert {r["question"] for r in invalid["rejected"]} == {
        "satisfaction", "reasons", "nps", "household_size", "verify_email"}
    assert all(r["message"] for r in invalid["rejected"])
    detractor = next(c for c in cases if c["name"].startswith("unhappy"))
    assert detractor["texts"]["nps_why"] == \
        "Qu'est-ce qui justifie principalement votre note de 3 ?"


def test_interview_test_names_the_first_difference(tmp_path: Path, reference_dir: Path) -> None:
    script = tmp_path / "wrong.yaml"
    script.write_text(
        "- name: expects the wrong path\n"
        "  contact: {first_name: Jan, customer_since: 2021-06-15, email: '', postcode: '9120'}\n"
        "  answers: {consent: yes, satisfaction: 4, nps: 9, household_size: 2, region: 2}\n"
        "  path: [consent, satisfaction, reasons, nps, household_size, region]\n"
        "  outcome: complete\n"
        "- name: answer refused\n"
        "  contact: {first_name: Jan, customer_since: 2021-06-15, email: '', postcode: '9120'}\n"
        "  answers: {consent: yes, satisfaction: 9}\n", encoding="utf-8")
    code, output = run("interview", "test", str(reference_dir / "energy-satisfaction.yaml"),
                       str(script))
    assert code == 1
    assert "expects the wrong path: FAILED: path differs at step 3: expected reasons, got nps" \
        in output
    assert "answer refused: FAILED: satisfaction: the answer 9 was refused" in output


def test_malformed_script_is_reported_with_positions(tmp_path: Path,
                                                     reference_dir: Path) -> None:
    script = tmp_path / "bad.yaml"
    script.write_text("- name: x\n  anwsers: {}\n", encoding="utf-8")
    code, output = run("interview", "test", str(reference_dir / "energy-satisfaction.yaml"),
                       str(script))
    assert code == 1
    assert "bad.yaml:2:3: unknown key 'anwsers' (did you mean 'answers'?)" in output


def test_language_not_offered_is_refused(reference_dir: Path) -> None:
    code, output = run("interview", "test", str(reference_dir / "energy-satisfaction.yaml"),
                       str(reference_dir / "paths.yaml"), "--lang", "de")
    assert code == 1
    assert "not offered in 'de'" in output


def test_interview_run_in_the_terminal(reference_dir: Path, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    answers = "\n".join(["1", "9", "4", "7", "1", "2,5", "3", "!", "3"]) + "\n"
    code, output = run("interview", "run", str(reference_dir / "energy-satisfaction.yaml"),
                       "--contact", "first_name=Marie", "--contact", "customer_since=2019-03-01",
                       "--contact", "email=marie@example.be", "--contact", "postcode=1000",
                       "--save", str(state), input=answers)
    assert code == 0, output
    assert "Bonjour Marie" in output
    # refusals are explained in the interview's language
    assert "Veuillez choisir l’une des options lues." in output       # 9 refused
    assert "Veuillez donner un nombre entier." in output             # 2,5 refused
    assert "Un refus n’est pas accepté pour cette question." in output  # ! at region
    assert "Merci beaucoup pour votre temps" in output
    assert "Outcome: complete" in output
    saved = json.loads(state.read_text("utf-8"))
    assert saved["history"] == ["consent", "satisfaction", "nps", "verify_email",
                                "household_size", "region"]
    assert saved["answers"]["verify_email"] == {"confirmed": True}
    assert saved["answers"]["household_size"] == 3
    assert saved["answers"]["region"] == 3


@pytest.mark.parametrize("command", [[], ["validate"], ["interview"], ["interview", "test"],
                                     ["interview", "run"], ["i18n"], ["i18n", "check"],
                                     ["demo"], ["db"], ["db", "upgrade"], ["db", "status"],
                                     ["contacts"], ["contacts", "import"],
                                     ["contacts", "do-not-call"], ["contacts", "exclude"],
                                     ["dispatch"], ["dispatch", "next"],
                                     ["dispatch", "backlog"], ["centre"], ["centre", "load"],
                                     ["campaigns"], ["campaigns", "list"],
                                     ["campaigns", "start"], ["campaigns", "pause"],
                                     ["campaigns", "resume"], ["campaigns", "finish"],
                                     ["campaigns", "close-quota"], ["serve"], ["worker"],
                                     ["dialing"], ["dialing", "stop"], ["dialing", "resume"],
                                     ["dialing", "status"], ["demo", "--tour"],
                                     ["users"], ["users", "hash"]])
def test_every_command_has_help(command: list[str]) -> None:
    code, output = run(*command, "--help")
    assert code == 0
    assert "Usage:" in output and len(output.splitlines()) > 5


def test_installed_console_script() -> None:
    executable = shutil.which("survey-engine") or str(Path(sys.executable).with_name(
        "survey-engine"))
    done = subprocess.run([executable, "--version"], capture_output=True, text=True,
                          check=True)
    assert done.stdout.startswith("survey-engine, version")


def test_validate_checks_scripted_interview_files(tmp_path: Path) -> None:
    good = tmp_path / "x.interviews.yaml"
    good.write_text("- name: one\n  answers: {a: 1}\n", encoding="utf-8")
    bad = tmp_path / "y.interviews.yaml"
    bad.write_text("- name: one\n  outcome: [complete]\n", encoding="utf-8")
    code, output = run("validate", str(good), str(bad))
    assert code == 1
    assert "x.interviews.yaml: ok (scripted interviews, 1 cases)" in output
    assert f"{bad}:2:12: outcome: ['complete'] is not one of 'complete', 'refusal'" in output


def test_validate_checks_a_script_against_its_questionnaire(tmp_path: Path) -> None:
    for path in (QUESTIONNAIRES / "market-study.yaml",
                 QUESTIONNAIRES / "market-study.interviews.yaml"):
        shutil.copy(path, tmp_path / path.name)
    script = tmp_path / "market-study.interviews.yaml"
    text = script.read_text("utf-8").replace("consent:", "consnt:", 1)
    script.write_text(text + "\n- name: typo everywhere\n  quota_counts: {nobody: 1}\n"
                      "  path: [consent, agee]\n  piped: {age: {xx: Hallo}}\n",
                      encoding="utf-8")
    code, output = run("validate", str(script))
    assert code == 1
    lines = [line.removeprefix(f"{script}:") for line in output.splitlines()]
    assert "7:5: answers: 'consnt' is not a question that takes an answer in market-study " \
           "(did you mean 'consent'?)" in lines
    assert any(line.endswith("quota_counts: 'nobody' is not a quota in market-study")
               for line in lines)
    assert any(line.endswith("path: 'agee' is not a question in market-study") for line in lines)
    assert any("piped: market-study is not offered in 'xx'" in line for line in lines)
    # interview test refuses the same script before running anything
    code, output = run("interview", "test", str(tmp_path / "market-study.yaml"), str(script))
    assert code == 1 and "'consnt' is not a question" in output and "passed" not in output


def test_a_list_of_cases_is_validated_as_a_script(reference_dir: Path) -> None:
    code, output = run("validate", str(reference_dir / "paths.yaml"))
    assert code == 0, output
    assert "paths.yaml: ok (scripted interviews," in output


def test_interview_test_json_reports_a_refused_language_as_json(reference_dir: Path) -> None:
    code, output = run("interview", "test", str(reference_dir / "energy-satisfaction.yaml"),
                       str(reference_dir / "paths.yaml"), "--lang", "de", "--json")
    assert code == 1
    assert json.loads(output)["error"] == "language_not_offered"


def test_an_empty_language_is_a_usage_error(reference_dir: Path) -> None:
    code, output = run("interview", "test", str(reference_dir / "energy-satisfaction.yaml"),
                       str(reference_dir / "paths.yaml"), "--lang", "")
    assert code == 2 and "Invalid value for '--lang'" in output


def test_end_of_input_stops_the_terminal_interview_and_saves(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    code, output = run("interview", "run", str(QUESTIONNAIRES / "market-study.yaml"),
                       "--lang", "ru", "--contact", "phone=+32470123456",
                       "--contact", "postcode=1000", "--save", str(state), input="1\n")
    assert code == 0, output
    assert "    1  да\n    2  нет" in output  # yes/no as the respondent hears them
    saved = json.loads(state.read_text("utf-8"))
    assert saved["answers"] == {"consent": True} and saved["outcome"] is None


def test_users_hash_prints_an_argon2_hash_of_the_secret_typed_twice() -> None:
    from dialer.passwords import verify_secret

    code, output = run("users", "hash", "--pin", input="4821\n4821\n")
    assert code == 0
    hashed = output.strip().splitlines()[-1]
    assert hashed.startswith("$argon2id$") and verify_secret(hashed, "4821")
    assert "4821" not in hashed
    code, output = run("users", "hash", input="short\nshort\n")
    assert code == 2 and "10 to 200 characters" in output
