"""The dialer worker's passes, on a committed database: waiting agents are served idle
longest first, progressive calls are dialed at once and preview cases wait for the agent,
an agent whose call was not answered waits again from the moment it ended, and overdue calls
are hung up."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from dialer.db import transaction
from dialer.models import Agent, Attempt, Campaign, DialingMode
from dialer.worker import DialingService
from tests.dialer.callflow import ALL_BUSY, TUESDAY_NOON, Centre, build

NUMBERS = ("+32470000011", "+32470000012", "+32470000013")


def _service(centre: Centre) -> DialingService:
    return DialingService(centre.engine, centre.desk.backend, desk=centre.desk,
                          dispatcher=centre.dispatcher)


def _mode(centre: Centre, mode: DialingMode) -> None:
    with transaction(centre.engine) as session:
        campaign = session.get(Campaign, centre.campaign_id)
        assert campaign is not None
        campaign.dialing_mode = mode


def test_a_pass_serves_the_waiting_agents_and_dials_progressive_calls(
        committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    centre = build(engine, agents={"A": ["tr"], "B": ["tr"], "C": ["tr"]},
                   contacts=[(NUMBERS[0], "tr"), (NUMBERS[1], "tr")])
    for code, minutes in (("A", 3), ("B", 9), ("C", 1)):
        centre.dispatcher.mark_ready(centre.agents[code],
                                     TUESDAY_NOON - dt.timedelta(minutes=minutes))
    report = _service(centre).run_once(TUESDAY_NOON)
    assert report.served == [centre.agents["B"], centre.agents["A"]], "idle longest first"
    assert len(report.dialed) == 2
    with transaction(engine) as session:
        dialed = session.scalars(select(Attempt).where(Attempt.id.in_(report.dialed))).all()
        assert all(attempt.dialed_at is not None for attempt in dialed)
        waiting = session.get(Agent, centre.agents["C"])
        assert waiting is not None and waiting.ready_since is not None, "C keeps waiting"


def test_a_preview_case_waits_for_the_agent(committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    centre = build(engine, agents={"A": ["tr"]}, contacts=[(NUMBERS[0], "tr")])
    _mode(centre, DialingMode.PREVIEW)
    centre.dispatcher.mark_ready(centre.agents["A"], TUESDAY_NOON)
    report = _service(centre).run_once(TUESDAY_NOON)
    assert report.served == [centre.agents["A"]] and report.dialed == []
    with transaction(engine) as session:
        attempt = session.scalars(select(Attempt)).one()
        assert attempt.dialed_at is None and attempt.ended_at is None


def test_an_agent_whose_call_was_not_answered_waits_from_its_end(
        committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    centre = build(engine, agents={"A": ["tr"]}, contacts=[(NUMBERS[0], "tr")], rates=ALL_BUSY)
    centre.dispatcher.mark_ready(centre.agents["A"], TUESDAY_NOON)
    report = _service(centre).run_once(TUESDAY_NOON)
    with transaction(engine) as session:
        attempt = session.get(Attempt, report.dialed[0])
        agent = session.get(Agent, centre.agents["A"])
        assert attempt is not None and agent is not None and attempt.ended_at is not None
        assert agent.ready_since == attempt.ended_at > TUESDAY_NOON
    assert centre.dispatcher.serve_waiting(TUESDAY_NOON) == [], "not while it rings out"


def test_a_pass_hangs_up_overdue_calls(committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    centre = build(engine, agents={"A": ["tr"]}, contacts=[(NUMBERS[0], "tr")])
    centre.dispatcher.mark_ready(centre.agents["A"], TUESDAY_NOON)
    service = _service(centre)
    attempt_id = service.run_once(TUESDAY_NOON).dialed[0]
    late = TUESDAY_NOON + dt.timedelta(minutes=31)
    assert service.run_once(late).hung_up == [attempt_id]
