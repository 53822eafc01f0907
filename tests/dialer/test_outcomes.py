"""AAPOR dispositions: the telephone table, one attempt's code, retries and the final code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest

from dialer.errors import DialerError
from dialer.outcomes import (
    DEFAULT_RETRY_DELAYS,
    DISPOSITIONS,
    PARTIAL_SHARE,
    REFUSAL_CONVERSION_SKILL,
    CallEnding,
    Final,
    RateGroup,
    Retry,
    attempt_disposition,
    disposition,
    final_disposition,
    next_step,
)

MINUTE, HOUR, DAY = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)

SETTLED_AT_ONCE = {"1.0", "1.1", "2.112", "2.31", "2.32", "2.331", "2.332"} | {
    code for code in DISPOSITIONS if code.startswith("4.") and code != "4.33"}


# --- the table ---------------------------------------------------------------------------


def test_the_table_holds_the_telephone_codes_in_order() -> None:
    codes = list(DISPOSITIONS)
    assert codes[:3] == ["1.0", "1.1", "1.2"]
    assert codes[-1] == "4.90"
    assert len(codes) == 50
    for must in ("2.111", "2.112", "2.221", "2.222", "2.333", "3.161", "3.21", "4.33", "4.80"):
        assert must in DISPOSITIONS
    assert all(entry.code == code for code, entry in DISPOSITIONS.items())


@pytest.mark.parametrize(("code", "label"), [
    ("1.1", "Complete"),
    ("1.2", "Partial"),
    ("2.111", "Household-level refusal"),
    ("2.112", "Known-respondent refusal"),
    ("2.12", "Break-off"),
    ("2.21", "Respondent never available"),
    ("2.332", "Respondent language problem"),
    ("2.333", "No interviewer available for needed language"),
    ("3.11", "Not attempted or worked"),
    ("3.12", "Always busy"),
    ("3.13", "No answer"),
    ("3.16", "Technical phone problems"),
    ("4.20", "Fax/data line"),
    ("4.32", "Disconnected number"),
    ("4.33", "Number temporarily out of service"),
    ("4.70", "No eligible respondent"),
    ("4.80", "Quota filled"),
])
def test_labels_are_aapor_s(code: str, label: str) -> None:
    assert disposition(code).label == label


def _expected_group(code: str) -> RateGroup:
    if code in ("1.0", "1.1"):
        return RateGroup.INTERVIEW
    if code == "1.2":
        return RateGroup.PARTIAL
    if code.startswith("2.1"):
        return RateGroup.REFUSAL
    if code.startswith("2.2"):
        return RateGroup.NON_CONTACT
    if code.startswith(("2.3", "2.0")):
        return RateGroup.OTHER
    if code.startswith("3.1"):
        return RateGroup.UNKNOWN_HOUSEHOLD
    if code.startswith("3."):
        return RateGroup.UNKNOWN_OTHER
    return RateGroup.NOT_ELIGIBLE


@pytest.mark.parametrize("code", list(DISPOSITIONS))
def test_every_code_is_in_its_rate_group(code: str) -> None:
    assert disposition(code).group is _expected_group(code)


@pytest.mark.parametrize("code", list(DISPOSITIONS))
def test_which_codes_settle_a_contact_at_once(code: str) -> None:
    assert disposition(code).final_at_once is (code in SETTLED_AT_ONCE)


@pytest.mark.parametrize("code", ["9.9", "2.1111", "", " 1.1", "busy", "3.17"])
def test_an_unknown_code_is_refused_by_name(code: str) -> None:
    with pytest.raises(DialerError) as refused:
        disposition(code)
    assert refused.value.code == "unknown_disposition"
    assert repr(code) in refused.value.message
    assert "4.x not eligible" in refused.value.message


def test_the_tables_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        DISPOSITIONS["9.9"] = DISPOSITIONS["1.1"]  # type: ignore[index]
    with pytest.raises(TypeError):
        DEFAULT_RETRY_DELAYS["3.13"] = MINUTE  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        disposition("1.1").final_at_once = False  # type: ignore[misc]


# --- one attempt -------------------------------------------------------------------------

FIXED_ENDINGS = {
    CallEnding.BUSY: "3.12",
    CallEnding.NO_ANSWER: "3.13",
    CallEnding.ANSWERING_MACHINE: "3.14",
    CallEnding.NON_WORKING: "4.31",
    CallEnding.DISCONNECTED: "4.32",
    CallEnding.TEMPORARILY_OUT_OF_SERVICE: "4.33",
    CallEnding.FAX: "4.20",
    CallEnding.NETWORK_FAILURE: "3.16",
    CallEnding.CALL_BLOCKED: "3.15",
    CallEnding.COMPLETE: "1.1",
    CallEnding.APPOINTMENT: "2.21",
    CallEnding.RESPONDENT_UNAVAILABLE: "2.21",
    CallEnding.LANGUAGE_PROBLEM: "2.332",
    CallEnding.NO_AGENT_FOR_LANGUAGE: "2.333",
    CallEnding.QUOTA_FULL: "4.80",
    CallEnding.SCREENED_OUT: "4.70",
    CallEnding.DIAL_REFUSED: "3.11",
    CallEnding.WITHDRAWN: "3.11",
    CallEnding.ASKED_NOT_TO_BE_CALLED: "2.112",
}


@pytest.mark.parametrize(("ending", "code"), list(FIXED_ENDINGS.items()))
def test_an_ending_gives_its_code(ending: CallEnding, code: str) -> None:
    assert attempt_disposition(ending) == code
    assert attempt_disposition(ending, answered_share=1.0, earlier_codes=["2.111"]) == code


@pytest.mark.parametrize("ending", list(CallEnding))
def test_every_ending_maps_to_a_table_code(ending: CallEnding) -> None:
    assert attempt_disposition(ending) in DISPOSITIONS
    assert attempt_disposition(ending, answered_share=0.9, earlier_codes=["2.111"]) in DISPOSITIONS


def test_only_break_off_and_refusal_depend_on_more_than_the_ending() -> None:
    assert set(CallEnding) - set(FIXED_ENDINGS) == {CallEnding.BREAK_OFF, CallEnding.REFUSAL}


@pytest.mark.parametrize(("share", "code"), [
    (0.0, "2.12"), (0.49, "2.12"), (PARTIAL_SHARE, "1.2"), (0.8, "1.2"), (1.0, "1.2")])
def test_a_break_off_is_partial_from_half_the_questionnaire(share: float, code: str) -> None:
    assert PARTIAL_SHARE == 0.5
    assert attempt_disposition(CallEnding.BREAK_OFF, answered_share=share) == code


@pytest.mark.parametrize("share", [-0.01, 1.01, math.nan, math.inf])
def test_a_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(DialerError) as refused:
        attempt_disposition(CallEnding.BREAK_OFF, answered_share=share)
    assert refused.value.code == "bad_share"


@pytest.mark.parametrize(("earlier", "code"), [
    ((), "2.111"),
    (("3.13", "3.12"), "2.111"),
    (("2.12",), "2.111"),        # a break-off is not a refusal
    (("1.2",), "2.111"),
    (("2.111",), "2.112"),
    (("3.13", "2.111", "3.13"), "2.112"),
    (("2.11",), "2.112"),
    (("2.112",), "2.112"),
])
def test_a_refusal_is_hard_after_an_earlier_refusal(earlier: tuple[str, ...], code: str) -> None:
    assert attempt_disposition(CallEnding.REFUSAL, earlier_codes=earlier) == code


def test_unknown_earlier_codes_are_refused() -> None:
    with pytest.raises(DialerError) as refused:
        attempt_disposition(CallEnding.REFUSAL, earlier_codes=["refused"])
    assert refused.value.code == "unknown_disposition"


# --- retry or settle ---------------------------------------------------------------------

@pytest.mark.parametrize(("code", "delay"), [
    ("3.12", 15 * MINUTE),
    ("3.13", 4 * HOUR),
    ("3.14", DAY),
    ("2.12", DAY),
    ("1.2", DAY),
    ("3.16", 10 * MINUTE),
    ("3.15", DAY),
    ("2.21", 2 * HOUR),
    ("4.33", DAY),
    ("3.11", HOUR),
])
def test_default_waits(code: str, delay: dt.timedelta) -> None:
    assert DEFAULT_RETRY_DELAYS[code] == delay
    assert next_step(code, attempts_made=1, max_attempts=6) == Retry(delay)


def test_a_soft_refusal_goes_to_a_refusal_converter_after_three_days() -> None:
    assert next_step("2.111", attempts_made=2, max_attempts=6) == Retry(
        3 * DAY, needs_skill=REFUSAL_CONVERSION_SKILL)
    assert REFUSAL_CONVERSION_SKILL == "refusal_conversion"


def test_only_a_soft_refusal_needs_a_skill() -> None:
    for code in DEFAULT_RETRY_DELAYS:
        step = next_step(code, attempts_made=1, max_attempts=6)
        assert isinstance(step, Retry)
        assert step.needs_skill == (REFUSAL_CONVERSION_SKILL if code == "2.111" else None)
        assert step.same_agent is False


@pytest.mark.parametrize("code", sorted(SETTLED_AT_ONCE))
def test_a_settling_code_is_final_at_once_whatever_the_rules(code: str) -> None:
    assert next_step(code, attempts_made=1, max_attempts=10,
                     delays={code: HOUR}) == Final(code)


def test_a_hard_refusal_after_a_soft_one_is_final() -> None:
    first = attempt_disposition(CallEnding.REFUSAL)
    assert isinstance(next_step(first, attempts_made=1, max_attempts=6), Retry)
    second = attempt_disposition(CallEnding.REFUSAL, earlier_codes=[first])
    assert second == "2.112"
    assert next_step(second, attempts_made=2, max_attempts=6,
                     earlier_codes=[first]) == Final("2.112")


@pytest.mark.parametrize("code", ["2.333", "2.22", "2.34", "3.20", "3.90"])
def test_a_code_without_a_wait_is_final(code: str) -> None:
    assert code not in DEFAULT_RETRY_DELAYS
    assert next_step(code, attempts_made=1, max_attempts=6) == Final(code)


def test_a_code_without_a_wait_keeps_a_more_informative_earlier_outcome() -> None:
    assert next_step("2.333", attempts_made=2, max_attempts=6,
                     earlier_codes=["2.111"]) == Final("2.111")


def test_campaign_waits_replace_the_defaults_code_by_code() -> None:
    rules = {"3.13": 90 * MINUTE, "2.333": 2 * DAY, "2.111": 7 * DAY}
    assert next_step("3.13", attempts_made=1, max_attempts=6, delays=rules) == Retry(90 * MINUTE)
    assert next_step("3.12", attempts_made=1, max_attempts=6, delays=rules) == Retry(15 * MINUTE)
    assert next_step("2.333", attempts_made=1, max_attempts=6, delays=rules) == Retry(2 * DAY)
    assert next_step("2.111", attempts_made=1, max_attempts=6, delays=rules) == Retry(
        7 * DAY, needs_skill=REFUSAL_CONVERSION_SKILL)
    assert next_step("3.13", attempts_made=1, max_attempts=6, delays={}) == Retry(4 * HOUR)


def test_a_zero_wait_is_a_retry() -> None:
    assert next_step("3.12", attempts_made=1, max_attempts=2,
                     delays={"3.12": dt.timedelta(0)}) == Retry(dt.timedelta(0))


@pytest.mark.parametrize(("earlier", "code", "final"), [
    (["2.111", "3.13"], "3.13", "2.111"),
    (["3.12", "3.12"], "3.12", "3.12"),
    (["3.12", "3.13"], "3.12", "3.13"),
    (["1.2", "3.13"], "3.13", "1.2"),
    (["3.14"], "3.13", "3.14"),
    ([], "3.13", "3.13"),
])
def test_when_attempts_run_out_the_most_informative_code_is_final(
        earlier: list[str], code: str, final: str) -> None:
    attempts = len(earlier) + 1
    assert next_step(code, attempts_made=attempts, max_attempts=attempts,
                     earlier_codes=earlier) == Final(final)
    assert next_step(code, attempts_made=attempts + 1, max_attempts=attempts,
                     earlier_codes=earlier) == Final(final)


def test_a_partial_is_resumed_until_the_attempts_run_out() -> None:
    assert next_step("1.2", attempts_made=1, max_attempts=3) == Retry(DAY)
    assert next_step("1.2", attempts_made=2, max_attempts=3, earlier_codes=["3.13"]) == Retry(DAY)
    assert next_step("1.2", attempts_made=3, max_attempts=3,
                     earlier_codes=["3.13", "1.2"]) == Final("1.2")


def test_a_contact_s_life_from_busy_to_hard_refusal() -> None:
    endings = [CallEnding.BUSY, CallEnding.NO_ANSWER, CallEnding.REFUSAL, CallEnding.REFUSAL]
    codes: list[str] = []
    steps: list[Retry | Final] = []
    for number, ending in enumerate(endings, start=1):
        code = attempt_disposition(ending, earlier_codes=codes)
        steps.append(next_step(code, attempts_made=number, max_attempts=6, earlier_codes=codes))
        codes.append(code)
    assert codes == ["3.12", "3.13", "2.111", "2.112"]
    assert steps == [Retry(15 * MINUTE), Retry(4 * HOUR),
                     Retry(3 * DAY, needs_skill=REFUSAL_CONVERSION_SKILL), Final("2.112")]


@pytest.mark.parametrize(("attempts_made", "max_attempts"), [(0, 6), (-1, 6), (1, 0), (3, -2)])
def test_nonsense_attempt_counts_are_refused(attempts_made: int, max_attempts: int) -> None:
    for code in ("3.13", "1.1"):
        with pytest.raises(DialerError) as refused:
            next_step(code, attempts_made=attempts_made, max_attempts=max_attempts)
        assert refused.value.code == "bad_attempts"


@pytest.mark.parametrize(("code", "earlier"), [("3.99", ()), ("3.13", ("busy",)), ("x", ())])
def test_next_step_refuses_unknown_codes(code: str, earlier: tuple[str, ...]) -> None:
    with pytest.raises(DialerError) as refused:
        next_step(code, attempts_made=1, max_attempts=6, earlier_codes=earlier)
    assert refused.value.code == "unknown_disposition"


def test_a_negative_wait_is_refused() -> None:
    with pytest.raises(DialerError) as refused:
        next_step("3.13", attempts_made=1, max_attempts=6, delays={"3.13": -MINUTE})
    assert refused.value.code == "bad_delay"


# --- the final code ----------------------------------------------------------------------

@pytest.mark.parametrize(("codes", "final"), [
    ([], "3.11"),
    (["3.11"], "3.11"),
    (["2.111", "3.13", "3.13"], "2.111"),           # refusal then no answers: refusal
    (["3.12", "3.12", "3.12"], "3.12"),             # always busy
    (["3.12", "3.13", "3.12"], "3.13"),             # busy and no answer: no answer
    (["3.11", "3.12", "3.11"], "3.12"),             # refused dials are not attempts
    (["1.2", "3.13", "3.13"], "1.2"),               # partial then no answer: partial
    (["3.13", "3.14", "3.13"], "3.14"),             # answering machine beats no answer
    (["3.12", "3.16"], "3.16"),
    (["3.16", "3.13"], "3.13"),
    (["3.15", "3.16"], "3.16"),                     # equals: the later is kept
    (["3.16", "3.15"], "3.15"),
    (["3.13", "4.33", "3.13"], "4.33"),             # ineligibility found on any attempt
    (["3.14", "4.31"], "4.31"),
    (["3.20", "3.14"], "3.20"),
    (["4.33", "2.21"], "2.21"),
    (["2.21", "2.34"], "2.34"),
    (["2.35", "2.332"], "2.332"),
    (["2.332", "2.333"], "2.333"),
    (["2.333", "2.12"], "2.12"),
    (["2.12", "2.111"], "2.111"),
    (["2.111", "2.11"], "2.11"),
    (["2.111", "2.112", "3.13"], "2.112"),
    (["2.112", "1.2"], "1.2"),
    (["1.2", "1.1"], "1.1"),
])
def test_final_disposition_keeps_the_most_informative_outcome(
        codes: list[str], final: str) -> None:
    assert final_disposition(codes) == final


@pytest.mark.parametrize("code", list(DISPOSITIONS))
def test_every_code_alone_is_its_own_final(code: str) -> None:
    assert final_disposition([code]) == code
    assert final_disposition(["3.11", code, "3.11"]) == code


def test_final_disposition_refuses_unknown_codes() -> None:
    with pytest.raises(DialerError) as refused:
        final_disposition(["3.13", "no_answer"])
    assert refused.value.code == "unknown_disposition"
    assert "'no_answer'" in refused.value.message


def test_a_partial_stays_partial_when_the_case_ends_at_once_later() -> None:
    step = next_step("2.112", attempts_made=3, max_attempts=6, earlier_codes=("1.2", "2.111"))
    assert step == Final("1.2")
    assert next_step("1.1", attempts_made=2, max_attempts=6, earlier_codes=("1.2",)) == \
        Final("1.1")
