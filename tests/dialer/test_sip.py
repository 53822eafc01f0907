"""The ``sip`` backend against real SIP peers: SIPp on loopback plays the carrier's trunk and the
agent's phone (scenarios in tests/dialer/sip/). Every case must end with the right network
ending, a complete list of SIP steps, SIPp satisfied with what it received, and no number
anywhere but in the INVITE to the trunk."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dialer.errors import DialerError
from dialer.telephony import CallSetup, DialRefused, NetworkEnding, available_backends
from dialer.telephony.sip import SipBackend
from tests.dialer.sipp import Peer, require_sipp, start_peer

NUMBER = "+32470000001"
RING = dt.timedelta(seconds=2)


@pytest.fixture(autouse=True)
def _sipp() -> None:
    require_sipp()


@dataclass
class Line:
    """A backend wired to a SIPp carrier and a SIPp agent phone."""

    backend: SipBackend
    carrier: Peer
    agent: Peer
    resolved: list[int]

    def resolver(self, number: str = NUMBER) -> Any:
        def resolve(attempt_id: int, at: dt.datetime) -> str:
            assert at.tzinfo is not None
            self.resolved.append(attempt_id)
            return number
        return resolve

    def place(self, attempt_id: int = 1, *, number: str = NUMBER, ring: dt.timedelta = RING,
              max_duration: dt.timedelta | None = None) -> CallSetup:
        return self.backend.place_call(attempt_id, self.resolver(number), dt.datetime.now(dt.UTC),
                                       campaign="C1", no_answer_timeout=ring, agent="BEV-031",
                                       max_duration=max_duration)

    def settle(self) -> tuple[int, int]:
        """Both SIPp exit codes once their calls are done (0: the scenario was followed)."""
        return self.carrier.wait(30), self.agent.wait(30)


@pytest.fixture
def line(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    made: list[Line] = []

    def make(carrier: str, agent: str, *, calls: int = 1, fill: dict[str, str] | None = None,
             **options: Any) -> Line:
        carrier_peer = start_peer(carrier, tmp_path, calls=calls, fill=fill)
        agent_peer = start_peer(agent, tmp_path)
        settings = {"proxy": carrier_peer.address, "t1_ms": 50, "retries": 0,
                    "agents": {"BEV-031": f"sip:201@{agent_peer.address}"}, **options}
        made.append(Line(SipBackend.from_options(settings), carrier_peer, agent_peer, []))
        return made[-1]
    yield make
    for each in made:
        each.backend.close()
        each.carrier.stop()
        each.agent.stop()


def kinds(events: Any) -> list[str]:
    return [event.kind for event in events]


def steps(events: Any, kind: str, **match: Any) -> list[dict[str, Any]]:
    return [dict(e.data) for e in events if e.kind == kind
            and all(e.data.get(k) == v for k, v in match.items())]


def invites(peer: Peer) -> list[str]:
    return [line for line in peer.received() if line.startswith("INVITE")]


# --- answered calls ------------------------------------------------------------------------

def test_an_answered_call_joins_the_agent_and_hangs_up_both(line: Any) -> None:
    wired = line("carrier_answers", "agent_joined")
    setup = wired.place()
    assert setup.ending is NetworkEnding.ANSWERED and setup.answered_at is not None
    events = setup.events
    assert kinds(events)[0] == "dial_requested" and kinds(events)[-1] == "answered"
    assert steps(events, "sip_invite", leg="agent")[0]["sdp"] is False  # offer from the phone
    assert steps(events, "sip_ack", leg="agent")[0]["sdp"] is True      # answered on hold
    assert steps(events, "sip_invite", leg="respondent")[0]["sdp"] is True
    assert [d["status"] for d in steps(events, "sip_provisional", leg="respondent")] == [100, 180]
    assert "ringing" in kinds(events) and "sip_reinvite" in kinds(events)
    assert wired.backend.live_calls() == [1]
    hangup = wired.backend.hang_up(1, dt.datetime.now(dt.UTC), by="agent")
    assert hangup.kind == "hangup" and hangup.data["by"] == "agent"
    after = wired.backend.call_events(1)
    assert [(e.kind, e.data["leg"]) for e in after if e.kind == "sip_bye"] == [
        ("sip_bye", "respondent"), ("sip_bye", "agent")]
    assert [d["status"] for d in steps(after, "sip_final", method="BYE")] == [200, 200]
    assert wired.backend.live_calls() == [] and wired.backend.call_events(1) == ()
    assert wired.settle() == (0, 0)
    assert invites(wired.carrier) == [f"INVITE sip:{NUMBER}@127.0.0.1;user=phone SIP/2.0"]
    with pytest.raises(DialerError) as gone:
        wired.backend.hang_up(1, dt.datetime.now(dt.UTC), by="agent")
    assert gone.value.code == "no_live_call"


@pytest.mark.parametrize(("carrier", "agent", "by"), [
    ("carrier_hangs_up", "agent_joined", "respondent"),
    ("carrier_answers", "agent_hangs_up", "agent")])
def test_a_party_hanging_up_ends_the_other_leg(line: Any, carrier: str, agent: str,
                                               by: str) -> None:
    wired = line(carrier, agent)
    assert wired.place().answered
    deadline = time.monotonic() + 10
    while not wired.backend.ended_calls() and time.monotonic() < deadline:
        time.sleep(0.05)
    ended = wired.backend.ended_calls()
    assert list(ended) == [1] and ended[1].data["by"] == by
    assert ended[1].data["reason"] == "hung_up"
    assert wired.backend.live_calls() == []
    hangup = wired.backend.hang_up(1, dt.datetime.now(dt.UTC), by="agent")
    assert hangup is ended[1], "the desk gets the party's own hang-up"
    after = wired.backend.call_events(1)
    other = "agent" if by == "respondent" else "respondent"
    assert steps(after, "sip_bye", leg=by) == [{"leg": by, "dir": "in"}]
    assert steps(after, "sip_bye", leg=other) == [{"leg": other, "dir": "out"}]
    assert wired.settle() == (0, 0)


def test_the_trunk_challenge_is_answered_with_the_credentials(line: Any) -> None:
    wired = line("carrier_auth", "agent_joined", username="centre-7", password="s3cret")
    setup = wired.place()
    assert setup.answered
    assert [d["auth"] for d in steps(setup.events, "sip_invite", leg="respondent")] == [
        False, True]
    assert steps(setup.events, "sip_auth") == [{"leg": "respondent", "status": 401}]
    wired.backend.hang_up(1, dt.datetime.now(dt.UTC), by="system")
    assert wired.settle() == (0, 0)


def test_wrong_credentials_are_not_retried_for_ever(line: Any) -> None:
    wired = line("carrier_auth", "agent_released", username="centre-7", password="wrong")
    setup = wired.place()
    assert setup.ending is NetworkEnding.CALL_BLOCKED  # the trunk's 403
    assert len(invites(wired.carrier)) == 2
    assert wired.settle()[1] == 0


# --- calls that are not answered -------------------------------------------------------------

@pytest.mark.parametrize(("status", "reason", "ending"), [
    (486, "Busy Here", NetworkEnding.BUSY),
    (600, "Busy Everywhere", NetworkEnding.BUSY),
    (480, "Temporarily Unavailable", NetworkEnding.NO_ANSWER),
    (408, "Request Timeout", NetworkEnding.NO_ANSWER),
    (404, "Not Found", NetworkEnding.NON_WORKING),
    (484, "Address Incomplete", NetworkEnding.NON_WORKING),
    (410, "Gone", NetworkEnding.DISCONNECTED),
    (603, "Decline", NetworkEnding.CALL_BLOCKED),
    (302, "Moved Temporarily", NetworkEnding.NETWORK_FAILURE),
    (500, "Server Internal Error", NetworkEnding.NETWORK_FAILURE),
])
def test_a_final_response_gives_its_ending(line: Any, status: int, reason: str,
                                           ending: NetworkEnding) -> None:
    wired = line("carrier_rejects", "agent_released",
                 fill={"STATUS": str(status), "REASON": reason})
    setup = wired.place()
    assert setup.ending is ending and setup.answered_at is None
    assert setup.ended_at == setup.events[-1].at
    finals = steps(setup.events, "sip_final", leg="respondent")
    assert finals == [{"leg": "respondent", "method": "INVITE", "status": status,
                       "reason": reason}]
    assert steps(setup.events, "sip_ack", leg="respondent") == [
        {"leg": "respondent", "status": status}]
    assert setup.events[-1].kind == ending.value and setup.events[-1].data["status"] == status
    assert steps(setup.events, "sip_bye", leg="agent"), "the agent's phone is released"
    assert wired.settle() == (0, 0), "SIPp got its ACK and the agent its BYE"


def test_503_is_retried_then_a_network_failure(line: Any) -> None:
    wired = line("carrier_rejects", "agent_released", calls=3, retries=2,
                 fill={"STATUS": "503", "REASON": "Service Unavailable"})
    setup = wired.place()
    assert setup.ending is NetworkEnding.NETWORK_FAILURE
    assert len(steps(setup.events, "sip_retry")) == 2
    assert len(invites(wired.carrier)) == 3
    assert wired.settle() == (0, 0)


def test_no_answer_is_cancelled_at_the_timeout(line: Any) -> None:
    wired = line("carrier_no_answer", "agent_released")
    before = time.monotonic()
    setup = wired.place(ring=dt.timedelta(seconds=1.5))
    assert 1.5 <= time.monotonic() - before < 6
    assert setup.ending is NetworkEnding.NO_ANSWER
    order = kinds(setup.events)
    assert order.index("sip_timeout") < order.index("sip_cancel") < len(order) - 1
    assert steps(setup.events, "sip_final", leg="respondent")[0]["status"] == 487
    assert setup.events[-1].data["cancelled"] is True
    assert wired.settle() == (0, 0)


def test_a_silent_trunk_times_out_and_is_retried(line: Any) -> None:
    wired = line("carrier_silent", "agent_released", calls=2, retries=1)
    setup = wired.place(ring=dt.timedelta(seconds=10))
    assert setup.ending is NetworkEnding.NETWORK_FAILURE
    assert steps(setup.events, "sip_timeout", leg="respondent", timer="B")
    assert len(steps(setup.events, "sip_retry")) == 1
    assert setup.events[-1].data["timed_out"] is True
    call_ids = {line for line in wired.carrier.received_text().splitlines()
                if line.startswith("Call-ID:")}
    assert len(call_ids) == 2, "one Call-ID per try, its INVITE retransmitted (timer A)"
    assert len(invites(wired.carrier)) > 2


def test_an_unruly_trunk_does_not_break_the_call(line: Any) -> None:
    wired = line("carrier_unruly", "agent_joined")
    setup = wired.place()
    assert setup.answered
    endpoint = wired.backend._endpoint
    assert endpoint is not None and endpoint.dropped >= 3  # garbage, headless, stray
    wired.backend.hang_up(1, dt.datetime.now(dt.UTC), by="agent")
    assert any(line.startswith("SIP/2.0 403") for line in wired.carrier.received()), \
        "a transfer elsewhere is refused"
    assert wired.settle() == (0, 0)


# --- what is never dialed ---------------------------------------------------------------------

def test_a_refused_number_never_reaches_the_trunk(line: Any) -> None:
    wired = line("carrier_answers", "agent_released")

    def refuse(attempt_id: int, at: dt.datetime) -> str:
        raise DialRefused("do_not_call", f"attempt {attempt_id}: on the do-not-call list")
    with pytest.raises(DialRefused) as refused:
        wired.backend.place_call(1, refuse, dt.datetime.now(dt.UTC), campaign="C1",
                                 no_answer_timeout=RING, agent="BEV-031")
    assert refused.value.code == "do_not_call"
    assert "sip_invite" in kinds(refused.value.events), "the agent's leg is traced"
    assert wired.agent.wait(30) == 0, "the agent's phone is released"
    wired.carrier.stop()
    assert wired.carrier.received() == []


@pytest.mark.parametrize("returned", [f"{NUMBER}@evil.example", f"{NUMBER};user=ip",
                                      "sip:+32470000002@evil", "+32 470 00 00 01", "0470000001"])
def test_a_number_that_is_not_e164_is_never_dialed(line: Any, returned: str) -> None:
    wired = line("carrier_answers", "agent_released")
    with pytest.raises(DialerError) as refused:
        wired.place(number=returned)
    assert refused.value.code == "bad_number" and returned not in refused.value.message
    assert wired.agent.wait(30) == 0
    wired.carrier.stop()
    assert wired.carrier.received() == []


def test_an_agent_phone_that_does_not_answer_means_no_number_is_resolved(line: Any) -> None:
    wired = line("carrier_answers", "agent_busy")
    with pytest.raises(DialRefused) as refused:
        wired.place()
    assert refused.value.code == "agent_phone_unavailable" and wired.resolved == []
    assert steps(refused.value.events, "sip_final", leg="agent")[0]["status"] == 486
    assert wired.agent.wait(30) == 0
    wired.carrier.stop()
    assert wired.carrier.received() == []


def test_an_agent_without_extension_is_refused_before_anything(tmp_path: Path) -> None:
    backend = SipBackend.from_options({"proxy": "127.0.0.1:9"})
    with pytest.raises(DialRefused) as refused:
        backend.place_call(1, lambda a, t: NUMBER, dt.datetime.now(dt.UTC), campaign="C1",
                           no_answer_timeout=RING, agent="BEV-031")
    assert refused.value.code == "no_extension"
    backend.close()


def test_the_number_is_in_no_event_and_no_log_line(line: Any,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wired = line("carrier_unruly", "agent_joined")
    setup = wired.place()
    events = [*setup.events, wired.backend.hang_up(1, dt.datetime.now(dt.UTC), by="agent"),
              *wired.backend.call_events(1)]
    text = json.dumps([[e.kind, dict(e.data)] for e in events])
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged and "sip attempt 1" in logged
    for form in (NUMBER, NUMBER[1:], NUMBER[3:], "470000001"):
        assert form not in text and form not in logged
    assert NUMBER in wired.carrier.received_text(), "it did reach the trunk's INVITE"


# --- time limits and the stop-all switch -------------------------------------------------------

def test_the_maximum_duration_hangs_up_by_the_system(line: Any) -> None:
    wired = line("carrier_answers", "agent_joined")
    assert wired.place(max_duration=dt.timedelta(seconds=0.5)).answered
    deadline = time.monotonic() + 10
    while not wired.backend.ended_calls() and time.monotonic() < deadline:
        time.sleep(0.05)
    hangup = wired.backend.ended_calls()[1]
    assert (hangup.data["by"], hangup.data["reason"]) == ("system", "max_duration")
    assert 0.4 <= hangup.data["talk_s"] < 3
    assert wired.settle() == (0, 0)


def test_stop_all_hangs_up_live_calls_and_refuses_new_ones(line: Any) -> None:
    wired = line("carrier_answers", "agent_joined")
    assert wired.place().answered
    assert wired.backend.stop_all(dt.datetime.now(dt.UTC)) == [1]
    hangup = wired.backend.hang_up(1, dt.datetime.now(dt.UTC), by="system")
    assert (hangup.data["by"], hangup.data["reason"]) == ("system", "stop_all")
    assert wired.settle() == (0, 0)
    with pytest.raises(DialRefused) as refused:
        wired.place(2)
    assert refused.value.code == "dialing_stopped" and wired.resolved == [1]
    wired.backend.resume_dialing()
    assert not wired.backend.dialing_stopped


def test_stop_all_withdraws_a_ringing_call(line: Any) -> None:
    wired = line("carrier_no_answer", "agent_released")
    result: list[CallSetup] = []
    dialing = threading.Thread(target=lambda: result.append(
        wired.place(ring=dt.timedelta(seconds=20))))
    dialing.start()
    deadline = time.monotonic() + 10
    while not invites(wired.carrier) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    assert wired.backend.stop_all(dt.datetime.now(dt.UTC)) == []
    dialing.join(15)
    [setup] = result
    assert setup.ending is NetworkEnding.WITHDRAWN
    assert "sip_withdrawn" in kinds(setup.events) and "sip_cancel" in kinds(setup.events)
    assert wired.settle() == (0, 0)


# --- configuration -----------------------------------------------------------------------------

def test_sip_is_a_registered_backend() -> None:
    assert "sip" in available_backends()


@pytest.mark.parametrize(("options", "named"), [
    ({}, "proxy"),
    ({"proxy": "trunk.example:99999"}, "proxy"),
    ({"proxy": "bad host:5060"}, "proxy"),
    ({"proxy": "trunk.example", "transport": "carrier-pigeon"}, "transport"),
    ({"proxy": "trunk.example", "username": "u"}, "password"),
    ({"proxy": "trunk.example", "username": "u;x=1", "password": "p"}, "username"),
    ({"proxy": "trunk.example", "caller_id": "+32 2 555"}, "caller_id"),
    ({"proxy": "trunk.example", "agents": {"BEV-031": "tel:201"}}, "agents.BEV-031"),
    ({"proxy": "trunk.example", "agent_uri": "sip:201@pbx"}, "agent_uri"),
    ({"proxy": "trunk.example", "t1_ms": 0}, "t1_ms"),
    ({"proxy": "trunk.example", "retries": True}, "retries"),
    ({"proxy": "trunk.example", "proxi": "x"}, "proxi"),
])
def test_bad_sip_options_are_named(options: dict[str, Any], named: str) -> None:
    with pytest.raises(DialerError) as refused:
        SipBackend.from_options(options)
    assert refused.value.code == "backend_options" and named in refused.value.message


def test_the_password_is_never_shown() -> None:
    backend = SipBackend.from_options({"proxy": "trunk.example", "username": "centre-7",
                                       "password": "s3cret", "agent_uri": "sip:{agent}@pbx"})
    assert "s3cret" not in repr(backend.options)
    assert backend.options.extension_of("BEV-031")[0] == "sip:BEV-031@pbx"
    with pytest.raises(DialerError) as refused:
        backend.options.extension_of("BEV-031@evil")
    assert refused.value.code == "bad_agent"
