"""The stop-all-dialing switch, on a committed database: once it is on, no process claims a
contact, a dial already on its way is refused and traced, the waiting agents get nothing, and
the calls going on are hung up when the stop says so; resuming lets dialing go on. Two
dispatchers (as two processes would) see the switch at once."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from sqlalchemy import Engine, select

from dialer.db import transaction
from dialer.dialing_switch import dialing_state, resume_dialing, stop_dialing
from dialer.dispatch import Dispatcher
from dialer.models import Attempt, Campaign, TraceEvent
from dialer.trace import verify_chain
from dialer.worker import DialingService
from survey_engine.cli import main
from tests.dialer.callflow import TUESDAY_NOON, build

TURKISH = ("+32470000001", "+32470000002", "+32470000003")


def _stop(engine: Engine, **options: object) -> None:
    with transaction(engine) as session:
        stop_dialing(session, "supervisor:sup-a", "incident in wing B", **options)  # type: ignore[arg-type]


def test_no_process_claims_while_dialing_is_stopped(committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    centre = build(engine, agents={"TR1": ["tr"], "TR2": ["tr"]},
                   contacts=[(number, "tr") for number in TURKISH])
    other_process = Dispatcher(engine, roster_ttl=dt.timedelta(seconds=30))
    assert other_process.preview([centre.agents["TR2"]], TUESDAY_NOON)[centre.agents["TR2"]]
    _stop(engine)
    assert centre.dispatcher.next_call(centre.agents["TR1"], TUESDAY_NOON) is None
    assert other_process.next_call(centre.agents["TR2"], TUESDAY_NOON) is None
    centre.dispatcher.mark_ready(centre.agents["TR1"], TUESDAY_NOON)
    assert centre.dispatcher.serve_waiting(TUESDAY_NOON) == []
    with transaction(engine) as session:
        state = dialing_state(session)
        resume_dialing(session, "supervisor:sup-a", "incident closed")
    assert state.stopped and state.changed_by == "supervisor:sup-a"
    assert centre.dispatcher.next_call(centre.agents["TR1"], TUESDAY_NOON) is not None


def test_a_dial_on_its_way_is_refused_and_traced(committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    centre = build(engine, agents={"TR1": ["tr"]}, contacts=[(TURKISH[0], "tr")])
    case = centre.claim("TR1")
    _stop(engine)
    result = centre.desk.dial(case.attempt_id, TUESDAY_NOON)
    assert result.refused == "dialing_stopped"
    with transaction(engine) as session:
        refusal = session.scalars(select(TraceEvent).where(
            TraceEvent.attempt_id == case.attempt_id,
            TraceEvent.kind == "dial_refused")).one()
        assert refusal.data["reason"] == "dialing_stopped"
        stopped = session.scalars(select(TraceEvent).where(
            TraceEvent.kind == "dialing_stopped",
            TraceEvent.campaign_id == centre.campaign_id)).one()
        assert stopped.actor == "supervisor:sup-a"
        assert stopped.data == {"reason": "incident in wing B", "end_live_calls": False}
        attempt = session.get(Attempt, case.attempt_id)
        assert attempt is not None and attempt.disposition == "3.11"
        assert verify_chain(session, centre.campaign_id).fault is None


def test_live_calls_are_hung_up_by_the_worker_when_the_stop_says_so(
        committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    centre = build(engine, agents={"TR1": ["tr"], "TR2": ["tr"]},
                   contacts=[(TURKISH[0], "tr"), (TURKISH[1], "tr")])
    talking = centre.claim("TR1")
    answered = centre.desk.dial(talking.attempt_id, TUESDAY_NOON)
    assert answered.answered and answered.answered_at is not None
    centre.interviews.begin(talking.attempt_id, answered.answered_at)
    _stop(engine)
    worker = DialingService(engine, centre.desk.backend, desk=centre.desk,
                            dispatcher=centre.dispatcher)
    report = worker.run_once(answered.answered_at + dt.timedelta(seconds=30))
    assert report.stopped and report.hung_up == [], "a stop without end_live_calls"
    _stop(engine, end_live_calls=True)
    report = worker.run_once(answered.answered_at + dt.timedelta(seconds=40))
    assert report.hung_up == [talking.attempt_id]
    with transaction(engine) as session:
        attempt = session.get(Attempt, talking.attempt_id)
        assert attempt is not None and attempt.disposition == "2.12"
        outcome = session.scalars(select(TraceEvent).where(
            TraceEvent.attempt_id == talking.attempt_id, TraceEvent.kind == "outcome")).one()
        assert outcome.data["by"] == "system" and outcome.data["reason"] == "stop_all"


def test_a_call_whose_answer_is_still_to_come_does_not_keep_the_others_up(
        committed: tuple[Engine, str]) -> None:
    """The backend reports an answer a few seconds ahead: stopping with the calls going on
    ends the calls connected by then, leaves that one to the next pass, and fails nothing."""
    engine, _url = committed
    centre = build(engine, agents={"TR1": ["tr"], "TR2": ["tr"]},
                   contacts=[(TURKISH[0], "tr"), (TURKISH[1], "tr")])
    first = centre.claim("TR1")
    early = centre.desk.dial(first.attempt_id, TUESDAY_NOON)
    assert early.answered_at is not None
    second = centre.claim("TR2", early.answered_at)
    late = centre.desk.dial(second.attempt_id, early.answered_at)
    assert late.answered_at is not None and late.answered_at > early.answered_at
    _stop(engine, end_live_calls=True)
    worker = DialingService(engine, centre.desk.backend, desk=centre.desk,
                            dispatcher=centre.dispatcher)
    assert worker.run_once(early.answered_at).hung_up == [first.attempt_id]
    assert worker.run_once(late.answered_at).hung_up == [second.attempt_id]


def test_the_dialing_commands(committed: tuple[Engine, str]) -> None:
    engine, url = committed
    build(engine, agents={"TR1": ["tr"]}, contacts=[(TURKISH[0], "tr")])
    env = {"SURVEY_ENGINE_DATABASE_URL": url}
    runner = CliRunner()
    status = runner.invoke(main, ["dialing", "status"], env=env)
    assert status.exit_code == 0 and "dialing: on (never stopped)" in status.output
    stopped = runner.invoke(main, ["dialing", "stop", "--reason", "drill", "--by", "cli:ops"],
                            env=env)
    assert stopped.exit_code == 0, stopped.output
    assert "dialing: STOPPED since" in stopped.output and "by cli:ops: drill" in stopped.output
    status = runner.invoke(main, ["dialing", "status"], env=env)
    assert status.exit_code == 3
    resumed = runner.invoke(main, ["dialing", "resume"], env=env)
    assert resumed.exit_code == 0 and "dialing: on since" in resumed.output
    with transaction(engine) as session:
        kinds = list(session.scalars(select(TraceEvent.kind).join(
            Campaign, Campaign.id == TraceEvent.campaign_id).order_by(TraceEvent.seq)))
    assert kinds == ["dialing_stopped", "dialing_resumed"]
