"""The simulator's part of the demo tour: one day of the sample campaign on a virtual clock,
with the centre's own agents and the ``sim`` telephony backend, in a scratch database whose
call trace is then verified."""

from __future__ import annotations

import datetime as dt
import time

import click

from dialer.config import database_url, instance_dir
from dialer.db import make_engine, transaction
from dialer.simulation.runner import Simulation
from dialer.simulation.setup import prepare_scratch
from dialer.telephony.sim import SimBackend
from dialer.trace import verify_chain
from survey_engine.cli.demo_centre import BRUSSELS, CAMPAIGN, at_local
from survey_engine.cli.simulate import clear_scratch, echo_report

#: The same seed gives the same simulated day (for the same day of the week and contacts).
SEED = 1


def tour_simulation(tuesday: dt.date) -> None:
    """Simulate ``tuesday`` (00:00 to 24:00 in Brussels) of the sample campaign and print the
    report and the verified trace."""
    path = instance_dir() / "simulations" / "demo.sqlite3"
    clear_scratch(path, force=True)
    start = at_local(tuesday, dt.time(0), BRUSSELS)
    click.secho(f"\n== A simulated day of {CAMPAIGN}: {tuesday:%A %d %B %Y} in Brussels, "
                "the centre's agents, the sim telephony backend", bold=True)
    source, target = make_engine(database_url()), make_engine(f"sqlite:///{path}")
    try:
        centre = prepare_scratch(source, target, CAMPAIGN, seed=SEED, today=tuesday)
        began = time.perf_counter()
        tally = Simulation(target, SimBackend(seed=SEED), start, 1, centre.agent_ids).run()
        seconds = time.perf_counter() - began
        echo_report(tally, 1, seconds, path, centre.contacts)
        with transaction(target) as session:
            report = verify_chain(session, centre.campaign_id)
    finally:
        source.dispose()
        target.dispose()
    verdict = "intact" if report.fault is None else f"BROKEN: {report.fault}"
    click.echo(f"call trace: {report.events} events, hash chain {verdict}")
