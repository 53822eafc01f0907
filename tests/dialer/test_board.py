"""The supervisors' live board, read from the database: agents' states as they change, calls
in progress (masked numbers only), campaigns with their AAPOR outcome counts, the backlog per
language, refused dials, and each site seeing its own agents."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from dialer.board import AgentState, Board
from dialer.db import transaction
from dialer.dialing_switch import stop_dialing
from dialer.models import Agent, ContactState
from dialer.outcomes import CallEnding
from tests.dialer import factories
from tests.dialer.callflow import ALL_BUSY, TUESDAY_NOON, Centre, build

IDLE = dt.timedelta(minutes=15)
NUMBERS = [("+32470000001", "tr"), ("+32470000002", "tr"), ("+32470000003", "ru")]


def _board(centre: Centre) -> Board:
    return Board(centre.engine, centre.dispatcher, centre_ttl=dt.timedelta(0))


def _states(centre: Centre, at: dt.datetime, site_id: int | None = None
            ) -> dict[str, AgentState]:
    return {line.code: line.state for line in _board(centre).snapshot(site_id, IDLE, at).agents}


def test_an_agent_s_state_follows_the_call(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"], "TR2": ["tr"]}, contacts=NUMBERS)
    now = TUESDAY_NOON
    assert _states(centre, now) == {"TR1": AgentState.SIGNED_OUT, "TR2": AgentState.SIGNED_OUT}
    centre.dispatcher.mark_ready(centre.agents["TR2"], now)
    case = centre.claim("TR1", now)
    states = _states(centre, now)
    assert states == {"TR1": AgentState.PREVIEW, "TR2": AgentState.WAITING}
    result = centre.desk.dial(case.attempt_id, now)
    assert result.answered_at is not None
    assert _states(centre, now)["TR1"] is AgentState.RINGING
    snapshot = _board(centre).snapshot(None, IDLE, result.answered_at)
    assert [line.state for line in snapshot.agents if line.code == "TR1"] == \
        [AgentState.CONNECTED]
    [call] = snapshot.calls
    assert (call.agent_code, call.stage, call.language) == ("TR1", AgentState.CONNECTED, "tr")
    assert call.masked_number == "+32 4•• •• •• 01" and "470000001" not in repr(snapshot)
    ended = result.answered_at + dt.timedelta(minutes=1)
    centre.desk.end(case.attempt_id, CallEnding.REFUSAL, ended)
    after = _board(centre).snapshot(None, IDLE, ended)
    assert after.calls == [] and _states(centre, ended)["TR1"] is AgentState.SIGNED_OUT
    with transaction(centre.engine) as session:
        agent = session.get(Agent, centre.agents["TR2"])
        assert agent is not None
        agent.active = False
    assert _states(centre, ended)["TR2"] is AgentState.INACTIVE


def test_off_shift_agents_and_each_site_its_own(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=NUMBERS)
    with transaction(centre.engine) as session:
        other = factories.site(session)
        factories.agent(session, other, ["ru"], code="RU-NIGHT",
                        shifts=[(1, dt.time(22), dt.time(6))])
        other_id = other.id
        mine = session.get(Agent, centre.agents["TR1"])
        assert mine is not None
        my_site = mine.site_id
    assert _states(centre, TUESDAY_NOON) == {"TR1": AgentState.SIGNED_OUT,
                                             "RU-NIGHT": AgentState.OFF_SHIFT}
    assert _states(centre, TUESDAY_NOON + dt.timedelta(hours=11))["RU-NIGHT"] is \
        AgentState.SIGNED_OUT  # 22:00 in Brussels
    assert set(_states(centre, TUESDAY_NOON, my_site)) == {"TR1"}
    assert set(_states(centre, TUESDAY_NOON, other_id)) == {"RU-NIGHT"}


def test_campaign_progress_counts_the_settled_by_aapor_code(
        committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"], "RU1": ["ru"]}, contacts=NUMBERS,
                   max_attempts=1)
    now = TUESDAY_NOON
    for agent in ("TR1", "RU1"):
        case = centre.claim(agent, now)
        result = centre.desk.dial(case.attempt_id, now)
        assert result.answered_at is not None
        ending = CallEnding.ASKED_NOT_TO_BE_CALLED if agent == "TR1" else CallEnding.REFUSAL
        centre.desk.end(case.attempt_id, ending, result.answered_at)
    [progress] = _board(centre).snapshot(None, IDLE, now + dt.timedelta(minutes=5)).campaigns
    assert progress.contacts[ContactState.DONE] == 1
    assert progress.contacts[ContactState.DO_NOT_CALL] == 1  # asked never to be called again
    assert progress.contacts[ContactState.WAITING] == 1 and progress.total == 3
    assert progress.outcomes == {"2.111": 1, "2.112": 1}  # one attempt: the refusal is final
    assert progress.settled_percent == 67


def test_backlog_per_language_and_the_languages_nobody_speaks(
        committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=NUMBERS)
    backlog = {line.language: line for line in
               _board(centre).snapshot(None, IDLE, TUESDAY_NOON).backlog}
    assert (backlog["tr"].waiting, backlog["tr"].unserved) == (2, 0)
    assert (backlog["ru"].waiting, backlog["ru"].due, backlog["ru"].unserved) == (1, 1, 1)


def test_refused_dials_and_the_switch(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=NUMBERS, rates=ALL_BUSY)
    case = centre.claim("TR1", TUESDAY_NOON)
    with transaction(centre.engine) as session:
        stop_dialing(session, "supervisor:S1", "drill")
    centre.desk.dial(case.attempt_id, TUESDAY_NOON)
    snapshot = _board(centre).snapshot(None, IDLE, TUESDAY_NOON)
    assert snapshot.switch.stopped and snapshot.switch.changed_by == "supervisor:S1"
    [refused] = snapshot.refused
    assert (refused.agent_code, refused.reason) == ("TR1", "dialing_stopped")
    with transaction(centre.engine) as session:
        elsewhere = factories.site(session).id
    assert _board(centre).snapshot(elsewhere, IDLE, TUESDAY_NOON).refused == []


def test_the_centre_s_figures_are_read_once_per_interval(committed: tuple[Engine, str]
                                                        ) -> None:
    centre = build(committed[0], agents={"TR1": ["tr"]}, contacts=NUMBERS)
    board = Board(centre.engine, centre.dispatcher, centre_ttl=dt.timedelta(hours=1))
    first = board.snapshot(None, IDLE, TUESDAY_NOON)
    case = centre.claim("TR1", TUESDAY_NOON)
    centre.desk.dial(case.attempt_id, TUESDAY_NOON)
    again = board.snapshot(None, IDLE, TUESDAY_NOON)
    assert again.campaigns == first.campaigns, "the centre's figures come from the cache"
    assert again.calls != first.calls, "a site's agents and calls are read afresh"
