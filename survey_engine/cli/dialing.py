"""``survey-engine dialing`` (the stop-all switch) and ``survey-engine worker`` (the dialer's
continuous work)."""

from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
from types import FrameType

import click

from dialer.calls import CallDesk
from dialer.db import transaction, writer
from dialer.dialing_switch import SwitchState, dialing_state, resume_dialing, stop_dialing
from dialer.presence import PRESENCE
from dialer.telephony.registry import configured_backend
from dialer.worker import DialingService, run_worker
from survey_engine.cli.common import operator as _operator
from survey_engine.cli.database import open_database


def _show(state: SwitchState) -> None:
    if state.changed_at is None:
        click.echo("dialing: on (never stopped)")
        return
    verb = "STOPPED" if state.stopped else "on"
    since = state.changed_at.isoformat(timespec="seconds")
    why = f": {state.reason}" if state.reason else ""
    calls = ", live calls hung up" if state.end_live_calls else ""
    click.echo(f"dialing: {verb} since {since} by {state.changed_by}{why}{calls}")


@click.group()
def dialing() -> None:
    """Stop all dialing at once, in every dialer process, or let it go on.

    While stopped, no agent is given a call and the dialer refuses to dial (traced as
    dial_refused, reason dialing_stopped). Every worker and web process reads the switch
    from the database at the moment it acts.
    """


@dialing.command("stop")
@click.option("--reason", default="", help="Why, for the trace and the supervisors.")
@click.option("--end-calls", is_flag=True, help="Also hang up the calls going on now.")
@click.option("--by", "by", default=None, help="Who stops it (default: cli:USER).")
def stop_command(reason: str, end_calls: bool, by: str | None) -> None:
    """Stop all dialing now.

    \b
    Examples:
      survey-engine dialing stop --reason "incident in wing B"
      survey-engine dialing stop --end-calls --reason "evacuation"
    """
    engine = open_database()
    try:
        with transaction(writer(engine)) as session:
            state = stop_dialing(session, by or _operator(), reason, end_live_calls=end_calls)
        _show(state)
        if end_calls:
            ended = CallDesk(engine, configured_backend()).stop_all_dialing()
            click.echo(f"hung up {len(ended)} live call{'' if len(ended) == 1 else 's'}")
    finally:
        engine.dispose()


@dialing.command("resume")
@click.option("--reason", default="", help="Why, for the trace.")
@click.option("--by", "by", default=None, help="Who resumes it (default: cli:USER).")
def resume_command(reason: str, by: str | None) -> None:
    """Let dialing go on again.

    \b
    Example:
      survey-engine dialing resume --reason "incident closed"
    """
    engine = open_database()
    try:
        with transaction(writer(engine)) as session:
            _show(resume_dialing(session, by or _operator(), reason))
    finally:
        engine.dispose()


@dialing.command("status")
def status_command() -> None:
    """Say whether dialing is stopped; exit 3 when it is.

    \b
    Example:
      survey-engine dialing status || echo "dialing is stopped"
    """
    engine = open_database()
    try:
        with transaction(engine) as session:
            state = dialing_state(session)
    finally:
        engine.dispose()
    _show(state)
    if state.stopped:
        raise SystemExit(3)


@click.command()
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds between passes.")
@click.option("--once", is_flag=True, help="Make one pass and print what it did.")
@click.option("--presence", default=PRESENCE.total_seconds(), show_default=True,
              type=click.FloatRange(min=0),
              help="Seconds a waiting agent's web console may stay silent (browser closed, "
                   "workstation off) before the agent is marked away and given no more "
                   "calls; 0 to dial for waiting agents with no console at all.")
def worker(interval: float, once: bool, presence: float) -> None:
    """Run the dialer: serve waiting agents, place progressive calls, hang up overdue calls,
    and honour the stop-all-dialing switch, on the configured telephony backend.

    An agent waiting for a call whose web console has gone silent (no request for
    --presence seconds) is marked away first: no call is placed for nobody.

    Any number of workers may run side by side (PostgreSQL for more than one machine).
    Stop with Ctrl-C or SIGTERM: the pass going on is finished first.

    \b
    Examples:
      survey-engine worker
      survey-engine worker --interval 0.5
      survey-engine worker --once
    """
    engine = open_database()
    service = DialingService(engine, configured_backend(),
                             presence=dt.timedelta(seconds=presence) if presence else None)
    if once:
        report = service.run_once()
        click.echo(f"stopped: {report.stopped}; marked away {len(report.absent)} agents "
                   f"without a console; served {len(report.served)} agents, dialed "
                   f"{len(report.dialed)} calls, hung up {len(report.hung_up)}")
        engine.dispose()
        return
    stop = threading.Event()

    def _stop(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(f"dialer worker running on {engine.url.render_as_string(hide_password=True)} "
               f"(every {interval:g} s); Ctrl-C to stop")
    sys.stdout.flush()
    passes = run_worker(service, stop, dt.timedelta(seconds=interval))
    engine.dispose()
    click.echo(f"worker stopped after {passes} passes")
