"""The interview engine: flow, refusals in the interview language, going back, option order,
progress, and resuming from JSON in another request or process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from survey_engine.errors import InterviewError
from survey_engine.expressions import DONT_KNOW, REFUSED
from survey_engine.i18n.catalog import source_wording
from survey_engine.i18n.messages import translations
from survey_engine.interview import Interview
from survey_engine.questionnaire.loader import load, loads

SURVEY = """\
questionnaire: engine-test
version: 3
title: Test
source_language: {lang}
languages: [{lang}]
contact_fields:
  first_name: {{type: text}}
  since: {{type: date}}
  balance: {{type: number, required: false}}
intro: Hello {{contact.first_name}}, client since {{contact.since}}, balance {{contact.balance}}.
questions:
  - id: welcome
    type: info
    text: This call may be recorded.
  - id: brands
    type: multi_choice
    text: Which brands?
    randomize: true
    options:
      1: Alpha
      2: Beta
      3: Gamma
      4: Delta
      5: Epsilon
      6: {{label: Other, specify: true, fixed: true}}
      7: {{label: None of these, exclusive: true, fixed: true}}
  - id: spend
    type: number
    text: How much per month?
    min: 0
    max: 100000
    allow: [dont_know]
  - id: echo
    type: text
    text: You said {{spend}} and {{brands}}.
  - id: visit
    type: date
    text: When did you last visit?
  - id: again
    type: yes_no
    text: Again, {{visit}}?
    end_if: not again
    end_outcome: refusal
"""


def survey(lang: str = "en"):  # type: ignore[no-untyped-def]
    return loads(SURVEY.format(lang=lang), "engine-test.yaml")


CONTACT = {"first_name": "Ayşe", "since": "2019-03-01", "balance": "1234.5"}


def start(lang: str = "en", seed: str = "s1") -> Interview:
    questionnaire = survey(lang)
    return Interview.start(questionnaire, source_wording(questionnaire), CONTACT, seed=seed)


def test_full_path_with_info_question() -> None:
    interview = start()
    assert interview.current().question_id == "welcome"  # type: ignore[union-attr]
    assert interview.answer(None).accepted
    assert interview.answer([2, {"code": 6, "specify": "Zeta"}]).accepted
    assert interview.answer_text("250.5").accepted
    assert interview.current().text == "You said 250.5 and Beta and Zeta."  # type: ignore
    assert interview.answer("Fine").accepted
    assert interview.answer("2024-05-17").accepted
    assert interview.current().text == "Again, 17 May 2024?"  # type: ignore[union-attr]
    assert interview.answer(True).accepted
    assert interview.outcome == "complete"
    assert interview.path == ["welcome", "brands", "spend", "echo", "visit", "again"]
    assert interview.current() is None
    with pytest.raises(InterviewError) as caught:
        interview.answer(1)
    assert caught.value.code == "interview_ended"


def test_end_if_gives_its_outcome() -> None:
    interview = start()
    for value in (None, [1], 10, "x", "2024-01-01", False):
        assert interview.answer(value).accepted
    assert interview.outcome == "refusal"


@pytest.mark.parametrize(("value", "fragment"), [
    ([7, 1], "cannot be combined"),
    ([], "at least 1"),
    ([1, 1], "twice"),
    ([6], "Other"),
    ([9], "options read out"),
    (REFUSED, "refusal is not accepted"),
])
def test_refusals_name_the_rule(value: object, fragment: str) -> None:
    interview = start()
    interview.answer(None)
    step = interview.answer(value)
    assert not step.accepted
    assert fragment in (step.message or "")
    assert interview.current().question_id == "brands"  # type: ignore[union-attr]


def test_special_answer_where_allowed_and_piped_as_a_word() -> None:
    interview = start()
    interview.answer(None)
    interview.answer([3])
    assert interview.answer(DONT_KNOW).accepted
    assert interview.answers["spend"] == {"special": "dont_know"}
    assert interview.current().text == "You said don't know and Gamma."  # type: ignore


def test_refusal_is_read_in_the_interview_language() -> None:
    interview = start("fr")
    interview.answer(None)
    step = interview.answer([7, 1])
    english = "“%(label)s” cannot be combined with other answers."
    french = translations("fr").gettext(english)
    assert french != english, "the French messages catalog must translate this"
    assert step.message == french % {"label": "None of these"}


def test_back_withdraws_the_answer_and_reopens_a_finished_interview() -> None:
    interview = start()
    with pytest.raises(InterviewError) as caught:
        interview.back()
    assert caught.value.code == "no_previous"
    for value in (None, [1], 10, "x", "2024-01-01", False):
        interview.answer(value)
    assert interview.outcome == "refusal"
    prompt = interview.back()
    assert prompt.question_id == "again" and interview.outcome is None
    assert "again" not in interview.answers
    interview.back()
    assert interview.current().question_id == "visit"  # type: ignore[union-attr]
    assert "visit" not in interview.answers


def test_randomized_order_is_per_respondent_recorded_and_keeps_fixed_options() -> None:
    orders = set()
    for seed in range(30):
        interview = start(seed=str(seed))
        interview.answer(None)
        shown = [option.code for option in interview.current().options]  # type: ignore
        assert shown[-2:] == [6, 7]
        assert sorted(shown[:5]) == [1, 2, 3, 4, 5]
        assert interview.state.orders["brands"] == shown
        orders.add(tuple(shown))
    assert len(orders) > 10
    again = start(seed="7")
    again.answer(None)
    first = start(seed="7")
    first.answer(None)
    assert again.current() == first.current()


def test_a_state_after_going_back_resumes() -> None:
    """Back from a question already shown (its options in their order): the state resumes in
    another request, and the question comes back in the order the seed gives."""
    interview = start(seed="7")
    interview.answer(None)
    shown = interview.current()
    interview.back()
    assert "brands" not in interview.state.orders
    questionnaire = survey()
    resumed = Interview.resume(questionnaire, source_wording(questionnaire),
                               interview.to_json())
    assert resumed.to_json() == interview.to_json()
    resumed.answer(None)
    assert resumed.current() == shown


def test_a_state_written_before_going_back_dropped_orders_still_resumes() -> None:
    """Interviews stored by an engine that kept the order of a question left behind by going
    back resume, without that order; one forged for a question on the path is refused."""
    interview = start(seed="7")
    interview.answer(None)
    kept = interview.state.orders["brands"]
    interview.back()
    stale = json.loads(interview.to_json())
    stale["orders"]["brands"] = kept
    questionnaire = survey()
    resumed = Interview.resume(questionnaire, source_wording(questionnaire), json.dumps(stale))
    assert resumed.state.orders == {} and resumed.current().question_id == "welcome"  # type: ignore[union-attr]
    interview.answer(None)
    forged = json.loads(interview.to_json())
    forged["orders"]["brands"] = list(reversed(kept))
    with pytest.raises(InterviewError) as caught:
        Interview.resume(questionnaire, source_wording(questionnaire), json.dumps(forged))
    assert caught.value.code == "bad_state"


def test_state_round_trips_through_json_in_another_request() -> None:
    interview = start(seed="resume")
    interview.answer(None)
    interview.answer([2, 4])
    text = interview.to_json()
    questionnaire = survey()
    resumed = Interview.resume(questionnaire, source_wording(questionnaire), text)
    assert resumed.path == interview.path
    assert resumed.current() == interview.current()
    assert resumed.answer_text("12").accepted
    assert resumed.current().text == "You said 12 and Beta and Delta."  # type: ignore


def test_state_resumes_in_another_process(tmp_path: Path) -> None:
    source = tmp_path / "engine-test.yaml"
    source.write_text(SURVEY.format(lang="en"), encoding="utf-8")
    questionnaire = load(source)
    interview = Interview.start(questionnaire, source_wording(questionnaire), CONTACT,
                                seed="proc")
    interview.answer(None)
    interview.answer([5])
    state = tmp_path / "state.json"
    state.write_text(interview.to_json(), encoding="utf-8")
    program = textwrap.dedent(f"""
        from pathlib import Path
        from survey_engine.i18n.catalog import source_wording
        from survey_engine.interview import Interview
        from survey_engine.questionnaire.loader import load
        q = load({str(source)!r})
        i = Interview.resume(q, source_wording(q), Path({str(state)!r}).read_text())
        for value in ("99", "ok", "2023-12-31", "1"):
            assert i.answer_text(value).accepted, value
        print(i.outcome, ",".join(i.path))
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["complete", "welcome,brands,spend,echo,visit,again"]


