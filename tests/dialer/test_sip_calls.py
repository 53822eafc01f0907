"""Calls through the call desk on the ``sip`` backend, SIPp playing the trunk and the agent's
phone, on SQLite and PostgreSQL: AAPOR dispositions from SIP final responses, SIP steps in the
hash-chained trace, sealed refusals that never reach the trunk, calls a party hangs up, and the
stop-all switch."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from dialer.calls import CallDesk
from dialer.contacts import add_do_not_call
from dialer.db import transaction
from dialer.models import Attempt, TraceEvent
from dialer.outcomes import CallEnding
from dialer.telephony.sip import SipBackend
from dialer.trace import verify_chain
from tests.dialer.callflow import Centre, build
from tests.dialer.sipp import Peer, require_sipp, start_peer

NUMBER = "+32470000001"


@pytest.fixture(autouse=True)
def _sipp() -> None:
    require_sipp()


@pytest.fixture
def centre(committed: tuple[Engine, str]) -> Iterator[Centre]:
    engine, _url = committed
    made = build(engine, agents={"TR1": ["tr"]}, contacts=[(NUMBER, "tr")], holidays_off=False)
    yield made
    made.desk.backend.close()


def wire(centre: Centre, folder: Path, carrier: str, agent: str,
         fill: dict[str, str] | None = None) -> tuple[Peer, Peer]:
    """Put the centre's call desk on a SIP backend whose trunk and agent phone are SIPp."""
    trunk, phone = start_peer(carrier, folder, fill=fill), start_peer(agent, folder)
    backend = SipBackend.from_options({"proxy": trunk.address, "t1_ms": 50, "retries": 0,
                                       "agents": {"TR1": f"sip:201@{phone.address}"}})
    centre.desk = CallDesk(centre.engine, backend)
    return trunk, phone


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def trace_of(engine: Engine, attempt_id: int) -> list[tuple[str, dict[str, Any]]]:
    with transaction(engine) as session:
        return [(event.kind, event.data) for event in session.scalars(
            select(TraceEvent).where(TraceEvent.attempt_id == attempt_id)
            .order_by(TraceEvent.seq))]


def attempt_of(engine: Engine, attempt_id: int) -> Attempt:
    with transaction(engine) as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        return attempt


def test_an_answered_call_is_connected_ended_and_traced(centre: Centre, tmp_path: Path) -> None:
    trunk, phone = wire(centre, tmp_path, "carrier_answers", "agent_joined")
    case = centre.claim("TR1", now())
    result = centre.desk.dial(case.attempt_id, now())
    assert result.answered
    centre.desk.end(case.attempt_id, CallEnding.REFUSAL, now())
    assert (trunk.wait(30), phone.wait(30)) == (0, 0)
    kinds = [kind for kind, _data in trace_of(centre.engine, case.attempt_id)]
    assert kinds[:2] == ["claimed", "dial_requested"]
    for step in ("sip_invite", "sip_provisional", "sip_final", "sip_ack", "sip_reinvite",
                 "ringing", "answered", "connected", "hangup", "sip_bye", "outcome"):
        assert step in kinds, step
    assert kinds.index("hangup") < kinds.index("sip_bye") < kinds.index("outcome")
    assert attempt_of(centre.engine, case.attempt_id).disposition == "2.111"
    with transaction(centre.engine) as session:
        report = verify_chain(session, centre.campaign_id)
    assert report.fault is None and report.events == len(kinds)


@pytest.mark.parametrize(("status", "reason", "code"), [
    ("486", "Busy Here", "3.12"), ("404", "Not Found", "4.31"), ("603", "Decline", "3.15")])
def test_a_final_response_gives_the_aapor_code(centre: Centre, tmp_path: Path, status: str,
                                               reason: str, code: str) -> None:
    trunk, phone = wire(centre, tmp_path, "carrier_rejects", "agent_released",
                        {"STATUS": status, "REASON": reason})
    case = centre.claim("TR1", now())
    result = centre.desk.dial(case.attempt_id, now())
    assert not result.answered and result.decision is not None
    assert attempt_of(centre.engine, case.attempt_id).disposition == code
    trace = trace_of(centre.engine, case.attempt_id)
    assert ("sip_final", {"leg": "respondent", "method": "INVITE", "status": int(status),
                          "reason": reason}) in trace
    assert trace[-1][0] == "outcome" and trace[-1][1]["code"] == code
    assert (trunk.wait(30), phone.wait(30)) == (0, 0)


def test_a_do_not_call_number_never_reaches_the_trunk(centre: Centre, tmp_path: Path) -> None:
    trunk, phone = wire(centre, tmp_path, "carrier_answers", "agent_released")
    case = centre.claim("TR1", now())
    with transaction(centre.engine) as session:
        add_do_not_call(session, NUMBER, "asked by letter")
    result = centre.desk.dial(case.attempt_id, now())
    assert result.refused == "do_not_call"
    assert phone.wait(30) == 0, "the agent's phone was rung, then released"
    trunk.stop()
    assert trunk.received() == [], "the trunk saw nothing at all"
    trace = trace_of(centre.engine, case.attempt_id)
    assert [kind for kind, _ in trace][-1] == "dial_refused"
    assert ("sip_invite", "agent") in [(kind, data.get("leg")) for kind, data in trace]
    assert attempt_of(centre.engine, case.attempt_id).disposition == "3.11"


def test_a_respondent_hanging_up_ends_the_attempt(centre: Centre, tmp_path: Path) -> None:
    trunk, phone = wire(centre, tmp_path, "carrier_hangs_up", "agent_joined")
    case = centre.claim("TR1", now())
    assert centre.desk.dial(case.attempt_id, now()).answered
    deadline = time.monotonic() + 10
    while not centre.desk.backend.ended_calls() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert centre.desk.end_dropped_calls(now()) == [case.attempt_id]
    attempt = attempt_of(centre.engine, case.attempt_id)
    assert (attempt.ending, attempt.disposition) == ("break_off", "2.12")
    trace = trace_of(centre.engine, case.attempt_id)
    hangups = [data for kind, data in trace if kind == "hangup"]
    assert hangups == [hangups[0]] and hangups[0]["by"] == "respondent"
    assert trace[-1][1]["by"] == "respondent" and trace[-1][1]["reason"] == "hung_up"
    assert (trunk.wait(30), phone.wait(30)) == (0, 0)


def test_the_stop_all_switch_ends_live_calls_and_refuses_new_ones(centre: Centre,
                                                                  tmp_path: Path) -> None:
    trunk, phone = wire(centre, tmp_path, "carrier_answers", "agent_joined")
    case = centre.claim("TR1", now())
    assert centre.desk.dial(case.attempt_id, now()).answered
    assert centre.desk.stop_all_dialing(now()) == [case.attempt_id]
    assert (trunk.wait(30), phone.wait(30)) == (0, 0)
    trace = trace_of(centre.engine, case.attempt_id)
    assert trace[-1][0] == "outcome" and trace[-1][1]["reason"] == "stop_all"
    assert [data["by"] for kind, data in trace if kind == "hangup"] == ["system"]
    following = centre.claim("TR1", now() + dt.timedelta(days=2))  # after the break-off delay
    assert centre.desk.dial(following.attempt_id, now()).refused == "dialing_stopped"
