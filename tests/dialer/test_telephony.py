"""Telephony backends: calls by attempt id through the dialer's resolver, the deterministic
simulated network, the registry of backends and the instance's choice of one."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest

from dialer.config import INSTANCE_VARIABLE
from dialer.errors import DialerError
from dialer.telephony import (
    CallSetup,
    DialRefused,
    NetworkEnding,
    RespondentBehaviour,
    SimBackend,
    SimRates,
    TelephonyBackend,
    available_backends,
    configured_backend,
    load_backend,
    telephony_settings,
)
from dialer.telephony.base import CallEvent

NOW = dt.datetime(2024, 5, 6, 9, 30, tzinfo=dt.UTC)
LONG = dt.timedelta(seconds=60)
NO_NETWORK_TROUBLE: dict[str, Any] = {name: 0.0 for name in (
    "non_working", "disconnected", "always_busy", "busy", "no_answer", "answering_machine",
    "call_blocked", "network_failure")}


def number_of(attempt_id: int, numbers: int = 1_000_000) -> str:
    """A Belgian mobile number per attempt; ``numbers`` below the attempt count repeats them."""
    return f"+32470{attempt_id % numbers:06d}"


def resolver(numbers: int = 1_000_000) -> Callable[[int, dt.datetime], str]:
    def resolve(attempt_id: int, instant: dt.datetime) -> str:
        return number_of(attempt_id, numbers)
    return resolve


def place(backend: SimBackend, attempt_id: int, *, campaign: str = "C1",
          numbers: int = 1_000_000, timeout: dt.timedelta = LONG) -> CallSetup:
    return backend.place_call(attempt_id, resolver(numbers), NOW, campaign=campaign,
                              no_answer_timeout=timeout)


def summary(setup: CallSetup) -> tuple[Any, ...]:
    return (setup.ending, setup.answered_at, setup.ended_at,
            tuple((e.kind, e.at, dict(e.data)) for e in setup.events))


def within(observed: int, total: int, expected: float) -> bool:
    """Whether a count is within four binomial standard deviations (plus a hair) of expected."""
    sigma = math.sqrt(expected * (1 - expected) / total)
    return abs(observed / total - expected) <= 4 * sigma + 0.002


# --- determinism -----------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_calls_in_any_order() -> None:
    first, second = SimBackend(seed=5), SimBackend(seed=5)
    ids = range(2_000)
    forwards = [summary(place(first, i, numbers=700)) for i in ids]
    backwards = [summary(place(second, i, numbers=700)) for i in reversed(ids)]
    assert forwards == backwards[::-1]
    # every ending but a withdrawal, which only the stop-all switch causes
    assert {s[0] for s in forwards} == set(NetworkEnding) - {NetworkEnding.WITHDRAWN}


def test_another_seed_gives_other_calls() -> None:
    five = [place(SimBackend(seed=5), i).ending for i in range(2_000)]
    six = [place(SimBackend(seed=6), i).ending for i in range(2_000)]
    assert five != six
    assert sum(a != b for a, b in zip(five, six, strict=True)) > 500


def test_a_respondent_is_the_same_every_time() -> None:
    backends = SimBackend(seed=9), SimBackend(seed=9)
    answered = [i for i in range(300) if place(backends[0], i).answered]
    for i in answered:
        place(backends[1], i)
    assert answered
    def traits(backend: SimBackend, attempt_id: int) -> tuple[Any, ...]:
        r = backend.respondent(attempt_id)
        return (r.behaviour, r.break_off_after, r.spoken_language, r.appointment_in,
                r.rng.random(), r.seconds_per_question())

    for i in answered:
        assert traits(backends[0], i) == traits(backends[1], i) == traits(backends[0], i)
    assert len({traits(backends[0], i)[4] for i in answered}) == len(answered)


# --- rates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("rates", [SimRates(), SimRates(busy=0.3, no_answer=0.2, non_working=0.1,
                                                         always_busy=0.05, call_blocked=0.05)],
                         ids=["defaults", "busy-list"])
def test_the_network_rates_are_respected(rates: SimRates) -> None:
    backend = SimBackend(seed=3, rates=rates)
    total = 20_000
    seen = Counter(place(backend, i).ending for i in range(total))
    for ending, share in rates.expected_shares().items():
        assert within(seen[ending], total, share), (ending, seen[ending] / total, share)


def test_the_defaults_resemble_a_cati_list_sample() -> None:
    shares = SimRates().expected_shares()
    assert 0.33 <= shares[NetworkEnding.ANSWERED] <= 0.38
    assert 0.32 <= shares[NetworkEnding.NO_ANSWER] <= 0.38
    assert 0.07 <= shares[NetworkEnding.BUSY] <= 0.09
    assert 0.13 <= shares[NetworkEnding.ANSWERING_MACHINE] <= 0.17
    assert math.isclose(sum(shares.values()), 1)


def test_the_respondent_rates_are_respected() -> None:
    rates = SimRates(**NO_NETWORK_TROUBLE, refusal=0.3, break_off=0.1, appointment=0.15,
                     language_problem=0.05, other_languages={"tr": 3, "ru": 1})
    backend = SimBackend(seed=4, rates=rates)
    total = 20_000
    respondents = []
    for i in range(total):  # a lenient timeout: some people let it ring a full minute
        assert place(backend, i, timeout=dt.timedelta(minutes=5)).answered
        respondents.append(backend.respondent(i))
    seen = Counter(r.behaviour for r in respondents)
    expected = {RespondentBehaviour.REFUSES: 0.3, RespondentBehaviour.BREAKS_OFF: 0.1,
                RespondentBehaviour.ASKS_APPOINTMENT: 0.15,
                RespondentBehaviour.LANGUAGE_PROBLEM: 0.05, RespondentBehaviour.COOPERATES: 0.4}
    for behaviour, share in expected.items():
        assert within(seen[behaviour], total, share), behaviour
    languages = Counter(r.spoken_language for r in respondents
                        if r.behaviour is RespondentBehaviour.LANGUAGE_PROBLEM)
    assert set(languages) == {"tr", "ru"}
    assert within(languages["tr"], languages.total(), 0.75)
    for r in respondents:
        quarters, rest = divmod(r.appointment_in, dt.timedelta(minutes=15))
        assert rest == dt.timedelta()
        if r.behaviour is RespondentBehaviour.ASKS_APPOINTMENT:
            assert 4 <= quarters <= 192
        else:
            assert quarters == 0
        assert (r.break_off_after >= 1) == (r.behaviour is RespondentBehaviour.BREAKS_OFF)
        assert (r.spoken_language is None) == (
            r.behaviour is not RespondentBehaviour.LANGUAGE_PROBLEM)
    question_seconds = sorted(respondents[0].seconds_per_question() for _ in range(2_001))
    assert 10 < question_seconds[1_000] < 14


def test_campaign_rates_apply_to_their_campaign_only() -> None:
    backend = SimBackend.from_options({"seed": 1, "rates": {"non_working": 0, "disconnected": 0},
                                       "campaigns": {"ALLBUSY": {"busy": 1, "no_answer": 0,
                                                                 "answering_machine": 0,
                                                                 "call_blocked": 0,
                                                                 "network_failure": 0}}})
    assert backend.rates_for("ALLBUSY").non_working == 0, "campaign tables refine `rates`"
    busy = Counter(place(backend, i, campaign="ALLBUSY").ending for i in range(500))
    other = Counter(place(backend, i, campaign="OTHER").ending for i in range(500))
    assert busy == {NetworkEnding.BUSY: 500}
    assert other[NetworkEnding.ANSWERED] > 100 and NetworkEnding.NON_WORKING not in other


def test_number_traits_persist_across_attempts() -> None:
    rates = SimRates(non_working=0.2, disconnected=0.1, always_busy=0.2)
    backend = SimBackend(seed=2, rates=rates)
    by_number: dict[str, set[NetworkEnding]] = {}
    for i in range(3_000):  # 300 numbers, ten attempts each
        by_number.setdefault(number_of(i, 300), set()).add(place(backend, i, numbers=300).ending)
    dead = [e for e in by_number.values() if e & {NetworkEnding.NON_WORKING,
                                                  NetworkEnding.DISCONNECTED}]
    always_busy = [e for e in by_number.values() if e == {NetworkEnding.BUSY}]
    assert 60 < len(dead) < 120 and all(len(endings) == 1 for endings in dead)
    assert 25 < len(always_busy) < 75
    assert sum(len(endings) > 2 for endings in by_number.values()) > 100


# --- the number stays with the dialer ---------------------------------------------------------

def test_a_refusing_resolver_stops_the_call_and_nothing_is_recorded() -> None:
    backend = SimBackend(seed=1, rates=SimRates(**NO_NETWORK_TROUBLE))
    asked: list[tuple[int, dt.datetime]] = []

    def refuse(attempt_id: int, instant: dt.datetime) -> str:
        asked.append((attempt_id, instant))
        raise DialRefused("do_not_call", "the respondent asked not to be called")

    before = repr(vars(backend))
    with pytest.raises(DialRefused) as refused:
        backend.place_call(17, refuse, NOW, campaign="C1", no_answer_timeout=LONG)
    assert refused.value.code == "do_not_call"
    assert asked == [(17, NOW)]
    assert repr(vars(backend)) == before and backend.live_calls() == []
    with pytest.raises(DialerError) as nothing:
        backend.respondent(17)
    assert nothing.value.code == "no_live_call"


def test_neither_events_nor_the_backend_keep_the_number() -> None:
    backend = SimBackend(seed=8)
    for i in range(2_000):
        setup = place(backend, i)
        events = list(setup.events)
        if setup.answered_at is not None:
            respondent = backend.respondent(i)
            assert number_of(i) not in repr(respondent)
            assert number_of(i)[1:] not in repr(vars(backend))
            events.append(backend.hang_up(i, setup.answered_at + LONG, by="respondent"))
        text = json.dumps([[e.kind, e.at.isoformat(), dict(e.data)] for e in events])
        assert number_of(i)[3:] not in text
        assert "+32" not in text


@pytest.mark.parametrize("returned", ["0470123456", "+32 470 12 34 56", "", 32470123456])
def test_a_resolver_answer_that_is_not_e164_is_refused_unrepeated(returned: Any) -> None:
    with pytest.raises(DialerError) as refused:
        SimBackend().place_call(1, lambda a, n: returned, NOW, campaign="C1",
                                no_answer_timeout=LONG)
    assert refused.value.code == "bad_number"
    assert str(returned) not in refused.value.message or returned == ""


# --- the course of a call --------------------------------------------------------------------

def test_events_run_on_the_callers_clock() -> None:
    brussels = NOW.astimezone(dt.timezone(dt.timedelta(hours=2)))
    backend = SimBackend(seed=11)
    for i in range(1_000):
        setup = backend.place_call(i, resolver(), brussels, campaign="C1", no_answer_timeout=LONG)
        kinds = [e.kind for e in setup.events]
        times = [e.at for e in setup.events]
        assert kinds[0] == "dial_requested" and times[0] == NOW
        assert kinds[-1] == setup.ending.value
        assert times == sorted(times) and all(t.tzinfo is dt.UTC for t in times)
        assert times[-1] - NOW == dt.timedelta(seconds=setup.events[-1].data["after_s"])
        if setup.answered:
            assert setup.answered_at == times[-1] and setup.ended_at is None
            assert kinds == ["dial_requested", "ringing", "answered"]
            backend.hang_up(i, NOW + LONG, by="agent")
        else:
            assert setup.ended_at == times[-1] and setup.answered_at is None
        if setup.ending is NetworkEnding.NO_ANSWER:
            assert setup.ended_at == NOW + LONG
        if setup.ending is NetworkEnding.BUSY:
            assert setup.ended_at is not None and setup.ended_at - NOW < dt.timedelta(seconds=8)


def test_a_short_no_answer_timeout_costs_answers() -> None:
    backend = SimBackend(seed=12, rates=SimRates(**NO_NETWORK_TROUBLE))
    short = Counter(place(backend, i, timeout=dt.timedelta(seconds=6)).ending
                    for i in range(1_000))
    assert short[NetworkEnding.NO_ANSWER] > 800
    assert all(setup.answered for setup in (place(backend, i) for i in range(1_000, 1_200)))


def test_a_time_scale_plays_the_same_calls_sooner() -> None:
    measured, fast = SimBackend(seed=4), SimBackend.from_options({"seed": 4, "time_scale": 0.05})
    endings = Counter()
    for i in range(1_000):
        slow, quick = place(measured, i), place(fast, i)
        endings[slow.ending] += 1
        assert quick.ending is slow.ending
        assert [e.kind for e in quick.events] == [e.kind for e in slow.events]
        for event, original in zip(quick.events[1:], slow.events[1:], strict=True):
            offset = (event.at - NOW).total_seconds()
            assert offset == pytest.approx((original.at - NOW).total_seconds() * 0.05,
                                           abs=0.002)
        last, original = quick.events[-1].data, slow.events[-1].data
        assert last["after_s"] == pytest.approx(original["after_s"] * 0.05, abs=0.001)
        if "ring_s" in original:
            assert last["ring_s"] == pytest.approx(original["ring_s"] * 0.05, abs=0.001)
        if slow.ending is NetworkEnding.NO_ANSWER:  # the timeout runs faster too
            assert quick.ended_at == NOW + LONG * 0.05
    assert endings[NetworkEnding.ANSWERED] > 100 and endings[NetworkEnding.NO_ANSWER] > 10


def test_hanging_up_ends_the_live_call() -> None:
    backend = SimBackend(seed=1, rates=SimRates(**NO_NETWORK_TROUBLE))
    setup = place(backend, 5)
    assert setup.answered_at is not None and backend.live_calls() == [5]
    with pytest.raises(DialerError) as twice:
        place(backend, 5)
    assert twice.value.code == "call_in_progress"
    for by, when, code in [("caller", setup.answered_at, "hangup_by"),
                           ("agent", setup.answered_at - dt.timedelta(seconds=1),
                            "hangup_before_answer"),
                           ("agent", setup.answered_at.replace(tzinfo=None), "naive_time")]:
        with pytest.raises(DialerError) as refused:
            backend.hang_up(5, when, by=by)
        assert refused.value.code == code
    event = backend.hang_up(5, setup.answered_at + dt.timedelta(minutes=3), by="system")
    assert (event.kind, dict(event.data)) == ("hangup", {"by": "system", "talk_s": 180.0})
    assert backend.live_calls() == []
    with pytest.raises(DialerError) as again:
        backend.hang_up(5, NOW, by="agent")
    assert again.value.code == "no_live_call"


def test_bad_instants_and_timeouts_are_refused() -> None:
    backend = SimBackend()
    with pytest.raises(DialerError) as naive:
        backend.place_call(1, resolver(), NOW.replace(tzinfo=None), campaign="C1",
                           no_answer_timeout=LONG)
    assert naive.value.code == "naive_time"
    with pytest.raises(DialerError) as timeout:
        backend.place_call(1, resolver(), NOW, campaign="C1", no_answer_timeout=dt.timedelta())
    assert timeout.value.code == "no_answer_timeout"


def test_event_data_cannot_change() -> None:
    data = {"by": "agent"}
    event = CallEvent("hangup", NOW, data)
    data["by"] = "system"
    assert event.data["by"] == "agent"
    with pytest.raises(TypeError):
        event.data["by"] = "system"  # type: ignore[index]


# --- rates validation ------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "named"), [
    ({"busy": -0.1}, "busy"),
    ({"busy": 1.5}, "busy"),
    ({"refusal": True}, "refusal"),
    ({"always_busy": math.nan}, "always_busy"),
    ({"non_working": 0.6, "disconnected": 0.5}, "non_working + disconnected"),
    ({"busy": 0.5, "no_answer": 0.6}, "busy + no_answer"),
    ({"refusal": 0.9, "appointment": 0.2}, "refusal + break_off"),
    ({"other_languages": {}}, "other_languages"),
    ({"other_languages": {"tr": -1}}, "other_languages"),
    ({"other_languages": {"tr": 0}}, "other_languages"),
])
def test_sim_rates_are_validated(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(DialerError) as refused:
        SimRates(**changes)
    assert refused.value.code == "sim_rates"
    assert named in refused.value.message


def test_no_other_language_is_needed_without_language_problems() -> None:
    assert SimRates(language_problem=0, other_languages={}).other_languages == {}


# --- the registry and the instance configuration ----------------------------------------------

def test_sim_is_registered_as_an_entry_point() -> None:
    [point] = {(p.name, p.value) for p in entry_points(group="survey_engine.telephony")
               if p.name == "sim"}
    assert point == ("sim", "dialer.telephony.sim:SimBackend")
    assert "sim" in available_backends()
    backend = load_backend("sim", {"seed": 7, "rates": {"busy": 0.2}})
    assert isinstance(backend, SimBackend)
    assert (backend.seed, backend.rates.busy) == (7, 0.2)


def test_an_unknown_backend_lists_the_available_ones() -> None:
    with pytest.raises(DialerError) as refused:
        load_backend("asterisk", {})
    assert refused.value.code == "unknown_backend"
    assert "asterisk" in refused.value.message and "sim" in refused.value.message


@pytest.mark.parametrize(("options", "named"), [
    ({"sede": 7}, "sede"),
    ({"seed": "seven"}, "seed"),
    ({"seed": True}, "seed"),
    ({"rates": 3}, "rates"),
    ({"rates": {"busy": 2}}, "rates.busy"),
    ({"rates": {"bussy": 0.1}}, "rates.bussy"),
    ({"rates": {"other_languages": {"tr": "many"}}}, "rates.other_languages.tr"),
    ({"campaigns": ["A"]}, "campaigns"),
    ({"campaigns": {"A": {"busy": 0.9}}}, "campaigns.A"),
    ({"time_scale": "fast"}, "time_scale"),
    ({"time_scale": True}, "time_scale"),
    ({"time_scale": 0}, "time_scale"),
    ({"time_scale": -1}, "time_scale"),
    ({"time_scale": 1000}, "time_scale"),
])
def test_bad_backend_options_are_named(options: dict[str, Any], named: str) -> None:
    with pytest.raises(DialerError) as refused:
        load_backend("sim", options)
    assert refused.value.code == "backend_options"
    assert named in refused.value.message


def test_a_backend_without_options_refuses_any() -> None:
    class Silent(TelephonyBackend):
        name = "silent"

        def place_call(self, attempt_id: int, resolve: Any, now: dt.datetime, *,
                       campaign: str, no_answer_timeout: dt.timedelta) -> CallSetup:
            raise NotImplementedError

        def hang_up(self, attempt_id: int, now: dt.datetime, *, by: str) -> CallEvent:
            raise NotImplementedError

    assert isinstance(Silent.from_options({}), Silent)
    with pytest.raises(DialerError) as refused:
        Silent.from_options({"host": "pbx"})
    assert (refused.value.code, "host" in refused.value.message) == ("backend_options", True)


def test_the_instance_picks_sim_by_default(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setenv(INSTANCE_VARIABLE, str(tmp_path))
    assert telephony_settings() == ("sim", {})
    (tmp_path / "config.toml").write_text('database_url = "sqlite://"\n', encoding="utf-8")
    assert telephony_settings() == ("sim", {})
    assert isinstance(configured_backend(), SimBackend)


def test_the_instance_configures_its_backend(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[telephony]\nbackend = "sim"\n\n[telephony.sim]\nseed = 7\nrates = { busy = 0.1 }\n\n'
        '[telephony.sim.campaigns.BE24]\nno_answer = 0.5\n\n[telephony.sip]\nhost = "pbx"\n',
        encoding="utf-8")
    name, options = telephony_settings(tmp_path)
    assert name == "sim"
    assert options == {"seed": 7, "rates": {"busy": 0.1},
                       "campaigns": {"BE24": {"no_answer": 0.5}}}
    backend = configured_backend(tmp_path)
    assert isinstance(backend, SimBackend)
    assert (backend.rates_for("BE24").busy, backend.rates_for("BE24").no_answer) == (0.1, 0.5)


@pytest.mark.parametrize(("content", "named"), [
    ("[telephony\n", "config.toml"),
    ("telephony = 5\n", "telephony"),
    ("[telephony]\nbackend = 3\n", "telephony.backend"),
    ('[telephony]\nbackend = ""\n', "telephony.backend"),
    ('[telephony]\nbackend = "sim"\nseed = 3\n', "telephony.seed"),
])
def test_a_bad_telephony_table_names_file_and_key(tmp_path: Path, content: str,
                                                   named: str) -> None:
    (tmp_path / "config.toml").write_text(content, encoding="utf-8")
    with pytest.raises(DialerError) as refused:
        telephony_settings(tmp_path)
    assert refused.value.code == "config"
    assert str(tmp_path / "config.toml") in refused.value.message
    assert named in refused.value.message


@pytest.mark.parametrize(("content", "code", "named"), [
    ('[telephony]\nbackend = "asterisk"\n', "unknown_backend", "sim"),
    ('[telephony.sim]\nseed = "x"\n', "backend_options", "seed"),
])
def test_a_configured_backend_error_names_the_file(tmp_path: Path, content: str, code: str,
                                                   named: str) -> None:
    (tmp_path / "config.toml").write_text(content, encoding="utf-8")
    with pytest.raises(DialerError) as refused:
        configured_backend(tmp_path)
    assert refused.value.code == code
    assert str(tmp_path / "config.toml") in refused.value.message
    assert named in refused.value.message