def test_state_of_another_questionnaire_is_refused() -> None:
    interview = start()
    data = json.loads(interview.to_json())
    data["version"] = 2
    questionnaire = survey()
    with pytest.raises(InterviewError) as caught:
        Interview.resume(questionnaire, source_wording(questionnaire), json.dumps(data))
    assert caught.value.code == "wrong_questionnaire"
    with pytest.raises(InterviewError) as caught:
        Interview.resume(questionnaire, source_wording(questionnaire), "{not json")
    assert caught.value.code == "bad_state"


def test_bad_contact_is_refused() -> None:
    questionnaire = survey()
    with pytest.raises(InterviewError) as caught:
        Interview.start(questionnaire, source_wording(questionnaire),
                        {"first_name": "A", "since": "yesterday"}, seed="x")
    assert caught.value.code == "bad_contact"


def test_progress_counts_up_to_the_end() -> None:
    interview = start()
    assert interview.progress().answered == 0
    assert interview.progress().remaining == 6
    for value in (None, [1], 10, "x", "2024-01-01", True):
        interview.answer(value)
    assert interview.progress().percent == 100


def test_number_typed_the_local_way() -> None:
    french = start("fr")
    french.answer(None)
    french.answer([1])
    assert french.answer_text("2,5").accepted
    assert french.answers["spend"] == "2.5"
    dutch = start("nl")
    dutch.answer(None)
    dutch.answer([1])
    assert not dutch.answer_text("2.5").accepted  # a Dutch "2.5" is ambiguous: refused
    assert dutch.answer_text("1.234,5").accepted
    assert dutch.answers["spend"] == "1234.5"
